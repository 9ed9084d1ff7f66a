//! A search request, its validation, and the tantivy query built from it.
//!
//! User text never reaches tantivy's query parser (whose syntax — `field:`, `"`, `~`, `^`,
//! ranges — would let a search box error out or widen itself); queries are assembled from
//! [`TermQuery`], [`PhraseQuery`] and [`BooleanQuery`] over segmented words.

use std::collections::HashSet;
use std::ops::Bound;

use jiff::Timestamp;
use serde::Serialize;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::doc::{Audience, DocKind};
use crate::error::SearchError;
use crate::identifiers::normalize_identifier;
use crate::index::Fields;
use crate::synonyms::Synonyms;
use crate::tokenizer::{ideograph_run, is_ideograph, query_words, tail_term, text_chars};

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
/// Score of an exact identifier match (twice this when the whole text is the identifier). BM25
/// of a [`MAX_QUERY_CHARS`] text over a few million documents stays far below it, so an
/// identifier hit always ranks above a word hit.
const IDENTIFIER_SCORE: f32 = 1_000_000.0;
/// A word in the title counts this many times a word in the body.
const TITLE_BOOST: f32 = 3.0;
/// What a match of the searched word's characters in a row counts (where jieba cut the
/// document's text differently, `被漏派了` for `漏派`), next to the word itself.
const PIECES_WEIGHT: f32 = 0.5;
/// Words longer than this (in characters) are not looked for in other pieces: the ways to cut
/// them grow as 2^(n-1), and jieba seldom splits a long word it knows.
const MAX_PIECED_CHARS: usize = 6;
/// Most ways of cutting one word tried per field.
const MAX_PIECINGS: usize = 16;
/// Most words a piece at the end of a cut stands for as their start (`送` for 送到, 送货 …).
const MAX_PREFIX_EXPANSIONS: u32 = 100;
/// What another expression of the searched word's synonym concept counts, next to the word
/// itself: below its characters in a row, which are at least what was typed.
const SYNONYM_WEIGHT: f32 = 0.3;
/// What each further way a document matches one clause adds, as a share of its score.
const TIE_BREAKER: f32 = 0.3;

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

/// Which alternatives are also looked for in other pieces (their characters in a row, cut
/// differently by jieba in the document).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pieces {
    /// Those with a word the index does not hold at all: a word jieba never cut out of any
    /// text (漏派 where every text says 被漏派了) is looked for in pieces from the start.
    ForAbsentWords,
    /// All of them: when the words find too little.
    ForAll,
}

/// One way of asking the index, from narrowest to widest; a search runs the next only when
/// the one before finds fewer than the limit, and builds each query only when it runs (the
/// wider ones look up many terms: a concept's dozen expressions, the ways to cut each word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Every word as typed, without their synonyms, all required: only when the text has a
    /// synonym concept and no set percentage. A document holding every word searched outranks
    /// one that holds a synonym for one of them ([`SYNONYM_WEIGHT`]) or lacks one, so a full
    /// page of them is the page the next pass would give, and the synonyms' postings (a
    /// concept's dozen expressions in two fields, each common) are then not read at all.
    WordsAsTyped,
    /// Identifiers, words and synonyms (pieces only for words no text holds).
    WithSynonyms,
    /// The same with every word also looked for in other pieces, when the text has a word it
    /// applies to. A common word's characters in a row match nearly everywhere the word does;
    /// asking for them only when the words fall short keeps such searches fast, and their hits
    /// would rank below the word's anyway.
    WithPieces,
}

/// A validated query turned into what the index is asked, pass by pass.
pub(crate) struct Plan {
    text: String,
    clauses: Vec<Vec<Alternative>>,
    filters: Vec<Clause>,
    min_word_percent: Option<u8>,
    passes: Vec<Pass>,
    pub(crate) limit: usize,
}

