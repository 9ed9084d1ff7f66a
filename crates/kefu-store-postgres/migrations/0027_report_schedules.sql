-- Scheduled reports (issue #16, R-MG-2): the key-figures report of the period just ended,
-- mailed as a spreadsheet every day, week or month. One row per schedule; a node claims a due
-- one by leasing it (lease_until), so several nodes never send the same run twice at once.

CREATE TABLE report_schedules (
    id TEXT COLLATE "C" PRIMARY KEY,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX report_schedules_due ON report_schedules (state, next_attempt_at);
CREATE INDEX report_schedules_owner ON report_schedules (owner);
