-- Beings removed from a space by its owner or a moderator: they can neither come back in nor
-- speak there until readmitted. The remover is not a foreign key: it may be deleted later.
CREATE TABLE space_removals (
    space_id   UUID   NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    being_id   UUID   NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    removed_by UUID   NOT NULL,
    removed_at BIGINT NOT NULL,
    PRIMARY KEY (space_id, being_id)
);
CREATE INDEX space_removals_by_being ON space_removals (being_id);
