//! The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a write that
//! returned is on disk.
//!
//! All writes go through one writer thread that owns the only write connection. It takes every
//! waiting write (up to [`MAX_GROUP`]), runs them in one `BEGIN IMMEDIATE` transaction, each in
//! its own savepoint so one failure does not undo its neighbours, commits once (one fsync for
//! the group) and only then answers each caller. Reads use a small pool of read-only
//! connections and run inline: indexed SQLite reads take microseconds, less than handing them
//! to another thread would cost.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use async_trait::async_trait;
use kefu_desk::store::StoreResult;
use kefu_model::StoreError;
use kefu_store_sql::{
    Backend, Dialect, Migration, Row, Sql, SqlError, SqlErrorKind, SqlStore, Value, WriteOp,
    WriteOutput,
};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use tokio::sync::{mpsc, oneshot};

const MIGRATIONS: &[Migration] = kefu_store_sql::migrations!();

/// Writes waiting beyond this many are taken by the next transaction.
pub const MAX_GROUP: usize = 256;
/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 16;

type Reply = oneshot::Sender<StoreResult<WriteOutput>>;

pub struct SqliteBackend {
    readers: Arc<ReadPool>,
    writer: mpsc::Sender<(WriteOp, Reply)>,
}

pub type SqliteStore = SqlStore<SqliteBackend>;

/// Opens (creating if needed) the database at `path`, migrates it, and starts the writer.
pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
    let mut writer = Conn(open_connection(path, false)?);
    run_now(kefu_store_sql::migrate(&mut writer, MIGRATIONS))?;
    let readers = Arc::new(ReadPool {
        path: path.to_path_buf(),
        idle: Mutex::new(Vec::new()),
    });
    let (tx, rx) = mpsc::channel(4 * MAX_GROUP);
    std::thread::Builder::new()
        .name("kefu-sqlite-writer".into())
        .spawn(move || run_writer(writer, rx))
        .map_err(|e| StoreError::Backend(format!("cannot start the writer: {e}")))?;
    Ok(SqlStore::new(SqliteBackend {
        readers,
        writer: tx,
    }))
}

/// Opens from a `sqlite://path` or `sqlite:path` URL.
pub async fn open_url(url: &str) -> StoreResult<SqliteStore> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    open(&PathBuf::from(path)).await
}

