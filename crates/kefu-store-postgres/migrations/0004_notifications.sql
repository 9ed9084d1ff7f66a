-- In-app notifications for staff: breaches, promise reminders, escalations.
CREATE TABLE notifications (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);
