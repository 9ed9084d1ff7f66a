//! The index itself: schema, writer, reader, the applied outbox cursor, and search.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::doc::{Audience, DocKind, SearchDoc};
use crate::error::SearchError;
use crate::identifiers::identifier_tokens;
use crate::query::{Query, plan};
use crate::tokenizer::{CHINESE_TOKENIZER, ChineseTokenizer};

/// Characters of body text a snippet shows.
const SNIPPET_CHARS: usize = 120;
/// Longest document id accepted, in characters.
const MAX_ID_CHARS: usize = 256;
/// Indexing memory per writer thread. tantivy's minimum is 15 MB; more means fewer, larger
/// segments to merge during a rebuild.
const WRITER_BYTES_PER_THREAD: usize = 64 * 1024 * 1024;
/// Writer threads of an on-disk index: segmenting Chinese is the indexing cost and scales with
/// cores, but the node has other work.
const MAX_WRITER_THREADS: usize = 4;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// What was found.
    pub kind: DocKind,
    /// Its id, as given in the [`SearchDoc`].
    pub id: String,
    /// Its title as given (plain text, not escaped).
    pub title: String,
    /// A piece of the body, HTML-escaped, with the matched words in `<mark>…</mark>`; the start
    /// of the body (escaped) when no word of the body matched.
    pub snippet: kefu_html::SafeHtml,
    /// Relevance; at least 1 000 000 for an exact identifier match (2 000 000 when the whole
    /// search text is the identifier).
    pub score: f32,
}

/// The fields of our schema.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    /// `kind:id`, the key upsert and delete go by.
    pub(crate) key: Field,
    pub(crate) kind: Field,
    pub(crate) id: Field,
    pub(crate) title: Field,
    pub(crate) body: Field,
    pub(crate) identifiers: Field,
    pub(crate) status: Field,
    pub(crate) category: Field,
    pub(crate) department_id: Field,
    pub(crate) assignee_id: Field,
    pub(crate) customer_id: Field,
    pub(crate) audience: Field,
    pub(crate) created_at: Field,
    pub(crate) updated_at: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(CHINESE_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let identifiers = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING),
        kind: builder.add_text_field("kind", STRING | STORED),
        id: builder.add_text_field("id", STORED),
        title: builder.add_text_field("title", words.clone()),
        body: builder.add_text_field("body", words),
        identifiers: builder.add_text_field("identifiers", identifiers),
        status: builder.add_text_field("status", STRING),
        category: builder.add_text_field("category", STRING),
        department_id: builder.add_text_field("department_id", STRING),
        assignee_id: builder.add_text_field("assignee_id", STRING),
        customer_id: builder.add_text_field("customer_id", STRING),
        audience: builder.add_text_field("audience", STRING),
        created_at: builder.add_i64_field("created_at", INDEXED | FAST),
        updated_at: builder.add_i64_field("updated_at", FAST),
    };
    (builder.build(), fields)
}

fn key(kind: DocKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

/// A search index of cases, customers, shipments and articles.
///
/// Writes (`upsert`, `delete`, `clear`) become visible to `search` at `commit`, which also
/// records the outbox cursor they came from: after a crash the index holds exactly what was
/// committed, and [`SearchIndex::applied_cursor`] says where to resume. Safe to share between
/// threads; writes are serialised, searches run in parallel with them.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    /// The cursor of the last commit, which is also in the index's commit payload.
    applied_cursor: Mutex<Option<String>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("applied_cursor", &*lock(&self.applied_cursor))
            .finish_non_exhaustive()
    }
}

