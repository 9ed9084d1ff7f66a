-- Root causes and the improvement backlog (issue #16, R-CASE-10, R-MG-5, R-MG-6). A case's
-- resolution code and root causes live in its events and projection (`root_cause_recorded`);
-- `case_causes` is their read model: one row per case with a recorded cause, written from the
-- projection in the same transaction as the case's events (like `surveys`), so the Pareto reads
-- a range of days through `case_causes_day` (the local day the cause was recorded,
-- 'YYYY-MM-DD'). `code` and `organisation` are '' when none; `causes` holds the tags separated
-- by single spaces (a tag has none); `region` and `origin` are the first parcel's recipient's
-- and sender's province codes as they were when the cause was recorded.
CREATE TABLE case_causes (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    case_number TEXT NOT NULL,
    day TEXT NOT NULL,
    category TEXT NOT NULL,
    code TEXT NOT NULL,
    causes TEXT NOT NULL,
    organisation TEXT NOT NULL,
    region TEXT NOT NULL,
    origin TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX case_causes_day ON case_causes (day);

-- The improvement backlog (改进项): one document per item, version-checked.
CREATE TABLE improvements (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);

-- The cases each item names (the item's document is the truth; this is its index, rewritten
-- with every write of the item), for the closed loop and the case page.
CREATE TABLE improvement_cases (
    item_id TEXT NOT NULL REFERENCES improvements (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (item_id, case_id)
);
CREATE INDEX improvement_cases_case ON improvement_cases (case_id);

-- Every change of an item: who, when, what. Append-only.
CREATE TABLE improvement_history (
    item_id TEXT NOT NULL REFERENCES improvements (id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);
CREATE TRIGGER improvement_history_no_update BEFORE UPDATE ON improvement_history
BEGIN SELECT RAISE(ABORT, 'the improvement history is append-only'); END;
CREATE TRIGGER improvement_history_no_delete BEFORE DELETE ON improvement_history
BEGIN SELECT RAISE(ABORT, 'the improvement history is append-only'); END;