fn open_connection(path: &Path, read_only: bool) -> StoreResult<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(backend_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(backend_error)?;
    let pragmas = if read_only {
        "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;"
    } else {
        // Checkpoint every ~40 MB of WAL rather than every 4 MB: hot pages (index leaves, the
        // counter) are then copied to the database once per checkpoint instead of ten times.
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 10000;"
    };
    conn.execute_batch(pragmas).map_err(backend_error)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn backend_error(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Drives a future that never waits: the shared SQL is async for PostgreSQL's sake, but on a
/// SQLite connection every step completes when first polled.
fn run_now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

fn run_writer(mut conn: Conn, mut rx: mpsc::Receiver<(WriteOp, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        for (reply, result) in write_group(&mut conn, &mut batch) {
            // A caller that gave up waiting has nothing to be told.
            let _ = reply.send(result);
        }
    }
}

fn write_group(
    conn: &mut Conn,
    batch: &mut Vec<(WriteOp, Reply)>,
) -> Vec<(Reply, StoreResult<WriteOutput>)> {
    let ops = std::mem::take(batch);
    // Fast path: the whole group in one transaction. Writes are validated before they get
    // here, so one failing is rare; when it happens the group is rolled back and run again
    // with a savepoint around each write, so the failure stays with its own caller.
    match commit_group(conn, &ops, false) {
        Ok(results) => ops
            .into_iter()
            .map(|(_, reply)| reply)
            .zip(results)
            .collect(),
        Err(_) => match commit_group(conn, &ops, true) {
            Ok(results) => ops
                .into_iter()
                .map(|(_, reply)| reply)
                .zip(results)
                .collect(),
            Err(e) => ops
                .into_iter()
                .map(|(_, reply)| (reply, Err(e.clone_backend())))
                .collect(),
        },
    }
}

/// Runs `ops` in one transaction and commits. Without savepoints, the first failing op aborts
/// the group (`Err`, nothing written); with them, each op's failure is its own result.
fn commit_group(
    conn: &mut Conn,
    ops: &[(WriteOp, Reply)],
    savepoints: bool,
) -> Result<Vec<StoreResult<WriteOutput>>, GroupError> {
    conn.run("BEGIN IMMEDIATE").map_err(GroupError::Storage)?;
    let mut results = Vec::with_capacity(ops.len());
    for (op, _) in ops {
        let result = if savepoints {
            in_savepoint(conn, op.clone())
        } else {
            match run_now(kefu_store_sql::apply(conn, op.clone())) {
                Ok(out) => Ok(out),
                Err(_) => {
                    let _ = conn.run("ROLLBACK");
                    return Err(GroupError::OpFailed);
                }
            }
        };
        results.push(result);
    }
    if let Err(e) = conn.run("COMMIT") {
        let _ = conn.run("ROLLBACK");
        return Err(GroupError::Storage(e));
    }
    Ok(results)
}

enum GroupError {
    OpFailed,
    Storage(StoreError),
}

impl GroupError {
    fn clone_backend(&self) -> StoreError {
        match self {
            GroupError::OpFailed => StoreError::Backend("write group failed".into()),
            GroupError::Storage(e) => StoreError::Backend(format!("commit failed: {e}")),
        }
    }
}

fn in_savepoint(conn: &mut Conn, op: WriteOp) -> StoreResult<WriteOutput> {
    conn.run("SAVEPOINT write_op")?;
    match run_now(kefu_store_sql::apply(conn, op)) {
        Ok(out) => {
            conn.run("RELEASE write_op")?;
            Ok(out)
        }
        Err(e) => {
            conn.run("ROLLBACK TO write_op")?;
            conn.run("RELEASE write_op")?;
            Err(e)
        }
    }
}

struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// A read connection borrowed from the pool; it goes back when dropped.
struct Reader {
    conn: Option<Conn>,
    pool: Arc<ReadPool>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Some(Conn(conn)) = self.conn.take() {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
    }
}

impl Reader {
    fn conn(&mut self) -> Result<&mut Conn, SqlError> {
        self.conn
            .as_mut()
            .ok_or_else(|| SqlError::other("read connection already returned"))
    }
}

#[async_trait]
impl Sql for Reader {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, SqlError> {
        self.conn()?.execute_now(sql, args)
    }

    async fn fetch(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, SqlError> {
        self.conn()?.fetch_now(sql, args)
    }

    async fn execute_script(&mut self, sql: &str) -> Result<(), SqlError> {
        self.conn()?.0.execute_batch(sql).map_err(sql_error)
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn read(&self) -> StoreResult<Box<dyn Sql>> {
        let idle = self
            .readers
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let conn = match idle {
            Some(c) => c,
            None => open_connection(&self.readers.path, true)?,
        };
        Ok(Box::new(Reader {
            conn: Some(Conn(conn)),
            pool: self.readers.clone(),
        }))
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

/// A SQLite connection speaking the shared [`Sql`] trait.
pub struct Conn(Connection);

impl Conn {
    /// A read-write connection to the file of a store opened with [`open`], outside its
    /// writer: for tests and tools that look at the database as it is (the schema, the
    /// triggers). The store's writes do not go through it.
    pub fn open_raw(path: &Path) -> StoreResult<Conn> {
        Ok(Conn(open_connection(path, false)?))
    }
}

fn sql_error(e: rusqlite::Error) -> SqlError {
    let kind = match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            SqlErrorKind::Unique
        }
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            SqlErrorKind::ForeignKey
        }
        _ => SqlErrorKind::Other,
    };
    SqlError {
        kind,
        message: e.to_string(),
    }
}

struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Int(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(None) | Value::Text(None) => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

/// The shared SQL numbers its parameters `$1, $2…`; SQLite reads `$1` as a *name* (indexed in
/// order of first appearance), so it becomes `?1`, which SQLite indexes by its number.
fn numbered_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl Conn {
    /// A parameterless control statement (transactions, savepoints), prepared once.
    fn run(&mut self, sql: &str) -> StoreResult<()> {
        let mut stmt = self.0.prepare_cached(sql).map_err(backend_error)?;
        stmt.raw_execute().map_err(backend_error)?;
        Ok(())
    }

    fn execute_now(&mut self, sql: &str, args: &[Value]) -> Result<u64, SqlError> {
        let mut stmt = self
            .0
            .prepare_cached(&numbered_params(sql))
            .map_err(sql_error)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(args.iter().map(Param)))
            .map_err(sql_error)?;
        Ok(n as u64)
    }

    fn fetch_now(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, SqlError> {
        let mut stmt = self
            .0
            .prepare_cached(&numbered_params(sql))
            .map_err(sql_error)?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(args.iter().map(Param)))
            .map_err(sql_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql_error)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i).map_err(sql_error)? {
                    ValueRef::Integer(v) => Value::Int(Some(v)),
                    ValueRef::Text(t) => Value::Text(Some(String::from_utf8_lossy(t).into_owned())),
                    ValueRef::Null => Value::Text(None),
                    ValueRef::Real(r) => Value::Text(Some(r.to_string())),
                    ValueRef::Blob(_) => {
                        return Err(SqlError::other(format!("column {i}: unexpected blob")));
                    }
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }
}

#[async_trait]
impl Sql for Conn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, SqlError> {
        self.execute_now(sql, args)
    }

    async fn fetch(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, SqlError> {
        self.fetch_now(sql, args)
    }

    async fn execute_script(&mut self, sql: &str) -> Result<(), SqlError> {
        self.0.execute_batch(sql).map_err(sql_error)
    }
}
