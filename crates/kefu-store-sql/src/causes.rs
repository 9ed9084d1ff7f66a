//! The statements of root causes and the improvement backlog: the cause read model's row of a
//! case (written with the case's events), the Pareto's rows, the closed loop's complaints, and
//! the backlog's items with their links and history.

use kefu_desk::store::StoreResult;
use kefu_model::causes::{CauseQuery, CauseRow, LoopRow};
use kefu_model::codes::{Category, Priority, Status};
use kefu_model::ids::{CaseId, DepartmentId};
use kefu_model::improvement::{Improvement, ImprovementEntry};
use kefu_model::{Case, StoreError, from_millis, to_millis};

use crate::conn::{Row, Sql, SqlErrorKind, Value, fetch_optional};
use crate::ops::{docs, from_json, to_json};

/// The cause row of a case, written with every append to a case with a recorded cause (its
/// number and category follow the case; the rest is the record's).
pub(crate) async fn sync_causes(sql: &mut dyn Sql, case: &Case) -> StoreResult<()> {
    let Some(row) = case.cause_row() else {
        return Ok(());
    };
    sql.execute(
        "INSERT INTO case_causes (case_id, case_number, day, category, code, causes, organisation, \
         region, origin, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (case_id) DO UPDATE SET case_number = excluded.case_number, day = excluded.day, \
         category = excluded.category, code = excluded.code, causes = excluded.causes, \
         organisation = excluded.organisation, region = excluded.region, origin = excluded.origin, \
         recorded_at = excluded.recorded_at",
        &[
            row.case_id.to_string().into(),
            row.case_number.clone().into(),
            row.day.to_string().into(),
            row.category.as_str().into(),
            row.code.clone().unwrap_or_default().into(),
            row.causes.join(" ").into(),
            row.organisation
                .as_ref()
                .map(|o| o.to_string())
                .unwrap_or_default()
                .into(),
            row.region.clone().into(),
            row.origin.clone().into(),
            to_millis(row.recorded_at).into(),
        ],
    )
    .await?;
    Ok(())
}

const CAUSE_COLUMNS: &str =
    "case_id, case_number, day, category, code, causes, organisation, region, origin, recorded_at";

fn cause_row(r: &Row) -> StoreResult<CauseRow> {
    let bad = |what: &str, v: &str| StoreError::Backend(format!("case_causes.{what}: {v}"));
    let day = r.text(2)?;
    let category = r.text(3)?;
    let non_empty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    Ok(CauseRow {
        case_id: CaseId::from_stored(r.text(0)?.to_string()),
        case_number: r.text(1)?.to_string(),
        day: day.parse().map_err(|_| bad("day", day))?,
        category: Category::parse(category).ok_or_else(|| bad("category", category))?,
        code: non_empty(r.text(4)?),
        causes: r
            .text(5)?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        organisation: non_empty(r.text(6)?).map(DepartmentId::from_stored),
        region: r.text(7)?.to_string(),
        origin: r.text(8)?.to_string(),
        recorded_at: from_millis(r.int(9)?),
    })
}

/// The cause rows of the query's days and filters, by day then case number (the SQL twin of
/// `CauseQuery::admits`).
pub(crate) async fn cause_rows(
    sql: &mut dyn Sql,
    query: &CauseQuery,
    limit: u32,
) -> StoreResult<Vec<CauseRow>> {
    let mut args: Vec<Value> = vec![query.from.to_string().into(), query.to.to_string().into()];
    let mut filter = String::new();
    let mut add = |column: &str, value: String, args: &mut Vec<Value>| {
        args.push(value.into());
        filter.push_str(&format!(" AND {column} = ${}", args.len()));
    };
    if let Some(c) = query.category {
        add("category", c.as_str().to_string(), &mut args);
    }
    if let Some(r) = &query.region {
        add("region", r.clone(), &mut args);
    }
    if let Some(o) = &query.organisation {
        add("organisation", o.to_string(), &mut args);
    }
    if let Some(route) = &query.route {
        // A route is `origin-destination`; one without both parts matches nothing.
        let (origin, destination) = route.split_once('-').unwrap_or(("", ""));
        let (origin, destination) = match origin.is_empty() || destination.is_empty() {
            true => ("\u{1}", "\u{1}"),
            false => (origin, destination),
        };
        add("origin", origin.to_string(), &mut args);
        add("region", destination.to_string(), &mut args);
    }
    let limit = limit.clamp(1, 100_000);
    let rows = sql
        .fetch(
            &format!(
                "SELECT {CAUSE_COLUMNS} FROM case_causes WHERE day >= $1 AND day < $2{filter} \
                 ORDER BY day, case_number LIMIT {limit}"
            ),
            &args,
        )
        .await?;
    rows.iter().map(cause_row).collect()
}

