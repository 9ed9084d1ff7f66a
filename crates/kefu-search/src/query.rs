//! A search request, its validation, and the tantivy query built from it.
//!
//! User text never reaches tantivy's query parser (whose syntax — `field:`, `"`, `~`, `^`,
//! ranges — would let a search box error out or widen itself); queries are assembled from
//! [`TermQuery`], [`PhraseQuery`] and [`BooleanQuery`] over segmented words.

use std::collections::HashSet;
use std::ops::Bound;

use jiff::Timestamp;
use serde::Serialize;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TantivyQuery,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::doc::{Audience, DocKind};
use crate::error::SearchError;
use crate::identifiers::normalize_identifier;
use crate::index::Fields;
use crate::synonyms::concepts_in;
use crate::tokenizer::query_words;

/// Longest search text accepted, in characters. Longer is a paste, not a search.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most hits one search returns.
pub const MAX_LIMIT: usize = 100;
/// Hits returned when the caller does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// Longest filter value accepted (ids, status and category codes), in characters.
const MAX_FILTER_CHARS: usize = 128;
/// Word and concept clauses kept from one search text; the rest are dropped rather than letting
/// a long text turn into a very wide query.
const MAX_TEXT_CLAUSES: usize = 16;
/// Whitespace-separated pieces of a search text tried as identifiers.
const MAX_IDENTIFIER_CANDIDATES: usize = 16;
/// Score of an exact identifier match (twice this when the whole text is the identifier). BM25 of a [`MAX_QUERY_CHARS`] text over a few million
/// documents stays far below it, so an identifier hit always ranks above a word hit.
const IDENTIFIER_SCORE: f32 = 1_000_000.0;
/// A word in the title counts this many times a word in the body.
const TITLE_BOOST: f32 = 3.0;

/// Words that carry nothing in a search (particles, pronouns, politeness). Dropped unless the
/// text has nothing else.
const STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "哦",
    "是",
    "我",
    "你",
    "您",
    "他",
    "她",
    "我的",
    "在",
    "和",
    "与",
    "就",
    "都",
    "也",
    "还",
    "请",
    "帮",
    "帮我",
    "一下",
    "怎么",
    "什么",
    "为什么",
    "这个",
    "那个",
    "有",
    "没",
    "没有",
    "不",
    "要",
    "能",
    "可以",
    "给",
    "把",
    "被",
    "到",
    "说",
    "问",
    "下",
    "个",
    "一个",
    "你好",
    "您好",
    "谢谢",
    // How people ask, not what they ask about.
    "咋",
    "咋办",
    "怎么办",
    "怎样",
    "如何",
    "啥",
    "呗",
    "嘛",
    "么",
    "请问",
    "想",
    "想问",
    "a",
    "an",
    "the",
    "of",
    "to",
    "is",
    "are",
    "i",
    "my",
    "me",
    "you",
    "your",
    "we",
    "it",
    "can",
    "could",
    "do",
    "does",
    "how",
    "what",
    "why",
    "when",
    "will",
    "would",
    "should",
    "please",
    "for",
    "in",
    "on",
    "and",
    "or",
    "be",
    "this",
    "that",
];

/// Whose eyes a search is for. The crate does not know actors or roles: the caller (the desk)
/// decides which of these an actor gets, and the index enforces it on every hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "department_id")]
pub enum Visibility {
    /// Everything: agents, supervisors, admins.
    All,
    /// Department staff: only cases whose `department_id` is this one (the cases transferred to
    /// them) and knowledge-base articles; no customers or shipments, no other department's cases.
    Department(String),
    /// The customer portal: only articles whose audience is public.
    PublicArticlesOnly,
}

/// One search. Build it with [`Query::new`] and set the filters wanted:
/// `Query { status: Some("open".into()), ..Query::new("破损", Visibility::All) }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// What was typed: words, a waybill number, a phone (or its last four digits), a case
    /// number, an email.
    pub text: String,
    /// Only these kinds (`None`: every kind the visibility allows).
    pub kinds: Option<Vec<DocKind>>,
    /// Only documents with this status.
    pub status: Option<String>,
    /// Only documents in this category.
    pub category: Option<String>,
    /// Only documents of this department (a filter; [`Visibility::Department`] is the permission).
    pub department_id: Option<String>,
    /// Only documents created at or after this instant.
    pub created_from: Option<Timestamp>,
    /// Only documents created before this instant.
    pub created_to: Option<Timestamp>,
    /// At most this many hits, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// This percentage of the words must match (rounded up, at least one; `None`: all of one
    /// or two words, two of three, three of four …). Lower finds more, higher finds surer.
    pub min_word_percent: Option<u8>,
    /// What the searcher may see.
    pub visibility: Visibility,
}

