//! The statements of key accounts: an account per row (its document, its unique code, status,
//! grade and search text), its assistants' index, and the append-only gradings.

use kefu_desk::store::{KeyAccountQuery, StoreResult};
use kefu_model::ids::KeyAccountId;
use kefu_model::key_accounts::{Grading, KeyAccount};
use kefu_model::{StoreError, to_millis};

use crate::conn::{Sql, SqlErrorKind, Value};
use crate::ops::{docs, to_json};

/// What the list's `q` matches: code, name and industry, lower-cased.
fn search_text(a: &KeyAccount) -> String {
    format!("{} {} {}", a.code, a.name, a.industry).to_lowercase()
}

fn duplicate(a: &KeyAccount) -> impl Fn(crate::conn::SqlError) -> StoreError + '_ {
    move |e| match e.kind {
        SqlErrorKind::Unique => StoreError::Duplicate(format!("key account {}", a.code)),
        _ => e.into(),
    }
}

/// Writes an account: new when `expected_version` is `None` (`Duplicate` if its code is
/// taken), else over that version (`VersionConflict` otherwise); its assistants' index
/// rewritten; a grading, when given, appended in the same transaction.
pub(crate) async fn put(
    sql: &mut dyn Sql,
    a: &KeyAccount,
    expected_version: Option<i64>,
    grading: Option<&Grading>,
) -> StoreResult<()> {
    // The same columns for a new account and a changed one; a change also names the version
    // it was made over.
    let mut values: Vec<Value> = vec![
        a.id.to_string().into(),
        a.code.clone().into(),
        a.status.as_str().into(),
        a.grade.map(i64::from).into(),
        search_text(a).into(),
        a.version.into(),
        to_millis(a.updated_at).into(),
        to_json(a)?.into(),
    ];
    match expected_version {
        None => {
            values.push(to_millis(a.created_at).into());
            sql.execute(
                "INSERT INTO key_accounts (id, code, status, grade, search, version, updated_at, \
                 doc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &values,
            )
            .await
            .map_err(duplicate(a))?;
        }
        Some(version) => {
            values.push(version.into());
            let changed = sql
                .execute(
                    "UPDATE key_accounts SET code = $2, status = $3, grade = $4, search = $5, \
                     version = $6, updated_at = $7, doc = $8 WHERE id = $1 AND version = $9",
                    &values,
                )
                .await
                .map_err(duplicate(a))?;
            if changed == 0 {
                return Err(StoreError::VersionConflict);
            }
            sql.execute(
                "DELETE FROM key_account_assistants WHERE account_id = $1",
                &[a.id.to_string().into()],
            )
            .await?;
        }
    }
    for user in &a.assistants {
        sql.execute(
            "INSERT INTO key_account_assistants (account_id, user_id) VALUES ($1, $2)",
            &[a.id.to_string().into(), user.to_string().into()],
        )
        .await?;
    }
    if let Some(g) = grading {
        insert_grading(sql, g).await?;
    }
    Ok(())
}

pub(crate) async fn insert_grading(sql: &mut dyn Sql, g: &Grading) -> StoreResult<()> {
    sql.execute(
        "INSERT INTO key_account_gradings (id, account_id, seq, quarter, recorded_at, doc) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            g.id.clone().into(),
            g.account_id.to_string().into(),
            g.seq.into(),
            g.quarter.to_string().into(),
            to_millis(g.recorded_at).into(),
            to_json(g)?.into(),
        ],
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::ForeignKey => StoreError::NotFound(format!("key account {}", g.account_id)),
        // Another grading of the account was recorded meanwhile.
        SqlErrorKind::Unique => StoreError::VersionConflict,
        _ => e.into(),
    })?;
    Ok(())
}

pub(crate) async fn get(sql: &mut dyn Sql, id: &KeyAccountId) -> StoreResult<Option<KeyAccount>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM key_accounts WHERE id = $1",
            &[id.to_string().into()],
        )
        .await?;
    Ok(docs(&rows)?.into_iter().next())
}

/// The accounts the query admits, by grade (ungraded last), then code.
pub(crate) async fn list(sql: &mut dyn Sql, q: &KeyAccountQuery) -> StoreResult<Vec<KeyAccount>> {
    let mut args: Vec<Value> = Vec::new();
    let mut filter = String::from("1 = 1");
    if let Some(user) = &q.assistant {
        args.push(user.to_string().into());
        filter.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM key_account_assistants s \
             WHERE s.account_id = a.id AND s.user_id = ${})",
            args.len()
        ));
    }
    if let Some(grade) = q.grade {
        args.push(i64::from(grade).into());
        filter.push_str(&format!(" AND a.grade = ${}", args.len()));
    }
    if let Some(status) = q.status {
        args.push(status.as_str().into());
        filter.push_str(&format!(" AND a.status = ${}", args.len()));
    }
    if let Some(text) = q.text.as_deref().filter(|t| !t.is_empty()) {
        // `%`, `_` and the escape itself are literal.
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        args.push(format!("%{escaped}%").into());
        filter.push_str(&format!(" AND a.search LIKE ${} ESCAPE '\\'", args.len()));
    }
    let rows = sql
        .fetch(
            &format!(
                "SELECT a.doc FROM key_accounts a WHERE {filter} \
                 ORDER BY CASE WHEN a.grade IS NULL THEN 99 ELSE a.grade END, a.code"
            ),
            &args,
        )
        .await?;
    docs(&rows)
}

/// An account's gradings, oldest first.
pub(crate) async fn gradings(sql: &mut dyn Sql, id: &KeyAccountId) -> StoreResult<Vec<Grading>> {
    let rows = sql
        .fetch(
            "SELECT doc FROM key_account_gradings WHERE account_id = $1 ORDER BY seq",
            &[id.to_string().into()],
        )
        .await?;
    docs(&rows)
}

/// Which of the accounts have a grading of `quarter` (any record).
pub(crate) async fn graded_in(sql: &mut dyn Sql, quarter: &str) -> StoreResult<Vec<KeyAccountId>> {
    let rows = sql
        .fetch(
            "SELECT DISTINCT account_id FROM key_account_gradings WHERE quarter = $1 \
             ORDER BY account_id",
            &[quarter.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok(KeyAccountId::from_stored(r.text(0)?.to_string())))
        .collect()
}

/// Accounts after `after` (an id), for an export.
pub(crate) async fn export(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<KeyAccount>> {
    let rows = sql
        .fetch(
            &format!("SELECT doc FROM key_accounts WHERE id > $1 ORDER BY id LIMIT {limit}"),
            &[after.into()],
        )
        .await?;
    docs(&rows)
}

pub(crate) async fn export_gradings(
    sql: &mut dyn Sql,
    after: &str,
    limit: u32,
) -> StoreResult<Vec<Grading>> {
    let rows = sql
        .fetch(
            &format!(
                "SELECT doc FROM key_account_gradings WHERE id > $1 ORDER BY id LIMIT {limit}"
            ),
            &[after.into()],
        )
        .await?;
    docs(&rows)
}
