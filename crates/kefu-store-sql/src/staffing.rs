//! The statements of the staffing planner: arrivals counted per channel and half-hour in SQL,
//! promotion days, the planned schedule.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::store::StoreResult;
use kefu_model::codes::Channel;
use kefu_model::staffing::{ArrivalCount, PromotionDay, PromotionRecord, ScheduleDay};
use kefu_model::{StoreError, from_millis, to_millis};

use crate::conn::{Row, Sql, SqlErrorKind};
use crate::ops::{docs, from_json, to_json};

/// A half-hour in milliseconds: the counts are grouped by `time / SLOT_MS`, whole UTC
/// half-hours, which the desk turns into local ones.
const SLOT_MS: i64 = 1_800_000;

fn counts(rows: &[Row], channel: Option<Channel>) -> StoreResult<Vec<ArrivalCount>> {
    rows.iter()
        .map(|r| {
            let (channel, slot, count) = match channel {
                Some(c) => (c, r.int(0)?, r.int(1)?),
                None => {
                    let code = r.text(0)?;
                    let c = Channel::parse(code).ok_or_else(|| {
                        StoreError::Backend(format!("stored channel {code} unknown"))
                    })?;
                    (c, r.int(1)?, r.int(2)?)
                }
            };
            Ok(ArrivalCount {
                channel,
                start: from_millis(slot * SLOT_MS),
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Cases received in `[from, to)`, counted per channel and UTC half-hour (the
/// `cases_arrivals` index covers it).
pub(crate) async fn case_arrivals(
    sql: &mut dyn Sql,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<ArrivalCount>> {
    let rows = sql
        .fetch(
            "SELECT channel, received_at / 1800000, COUNT(*) FROM cases \
             WHERE received_at >= $1 AND received_at < $2 \
             GROUP BY channel, received_at / 1800000 ORDER BY 2, 1",
            &[to_millis(from).into(), to_millis(to).into()],
        )
        .await?;
    counts(&rows, None)
}

/// Calls offered in `[from, to)`, counted per UTC half-hour (`calls_offered` index).
pub(crate) async fn call_arrivals(
    sql: &mut dyn Sql,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<ArrivalCount>> {
    let rows = sql
        .fetch(
            "SELECT offered_at / 1800000, COUNT(*) FROM calls \
             WHERE offered_at >= $1 AND offered_at < $2 \
             GROUP BY offered_at / 1800000 ORDER BY 1",
            &[to_millis(from).into(), to_millis(to).into()],
        )
        .await?;
    counts(&rows, Some(Channel::Phone))
}

pub(crate) async fn promotion_days(sql: &mut dyn Sql) -> StoreResult<Vec<PromotionDay>> {
    let rows = sql
        .fetch("SELECT doc FROM staffing_promotions ORDER BY day", &[])
        .await?;
    docs(&rows)
}

/// A new promotion day (`Duplicate` when the day has one) or, with `replace`, the day's new
/// one (`NotFound` when it has none).
pub(crate) async fn put_promotion_day(
    sql: &mut dyn Sql,
    day: &PromotionDay,
    at: Timestamp,
    replace: bool,
) -> StoreResult<()> {
    let doc = to_json(day)?;
    let key = day.date.to_string();
    if replace {
        let changed = sql
            .execute(
                "UPDATE staffing_promotions SET updated_at = $2, doc = $3 WHERE day = $1",
                &[key.clone().into(), to_millis(at).into(), doc.into()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("promotion day {key}")));
        }
        return Ok(());
    }
    sql.execute(
        "INSERT INTO staffing_promotions (day, updated_at, doc) VALUES ($1, $2, $3)",
        &[key.clone().into(), to_millis(at).into(), doc.into()],
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::Unique => StoreError::Duplicate(format!("promotion day {key}")),
        _ => e.into(),
    })?;
    Ok(())
}

pub(crate) async fn delete_promotion_day(sql: &mut dyn Sql, day: Date) -> StoreResult<u64> {
    Ok(sql
        .execute(
            "DELETE FROM staffing_promotions WHERE day = $1",
            &[day.to_string().into()],
        )
        .await?)
}

/// The schedule's rows of the days `[from, to)`, by day then channel.
pub(crate) async fn schedule(
    sql: &mut dyn Sql,
    from: Date,
    to: Date,
) -> StoreResult<Vec<ScheduleDay>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM staffing_schedule WHERE day >= $1 AND day < $2 ORDER BY day, channel",
            &[from.to_string().into(), to.to_string().into()],
        )
        .await?;
    docs(&rows)
}

/// Sets each day and channel's planned agents (a row saved again is replaced).
pub(crate) async fn put_schedule(sql: &mut dyn Sql, days: &[ScheduleDay]) -> StoreResult<()> {
    for d in days {
        sql.execute(
            "INSERT INTO staffing_schedule (day, channel, updated_at, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (day, channel) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc",
            &[
                d.day.to_string().into(),
                d.channel.as_str().into(),
                to_millis(d.updated_at).into(),
                to_json(d)?.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Promotion days after the date `after`, with when each was last saved.
pub(crate) async fn export_promotions(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<PromotionRecord>> {
    sql.fetch(
        &format!(
            "SELECT doc, updated_at FROM staffing_promotions WHERE day > $1 ORDER BY day LIMIT {limit}"
        ),
        &[after.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(PromotionRecord {
            promotion: from_json(r.text(0)?)?,
            updated_at: from_millis(r.int(1)?),
        })
    })
    .collect()
}

/// A promotion day from a dump (the target has none: it is empty).
pub(crate) async fn import_promotion(
    sql: &mut dyn Sql,
    record: &PromotionRecord,
) -> StoreResult<()> {
    put_promotion_day(sql, &record.promotion, record.updated_at, false).await
}

/// Planned rows after `after` (`day/channel`, the dump's key), by day then channel.
pub(crate) async fn export_schedule(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<ScheduleDay>> {
    let (day, channel) = after.split_once('/').unwrap_or((after, ""));
    let rows = sql
        .fetch(
            &format!(
                "SELECT doc FROM staffing_schedule WHERE day > $1 OR (day = $1 AND channel > $2) \
                 ORDER BY day, channel LIMIT {limit}"
            ),
            &[day.into(), channel.into()],
        )
        .await?;
    docs(&rows)
}
