-- Business calendars (service clocks), keyed by a short name such as `cn-office`.
CREATE TABLE calendars (
    key TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
