//! The bridge to the desk: documents made from the domain's cases, customers and shipments,
//! the index as the domain's [`SearchEngine`], and the indexer that follows the store's search
//! outbox (each node keeps its own index from the one shared outbox, so every node answers
//! alike) or rebuilds everything (`kefu reindex`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Store;
use kefu_model::export::{ExportRecord, ExportTable};
use kefu_model::records::CaseQuery;
use kefu_model::search::{SearchEngine, SearchHit, SearchKind, SearchRequest, SearchScope};
use kefu_model::shipment::Shipment;
use kefu_model::{
    Case, CaseEvent, CaseId, Customer, CustomerId, DomainError, EventData, StoreError,
};

use crate::identifiers::order_numbers;
use crate::index::kept_identifiers;
use crate::{DocFilters, DocKind, Query, SearchDoc, SearchError, SearchIndex, Visibility};

/// How long the indexer waits for an outbox id it skipped (a transaction committing after a
/// later one, see `OutboxStore::search_outbox`), and how far behind its cursor it re-reads after a
/// start.
const LATE_COMMITS: SignedDuration = SignedDuration::from_secs(10);
/// Outbox entries per read.
const BATCH: u32 = 1_000;
/// Most new outbox entries one pass reads (and commits at once). A tantivy commit writes a
/// segment (its term dictionary built anew) and later merges it: committing every 1,000 changes
/// as fast as it could took a quarter of the CPU under a burst of creates, so a pass
/// takes all that waited since the last, and passes are [`INDEX_EVERY`] apart.
const MAX_PER_PASS: usize = 20_000;

impl From<SearchKind> for DocKind {
    fn from(k: SearchKind) -> DocKind {
        match k {
            SearchKind::Case => DocKind::Case,
            SearchKind::Customer => DocKind::Customer,
            SearchKind::Shipment => DocKind::Shipment,
            SearchKind::Article => DocKind::Article,
        }
    }
}

impl From<DocKind> for SearchKind {
    fn from(k: DocKind) -> SearchKind {
        match k {
            DocKind::Case => SearchKind::Case,
            DocKind::Customer => SearchKind::Customer,
            DocKind::Shipment => SearchKind::Shipment,
            DocKind::Article => SearchKind::Article,
        }
    }
}

fn domain_error(e: SearchError) -> DomainError {
    match e {
        SearchError::EmptyQuery => DomainError::invalid("q", "give something to search for"),
        SearchError::QueryTooLong { max } => {
            DomainError::invalid("q", format!("at most {max} characters"))
        }
        SearchError::InvalidFilter { field, reason } => DomainError::invalid(field, reason),
        other => DomainError::Store(StoreError::Backend(format!("search index: {other}"))),
    }
}

/// A case as the index sees it: number and subject as title; description and every message
/// (notes too: only staff search cases) as body. Exact: its number, waybills, the pickups booked
/// from it and the order numbers written in it; and, ranked below the customer's own document,
/// its customer's phones (hotline agents look a caller's history up by the number on the screen,
/// whole or its last four). `customer` is the case's customer as it is now (`None`: not found).
pub fn case_doc(case: &Case, events: &[CaseEvent], customer: Option<&Customer>) -> SearchDoc {
    let mut body = case.description.clone();
    let mut identifiers = vec![case.number.clone()];
    identifiers.extend(case.waybill_nos.iter().cloned());
    // Where people write order numbers: the subject, the description, messages, and the note
    // of an identity check by order number.
    let mut order_texts: Vec<&str> = vec![&case.subject, &case.description];
    for e in events {
        match &e.data {
            EventData::MessageAdded { body: text, .. } => {
                body.push('\n');
                body.push_str(text);
                order_texts.push(text);
            }
            EventData::PickupBooked { number, .. } => identifiers.push(number.clone()),
            EventData::IdentityConfirmed { note, .. } => order_texts.push(note),
            _ => {}
        }
    }
    for text in order_texts {
        identifiers.extend(order_numbers(text));
    }
    identifiers.sort();
    identifiers.dedup();
    let related_identifiers = customer
        .map(|c| c.phones.iter().map(|p| p.as_str().to_string()).collect())
        .unwrap_or_default();
    SearchDoc {
        kind: DocKind::Case,
        id: case.id.to_string(),
        title: format!("{} {}", case.number, case.subject),
        body,
        identifiers,
        related_identifiers,
        filters: DocFilters {
            status: Some(case.status.as_str().to_string()),
            category: Some(case.category.as_str().to_string()),
            department_id: case.department.as_ref().map(|d| d.to_string()),
            assignee_id: case.assignee.as_ref().map(|a| a.to_string()),
            customer_id: Some(case.customer_id.to_string()),
            created_at: Some(case.created_at),
            audience: None,
        },
        updated_at: case.updated_at,
    }
}

