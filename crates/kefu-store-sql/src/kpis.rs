//! The statements of the key performance figures: each case's row (`case_kpis`) written from
//! its projection in the transaction that changes it, and the per-dimension daily sums
//! (`kpi_days`) moved by what the change did to the row, so a report reads days and a
//! drill-down reads the rows that make a figure up.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::store::StoreResult;
use kefu_model::ids::CaseId;
use kefu_model::kpi::{Ageing, CaseKpi, CaseTally, Dimension, KpiFigure};
use kefu_model::{StoreError, to_millis};

use crate::conn::{Sql, Value, fetch_optional};

/// The key columns of `case_kpis`, in [`Dimension::ALL`] order after `all` (which has none).
const KEY_COLUMNS: [&str; 6] = [
    "agent",
    "department",
    "channel",
    "category",
    "region",
    "grade",
];

fn key_column(dimension: Dimension) -> Option<&'static str> {
    match dimension {
        Dimension::All => None,
        Dimension::Agent => Some(KEY_COLUMNS[0]),
        Dimension::Department => Some(KEY_COLUMNS[1]),
        Dimension::Channel => Some(KEY_COLUMNS[2]),
        Dimension::Category => Some(KEY_COLUMNS[3]),
        Dimension::Region => Some(KEY_COLUMNS[4]),
        Dimension::Grade => Some(KEY_COLUMNS[5]),
    }
}

fn parse_day(text: &str) -> StoreResult<Date> {
    text.parse()
        .map_err(|e| StoreError::Backend(format!("a stored day '{text}': {e}")))
}

/// Adds `values` (in `columns` order) to the daily row of `table` named by `keys`; a new row
/// starts at the values. The one upsert behind every table of daily sums.
pub(crate) async fn add_to_daily_sums(
    sql: &mut dyn Sql,
    table: &str,
    keys: &[(&str, Value)],
    columns: &[&str],
    values: &[i64],
) -> StoreResult<()> {
    if values.iter().all(|v| *v == 0) {
        return Ok(());
    }
    let names: Vec<&str> = keys
        .iter()
        .map(|(n, _)| *n)
        .chain(columns.iter().copied())
        .collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let updates: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let conflict: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
    let statement = format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        names.join(", "),
        placeholders.join(", "),
        conflict.join(", "),
        updates.join(", ")
    );
    let mut args: Vec<Value> = keys.iter().map(|(_, v)| v.clone()).collect();
    args.extend(values.iter().map(|v| Value::from(*v)));
    sql.execute(&statement, &args).await?;
    Ok(())
}

