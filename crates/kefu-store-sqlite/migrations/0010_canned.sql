-- Canned replies and macros: the template as a document, plus the columns a list filters on
-- (who may see it, whether it is a macro, archived or not, and the lower-cased text a search
-- while typing matches with LIKE).
CREATE TABLE canned_replies (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    department_id TEXT REFERENCES departments (id),
    is_macro INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX canned_replies_owner ON canned_replies (owner_id);
CREATE INDEX canned_replies_department ON canned_replies (department_id);
CREATE INDEX canned_replies_updated ON canned_replies (updated_at);
