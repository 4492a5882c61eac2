-- Unread and mentions (docs/API.md, "Reading"): how far each being has read each space, and
-- who each message mentions. A message writes one row per being it mentions and none per
-- member, so a post costs the same in a space of 5 or of 5,000; unread counts are read from the
-- messages after a mark, along the conversation's own index.

-- The last message a being has seen in a space, as its place in the conversation
-- (`created_at`, `id`). It only moves forward; the message may since have been deleted.
CREATE TABLE read_marks (
    being_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    space_id   BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    read_at    INTEGER NOT NULL,
    read_id    BLOB    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (being_id, space_id)
) STRICT;
CREATE INDEX read_marks_by_space ON read_marks (space_id);

-- A being named in a message (`@Name`), with the message's place, so that a being's mentions
-- after its mark are one range of this key.
CREATE TABLE mentions (
    being_id     BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    space_id     BLOB    NOT NULL REFERENCES beings (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    intention_id BLOB    NOT NULL REFERENCES intentions (id) ON DELETE CASCADE,
    PRIMARY KEY (being_id, space_id, created_at, intention_id)
) STRICT;
CREATE INDEX mentions_by_intention ON mentions (intention_id);
