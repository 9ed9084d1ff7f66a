-- The franchised network (issue #15). An organisation (outlet, sorting centre, region) is a
-- department with a profile: `doc` holds the whole record, the columns what lookups need.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY REFERENCES departments (id),
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
);

-- Work orders live in their case's events and projection; this is their read model for the
-- organisations' queues and the assessment, written in the same transaction as the events.
CREATE TABLE work_orders (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    number TEXT NOT NULL UNIQUE,
    organisation_id TEXT NOT NULL REFERENCES departments (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    regulator TEXT,
    sent_at INTEGER NOT NULL,
    response_due_at INTEGER NOT NULL,
    completion_due_at INTEGER NOT NULL,
    responded_at INTEGER,
    closed_at INTEGER,
    response_late INTEGER NOT NULL,
    completion_late INTEGER NOT NULL,
    escalation_level INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX work_orders_queue ON work_orders (organisation_id, state, completion_due_at);
CREATE INDEX work_orders_sent ON work_orders (sent_at, organisation_id);
CREATE INDEX work_orders_case ON work_orders (case_id);
