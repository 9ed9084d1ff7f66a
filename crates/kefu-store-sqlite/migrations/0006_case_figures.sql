-- Columns for the supervisor's figures, kept from the projection like the other filter columns,
-- so reports read a few integers per case instead of whole documents.
ALTER TABLE cases ADD COLUMN first_response_at INTEGER;
ALTER TABLE cases ADD COLUMN resolved_at INTEGER;
ALTER TABLE cases ADD COLUMN breached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET
    first_response_at = CAST(ROUND((julianday(json_extract(doc, '$.first_response_at')) - 2440587.5) * 86400000) AS INTEGER),
    resolved_at = CAST(ROUND((julianday(json_extract(doc, '$.resolved_at')) - 2440587.5) * 86400000) AS INTEGER),
    breached = EXISTS (SELECT 1 FROM json_each(doc, '$.sla') WHERE json_extract(value, '$.state') = 'breached'),
    escalation_level = COALESCE(json_extract(doc, '$.escalation_level'), 0);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_resolved ON cases (resolved_at);
