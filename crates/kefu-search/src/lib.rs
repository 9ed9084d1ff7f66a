//! kefu's search engine: one tantivy index of cases, customers, shipments and knowledge
//! articles that understands Chinese (jieba search-mode words from `kefu-text`, logistics
//! synonyms at query time), matches identifiers exactly (waybill numbers, phones and their last
//! four digits, case numbers, emails) and ranks those first.
//!
//! The crate does no HTTP and knows no database: a caller feeds it [`SearchDoc`]s (from the
//! store's outbox), commits with the outbox cursor they bring it to, and searches with a
//! [`Query`] whose [`Visibility`] it chose for the actor.
//!
//! ```
//! use kefu_search::{DocFilters, DocKind, Query, SearchDoc, SearchIndex, Visibility};
//!
//! let index = SearchIndex::in_memory()?;
//! index.upsert(&[SearchDoc {
//!     kind: DocKind::Case,
//!     id: "KF20250301001".into(),
//!     title: "外包装破了".into(),
//!     body: "收到的时候箱子已经坏了".into(),
//!     identifiers: vec!["KF20250301001".into(), "13800138000".into()],
//!     related_identifiers: Vec::new(),
//!     filters: DocFilters::default(),
//!     updated_at: jiff::Timestamp::UNIX_EPOCH,
//! }])?;
//! index.commit(Some("c1"))?;
//! let hits = index.search(&Query::new("破损", Visibility::All))?;
//! assert_eq!(hits[0].id, "KF20250301001");
//! let hits = index.search(&Query::new("8000", Visibility::All))?;
//! assert_eq!(hits[0].id, "KF20250301001");
//! # Ok::<(), kefu_search::SearchError>(())
//! ```

pub mod desk;
mod doc;
mod error;
mod identifiers;
mod index;
mod query;
mod synonyms;
mod tokenizer;

pub use doc::{Audience, DocFilters, DocKind, SearchDoc};
pub use error::SearchError;
pub use index::{Hit, SearchIndex};
pub use query::{DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_CHARS, Query, Visibility};
pub use synonyms::{
    MAX_CONCEPTS, MAX_EXPRESSION_CHARS, MAX_EXPRESSIONS_PER_CONCEPT, MAX_SYNONYMS_BYTES,
    STARTER_SYNONYMS, SynonymLineError, Synonyms, SynonymsError,
};
