//! The statements of the network: organisations (a department with a profile) and the work
//! orders' read model, kept in step with the case projections that own the orders.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::store::StoreResult;
use kefu_model::export::ParcelVolume;
use kefu_model::ids::{CaseId, CustomerId, DepartmentId};
use kefu_model::network::Organisation;
use kefu_model::work_order::{
    DayVolume, ListedOrder, OrderFigure, OrderQuery, OrderStage, OrderTally, OrgFigures, WorkOrder,
};
use kefu_model::{Case, Department, StoreError, to_millis};

use crate::conn::{Sql, SqlErrorKind, Value, fetch_optional};
use crate::ops::{from_json, to_json};

/// A new organisation (its department first, same id) or the next version of one.
pub(crate) async fn put_organisation(
    sql: &mut dyn Sql,
    org: &Organisation,
    expected_version: Option<i64>,
) -> StoreResult<()> {
    let doc = to_json(org)?;
    match expected_version {
        None => {
            let department = Department {
                id: org.id.clone(),
                key: org.key.clone(),
                name: org.name.clone(),
                kind: org.kind.as_str().to_string(),
                created_at: org.created_at,
            };
            crate::ops::insert_department_row(sql, &department).await?;
            sql.execute(
                "INSERT INTO organisations (id, key, kind, version, doc) VALUES ($1, $2, $3, $4, $5)",
                &[
                    org.id.to_string().into(),
                    org.key.clone().into(),
                    org.kind.as_str().into(),
                    org.version.into(),
                    doc.into(),
                ],
            )
            .await
            .map_err(|e| match e.kind {
                SqlErrorKind::Unique => {
                    StoreError::Duplicate(format!("organisation {}", org.key))
                }
                _ => e.into(),
            })?;
        }
        Some(expected) => {
            let changed = sql
                .execute(
                    "UPDATE organisations SET kind = $2, version = $3, doc = $4 \
                     WHERE id = $1 AND version = $5",
                    &[
                        org.id.to_string().into(),
                        org.kind.as_str().into(),
                        org.version.into(),
                        doc.into(),
                        expected.into(),
                    ],
                )
                .await?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
            // The department's name follows the organisation's (transfers and lists show it).
            let department = Department {
                id: org.id.clone(),
                key: org.key.clone(),
                name: org.name.clone(),
                kind: org.kind.as_str().to_string(),
                created_at: org.created_at,
            };
            sql.execute(
                "UPDATE departments SET doc = $2 WHERE id = $1",
                &[org.id.to_string().into(), to_json(&department)?.into()],
            )
            .await?;
        }
    }
    Ok(())
}

pub(crate) async fn organisations(sql: &mut dyn Sql) -> StoreResult<Vec<Organisation>> {
    let rows = sql
        .fetch("SELECT doc FROM organisations ORDER BY kind DESC, key", &[])
        .await?;
    rows.iter().map(|r| from_json(r.text(0)?)).collect()
}

