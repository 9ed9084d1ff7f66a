//! The scale-out store: PostgreSQL, shared by several kefu nodes. Each write is one transaction;
//! PostgreSQL's own WAL makes it durable and its row locks keep concurrent nodes consistent.

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use kefu_desk::store::{SignalReceiver, StoreResult};
use kefu_model::StoreError;
use kefu_store_sql::{
    Backend, Dialect, Migration, Row, Sql, SqlError, SqlErrorKind, SqlStore, Value, WriteOp,
    WriteOutput,
};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Column, Postgres, Row as _, TypeInfo};

const MIGRATIONS: &[Migration] = kefu_store_sql::migrations!();

/// Any constant shared by all nodes: only one of them migrates at a time.
const MIGRATION_LOCK: i64 = 0x6b65_6675;

pub struct PgBackend {
    pool: PgPool,
    /// The NOTIFY channel of this database schema: nodes on the same schema hear each other,
    /// tests in other schemas of the same database do not.
    channel: String,
}

/// `kefu_` + a hash of the schema name (channel names are at most 63 bytes).
fn channel_for(schema: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in schema.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("kefu_{h:016x}")
}

pub type PgStore = SqlStore<PgBackend>;

/// Connects to `postgres://…` and migrates the schema.
pub async fn open(url: &str) -> StoreResult<PgStore> {
    let options = PgConnectOptions::from_str(url).map_err(backend_error)?;
    open_with(options).await
}

/// For tests: a new, empty schema `<prefix>_<unix seconds>_<n>` in the database at `url`, so
/// tests run side by side in one database. Schemas of this prefix older than two hours are
/// dropped first, so repeated runs do not pile up.
pub async fn open_fresh_schema(url: &str, prefix: &str) -> StoreResult<PgStore> {
    let name = create_fresh_schema(url, prefix).await?;
    let options = PgConnectOptions::from_str(url).map_err(backend_error)?;
    open_with(options.options([("search_path", name.as_str())])).await
}

/// Creates the schema [`open_fresh_schema`] would use and returns its name, for tests that
/// hand a URL (`?options=-c search_path=<name>`) to another process.
pub async fn create_fresh_schema(url: &str, prefix: &str) -> StoreResult<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    #[allow(clippy::disallowed_methods)] // test support, not domain time
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = format!(
        "{prefix}_{now}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let options = PgConnectOptions::from_str(url).map_err(backend_error)?;
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .map_err(backend_error)?;
    let mut conn = Conn(admin.acquire().await.map_err(backend_error)?);
    let old = conn
        .fetch(
            "SELECT nspname::TEXT FROM pg_namespace WHERE nspname LIKE $1",
            &[format!("{prefix}\\_%").into()],
        )
        .await?;
    for row in old {
        let Ok(schema) = row.text(0) else { continue };
        let created = schema
            .split('_')
            .rev()
            .nth(2)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(now);
        if created + 7200 < now {
            let _ = conn
                .execute_script(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await;
        }
    }
    conn.execute_script(&format!("CREATE SCHEMA \"{name}\""))
        .await?;
    drop(conn);
    admin.close().await;
    Ok(name)
}

async fn open_with(options: PgConnectOptions) -> StoreResult<PgStore> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(backend_error)?;
    let mut conn = Conn(pool.acquire().await.map_err(backend_error)?);
    conn.execute("SELECT pg_advisory_lock($1)", &[MIGRATION_LOCK.into()])
        .await?;
    let migrated = kefu_store_sql::migrate(&mut conn, MIGRATIONS).await;
    conn.execute("SELECT pg_advisory_unlock($1)", &[MIGRATION_LOCK.into()])
        .await?;
    migrated?;
    let schema = conn
        .fetch("SELECT current_schema()::TEXT", &[])
        .await?
        .first()
        .map(|r| r.text(0).map(str::to_string))
        .transpose()?
        .unwrap_or_default();
    drop(conn);
    Ok(SqlStore::new(PgBackend {
        pool,
        channel: channel_for(&schema),
    }))
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
        Ok(Box::new(Conn(
            self.pool.acquire().await.map_err(backend_error)?,
        )))
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

    async fn publish_signal(&self, payload: &str) -> StoreResult<()> {
        let mut conn = Conn(self.pool.acquire().await.map_err(backend_error)?);
        conn.execute(
            "SELECT pg_notify($1, $2)",
            &[self.channel.clone().into(), payload.into()],
        )
        .await?;
        Ok(())
    }

    async fn signals(&self) -> StoreResult<Option<Box<dyn SignalReceiver>>> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool)
            .await
            .map_err(backend_error)?;
        listener
            .listen(&self.channel)
            .await
            .map_err(backend_error)?;
        Ok(Some(Box::new(Signals { listener })))
    }
}

/// NOTIFY payloads of this schema's channel.
struct Signals {
    listener: sqlx::postgres::PgListener,
}

#[async_trait]
impl SignalReceiver for Signals {
    async fn recv(&mut self) -> Option<String> {
        // A lost connection is reopened by the listener; what was sent meanwhile is missed,
        // which is why receivers also re-read the store now and then.
        for _ in 0..10 {
            match self.listener.recv().await {
                Ok(n) => return Some(n.payload().to_string()),
                Err(e) => {
                    tracing::warn!("LISTEN connection lost: {e}; reconnecting");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        None
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
    let kind = match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => SqlErrorKind::Unique,
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => SqlErrorKind::ForeignKey,
        _ => SqlErrorKind::Other,
    };
    SqlError {
        kind,
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
