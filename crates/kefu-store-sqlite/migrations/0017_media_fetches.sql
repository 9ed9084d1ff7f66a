-- Pictures and voice messages a customer sent by WeChat, to download before WeChat forgets
-- them (3 days): one row per media file, written with its case message, claimed by one node at
-- a time (`lease_until`) like a delivery. `doc` holds the whole record (attempts, last error,
-- the attachment it became).
CREATE TABLE media_fetches (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    account_id TEXT NOT NULL,
    media_id TEXT NOT NULL,
    state TEXT NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    doc TEXT NOT NULL
);
CREATE INDEX media_fetches_due ON media_fetches (state, next_attempt_at);
CREATE INDEX media_fetches_case ON media_fetches (case_id);
