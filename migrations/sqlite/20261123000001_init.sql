-- rhizom schema, SQLite. Ids are 16-byte UUID blobs; times are microseconds since the epoch.

CREATE TABLE beings (
    id          BLOB    PRIMARY KEY NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('guest', 'space', 'bot', 'document')),
    name        TEXT    NOT NULL,
    -- No cascade: a being that owns others cannot be deleted (the API answers 409).
    owner_id    BLOB    REFERENCES beings (id),
    location_id BLOB    REFERENCES beings (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Presence: the beings in a space, in order of arrival.
CREATE INDEX beings_by_location ON beings (location_id, created_at);
-- The space directory.
CREATE INDEX beings_by_kind ON beings (kind, created_at);
-- "Does this being still own others?" before a delete.
CREATE INDEX beings_by_owner ON beings (owner_id);

CREATE TABLE intentions (
    id          BLOB    PRIMARY KEY NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('utterance', 'error')),
    state       TEXT    NOT NULL CHECK (state IN ('draft', 'active', 'complete', 'failed')),
    owner_id    BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    location_id BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    content     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- A space's conversation, newest first, paged by (created_at, id): never scans other spaces.
CREATE INDEX intentions_by_location ON intentions (location_id, created_at DESC, id DESC);
-- Cascades when a being is deleted.
CREATE INDEX intentions_by_owner ON intentions (owner_id);

-- Secrets the server generates once and every node shares (the session-cookie key).
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;

-- A first run lands somewhere: the Lobby, owned by the server.
INSERT INTO beings (id, kind, name, owner_id, location_id, created_at, updated_at)
VALUES (X'00000000000070008000000000000001', 'space', 'Lobby', NULL, NULL,
        CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER),
        CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));
