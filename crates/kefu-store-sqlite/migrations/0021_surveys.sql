-- Satisfaction surveys (issue #16, R-CASE-8). A survey lives in its case's events and
-- projection; this is its read model: one row per surveyed case with the dimensions the figures
-- break down by (agent and team as they were when the survey opened, channel, category, the
-- customer's grade), the answer's verdict and the follow-up's state, written in the same
-- transaction as the case's events. The figures read a range of days through `surveys_day`
-- (the day the survey opened, in the desk's time zone, 'YYYY-MM-DD'), so a month costs the
-- month's surveys whatever the number of cases.
CREATE TABLE surveys (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    case_number TEXT NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    grade INTEGER NOT NULL,
    score INTEGER,
    satisfied INTEGER NOT NULL,
    poor INTEGER NOT NULL,
    answered_at INTEGER,
    follow_up TEXT,
    follow_up_due_at INTEGER
);
CREATE INDEX surveys_day ON surveys (day);
CREATE INDEX surveys_agent_day ON surveys (agent_id, day);
CREATE INDEX surveys_follow_up ON surveys (follow_up, follow_up_due_at);
