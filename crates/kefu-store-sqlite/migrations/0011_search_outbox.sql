-- What the search index must (re)read, written in the same transaction as the change: a node's
-- indexer reads it from its own cursor, so a crash loses nothing and every node of a cluster
-- indexes the same changes. Entries name an entity, not its content (the content is read fresh).
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX search_outbox_at ON search_outbox (at);
