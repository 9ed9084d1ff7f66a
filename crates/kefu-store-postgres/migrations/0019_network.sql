-- The franchised network (issue #15). An organisation (outlet, sorting centre, region) is a
-- department with a profile: `doc` holds the whole record, the columns what lookups need.
CREATE TABLE organisations (
    id TEXT COLLATE "C" PRIMARY KEY REFERENCES departments (id),
    key TEXT COLLATE "C" NOT NULL UNIQUE,
    kind TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT COLLATE "C" NOT NULL
);

-- Work orders live in their case's events and projection; this is their read model for the
-- organisations' queues and the assessment, written in the same transaction as the events.
CREATE TABLE work_orders (
    id TEXT COLLATE "C" PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    number TEXT COLLATE "C" NOT NULL UNIQUE,
    organisation_id TEXT COLLATE "C" NOT NULL REFERENCES departments (id),
    kind TEXT COLLATE "C" NOT NULL,
    state TEXT COLLATE "C" NOT NULL,
    regulator TEXT COLLATE "C",
    sent_at BIGINT NOT NULL,
    response_due_at BIGINT NOT NULL,
    completion_due_at BIGINT NOT NULL,
    responded_at BIGINT,
    closed_at BIGINT,
    response_late BIGINT NOT NULL,
    completion_late BIGINT NOT NULL,
    escalation_level BIGINT NOT NULL,
    doc TEXT COLLATE "C" NOT NULL
);
CREATE INDEX work_orders_queue ON work_orders (organisation_id, state, completion_due_at);
CREATE INDEX work_orders_sent ON work_orders (sent_at, organisation_id);
CREATE INDEX work_orders_case ON work_orders (case_id);
