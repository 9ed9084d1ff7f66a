//! The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a write that
//! returned is on disk. Reads use a small pool; all writes go through one writer task that
//! groups whatever is waiting into one transaction (one fsync for many writes), each write in
//! its own savepoint so one failure does not undo its neighbours.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use kefu_domain::StoreError;
use kefu_domain::store::StoreResult;
use kefu_store_sql::{
    Backend, Dialect, Migration, Row, Sql, SqlError, SqlStore, Value, WriteOp, WriteOutput,
};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Column, Row as _, Sqlite, SqlitePool, TypeInfo};
use tokio::sync::{mpsc, oneshot};

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "case_desk",
    sql: include_str!("../migrations/0001_case_desk.sql"),
}];

/// Writes waiting beyond this many are taken by the next transaction.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<StoreResult<WriteOutput>>;

pub struct SqliteBackend {
    pool: SqlitePool,
    writer: mpsc::Sender<(WriteOp, Reply)>,
}

pub type SqliteStore = SqlStore<SqliteBackend>;

/// Opens (creating if needed) `path`, migrates it, and starts the writer.
pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32000");
    // The writer is the single connection of its own pool, held for the life of the store.
    let writer_pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .map_err(backend_error)?;
    let mut writer = Conn(writer_pool.acquire().await.map_err(backend_error)?);
    kefu_store_sql::migrate(&mut writer, MIGRATIONS).await?;
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .connect_with(options.read_only(true))
        .await
        .map_err(backend_error)?;
    let (tx, rx) = mpsc::channel(4 * MAX_GROUP);
    tokio::spawn(run_writer(writer, rx));
    Ok(SqlStore::new(SqliteBackend { pool, writer: tx }))
}

/// Opens from a `sqlite://path` URL or a plain path.
pub async fn open_url(url: &str) -> StoreResult<SqliteStore> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map(|o| o.get_filename().to_path_buf())
        .map_err(backend_error)?;
    open(&path).await
}

fn backend_error(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

async fn run_writer(mut conn: Conn, mut rx: mpsc::Receiver<(WriteOp, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut batch, MAX_GROUP).await > 0 {
        let results = write_group(&mut conn, &mut batch).await;
        for (reply, result) in results {
            // A caller that gave up waiting has nothing to be told.
            let _ = reply.send(result);
        }
    }
}

async fn write_group(
    conn: &mut Conn,
    batch: &mut Vec<(WriteOp, Reply)>,
) -> Vec<(Reply, StoreResult<WriteOutput>)> {
    let mut results = Vec::with_capacity(batch.len());
    if let Err(e) = conn.execute_script("BEGIN IMMEDIATE").await {
        let message = format!("cannot begin: {}", e.message);
        return batch
            .drain(..)
            .map(|(_, reply)| (reply, Err(StoreError::Backend(message.clone()))))
            .collect();
    }
    for (op, reply) in batch.drain(..) {
        let result = in_savepoint(conn, op).await;
        results.push((reply, result));
    }
    if let Err(e) = conn.execute_script("COMMIT").await {
        let _ = conn.execute_script("ROLLBACK").await;
        let message = format!("commit failed: {}", e.message);
        for (_, result) in &mut results {
            *result = Err(StoreError::Backend(message.clone()));
        }
    }
    results
}

async fn in_savepoint(conn: &mut Conn, op: WriteOp) -> StoreResult<WriteOutput> {
    conn.execute_script("SAVEPOINT write_op").await?;
    match kefu_store_sql::apply(conn, op).await {
        Ok(out) => {
            conn.execute_script("RELEASE write_op").await?;
            Ok(out)
        }
        Err(e) => {
            conn.execute_script("ROLLBACK TO write_op").await?;
            conn.execute_script("RELEASE write_op").await?;
            Err(e)
        }
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn read(&self) -> StoreResult<Box<dyn Sql>> {
        let conn = self.pool.acquire().await.map_err(backend_error)?;
        Ok(Box::new(Conn(conn)))
    }

    async fn write(&self, op: WriteOp) -> StoreResult<WriteOutput> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send((op, reply))
            .await
            .map_err(|_| StoreError::Backend("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the writer dropped the request".into()))?
    }
}

/// A pooled connection; the writer holds one for good, readers borrow one per call.
pub struct Conn(PoolConnection<Sqlite>);

fn sql_error(e: sqlx::Error) -> SqlError {
    let unique_violation = matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation());
    SqlError {
        unique_violation,
        message: e.to_string(),
    }
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    args: &'q [Value],
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    for a in args {
        q = match a {
            Value::Int(v) => q.bind(*v),
            Value::Text(v) => q.bind(v.as_deref()),
        };
    }
    q
}

fn decode(row: &sqlx::sqlite::SqliteRow) -> Result<Row, SqlError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let v = match row
            .try_get_raw(i)
            .map(|r| sqlx::ValueRef::type_info(&r).name().to_string())
        {
            Ok(t) if t == "INTEGER" => Value::Int(row.try_get(i).map_err(sql_error)?),
            Ok(t) if t == "NULL" => Value::Text(None),
            Ok(_) => Value::Text(row.try_get(i).map_err(sql_error)?),
            Err(e) => {
                return Err(SqlError {
                    unique_violation: false,
                    message: format!("column {}: {e}", column.name()),
                });
            }
        };
        values.push(v);
    }
    Ok(Row(values))
}

#[async_trait]
impl Sql for Conn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, SqlError> {
        bind(sqlx::query(AssertSqlSafe(sql)), args)
            .execute(&mut *self.0)
            .await
            .map(|r| r.rows_affected())
            .map_err(sql_error)
    }

    async fn fetch(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, SqlError> {
        let rows = bind(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_all(&mut *self.0)
            .await
            .map_err(sql_error)?;
        rows.iter().map(decode).collect()
    }

    async fn execute_script(&mut self, sql: &str) -> Result<(), SqlError> {
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *self.0)
            .await
            .map(|_| ())
            .map_err(sql_error)
    }
}

/// Closes the pool and stops the writer after the writes already queued.
impl SqliteBackend {
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