pub fn customer_doc(c: &Customer) -> SearchDoc {
    let mut identifiers: Vec<String> = c.phones.iter().map(|p| p.as_str().to_string()).collect();
    identifiers.extend(c.emails.iter().map(|e| e.as_str().to_string()));
    SearchDoc {
        kind: DocKind::Customer,
        id: c.id.to_string(),
        title: if c.name.is_empty() {
            "客户".to_string()
        } else {
            c.name.clone()
        },
        body: c.tags.join(" "),
        identifiers,
        related_identifiers: Vec::new(),
        filters: DocFilters {
            customer_id: Some(c.id.to_string()),
            created_at: Some(c.created_at),
            ..DocFilters::default()
        },
        updated_at: c.updated_at,
    }
}

/// Shipments are searched by staff: the route and the scans, the parties' phones exact. The
/// route is the parties' districts only (`Party::masked`), never the street: a hit's snippet is
/// an answer like any other and shows no full address (R-SEC-1).
pub fn shipment_doc(s: &Shipment) -> SearchDoc {
    let mut body = format!(
        "{} → {} {}",
        s.sender.masked().region,
        s.recipient.masked().region,
        s.item
    );
    for scan in &s.events {
        body.push('\n');
        body.push_str(&scan.location);
        body.push(' ');
        body.push_str(&scan.description);
    }
    SearchDoc {
        kind: DocKind::Shipment,
        id: s.waybill_no.clone(),
        title: format!("{} {}", s.waybill_no, s.status.as_str()),
        body,
        identifiers: vec![
            s.waybill_no.clone(),
            s.sender.phone.as_str().to_string(),
            s.recipient.phone.as_str().to_string(),
        ],
        related_identifiers: Vec::new(),
        filters: DocFilters {
            status: Some(s.status.as_str().to_string()),
            created_at: Some(s.shipped_at),
            ..DocFilters::default()
        },
        updated_at: s.updated_at,
    }
}

/// A knowledge-base article: its titles, its text in both languages and its tags; the
/// audience decides who finds it. An archived article is not in the index.
pub fn article_doc(a: &kefu_model::kb::Article) -> SearchDoc {
    let title =
        a.zh.as_ref()
            .or(a.en.as_ref())
            .map_or_else(String::new, |t| t.title.clone());
    SearchDoc {
        kind: DocKind::Article,
        id: a.id.clone(),
        title,
        body: a.search_body(),
        identifiers: Vec::new(),
        related_identifiers: Vec::new(),
        filters: DocFilters {
            category: Some(a.category.clone()),
            created_at: Some(a.created_at),
            audience: Some(match a.audience {
                kefu_model::kb::ArticleAudience::Public => crate::Audience::Public,
                kefu_model::kb::ArticleAudience::Internal => crate::Audience::Internal,
            }),
            ..DocFilters::default()
        },
        updated_at: a.updated_at,
    }
}

