-- The case desk core. Timestamps are epoch milliseconds; ids are UUIDv7 text; `doc` holds the
-- whole record as JSON and the other columns exist to be filtered and joined on.
CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);

-- One row per phone, email or external id: a contact point belongs to one customer only.
CREATE TABLE customer_contacts (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (kind, value)
);
CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    number_seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    assignee_id TEXT,
    department_id TEXT,
    received_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_category ON cases (category, id);
CREATE INDEX cases_priority ON cases (priority, id);
CREATE INDEX cases_customer ON cases (customer_id, id);
CREATE INDEX cases_assignee ON cases (assignee_id, id);
CREATE INDEX cases_department ON cases (department_id, id);

-- The history of every case. Append-only: the triggers refuse updates and deletes.
CREATE TABLE case_events (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('case_number', 0);
