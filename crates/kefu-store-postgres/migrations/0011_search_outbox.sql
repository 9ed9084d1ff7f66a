-- What the search index must (re)read, written in the same transaction as the change: a node's
-- indexer reads it from its own cursor, so a crash loses nothing and every node of a cluster
-- indexes the same changes. Entries name an entity, not its content (the content is read fresh).
-- Ids come from a sequence and may become visible out of order between concurrent
-- transactions; readers also re-read the last seconds by `at` (see Store::search_outbox).
CREATE TABLE search_outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    entity_id TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX search_outbox_at ON search_outbox (at);