impl SearchEngine for SearchIndex {
    fn search(
        &self,
        request: &SearchRequest,
        scope: &SearchScope,
    ) -> Result<Vec<SearchHit>, DomainError> {
        let visibility = match scope {
            SearchScope::All => Visibility::All,
            SearchScope::Department(d) => Visibility::Department(d.to_string()),
            SearchScope::PublicArticles => Visibility::PublicArticlesOnly,
        };
        let mut query = Query::new(request.q.clone(), visibility);
        query.kinds = request.kind.map(|k| vec![k.into()]);
        query.status = request.status.clone();
        query.category = request.category.clone();
        query.min_word_percent = request.min_word_percent;
        query.department_id = request.department_id.as_ref().map(|d| d.to_string());
        query.created_from = request.created_from;
        query.created_to = request.created_to;
        if request.limit > 0 {
            query.limit = request.limit;
        }
        let hits = SearchIndex::search(self, &query).map_err(domain_error)?;
        Ok(hits
            .into_iter()
            .map(|h| SearchHit {
                kind: h.kind.into(),
                id: h.id,
                title: h.title,
                snippet: h.snippet,
                score: h.score,
            })
            .collect())
    }

    fn check_synonyms(&self, text: &str) -> Result<(), DomainError> {
        crate::Synonyms::parse(text)
            .map(|_| ())
            .map_err(|e| DomainError::invalid("text", e.to_string()))
    }

    fn use_synonyms(&self, text: &str) -> Result<(), DomainError> {
        let synonyms = crate::Synonyms::parse(text)
            .map_err(|e| DomainError::invalid("text", e.to_string()))?;
        self.replace_synonyms(synonyms);
        Ok(())
    }
}

fn store_error(e: StoreError) -> DomainError {
    DomainError::Store(e)
}

fn index_error(e: SearchError) -> DomainError {
    DomainError::Store(StoreError::Backend(format!("search index: {e}")))
}

/// Customers read during one indexing pass, so that a customer's document and the cases that
/// carry its phones are built from the same reading of it.
#[derive(Default)]
struct Customers(HashMap<CustomerId, Option<Customer>>);

impl Customers {
    async fn get(
        &mut self,
        store: &dyn Store,
        id: &CustomerId,
    ) -> Result<Option<&Customer>, DomainError> {
        if !self.0.contains_key(id) {
            let customer = store.customer_by_id(id).await.map_err(store_error)?;
            self.0.insert(id.clone(), customer);
        }
        Ok(self.0.get(id).and_then(Option::as_ref))
    }
}

async fn case_doc_now(
    store: &dyn Store,
    case: &Case,
    customers: &mut Customers,
) -> Result<SearchDoc, DomainError> {
    let events = store.case_events(&case.id).await.map_err(store_error)?;
    let customer = customers.get(store, &case.customer_id).await?;
    Ok(case_doc(case, &events, customer))
}

/// The document of one entity as it is now (`None`: it is gone, remove it).
async fn load(
    store: &dyn Store,
    kind: &str,
    id: &str,
    customers: &mut Customers,
) -> Result<Option<SearchDoc>, DomainError> {
    Ok(match kind {
        "case" => match CaseId::parse(id) {
            Some(case_id) => match store.case_by_id(&case_id).await.map_err(store_error)? {
                Some(case) => Some(case_doc_now(store, &case, customers).await?),
                None => None,
            },
            None => None,
        },
        "customer" => match CustomerId::parse(id) {
            Some(cid) => customers
                .get(store, &cid)
                .await?
                // A customer merged into another is found as that one.
                .filter(|c| c.merged_into.is_none())
                .map(customer_doc),
            None => None,
        },
        "shipment" => store
            .shipment(id)
            .await
            .map_err(store_error)?
            .map(|s| shipment_doc(&s)),
        "article" => store
            .article(id)
            .await
            .map_err(store_error)?
            .filter(|a| !a.archived)
            .map(|a| article_doc(&a)),
        _ => None,
    })
}

/// Cases read per page when a customer's cases are re-indexed.
const CUSTOMER_CASES_PAGE: u32 = 200;