/// The complaints received on the days `[from, to)` (by the key figures' rows: the day in the
/// desk's zone, the region), with their status and priority, whether a clock breached, their
/// recorded cause's organisation, and whether an item names them and one of those is done.
pub(crate) async fn complaint_rows(
    sql: &mut dyn Sql,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> StoreResult<Vec<LoopRow>> {
    let rows = sql
        .fetch(
            "SELECT k.case_id, c.number, k.received_on, c.status, c.priority, k.region, \
             k.resolved, k.sla_settled, k.sla_met, r.organisation, \
             CAST(CASE WHEN r.case_id IS NULL THEN 0 ELSE 1 END AS BIGINT), \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM improvement_cases l WHERE l.case_id = k.case_id) \
             THEN 1 ELSE 0 END AS BIGINT), \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM improvement_cases l JOIN improvements i ON i.id = l.item_id \
             WHERE l.case_id = k.case_id AND i.status = 'done') THEN 1 ELSE 0 END AS BIGINT) \
             FROM case_kpis k JOIN cases c ON c.id = k.case_id \
             LEFT JOIN case_causes r ON r.case_id = k.case_id \
             WHERE k.category = 'complaint' AND k.received_on >= $1 AND k.received_on < $2 \
             ORDER BY k.received_on, c.number",
            &[from.to_string().into(), to.to_string().into()],
        )
        .await?;
    let bad = |what: &str, v: &str| StoreError::Backend(format!("closed loop {what}: {v}"));
    rows.iter()
        .map(|r| {
            let day = r.text(2)?;
            let status = r.text(3)?;
            let priority = r.text(4)?;
            Ok(LoopRow {
                case_id: CaseId::from_stored(r.text(0)?.to_string()),
                case_number: r.text(1)?.to_string(),
                received_on: day.parse().map_err(|_| bad("day", day))?,
                status: Status::parse(status).ok_or_else(|| bad("status", status))?,
                priority: Priority::parse(priority).ok_or_else(|| bad("priority", priority))?,
                region: r.text(5)?.to_string(),
                resolved: r.int(6)? != 0,
                breached: r.int(7)? != 0 && r.int(8)? == 0,
                organisation: r
                    .opt_text(9)?
                    .filter(|s| !s.is_empty())
                    .map(|s| DepartmentId::from_stored(s.to_string())),
                cause_recorded: r.int(10)? != 0,
                linked: r.int(11)? != 0,
                improved: r.int(12)? != 0,
            })
        })
        .collect()
}

/// Writes an item: new when `expected_version` is `None` (`Duplicate` if its id exists),
/// else over that version (`VersionConflict` otherwise); its case links rewritten and its
/// history entries appended, in one transaction.
pub(crate) async fn put_improvement(
    sql: &mut dyn Sql,
    item: &Improvement,
    expected_version: Option<i64>,
    entries: &[ImprovementEntry],
) -> StoreResult<()> {
    let doc = to_json(item)?;
    match expected_version {
        None => {
            sql.execute(
                "INSERT INTO improvements (id, status, version, created_at, updated_at, doc) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    item.id.clone().into(),
                    item.status.as_str().into(),
                    item.version.into(),
                    to_millis(item.created_at).into(),
                    to_millis(item.updated_at).into(),
                    doc.into(),
                ],
            )
            .await
            .map_err(|e| match e.kind {
                SqlErrorKind::Unique => StoreError::Duplicate(format!("improvement {}", item.id)),
                _ => e.into(),
            })?;
        }
        Some(version) => {
            let changed = sql
                .execute(
                    "UPDATE improvements SET status = $2, version = $3, updated_at = $4, doc = $5 \
                     WHERE id = $1 AND version = $6",
                    &[
                        item.id.clone().into(),
                        item.status.as_str().into(),
                        item.version.into(),
                        to_millis(item.updated_at).into(),
                        doc.into(),
                        version.into(),
                    ],
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
            sql.execute(
                "DELETE FROM improvement_cases WHERE item_id = $1",
                &[item.id.clone().into()],
            )
            .await?;
        }
    }
    for case in &item.cases {
        sql.execute(
            "INSERT INTO improvement_cases (item_id, case_id) VALUES ($1, $2)",
            &[item.id.clone().into(), case.case_id.to_string().into()],
        )
        .await
        .map_err(|e| match e.kind {
            SqlErrorKind::ForeignKey => StoreError::NotFound(format!("case {}", case.number)),
            _ => e.into(),
        })?;
    }
    for entry in entries {
        sql.execute(
            "INSERT INTO improvement_history (item_id, seq, at, actor, what, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                entry.item_id.clone().into(),
                entry.seq.into(),
                to_millis(entry.at).into(),
                entry.by.clone().into(),
                entry.what.clone().into(),
                entry.detail.clone().into(),
            ],
        )
        .await
        .map_err(|e| match e.kind {
            SqlErrorKind::Unique => StoreError::VersionConflict,
            _ => e.into(),
        })?;
    }
    Ok(())
}

