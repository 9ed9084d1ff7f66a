//! The statements of scheduled reports: a schedule per row (its document, its owner, whether it
//! is active and when it is due), claimed by leasing like deliveries.

use jiff::Timestamp;
use kefu_desk::store::StoreResult;
use kefu_model::ids::{ReportScheduleId, UserId};
use kefu_model::report_schedule::ReportSchedule;
use kefu_model::to_millis;

use crate::conn::Sql;
use crate::ops::{docs, to_json};

fn state(s: &ReportSchedule) -> &'static str {
    if s.active { "active" } else { "paused" }
}

/// Creates or replaces a schedule; a write ends any lease on it.
pub(crate) async fn put(sql: &mut dyn Sql, s: &ReportSchedule) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO report_schedules (id, owner, state, next_attempt_at, lease_until, doc) \
         VALUES ($1, $2, $3, $4, NULL, $5) \
         ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, state = excluded.state, \
         next_attempt_at = excluded.next_attempt_at, lease_until = NULL, doc = excluded.doc",
        &[
            s.id.to_string().into(),
            s.owner.to_string().into(),
            state(s).into(),
            to_millis(s.next_run_at).into(),
            to_json(s)?.into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete(sql: &mut dyn Sql, id: &ReportScheduleId) -> StoreResult<u64> {
    Ok(sql
        .execute(
            "DELETE FROM report_schedules WHERE id = $1",
            &[id.to_string().into()],
        )
        .await?)
}

/// Every schedule, or one owner's, oldest first.
pub(crate) async fn list(
    sql: &mut dyn Sql,
    owner: Option<&UserId>,
) -> StoreResult<Vec<ReportSchedule>> {
    let rows = match owner {
        Some(owner) => {
            sql.fetch(
                "SELECT doc FROM report_schedules WHERE owner = $1 ORDER BY id",
                &[owner.to_string().into()],
            )
            .await?
        }
        None => {
            sql.fetch("SELECT doc FROM report_schedules ORDER BY id", &[])
                .await?
        }
    };
    docs(&rows)
}

pub(crate) async fn get(
    sql: &mut dyn Sql,
    id: &ReportScheduleId,
) -> StoreResult<Option<ReportSchedule>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM report_schedules WHERE id = $1",
            &[id.to_string().into()],
        )
        .await?;
    Ok(docs(&rows)?.into_iter().next())
}

/// Active schedules due at `now`, leased until `lease_until`.
pub(crate) async fn claim(
    sql: &mut dyn Sql,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<ReportSchedule>> {
    crate::channels::claim_leased(sql, "report_schedules", "active", now, lease_until, limit).await
}

/// Schedules after `after` (an id), for an export.
pub(crate) async fn export(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<ReportSchedule>> {
    let rows = sql
        .fetch(
            &format!("SELECT doc FROM report_schedules WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?;
    docs(&rows)
}
