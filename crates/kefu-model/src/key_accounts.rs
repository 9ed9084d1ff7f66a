//! Key accounts (大客户部, issue #17): the contract customers a logistics company's B2B
//! customer-service department looks after. Pure: what an account, its contacts, its customer
//! file, its documents and prices may hold; how a quarter's grading is scored; when reminders
//! fall due; which price is usable.
//!
//! What the requirements ask, in short:
//! - R-KA-1 (onboarding, in part): an account moves `onboarding → handover → active → ended`;
//!   after go-live comes a hand-over period whose length the grade decides (3 months for
//!   grades 1–2, 1 month otherwise, from the grade policies of the setting).
//! - R-KA-8 (customer files and confidentiality): each account keeps its contacts and a file
//!   of its shippers and consignees, reviewed every month. The department's head (supervisors,
//!   admins) sees every account; an assistant (an agent) only those assigned to them — the
//!   others do not exist for them (not found, never forbidden); other roles see none. Every
//!   download of account data is audited.
//! - R-KA-9 (grading): every quarter five criteria — revenue, gross margin, operational
//!   difficulty, staff used, payment punctuality — are turned into points by the setting's
//!   bands, weighted (weights sum to 100) into a score, and the score into a grade 1 (best) to
//!   4. Grades 1–2 are key accounts (重点客户). A re-grade of a quarter is a new record that
//!   supersedes the earlier one; the history is never rewritten.
//! - R-KA-12 (contracts, quotes, price filing): contracts, agreements and quotes with their
//!   scope (services, routes); the renewal contact falls due two calendar months before a
//!   document ends; prices start as drafts and are usable only once filed (报备) by the head,
//!   and a price outside every document's scope is refused.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{CustomerId, KeyAccountId, UserId};
use crate::string_enum::string_enum;
use crate::user::Role;

/// The setting's key.
pub const SETTING: &str = "key_accounts";

pub const CODE_MAX: usize = 40;
pub const NAME_MAX: usize = 100;
pub const NOTE_MAX: usize = 1000;
pub const ADDRESS_MAX: usize = 200;
/// At most this many of each list on one account (contacts, file entries, documents, prices,
/// assistants); an account is one document and stays small.
pub const MAX_ITEMS: usize = 200;

/// An item of an account's lists (contacts, file entries, documents), known by its id.
pub trait AccountItem {
    fn item_id(&self) -> &str;
}

macro_rules! account_item {
    ($($t:ty),*) => {$(
        impl AccountItem for $t {
            fn item_id(&self) -> &str {
                &self.id
            }
        }
    )*};
}
account_item!(Contact, FileEntry, AccountDocument);

/// Adds the item `make` gives (`id` none: a new one, at most [`MAX_ITEMS`] in `field`) or
/// replaces the item `id` with what `make` makes of it; `what` names it when it is not there.
pub fn put_item<T: AccountItem>(
    items: &mut Vec<T>,
    id: Option<&str>,
    field: &str,
    what: &str,
    make: impl FnOnce(Option<&T>) -> Result<T, DomainError>,
) -> Result<(), DomainError> {
    match id {
        None if items.len() >= MAX_ITEMS => Err(DomainError::invalid(
            field,
            format!("at most {MAX_ITEMS} on one account"),
        )),
        None => {
            items.push(make(None)?);
            Ok(())
        }
        Some(id) => {
            let slot = items
                .iter_mut()
                .find(|i| i.item_id() == id)
                .ok_or_else(|| DomainError::NotFound(what.into()))?;
            *slot = make(Some(slot))?;
            Ok(())
        }
    }
}

/// Removes the item `id`; `what` names it when it is not there.
pub fn remove_item<T: AccountItem>(
    items: &mut Vec<T>,
    id: &str,
    what: &str,
) -> Result<(), DomainError> {
    let before = items.len();
    items.retain(|i| i.item_id() != id);
    match items.len() == before {
        true => Err(DomainError::NotFound(what.into())),
        false => Ok(()),
    }
}
/// At most this many services or routes in one document's scope.
pub const MAX_SCOPE: usize = 100;
/// The lowest (worst) grade.
pub const LOWEST_GRADE: u8 = 4;

string_enum!(
    /// Where an account is in its life: being set up, in its hand-over period after go-live,
    /// served as usual, or ended.
    AccountStatus {
        Onboarding => "onboarding", Handover => "handover", Active => "active", Ended => "ended",
    }
);

impl AccountStatus {
    /// Forward only, one step at a time; any open account may end.
    pub fn can_become(self, to: AccountStatus) -> bool {
        use AccountStatus::*;
        self == to
            || matches!(
                (self, to),
                (Onboarding, Handover)
                    | (Handover, Active)
                    | (Onboarding | Handover | Active, Ended)
            )
    }
}

string_enum!(
    DocumentKind { Contract => "contract", Agreement => "agreement", Quote => "quote" }
);

string_enum!(
    /// A document being negotiated, in force, or ended (expired or terminated); an ended one
    /// no longer covers prices nor asks for a renewal contact.
    DocumentStatus { Draft => "draft", InForce => "in_force", Ended => "ended" }
);

string_enum!(
    /// A price is usable only once filed (报备) by the head.
    PriceStatus { Draft => "draft", Filed => "filed" }
);

string_enum!(
    ReminderKind {
        Renewal => "renewal", Grading => "grading", FileReview => "file_review",
    }
);

/// Whether a role works with key accounts at all: the head (admins, supervisors) and the
/// assistants (agents). Everyone else is refused outright.
pub fn may_use(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor | Role::Agent)
}

/// The head of the department: sees every account, creates and edits accounts, assigns
/// assistants, records gradings and files prices.
pub fn is_head(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor)
}

/// A person of the customer's side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// The customer's management: they answer the satisfaction surveys.
    #[serde(default)]
    pub is_management: bool,
}

string_enum!(FileRole { Shipper => "shipper", Consignee => "consignee" });

/// A shipper or consignee of the account, in its customer file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub id: String,
    pub role: FileRole,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    pub updated_at: Timestamp,
}

