//! The statements of quality inspection: rubric versions, the inspections with their
//! append-only history, the resolved cases a draw chooses from, and the figures summed in SQL.

use jiff::civil::Date;
use kefu_desk::store::StoreResult;
use kefu_model::ids::{CaseId, InspectionId};
use kefu_model::quality::{
    Candidate, Inspection, InspectionEntry, InspectionQuery, InspectionRecord, QualityDimension,
    QualityTally, Rubric,
};
use kefu_model::{StoreError, to_millis};

use crate::conn::{Sql, SqlErrorKind, Value, fetch_optional};
use crate::ops::{docs, from_json, to_json};

pub(crate) async fn rubric(
    sql: &mut dyn Sql,
    id: &str,
    version: Option<i64>,
) -> StoreResult<Option<Rubric>> {
    let row = match version {
        Some(v) => {
            fetch_optional(
                sql,
                "SELECT doc FROM quality_rubrics WHERE id = $1 AND version = $2",
                &[id.into(), v.into()],
            )
            .await?
        }
        None => {
            fetch_optional(
                sql,
                "SELECT doc FROM quality_rubrics WHERE id = $1 ORDER BY version DESC LIMIT 1",
                &[id.into()],
            )
            .await?
        }
    };
    row.map(|r| from_json(r.text(0)?)).transpose()
}

pub(crate) async fn rubrics(sql: &mut dyn Sql) -> StoreResult<Vec<Rubric>> {
    let rows = sql
        .fetch(
            "SELECT r.doc FROM quality_rubrics r WHERE r.version = \
             (SELECT MAX(o.version) FROM quality_rubrics o WHERE o.id = r.id) ORDER BY r.id",
            &[],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn rubric_versions(sql: &mut dyn Sql, id: &str) -> StoreResult<Vec<Rubric>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM quality_rubrics WHERE id = $1 ORDER BY version DESC",
            &[id.into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn put_rubric(sql: &mut dyn Sql, rubric: &Rubric) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO quality_rubrics (id, version, created_at, doc) VALUES ($1, $2, $3, $4)",
        &[
            rubric.id.as_str().into(),
            rubric.version.into(),
            to_millis(rubric.created_at).into(),
            to_json(rubric)?.into(),
        ],
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::Unique => {
            StoreError::Duplicate(format!("rubric {} version {}", rubric.id, rubric.version))
        }
        _ => e.into(),
    })?;
    Ok(())
}

/// Resolved cases received on `[from, to)`, from the key figures' rows, with the survey's
/// verdict.
pub(crate) async fn candidates(
    sql: &mut dyn Sql,
    from: Date,
    to: Date,
) -> StoreResult<Vec<Candidate>> {
    let rows = sql
        .fetch(
            "SELECT k.case_id, c.number, k.agent, k.department, k.complaints, \
             COALESCE(s.poor, 0), k.resolution_secs \
             FROM case_kpis k JOIN cases c ON c.id = k.case_id \
             LEFT JOIN surveys s ON s.case_id = k.case_id \
             WHERE k.received_on >= $1 AND k.received_on < $2 AND k.resolved > 0 \
             ORDER BY k.case_id",
            &[from.to_string().into(), to.to_string().into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                case_id: CaseId::from_stored(r.text(0)?.to_string()),
                case_number: r.text(1)?.to_string(),
                agent: r.text(2)?.to_string(),
                department: r.text(3)?.to_string(),
                complaint: r.int(4)? > 0,
                poor: r.int(5)? > 0,
                handling_secs: r.int(6)?,
            })
        })
        .collect()
}

fn opt_id<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

async fn append_entry(sql: &mut dyn Sql, entry: &InspectionEntry) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO inspection_history (inspection_id, seq, at, actor, action, doc) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            entry.inspection_id.as_str().into(),
            entry.seq.into(),
            to_millis(entry.at).into(),
            entry.actor.as_str().into(),
            entry.action.as_str().into(),
            to_json(entry)?.into(),
        ],
    )
    .await?;
    Ok(())
}

