//! Satisfaction surveys (满意度回访, R-CASE-8): the `survey` setting (which channels are
//! surveyed, the reasons offered, which scores count as satisfied and as poor, the follow-up
//! deadline, the target), the answer's rules (`check_answer`), the token that lets a customer
//! answer without signing in, and the records of the satisfaction figures and their drill-down.
//!
//! A case is surveyed once, when it is first resolved on a channel the setting names (a
//! `survey_opened` event carrying who served the customer — agent, team — and the customer's
//! grade, as they were then); the customer answers once (`rated`, with the way it came in). A
//! poor answer opens a follow-up (回访) for the supervisors with its own deadline on the
//! business calendar; an overdue one tells them, and recording its outcome closes it.
//!
//! The figures count cases by the day their survey was opened (the desk's time zone): of the
//! cases surveyed on those days, how many answered, how many were satisfied, how many poor.
//! One rule, [`SurveyFigure::counts`], says which cases a figure counts; the store's SQL twin
//! (`kefu-store-sql`) is held to it by the contract suite.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codes::{Category, Channel};
use crate::error::DomainError;
use crate::ids::{CaseId, DepartmentId, UserId};
use crate::string_enum::string_enum;

/// The key of the survey setting.
pub const SURVEY_SETTING: &str = "survey";

/// At most this many characters in a comment.
pub const COMMENT_MAX: usize = 500;

/// At most this many characters in a follow-up's note.
pub const NOTE_MAX: usize = 1000;

string_enum!(
    /// How an answer came in: the survey page a link leads to (SMS, e-mail, WeChat), its JSON
    /// twin, the portal's rate form (case number and phone), the chat's rating card, a WeChat
    /// reply of a bare digit.
    SurveyWay { Page => "page", Api => "api", Portal => "portal", Chat => "chat", Wechat => "wechat" }
);

string_enum!(
    /// What came of a follow-up call to a customer who answered poorly.
    FollowUpOutcome {
        CalledBack => "called_back", Resolved => "resolved", Unreachable => "unreachable",
        Declined => "declined", Other => "other",
    }
);

string_enum!(
    /// Where a follow-up stands.
    FollowUpState { Open => "open", Overdue => "overdue", Closed => "closed" }
);

string_enum!(
    /// What the figures are broken down by.
    SurveyDimension {
        Agent => "agent", Team => "team", Channel => "channel", Category => "category",
        Grade => "grade", Day => "day",
    }
);

string_enum!(
    /// A figure of the satisfaction page, and the cases behind it.
    SurveyFigure { Surveyed => "surveyed", Answered => "answered", Satisfied => "satisfied", Poor => "poor" }
);

impl SurveyFigure {
    /// Whether a surveyed case counts in this figure — the one rule (the SQL filter of the
    /// drill-down is its twin).
    pub fn counts(self, row: &SurveyRow) -> bool {
        match self {
            SurveyFigure::Surveyed => true,
            SurveyFigure::Answered => row.score.is_some(),
            SurveyFigure::Satisfied => row.satisfied,
            SurveyFigure::Poor => row.poor,
        }
    }
}

/// The `survey` setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    /// The channels whose resolved cases are surveyed.
    pub channels: Vec<Channel>,
    /// Reasons offered with a score below `satisfied_from` (what went wrong).
    pub poor_reasons: Vec<String>,
    /// Reasons offered with a satisfied score (what went well).
    pub good_reasons: Vec<String>,
    /// Scores from this one up count as satisfied (default 4: 4 and 5).
    pub satisfied_from: u8,
    /// Scores up to this one count as poor and open a follow-up (default 2: 1 and 2).
    pub poor_up_to: u8,
    /// The follow-up's deadline in working hours of `follow_up_calendar` (default 24).
    pub follow_up_hours: u32,
    /// The business calendar the follow-up deadline counts on.
    pub follow_up_calendar: String,
    /// How many days a survey link stays open.
    pub valid_days: u32,
    /// The satisfaction rate aimed at, in percent (the trade's 95).
    pub target_percent: u8,
}

impl Default for SurveySettings {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        SurveySettings {
            channels: Channel::ALL.to_vec(),
            poor_reasons: s(&["响应慢", "没解决问题", "态度不好", "派送问题", "其他"]),
            good_reasons: s(&["响应快", "问题已解决", "态度好", "专业", "其他"]),
            satisfied_from: 4,
            poor_up_to: 2,
            follow_up_hours: 24,
            follow_up_calendar: "cn-service".into(),
            valid_days: 7,
            target_percent: 95,
        }
    }
}