impl Query {
    /// A search for `text` with no filters and [`DEFAULT_LIMIT`] hits.
    pub fn new(text: impl Into<String>, visibility: Visibility) -> Self {
        Self {
            text: text.into(),
            kinds: None,
            status: None,
            category: None,
            department_id: None,
            created_from: None,
            created_to: None,
            limit: DEFAULT_LIMIT,
            min_word_percent: None,
            visibility,
        }
    }
}

/// A clause of a boolean query.
type Clause = (Occur, Box<dyn TantivyQuery>);

/// One alternative way of matching a clause: a word, or words at character offsets (a phrase).
type Alternative = Vec<(usize, String)>;

/// A validated query turned into what the index is asked.
pub(crate) struct Plan {
    pub(crate) query: Box<dyn TantivyQuery>,
    pub(crate) limit: usize,
}

pub(crate) fn plan(query: &Query, fields: &Fields) -> Result<Plan, SearchError> {
    let text: String = query
        .text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::QueryTooLong {
            max: MAX_QUERY_CHARS,
        });
    }
    if query.limit == 0 || query.limit > MAX_LIMIT {
        return Err(invalid("limit", "must be between 1 and 100"));
    }
    let mut filters = filter_clauses(query, fields)?;

    let mut matching = identifier_queries(text, fields.identifiers);
    if query.min_word_percent.is_some_and(|p| p > 100) {
        return Err(invalid("min_word_percent", "must be at most 100"));
    }
    if let Some(words) = text_query(text, fields, query.min_word_percent) {
        matching.push((Occur::Should, words));
    }
    let mut clauses = vec![(
        Occur::Must,
        Box::new(BooleanQuery::new(matching)) as Box<dyn TantivyQuery>,
    )];
    clauses.append(&mut filters);
    Ok(Plan {
        query: Box::new(BooleanQuery::new(clauses)),
        limit: query.limit,
    })
}

fn invalid(field: &'static str, reason: &'static str) -> SearchError {
    SearchError::InvalidFilter { field, reason }
}

