-- The telephone channel (issue #14): one row per call a PBX reported, keyed by its account and
-- the PBX's call id. The columns are what the figures and the console read; `doc` holds the
-- whole record with the event bodies accepted so far (the call's state, replayed).
CREATE TABLE calls (
    account_id TEXT NOT NULL REFERENCES channel_accounts (id),
    call_id TEXT NOT NULL,
    case_id TEXT REFERENCES cases (id),
    queue TEXT NOT NULL,
    agent TEXT,
    caller TEXT NOT NULL,
    phase TEXT NOT NULL,
    offered_at INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at INTEGER,
    outcome TEXT,
    wait_seconds INTEGER,
    recording_url TEXT,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, call_id)
);
CREATE INDEX calls_offered ON calls (offered_at);
CREATE INDEX calls_case ON calls (case_id);
