-- Live sync: per-space positions, the change log, presence. See docs/SYNC.md.

-- Not only secrets live here now (the sync epoch too).
ALTER TABLE server_secrets RENAME TO server_settings;

-- Each space's position (how many changes it has seen) and the floor of its kept window:
-- a cursor at or above the floor can be resumed exactly.
CREATE TABLE space_heads (
    space_id BLOB    PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    floor    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The change log: the latest change of each entity of a space, within the window. A newer
-- change of the same entity replaces the row (and takes the new position): catch-up sends
-- each entity's latest state once.
CREATE TABLE changes (
    space_id   BLOB    NOT NULL,
    position   INTEGER NOT NULL,
    entity     TEXT    NOT NULL CHECK (entity IN ('being', 'intention', 'presence')),
    entity_id  BLOB    NOT NULL,
    change     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, position)
) STRICT;
CREATE UNIQUE INDEX changes_by_entity ON changes (space_id, entity, entity_id);
CREATE INDEX changes_by_age ON changes (created_at);

-- Who has a live stream where, per node. Each node renews its rows; a row not renewed within
-- the presence TTL (of whichever node looks) counts as gone and is swept.
CREATE TABLE presence (
    space_id   BLOB    NOT NULL,
    being_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    node_id    BLOB    NOT NULL,
    renewed_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, being_id, node_id)
) STRICT;
CREATE INDEX presence_by_node ON presence (node_id);
CREATE INDEX presence_by_renewal ON presence (renewed_at);
CREATE INDEX presence_by_being ON presence (being_id);
