-- Canned replies and macros: the template as a document, plus the columns a list filters on
-- (who may see it, whether it is a macro, archived or not, and the lower-cased text a search
-- while typing matches with LIKE).
CREATE TABLE canned_replies (
    id TEXT COLLATE "C" PRIMARY KEY,
    scope TEXT COLLATE "C" NOT NULL,
    owner_id TEXT COLLATE "C" REFERENCES users (id),
    department_id TEXT COLLATE "C" REFERENCES departments (id),
    is_macro BIGINT NOT NULL,
    archived BIGINT NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX canned_replies_owner ON canned_replies (owner_id);
CREATE INDEX canned_replies_department ON canned_replies (department_id);
CREATE INDEX canned_replies_updated ON canned_replies (updated_at);
