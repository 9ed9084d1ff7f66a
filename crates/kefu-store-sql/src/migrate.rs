use kefu_model::StoreError;

use crate::conn::{Dialect, Sql};

/// One schema step; `version` increases and is never reused.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Applies the migrations not yet recorded, each in its own transaction. The caller makes sure
/// only one node migrates at a time (SQLite: one file; PostgreSQL: an advisory lock).
pub async fn migrate(sql: &mut dyn Sql, migrations: &[Migration]) -> Result<u32, StoreError> {
    sql.execute_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
    )
    .await?;
    let applied: Vec<i64> = sql
        .fetch(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let begin = match sql.dialect() {
        Dialect::Sqlite => "BEGIN IMMEDIATE",
        Dialect::Postgres => "BEGIN",
    };
    let mut count = 0;
    for m in migrations.iter().filter(|m| !applied.contains(&m.version)) {
        sql.execute_script(begin).await?;
        let step = async {
            sql.execute_script(m.sql).await?;
            sql.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[m.version.into(), m.name.into()],
            )
            .await?;
            Ok::<_, StoreError>(())
        }
        .await;
        match step {
            Ok(()) => sql.execute_script("COMMIT").await?,
            Err(e) => {
                let _ = sql.execute_script("ROLLBACK").await;
                return Err(StoreError::Backend(format!(
                    "migration {} ({}) failed: {e}",
                    m.version, m.name
                )));
            }
        }
        count += 1;
    }
    Ok(count)
}

/// The schema steps, the same list for every backend; each backend crate keeps its own SQL in
/// `migrations/` next to its `Cargo.toml` (same file names, dialect-specific text). Expands in
/// the backend crate, so `CARGO_MANIFEST_DIR` names that crate's directory.
#[macro_export]
macro_rules! migrations {
    () => {
        $crate::migrations!(
            1 "case_desk" "0001_case_desk.sql",
            2 "calendars" "0002_calendars.sql",
            3 "sla" "0003_sla.sql",
            4 "notifications" "0004_notifications.sql",
            5 "parcels" "0005_parcels.sql",
            6 "case_figures" "0006_case_figures.sql",
            7 "audit" "0007_audit.sql",
            8 "console_lookups" "0008_console_lookups.sql",
            9 "chat" "0009_chat.sql",
            10 "canned" "0010_canned.sql",
            11 "search_outbox" "0011_search_outbox.sql",
            12 "knowledge" "0012_knowledge.sql",
            13 "history" "0013_history.sql",
            14 "customer_edits" "0014_customer_edits.sql",
            15 "channels" "0015_channels.sql",
            16 "calls" "0016_calls.sql",
            17 "media_fetches" "0017_media_fetches.sql",
            19 "network" "0019_network.sql",
            20 "assessment" "0020_assessment.sql",
            21 "surveys" "0021_surveys.sql",
            22 "staffing" "0022_staffing.sql",
            23 "kpis" "0023_kpis.sql",
            24 "quality" "0024_quality.sql",
            25 "causes" "0025_causes.sql",
            26 "kpi_satisfaction" "0026_kpi_satisfaction.sql",
            27 "report_schedules" "0027_report_schedules.sql",
            28 "kpi_open_keys" "0028_kpi_open_keys.sql",
            29 "key_accounts" "0029_key_accounts.sql",

        )
    };
    ($($version:literal $name:literal $file:literal),+ $(,)?) => {
        &[$($crate::Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $file)),
        }),+]
    };
}
