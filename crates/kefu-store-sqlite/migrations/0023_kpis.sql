-- Key performance figures (issue #16, R-MG-2): one row per case with its keys (agent,
-- department, channel, category, region, grade) and what it adds to the figures of the day it
-- was received, and per dimension and day the sums of those rows. Both are written in the
-- transaction that changes the case, from its projection, so a report reads days and a
-- figure's drill-down reads the rows that make it up; both can be rebuilt from the events.

CREATE TABLE case_kpis (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    received_at INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    agent TEXT NOT NULL,
    department TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    region TEXT NOT NULL,
    grade TEXT NOT NULL,
    cases INTEGER NOT NULL,
    responded INTEGER NOT NULL,
    first_response_secs INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    resolution_secs INTEGER NOT NULL,
    sla_settled INTEGER NOT NULL,
    sla_met INTEGER NOT NULL,
    reopened INTEGER NOT NULL,
    contacts INTEGER NOT NULL,
    transferred INTEGER NOT NULL,
    department_answers INTEGER NOT NULL,
    department_answer_secs INTEGER NOT NULL,
    department_overdue INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    escalated INTEGER NOT NULL,
    open INTEGER NOT NULL
);
CREATE INDEX case_kpis_day ON case_kpis (received_on);
CREATE INDEX case_kpis_agent ON case_kpis (agent, received_on);
CREATE INDEX case_kpis_department ON case_kpis (department, received_on);
CREATE INDEX case_kpis_channel ON case_kpis (channel, received_on);
CREATE INDEX case_kpis_category ON case_kpis (category, received_on);
CREATE INDEX case_kpis_region ON case_kpis (region, received_on);
CREATE INDEX case_kpis_grade ON case_kpis (grade, received_on);
CREATE INDEX case_kpis_open ON case_kpis (open, received_at);

CREATE TABLE kpi_days (
    dimension TEXT NOT NULL,
    day TEXT NOT NULL,
    key TEXT NOT NULL,
    cases INTEGER NOT NULL,
    responded INTEGER NOT NULL,
    first_response_secs INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    resolution_secs INTEGER NOT NULL,
    sla_settled INTEGER NOT NULL,
    sla_met INTEGER NOT NULL,
    reopened INTEGER NOT NULL,
    contacts INTEGER NOT NULL,
    transferred INTEGER NOT NULL,
    department_answers INTEGER NOT NULL,
    department_answer_secs INTEGER NOT NULL,
    department_overdue INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    escalated INTEGER NOT NULL,
    open INTEGER NOT NULL,
    PRIMARY KEY (dimension, day, key)
);
