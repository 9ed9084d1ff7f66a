-- Key performance figures (issue #16, R-MG-2): one row per case with its keys (agent,
-- department, channel, category, region, grade) and what it adds to the figures of the day it
-- was received, and per dimension and day the sums of those rows. Both are written in the
-- transaction that changes the case, from its projection, so a report reads days and a
-- figure's drill-down reads the rows that make it up; both can be rebuilt from the events.

CREATE TABLE case_kpis (
    case_id TEXT COLLATE "C" PRIMARY KEY REFERENCES cases (id),
    received_at BIGINT NOT NULL,
    received_on TEXT COLLATE "C" NOT NULL,
    agent TEXT COLLATE "C" NOT NULL,
    department TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    category TEXT COLLATE "C" NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    grade TEXT COLLATE "C" NOT NULL,
    cases BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    first_response_secs BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    resolution_secs BIGINT NOT NULL,
    sla_settled BIGINT NOT NULL,
    sla_met BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    contacts BIGINT NOT NULL,
    transferred BIGINT NOT NULL,
    department_answers BIGINT NOT NULL,
    department_answer_secs BIGINT NOT NULL,
    department_overdue BIGINT NOT NULL,
    complaints BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
    open BIGINT NOT NULL
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
    dimension TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    cases BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    first_response_secs BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    resolution_secs BIGINT NOT NULL,
    sla_settled BIGINT NOT NULL,
    sla_met BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    contacts BIGINT NOT NULL,
    transferred BIGINT NOT NULL,
    department_answers BIGINT NOT NULL,
    department_answer_secs BIGINT NOT NULL,
    department_overdue BIGINT NOT NULL,
    complaints BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
    open BIGINT NOT NULL,
    PRIMARY KEY (dimension, day, key)
);
