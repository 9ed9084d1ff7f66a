//! The store contract on PostgreSQL, each test in a fresh schema of the database named by
//! `KEFU_TEST_DATABASE_URL`. Without that variable the tests pass vacuously and say so; CI
//! sets it (see `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use std::sync::Arc;

use kefu_desk::Store;
use kefu_store_sql::Backend;

async fn fresh() -> Option<Arc<dyn Store>> {
    let url = std::env::var("KEFU_TEST_DATABASE_URL").ok()?;
    Some(Arc::new(
        kefu_store_postgres::open_fresh_schema(&url, "kefu_contract")
            .await
            .unwrap(),
    ))
}

macro_rules! or_skip {
    () => {
        match fresh().await {
            Some(s) => s,
            None => {
                eprintln!("KEFU_TEST_DATABASE_URL is not set: PostgreSQL contract skipped");
                return;
            }
        }
    };
}

kefu_store_contract::contract_tests!(or_skip!());

/// A fresh schema's store and a raw connection to the same schema (outside the store).
async fn fresh_with_raw() -> Option<(Arc<dyn Store>, Box<dyn kefu_store_sql::Sql>)> {
    let url = std::env::var("KEFU_TEST_DATABASE_URL").ok()?;
    let store = kefu_store_postgres::open_fresh_schema(&url, "kefu_contract")
        .await
        .unwrap();
    let raw = store.backend().read().await.unwrap();
    Some((Arc::new(store), raw))
}

macro_rules! or_skip_raw {
    () => {
        match fresh_with_raw().await {
            Some(s) => s,
            None => {
                eprintln!("KEFU_TEST_DATABASE_URL is not set: PostgreSQL contract skipped");
                return;
            }
        }
    };
}

#[tokio::test]
async fn audit_log_is_append_only() {
    let (store, mut raw) = or_skip_raw!();
    kefu_store_contract::audit_log_is_append_only(store, &mut *raw).await;
}

#[tokio::test]
async fn change_histories_are_append_only() {
    let (store, mut raw) = or_skip_raw!();
    kefu_store_contract::change_histories_are_append_only(store, &mut *raw).await;
}

#[tokio::test]
async fn inspection_history_is_append_only() {
    let (store, mut raw) = or_skip_raw!();
    kefu_store_contract::inspection_history_is_append_only(store, &mut *raw).await;
}

#[tokio::test]
async fn stored_documents_carry_their_version() {
    let (store, mut raw) = or_skip_raw!();
    kefu_store_contract::stored_documents_carry_their_version(store, &mut *raw).await;
}

// ---- the two schemas are the same schema ----------------------------------------------------

/// One column as the comparison sees it: the type in the shared vocabulary, and whether it
/// may be NULL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    table: String,
    name: String,
    kind: &'static str,
    not_null: bool,
}

/// One index: the name, its table, unique or not, and its columns in order. Primary keys and
/// UNIQUE constraints are compared by their columns (`<table>:pk`, `<table>:unique(a,b)`):
/// each database names them its own way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    name: String,
    table: String,
    unique: bool,
    columns: Vec<String>,
}

/// The explicit mapping between the two dialects' column types. Each SQLite type maps to the
/// PostgreSQL types that mean the same for kefu:
/// - SQLite `INTEGER` (64-bit) is PostgreSQL `bigint`; `BIGSERIAL` is `bigint` with a default.
/// - SQLite `TEXT` is PostgreSQL `text`, with `COLLATE "C"` on the keys and the columns kefu
///   orders or pages by, so PostgreSQL sorts them bytewise as SQLite does. The collation is not
///   part of the type here: it is what makes PostgreSQL agree with SQLite, not a difference.
///
/// Anything else is reported as unmapped.
fn sqlite_kind(declared: &str) -> &'static str {
    match declared.to_ascii_uppercase().as_str() {
        // `BIGINT` has INTEGER affinity in SQLite: the shared `schema_migrations` statement
        // declares it so that one text serves both.
        "INTEGER" | "BIGINT" => "integer(64)",
        "TEXT" => "text",
        _ => "UNMAPPED",
    }
}

fn postgres_kind(data_type: &str) -> &'static str {
    match data_type {
        "bigint" => "integer(64)",
        "text" => "text",
        _ => "UNMAPPED",
    }
}

/// Deliberate differences: tables only SQLite has, and why.
/// - `counters`: SQLite numbers cases from a counter row, updated in the writer's transaction
///   (there is one writer). PostgreSQL uses the `case_number_seq` SEQUENCE instead, so that
///   concurrent creates on several nodes do not queue on one row lock.
const SQLITE_ONLY: &[&str] = &["counters"];

