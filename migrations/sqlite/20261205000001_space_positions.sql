-- "Head" meant three things in the code; a space's place in its sequence of changes is its
-- position, so its table says so.
ALTER TABLE space_heads RENAME TO space_positions;
