-- Quality inspection (质检, issue #16, R-MG-4). Rubrics keep every version (an edit is a new
-- version; an inspection names the version it was scored with). An inspection is one resolved
-- case chosen by a draw — at most one per case — with the agent and department the case had
-- then, its state, and its score in hundredths of a point on the local day it was scored, which
-- the figures group; the document holds the item scores and comments. Its history is
-- append-only: one row per version, written in the transaction that makes the version. The
-- case itself is never changed by an inspection.
CREATE TABLE quality_rubrics (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    status TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    department_id TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    scored_on TEXT,
    score_x100 INTEGER,
    passed INTEGER,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX inspections_status ON inspections (status, id);
CREATE INDEX inspections_agent ON inspections (agent_id, id);
CREATE INDEX inspections_inspector ON inspections (inspector_id, id);
CREATE INDEX inspections_scored_on ON inspections (scored_on);

CREATE TABLE inspection_history (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (inspection_id, seq)
);
CREATE TRIGGER inspection_history_no_update BEFORE UPDATE ON inspection_history
BEGIN SELECT RAISE(ABORT, 'the inspection history is append-only'); END;
CREATE TRIGGER inspection_history_no_delete BEFORE DELETE ON inspection_history
BEGIN SELECT RAISE(ABORT, 'the inspection history is append-only'); END;