/// Who recorded that the customer was contacted about a renewal, when, and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contacted {
    pub by: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A contract, agreement or quote of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDocument {
    pub id: String,
    pub kind: DocumentKind,
    pub number: String,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Services covered (`整车`, `零担`, …).
    #[serde(default)]
    pub services: Vec<String>,
    /// Routes covered (`广东-上海`, …).
    #[serde(default)]
    pub routes: Vec<String>,
    pub status: DocumentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted: Option<Contacted>,
}

impl AccountDocument {
    /// Whether the document covers a service on a route (an ended one covers nothing).
    pub fn covers(&self, service: &str, route: &str) -> bool {
        self.status != DocumentStatus::Ended
            && self.services.iter().any(|s| s == service)
            && self.routes.iter().any(|r| r == route)
    }
}

/// A price of the account: fen per unit, over its days of effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub id: String,
    pub service: String,
    pub route: String,
    /// `kg`, `m3`, `trip`, `piece`.
    pub unit: String,
    pub price_fen: i64,
    pub effective_from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
    pub status: PriceStatus,
    pub created_by: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_at: Option<Timestamp>,
}

impl Price {
    /// Whether the price is in effect on `day` (`effective_to` inclusive).
    pub fn in_effect(&self, day: Date) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }
}

/// A contract customer with everything the department keeps of it. One document, written
/// whole and version-checked, so a change of any part is all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyAccount {
    pub id: KeyAccountId,
    /// Unique short code, upper case: `KA-ACME`.
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub industry: String,
    pub status: AccountStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_live_on: Option<Date>,
    /// Go-live plus the hand-over months of the account's grade policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover_ends_on: Option<Date>,
    /// The grade of the latest quarter graded (1 best … 4); none before the first grading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graded_quarter: Option<Quarter>,
    /// The agents who serve it (key-account assistants).
    #[serde(default)]
    pub assistants: Vec<UserId>,
    /// The head responsible for it.
    pub owner: UserId,
    /// The customer record it is, when linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    /// The local day the customer file was last reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_reviewed_on: Option<Date>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub file_entries: Vec<FileEntry>,
    #[serde(default)]
    pub documents: Vec<AccountDocument>,
    #[serde(default)]
    pub prices: Vec<Price>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Writes so far (1 when created): the store's concurrency token.
    pub version: i64,
}

impl KeyAccount {
    /// Whether `actor_role`/`user` may see the account: the head every one, an assistant those
    /// assigned to them.
    pub fn visible_to(&self, role: Role, user: &UserId) -> bool {
        is_head(role) || (role == Role::Agent && self.assistants.contains(user))
    }

    /// Whether the account is a key account (重点客户): graded 1 or 2.
    pub fn is_key(&self) -> bool {
        self.grade.is_some_and(|g| g <= 2)
    }

    /// The hand-over period's end from go-live and the grade policy (an ungraded account has
    /// the lowest grade's).
    pub fn compute_handover_end(&self, settings: &KeyAccountSettings) -> Option<Date> {
        let months = settings
            .policy(self.grade.unwrap_or(LOWEST_GRADE))
            .handover_months;
        self.go_live_on.map(|d| add_months(d, i64::from(months)))
    }
}

// ---- the setting -------------------------------------------------------------------------

/// Points for values up to `up_to` (inclusive); the last band has none and takes every larger
/// value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default)]
    pub up_to: Option<f64>,
    pub points: u32,
}

/// One criterion: its weight (percent of the score) and its bands, ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub weight: u32,
    pub bands: Vec<Band>,
}

impl Criterion {
    /// The points of a value: the first band it fits.
    pub fn points(&self, value: f64) -> u32 {
        self.bands
            .iter()
            .find(|b| b.up_to.is_none_or(|up_to| value <= up_to))
            .map_or(0, |b| b.points)
    }
}

/// The five criteria of R-KA-9.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// Quarterly revenue in yuan: more scores higher.
    pub revenue: Criterion,
    /// Gross margin in percent: more scores higher.
    pub margin: Criterion,
    /// Operational difficulty 1 (easy) to 5 (hard): harder scores lower.
    pub difficulty: Criterion,
    /// Staff the account takes, in people: fewer scores higher.
    pub staff: Criterion,
    /// Percent of invoices paid on time: more scores higher.
    pub punctuality: Criterion,
}

impl Criteria {
    fn named(&self) -> [(&'static str, &Criterion); 5] {
        [
            ("revenue", &self.revenue),
            ("margin", &self.margin),
            ("difficulty", &self.difficulty),
            ("staff", &self.staff),
            ("punctuality", &self.punctuality),
        ]
    }
}

/// What a grade brings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradePolicy {
    pub grade: u8,
    /// Length of the hand-over period after go-live.
    pub handover_months: u32,
    /// A review meeting with the customer every month.
    pub review_meeting: bool,
    /// Satisfaction surveys of the customer's management per year.
    pub surveys_per_year: u32,
    /// Hours within which the department answers the customer.
    pub response_hours: u32,
}

/// The `key_accounts` setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyAccountSettings {
    pub criteria: Criteria,
    /// The lowest score of grades 1, 2 and 3, descending; a lower score is grade 4.
    pub grade_min_scores: [f64; 3],
    /// One per grade, 1 to 4 in order.
    pub policies: Vec<GradePolicy>,
}

fn band(up_to: Option<f64>, points: u32) -> Band {
    Band { up_to, points }
}

