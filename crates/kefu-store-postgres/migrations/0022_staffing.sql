-- The staffing planner (issue #16). Arrivals are counted from the cases by the half-hour of their
-- received time and their channel, grouped in SQL; this index covers that count, so a range
-- reads index entries only. Promotion days the planner marks (a day, its name, a multiplier or
-- a day like it), and the planned agents per day and channel, 48 half-hours in the document.
CREATE INDEX cases_arrivals ON cases (received_at, channel);

CREATE TABLE staffing_promotions (
    day TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE staffing_schedule (
    day TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (day, channel)
);
