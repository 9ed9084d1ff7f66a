-- Nothing is silently changed.
--
-- One refusing trigger function for the append-only tables added here; it names the table.
CREATE FUNCTION kefu_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

-- The audit log is append-only, like the case history.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION kefu_append_only();

-- Every change of a setting, an SLA policy or a calendar made through the desk: who, when,
-- the document before (NULL when there was none) and after. Written in the transaction of the
-- change; `seq` orders the changes (newest = highest).
CREATE TABLE config_history (
    seq BIGINT PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX config_history_key ON config_history (kind, key, seq);
CREATE TRIGGER config_history_append_only BEFORE UPDATE OR DELETE ON config_history
FOR EACH ROW EXECUTE FUNCTION kefu_append_only();

-- Changes of a shipment's descriptive fields (sender, recipient, item, …) by an upsert: one
-- row per write that changed something, keyed by the shipment version that write produced.
CREATE TABLE shipment_changes (
    waybill_no TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (waybill_no, version)
);
CREATE TRIGGER shipment_changes_append_only BEFORE UPDATE OR DELETE ON shipment_changes
FOR EACH ROW EXECUTE FUNCTION kefu_append_only();
