-- Satisfaction surveys (issue #16, R-CASE-8). A survey lives in its case's events and
-- projection; this is its read model: one row per surveyed case with the dimensions the figures
-- break down by (agent and team as they were when the survey opened, channel, category, the
-- customer's grade), the answer's verdict and the follow-up's state, written in the same
-- transaction as the case's events. The figures read a range of days through `surveys_day`
-- (the day the survey opened, in the desk's time zone, 'YYYY-MM-DD'), so a month costs the
-- month's surveys whatever the number of cases.
CREATE TABLE surveys (
    case_id TEXT COLLATE "C" PRIMARY KEY REFERENCES cases (id),
    case_number TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    category TEXT COLLATE "C" NOT NULL,
    agent_id TEXT COLLATE "C" NOT NULL,
    team_id TEXT COLLATE "C" NOT NULL,
    grade BIGINT NOT NULL,
    score BIGINT,
    satisfied BIGINT NOT NULL,
    poor BIGINT NOT NULL,
    answered_at BIGINT,
    follow_up TEXT COLLATE "C",
    follow_up_due_at BIGINT
);
CREATE INDEX surveys_day ON surveys (day);
CREATE INDEX surveys_agent_day ON surveys (agent_id, day);
CREATE INDEX surveys_follow_up ON surveys (follow_up, follow_up_due_at);
