-- Away (docs/SYNC.md, "Presence"): a presence row says whether every stream of its being in its
-- space on its node comes from a page hidden for a while. A being is away where all its live
-- rows say so.
ALTER TABLE presence ADD COLUMN away BOOLEAN NOT NULL DEFAULT FALSE;