async fn sqlite_schema(sql: &mut dyn kefu_store_sql::Sql) -> (Vec<Column>, Vec<Index>) {
    let tables: Vec<String> = sql
        .fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.text(0).unwrap().to_string())
        .filter(|t| !SQLITE_ONLY.contains(&t.as_str()))
        .collect();
    let mut columns = Vec::new();
    let mut indexes = Vec::new();
    for table in &tables {
        let rows = sql
            .fetch(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)",
                &[table.clone().into()],
            )
            .await
            .unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for r in &rows {
            let name = r.text(0).unwrap().to_string();
            let in_pk = r.int(3).unwrap();
            if in_pk > 0 {
                pk.push((in_pk, name.clone()));
            }
            columns.push(Column {
                table: table.clone(),
                name,
                kind: sqlite_kind(r.text(1).unwrap()),
                // SQLite lets a non-INTEGER primary key hold NULL (a documented quirk kept
                // for compatibility); PostgreSQL does not. kefu never writes a NULL key, so a
                // key column counts as NOT NULL on both.
                not_null: r.int(2).unwrap() == 1 || in_pk > 0,
            });
        }
        pk.sort();
        if !pk.is_empty() {
            indexes.push(Index {
                name: format!("{table}:pk"),
                table: table.clone(),
                unique: true,
                columns: pk.into_iter().map(|(_, c)| c).collect(),
            });
        }
        let list = sql
            .fetch(
                "SELECT name, \"unique\", origin FROM pragma_index_list($1)",
                &[table.clone().into()],
            )
            .await
            .unwrap();
        for r in &list {
            let name = r.text(0).unwrap().to_string();
            let origin = r.text(2).unwrap().to_string();
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> = sql
                .fetch(
                    "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                    &[name.clone().into()],
                )
                .await
                .unwrap()
                .iter()
                .map(|c| c.text(0).unwrap().to_string())
                .collect();
            let name = if origin == "u" {
                format!("{table}:unique({})", cols.join(","))
            } else {
                name
            };
            indexes.push(Index {
                name,
                table: table.clone(),
                unique: r.int(1).unwrap() == 1,
                columns: cols,
            });
        }
    }
    columns.sort();
    indexes.sort();
    (columns, indexes)
}

async fn postgres_schema(sql: &mut dyn kefu_store_sql::Sql) -> (Vec<Column>, Vec<Index>) {
    let mut columns: Vec<Column> = sql
        .fetch(
            "SELECT c.table_name::TEXT, c.column_name::TEXT, c.data_type::TEXT, c.is_nullable::TEXT \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| Column {
            table: r.text(0).unwrap().to_string(),
            name: r.text(1).unwrap().to_string(),
            kind: postgres_kind(r.text(2).unwrap()),
            not_null: r.text(3).unwrap() == "NO",
        })
        .collect();
    columns.sort();
    let mut indexes: Vec<Index> = sql
        .fetch(
            "SELECT i.relname::TEXT, t.relname::TEXT, ix.indisunique::TEXT, ix.indisprimary::TEXT, \
               COALESCE(con.contype::TEXT, ''), \
               array_to_string(ARRAY(SELECT COALESCE(a.attname::TEXT, '(expression)') \
                 FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 ORDER BY k.n), ',') \
             FROM pg_index ix \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             LEFT JOIN pg_constraint con ON con.conindid = ix.indexrelid AND con.contype IN ('p', 'u') \
             WHERE n.nspname = current_schema()",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let table = r.text(1).unwrap().to_string();
            let cols: Vec<String> = r
                .text(5)
                .unwrap()
                .split(',')
                .map(str::to_string)
                .collect();
            let name = match (r.text(3).unwrap(), r.text(4).unwrap()) {
                ("true", _) => format!("{table}:pk"),
                (_, "u") => format!("{table}:unique({})", cols.join(",")),
                _ => r.text(0).unwrap().to_string(),
            };
            Index {
                name,
                table,
                unique: r.text(2).unwrap() == "true",
                columns: cols,
            }
        })
        .collect();
    indexes.sort();
    (columns, indexes)
}

/// Lines only one side has, as `- sqlite: …` / `+ postgres: …`.
fn diff<T: Ord + std::fmt::Debug>(what: &str, sqlite: &[T], postgres: &[T]) -> Vec<String> {
    let mut out = Vec::new();
    for s in sqlite.iter().filter(|s| !postgres.contains(s)) {
        out.push(format!("- {what} only on SQLite:     {s:?}"));
    }
    for p in postgres.iter().filter(|p| !sqlite.contains(p)) {
        out.push(format!("+ {what} only on PostgreSQL: {p:?}"));
    }
    out
}

/// Both backends, migrated from nothing, have the same tables, columns (type through the
/// mapping above, nullability), primary keys, unique constraints and indexes (names and
/// columns). A difference fails with the list of what each side has that the other has not.
#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Some(url) = std::env::var("KEFU_TEST_DATABASE_URL").ok() else {
        eprintln!("KEFU_TEST_DATABASE_URL is not set: schema comparison skipped");
        return;
    };
    let pg = kefu_store_postgres::open_fresh_schema(&url, "kefu_schema")
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("kefu-schema-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let lite = kefu_store_sqlite::open(&dir.join("kefu.db")).await.unwrap();
    let (lite_columns, lite_indexes) =
        sqlite_schema(&mut *lite.backend().read().await.unwrap()).await;
    let (pg_columns, pg_indexes) = postgres_schema(&mut *pg.backend().read().await.unwrap()).await;
    assert!(
        lite_columns.len() > 100,
        "read the SQLite schema: {lite_columns:?}"
    );
    let mut report = diff("column", &lite_columns, &pg_columns);
    report.extend(diff("index", &lite_indexes, &pg_indexes));
    assert!(
        report.is_empty(),
        "the SQLite and PostgreSQL schemas differ:\n{}",
        report.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_events_cannot_be_rewritten_in_the_database() {
    let Ok(url) = std::env::var("KEFU_TEST_DATABASE_URL") else {
        eprintln!("KEFU_TEST_DATABASE_URL is not set: PostgreSQL contract skipped");
        return;
    };
    let pg = Arc::new(
        kefu_store_postgres::open_fresh_schema(&url, "kefu_contract")
            .await
            .unwrap(),
    );
    let store: Arc<dyn Store> = pg.clone();
    let f = kefu_store_contract::fixture(store).await;
    kefu_store_contract::customer_with_one_edit(&f).await;
    let pool = pg.backend().pool();
    let update = sqlx::query("UPDATE customer_events SET actor = 'someone else'")
        .execute(pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM customer_events")
        .execute(pool)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customer_events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count.0, 1);
}