impl Default for KeyAccountSettings {
    /// A courier's usual grid: revenue 30 %, margin 25 %, difficulty 15 %, staff 10 %,
    /// punctuality 20 %; grade 1 from 85 points, 2 from 70, 3 from 50.
    fn default() -> Self {
        KeyAccountSettings {
            criteria: Criteria {
                revenue: Criterion {
                    weight: 30,
                    bands: vec![
                        band(Some(100_000.0), 20),
                        band(Some(500_000.0), 50),
                        band(Some(2_000_000.0), 80),
                        band(None, 100),
                    ],
                },
                margin: Criterion {
                    weight: 25,
                    bands: vec![
                        band(Some(5.0), 20),
                        band(Some(12.0), 50),
                        band(Some(20.0), 80),
                        band(None, 100),
                    ],
                },
                difficulty: Criterion {
                    weight: 15,
                    bands: vec![
                        band(Some(1.0), 100),
                        band(Some(2.0), 80),
                        band(Some(3.0), 60),
                        band(Some(4.0), 40),
                        band(None, 20),
                    ],
                },
                staff: Criterion {
                    weight: 10,
                    bands: vec![
                        band(Some(2.0), 100),
                        band(Some(5.0), 70),
                        band(Some(10.0), 40),
                        band(None, 10),
                    ],
                },
                punctuality: Criterion {
                    weight: 20,
                    bands: vec![
                        band(Some(80.0), 20),
                        band(Some(90.0), 50),
                        band(Some(98.0), 80),
                        band(None, 100),
                    ],
                },
            },
            grade_min_scores: [85.0, 70.0, 50.0],
            policies: (1..=LOWEST_GRADE)
                .map(|grade| {
                    let key = grade <= 2;
                    GradePolicy {
                        grade,
                        handover_months: if key { 3 } else { 1 },
                        review_meeting: key,
                        surveys_per_year: if key { 2 } else { 1 },
                        response_hours: match grade {
                            1 => 2,
                            2 => 4,
                            3 => 8,
                            _ => 24,
                        },
                    }
                })
                .collect(),
        }
    }
}

impl KeyAccountSettings {
    /// Checks the whole setting, naming the field at fault.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut total = 0;
        for (name, c) in self.criteria.named() {
            let field = format!("criteria.{name}");
            if c.weight > 100 {
                return Err(DomainError::invalid(format!("{field}.weight"), "0 to 100"));
            }
            total += c.weight;
            if c.bands.is_empty() || c.bands.len() > 20 {
                return Err(DomainError::invalid(
                    format!("{field}.bands"),
                    "1 to 20 bands",
                ));
            }
            let mut previous: Option<f64> = None;
            for (i, b) in c.bands.iter().enumerate() {
                let last = i + 1 == c.bands.len();
                let at = format!("{field}.bands.{i}");
                if b.points > 100 {
                    return Err(DomainError::invalid(format!("{at}.points"), "0 to 100"));
                }
                match (b.up_to, last) {
                    (None, true) => {}
                    (None, false) => {
                        return Err(DomainError::invalid(
                            format!("{at}.up_to"),
                            "only the last band is open-ended",
                        ));
                    }
                    (Some(_), true) => {
                        return Err(DomainError::invalid(
                            format!("{at}.up_to"),
                            "the last band takes every larger value: leave up_to out",
                        ));
                    }
                    (Some(v), false) => {
                        if !v.is_finite() || previous.is_some_and(|p| v <= p) {
                            return Err(DomainError::invalid(
                                format!("{at}.up_to"),
                                "bands ascend: each up_to above the one before",
                            ));
                        }
                        previous = Some(v);
                    }
                }
            }
        }
        if total != 100 {
            return Err(DomainError::invalid(
                "criteria",
                format!("the weights sum to {total}, not 100"),
            ));
        }
        let [g1, g2, g3] = self.grade_min_scores;
        let in_range = [g1, g2, g3]
            .iter()
            .all(|s| s.is_finite() && (0.0..=100.0).contains(s));
        let descending = g1 > g2 && g2 > g3;
        if !(in_range && descending) {
            return Err(DomainError::invalid(
                "grade_min_scores",
                "three scores from 0 to 100, descending (grades 1, 2, 3)",
            ));
        }
        if self.policies.len() != usize::from(LOWEST_GRADE) {
            return Err(DomainError::invalid(
                "policies",
                "one policy per grade, 1 to 4",
            ));
        }
        for (i, p) in self.policies.iter().enumerate() {
            let at = format!("policies.{i}");
            if usize::from(p.grade) != i + 1 {
                return Err(DomainError::invalid(
                    format!("{at}.grade"),
                    "the policies are of grades 1 to 4 in order",
                ));
            }
            if !(1..=24).contains(&p.handover_months) {
                return Err(DomainError::invalid(
                    format!("{at}.handover_months"),
                    "1 to 24",
                ));
            }
            if p.surveys_per_year > 12 {
                return Err(DomainError::invalid(
                    format!("{at}.surveys_per_year"),
                    "0 to 12",
                ));
            }
            if !(1..=720).contains(&p.response_hours) {
                return Err(DomainError::invalid(
                    format!("{at}.response_hours"),
                    "1 to 720",
                ));
            }
        }
        Ok(())
    }

    /// The policy of a grade (the lowest grade's for anything out of range).
    pub fn policy(&self, grade: u8) -> GradePolicy {
        self.policies
            .iter()
            .find(|p| p.grade == grade)
            .or_else(|| self.policies.last())
            .cloned()
            .unwrap_or(GradePolicy {
                grade,
                handover_months: 1,
                review_meeting: false,
                surveys_per_year: 1,
                response_hours: 24,
            })
    }

    /// The grade of a score.
    pub fn grade_of(&self, score: f64) -> u8 {
        let [g1, g2, g3] = self.grade_min_scores;
        if score >= g1 {
            1
        } else if score >= g2 {
            2
        } else if score >= g3 {
            3
        } else {
            LOWEST_GRADE
        }
    }

    /// Scores a quarter's figures: each criterion's points, and their weighted sum (0–100,
    /// to a tenth).
    pub fn score(&self, f: &GradingFigures) -> (CriterionPoints, f64) {
        let c = &self.criteria;
        let points = CriterionPoints {
            revenue: c.revenue.points(f.revenue_yuan),
            margin: c.margin.points(f.margin_pct),
            difficulty: c.difficulty.points(f64::from(f.difficulty)),
            staff: c.staff.points(f.staff),
            punctuality: c.punctuality.points(f.punctuality_pct),
        };
        let weighted = u64::from(points.revenue) * u64::from(c.revenue.weight)
            + u64::from(points.margin) * u64::from(c.margin.weight)
            + u64::from(points.difficulty) * u64::from(c.difficulty.weight)
            + u64::from(points.staff) * u64::from(c.staff.weight)
            + u64::from(points.punctuality) * u64::from(c.punctuality.weight);
        // Points × weights sum to at most 100 × 100: the score in tenths is exact.
        let tenths = (weighted + 5) / 10;
        (points, tenths as f64 / 10.0)
    }
}

