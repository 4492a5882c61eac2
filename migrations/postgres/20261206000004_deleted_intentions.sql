-- The ids of deleted messages. A message's id is chosen by its writer and sent again until the
-- server answers; one deleted before a lost answer reached its writer must not be stored again
-- by the retry (docs/API.md, "Posting with your own id").
CREATE TABLE deleted_intentions (
    id UUID PRIMARY KEY
);
