-- Beings removed from a space by its owner or a moderator: they can neither come back in nor
-- speak there until readmitted. The remover is not a foreign key: it may be deleted later.
CREATE TABLE space_removals (
    space_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    being_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    removed_by BLOB    NOT NULL,
    removed_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, being_id)
) STRICT;
CREATE INDEX space_removals_by_being ON space_removals (being_id);