// ---- quarters and grading ----------------------------------------------------------------

/// A calendar quarter, written `2026Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i16,
    /// 1 to 4.
    pub quarter: u8,
}

impl Quarter {
    pub fn parse(s: &str) -> Option<Quarter> {
        let s = s.trim();
        let (year, q) = s.split_once(['Q', 'q'])?;
        let year: i16 = year.trim_end_matches('-').parse().ok()?;
        let quarter: u8 = q.parse().ok()?;
        ((2000..=2100).contains(&year) && (1..=4).contains(&quarter))
            .then_some(Quarter { year, quarter })
    }

    /// The quarter `day` is in.
    pub fn of(day: Date) -> Quarter {
        Quarter {
            year: day.year(),
            quarter: u8::try_from((day.month() - 1) / 3 + 1).unwrap_or(1),
        }
    }

    pub fn first_day(self) -> Date {
        let month = i8::try_from((self.quarter - 1) * 3 + 1).unwrap_or(1);
        Date::new(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The first day of the next quarter.
    pub fn end(self) -> Date {
        add_months(self.first_day(), 3)
    }

    pub fn previous(self) -> Quarter {
        if self.quarter == 1 {
            Quarter {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Quarter::parse(&s).ok_or_else(|| serde::de::Error::custom("a quarter like 2026Q3"))
    }
}

/// A quarter's figures as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradingFigures {
    pub revenue_yuan: f64,
    pub margin_pct: f64,
    /// 1 (easy) to 5 (hard).
    pub difficulty: u8,
    pub staff: f64,
    pub punctuality_pct: f64,
}

impl GradingFigures {
    pub fn validate(&self) -> Result<(), DomainError> {
        let finite = |field: &str, v: f64, lo: f64, hi: f64, what: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(DomainError::invalid(field, what.to_string()))
            }
        };
        finite(
            "revenue_yuan",
            self.revenue_yuan,
            0.0,
            1e13,
            "yuan, 0 or more",
        )?;
        finite(
            "margin_pct",
            self.margin_pct,
            -100.0,
            100.0,
            "percent, -100 to 100",
        )?;
        if !(1..=5).contains(&self.difficulty) {
            return Err(DomainError::invalid("difficulty", "1 (easy) to 5 (hard)"));
        }
        finite("staff", self.staff, 0.0, 10_000.0, "people, 0 to 10000")?;
        finite(
            "punctuality_pct",
            self.punctuality_pct,
            0.0,
            100.0,
            "percent, 0 to 100",
        )
    }
}

/// Each criterion's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionPoints {
    pub revenue: u32,
    pub margin: u32,
    pub difficulty: u32,
    pub staff: u32,
    pub punctuality: u32,
}

/// A quarter's grading of an account, as recorded; never changed afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grading {
    pub id: String,
    pub account_id: KeyAccountId,
    /// The account's gradings so far, this one included: the order they were recorded in.
    pub seq: i64,
    pub quarter: Quarter,
    pub figures: GradingFigures,
    pub points: CriterionPoints,
    pub score: f64,
    pub grade: u8,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
    /// The earlier record of the same quarter this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
}

/// Grades a quarter that has ended by `today`: score, grade and the record (what it
/// supersedes is the latest earlier record of that quarter among `history`).
#[allow(clippy::too_many_arguments)]
pub fn grade_quarter(
    settings: &KeyAccountSettings,
    account: &KeyAccount,
    history: &[Grading],
    quarter: Quarter,
    figures: GradingFigures,
    note: String,
    today: Date,
    id: String,
    by: String,
    at: Timestamp,
) -> Result<Grading, DomainError> {
    if quarter.end() > today {
        return Err(DomainError::invalid(
            "quarter",
            "the quarter has not ended yet: grade it once its figures are in",
        ));
    }
    figures.validate()?;
    let note = crate::text::text("note", &note, NOTE_MAX, false)?;
    let (points, score) = settings.score(&figures);
    let own = || history.iter().filter(|g| g.account_id == account.id);
    let supersedes = own()
        .filter(|g| g.quarter == quarter)
        .max_by_key(|g| g.seq)
        .map(|g| g.id.clone());
    Ok(Grading {
        id,
        account_id: account.id.clone(),
        seq: own().map(|g| g.seq).max().unwrap_or(0) + 1,
        quarter,
        figures,
        points,
        score,
        grade: settings.grade_of(score),
        note,
        recorded_by: by,
        recorded_at: at,
        supersedes,
    })
}

/// The account after a grading: the grade of its latest quarter graded (a late record of an
/// older quarter does not change it), and the hand-over end again while it is not yet over.
pub fn apply_grading(
    account: &KeyAccount,
    grading: &Grading,
    settings: &KeyAccountSettings,
) -> KeyAccount {
    let mut next = account.clone();
    if account.graded_quarter.is_none_or(|q| grading.quarter >= q) {
        next.grade = Some(grading.grade);
        next.graded_quarter = Some(grading.quarter);
        if matches!(
            account.status,
            AccountStatus::Onboarding | AccountStatus::Handover
        ) {
            next.handover_ends_on = next.compute_handover_end(settings);
        }
    }
    next
}

/// The records of a history that a later record of the same quarter replaced.
pub fn superseded(history: &[Grading]) -> Vec<String> {
    history
        .iter()
        .filter_map(|g| g.supersedes.clone())
        .collect()
}

// ---- dates ---------------------------------------------------------------------------------

/// `day` moved by whole calendar months; a day past the end of the target month is its last
/// day (31 January + 1 month = 28/29 February).
/// jiff's calendar arithmetic does exactly this; out of its range the day stays as it is.
pub fn add_months(day: Date, months: i64) -> Date {
    day.checked_add(jiff::Span::new().months(months))
        .unwrap_or(day)
}