impl SurveySettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut seen = Vec::new();
        for c in &self.channels {
            if seen.contains(c) {
                return Err(DomainError::invalid("channels", "a channel is named twice"));
            }
            seen.push(*c);
        }
        for (field, list) in [
            ("poor_reasons", &self.poor_reasons),
            ("good_reasons", &self.good_reasons),
        ] {
            if list.is_empty() || list.len() > 20 {
                return Err(DomainError::invalid(field, "1 to 20 reasons"));
            }
            for (i, r) in list.iter().enumerate() {
                let n = r.trim().chars().count();
                if n == 0 || n > 20 || r.trim() != r {
                    return Err(DomainError::invalid(
                        format!("{field}.{i}"),
                        "1 to 20 characters, no spaces around",
                    ));
                }
                if list[..i].contains(r) {
                    return Err(DomainError::invalid(
                        format!("{field}.{i}"),
                        "a reason is named twice",
                    ));
                }
            }
        }
        if !(2..=5).contains(&self.satisfied_from) {
            return Err(DomainError::invalid("satisfied_from", "2 to 5"));
        }
        if !(1..self.satisfied_from).contains(&self.poor_up_to) {
            return Err(DomainError::invalid(
                "poor_up_to",
                "1 up to one below satisfied_from",
            ));
        }
        if !(1..=720).contains(&self.follow_up_hours) {
            return Err(DomainError::invalid("follow_up_hours", "1 to 720"));
        }
        if self.follow_up_calendar.trim().is_empty() || self.follow_up_calendar.len() > 64 {
            return Err(DomainError::invalid(
                "follow_up_calendar",
                "a calendar's key",
            ));
        }
        if !(1..=90).contains(&self.valid_days) {
            return Err(DomainError::invalid("valid_days", "1 to 90"));
        }
        if !(1..=100).contains(&self.target_percent) {
            return Err(DomainError::invalid("target_percent", "1 to 100"));
        }
        Ok(())
    }

    /// The reasons offered with `score`.
    pub fn reasons_for(&self, score: u8) -> &[String] {
        if score >= self.satisfied_from {
            &self.good_reasons
        } else {
            &self.poor_reasons
        }
    }

    pub fn is_satisfied(&self, score: u8) -> bool {
        score >= self.satisfied_from
    }

    pub fn is_poor(&self, score: u8) -> bool {
        score <= self.poor_up_to
    }
}

/// What a customer answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerDraft {
    pub score: u8,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

/// An answer checked against the settings: the score 1–5, each reason one of those offered
/// with that score (once), the comment trimmed and at most [`COMMENT_MAX`] characters.
pub fn check_answer(
    settings: &SurveySettings,
    draft: &AnswerDraft,
) -> Result<AnswerDraft, DomainError> {
    if !(1..=5).contains(&draft.score) {
        return Err(DomainError::invalid("score", "1 to 5"));
    }
    let offered = settings.reasons_for(draft.score);
    let mut reasons: Vec<String> = Vec::new();
    for (i, r) in draft.reasons.iter().enumerate() {
        let r = r.trim();
        if !offered.iter().any(|o| o == r) {
            return Err(DomainError::invalid(
                format!("reasons.{i}"),
                format!(
                    "not a reason offered with this score: {}",
                    offered.join("、")
                ),
            ));
        }
        if !reasons.iter().any(|x| x == r) {
            reasons.push(r.to_string());
        }
    }
    let comment = draft.comment.trim();
    if comment.chars().count() > COMMENT_MAX {
        return Err(DomainError::invalid("comment", "at most 500 characters"));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::invalid("comment", "no control characters"));
    }
    Ok(AnswerDraft {
        score: draft.score,
        reasons,
        comment: comment.to_string(),
    })
}

/// A new survey token for a case and the hash the case keeps: the case's id and 32 random
/// bytes; only the customer's link carries the random part.
pub fn new_token(case: &CaseId) -> (String, String) {
    let secret = crate::auth::new_token();
    let hash = secret_hash(&secret);
    (format!("{case}.{secret}"), hash)
}

/// A token's case id and the hash of its secret, if it has the token's shape.
pub fn parse_token(token: &str) -> Option<(CaseId, String)> {
    let (case, secret) = token.split_once('.')?;
    let case = CaseId::parse(case)?;
    if secret.len() != 43
        || !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    Some((case, secret_hash(secret)))
}

fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(format!("kefu-survey:{secret}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two hashes in time independent of where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A case's survey as its events made it (`Case::survey`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub opened_at: Timestamp,
    /// The day the figures count it on (the desk's time zone).
    pub day: Date,
    pub expires_at: Timestamp,
    /// The hash of the link's secret.
    pub token_hash: String,
    /// Who served the customer when the survey was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<DepartmentId>,
    pub grade: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<SurveyAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
}

impl Survey {
    /// Open to an answer at `now`: unanswered and not expired.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.answer.is_none() && now < self.expires_at
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    pub score: u8,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub via: SurveyWay,
    pub at: Timestamp,
    pub satisfied: bool,
    pub poor: bool,
}

/// The 回访 a poor answer calls for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub opened_at: Timestamp,
    pub due_at: Timestamp,
    pub state: FollowUpState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<FollowUpOutcome>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
}

impl FollowUp {
    pub fn is_open(&self) -> bool {
        self.state != FollowUpState::Closed
    }
}

