-- The telephone channel (issue #14): one row per call a PBX reported, keyed by its account and
-- the PBX's call id. The columns are what the figures and the console read; `doc` holds the
-- whole record with the event bodies accepted so far (the call's state, replayed).
CREATE TABLE calls (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES channel_accounts (id),
    call_id TEXT COLLATE "C" NOT NULL,
    case_id TEXT COLLATE "C" REFERENCES cases (id),
    queue TEXT COLLATE "C" NOT NULL,
    agent TEXT COLLATE "C",
    caller TEXT COLLATE "C" NOT NULL,
    phase TEXT COLLATE "C" NOT NULL,
    offered_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    outcome TEXT COLLATE "C",
    wait_seconds BIGINT,
    recording_url TEXT,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, call_id)
);
CREATE INDEX calls_offered ON calls (offered_at);
CREATE INDEX calls_case ON calls (case_id);
