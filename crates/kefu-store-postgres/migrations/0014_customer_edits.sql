-- Customers can be corrected and merged (issue #13). The row's version is the optimistic-
-- concurrency token of an edit; rows written before have version 1, as their documents read.
ALTER TABLE customers ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Every change to a customer: who, when, which field, old and new value (in `doc`).
-- Append-only: the trigger refuses updates and deletes.
CREATE TABLE customer_events (
    customer_id TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
    seq BIGINT NOT NULL,
    version BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    field TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
);

CREATE FUNCTION kefu_refuse_customer_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'customer events are append-only';
END;
$$;
CREATE TRIGGER customer_events_append_only BEFORE UPDATE OR DELETE ON customer_events
FOR EACH ROW EXECUTE FUNCTION kefu_refuse_customer_event_change();
