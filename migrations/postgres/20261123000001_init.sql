-- rhizom schema, PostgreSQL. Times are microseconds since the epoch, as on SQLite, so one set
-- of statements serves both engines.

CREATE TABLE beings (
    id          UUID   PRIMARY KEY,
    kind        TEXT   NOT NULL CHECK (kind IN ('guest', 'space', 'bot', 'document')),
    name        TEXT   NOT NULL,
    -- No cascade: a being that owns others cannot be deleted (the API answers 409).
    owner_id    UUID   REFERENCES beings (id),
    location_id UUID   REFERENCES beings (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Presence: the beings in a space, in order of arrival.
CREATE INDEX beings_by_location ON beings (location_id, created_at);
-- The space directory.
CREATE INDEX beings_by_kind ON beings (kind, created_at);
-- "Does this being still own others?" before a delete.
CREATE INDEX beings_by_owner ON beings (owner_id);

CREATE TABLE intentions (
    id          UUID   PRIMARY KEY,
    kind        TEXT   NOT NULL CHECK (kind IN ('utterance', 'error')),
    state       TEXT   NOT NULL CHECK (state IN ('draft', 'active', 'complete', 'failed')),
    owner_id    UUID   NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    location_id UUID   NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    content     TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A space's conversation, newest first, paged by (created_at, id): never scans other spaces.
CREATE INDEX intentions_by_location ON intentions (location_id, created_at DESC, id DESC);
-- Cascades when a being is deleted.
CREATE INDEX intentions_by_owner ON intentions (owner_id);

-- Secrets the server generates once and every node shares (the session-cookie key).
CREATE TABLE server_secrets (
    name  TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);

-- A first run lands somewhere: the Lobby, owned by the server.
INSERT INTO beings (id, kind, name, owner_id, location_id, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'space', 'Lobby', NULL, NULL,
        (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT,
        (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT);
