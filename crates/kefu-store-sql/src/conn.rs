use async_trait::async_trait;
use kefu_model::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound parameter or a column value. Nulls carry their type because PostgreSQL wants typed
/// parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

/// One result row; columns by position, as the statement selected them.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.0.get(i) {
            Some(Value::Int(Some(v))) => Ok(*v),
            other => Err(StoreError::Backend(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }

    pub fn text(&self, i: usize) -> Result<&str, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(Some(v))) => Ok(v),
            other => Err(StoreError::Backend(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(i) {
            Some(Value::Int(v)) => Ok(*v),
            Some(Value::Text(None)) => Ok(None),
            other => Err(StoreError::Backend(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(v)) => Ok(v.as_deref()),
            Some(Value::Int(None)) => Ok(None),
            other => Err(StoreError::Backend(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlErrorKind {
    /// A unique or primary key is taken.
    Unique,
    /// A referenced row does not exist.
    ForeignKey,
    Other,
}

#[derive(Debug)]
pub struct SqlError {
    pub kind: SqlErrorKind,
    pub message: String,
}

impl SqlError {
    pub fn other(message: impl Into<String>) -> Self {
        SqlError {
            kind: SqlErrorKind::Other,
            message: message.into(),
        }
    }
}

impl From<SqlError> for StoreError {
    fn from(e: SqlError) -> Self {
        if e.kind == SqlErrorKind::Unique {
            StoreError::Duplicate(e.message)
        } else {
            StoreError::Backend(e.message)
        }
    }
}

/// What the shared SQL needs from a connection. Implemented for each driver's connection type.
#[async_trait]
pub trait Sql: Send {
    fn dialect(&self) -> Dialect;
    /// Runs one statement; returns the number of rows affected.
    async fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, SqlError>;
    /// Runs one query; integer columns come back as `Value::Int`, the rest as `Value::Text`.
    async fn fetch(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, SqlError>;
    /// Runs several statements without parameters (migrations).
    async fn execute_script(&mut self, sql: &str) -> Result<(), SqlError>;
}

/// Helpers on any `Sql`.
pub(crate) async fn fetch_optional(
    sql: &mut dyn Sql,
    query: &str,
    args: &[Value],
) -> Result<Option<Row>, StoreError> {
    Ok(sql.fetch(query, args).await?.into_iter().next())
}