pub(crate) fn plan(
    query: &Query,
    fields: &Fields,
    synonyms: &Synonyms,
) -> Result<Plan, SearchError> {
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
    let filters = filter_clauses(query, fields)?;
    if query.min_word_percent.is_some_and(|p| p > 100) {
        return Err(invalid("min_word_percent", "must be at most 100"));
    }
    let clauses = text_clauses(text, synonyms);
    let mut passes = Vec::with_capacity(3);
    // A set percentage (the knowledge base's strong answers) is left as asked.
    if query.min_word_percent.is_none() && clauses.iter().any(|alternatives| alternatives.len() > 1)
    {
        passes.push(Pass::WordsAsTyped);
    }
    passes.push(Pass::WithSynonyms);
    if clauses
        .iter()
        .flatten()
        .any(|alternative| alternative.chars.is_some())
    {
        passes.push(Pass::WithPieces);
    }
    Ok(Plan {
        text: text.to_owned(),
        clauses,
        filters,
        min_word_percent: query.min_word_percent,
        passes,
        limit: query.limit,
    })
}

impl Plan {
    /// The passes to run, in order.
    pub(crate) fn passes(&self) -> &[Pass] {
        &self.passes
    }

    /// The query of one pass.
    pub(crate) fn query(
        &self,
        pass: Pass,
        fields: &Fields,
        searcher: &Searcher,
    ) -> Result<Box<dyn TantivyQuery>, SearchError> {
        let searched: Vec<Vec<Alternative>>;
        let (clauses, min_word_percent, pieces) = match pass {
            // Every word as typed is required there, even where the next pass lets one of
            // three go: a document matching all three, one through a synonym, outranks one
            // matching two as typed.
            Pass::WordsAsTyped => {
                searched = self
                    .clauses
                    .iter()
                    .map(|alternatives| alternatives.iter().take(1).cloned().collect())
                    .collect();
                (&searched, Some(100), Pieces::ForAbsentWords)
            }
            Pass::WithSynonyms => (&self.clauses, self.min_word_percent, Pieces::ForAbsentWords),
            Pass::WithPieces => (&self.clauses, self.min_word_percent, Pieces::ForAll),
        };
        let mut matching = identifier_queries(&self.text, fields, searcher)?;
        if let Some(words) = text_query(clauses, fields, min_word_percent, searcher, pieces)? {
            matching.push((Occur::Should, words));
        }
        // Words alone and no filter: the word query itself, unwrapped (the same scores). Single
        // words in two fields are then a plain union of terms, which tantivy prunes to the top
        // hits (block-max WAND) instead of scoring every document holding one of them.
        if self.filters.is_empty()
            && matching.len() == 1
            && let Some((_, only)) = matching.pop()
        {
            return Ok(only);
        }
        let mut all = vec![(
            Occur::Must,
            Box::new(BooleanQuery::new(matching)) as Box<dyn TantivyQuery>,
        )];
        all.extend(
            self.filters
                .iter()
                .map(|(occur, filter)| (*occur, filter.box_clone())),
        );
        Ok(Box::new(BooleanQuery::new(all)))
    }
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
/// A related identifier (a case's customer's phone) scores below the thing's own, so the
/// caller's number lists the customer first and then their cases.
///
/// Only identifiers the index holds are asked for: a word search then has no identifier
/// clause at all, which keeps it a plain union of terms (see `plan`).
fn identifier_queries(
    text: &str,
    fields: &Fields,
    searcher: &Searcher,
) -> Result<Vec<Clause>, SearchError> {
    let held = |field: Field, value: &str| -> Result<bool, SearchError> {
        Ok(searcher.doc_freq(&Term::from_field_text(field, value))? > 0)
    };
    let whole = normalize_identifier(text);
    let mut seen = HashSet::from([whole.clone()]);
    let mut pieces: Vec<Clause> = Vec::new();
    for piece in text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .map(normalize_identifier)
        .filter(|piece| !piece.is_empty() && seen.insert(piece.clone()))
        .take(MAX_IDENTIFIER_CANDIDATES)
    {
        for field in [fields.identifiers, fields.related] {
            if held(field, &piece)? {
                pieces.push((Occur::Should, exact(field, &piece)));
            }
        }
    }
    let mut clauses = Vec::new();
    if !whole.is_empty() {
        for (field, score) in [
            (fields.identifiers, 2.0 * IDENTIFIER_SCORE),
            (fields.related, 1.5 * IDENTIFIER_SCORE),
        ] {
            if held(field, &whole)? {
                let query = ConstScoreQuery::new(exact(field, &whole), score);
                clauses.push((Occur::Should, Box::new(query) as Box<dyn TantivyQuery>));
            }
        }
    }
    if !pieces.is_empty() {
        let pieces = ConstScoreQuery::new(Box::new(BooleanQuery::new(pieces)), IDENTIFIER_SCORE);
        clauses.push((Occur::Should, Box::new(pieces) as Box<dyn TantivyQuery>));
    }
    Ok(clauses)
}

/// The word part's clauses: synonym concepts found in the text (each matching any of its
/// expressions, the one written first), then the remaining words of a precise cut, each a list
/// of alternatives.
fn text_clauses(text: &str, synonyms: &Synonyms) -> Vec<Vec<Alternative>> {
    let lowered: String = text.to_lowercase();
    let mut rest = lowered.clone();
    let mut clauses: Vec<Vec<Alternative>> = Vec::new();
    for (concept, expression) in synonyms.concepts_in(&lowered) {
        if rest.contains(expression) {
            rest = rest.replace(expression, " ");
            // The expression searched first and whole; the others below it.
            let mut alternatives = vec![Alternative::expression(expression, 1.0)];
            alternatives.extend(
                concept
                    .iter()
                    .filter(|other| other.as_str() != expression)
                    .map(|other| Alternative::expression(other, SYNONYM_WEIGHT)),
            );
            clauses.push(alternatives);
        }
    }
    let words = query_words(&rest);
    let meaningful: Vec<&(usize, String)> = words
        .iter()
        .filter(|(_, word)| !STOP_WORDS.contains(&word.as_str()))
        .collect();
    let kept = if meaningful.is_empty() && clauses.is_empty() {
        words.iter().collect()
    } else {
        meaningful
    };
    let mut seen = HashSet::new();
    let mut next = 0;
    while let Some((offset, word)) = kept.get(next).copied() {
        // Single characters next to each other are a word jieba did not know in the search
        // text (加钱 alone is 加/钱) and may well know in a document: one clause, matched as
        // those characters in a row.
        let mut run = vec![(*offset, word.clone())];
        while let Some((following, character)) = kept.get(next + run.len()).copied() {
            let last = run.last().map_or(0, |(at, _)| *at);
            if !is_single_ideograph(word)
                || !is_single_ideograph(character)
                || *following != last + 1
            {
                break;
            }
            run.push((*following, character.clone()));
        }
        next += run.len();
        let text: String = run.iter().map(|(_, w)| w.as_str()).collect();
        if seen.insert(text) {
            clauses.push(vec![Alternative::words_in_a_row(run)]);
        }
    }
    clauses.truncate(MAX_TEXT_CLAUSES);
    clauses
}

/// The word part: most clauses must match (all of one or two, two of three, three of four …),
/// so a long text still finds a document that phrases one part differently.
fn text_query(
    clauses: &[Vec<Alternative>],
    fields: &Fields,
    min_word_percent: Option<u8>,
    searcher: &Searcher,
    pieces: Pieces,
) -> Result<Option<Box<dyn TantivyQuery>>, SearchError> {
    if clauses.is_empty() {
        return Ok(None);
    }
    let count = clauses.len();
    let usual = if count <= 2 { count } else { count - count / 3 };
    let required = match min_word_percent {
        Some(p) => (count * usize::from(p)).div_ceil(100).max(1),
        None => usual,
    };
    if let [alternatives] = clauses {
        // One clause, required: itself (the same scores, and prunable when it is all terms).
        return Ok(Some(clause_query(alternatives, fields, searcher, pieces)?));
    }
    let clauses = clauses
        .iter()
        .map(|alternatives| {
            Ok((
                Occur::Should,
                clause_query(alternatives, fields, searcher, pieces)?,
            ))
        })
        .collect::<Result<Vec<Clause>, SearchError>>()?;
    Ok(Some(Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses, required,
    ))))
}

