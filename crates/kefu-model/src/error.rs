//! Errors with a stable machine-readable code; the web layer maps them to HTTP statuses.

/// What a store can report. Anything not named here is `Backend` and is not the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken (e.g. a username, a customer's phone).
    #[error("{0} already exists")]
    Duplicate(String),
    /// The case moved on since it was read (optimistic concurrency); retry from a fresh read.
    #[error("the record was changed concurrently")]
    VersionConflict,
    /// The same idempotency key was used before with a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    #[error("{0} not found")]
    NotFound(String),
    /// The import target already holds data.
    #[error("the target database is not empty")]
    NotEmpty,
    #[error("storage failure: {0}")]
    Backend(String),
    /// A stored document was written by a newer kefu (its `doc_version` is above what this
    /// build reads): it is refused rather than misread.
    #[error("a stored {what} has document version {found}; this build reads up to {known}")]
    DocumentTooNew {
        what: String,
        found: i64,
        known: i64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// A field's value is not acceptable; `field` names it (dotted path).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0} not found")]
    NotFound(String),
    /// The request is well-formed but conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The stable code returned in the API's error object.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid_field",
            DomainError::NotFound(_) => "not_found",
            DomainError::Conflict { code, .. } => code,
            DomainError::Forbidden(_) => "forbidden",
            DomainError::Unauthenticated => "unauthenticated",
            DomainError::Store(StoreError::Duplicate(_)) => "duplicate",
            DomainError::Store(StoreError::VersionConflict) => "version_conflict",
            DomainError::Store(StoreError::IdempotencyMismatch) => "idempotency_key_reused",
            DomainError::Store(StoreError::NotFound(_)) => "not_found",
            DomainError::Store(StoreError::NotEmpty) => "not_empty",
            DomainError::Store(StoreError::Backend(_) | StoreError::DocumentTooNew { .. }) => {
                "storage_unavailable"
            }
        }
    }
}