/// A poisoned lock means a panic while writing; tantivy's writer stays consistent (nothing is
/// visible before a commit), so carry on rather than turn one panic into many.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if there is none.
    /// Only one `SearchIndex` may have a directory open at a time (tantivy's writer lock); an
    /// index written with another schema is refused (rebuild it into a fresh directory).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, SearchError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, MAX_WRITER_THREADS);
        Self::with_index(index, fields, threads)
    }

    /// An index held in memory, gone when dropped: tests, and a node that rebuilds at start.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, 1)
    }

    fn with_index(index: Index, fields: Fields, threads: usize) -> Result<Self, SearchError> {
        index.tokenizers().register(
            CHINESE_TOKENIZER,
            TextAnalyzer::from(ChineseTokenizer::new()),
        );
        let writer = index.writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let applied_cursor = index.load_metas()?.payload;
        Ok(Self {
            index,
            fields,
            writer: Mutex::new(writer),
            reader,
            applied_cursor: Mutex::new(applied_cursor),
        })
    }

    /// Adds the documents, replacing any with the same `(kind, id)`. Visible after `commit`.
    /// A batch with an invalid document is refused whole.
    pub fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        for doc in docs {
            check_id(doc.kind, &doc.id)?;
        }
        let writer = lock(&self.writer);
        for doc in docs {
            writer.delete_term(Term::from_field_text(
                self.fields.key,
                &key(doc.kind, &doc.id),
            ));
            writer.add_document(self.document(doc))?;
        }
        Ok(())
    }

    /// Removes the document `(kind, id)`, if there is one. Visible after `commit`.
    pub fn delete(&self, kind: DocKind, id: &str) -> Result<(), SearchError> {
        check_id(kind, id)?;
        let writer = lock(&self.writer);
        writer.delete_term(Term::from_field_text(self.fields.key, &key(kind, id)));
        Ok(())
    }

    /// Makes every write so far durable and searchable, together with `applied_cursor`, the
    /// outbox position those writes bring the index up to (`None` keeps the previous one).
    /// Both are in one tantivy commit: a crash leaves the old documents with the old cursor or
    /// the new with the new.
    pub fn commit(&self, applied_cursor: Option<&str>) -> Result<(), SearchError> {
        let mut writer = lock(&self.writer);
        let mut current = lock(&self.applied_cursor);
        let cursor = applied_cursor
            .map(str::to_owned)
            .or_else(|| current.clone());
        let mut prepared = writer.prepare_commit()?;
        if let Some(cursor) = &cursor {
            prepared.set_payload(cursor);
        }
        prepared.commit()?;
        *current = cursor;
        drop(current);
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Empties the index and forgets the cursor, committed at once: a rebuild starts here and
    /// commits its own cursor when done, so a crash mid-rebuild resumes from the beginning.
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut writer = lock(&self.writer);
        let mut current = lock(&self.applied_cursor);
        writer.delete_all_documents()?;
        writer.commit()?;
        *current = None;
        drop(current);
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The outbox cursor of the last commit, `None` for a new or cleared index.
    pub fn applied_cursor(&self) -> Option<String> {
        lock(&self.applied_cursor).clone()
    }

    /// Committed documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The best hits for `query` among committed documents that its visibility allows, best
    /// first: exact identifier matches, then words by BM25 (title weighted above body).
    pub fn search(&self, query: &Query) -> Result<Vec<Hit>, SearchError> {
        let plan = plan(query, &self.fields)?;
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &plan.query,
            &TopDocs::with_limit(plan.limit).order_by_score(),
        )?;
        let mut snippets = SnippetGenerator::create(&searcher, &*plan.query, self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            // Every document we write has a kind we wrote; one we cannot read is skipped
            // rather than shown as something else.
            let Some(kind) = DocKind::parse(&text(self.fields.kind)) else {
                continue;
            };
            let snippet = snippets.snippet_from_doc(&doc);
            let snippet = if snippet.is_empty() {
                kefu_html::excerpt(&text(self.fields.body), SNIPPET_CHARS)
            } else {
                kefu_html::highlight(snippet.fragment(), snippet.highlighted())
            };
            hits.push(Hit {
                kind,
                id: text(self.fields.id),
                title: text(self.fields.title),
                snippet,
                score,
            });
        }
        Ok(hits)
    }

    fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut out = TantivyDocument::default();
        out.add_text(f.key, key(doc.kind, &doc.id));
        out.add_text(f.kind, doc.kind.as_str());
        out.add_text(f.id, &doc.id);
        out.add_text(f.title, &doc.title);
        out.add_text(f.body, &doc.body);
        for identifier in &doc.identifiers {
            for token in identifier_tokens(identifier) {
                out.add_text(f.identifiers, token);
            }
        }
        let filters = &doc.filters;
        for (field, value) in [
            (f.status, &filters.status),
            (f.category, &filters.category),
            (f.department_id, &filters.department_id),
            (f.assignee_id, &filters.assignee_id),
            (f.customer_id, &filters.customer_id),
        ] {
            if let Some(value) = value {
                out.add_text(field, value);
            }
        }
        if doc.kind == DocKind::Article {
            // An article nobody classified stays internal: the portal shows only what someone
            // chose to publish.
            let audience = filters.audience.unwrap_or(Audience::Internal);
            out.add_text(f.audience, audience.as_str());
        }
        if let Some(created_at) = filters.created_at {
            out.add_i64(f.created_at, created_at.as_millisecond());
        }
        out.add_i64(f.updated_at, doc.updated_at.as_millisecond());
        out
    }

    /// The tantivy index, for the benchmark's size report and tests.
    #[doc(hidden)]
    pub fn tantivy_index(&self) -> &Index {
        &self.index
    }
}

fn check_id(kind: DocKind, id: &str) -> Result<(), SearchError> {
    let reason = if id.trim().is_empty() {
        "the id is empty"
    } else if id.chars().count() > MAX_ID_CHARS {
        "the id is longer than 256 characters"
    } else if id.chars().any(char::is_control) {
        "the id contains control characters"
    } else {
        return Ok(());
    };
    Err(SearchError::InvalidDocument {
        kind: kind.as_str(),
        id: id.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_body_start_is_cut_and_marked() {
        let body = "长".repeat(SNIPPET_CHARS + 5);
        let start = kefu_html::excerpt(&body, SNIPPET_CHARS).to_string();
        assert_eq!(start.chars().count(), SNIPPET_CHARS + 1);
        assert!(start.ends_with('…'));
    }

    #[test]
    fn ids_are_checked() {
        assert!(check_id(DocKind::Case, "KF1").is_ok());
        assert!(check_id(DocKind::Case, " ").is_err());
        assert!(check_id(DocKind::Case, "a\nb").is_err());
        assert!(check_id(DocKind::Case, &"x".repeat(MAX_ID_CHARS + 1)).is_err());
    }
}