/// Every item, most recently changed first.
pub(crate) async fn improvements(sql: &mut dyn Sql) -> StoreResult<Vec<Improvement>> {
    docs(
        &sql.fetch(
            "SELECT doc FROM improvements ORDER BY updated_at DESC, id DESC",
            &[],
        )
        .await?,
    )
}

pub(crate) async fn improvement(sql: &mut dyn Sql, id: &str) -> StoreResult<Option<Improvement>> {
    fetch_optional(
        sql,
        "SELECT doc FROM improvements WHERE id = $1",
        &[id.into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

/// The items that name a case, most recently changed first.
pub(crate) async fn improvements_of_case(
    sql: &mut dyn Sql,
    case_id: &CaseId,
) -> StoreResult<Vec<Improvement>> {
    docs(
        &sql.fetch(
            "SELECT i.doc FROM improvements i JOIN improvement_cases l ON l.item_id = i.id \
             WHERE l.case_id = $1 ORDER BY i.updated_at DESC, i.id DESC",
            &[case_id.to_string().into()],
        )
        .await?,
    )
}

/// An item's history, oldest first.
pub(crate) async fn improvement_history(
    sql: &mut dyn Sql,
    id: &str,
) -> StoreResult<Vec<ImprovementEntry>> {
    sql.fetch(
        "SELECT item_id, seq, at, actor, what, detail FROM improvement_history WHERE item_id = $1 \
         ORDER BY seq",
        &[id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ImprovementEntry {
            item_id: r.text(0)?.to_string(),
            seq: r.int(1)?,
            at: from_millis(r.int(2)?),
            by: r.text(3)?.to_string(),
            what: r.text(4)?.to_string(),
            detail: r.text(5)?.to_string(),
        })
    })
    .collect()
}

/// Items with their history for a dump, by id after `after`.
pub(crate) async fn export_improvements(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<kefu_model::improvement::ImprovementRecord>> {
    let items: Vec<Improvement> = docs(
        &sql.fetch(
            &format!("SELECT doc FROM improvements WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?,
    )?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let history = improvement_history(sql, &item.id).await?;
        out.push(kefu_model::improvement::ImprovementRecord { item, history });
    }
    Ok(out)
}