/// One way of matching a clause, and how much a match counts next to the expression searched.
#[derive(Clone)]
struct Alternative {
    /// Its words at character offsets (one word, or a phrase).
    words: Vec<(usize, String)>,
    /// Its characters, when it is all ideographs (to be looked for in other pieces).
    chars: Option<Vec<char>>,
    /// 1 for what was searched, [`SYNONYM_WEIGHT`] for another expression of its concept.
    weight: f32,
}

impl Alternative {
    /// A word of the search text as it was cut, or several at their offsets (a phrase).
    fn words_in_a_row(words: Vec<(usize, String)>) -> Self {
        let text: String = words.iter().map(|(_, word)| word.as_str()).collect();
        Self {
            words,
            chars: ideograph_run(&text),
            weight: 1.0,
        }
    }

    /// An expression of a synonym concept, cut as the indexer would cut it.
    fn expression(expression: &str, weight: f32) -> Self {
        Self {
            words: query_words(expression),
            chars: ideograph_run(expression),
            weight,
        }
    }
}

/// Any one of `alternatives`, in the title (boosted), the body, or as its characters in a row
/// cut into other pieces (below a word match). The best match counts, the others a little
/// ([`TIE_BREAKER`]): a document that says it three ways does not beat one that says it as
/// searched.
///
/// BM25 weights a rare expression above a common one, so a synonym rarer than the word searched
/// (or a phrase, whose weight is the sum of its words') would outrank the word itself. Each
/// alternative is therefore boosted by the searched word's weight over its own: every way of
/// matching counts as the searched word would, times its weight (1 word, [`PIECES_WEIGHT`]
/// other pieces, [`SYNONYM_WEIGHT`] another expression).
fn clause_query(
    alternatives: &[Alternative],
    fields: &Fields,
    searcher: &Searcher,
    pieces: Pieces,
) -> Result<Box<dyn TantivyQuery>, SearchError> {
    let Some(searched) = alternatives.first() else {
        return Ok(Box::new(BooleanQuery::new(Vec::new())));
    };
    let documents = total_docs(searcher);
    // A clause is one thing asked for: a phrase counts as much as one of its words (on
    // average), not as their sum, or "how much" would outweigh "insurance" twice over.
    let reference = words_idf(&searched.words, fields.body, searcher, documents)?
        / searched.words.len().max(1) as f32;
    let mut disjuncts: Vec<Box<dyn TantivyQuery>> = Vec::new();
    for alternative in alternatives {
        let wanted = alternative.chars.is_some()
            && match pieces {
                Pieces::ForAll => true,
                Pieces::ForAbsentWords => {
                    rarest_word_docs(&alternative.words, fields.body, searcher)? == 0
                }
            };
        let mut in_fields: Vec<Clause> = Vec::new();
        let mut in_pieces: Vec<Box<dyn TantivyQuery>> = Vec::new();
        // The title counts more for the expression searched; another expression in a title
        // still counts below the searched one in a body.
        let title_boost = if alternative.weight < 1.0 {
            1.0
        } else {
            TITLE_BOOST
        };
        for (field, field_boost) in [(fields.title, title_boost), (fields.body, 1.0)] {
            let scale = field_boost * alternative.weight * reference;
            if let Some(query) = words_query(&alternative.words, field) {
                let idf = words_idf(&alternative.words, field, searcher, documents)?;
                in_fields.push((Occur::Should, Box::new(BoostQuery::new(query, scale / idf))));
            }
            if let Some(chars) = alternative.chars.as_deref().filter(|_| wanted) {
                in_pieces.extend(pieced_queries(
                    chars,
                    field,
                    searcher,
                    PIECES_WEIGHT * scale,
                )?);
            }
        }
        if !in_fields.is_empty() {
            disjuncts.push(Box::new(BooleanQuery::new(in_fields)));
        }
        // The best way of cutting counts, not their sum: a text holding the word whole also
        // matches its cuts that end in a prefix of it.
        if !in_pieces.is_empty() {
            disjuncts.push(Box::new(DisjunctionMaxQuery::new(in_pieces)));
        }
    }
    if disjuncts.len() == 1
        && let Some(only) = disjuncts.pop()
    {
        return Ok(only);
    }
    Ok(Box::new(DisjunctionMaxQuery::with_tie_breaker(
        disjuncts,
        TIE_BREAKER,
    )))
}

