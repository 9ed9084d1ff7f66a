-- Quality inspection (质检, issue #16, R-MG-4). Rubrics keep every version (an edit is a new
-- version; an inspection names the version it was scored with). An inspection is one resolved
-- case chosen by a draw — at most one per case — with the agent and department the case had
-- then, its state, and its score in hundredths of a point on the local day it was scored, which
-- the figures group; the document holds the item scores and comments. Its history is
-- append-only: one row per version, written in the transaction that makes the version. The
-- case itself is never changed by an inspection.
CREATE TABLE quality_rubrics (
    id TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE inspections (
    id TEXT COLLATE "C" PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES cases (id),
    status TEXT COLLATE "C" NOT NULL,
    agent_id TEXT COLLATE "C" NOT NULL,
    department_id TEXT COLLATE "C" NOT NULL,
    inspector_id TEXT COLLATE "C" NOT NULL,
    scored_on TEXT COLLATE "C",
    score_x100 BIGINT,
    passed BIGINT,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX inspections_status ON inspections (status, id);
CREATE INDEX inspections_agent ON inspections (agent_id, id);
CREATE INDEX inspections_inspector ON inspections (inspector_id, id);
CREATE INDEX inspections_scored_on ON inspections (scored_on);

CREATE TABLE inspection_history (
    inspection_id TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (inspection_id, seq)
);
CREATE TRIGGER inspection_history_append_only BEFORE UPDATE OR DELETE ON inspection_history
FOR EACH ROW EXECUTE FUNCTION kefu_append_only();
