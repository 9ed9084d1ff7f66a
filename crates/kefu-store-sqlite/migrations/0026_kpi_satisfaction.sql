-- Satisfaction in the key figures (issue #16, R-CASE-8, R-MG-2): each case's row and the daily
-- sums count the survey answers, those satisfied and those poor, so the report's CSAT column is
-- read from the same days as every other figure. Rows written before this migration lack them:
-- the marker below makes the next node to start compute every case's row again (a node claims
-- it by clearing it; kefu-desk `Desk::rebuild_stale_figures`).

ALTER TABLE case_kpis ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_kpis ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_kpis ADD COLUMN poor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_days ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_days ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_days ADD COLUMN poor INTEGER NOT NULL DEFAULT 0;

INSERT INTO settings (key, updated_at, doc)
SELECT 'figures_stale', 0, '{"reason": "satisfaction added to the key figures"}'
WHERE EXISTS (SELECT 1 FROM case_kpis);