/// The word `chars` where jieba cut the document's text into other pieces: shorter words in a
/// row (被漏派了 is 被/漏/派/了, holding 漏派), or the word's end joined to what follows (派送到
/// is 派/送到, holding 派送), or the whole word the start of a longer one (超区件 for 超区). Each
/// way is a phrase whose last piece stands for any indexed word it begins, the pieces before it
/// words the field holds; a match scores `score`.
///
/// A word joined to the text before it (被扣/费 for 扣费) is not found this way: the index
/// would need every word's endings.
fn pieced_queries(
    chars: &[char],
    field: Field,
    searcher: &Searcher,
    score: f32,
) -> Result<Vec<Box<dyn TantivyQuery>>, SearchError> {
    if chars.len() > MAX_PIECED_CHARS {
        return Ok(Vec::new());
    }
    let mut pieced: Vec<Vec<String>> = Vec::new();
    let mut leading: Vec<String> = Vec::new();
    leading_pieces(chars, field, searcher, &mut leading, &mut pieced)?;
    let mut queries: Vec<Box<dyn TantivyQuery>> = Vec::new();
    for pieces in pieced {
        let mut offset = 0;
        let mut terms = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            terms.push((offset, Term::from_field_text(field, piece)));
            offset += text_chars(piece);
        }
        let mut query = PhrasePrefixQuery::new_with_offset(terms);
        query.set_max_expansions(MAX_PREFIX_EXPANSIONS);
        // A fixed score: tantivy scores a phrase of one word and a prefix as 1 whatever its
        // boost, and how often the pieces occur says little about the word they spell.
        queries.push(Box::new(ConstScoreQuery::new(Box::new(query), score)));
    }
    Ok(queries)
}

