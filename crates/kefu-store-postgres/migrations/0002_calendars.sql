-- Business calendars (service clocks), keyed by a short name such as `cn-office`.
CREATE TABLE calendars (
    key TEXT COLLATE "C" PRIMARY KEY,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
