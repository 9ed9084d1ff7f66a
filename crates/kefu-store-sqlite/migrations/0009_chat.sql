-- Live chat: the customer's side of a chat case (the token that proves it, read marks) and
-- the images sent in chats. The messages themselves are case events.
CREATE TABLE chat_conversations (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    token_hash TEXT NOT NULL UNIQUE,
    visitor_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    customer_read_seq INTEGER NOT NULL DEFAULT 0,
    staff_read_seq INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX chat_conversations_visitor ON chat_conversations (visitor_id);
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL,
    -- base64, so both databases store it as text
    data TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);
-- Who is at work: presence, capacity and skills per staff member (routing).
CREATE TABLE agent_presence (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
