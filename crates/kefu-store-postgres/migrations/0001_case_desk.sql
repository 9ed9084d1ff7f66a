-- The case desk core (PostgreSQL). Text keys use the "C" collation so ordering is bytewise,
-- as in SQLite, and exports from both compare equal. Timestamps are epoch milliseconds; ids are UUIDv7 text; `doc` holds the
-- whole record as JSON and the other columns exist to be filtered and joined on.
CREATE TABLE departments (
    id TEXT COLLATE "C" PRIMARY KEY,
    key TEXT COLLATE "C" NOT NULL UNIQUE,
    doc TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    doc TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE customers (
    id TEXT COLLATE "C" PRIMARY KEY,
    created_at BIGINT NOT NULL,
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
    id TEXT COLLATE "C" PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    number_seq BIGINT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    assignee_id TEXT,
    department_id TEXT,
    received_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_category ON cases (category, id);
CREATE INDEX cases_priority ON cases (priority, id);
CREATE INDEX cases_customer ON cases (customer_id, id);
CREATE INDEX cases_assignee ON cases (assignee_id, id);
CREATE INDEX cases_department ON cases (department_id, id);

-- The history of every case. Append-only: the trigger below refuses updates and deletes.
CREATE TABLE case_events (
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE FUNCTION kefu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only';
END;
$$;
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
FOR EACH ROW EXECUTE FUNCTION kefu_refuse_change();

-- Case numbers come from a sequence: no row lock is held across concurrent creates.
CREATE SEQUENCE case_number_seq;