/// The documents of every case of `customer`, when its identifiers differ from those the index
/// holds for it (a phone added, changed or removed): its cases carry them. A customer whose
/// identifiers are unchanged (a new case, a new tag) costs one read of the index.
async fn customer_cases_if_changed(
    index: &SearchIndex,
    store: &dyn Store,
    doc: &SearchDoc,
    customers: &mut Customers,
) -> Result<Vec<SearchDoc>, DomainError> {
    let indexed = index
        .indexed_customer_identifiers(&doc.id)
        .map_err(index_error)?;
    if indexed.as_deref() == Some(kept_identifiers(doc).as_slice()) {
        return Ok(Vec::new());
    }
    let Some(customer_id) = CustomerId::parse(&doc.id) else {
        return Ok(Vec::new());
    };
    let mut docs = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .list_cases(&CaseQuery {
                customer_id: Some(customer_id.clone()),
                before,
                limit: CUSTOMER_CASES_PAGE,
                ..CaseQuery::default()
            })
            .await
            .map_err(store_error)?;
        for case in &page.items {
            docs.push(case_doc_now(store, case, customers).await?);
        }
        match page.next_cursor.as_deref().and_then(CaseId::parse) {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    Ok(docs)
}

/// What a node's indexer remembers between passes (in memory; a restart re-reads the
/// late-commit window behind its cursor once instead).
///
/// Outbox ids come from a sequence, and on PostgreSQL a transaction can commit after one that
/// took a higher id: the lower id is missing when the indexer first reads past it, and shows up
/// later (or never, if it was rolled back). The indexer reads only what is after its cursor and
/// remembers the ids it skipped ("holes") for [`LATE_COMMITS`], asking for just those again on
/// each pass. Re-reading the whole window behind the cursor on every pass instead would read
/// every recent entry again five times a second, and with the batch limit a busy window
/// crowds out the new entries (the index then lags by seconds).
#[derive(Debug, Default)]
pub struct Applied {
    /// Ids below the cursor not seen yet, with when they were first missed.
    holes: BTreeMap<i64, Timestamp>,
    /// The window behind the cursor was re-read since this process started.
    window_read: bool,
}

/// Most holes remembered; more in one pass means the ids jumped (a sequence reset), not
/// transactions committing late.
const MAX_HOLES: usize = 10_000;

/// One pass over the outbox: the entries after the index's cursor, the late arrivals among
/// the holes (and, first thing after a start, the late-commit window behind the cursor),
/// re-read from the store and committed with the new cursor. Returns how many entities were
/// (re)indexed.
pub async fn apply_outbox(
    index: &SearchIndex,
    store: &dyn Store,
    now: Timestamp,
    applied: &mut Applied,
) -> Result<usize, DomainError> {
    let cursor = cursor_of(index);
    let since = now.checked_sub(LATE_COMMITS).unwrap_or(now);
    // Changed only once the pass has committed: a failed pass leaves the state as it was.
    let mut holes = applied.holes.clone();
    holes.retain(|_, missed_at| *missed_at >= since);
    let mut entries = Vec::new();
    if !applied.window_read {
        let window = window_behind(store, cursor, since).await?;
        if let Some(first) = window.first() {
            note_holes(&mut holes, first.id, cursor, &window, now);
        }
        entries.extend(window);
    }
    entries.extend(late_arrivals(store, &mut holes).await?);
    let mut fresh = Vec::new();
    loop {
        let after = fresh
            .last()
            .map_or(cursor, |e: &kefu_model::records::OutboxEntry| e.id);
        let page = store
            .search_outbox(after, Timestamp::MAX, BATCH)
            .await
            .map_err(store_error)?;
        let full = page.len() >= BATCH as usize;
        fresh.extend(page);
        if !full || fresh.len() >= MAX_PER_PASS {
            break;
        }
    }
    let last = fresh
        .iter()
        .map(|e| e.id)
        .max()
        .unwrap_or(cursor)
        .max(cursor);
    note_holes(&mut holes, cursor.saturating_add(1), last, &fresh, now);
    entries.extend(fresh);
    if entries.is_empty() {
        applied.holes = holes;
        applied.window_read = true;
        return Ok(0);
    }
    // Each entity once per pass, however often it changed; customers first, so that the cases
    // built after them carry the phones their customer's document was built with.
    let changed: BTreeSet<(bool, String, String)> = entries
        .iter()
        .map(|e| (e.kind != "customer", e.kind.clone(), e.entity_id.clone()))
        .collect();
    let mut customers = Customers::default();
    let mut docs: BTreeMap<(&'static str, String), SearchDoc> = BTreeMap::new();
    for (_, kind, id) in &changed {
        match load(store, kind, id, &mut customers).await? {
            Some(doc) => {
                if doc.kind == DocKind::Customer {
                    for case in
                        customer_cases_if_changed(index, store, &doc, &mut customers).await?
                    {
                        docs.insert((case.kind.as_str(), case.id.clone()), case);
                    }
                }
                docs.insert((doc.kind.as_str(), doc.id.clone()), doc);
            }
            None => {
                if let Some(k) = DocKind::parse(kind) {
                    index.delete(k, id).map_err(index_error)?;
                }
            }
        }
    }
    let docs: Vec<SearchDoc> = docs.into_values().collect();
    index.upsert(&docs).map_err(index_error)?;
    index.commit(Some(&last.to_string())).map_err(index_error)?;
    applied.holes = holes;
    applied.window_read = true;
    Ok(changed.len())
}

/// Remembers as holes the ids from `first` to `last` that are not among `seen` (sorted by id).
fn note_holes(
    holes: &mut BTreeMap<i64, Timestamp>,
    first: i64,
    last: i64,
    seen: &[kefu_model::records::OutboxEntry],
    now: Timestamp,
) {
    let mut seen = seen.iter().map(|e| e.id).peekable();
    for id in first..=last {
        while seen.next_if(|&s| s < id).is_some() {}
        if seen.next_if_eq(&id).is_some() {
            continue;
        }
        if holes.len() >= MAX_HOLES {
            tracing::warn!(id, "search outbox: too many missing ids to wait for");
            return;
        }
        holes.entry(id).or_insert(now);
    }
}

/// The entries of the late-commit window up to `cursor` (from the oldest written at or after
/// `since`), read once after a start: the holes of the previous run are not remembered.
async fn window_behind(
    store: &dyn Store,
    cursor: i64,
    since: Timestamp,
) -> Result<Vec<kefu_model::records::OutboxEntry>, DomainError> {
    // `after = i64::MAX`: only the time condition holds; the oldest such entry starts the window.
    let oldest = store
        .search_outbox(i64::MAX, since, 1)
        .await
        .map_err(store_error)?;
    let Some(oldest) = oldest.first() else {
        return Ok(Vec::new());
    };
    let mut window = Vec::new();
    let mut after = oldest.id.saturating_sub(1);
    while after < cursor {
        let page = store
            .search_outbox(after, Timestamp::MAX, BATCH)
            .await
            .map_err(store_error)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        window.extend(page.into_iter().filter(|e| e.id <= cursor));
    }
    Ok(window)
}

/// The holes that have arrived since, removed from `holes`; one read per run of consecutive
/// missing ids.
async fn late_arrivals(
    store: &dyn Store,
    holes: &mut BTreeMap<i64, Timestamp>,
) -> Result<Vec<kefu_model::records::OutboxEntry>, DomainError> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &id in holes.keys() {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == id => *end = id,
            _ => runs.push((id, id)),
        }
    }
    let mut arrived = Vec::new();
    for (first, last) in runs {
        let span = u32::try_from(last - first + 1).unwrap_or(u32::MAX);
        let found = store
            .search_outbox(first - 1, Timestamp::MAX, span)
            .await
            .map_err(store_error)?;
        for entry in found.into_iter().filter(|e| e.id <= last) {
            holes.remove(&entry.id);
            arrived.push(entry);
        }
    }
    Ok(arrived)
}

