-- Bots that hear and answer (docs/API.md, "Bots"): each bot's settings, its tokens, and the
-- wakes its space's messages cause — recorded in the message's own transaction, so that none is
-- lost and none is answered twice.

-- A reply names the message it answers.
ALTER TABLE intentions ADD COLUMN reply_to UUID;

-- What wakes a bot and what answers for it. `engine` is its settings without secrets (JSON);
-- `api_key` and `signing_secret` are kept apart and never returned.
CREATE TABLE bots (
    being_id       UUID    PRIMARY KEY REFERENCES beings (id) ON DELETE CASCADE,
    wakes_on       TEXT    NOT NULL CHECK (wakes_on IN ('every_message', 'mentions')),
    engine         TEXT    NOT NULL,
    api_key        TEXT,
    signing_secret TEXT,
    updated_at     BIGINT  NOT NULL
);

-- Tokens a program acts as its bot with (`Authorization: Bearer`): kept as their SHA-256.
CREATE TABLE bot_tokens (
    id           UUID    PRIMARY KEY,
    bot_id       UUID    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    token_hash   BYTEA   NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX bot_tokens_by_bot ON bot_tokens (bot_id, created_at);

-- A message that woke a bot, and what became of it: pending (due at `next_attempt_at`),
-- running (claimed by a node until `lease_until`), done or failed. The waking message's id is
-- the wake's idempotency key; the bot's reply is the message whose id is the wake's.
CREATE TABLE wakes (
    id              UUID    PRIMARY KEY,
    bot_id          UUID    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    message_id      UUID    NOT NULL,
    space_id        UUID    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    author_id       UUID    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    claimed_by      UUID,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (bot_id, message_id)
);
CREATE INDEX wakes_due ON wakes (state, next_attempt_at);
CREATE INDEX wakes_by_bot ON wakes (bot_id, created_at);
