-- In-app notifications for staff: breaches, promise reminders, escalations.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    doc TEXT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);
