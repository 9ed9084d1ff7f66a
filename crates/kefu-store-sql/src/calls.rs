//! The statements of the telephone channel's calls table.

use jiff::Timestamp;
use kefu_desk::store::{CallWrite, StoreResult};
use kefu_model::ids::CaseId;
use kefu_model::pbx_account::CallRecord;
use kefu_model::{StoreError, to_millis};

use crate::conn::{Sql, SqlErrorKind, Value, fetch_optional};
use crate::ops::{docs, from_json, to_json};

const INSERT_CALL: &str = "INSERT INTO calls \
     (account_id, call_id, case_id, queue, agent, caller, phase, offered_at, answered_at, \
      ended_at, outcome, wait_seconds, recording_url, version, doc) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

fn call_values(c: &CallRecord) -> StoreResult<[Value; 15]> {
    Ok([
        c.account_id.clone().into(),
        c.call_id.clone().into(),
        c.case_id.as_ref().map(|id| id.to_string()).into(),
        c.queue.clone().into(),
        c.agent.clone().into(),
        c.caller.clone().into(),
        c.phase.as_str().into(),
        to_millis(c.offered_at).into(),
        c.answered_at.map(to_millis).into(),
        c.ended_at.map(to_millis).into(),
        c.outcome.map(|o| o.as_str().to_string()).into(),
        c.wait_seconds.map(i64::from).into(),
        c.recording_url.clone().into(),
        c.version.into(),
        to_json(c)?.into(),
    ])
}

/// Writes a call's record: a new row, or the row still at the version read.
pub(crate) async fn put_call(sql: &mut dyn Sql, write: CallWrite<'_>) -> StoreResult<()> {
    let c = write.record;
    match write.expected_version {
        None => match sql.execute(INSERT_CALL, &call_values(c)?).await {
            Ok(_) => Ok(()),
            // Another node took in the call's first event meanwhile.
            Err(e) if e.kind == SqlErrorKind::Unique => Err(StoreError::VersionConflict),
            Err(e) => Err(e.into()),
        },
        Some(expected) => {
            let [
                _,
                _,
                case_id,
                _,
                agent,
                _,
                phase,
                _,
                answered,
                ended,
                outcome,
                wait,
                url,
                version,
                doc,
            ] = call_values(c)?;
            let changed = sql
                .execute(
                    "UPDATE calls SET case_id = $1, agent = $2, phase = $3, answered_at = $4, \
                     ended_at = $5, outcome = $6, wait_seconds = $7, recording_url = $8, \
                     version = $9, doc = $10 \
                     WHERE account_id = $11 AND call_id = $12 AND version = $13",
                    &[
                        case_id,
                        agent,
                        phase,
                        answered,
                        ended,
                        outcome,
                        wait,
                        url,
                        version,
                        doc,
                        c.account_id.clone().into(),
                        c.call_id.clone().into(),
                        expected.into(),
                    ],
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
            Ok(())
        }
    }
}

pub(crate) async fn call(
    sql: &mut dyn Sql,
    account_id: &str,
    call_id: &str,
) -> StoreResult<Option<CallRecord>> {
    fetch_optional(
        sql,
        "SELECT doc FROM calls WHERE account_id = $1 AND call_id = $2",
        &[account_id.into(), call_id.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn call_by_id(
    sql: &mut dyn Sql,
    call_id: &str,
) -> StoreResult<Option<CallRecord>> {
    fetch_optional(
        sql,
        "SELECT doc FROM calls WHERE call_id = $1 ORDER BY offered_at DESC, account_id LIMIT 1",
        &[call_id.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn calls_offered_between(
    sql: &mut dyn Sql,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> StoreResult<Vec<CallRecord>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM calls WHERE offered_at >= $1 AND offered_at < $2 \
             ORDER BY offered_at, account_id, call_id LIMIT $3",
            &[
                to_millis(from).into(),
                to_millis(to).into(),
                i64::from(limit.clamp(1, 100_000)).into(),
            ],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn calls_of_case(
    sql: &mut dyn Sql,
    case_id: &CaseId,
) -> StoreResult<Vec<CallRecord>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM calls WHERE case_id = $1 ORDER BY offered_at, call_id",
            &[case_id.to_string().into()],
        )
        .await?;
    docs(&rows)
}

/// Calls after `after` (`account_id/call_id`, as `ExportRecord::key` gives it).
pub(crate) async fn export_calls(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<CallRecord>> {
    let (account_id, call_id) = after.split_once('/').unwrap_or((after, ""));
    let rows = sql
        .fetch(
            &format!(
                "SELECT doc FROM calls \
                 WHERE account_id > $1 OR (account_id = $1 AND call_id > $2) \
                 ORDER BY account_id, call_id LIMIT {limit}"
            ),
            &[account_id.into(), call_id.into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn import_call(sql: &mut dyn Sql, c: &CallRecord) -> StoreResult<()> {
    sql.execute(INSERT_CALL, &call_values(c)?).await?;
    Ok(())
}
