-- Console lookups: customers by part of their name, pickups by case and customer, transferred
-- cases by their department deadline. Each column is derived from the row's doc on write.
ALTER TABLE customers ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE customers SET name_key = lower(COALESCE(json_extract(doc, '$.name'), ''));

ALTER TABLE pickups ADD COLUMN case_id TEXT;
ALTER TABLE pickups ADD COLUMN customer_id TEXT;
UPDATE pickups SET case_id = json_extract(doc, '$.case_id'), customer_id = json_extract(doc, '$.customer_id');
CREATE INDEX pickups_case ON pickups (case_id, created_at);
CREATE INDEX pickups_customer ON pickups (customer_id, created_at);

-- Epoch milliseconds, like every timestamp column; only while the case is with a department.
ALTER TABLE cases ADD COLUMN department_due_at INTEGER;
UPDATE cases SET department_due_at =
    CAST(ROUND((julianday(json_extract(doc, '$.department_due_at')) - 2440587.5) * 86400000.0) AS INTEGER)
    WHERE department_id IS NOT NULL AND json_extract(doc, '$.department_due_at') IS NOT NULL;
CREATE INDEX cases_department_due ON cases (department_id, department_due_at);