/// Organisations after `after` (an id), for an export.
pub(crate) async fn export_organisations(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<Organisation>> {
    let rows = sql
        .fetch(
            &format!("SELECT doc FROM organisations WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?;
    rows.iter().map(|r| from_json(r.text(0)?)).collect()
}

/// An imported organisation: its department came with the departments.
pub(crate) async fn import_organisation(sql: &mut dyn Sql, org: &Organisation) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO organisations (id, key, kind, version, doc) VALUES ($1, $2, $3, $4, $5)",
        &[
            org.id.to_string().into(),
            org.key.clone().into(),
            org.kind.as_str().into(),
            org.version.into(),
            to_json(org)?.into(),
        ],
    )
    .await?;
    Ok(())
}

const UPSERT_ORDER: &str = "INSERT INTO work_orders (id, case_id, number, organisation_id, kind, \
     state, regulator, sent_at, response_due_at, completion_due_at, responded_at, closed_at, \
     response_late, completion_late, escalation_level, doc, sent_on, repeat_of) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
     ON CONFLICT (id) DO UPDATE SET organisation_id = excluded.organisation_id, \
     state = excluded.state, response_due_at = excluded.response_due_at, \
     completion_due_at = excluded.completion_due_at, responded_at = excluded.responded_at, \
     closed_at = excluded.closed_at, response_late = excluded.response_late, \
     completion_late = excluded.completion_late, escalation_level = excluded.escalation_level, \
     doc = excluded.doc";

fn order_values(case_id: &CaseId, o: &WorkOrder) -> StoreResult<Vec<Value>> {
    Ok(vec![
        o.id.clone().into(),
        case_id.to_string().into(),
        o.number.clone().into(),
        o.organisation.to_string().into(),
        o.kind.as_str().into(),
        o.state.as_str().into(),
        o.regulator.map(|r| r.as_str().to_string()).into(),
        to_millis(o.sent_at).into(),
        to_millis(o.response_due_at).into(),
        to_millis(o.completion_due_at).into(),
        o.responded_at.map(to_millis).into(),
        o.closed_at.map(to_millis).into(),
        i64::from(o.is_late(OrderStage::Response)).into(),
        i64::from(o.is_late(OrderStage::Completion)).into(),
        i64::from(o.escalation_level).into(),
        to_json(o)?.into(),
        o.sent_on.to_string().into(),
        o.repeat_of.clone().into(),
    ])
}

/// Writes the read-model rows of the case's orders that `ids` names (all of them when `None`:
/// an imported case), as the projection holds them, and moves the assessment's daily sums by
/// what each order's change did to its figures.
pub(crate) async fn sync_work_orders(
    sql: &mut dyn Sql,
    case: &Case,
    ids: Option<&[&str]>,
) -> StoreResult<()> {
    for order in &case.work_orders {
        if ids.is_some_and(|ids| !ids.contains(&order.id.as_str())) {
            continue;
        }
        let before: Option<WorkOrder> = fetch_optional(
            sql,
            "SELECT doc FROM work_orders WHERE id = $1",
            &[order.id.clone().into()],
        )
        .await?
        .map(|r| from_json(r.text(0)?))
        .transpose()?;
        sql.execute(UPSERT_ORDER, &order_values(&case.id, order)?)
            .await
            .map_err(|e| match e.kind {
                SqlErrorKind::Unique => {
                    StoreError::Duplicate(format!("work order {}", order.number))
                }
                SqlErrorKind::ForeignKey => {
                    StoreError::NotFound(format!("organisation {}", order.organisation))
                }
                _ => e.into(),
            })?;
        let after = order.tally();
        match before {
            Some(old) if old.organisation == order.organisation && old.sent_on == order.sent_on => {
                add_to_day(
                    sql,
                    &order.organisation,
                    order.sent_on,
                    &after.minus(&old.tally()),
                )
                .await?;
            }
            Some(old) => {
                // Re-routed: the figures move to the new organisation.
                let gone = OrderTally::default().minus(&old.tally());
                add_to_day(sql, &old.organisation, old.sent_on, &gone).await?;
                add_to_day(sql, &order.organisation, order.sent_on, &after).await?;
            }
            None => add_to_day(sql, &order.organisation, order.sent_on, &after).await?,
        }
    }
    Ok(())
}

/// Adds `delta` to an organisation's sums for a day (a new day starts at the delta).
async fn add_to_day(
    sql: &mut dyn Sql,
    organisation: &DepartmentId,
    day: Date,
    delta: &OrderTally,
) -> StoreResult<()> {
    crate::kpis::add_to_daily_sums(
        sql,
        "work_order_days",
        &[
            ("organisation_id", organisation.to_string().into()),
            ("day", day.to_string().into()),
        ],
        OrderTally::COLUMNS,
        &delta.values(),
    )
    .await
}

/// The customer's latest complaint about an organisation sent at or after `since`.
pub(crate) async fn latest_complaint(
    sql: &mut dyn Sql,
    customer: &CustomerId,
    organisation: &DepartmentId,
    since: Timestamp,
) -> StoreResult<Option<String>> {
    fetch_optional(
        sql,
        "SELECT w.number FROM work_orders w JOIN cases c ON c.id = w.case_id \
         WHERE w.organisation_id = $1 AND w.kind = 'complaint' AND w.sent_at >= $2 \
         AND c.customer_id = $3 ORDER BY w.sent_at DESC, w.id DESC LIMIT 1",
        &[
            organisation.to_string().into(),
            to_millis(since).into(),
            customer.to_string().into(),
        ],
    )
    .await?
    .map(|r| Ok(r.text(0)?.to_string()))
    .transpose()
}

/// Sets the parcel counts of an organisation's days (a day reported again is replaced).
pub(crate) async fn put_parcel_volumes(
    sql: &mut dyn Sql,
    organisation: &DepartmentId,
    days: &[DayVolume],
) -> StoreResult<()> {
    for d in days {
        sql.execute(
            "INSERT INTO organisation_volumes (organisation_id, day, parcels) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id, day) DO UPDATE SET parcels = excluded.parcels",
            &[
                organisation.to_string().into(),
                d.day.to_string().into(),
                d.parcels.into(),
            ],
        )
        .await
        .map_err(|e| match e.kind {
            SqlErrorKind::ForeignKey => {
                StoreError::NotFound(format!("organisation {organisation}"))
            }
            _ => e.into(),
        })?;
    }
    Ok(())
}

/// Parcel counts after `after` (`organisation/day`), for an export.
pub(crate) async fn export_parcel_volumes(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<ParcelVolume>> {
    let rows = sql
        .fetch(
            &format!(
                "SELECT organisation_id, day, parcels FROM organisation_volumes \
                 WHERE organisation_id || '/' || day > $1 \
                 ORDER BY organisation_id || '/' || day LIMIT {limit}"
            ),
            &[after.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ParcelVolume {
                organisation: DepartmentId::from_stored(r.text(0)?.to_string()),
                day: parse_day(r.text(1)?)?,
                parcels: r.int(2)?,
            })
        })
        .collect()
}

fn parse_day(text: &str) -> StoreResult<Date> {
    text.parse()
        .map_err(|e| StoreError::Backend(format!("a stored day {text:?}: {e}")))
}

pub(crate) async fn work_orders(
    sql: &mut dyn Sql,
    q: &OrderQuery,
) -> StoreResult<Vec<ListedOrder>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let arg = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("${}", args.len())
    };
    if let Some(orgs) = &q.organisations {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = orgs
            .iter()
            .map(|o| arg(o.to_string().into(), &mut args))
            .collect();
        clauses.push(format!("organisation_id IN ({})", list.join(", ")));
    }
    if q.open_only {
        clauses.push("state IN ('sent', 'replied')".to_string());
    }
    if let Some(kind) = q.kind {
        let p = arg(kind.as_str().into(), &mut args);
        clauses.push(format!("kind = {p}"));
    }
    if let Some(from) = q.sent_from {
        let p = arg(to_millis(from).into(), &mut args);
        clauses.push(format!("sent_at >= {p}"));
    }
    if let Some(to) = q.sent_to {
        let p = arg(to_millis(to).into(), &mut args);
        clauses.push(format!("sent_at < {p}"));
    }
    if let Some(from) = q.sent_on_from {
        let p = arg(from.to_string().into(), &mut args);
        clauses.push(format!("sent_on >= {p}"));
    }
    if let Some(to) = q.sent_on_to {
        let p = arg(to.to_string().into(), &mut args);
        clauses.push(format!("sent_on < {p}"));
    }
    if let Some(figure) = q.figure {
        // The same rules as `WorkOrder::tally`, so a figure lists exactly the orders it counts.
        clauses.push(
            match figure {
                OrderFigure::Orders => "1 = 1",
                OrderFigure::ResponseLate => {
                    "(response_late = 1 OR responded_at > response_due_at)"
                }
                OrderFigure::CompletionLate => {
                    "(completion_late = 1 OR (state IN ('completed', 'refused') \
                     AND closed_at > completion_due_at))"
                }
                OrderFigure::Refused => "state = 'refused'",
                OrderFigure::Completed => "state = 'completed'",
                OrderFigure::Complaints => "kind = 'complaint'",
                OrderFigure::RepeatComplaints => "kind = 'complaint' AND repeat_of IS NOT NULL",
                OrderFigure::Regulator => "regulator IS NOT NULL",
            }
            .to_string(),
        );
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    // Open orders by their next deadline (a reply still owed first), closed ones newest first.
    let order = if q.open_only {
        "CASE WHEN responded_at IS NULL THEN response_due_at ELSE completion_due_at END, id"
    } else {
        "sent_at DESC, id"
    };
    let limit = q.limit.clamp(1, 1000);
    let rows = sql
        .fetch(
            &format!(
                "SELECT case_id, doc FROM work_orders {filter} ORDER BY {order} LIMIT {limit}"
            ),
            &args,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ListedOrder {
                case_id: CaseId::from_stored(r.text(0)?.to_string()),
                order: from_json(r.text(1)?)?,
            })
        })
        .collect()
}

