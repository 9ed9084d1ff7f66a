-- Nothing is silently changed.
--
-- The audit log is append-only, like the case history: the triggers refuse updates and deletes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Every change of a setting, an SLA policy or a calendar made through the desk: who, when,
-- the document before (NULL when there was none) and after. Written in the transaction of the
-- change; `seq` orders the changes (newest = highest).
CREATE TABLE config_history (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX config_history_key ON config_history (kind, key, seq);
CREATE TRIGGER config_history_no_update BEFORE UPDATE ON config_history
BEGIN SELECT RAISE(ABORT, 'the configuration history is append-only'); END;
CREATE TRIGGER config_history_no_delete BEFORE DELETE ON config_history
BEGIN SELECT RAISE(ABORT, 'the configuration history is append-only'); END;

-- Changes of a shipment's descriptive fields (sender, recipient, item, …) by an upsert: one
-- row per write that changed something, keyed by the shipment version that write produced.
CREATE TABLE shipment_changes (
    waybill_no TEXT NOT NULL,
    version INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (waybill_no, version)
);
CREATE TRIGGER shipment_changes_no_update BEFORE UPDATE ON shipment_changes
BEGIN SELECT RAISE(ABORT, 'shipment changes are append-only'); END;
CREATE TRIGGER shipment_changes_no_delete BEFORE DELETE ON shipment_changes
BEGIN SELECT RAISE(ABORT, 'shipment changes are append-only'); END;