/// Rebuilds the index from the store: everything indexed, the cursor at the outbox's end.
pub async fn reindex(index: &SearchIndex, store: &dyn Store) -> Result<u64, DomainError> {
    // The cursor first: changes made while this runs are picked up after it.
    let head = store.search_outbox_head().await.map_err(store_error)?;
    index.clear().map_err(index_error)?;
    let mut count = 0u64;
    for table in [
        ExportTable::Customers,
        ExportTable::Cases,
        ExportTable::Shipments,
        ExportTable::Articles,
    ] {
        let mut after: Option<String> = None;
        loop {
            let chunk = store
                .export_chunk(table, after.clone(), 500)
                .await
                .map_err(store_error)?;
            let Some(last) = chunk.last() else { break };
            after = Some(last.key());
            let mut docs = Vec::with_capacity(chunk.len());
            // Per chunk: a customer's cases are often close together, and memory stays small.
            let mut customers = Customers::default();
            for record in &chunk {
                match record {
                    ExportRecord::Customer(c) if c.merged_into.is_none() => {
                        docs.push(customer_doc(c))
                    }
                    ExportRecord::Case(c) => {
                        docs.push(case_doc_now(store, c, &mut customers).await?);
                    }
                    ExportRecord::Shipment(s) => docs.push(shipment_doc(s)),
                    ExportRecord::Article(a) if !a.archived => docs.push(article_doc(a)),
                    _ => {}
                }
            }
            count += docs.len() as u64;
            index.upsert(&docs).map_err(index_error)?;
        }
    }
    index.commit(Some(&head.to_string())).map_err(index_error)?;
    Ok(count)
}