/// The day the renewal contact of a document ending on `ends_on` falls due: two calendar
/// months before; a document ending on a month's last day falls due on the last day of the
/// month two before (30 April → 28 February, 28 February → 31 December).
pub fn renewal_due(ends_on: Date) -> Date {
    let due = add_months(ends_on, -2);
    if ends_on == ends_on.last_of_month() {
        due.last_of_month()
    } else {
        due
    }
}

// ---- reminders -----------------------------------------------------------------------------

/// Something due on an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub account_id: KeyAccountId,
    pub account_code: String,
    pub account_name: String,
    /// The day it fell (or falls) due.
    pub due_on: Date,
    /// Fell due before today.
    pub overdue: bool,
    /// The document a renewal is about, the quarter a grading is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarter: Option<Quarter>,
    pub detail: String,
}

/// What is due on `accounts` by `today`, overdue first (the earliest due first), then by
/// account code. `graded` says which accounts have a grading of the last finished quarter.
pub fn reminders(
    accounts: &[KeyAccount],
    graded: &dyn Fn(&KeyAccountId, Quarter) -> bool,
    today: Date,
) -> Vec<Reminder> {
    let last_quarter = Quarter::of(today).previous();
    let month_start = today.first_of_month();
    let mut out = Vec::new();
    for a in accounts.iter().filter(|a| a.status != AccountStatus::Ended) {
        let reminder = |kind, due_on: Date, detail: String| Reminder {
            kind,
            account_id: a.id.clone(),
            account_code: a.code.clone(),
            account_name: a.name.clone(),
            due_on,
            overdue: due_on < today,
            document_id: None,
            quarter: None,
            detail,
        };
        for d in &a.documents {
            let due_on = renewal_due(d.ends_on);
            if d.status != DocumentStatus::Ended && d.contacted.is_none() && due_on <= today {
                out.push(Reminder {
                    document_id: Some(d.id.clone()),
                    ..reminder(
                        ReminderKind::Renewal,
                        due_on,
                        format!("{} {} ends {}", d.kind, d.number, d.ends_on),
                    )
                });
            }
        }
        let live_by_then = a.go_live_on.is_some_and(|d| d < last_quarter.end());
        if matches!(a.status, AccountStatus::Handover | AccountStatus::Active)
            && live_by_then
            && !graded(&a.id, last_quarter)
        {
            out.push(Reminder {
                quarter: Some(last_quarter),
                ..reminder(
                    ReminderKind::Grading,
                    last_quarter.end(),
                    format!("grading of {last_quarter}"),
                )
            });
        }
        if a.file_reviewed_on.is_none_or(|d| d < month_start) {
            out.push(reminder(
                ReminderKind::FileReview,
                month_start,
                "customer file not reviewed this month".into(),
            ));
        }
    }
    out.sort_by(|x, y| {
        (x.due_on, &x.account_code, x.kind).cmp(&(y.due_on, &y.account_code, y.kind))
    });
    out
}

// ---- checking what is typed ----------------------------------------------------------------

/// An account's code: letters, digits and hyphens, upper-cased.
pub fn check_code(code: &str) -> Result<String, DomainError> {
    let code = code.trim().to_uppercase();
    if code.is_empty()
        || code.chars().count() > CODE_MAX
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(DomainError::invalid(
            "code",
            format!("1 to {CODE_MAX} letters, digits, - or _ (KA-ACME)"),
        ));
    }
    Ok(code)
}

pub fn check_name(field: &str, name: &str) -> Result<String, DomainError> {
    crate::text::text(field, name, NAME_MAX, true)
}

pub fn check_optional(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    crate::text::text(field, value, max, false)
}

/// A phone as typed: digits with `+`, `-`, spaces and parentheses, or nothing.
pub fn check_phone(field: &str, phone: &str) -> Result<String, DomainError> {
    let phone = phone.trim();
    if phone.chars().count() > 30
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
    {
        return Err(DomainError::invalid(field, "digits, + - ( ) and spaces"));
    }
    Ok(phone.to_string())
}

pub fn check_email(field: &str, email: &str) -> Result<String, DomainError> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    crate::customer::Email::parse(email)
        .map(|e| e.as_str().to_string())
        .map_err(|e| DomainError::invalid(field, e))
}

