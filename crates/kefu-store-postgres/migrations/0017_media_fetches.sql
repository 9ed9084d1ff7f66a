-- Pictures and voice messages a customer sent by WeChat, to download before WeChat forgets
-- them (3 days): one row per media file, written with its case message, claimed by one node at
-- a time (`lease_until`) like a delivery. `doc` holds the whole record (attempts, last error,
-- the attachment it became).
CREATE TABLE media_fetches (
    id TEXT COLLATE "C" PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    account_id TEXT COLLATE "C" NOT NULL,
    media_id TEXT COLLATE "C" NOT NULL,
    state TEXT COLLATE "C" NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX media_fetches_due ON media_fetches (state, next_attempt_at);
CREATE INDEX media_fetches_case ON media_fetches (case_id);
