//! The index itself: schema, writer, reader, the applied outbox cursor, and search.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
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
use crate::synonyms::Synonyms;
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
    /// search text is the thing's own identifier, 1 500 000 when it is a related one, such as
    /// the phone of a case's customer).
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
    /// [`SearchDoc::related_identifiers`], exact, below `identifiers`.
    pub(crate) related: Field,
    /// A customer's identifier tokens, stored (not indexed): what its cases were indexed with,
    /// so the indexer can tell whether a change to the customer must reach them.
    pub(crate) kept_identifiers: Field,
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
        identifiers: builder.add_text_field("identifiers", identifiers.clone()),
        related: builder.add_text_field("related", identifiers),
        kept_identifiers: builder.add_text_field("kept_identifiers", STORED),
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
    /// What searches expand their words with; replaced at run time, read by every search.
    synonyms: RwLock<Arc<Synonyms>>,
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
    /// Only one `SearchIndex` may have a directory open at a time (tantivy's writer lock). An
    /// index written by a kefu with another schema is emptied and started afresh, without a
    /// cursor, so the indexer rebuilds it from the store (`run_indexer` does at start).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, SearchError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        discard_other_schema(dir, &schema)?;
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
            synonyms: RwLock::new(Arc::new(Synonyms::starter())),
        })
    }

    /// Replaces the synonyms searches expand with (the index starts with
    /// [`Synonyms::starter`]). Takes effect for the next search; nothing is reindexed, since
    /// expansion happens at query time.
    pub fn replace_synonyms(&self, synonyms: Synonyms) {
        *self
            .synonyms
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(synonyms);
    }

    /// The synonyms searches expand with now.
    pub fn synonyms(&self) -> Arc<Synonyms> {
        Arc::clone(&self.synonyms.read().unwrap_or_else(PoisonError::into_inner))
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
    /// first: exact identifier matches, then words by BM25 (title weighted above body), their
    /// synonyms below them, and — when those find fewer than the limit — the searched words'
    /// characters in a row where jieba cut the document differently.
    pub fn search(&self, query: &Query) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let plan = plan(query, &self.fields, &self.synonyms())?;
        let collector = TopDocs::with_limit(plan.limit).order_by_score();
        let mut ran = None;
        for &pass in plan.passes() {
            let asked = plan.query(pass, &self.fields, &searcher)?;
            let top = searcher.search(&asked, &collector)?;
            let full = top.len() >= plan.limit;
            ran = Some((asked, top));
            if full {
                break;
            }
        }
        // `plan` always has the synonyms' pass.
        let Some((used, top)) = ran else {
            return Ok(Vec::new());
        };
        let mut snippets = SnippetGenerator::create(&searcher, &*used, self.fields.body)?;
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
        for identifier in &doc.related_identifiers {
            for token in identifier_tokens(identifier) {
                out.add_text(f.related, token);
            }
        }
        if doc.kind == DocKind::Customer {
            out.add_text(f.kept_identifiers, kept_identifiers(doc).join(" "));
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

    /// The identifier tokens the committed customer `id` was indexed with (see
    /// [`kept_identifiers`]); `None` when the index has no such customer.
    pub(crate) fn indexed_customer_identifiers(
        &self,
        id: &str,
    ) -> Result<Option<Vec<String>>, SearchError> {
        let searcher = self.reader.searcher();
        let key = TermQuery::new(
            Term::from_field_text(self.fields.key, &key(DocKind::Customer, id)),
            IndexRecordOption::Basic,
        );
        let Some((_, address)) = searcher
            .search(&key, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let kept = doc
            .get_first(self.fields.kept_identifiers)
            .and_then(|value| value.as_str())
            .unwrap_or_default();
        Ok(Some(kept.split_whitespace().map(str::to_owned).collect()))
    }

    /// The tantivy index, for the benchmark's size report and tests.
    #[doc(hidden)]
    pub fn tantivy_index(&self) -> &Index {
        &self.index
    }
}

/// Files of an index that tantivy keeps besides its segments: with them gone, the directory
/// holds no index.
const INDEX_META_FILES: [&str; 2] = ["meta.json", ".managed.json"];

/// Empties an index in `dir` whose schema is not `schema` (a kefu before or after this one
/// wrote it) and removes its metadata, so that a new index can be created in its place: tantivy
/// deletes the old segments, then the two files that describe them go.
fn discard_other_schema(dir: &Path, schema: &tantivy::schema::Schema) -> Result<(), SearchError> {
    let directory = MmapDirectory::open(dir)?;
    if !Index::exists(&directory).map_err(tantivy::TantivyError::from)? {
        return Ok(());
    }
    let old = Index::open(directory)?;
    if old.schema() == *schema {
        return Ok(());
    }
    tracing::warn!(
        dir = %dir.display(),
        "the search index was written with another schema; it is emptied and rebuilt"
    );
    let mut writer: IndexWriter = old.writer_with_num_threads(1, WRITER_BYTES_PER_THREAD)?;
    writer.delete_all_documents()?;
    writer.commit()?;
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    drop(old);
    for name in INDEX_META_FILES {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

/// A document's identifiers as the index holds them, sorted: equal for two versions of a
/// customer exactly when the cases that carry them need no update.
pub(crate) fn kept_identifiers(doc: &SearchDoc) -> Vec<String> {
    let mut tokens: Vec<String> = doc
        .identifiers
        .iter()
        .flat_map(|identifier| identifier_tokens(identifier))
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
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
    fn an_index_with_another_schema_is_replaced_by_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tantivy::schema::Schema::builder();
        let title = builder.add_text_field("title", tantivy::schema::TEXT);
        let old = Index::create_in_dir(dir.path(), builder.build()).unwrap();
        let mut writer: IndexWriter = old
            .writer_with_num_threads(1, WRITER_BYTES_PER_THREAD)
            .unwrap();
        writer.add_document(tantivy::doc!(title => "old")).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload("41");
        prepared.commit().unwrap();
        drop(writer);
        drop(old);
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.num_docs(), 0);
        assert_eq!(index.applied_cursor(), None);
        drop(index);
        // and our own schema is kept as it is
        let index = SearchIndex::open(dir.path()).unwrap();
        index.commit(Some("7")).unwrap();
        drop(index);
        assert_eq!(
            SearchIndex::open(dir.path())
                .unwrap()
                .applied_cursor()
                .as_deref(),
            Some("7")
        );
    }

    #[test]
    fn ids_are_checked() {
        assert!(check_id(DocKind::Case, "KF1").is_ok());
        assert!(check_id(DocKind::Case, " ").is_err());
        assert!(check_id(DocKind::Case, "a\nb").is_err());
        assert!(check_id(DocKind::Case, &"x".repeat(MAX_ID_CHARS + 1)).is_err());
    }
}