/// `SUM(column)` for each column, as BIGINT on both backends.
pub(crate) fn sums_of(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stored row of a case, if it has one.
async fn stored_row(sql: &mut dyn Sql, case_id: &CaseId) -> StoreResult<Option<CaseKpi>> {
    let row = fetch_optional(
        sql,
        &format!(
            "SELECT received_at, received_on, {}, {} FROM case_kpis WHERE case_id = $1",
            KEY_COLUMNS.join(", "),
            CaseTally::COLUMNS.join(", ")
        ),
        &[case_id.to_string().into()],
    )
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let key = |i: usize| -> StoreResult<String> { Ok(r.text(2 + i)?.to_string()) };
    let mut values = Vec::with_capacity(CaseTally::COLUMNS.len());
    for i in 0..CaseTally::COLUMNS.len() {
        values.push(r.int(2 + KEY_COLUMNS.len() + i)?);
    }
    Ok(Some(CaseKpi {
        case_id: case_id.clone(),
        received_at: kefu_model::clock::from_millis(r.int(0)?),
        received_on: parse_day(r.text(1)?)?,
        agent: key(0)?,
        department: key(1)?,
        channel: key(2)?,
        category: key(3)?,
        region: key(4)?,
        grade: key(5)?,
        tally: CaseTally::from_values(&values),
    }))
}

/// The daily sums' changes of a write, by row (dimension, day, key), applied in that order.
type Moves = std::collections::BTreeMap<(&'static str, String, String), CaseTally>;

/// Writes cases' rows and moves the daily sums of every dimension by what changed: the
/// difference under an unchanged key, else out of the old key and into the new one. The sums'
/// rows are updated once each, in one global order, so two writers never wait on each other in
/// opposite orders (a deadlock on PostgreSQL).
/// Keys a write did not know (`KpiContext`'s `None`s) are kept from the stored row.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Keep {
    pub grade: bool,
    pub region: bool,
}

impl Keep {
    pub(crate) fn of(cx: &kefu_model::kpi::KpiContext) -> Keep {
        Keep {
            grade: cx.grade.is_none(),
            region: cx.region.is_none(),
        }
    }
}

pub(crate) async fn put_case_kpis(
    sql: &mut dyn Sql,
    rows: &[CaseKpi],
    keep: Keep,
) -> StoreResult<()> {
    let mut moves = Moves::new();
    let mut add = |dimension: Dimension, row: &CaseKpi, delta: CaseTally| {
        let sum = moves
            .entry((
                dimension.as_str(),
                row.received_on.to_string(),
                row.key(dimension).to_string(),
            ))
            .or_default();
        *sum = sum.plus(&delta);
    };
    for row in rows {
        let before = stored_row(sql, &row.case_id).await?;
        let mut row = row.clone();
        if let Some(old) = &before {
            if keep.grade {
                row.grade = old.grade.clone();
            }
            if keep.region {
                row.region = old.region.clone();
            }
        }
        let row = &row;
        if before.as_ref() == Some(row) {
            continue;
        }
        write_row(sql, row).await?;
        for dimension in Dimension::ALL.iter().copied() {
            match &before {
                Some(old)
                    if old.key(dimension) == row.key(dimension)
                        && old.received_on == row.received_on =>
                {
                    add(dimension, row, row.tally.minus(&old.tally));
                }
                Some(old) => {
                    add(dimension, old, CaseTally::default().minus(&old.tally));
                    add(dimension, row, row.tally);
                }
                None => add(dimension, row, row.tally),
            }
        }
    }
    for ((dimension, day, key), delta) in moves {
        add_to_daily_sums(
            sql,
            "kpi_days",
            &[
                ("dimension", dimension.into()),
                ("day", day.into()),
                ("key", key.into()),
            ],
            CaseTally::COLUMNS,
            &delta.values(),
        )
        .await?;
    }
    Ok(())
}

/// Inserts or replaces a case's row.
async fn write_row(sql: &mut dyn Sql, row: &CaseKpi) -> StoreResult<()> {
    let mut args: Vec<Value> = vec![
        row.case_id.to_string().into(),
        to_millis(row.received_at).into(),
        row.received_on.to_string().into(),
    ];
    args.extend(
        Dimension::ALL
            .iter()
            .skip(1)
            .map(|d| Value::from(row.key(*d).to_string())),
    );
    args.extend(row.tally.values().into_iter().map(Value::from));
    let names: Vec<&str> = ["case_id", "received_at", "received_on"]
        .into_iter()
        .chain(KEY_COLUMNS)
        .chain(CaseTally::COLUMNS.iter().copied())
        .collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let updates: Vec<String> = names[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    sql.execute(
        &format!(
            "INSERT INTO case_kpis ({}) VALUES ({}) ON CONFLICT (case_id) DO UPDATE SET {}",
            names.join(", "),
            placeholders.join(", "),
            updates.join(", ")
        ),
        &args,
    )
    .await?;
    Ok(())
}

/// Forgets every row and sum (before they are computed again from the cases).
pub(crate) async fn clear_kpis(sql: &mut dyn Sql) -> StoreResult<()> {
    sql.execute("DELETE FROM kpi_days", &[]).await?;
    sql.execute("DELETE FROM case_kpis", &[]).await?;
    Ok(())
}

/// Per key of `dimension` and day in `[from, to)`, the sums of the cases received that day.
pub(crate) async fn kpi_days(
    sql: &mut dyn Sql,
    dimension: Dimension,
    from: Date,
    to: Date,
) -> StoreResult<Vec<(String, Date, CaseTally)>> {
    let rows = sql
        .fetch(
            &format!(
                "SELECT key, day, {} FROM kpi_days WHERE dimension = $1 AND day >= $2 AND day < $3",
                CaseTally::COLUMNS.join(", ")
            ),
            &[
                dimension.as_str().into(),
                from.to_string().into(),
                to.to_string().into(),
            ],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut values = Vec::with_capacity(CaseTally::COLUMNS.len());
        for i in 0..CaseTally::COLUMNS.len() {
            values.push(r.int(2 + i)?);
        }
        let tally = CaseTally::from_values(&values);
        if tally.cases != 0 {
            out.push((r.text(0)?.to_string(), parse_day(r.text(1)?)?, tally));
        }
    }
    Ok(out)
}

/// The condition under which a row counts in `figure` (the rules of [`KpiFigure::counts`]).
fn figure_condition(figure: KpiFigure) -> &'static str {
    match figure {
        KpiFigure::Cases => "cases > 0",
        KpiFigure::Responded => "responded > 0",
        KpiFigure::Resolved => "resolved > 0",
        KpiFigure::SlaMet => "sla_met > 0",
        KpiFigure::SlaMissed => "sla_settled > 0 AND sla_met = 0",
        KpiFigure::Reopened => "reopened > 0",
        KpiFigure::Transferred => "transferred > 0",
        KpiFigure::DepartmentOverdue => "department_overdue > 0",
        KpiFigure::Complaints => "complaints > 0",
        KpiFigure::Escalated => "escalated > 0",
        KpiFigure::Open => "open > 0",
        KpiFigure::Rated => "rated > 0",
        KpiFigure::Satisfied => "satisfied > 0",
        KpiFigure::Poor => "poor > 0",
    }
}

/// The cases behind a figure: received on `[from, to)`, under `key` of `dimension`, counting
/// in `figure`; newest first, `limit` after the case `before` (a cursor).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn kpi_cases(
    sql: &mut dyn Sql,
    dimension: Dimension,
    key: &str,
    from: Date,
    to: Date,
    figure: KpiFigure,
    before: Option<&CaseId>,
    limit: u32,
) -> StoreResult<Vec<CaseId>> {
    let mut args: Vec<Value> = vec![from.to_string().into(), to.to_string().into()];
    let mut conditions = vec![
        "received_on >= $1".to_string(),
        "received_on < $2".to_string(),
        figure_condition(figure).to_string(),
    ];
    if let Some(column) = key_column(dimension) {
        args.push(key.to_string().into());
        conditions.push(format!("{column} = ${}", args.len()));
    }
    if let Some(before) = before {
        args.push(before.to_string().into());
        conditions.push(format!("case_id < ${}", args.len()));
    }
    let rows = sql
        .fetch(
            &format!(
                "SELECT case_id FROM case_kpis WHERE {} ORDER BY case_id DESC LIMIT {limit}",
                conditions.join(" AND ")
            ),
            &args,
        )
        .await?;
    rows.iter()
        .map(|r| Ok(CaseId::from_stored(r.text(0)?.to_string())))
        .collect()
}