fn columns(i: &Inspection) -> StoreResult<Vec<Value>> {
    Ok(vec![
        i.id.as_str().into(),
        i.case_id.as_str().into(),
        i.status.as_str().into(),
        opt_id(&i.agent).into(),
        opt_id(&i.department).into(),
        opt_id(&i.inspector).into(),
        i.scored_on.map(|d| d.to_string()).into(),
        i.score_x100.into(),
        i.passed.map(i64::from).into(),
        to_millis(i.created_at).into(),
        i.version.into(),
        to_json(i)?.into(),
    ])
}

/// Inserts each drawn inspection whose case has none, with its first entry; the ids inserted.
pub(crate) async fn queue(
    sql: &mut dyn Sql,
    drawn: &[(Inspection, InspectionEntry)],
) -> StoreResult<Vec<String>> {
    let mut queued = Vec::new();
    for (inspection, entry) in drawn {
        let n = sql
            .execute(
                "INSERT INTO inspections (id, case_id, status, agent_id, department_id, \
                 inspector_id, scored_on, score_x100, passed, created_at, version, doc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (case_id) DO NOTHING",
                &columns(inspection)?,
            )
            .await?;
        if n > 0 {
            append_entry(sql, entry).await?;
            queued.push(inspection.id.to_string());
        }
    }
    Ok(queued)
}

/// Replaces an inspection at `expected_version` and appends the entry.
pub(crate) async fn put(
    sql: &mut dyn Sql,
    inspection: &Inspection,
    expected_version: i64,
    entry: &InspectionEntry,
) -> StoreResult<()> {
    let mut params = columns(inspection)?;
    params.push(expected_version.into());
    let n = sql
        .execute(
            "UPDATE inspections SET case_id = $2, status = $3, agent_id = $4, \
             department_id = $5, inspector_id = $6, scored_on = $7, score_x100 = $8, \
             passed = $9, created_at = $10, version = $11, doc = $12 \
             WHERE id = $1 AND version = $13",
            &params,
        )
        .await?;
    if n == 0 {
        return Err(StoreError::VersionConflict);
    }
    append_entry(sql, entry).await
}

pub(crate) async fn inspection(
    sql: &mut dyn Sql,
    id: &InspectionId,
) -> StoreResult<Option<Inspection>> {
    fetch_optional(
        sql,
        "SELECT doc FROM inspections WHERE id = $1",
        &[id.as_str().into()],
    )
    .await?
    .map(|r| from_json(r.text(0)?))
    .transpose()
}

pub(crate) async fn inspections(
    sql: &mut dyn Sql,
    query: &InspectionQuery,
) -> StoreResult<Vec<Inspection>> {
    let mut text = String::from("SELECT doc FROM inspections WHERE 1 = 1");
    let mut params: Vec<Value> = Vec::new();
    if let Some(status) = query.status {
        params.push(status.as_str().into());
        text.push_str(&format!(" AND status = ${}", params.len()));
    }
    if let Some(inspector) = &query.inspector {
        params.push(inspector.as_str().into());
        text.push_str(&format!(" AND inspector_id = ${}", params.len()));
    }
    if let Some(agent) = &query.agent {
        params.push(agent.as_str().into());
        text.push_str(&format!(" AND agent_id = ${}", params.len()));
    }
    params.push(i64::from(query.limit.clamp(1, 1000)).into());
    text.push_str(&format!(" ORDER BY id DESC LIMIT ${}", params.len()));
    let rows = sql.fetch(&text, &params).await?;
    docs(&rows)
}

