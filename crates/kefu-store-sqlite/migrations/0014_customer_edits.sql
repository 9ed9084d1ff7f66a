-- Customers can be corrected and merged (issue #13). The row's version is the optimistic-
-- concurrency token of an edit; rows written before have version 1, as their documents read.
ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Every change to a customer: who, when, which field, old and new value (in `doc`).
-- Append-only: the triggers refuse updates and deletes.
CREATE TABLE customer_events (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    field TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
);
CREATE TRIGGER customer_events_no_update BEFORE UPDATE ON customer_events
BEGIN SELECT RAISE(ABORT, 'customer events are append-only'); END;
CREATE TRIGGER customer_events_no_delete BEFORE DELETE ON customer_events
BEGIN SELECT RAISE(ABORT, 'customer events are append-only'); END;
