//! The scale-out store: PostgreSQL, shared by several kefu nodes. Each write is one transaction;
//! PostgreSQL's own WAL makes it durable and its row locks keep concurrent nodes consistent.

use std::time::Duration;

use async_trait::async_trait;
use kefu_domain::StoreError;
use kefu_domain::store::StoreResult;
use kefu_store_sql::{Backend, Dialect, Migration, Row, Sql, SqlError, SqlStore, Value, WriteOp, WriteOutput};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Column, Postgres, Row as _, TypeInfo};

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "case_desk",
    sql: include_str!("../migrations/0001_case_desk.sql"),
}];

/// Any constant shared by all nodes: only one of them migrates at a time.
const MIGRATION_LOCK: i64 = 0x6b65_6675;

pub struct PgBackend {
    pool: PgPool,
}

pub type PgStore = SqlStore<PgBackend>;

/// Connects to `postgres://…` and migrates the schema.
pub async fn open(url: &str) -> StoreResult<PgStore> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
        .map_err(backend_error)?;
    let mut conn = Conn(pool.acquire().await.map_err(backend_error)?);
    conn.execute("SELECT pg_advisory_lock($1)", &[MIGRATION_LOCK.into()]).await?;
    let migrated = kefu_store_sql::migrate(&mut conn, MIGRATIONS).await;
    conn.execute("SELECT pg_advisory_unlock($1)", &[MIGRATION_LOCK.into()]).await?;
    migrated?;
    Ok(SqlStore::new(PgBackend { pool }))
}

fn backend_error(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

#[async_trait]
impl Backend for PgBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn read(&self) -> StoreResult<Box<dyn Sql>> {
        Ok(Box::new(Conn(self.pool.acquire().await.map_err(backend_error)?)))
    }

    async fn write(&self, op: WriteOp) -> StoreResult<WriteOutput> {
        // In a task of its own, so a caller that goes away (a closed HTTP connection) cannot
        // leave a connection behind in the middle of a transaction.
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut conn = Conn(pool.acquire().await.map_err(backend_error)?);
            conn.execute_script("BEGIN").await?;
            match kefu_store_sql::apply(&mut conn, op).await {
                Ok(out) => {
                    conn.execute_script("COMMIT").await?;
                    Ok(out)
                }
                Err(e) => {
                    conn.execute_script("ROLLBACK").await?;
                    Err(e)
                }
            }
        })
        .await
        .map_err(|e| StoreError::Backend(format!("write task failed: {e}")))?
    }
}

impl PgBackend {
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// A pooled connection.
pub struct Conn(PoolConnection<Postgres>);

fn sql_error(e: sqlx::Error) -> SqlError {
    let unique_violation = matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation());
    SqlError {
        unique_violation,
        message: e.to_string(),
    }
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    args: &'q [Value],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match a {
            Value::Int(v) => q.bind(*v),
            Value::Text(v) => q.bind(v.as_deref()),
        };
    }
    q
}

fn decode(row: &sqlx::postgres::PgRow) -> Result<Row, SqlError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let v = match column.type_info().name() {
            "INT8" => Value::Int(row.try_get(i).map_err(sql_error)?),
            "TEXT" | "VARCHAR" => Value::Text(row.try_get(i).map_err(sql_error)?),
            // setval/pg_advisory_lock and friends: their value is not read.
            _ => Value::Text(None),
        };
        values.push(v);
    }
    Ok(Row(values))
}

#[async_trait]
impl Sql for Conn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
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
