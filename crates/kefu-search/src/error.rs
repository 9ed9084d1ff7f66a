//! The one error type of the crate: bad input is told apart from a broken index.

/// Why a search or an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The search text has no characters besides whitespace.
    #[error("the search text is empty")]
    EmptyQuery,
    /// The search text is longer than [`crate::MAX_QUERY_CHARS`].
    #[error("the search text is longer than {max} characters")]
    QueryTooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// A filter, the visibility or the limit of a [`crate::Query`] has a value it cannot have.
    #[error("invalid {field}: {reason}")]
    InvalidFilter {
        /// Which part of the query.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A [`crate::SearchDoc`] handed to `upsert` cannot be indexed.
    #[error("invalid document {kind}/{id}: {reason}")]
    InvalidDocument {
        /// The document's kind.
        kind: &'static str,
        /// The document's id as given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The index (tantivy) failed: a damaged or foreign index directory, a full disk, a schema
    /// that is not ours.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be created or opened.
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    /// The index directory could not be created.
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
}