/// How often a node looks at the outbox: a change is searchable within about this (plus the
/// commit), well inside the one second.
pub const INDEX_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

fn cursor_of(index: &SearchIndex) -> i64 {
    index
        .applied_cursor()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// How often the indexer looks for a changed synonym list.
const SYNONYMS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Uses the stored synonym list when it differs from the one in use (none stored: the starter
/// list, which the index opens with).
async fn follow_synonyms(index: &SearchIndex, store: &dyn Store, in_use: &mut Option<String>) {
    let stored = match store.setting(kefu_model::search::SYNONYMS_SETTING).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "reading the synonym list failed");
            return;
        }
    };
    let text = match stored {
        None => kefu_model::search::STARTER_SYNONYMS.to_string(),
        Some(v) => match v.get("text").and_then(|t| t.as_str()) {
            Some(t) => t.to_string(),
            None => {
                tracing::warn!("the stored synonym list has no text");
                return;
            }
        },
    };
    if in_use.as_deref() == Some(text.as_str()) {
        return;
    }
    match SearchEngine::use_synonyms(index, &text) {
        Ok(()) => *in_use = Some(text),
        Err(e) => tracing::warn!(error = %e, "the stored synonym list was refused"),
    }
}

/// Every node's indexer: follows the outbox for as long as the process runs. An index that has
/// never been built (no cursor) is rebuilt from the store first.
pub async fn run_indexer(
    index: std::sync::Arc<SearchIndex>,
    store: std::sync::Arc<dyn Store>,
    clock: std::sync::Arc<dyn kefu_model::Clock>,
) {
    if index.applied_cursor().is_none() {
        match reindex(&index, store.as_ref()).await {
            Ok(n) => tracing::info!(documents = n, "search index built"),
            Err(e) => {
                tracing::warn!(error = %e, "building the search index failed; following the outbox")
            }
        }
    }
    let mut applied = Applied::default();
    let mut synonyms_read: Option<std::time::Instant> = None;
    let mut synonyms_text: Option<String> = None;
    loop {
        // Every node follows the admin's synonym list: read at start and every few seconds
        // after (a change made on another node reaches this one without a restart).
        if synonyms_read.is_none_or(|t| t.elapsed() >= SYNONYMS_EVERY) {
            synonyms_read = Some(std::time::Instant::now());
            follow_synonyms(&index, store.as_ref(), &mut synonyms_text).await;
        }
        let before = cursor_of(&index);
        if let Err(e) = apply_outbox(&index, store.as_ref(), clock.now(), &mut applied).await {
            tracing::warn!(error = %e, "search indexing failed; retrying");
        }
        // A full pass means more is waiting (a backlog after a start): go on at once.
        let behind = usize::try_from(cursor_of(&index) - before).is_ok_and(|n| n >= MAX_PER_PASS);
        if !behind {
            tokio::time::sleep(INDEX_EVERY).await;
        }
    }
}
