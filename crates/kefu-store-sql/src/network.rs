//! The statements of the network: organisations (a department with a profile) and the work
//! orders' read model, kept in step with the case projections that own the orders.

use jiff::Timestamp;
use kefu_desk::store::StoreResult;
use kefu_model::ids::{CaseId, DepartmentId};
use kefu_model::network::Organisation;
use kefu_model::work_order::{ListedOrder, OrderQuery, OrderStage, OrgFigures, WorkOrder};
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
     response_late, completion_late, escalation_level, doc) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
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
    ])
}

/// Writes the read-model rows of the case's orders that `ids` names (all of them when `None`:
/// an imported case), as the projection holds them.
pub(crate) async fn sync_work_orders(
    sql: &mut dyn Sql,
    case: &Case,
    ids: Option<&[&str]>,
) -> StoreResult<()> {
    for order in &case.work_orders {
        if ids.is_some_and(|ids| !ids.contains(&order.id.as_str())) {
            continue;
        }
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
    }
    Ok(())
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

/// Per organisation, the orders sent in `[from, to)`: one pass over the `sent_at` index.
pub(crate) async fn order_figures(
    sql: &mut dyn Sql,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<OrgFigures>> {
    let rows = sql
        .fetch(
            "SELECT organisation_id, COUNT(*), \
             CAST(SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN responded_at IS NOT NULL AND responded_at <= response_due_at THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN state IN ('completed', 'refused') THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN state IN ('completed', 'refused') AND closed_at <= completion_due_at THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN state = 'refused' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN kind = 'complaint' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN regulator IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN state = 'completed' THEN closed_at - sent_at ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM work_orders WHERE sent_at >= $1 AND sent_at < $2 \
             GROUP BY organisation_id ORDER BY organisation_id",
            &[to_millis(from).into(), to_millis(to).into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(OrgFigures {
                organisation: DepartmentId::from_stored(r.text(0)?.to_string()),
                orders: r.int(1)?,
                responded: r.int(2)?,
                responded_on_time: r.int(3)?,
                closed: r.int(4)?,
                closed_on_time: r.int(5)?,
                refused: r.int(6)?,
                complaints: r.int(7)?,
                regulator_complaints: r.int(8)?,
                completion_millis: r.int(9)?,
                completed: r.int(10)?,
            })
        })
        .collect()
}