/// Every way of cutting `rest` into words the field holds followed by one last piece (any
/// text), appended to `pieced` after `leading`; at most [`MAX_PIECINGS`].
fn leading_pieces(
    rest: &[char],
    field: Field,
    searcher: &Searcher,
    leading: &mut Vec<String>,
    pieced: &mut Vec<Vec<String>>,
) -> Result<(), SearchError> {
    if rest.is_empty() || pieced.len() >= MAX_PIECINGS {
        return Ok(());
    }
    let mut last = leading.clone();
    last.push(rest.iter().collect());
    pieced.push(last);
    for cut in 1..rest.len() {
        let (word, after) = rest.split_at(cut);
        let mut firsts = vec![word.iter().collect::<String>()];
        // The word's first character may end a compound of the text before it (雨淋/湿 for 淋湿).
        if let ([first], true) = (word, leading.is_empty()) {
            firsts.push(tail_term(*first));
        }
        for first in firsts {
            if searcher.doc_freq(&Term::from_field_text(field, &first))? == 0 {
                continue;
            }
            leading.push(first);
            leading_pieces(after, field, searcher, leading, pieced)?;
            leading.pop();
        }
    }
    Ok(())
}

fn is_single_ideograph(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(is_ideograph) && chars.next().is_none()
}

/// Documents with the rarest of `words` in `field` (at least as many as have them all).
fn rarest_word_docs(
    words: &[(usize, String)],
    field: Field,
    searcher: &Searcher,
) -> Result<u64, SearchError> {
    let mut rarest = u64::MAX;
    for (_, word) in words {
        rarest = rarest.min(searcher.doc_freq(&Term::from_field_text(field, word))?);
    }
    Ok(rarest)
}

/// Documents in the index as BM25 counts them (deleted ones until a merge included).
fn total_docs(searcher: &Searcher) -> u64 {
    searcher
        .segment_readers()
        .iter()
        .map(|segment| u64::from(segment.max_doc()))
        .sum()
}

/// BM25's weight of `words` in `field` as tantivy computes it (a phrase: the sum of its
/// words'), never zero.
fn words_idf(
    words: &[(usize, String)],
    field: Field,
    searcher: &Searcher,
    documents: u64,
) -> Result<f32, SearchError> {
    let mut sum = 0.0;
    for (_, word) in words {
        let frequency = searcher.doc_freq(&Term::from_field_text(field, word))?;
        let rest = documents.saturating_sub(frequency) as f32;
        sum += (1.0 + (rest + 0.5) / (frequency as f32 + 0.5)).ln();
    }
    Ok(sum.max(f32::EPSILON))
}

/// A word in `field`, or words at their offsets as a phrase.
fn words_query(words: &[(usize, String)], field: Field) -> Option<Box<dyn TantivyQuery>> {
    match words {
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