pub(crate) async fn work_order(
    sql: &mut dyn Sql,
    id_or_number: &str,
) -> StoreResult<Option<ListedOrder>> {
    fetch_optional(
        sql,
        "SELECT case_id, doc FROM work_orders WHERE id = $1 OR number = $1",
        &[id_or_number.into()],
    )
    .await?
    .map(|r| {
        Ok(ListedOrder {
            case_id: CaseId::from_stored(r.text(0)?.to_string()),
            order: from_json(r.text(1)?)?,
        })
    })
    .transpose()
}

/// Per organisation, the orders sent on the days `[from, to)` and the parcels it handled then:
/// sums of the daily rows, never a pass over the orders.
pub(crate) async fn order_figures(
    sql: &mut dyn Sql,
    from: Date,
    to: Date,
) -> StoreResult<Vec<OrgFigures>> {
    let range: [Value; 2] = [from.to_string().into(), to.to_string().into()];
    let sums = crate::kpis::sums_of(OrderTally::COLUMNS);
    let rows = sql
        .fetch(
            &format!(
                "SELECT organisation_id, {} FROM work_order_days \
                 WHERE day >= $1 AND day < $2 GROUP BY organisation_id \
                 HAVING SUM(orders) > 0",
                sums
            ),
            &range,
        )
        .await?;
    let mut figures: Vec<OrgFigures> = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut values = Vec::with_capacity(OrderTally::COLUMNS.len());
        for i in 0..OrderTally::COLUMNS.len() {
            values.push(r.int(i + 1)?);
        }
        figures.push(OrgFigures {
            organisation: DepartmentId::from_stored(r.text(0)?.to_string()),
            tally: OrderTally::from_values(&values),
            parcels: None,
        });
    }
    let volumes = sql
        .fetch(
            "SELECT organisation_id, CAST(SUM(parcels) AS BIGINT) FROM organisation_volumes \
             WHERE day >= $1 AND day < $2 GROUP BY organisation_id",
            &range,
        )
        .await?;
    let mut at: HashMap<String, usize> = figures
        .iter()
        .enumerate()
        .map(|(i, f)| (f.organisation.to_string(), i))
        .collect();
    for r in &volumes {
        let id = r.text(0)?.to_string();
        let parcels = r.int(1)?;
        match at.get(&id) {
            Some(i) => figures[*i].parcels = Some(parcels),
            None => {
                // Parcels but no orders: a clean record is a figure too.
                at.insert(id.clone(), figures.len());
                figures.push(OrgFigures {
                    organisation: DepartmentId::from_stored(id),
                    tally: OrderTally::default(),
                    parcels: Some(parcels),
                });
            }
        }
    }
    figures.sort_by(|a, b| a.organisation.cmp(&b.organisation));
    Ok(figures)
}
