-- Live chat: the customer's side of a chat case (the token that proves it, read marks) and
-- the images sent in chats. The messages themselves are case events.
CREATE TABLE chat_conversations (
    case_id TEXT COLLATE "C" PRIMARY KEY REFERENCES cases (id),
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    visitor_id TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    customer_read_seq BIGINT NOT NULL DEFAULT 0,
    staff_read_seq BIGINT NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX chat_conversations_visitor ON chat_conversations (visitor_id);
CREATE TABLE attachments (
    id TEXT COLLATE "C" PRIMARY KEY,
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL,
    -- base64, so both databases store it as text
    data TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);
-- Who is at work: presence, capacity and skills per staff member (routing).
CREATE TABLE agent_presence (
    user_id TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