/// The open cases per key of `dimension`, by age at `now`.
pub(crate) async fn open_ageing(
    sql: &mut dyn Sql,
    dimension: Dimension,
    now: Timestamp,
    recent_day: Date,
    recent_from: Timestamp,
) -> StoreResult<Vec<(String, Ageing)>> {
    // Days before `recent_day` are all over 7 days old: their open cases are the daily sums'
    // (a few rows per key and day), not a read of each open case.
    let older = sql
        .fetch(
            "SELECT key, CAST(SUM(open) AS BIGINT) FROM kpi_days \
             WHERE dimension = $1 AND day < $2 GROUP BY key",
            &[dimension.as_str().into(), recent_day.to_string().into()],
        )
        .await?;
    let mut by_key: std::collections::BTreeMap<String, Ageing> = std::collections::BTreeMap::new();
    for r in &older {
        let open = r.opt_int(1)?.unwrap_or(0);
        if open != 0 {
            by_key.entry(r.text(0)?.to_string()).or_default().over_7d += open;
        }
    }
    // The centre as a whole is one group with the empty key. A key is grouped as an
    // expression (`column || ''`), which no index serves: otherwise the planner reads every
    // row through the key's index to skip a sort, instead of the open rows through theirs
    // (1.6 s rather than milliseconds over a million cases).
    let (key, group) = match key_column(dimension) {
        Some(column) => (format!("{column} || ''"), " GROUP BY 1".to_string()),
        None => ("''".to_string(), String::new()),
    };
    let bound = |hours: i64| Value::from(to_millis(now) - hours * 3_600_000);
    let [a, b, c] = Ageing::BOUNDS_HOURS;
    let count = |condition: &str| {
        format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
    };
    let rows = sql
        .fetch(
            &format!(
                "SELECT {key}, {}, {}, {}, {} FROM case_kpis WHERE open > 0 AND received_at >= $4{group}",
                count("received_at > $1"),
                count("received_at <= $1 AND received_at > $2"),
                count("received_at <= $2 AND received_at > $3"),
                count("received_at <= $3"),
            ),
            &[
                bound(a),
                bound(b),
                bound(c),
                Value::from(to_millis(recent_from)),
            ],
        )
        .await?;
    for r in &rows {
        let a = by_key.entry(r.text(0)?.to_string()).or_default();
        a.under_1d += r.int(1)?;
        a.d1_to_3 += r.int(2)?;
        a.d3_to_7 += r.int(3)?;
        a.over_7d += r.int(4)?;
    }
    Ok(by_key.into_iter().filter(|(_, a)| a.total() != 0).collect())
}

/// The parcels outlets reported per day in `[from, to)`: the denominator of the centre's
/// complaints per 10,000 parcels (sorting centres' counts would count a parcel twice).
pub(crate) async fn outlet_parcels(
    sql: &mut dyn Sql,
    from: Date,
    to: Date,
) -> StoreResult<Vec<(Date, i64)>> {
    let rows = sql
        .fetch(
            "SELECT v.day, CAST(SUM(v.parcels) AS BIGINT) FROM organisation_volumes v \
             JOIN organisations o ON o.id = v.organisation_id \
             WHERE o.kind = 'outlet' AND v.day >= $1 AND v.day < $2 GROUP BY v.day",
            &[from.to_string().into(), to.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((parse_day(r.text(0)?)?, r.int(1)?)))
        .collect()
}