fn checked_value<'v>(field: &'static str, value: &'v str) -> Result<&'v str, SearchError> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if value.chars().count() > MAX_FILTER_CHARS {
        return Err(invalid(field, "is longer than 128 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(value)
}

/// A filter clause: it narrows, it never scores.
fn filter(query: Box<dyn TantivyQuery>) -> Clause {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn exact(field: Field, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn filter_clauses(query: &Query, fields: &Fields) -> Result<Vec<Clause>, SearchError> {
    let mut clauses = Vec::new();
    if let Some(kinds) = &query.kinds {
        if kinds.is_empty() {
            return Err(invalid("kinds", "must name at least one kind"));
        }
        let any_kind = kinds
            .iter()
            .map(|kind| (Occur::Should, exact(fields.kind, kind.as_str())))
            .collect();
        clauses.push(filter(Box::new(BooleanQuery::new(any_kind))));
    }
    if let Some(status) = &query.status {
        clauses.push(filter(exact(
            fields.status,
            checked_value("status", status)?,
        )));
    }
    if let Some(category) = &query.category {
        let category = checked_value("category", category)?;
        clauses.push(filter(exact(fields.category, category)));
    }
    if let Some(department) = &query.department_id {
        let department = checked_value("department_id", department)?;
        clauses.push(filter(exact(fields.department_id, department)));
    }
    if let (Some(from), Some(to)) = (query.created_from, query.created_to)
        && from >= to
    {
        return Err(invalid("created_from", "must be before created_to"));
    }
    if query.created_from.is_some() || query.created_to.is_some() {
        let bound = |at: Timestamp| Term::from_field_i64(fields.created_at, at.as_millisecond());
        let lower = query
            .created_from
            .map_or(Bound::Unbounded, |at| Bound::Included(bound(at)));
        let upper = query
            .created_to
            .map_or(Bound::Unbounded, |at| Bound::Excluded(bound(at)));
        clauses.push(filter(Box::new(RangeQuery::new(lower, upper))));
    }
    match &query.visibility {
        Visibility::All => {}
        Visibility::Department(department) => {
            let department = checked_value("visibility", department)?;
            let own_cases = BooleanQuery::new(vec![
                (Occur::Must, exact(fields.kind, DocKind::Case.as_str())),
                (Occur::Must, exact(fields.department_id, department)),
            ]);
            let either = BooleanQuery::new(vec![
                (Occur::Should, Box::new(own_cases) as Box<dyn TantivyQuery>),
                (Occur::Should, exact(fields.kind, DocKind::Article.as_str())),
            ]);
            clauses.push(filter(Box::new(either)));
        }
        Visibility::PublicArticlesOnly => {
            clauses.push(filter(exact(fields.kind, DocKind::Article.as_str())));
            clauses.push(filter(exact(fields.audience, Audience::Public.as_str())));
        }
    }
    Ok(clauses)
}

/// The whole text as one identifier (`138 0013 8000` is the phone), and each of its pieces
/// (split at spaces and Chinese or Latin commas) as another (`SF1234 8000` tries both). A piece
/// scores below the whole: in `SF 1234 5678 90123` the waybill matters, not a phone ending 5678.
fn identifier_queries(text: &str, field: Field) -> Vec<Clause> {
    let whole = normalize_identifier(text);
    let mut seen = HashSet::from([whole.clone()]);
    let pieces: Vec<Clause> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .map(normalize_identifier)
        .filter(|piece| !piece.is_empty() && seen.insert(piece.clone()))
        .take(MAX_IDENTIFIER_CANDIDATES)
        .map(|piece| (Occur::Should, exact(field, &piece)))
        .collect();
    let mut clauses = Vec::new();
    if !whole.is_empty() {
        let whole = ConstScoreQuery::new(exact(field, &whole), 2.0 * IDENTIFIER_SCORE);
        clauses.push((Occur::Should, Box::new(whole) as Box<dyn TantivyQuery>));
    }
    if !pieces.is_empty() {
        let pieces = ConstScoreQuery::new(Box::new(BooleanQuery::new(pieces)), IDENTIFIER_SCORE);
        clauses.push((Occur::Should, Box::new(pieces) as Box<dyn TantivyQuery>));
    }
    clauses
}

/// The word part: logistics concepts found in the text (each matching any of its expressions),
/// then the remaining words of a precise cut. Each clause matches in the title (boosted) or the
/// body; most clauses must match (all of one or two, two of three, three of four …), so a long
/// text still finds a document that phrases one part differently.
fn text_query(
    text: &str,
    fields: &Fields,
    min_word_percent: Option<u8>,
) -> Option<Box<dyn TantivyQuery>> {
    let lowered: String = text.to_lowercase();
    let mut rest = lowered.clone();
    let mut clauses: Vec<Vec<Alternative>> = Vec::new();
    for (concept, expression) in concepts_in(&lowered) {
        if rest.contains(expression) {
            rest = rest.replace(expression, " ");
            clauses.push(concept.iter().map(|e| query_words(e)).collect());
        }
    }
    let words = query_words(&rest);
    let meaningful: Vec<&String> = words
        .iter()
        .map(|(_, word)| word)
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .collect();
    let kept = if meaningful.is_empty() && clauses.is_empty() {
        words.iter().map(|(_, word)| word).collect()
    } else {
        meaningful
    };
    let mut seen = HashSet::new();
    for word in kept {
        if seen.insert(word.clone()) {
            clauses.push(vec![vec![(0, word.clone())]]);
        }
    }
    clauses.truncate(MAX_TEXT_CLAUSES);
    if clauses.is_empty() {
        return None;
    }
    let count = clauses.len();
    let usual = if count <= 2 { count } else { count - count / 3 };
    let required = match min_word_percent {
        Some(p) => (count * usize::from(p)).div_ceil(100).max(1),
        None => usual,
    };
    let clauses = clauses
        .into_iter()
        .map(|alternatives| (Occur::Should, clause_query(&alternatives, fields)))
        .collect();
    Some(Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses, required,
    )))
}

fn clause_query(alternatives: &[Alternative], fields: &Fields) -> Box<dyn TantivyQuery> {
    let mut options: Vec<Clause> = Vec::new();
    for alternative in alternatives {
        if let Some(in_title) = alternative_query(alternative, fields.title) {
            options.push((
                Occur::Should,
                Box::new(BoostQuery::new(in_title, TITLE_BOOST)),
            ));
        }
        if let Some(in_body) = alternative_query(alternative, fields.body) {
            options.push((Occur::Should, in_body));
        }
    }
    Box::new(BooleanQuery::new(options))
}

fn alternative_query(alternative: &Alternative, field: Field) -> Option<Box<dyn TantivyQuery>> {
    match alternative.as_slice() {
        [] => None,
        [(_, word)] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        ))),
        words => {
            let first = words.first().map_or(0, |(offset, _)| *offset);
            let terms = words
                .iter()
                .map(|(offset, word)| (offset - first, Term::from_field_text(field, word)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}
