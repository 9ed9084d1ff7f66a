-- Key accounts (issue #17, R-KA-1, R-KA-8, R-KA-9, R-KA-12): the contract customers of the
-- B2B customer-service department. One document per account (its contacts, customer file,
-- contracts and prices), written whole and version-checked; `code` is unique; `grade` is NULL
-- until the first grading; `search` is the lower-cased code, name and industry the list's `q`
-- filter matches.
CREATE TABLE key_accounts (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    grade INTEGER,
    search TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);

-- The assistants of each account (the document is the truth; this is its index, rewritten
-- with every write of the account), so an assistant's list is read by the database.
CREATE TABLE key_account_assistants (
    account_id TEXT NOT NULL REFERENCES key_accounts (id),
    user_id TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX key_account_assistants_user ON key_account_assistants (user_id);

-- Every quarter's grading of an account. Append-only: a re-grade is a new row that names the
-- one it supersedes; `seq` numbers an account's gradings in the order they were recorded.
CREATE TABLE key_account_gradings (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES key_accounts (id),
    seq INTEGER NOT NULL,
    quarter TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX key_account_gradings_seq ON key_account_gradings (account_id, seq);
CREATE INDEX key_account_gradings_quarter ON key_account_gradings (quarter);
CREATE TRIGGER key_account_gradings_no_update BEFORE UPDATE ON key_account_gradings
BEGIN SELECT RAISE(ABORT, 'the gradings are append-only'); END;
CREATE TRIGGER key_account_gradings_no_delete BEFORE DELETE ON key_account_gradings
BEGIN SELECT RAISE(ABORT, 'the gradings are append-only'); END;
