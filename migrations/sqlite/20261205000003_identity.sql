-- Identity (docs/SECURITY.md, "Identity"): server-side sessions, passkeys, sign-in links,
-- OpenID Connect links, and sign-ins in progress. Secret tokens are kept only as SHA-256
-- hashes; passkeys only as their public keys.

-- A signed-in device: the cookie holds the token whose hash is here.
CREATE TABLE sessions (
    id           BLOB    PRIMARY KEY NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    being_id     BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    user_agent   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_being ON sessions (being_id, created_at);

-- Cookies from before sessions, each exchanged for a session once: the SHA-256 of its MAC.
CREATE TABLE exchanged_cookies (
    tag_hash     BLOB    PRIMARY KEY NOT NULL,
    exchanged_at INTEGER NOT NULL
) STRICT;

-- A being's passkeys: webauthn-rs's `Passkey` as JSON (public key, counter, flags).
CREATE TABLE passkeys (
    id            BLOB    PRIMARY KEY NOT NULL,
    being_id      BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    credential_id BLOB    NOT NULL UNIQUE,
    passkey       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
) STRICT;
CREATE INDEX passkeys_by_being ON passkeys (being_id, created_at);

-- Single-use links that sign another device in; deleted when used or cancelled.
CREATE TABLE sign_in_links (
    id         BLOB    PRIMARY KEY NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    being_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_links_by_being ON sign_in_links (being_id);

-- An OpenID Connect identity (the provider's issuer and subject) and the being it signs in.
CREATE TABLE oidc_links (
    issuer     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    provider   TEXT    NOT NULL,
    being_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT;
CREATE INDEX oidc_links_by_being ON oidc_links (being_id);

-- A sign-in in progress (a passkey ceremony, an OpenID Connect round trip): its state, taken
-- exactly once before it expires. The browser holds the id; only its hash is here.
CREATE TABLE sign_in_attempts (
    id_hash    BLOB    PRIMARY KEY NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('passkey_registration', 'passkey_sign_in', 'oidc')),
    being_id   BLOB    REFERENCES beings (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_attempts_by_expiry ON sign_in_attempts (expires_at);
