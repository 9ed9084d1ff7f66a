-- Channels (issue #14): configured accounts (a mailbox), what came in through them, the mail
-- threads that tie a Message-ID to its case, and the replies on their way out.

-- `doc` is the account without secrets; `secrets` holds its passwords and is read only by the
-- node's workers; `status` is the reader's position and last result.
CREATE TABLE channel_accounts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    secrets TEXT NOT NULL,
    status TEXT NOT NULL
);

-- One row per message taken in, keyed by channel and its own id (Message-ID, MsgId): a second
-- copy is refused by the key. `raw` (base64) only for what could not be taken in.
CREATE TABLE inbound_messages (
    channel TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES channel_accounts (id),
    received_at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    case_id TEXT REFERENCES cases (id),
    doc TEXT NOT NULL,
    PRIMARY KEY (channel, dedupe_key)
);
CREATE INDEX inbound_messages_outcome ON inbound_messages (outcome, received_at);
CREATE INDEX inbound_messages_case ON inbound_messages (case_id, received_at);

-- Message-IDs of the mails on a case, ours and the customer's: a reply's In-Reply-To or
-- References finds its case here.
CREATE TABLE mail_threads (
    message_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    at INTEGER NOT NULL
);

-- Public replies on their way out: written with the reply's event, claimed by a node's worker
-- (`lease_until`), finished with the delivery event.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    state TEXT NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    doc TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_case ON deliveries (case_id);