/// A surveyed case as the figures see it: one row per case (the store's `surveys` table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyRow {
    pub case_id: CaseId,
    pub case_number: String,
    pub day: Date,
    pub channel: Channel,
    pub category: Category,
    pub agent: Option<UserId>,
    pub team: Option<DepartmentId>,
    pub grade: u8,
    pub score: Option<u8>,
    pub satisfied: bool,
    pub poor: bool,
    pub answered_at: Option<Timestamp>,
    pub follow_up: Option<FollowUpState>,
    pub follow_up_due_at: Option<Timestamp>,
}

impl SurveyRow {
    /// This row's value of a dimension (empty: nobody, no team).
    pub fn key(&self, dimension: SurveyDimension) -> String {
        match dimension {
            SurveyDimension::Agent => self
                .agent
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default(),
            SurveyDimension::Team => self
                .team
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            SurveyDimension::Channel => self.channel.as_str().to_string(),
            SurveyDimension::Category => self.category.as_str().to_string(),
            SurveyDimension::Grade => self.grade.to_string(),
            SurveyDimension::Day => self.day.to_string(),
        }
    }
}

/// What the figures ask the store: days `[from, to)`, broken down by `dimension`; only one
/// agent's cases when `agent` is given (an agent sees their own).
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyQuery {
    pub from: Date,
    pub to: Date,
    pub dimension: SurveyDimension,
    pub agent: Option<UserId>,
}

/// The cases behind a figure: the query's days and agent, one value of its dimension (none:
/// all), the figure.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyDrill {
    pub from: Date,
    pub to: Date,
    pub agent: Option<UserId>,
    pub dimension: Option<(SurveyDimension, String)>,
    pub figure: SurveyFigure,
    pub limit: u32,
}

/// The figures of one value of a dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTally {
    /// The dimension's value (a user or department id, a code, a grade, a day; empty: none).
    pub key: String,
    pub surveyed: i64,
    pub answered: i64,
    pub satisfied: i64,
    pub poor: i64,
}

impl SurveyTally {
    pub fn empty(key: impl Into<String>) -> SurveyTally {
        SurveyTally {
            key: key.into(),
            surveyed: 0,
            answered: 0,
            satisfied: 0,
            poor: 0,
        }
    }

    /// Adds a row (the pure twin of the store's sums).
    pub fn add(&mut self, row: &SurveyRow) {
        self.surveyed += 1;
        self.answered += i64::from(row.score.is_some());
        self.satisfied += i64::from(row.satisfied);
        self.poor += i64::from(row.poor);
    }

    pub fn plus(&mut self, other: &SurveyTally) {
        self.surveyed += other.surveyed;
        self.answered += other.answered;
        self.satisfied += other.satisfied;
        self.poor += other.poor;
    }

    /// Satisfied ÷ answered, in percent (none answered: none).
    pub fn satisfaction_percent(&self) -> Option<f64> {
        (self.answered > 0).then(|| 100.0 * self.satisfied as f64 / self.answered as f64)
    }

    /// Answered ÷ surveyed, in percent.
    pub fn response_percent(&self) -> Option<f64> {
        (self.surveyed > 0).then(|| 100.0 * self.answered as f64 / self.surveyed as f64)
    }

    pub fn count(&self, figure: SurveyFigure) -> i64 {
        match figure {
            SurveyFigure::Surveyed => self.surveyed,
            SurveyFigure::Answered => self.answered,
            SurveyFigure::Satisfied => self.satisfied,
            SurveyFigure::Poor => self.poor,
        }
    }
}

pub use crate::period::check_period;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_against_the_reasons_offered_with_the_score() {
        let s = SurveySettings::default();
        let ok = check_answer(
            &s,
            &AnswerDraft {
                score: 2,
                reasons: vec!["响应慢".into(), " 响应慢".into()],
                comment: "  太慢了 ".into(),
            },
        )
        .unwrap();
        assert_eq!(ok.reasons, vec!["响应慢".to_string()]);
        assert_eq!(ok.comment, "太慢了");
        let bad = |score, reason: &str| {
            check_answer(
                &s,
                &AnswerDraft {
                    score,
                    reasons: vec![reason.into()],
                    comment: String::new(),
                },
            )
        };
        assert!(bad(5, "响应慢").is_err(), "a poor reason with a good score");
        assert!(bad(0, "响应快").is_err());
        assert!(bad(6, "响应快").is_err());
        assert!(bad(5, "响应快").is_ok());
    }

    #[test]
    fn tokens_name_their_case_and_only_their_secret_matches() {
        let case = CaseId::new(Timestamp::UNIX_EPOCH);
        let (token, hash) = new_token(&case);
        let (id, h) = parse_token(&token).unwrap();
        assert_eq!(id, case);
        assert!(same_hash(&h, &hash));
        let (other, _) = new_token(&case);
        assert!(!same_hash(&parse_token(&other).unwrap().1, &hash));
        assert!(parse_token("nonsense").is_none());
        assert!(parse_token(&format!("{case}.short")).is_none());
    }

    #[test]
    fn the_default_settings_are_valid_and_thresholds_are_checked() {
        let mut s = SurveySettings::default();
        s.validate().unwrap();
        s.poor_up_to = 4;
        assert!(s.validate().is_err());
    }
}
