-- SLA policies, and one timer per running service clock (derived from the case projection and
-- rewritten with it in the same transaction).
CREATE TABLE sla_policies (
    key TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE case_timers (
    case_id TEXT NOT NULL REFERENCES cases (id),
    clock TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, clock)
);
CREATE INDEX case_timers_due ON case_timers (due_at);