/// A scope list: each entry trimmed, non-empty, at most 40 characters, listed once.
pub fn check_scope(field: &str, items: &[String]) -> Result<Vec<String>, DomainError> {
    if items.len() > MAX_SCOPE {
        return Err(DomainError::invalid(
            field,
            format!("at most {MAX_SCOPE} entries"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item = crate::text::text(&format!("{field}.{i}"), item, 40, true)?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

/// Units prices are quoted in.
pub const UNITS: &[&str] = &["kg", "m3", "trip", "piece", "ticket"];

/// Checks a price against the account's documents: its unit, amount and days, and that some
/// document not ended covers its service on its route (`service` when none covers the service,
/// else `route`).
pub fn check_price(account: &KeyAccount, p: &Price) -> Result<(), DomainError> {
    if !UNITS.contains(&p.unit.as_str()) {
        return Err(DomainError::invalid("unit", UNITS.join(", ")));
    }
    if !(1..=10_000_000_000).contains(&p.price_fen) {
        return Err(DomainError::invalid(
            "price_fen",
            "fen, 1 to 10,000,000,000",
        ));
    }
    if p.effective_to.is_some_and(|to| to < p.effective_from) {
        return Err(DomainError::invalid(
            "effective_to",
            "on or after effective_from",
        ));
    }
    let open = || {
        account
            .documents
            .iter()
            .filter(|d| d.status != DocumentStatus::Ended)
    };
    if !open().any(|d| d.services.contains(&p.service)) {
        return Err(DomainError::invalid(
            "service",
            "outside the scope of every contract, agreement and quote of the account",
        ));
    }
    if !open().any(|d| d.covers(&p.service, &p.route)) {
        return Err(DomainError::invalid(
            "route",
            "no contract, agreement or quote of the account covers this service on this route",
        ));
    }
    Ok(())
}

/// What a price lookup finds.
#[derive(Debug, Clone, PartialEq)]
pub enum PriceLookup<'a> {
    /// The filed price in force that day (the latest to take effect).
    Filed(&'a Price),
    /// Only a draft covers that day: not usable until filed.
    NotFiled,
    None,
}

pub fn lookup_price<'a>(
    account: &'a KeyAccount,
    service: &str,
    route: &str,
    on: Date,
) -> PriceLookup<'a> {
    let matching = || {
        account
            .prices
            .iter()
            .filter(move |p| p.service == service && p.route == route && p.in_effect(on))
    };
    match matching()
        .filter(|p| p.status == PriceStatus::Filed)
        .max_by_key(|p| (p.effective_from, p.created_at))
    {
        Some(p) => PriceLookup::Filed(p),
        None if matching().next().is_some() => PriceLookup::NotFiled,
        None => PriceLookup::None,
    }
}

// ---- what is typed -------------------------------------------------------------------------

/// A new account.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDraft {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub go_live_on: Option<Date>,
    /// The responsible head (id or user name); the creator when absent.
    #[serde(default)]
    pub owner: Option<String>,
    /// Agents (ids or user names).
    #[serde(default)]
    pub assistants: Vec<String>,
    /// A customer record's id.
    #[serde(default)]
    pub customer_id: Option<String>,
}

/// A change of an account; absent fields stay, `null` clears the optional ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub code: Option<String>,
    pub name: Option<String>,
    pub industry: Option<String>,
    pub status: Option<AccountStatus>,
    #[serde(default, deserialize_with = "double_option")]
    pub go_live_on: Option<Option<Date>>,
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub customer_id: Option<Option<String>>,
}

fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactDraft {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub is_management: bool,
}

impl ContactDraft {
    pub fn check(&self, id: String) -> Result<Contact, DomainError> {
        let phone = check_phone("phone", &self.phone)?;
        let email = check_email("email", &self.email)?;
        if phone.is_empty() && email.is_empty() {
            return Err(DomainError::invalid(
                "phone",
                "a phone or an e-mail address",
            ));
        }
        Ok(Contact {
            id,
            name: check_name("name", &self.name)?,
            title: check_optional("title", &self.title, NAME_MAX)?,
            phone,
            email,
            is_management: self.is_management,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntryDraft {
    pub role: FileRole,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
}

impl FileEntryDraft {
    pub fn check(&self, id: String, at: Timestamp) -> Result<FileEntry, DomainError> {
        Ok(FileEntry {
            id,
            role: self.role,
            name: check_name("name", &self.name)?,
            address: check_optional("address", &self.address, ADDRESS_MAX)?,
            contact: check_optional("contact", &self.contact, NAME_MAX)?,
            phone: check_phone("phone", &self.phone)?,
            updated_at: at,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDraft {
    pub kind: DocumentKind,
    pub number: String,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Date,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub routes: Vec<String>,
    #[serde(default)]
    pub status: Option<DocumentStatus>,
}

impl DocumentDraft {
    /// The document, keeping what a change does not type (the renewal contact).
    pub fn check(
        &self,
        id: String,
        contacted: Option<Contacted>,
    ) -> Result<AccountDocument, DomainError> {
        if self.ends_on < self.starts_on {
            return Err(DomainError::invalid("ends_on", "on or after starts_on"));
        }
        Ok(AccountDocument {
            id,
            kind: self.kind,
            number: check_name("number", &self.number)?,
            title: check_name("title", &self.title)?,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            services: check_scope("services", &self.services)?,
            routes: check_scope("routes", &self.routes)?,
            status: self.status.unwrap_or(DocumentStatus::InForce),
            contacted,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceDraft {
    pub service: String,
    pub route: String,
    pub unit: String,
    pub price_fen: i64,
    pub effective_from: Date,
    #[serde(default)]
    pub effective_to: Option<Date>,
}

impl PriceDraft {
    /// A draft price, checked against the account's documents.
    pub fn check(
        &self,
        account: &KeyAccount,
        id: String,
        by: String,
        at: Timestamp,
    ) -> Result<Price, DomainError> {
        let price = Price {
            id,
            service: check_name("service", &self.service)?,
            route: check_name("route", &self.route)?,
            unit: self.unit.trim().to_string(),
            price_fen: self.price_fen,
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            status: PriceStatus::Draft,
            created_by: by,
            created_at: at,
            filed_by: None,
            filed_at: None,
        };
        check_price(account, &price)?;
        Ok(price)
    }
}

/// A quarter's figures as typed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingDraft {
    pub quarter: Quarter,
    pub revenue_yuan: f64,
    pub margin_pct: f64,
    pub difficulty: u8,
    pub staff: f64,
    pub punctuality_pct: f64,
    #[serde(default)]
    pub note: String,
}

impl GradingDraft {
    pub fn figures(&self) -> GradingFigures {
        GradingFigures {
            revenue_yuan: self.revenue_yuan,
            margin_pct: self.margin_pct,
            difficulty: self.difficulty,
            staff: self.staff,
            punctuality_pct: self.punctuality_pct,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn account() -> KeyAccount {
        let at: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        KeyAccount {
            id: KeyAccountId::new(at),
            code: "KA-ACME".into(),
            name: "Acme".into(),
            industry: String::new(),
            status: AccountStatus::Active,
            go_live_on: Some(day("2026-01-31")),
            handover_ends_on: None,
            grade: None,
            graded_quarter: None,
            assistants: vec![],
            owner: UserId::new(at),
            customer_id: None,
            file_reviewed_on: None,
            contacts: vec![],
            file_entries: vec![],
            documents: vec![],
            prices: vec![],
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn the_default_setting_is_valid_and_bad_ones_name_their_field() {
        let s = KeyAccountSettings::default();
        s.validate().unwrap();
        let mut bad = s.clone();
        bad.criteria.staff.weight = 15;
        let e = bad.validate().unwrap_err();
        assert!(
            matches!(&e, DomainError::Invalid { field, message } if field == "criteria" && message.contains("105")),
            "{e}"
        );
        let mut bad = s.clone();
        bad.criteria.margin.bands[1].up_to = Some(3.0);
        assert!(
            matches!(bad.validate(), Err(DomainError::Invalid { field, .. }) if field == "criteria.margin.bands.1.up_to")
        );
        let mut bad = s.clone();
        bad.grade_min_scores = [70.0, 85.0, 50.0];
        assert!(
            matches!(bad.validate(), Err(DomainError::Invalid { field, .. }) if field == "grade_min_scores")
        );
        let mut bad = s;
        bad.policies.pop();
        assert!(
            matches!(bad.validate(), Err(DomainError::Invalid { field, .. }) if field == "policies")
        );
    }

    /// By hand: revenue 600,000 → 80 × 30 = 2400; margin 15 % → 80 × 25 = 2000; difficulty 3
    /// → 60 × 15 = 900; staff 4 → 70 × 10 = 700; punctuality 95 % → 80 × 20 = 1600; sum 7600
    /// → 76.0, grade 2 (70 ≤ 76 < 85).
    #[test]
    fn a_quarter_is_scored_by_bands_and_weights() {
        let s = KeyAccountSettings::default();
        let (points, score) = s.score(&GradingFigures {
            revenue_yuan: 600_000.0,
            margin_pct: 15.0,
            difficulty: 3,
            staff: 4.0,
            punctuality_pct: 95.0,
        });
        assert_eq!(
            points,
            CriterionPoints {
                revenue: 80,
                margin: 80,
                difficulty: 60,
                staff: 70,
                punctuality: 80
            }
        );
        assert_eq!(score, 76.0);
        assert_eq!(s.grade_of(score), 2);
        // A value on a band's bound belongs to that band: 100,000 yuan → 20 points; difficulty
        // 5 → 20; staff 12 → 10; punctuality 80 → 20; margin 5 → 20: 600+500+300+100+400 = 19.0.
        let (_, low) = s.score(&GradingFigures {
            revenue_yuan: 100_000.0,
            margin_pct: 5.0,
            difficulty: 5,
            staff: 12.0,
            punctuality_pct: 80.0,
        });
        assert_eq!(low, 19.0);
        assert_eq!(s.grade_of(low), 4);
        // The best everywhere: 100.
        let (_, top) = s.score(&GradingFigures {
            revenue_yuan: 3_000_000.0,
            margin_pct: 25.0,
            difficulty: 1,
            staff: 1.0,
            punctuality_pct: 100.0,
        });
        assert_eq!(top, 100.0);
        assert_eq!(s.grade_of(top), 1);
        assert_eq!(s.grade_of(85.0), 1);
        assert_eq!(s.grade_of(84.9), 2);
        assert_eq!(s.grade_of(50.0), 3);
    }

    #[test]
    fn a_regrade_supersedes_and_the_latest_quarter_decides_the_grade() {
        let s = KeyAccountSettings::default();
        let a = account();
        let at: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        let figures = |revenue: f64| GradingFigures {
            revenue_yuan: revenue,
            margin_pct: 15.0,
            difficulty: 3,
            staff: 4.0,
            punctuality_pct: 95.0,
        };
        let q3 = Quarter::parse("2026Q3").unwrap();
        let today = day("2026-11-24");
        let first = grade_quarter(
            &s,
            &a,
            &[],
            q3,
            figures(600_000.0),
            String::new(),
            today,
            "g1".into(),
            "user:boss".into(),
            at,
        )
        .unwrap();
        assert_eq!((first.grade, first.supersedes.clone()), (2, None));
        let a = apply_grading(&a, &first, &s);
        assert_eq!(a.grade, Some(2));
        let again = grade_quarter(
            &s,
            &a,
            std::slice::from_ref(&first),
            q3,
            figures(3_000_000.0),
            "revenue corrected".into(),
            today,
            "g2".into(),
            "user:boss".into(),
            at + jiff::SignedDuration::from_secs(60),
        )
        .unwrap();
        // 2400 → 3000: 82.0, still grade 2.
        assert_eq!(
            (again.score, again.supersedes.as_deref()),
            (82.0, Some("g1"))
        );
        assert_eq!(superseded(&[first.clone(), again.clone()]), ["g1"]);
        // An older quarter recorded late does not change the current grade.
        let q2 = grade_quarter(
            &s,
            &a,
            &[first, again],
            Quarter::parse("2026Q2").unwrap(),
            figures(50_000.0),
            String::new(),
            today,
            "g3".into(),
            "user:boss".into(),
            at,
        )
        .unwrap();
        assert_eq!(apply_grading(&a, &q2, &s).grade, Some(2));
        // The current quarter, or one to come, cannot be graded.
        for q in ["2026Q4", "2027Q1"] {
            let e = grade_quarter(
                &s,
                &a,
                &[],
                Quarter::parse(q).unwrap(),
                figures(1.0),
                String::new(),
                today,
                "x".into(),
                "user:boss".into(),
                at,
            )
            .unwrap_err();
            assert!(matches!(e, DomainError::Invalid { field, .. } if field == "quarter"));
        }
    }

    #[test]
    fn the_handover_period_follows_the_grade_policy() {
        let s = KeyAccountSettings::default();
        let mut a = account();
        a.status = AccountStatus::Handover;
        // Ungraded: the lowest grade's month; 31 January + 1 month is 28 February.
        assert_eq!(a.compute_handover_end(&s), Some(day("2026-02-28")));
        a.grade = Some(2);
        assert_eq!(a.compute_handover_end(&s), Some(day("2026-04-30")));
        a.grade = Some(3);
        assert_eq!(a.compute_handover_end(&s), Some(day("2026-02-28")));
    }

    #[test]
    fn renewals_fall_due_two_calendar_months_before_the_end() {
        assert_eq!(renewal_due(day("2027-04-30")), day("2027-02-28"));
        assert_eq!(renewal_due(day("2027-03-31")), day("2027-01-31"));
        assert_eq!(renewal_due(day("2028-04-30")), day("2028-02-29"));
        assert_eq!(renewal_due(day("2027-02-28")), day("2026-12-31"));
        assert_eq!(renewal_due(day("2027-05-15")), day("2027-03-15"));
        assert_eq!(renewal_due(day("2027-01-10")), day("2026-11-10"));
        assert_eq!(add_months(day("2026-11-30"), 3), day("2027-02-28"));
    }

    #[test]
    fn quarters_parse_and_bound_their_days() {
        let q = Quarter::parse("2026Q4").unwrap();
        assert_eq!(q.first_day(), day("2026-10-01"));
        assert_eq!(q.end(), day("2027-01-01"));
        assert_eq!(q.previous().to_string(), "2026Q3");
        assert_eq!(
            Quarter::parse("2027-q1").unwrap().previous().to_string(),
            "2026Q4"
        );
        assert_eq!(Quarter::of(day("2026-03-31")).to_string(), "2026Q1");
        for bad in ["2026Q5", "2026", "Q1", "1999Q1", "2026Q0"] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
    }

    fn document(ends_on: &str) -> AccountDocument {
        AccountDocument {
            id: "d1".into(),
            kind: DocumentKind::Contract,
            number: "HT-1".into(),
            title: "运输合同".into(),
            starts_on: day("2026-01-01"),
            ends_on: day(ends_on),
            services: vec!["整车".into(), "零担".into()],
            routes: vec!["广东-上海".into()],
            status: DocumentStatus::InForce,
            contacted: None,
        }
    }

    #[test]
    fn reminders_list_renewals_gradings_and_reviews_overdue_first() {
        let mut a = account();
        a.documents.push(document("2027-01-31"));
        a.file_reviewed_on = Some(day("2026-10-31"));
        let today = day("2026-11-24");
        let none_graded = |_: &KeyAccountId, _: Quarter| false;
        let due = reminders(std::slice::from_ref(&a), &none_graded, today);
        let kinds: Vec<_> = due.iter().map(|r| (r.kind, r.due_on, r.overdue)).collect();
        assert_eq!(
            kinds,
            [
                (ReminderKind::Grading, day("2026-10-01"), true),
                (ReminderKind::FileReview, day("2026-11-01"), true),
            ]
        );
        // The renewal falls due on 30 November (31 January − 2 months): not yet listed.
        let graded = |_: &KeyAccountId, q: Quarter| q.to_string() == "2026Q3";
        a.file_reviewed_on = Some(day("2026-11-02"));
        assert!(reminders(std::slice::from_ref(&a), &graded, today).is_empty());
        let due = reminders(std::slice::from_ref(&a), &graded, day("2026-11-30"));
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].kind, due[0].overdue),
            (ReminderKind::Renewal, false)
        );
        // Contacted: cleared (and December's review done).
        a.file_reviewed_on = Some(day("2026-12-01"));
        a.documents[0].contacted = Some(Contacted {
            by: "user:x".into(),
            at: a.created_at,
            note: String::new(),
        });
        assert!(reminders(std::slice::from_ref(&a), &graded, day("2026-12-05")).is_empty());
        // An ended account asks for nothing.
        a.documents[0].contacted = None;
        a.status = AccountStatus::Ended;
        assert!(reminders(&[a], &graded, day("2026-12-05")).is_empty());
    }

    #[test]
    fn prices_must_be_in_scope_and_filed_to_be_used() {
        let mut a = account();
        a.documents.push(document("2027-12-31"));
        let at = a.created_at;
        let mut p = Price {
            id: "p1".into(),
            service: "整车".into(),
            route: "广东-上海".into(),
            unit: "trip".into(),
            price_fen: 450_000,
            effective_from: day("2026-01-01"),
            effective_to: Some(day("2026-12-31")),
            status: PriceStatus::Draft,
            created_by: "user:a".into(),
            created_at: at,
            filed_by: None,
            filed_at: None,
        };
        check_price(&a, &p).unwrap();
        let field = |p: &Price| match check_price(&a, p) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(&Price {
                service: "快递".into(),
                ..p.clone()
            }),
            "service"
        );
        assert_eq!(
            field(&Price {
                route: "北京-上海".into(),
                ..p.clone()
            }),
            "route"
        );
        assert_eq!(
            field(&Price {
                unit: "ton".into(),
                ..p.clone()
            }),
            "unit"
        );
        assert_eq!(
            field(&Price {
                price_fen: 0,
                ..p.clone()
            }),
            "price_fen"
        );
        a.prices.push(p.clone());
        let on = day("2026-06-01");
        assert_eq!(
            lookup_price(&a, "整车", "广东-上海", on),
            PriceLookup::NotFiled
        );
        assert_eq!(lookup_price(&a, "零担", "广东-上海", on), PriceLookup::None);
        assert_eq!(
            lookup_price(&a, "整车", "广东-上海", day("2027-01-01")),
            PriceLookup::None
        );
        p.status = PriceStatus::Filed;
        a.prices[0] = p.clone();
        assert_eq!(
            lookup_price(&a, "整车", "广东-上海", on),
            PriceLookup::Filed(&p)
        );
        // A later filed price wins from its first day; a draft beside a filed one is ignored.
        let later = Price {
            id: "p2".into(),
            price_fen: 480_000,
            effective_from: day("2026-07-01"),
            ..p.clone()
        };
        a.prices.push(later.clone());
        a.prices.push(Price {
            id: "p3".into(),
            status: PriceStatus::Draft,
            effective_from: day("2026-08-01"),
            ..p.clone()
        });
        assert_eq!(
            lookup_price(&a, "整车", "广东-上海", on),
            PriceLookup::Filed(&p)
        );
        assert_eq!(
            lookup_price(&a, "整车", "广东-上海", day("2026-08-15")),
            PriceLookup::Filed(&later)
        );
    }

    #[test]
    fn confidentiality_by_role_and_assignment() {
        let mut a = account();
        let assistant = UserId::new(a.created_at);
        let other = UserId::from_stored("someone-else".into());
        a.assistants.push(assistant.clone());
        assert!(a.visible_to(Role::Agent, &assistant));
        assert!(!a.visible_to(Role::Agent, &other));
        assert!(a.visible_to(Role::Supervisor, &other));
        assert!(a.visible_to(Role::Admin, &other));
        for role in [
            Role::Finance,
            Role::Readonly,
            Role::Inspector,
            Role::Department,
        ] {
            assert!(!a.visible_to(role, &assistant));
            assert!(!may_use(role));
        }
    }
}