pub(crate) async fn history(
    sql: &mut dyn Sql,
    id: &InspectionId,
) -> StoreResult<Vec<InspectionEntry>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM inspection_history WHERE inspection_id = $1 ORDER BY seq",
            &[id.as_str().into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn figures(
    sql: &mut dyn Sql,
    dimension: QualityDimension,
    from: Date,
    to: Date,
    key: Option<&str>,
) -> StoreResult<Vec<QualityTally>> {
    let column = match dimension {
        QualityDimension::Agent => "agent_id",
        QualityDimension::Department => "department_id",
    };
    let mut params: Vec<Value> = vec![from.to_string().into(), to.to_string().into()];
    let mut text = format!(
        "SELECT {column}, COUNT(*), CAST(SUM(score_x100) AS BIGINT), CAST(SUM(passed) AS BIGINT) FROM inspections \
         WHERE scored_on >= $1 AND scored_on < $2 AND score_x100 IS NOT NULL"
    );
    if let Some(key) = key {
        params.push(key.into());
        text.push_str(&format!(" AND {column} = $3"));
    }
    text.push_str(&format!(" GROUP BY {column} ORDER BY {column}"));
    let rows = sql.fetch(&text, &params).await?;
    rows.iter()
        .map(|r| {
            Ok(QualityTally {
                key: r.text(0)?.to_string(),
                count: r.int(1)?,
                score_x100_sum: r.opt_int(2)?.unwrap_or(0),
                passed: r.opt_int(3)?.unwrap_or(0),
            })
        })
        .collect()
}

/// Rubric versions after `after` (`id/version`, the dump's key), by id then version.
pub(crate) async fn export_rubrics(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<Rubric>> {
    let (id, version) = match after.split_once('/') {
        Some((id, v)) => (id.to_string(), v.parse::<i64>().unwrap_or(0)),
        None => (after.to_string(), 0),
    };
    let rows = sql
        .fetch(
            &format!(
                "SELECT doc FROM quality_rubrics WHERE id > $1 OR (id = $1 AND version > $2) \
                 ORDER BY id, version LIMIT {limit}"
            ),
            &[id.into(), version.into()],
        )
        .await?;
    docs(&rows)
}

/// A rubric version from a dump. The target may have saved the shipped rubric's version 1
/// when it was first asked for; the dump's wins.
pub(crate) async fn import_rubric(sql: &mut dyn Sql, rubric: &Rubric) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO quality_rubrics (id, version, created_at, doc) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id, version) DO UPDATE SET created_at = excluded.created_at, doc = excluded.doc",
        &[
            rubric.id.as_str().into(),
            rubric.version.into(),
            to_millis(rubric.created_at).into(),
            to_json(rubric)?.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Inspections after `after` by id, each with its whole history.
pub(crate) async fn export_inspections(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<InspectionRecord>> {
    let inspections: Vec<Inspection> = docs(
        &sql.fetch(
            &format!("SELECT doc FROM inspections WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?,
    )?;
    let mut out = Vec::with_capacity(inspections.len());
    for inspection in inspections {
        let history = history(sql, &inspection.id).await?;
        out.push(InspectionRecord {
            inspection,
            history,
        });
    }
    Ok(out)
}

/// An inspection from a dump, as it was, and its history inserted entry by entry (the
/// history is append-only: nothing is updated).
pub(crate) async fn import_inspection(
    sql: &mut dyn Sql,
    record: &InspectionRecord,
) -> StoreResult<()> {
    let inspection = &record.inspection;
    sql.execute(
        "INSERT INTO inspections (id, case_id, status, agent_id, department_id, \
         inspector_id, scored_on, score_x100, passed, created_at, version, doc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &columns(inspection)?,
    )
    .await
    // Name the missing row: an import whose dump lacks the case should say which one.
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("case {}", inspection.case_id)),
        SqlErrorKind::Unique => StoreError::Duplicate(format!("inspection {}", inspection.id)),
        _ => e.into(),
    })?;
    for entry in &record.history {
        if entry.inspection_id != inspection.id {
            return Err(StoreError::Backend(format!(
                "inspection {}: a history entry of inspection {}",
                inspection.id, entry.inspection_id
            )));
        }
        append_entry(sql, entry).await?;
    }
    Ok(())
}
