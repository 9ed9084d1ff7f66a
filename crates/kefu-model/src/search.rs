//! Search as the desk sees it: what may be asked, what comes back, and who may see what. The
//! engine (`kefu-search`, a tantivy index each node keeps from the store's search outbox) sits
//! behind [`SearchEngine`], so the domain decides permissions and the engine only ranks.

use jiff::tz::TimeZone;
use jiff::{RoundMode, Timestamp, TimestampRound, Unit};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::DepartmentId;
use crate::user::{Actor, Role};

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Case,
    Customer,
    Shipment,
    Article,
}

impl SearchKind {
    pub fn parse(s: &str) -> Option<SearchKind> {
        match s {
            "case" => Some(SearchKind::Case),
            "customer" => Some(SearchKind::Customer),
            "shipment" => Some(SearchKind::Shipment),
            "article" => Some(SearchKind::Article),
            _ => None,
        }
    }
}

/// `GET /api/v1/search?q=&type=&status=&category=&department=&from=&to=&limit=` as parsed.
/// Filters only narrow what the [`SearchScope`] allows.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub kind: Option<SearchKind>,
    pub status: Option<String>,
    pub category: Option<String>,
    /// Only cases with this department (customers and shipments have none).
    pub department_id: Option<DepartmentId>,
    /// Only what was created at or after this instant.
    pub created_from: Option<Timestamp>,
    /// Only what was created before this instant (exclusive; see [`created_range`]).
    pub created_to: Option<Timestamp>,
    pub limit: usize,
    /// At least this percentage of the text's words must match (default: most of them). The
    /// bot asks for nearly all, to answer only from an article that covers the question.
    pub min_word_percent: Option<u8>,
}

/// A search's filters as a caller received them (query parameters); blank ones are absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchFilters<'a> {
    pub kind: Option<&'a str>,
    pub status: Option<&'a str>,
    pub category: Option<&'a str>,
    /// A department's id or key.
    pub department: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

/// The creation range a person asks for, as `[from, to)`. Each end is a local day
/// (`YYYY-MM-DD` in `tz`, the desk's time zone) or an RFC 3339 instant; `to` is inclusive either
/// way (the whole day, or up to and including the instant). Blank ends are absent. A bad value
/// is `invalid_field` on `field_from`/`field_to`, and so is a range that ends before it starts.
pub fn created_range(
    (field_from, from): (&str, Option<&str>),
    (field_to, to): (&str, Option<&str>),
    tz: &TimeZone,
) -> Result<(Option<Timestamp>, Option<Timestamp>), DomainError> {
    let from = from
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| range_end(field_from, v, tz, End::From))
        .transpose()?;
    let to = to
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| range_end(field_to, v, tz, End::To))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(DomainError::invalid(field_to, "must not be before from"));
    }
    Ok((from, to))
}

#[derive(Clone, Copy)]
enum End {
    From,
    To,
}

/// Longest accepted date or instant, in characters (an RFC 3339 instant with nanoseconds and an
/// offset is 35).
const MAX_DATE_CHARS: usize = 40;

fn range_end(field: &str, value: &str, tz: &TimeZone, end: End) -> Result<Timestamp, DomainError> {
    let bad = || DomainError::invalid(field, "a date (YYYY-MM-DD) or an RFC 3339 time");
    if value.len() > MAX_DATE_CHARS {
        return Err(bad());
    }
    // Stored times are whole milliseconds: round inward so the bound means what was typed.
    let millis = |mode| TimestampRound::new().smallest(Unit::Millisecond).mode(mode);
    if value.len() == 10 {
        let day: jiff::civil::Date = value.parse().map_err(|_| bad())?;
        let day = match end {
            End::From => day,
            End::To => day.tomorrow().map_err(|_| bad())?,
        };
        return Ok(day
            .to_zoned_datetime(tz.clone())
            .map_err(|_| bad())?
            .timestamp());
    }
    let at: Timestamp = value.parse().map_err(|_| bad())?;
    match end {
        End::From => at.round(millis(RoundMode::Ceil)).map_err(|_| bad()),
        End::To => at
            .round(millis(RoundMode::Floor))
            .ok()
            .and_then(|t| t.checked_add(jiff::SignedDuration::from_millis(1)).ok())
            .ok_or_else(bad),
    }
}

