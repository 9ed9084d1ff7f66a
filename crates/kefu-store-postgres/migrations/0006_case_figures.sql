-- Columns for the supervisor's figures, kept from the projection like the other filter columns,
-- so reports read a few integers per case instead of whole documents.
ALTER TABLE cases
    ADD COLUMN first_response_at BIGINT,
    ADD COLUMN resolved_at BIGINT,
    ADD COLUMN breached BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN escalation_level BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET
    first_response_at = (EXTRACT(EPOCH FROM (doc::jsonb ->> 'first_response_at')::timestamptz) * 1000)::bigint,
    resolved_at = (EXTRACT(EPOCH FROM (doc::jsonb ->> 'resolved_at')::timestamptz) * 1000)::bigint,
    breached = CASE WHEN jsonb_path_exists(doc::jsonb, '$.sla[*] ? (@.state == "breached")') THEN 1 ELSE 0 END,
    escalation_level = COALESCE((doc::jsonb ->> 'escalation_level')::bigint, 0);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_resolved ON cases (resolved_at);