/// Who sees what. Department staff see only cases transferred to their department (and no
/// customers or shipments beyond them) and the knowledge base; everyone else on the staff sees
/// everything; the portal and the bot see public articles only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchScope {
    All,
    Department(DepartmentId),
    PublicArticles,
}

/// The scope of `actor`'s searches (the rule the engine is given, never the caller's word).
pub fn scope_for(actor: &Actor) -> Result<SearchScope, DomainError> {
    match actor.role {
        Role::Courier => Err(DomainError::Forbidden(
            "couriers work their pickups; search is for the desk".into(),
        )),
        Role::Department | Role::OutletManager => actor
            .department_id
            .clone()
            .map(SearchScope::Department)
            .ok_or_else(|| DomainError::Forbidden("department staff without a department".into())),
        _ => Ok(SearchScope::All),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub kind: SearchKind,
    pub id: String,
    pub title: String,
    /// HTML-escaped, with matches in `<mark>`.
    pub snippet: kefu_html::SafeHtml,
    pub score: f32,
}

pub trait SearchEngine: Send + Sync {
    fn search(
        &self,
        request: &SearchRequest,
        scope: &SearchScope,
    ) -> Result<Vec<SearchHit>, DomainError>;

    /// Checks a synonym list in the admin's text format without using it: every bad line is
    /// named (`invalid_field` on `text`).
    fn check_synonyms(&self, text: &str) -> Result<(), DomainError>;

    /// Expands queries with this (checked) synonym list from now on; no reindexing needed.
    fn use_synonyms(&self, text: &str) -> Result<(), DomainError>;
}

/// The setting that holds the trade's synonyms (`GET/PUT /settings/search_synonyms`).
pub const SYNONYMS_SETTING: &str = "search_synonyms";

/// The synonym list kefu ships: one concept per line, its expressions separated by commas or
/// spaces, `#` comments. Admins edit a copy of it as the `search_synonyms` setting.
pub const STARTER_SYNONYMS: &str = include_str!("synonyms.txt");

/// The `search_synonyms` setting: the list as the admin writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymList {
    pub text: String,
}

impl Default for SynonymList {
    fn default() -> Self {
        SynonymList {
            text: STARTER_SYNONYMS.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn range(
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(Option<Timestamp>, Option<Timestamp>), DomainError> {
        created_range(("from", from), ("to", to), &shanghai())
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn days_are_local_and_to_is_inclusive() {
        let (from, to) = range(Some("2025-03-01"), Some("2025-03-01")).unwrap();
        assert_eq!(from, Some(at("2025-02-28T16:00:00Z")));
        assert_eq!(to, Some(at("2025-03-01T16:00:00Z")));
        assert_eq!(range(Some(" "), None).unwrap(), (None, None));
    }

    #[test]
    fn instants_are_exact_to_the_millisecond_and_to_includes_its_own() {
        let (from, to) = range(
            Some("2025-03-01T08:00:00.0004+08:00"),
            Some("2025-03-01T09:00:00.0009Z"),
        )
        .unwrap();
        assert_eq!(from, Some(at("2025-03-01T00:00:00.001Z")));
        assert_eq!(to, Some(at("2025-03-01T09:00:00.001Z")));
    }

    #[test]
    fn bad_ends_name_their_field() {
        let field = |r: Result<_, DomainError>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        for bad in [
            "2025-13-01",
            "2025-02-30",
            "yesterday",
            "2025/03/01",
            "2025-03-01T08:00:00",
            "9999-12-31",
        ] {
            assert_eq!(field(range(None, Some(bad))), "to", "{bad}");
        }
        assert_eq!(field(range(Some("2025-3-1"), None)), "from");
        assert_eq!(field(range(Some(&"1".repeat(200)), None)), "from");
        assert_eq!(field(range(Some("2025-03-02"), Some("2025-03-01"))), "to");
    }

    #[test]
    fn department_staff_search_only_their_department() {
        let d = DepartmentId::from_stored("d1".into());
        let staff = Actor {
            user_id: UserId::from_stored("u".into()),
            username: "ops01".into(),
            role: Role::Department,
            department_id: Some(d.clone()),
        };
        assert_eq!(scope_for(&staff).unwrap(), SearchScope::Department(d));
        let agent = Actor {
            role: Role::Agent,
            ..staff.clone()
        };
        assert_eq!(scope_for(&agent).unwrap(), SearchScope::All);
        let lost = Actor {
            department_id: None,
            ..staff
        };
        assert!(scope_for(&lost).is_err());
    }
}
