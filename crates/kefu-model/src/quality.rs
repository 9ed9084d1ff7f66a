//! Quality inspection (质检, R-MG-4): rubrics of weighted items and the score they give, the
//! sampling rules that choose which resolved cases are inspected, an inspection's life — drawn,
//! assigned, scored, acknowledged or appealed by the agent, the appeal decided — and the
//! figures per agent and department.
//!
//! Scoring never touches the case: an inspection is a record of its own with its own
//! append-only history (`InspectionEntry`, one per version). Scores are kept in hundredths of a
//! point (`score_x100`), so sums stay exact integers in the store.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DomainError;
use crate::ids::{CaseId, DepartmentId, InspectionId, UserId};
use crate::string_enum::string_enum;
use crate::user::{Actor, Role};

/// The key of the `quality` setting (the sampling rules and the pass score).
pub const SETTING: &str = "quality";
/// The id of the shipped rubric.
pub const DEFAULT_RUBRIC: &str = "default";
/// The most items a rubric has.
pub const MAX_ITEMS: usize = 20;

/// Who scores inspections: quality inspectors (质检员), supervisors and admins.
pub fn may_inspect(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor | Role::Inspector)
}

/// Who edits rubrics and sampling rules, draws, assigns and decides appeals: supervisors and
/// admins.
pub fn may_manage(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Supervisor)
}

/// Who has a quality page at all: those who inspect, and agents for their own scores.
pub fn may_read(actor: &Actor) -> bool {
    may_inspect(actor) || actor.role == Role::Agent
}

/// Whether the actor may read this inspection: inspectors and managers all, an agent their own.
pub fn may_read_inspection(actor: &Actor, inspection: &Inspection) -> bool {
    may_inspect(actor)
        || (actor.role == Role::Agent && inspection.agent.as_ref() == Some(&actor.user_id))
}

// ---- rubrics -------------------------------------------------------------------------------

/// One item of a rubric: its weight in the total (the weights sum to 100), its highest score,
/// and whether failing it (a score of 0) makes the whole score 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricItem {
    pub key: String,
    pub name: String,
    pub weight: u32,
    pub max: u32,
    #[serde(default)]
    pub critical: bool,
}

/// What an editor sends: a rubric's name and items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricDraft {
    pub name: String,
    pub items: Vec<RubricItem>,
}

/// A rubric (评分表) as stored: every edit is a new version; an inspection names the version
/// it was scored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub items: Vec<RubricItem>,
    pub created_at: Timestamp,
    /// Who saved this version (`user:…`, `system` for the shipped one).
    pub created_by: String,
}

impl RubricDraft {
    /// Checks the draft: a name, 1–20 items with distinct keys and names, each weight 1–100
    /// and highest score 1–100, the weights summing to 100.
    pub fn checked(self) -> Result<RubricDraft, DomainError> {
        let name = crate::text::text("name", &self.name, 100, true)?;
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(DomainError::invalid(
                "items",
                format!("1 to {MAX_ITEMS} items"),
            ));
        }
        let mut items: Vec<RubricItem> = Vec::with_capacity(self.items.len());
        for (i, item) in self.items.into_iter().enumerate() {
            crate::text::check_key(&format!("items.{i}.key"), &item.key)?;
            if items.iter().any(|o| o.key == item.key) {
                return Err(DomainError::invalid(format!("items.{i}.key"), "used twice"));
            }
            let name = crate::text::text(&format!("items.{i}.name"), &item.name, 100, true)?;
            if !(1..=100).contains(&item.weight) {
                return Err(DomainError::invalid(
                    format!("items.{i}.weight"),
                    "1 to 100",
                ));
            }
            if !(1..=100).contains(&item.max) {
                return Err(DomainError::invalid(format!("items.{i}.max"), "1 to 100"));
            }
            items.push(RubricItem { name, ..item });
        }
        let sum: u32 = items.iter().map(|i| i.weight).sum();
        if sum != 100 {
            return Err(DomainError::invalid(
                "items",
                format!("the weights must sum to 100, not {sum}"),
            ));
        }
        Ok(RubricDraft { name, items })
    }
}

/// The shipped rubric: greeting script, accuracy, empathy, resolution, and compliance as a
/// critical pass/fail item.
pub fn default_rubric() -> RubricDraft {
    let item = |key: &str, name: &str, weight, max, critical| RubricItem {
        key: key.into(),
        name: name.into(),
        weight,
        max,
        critical,
    };
    RubricDraft {
        name: "客服通用质检表".into(),
        items: vec![
            item("greeting", "开场/结束语规范", 15, 5, false),
            item("accuracy", "答复准确", 30, 5, false),
            item("empathy", "态度与共情", 20, 5, false),
            item("resolution", "问题解决", 25, 5, false),
            item("compliance", "合规与信息安全", 10, 1, true),
        ],
    }
}

/// An item's score with the inspector's comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub item: String,
    pub score: u32,
    #[serde(default)]
    pub comment: String,
}

/// The outcome of scoring: the total in hundredths of a point (0–10000) and whether a critical
/// item failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub total_x100: i64,
    pub critical_failed: bool,
}

/// Scores every item of `rubric` once: total = Σ weight × score / max (0–100), rounded to
/// hundredths; a critical item scored 0 makes the total 0. An unknown item, an item twice, a
/// score above its item's highest or an item left out is `invalid_field`.
pub fn score(
    rubric: &Rubric,
    scores: &[ItemScore],
) -> Result<(Score, Vec<ItemScore>), DomainError> {
    let mut by_key: BTreeMap<&str, (usize, &ItemScore)> = BTreeMap::new();
    for (i, s) in scores.iter().enumerate() {
        let Some(item) = rubric.items.iter().find(|it| it.key == s.item) else {
            return Err(DomainError::invalid(
                format!("scores.{i}.item"),
                format!("the rubric has no item {}", s.item),
            ));
        };
        if by_key.insert(item.key.as_str(), (i, s)).is_some() {
            return Err(DomainError::invalid(
                format!("scores.{i}.item"),
                "scored twice",
            ));
        }
        if s.score > item.max {
            return Err(DomainError::invalid(
                format!("scores.{i}.score"),
                format!("0 to {}", item.max),
            ));
        }
    }
    let mut sum = 0.0_f64;
    let mut critical_failed = false;
    let mut out = Vec::with_capacity(rubric.items.len());
    for item in &rubric.items {
        let Some(&(i, s)) = by_key.get(item.key.as_str()) else {
            return Err(DomainError::invalid(
                "scores",
                format!("item {} is not scored", item.key),
            ));
        };
        let comment = crate::text::text(&format!("scores.{i}.comment"), &s.comment, 2000, false)?;
        sum += f64::from(item.weight) * f64::from(s.score) / f64::from(item.max);
        critical_failed |= item.critical && s.score == 0;
        out.push(ItemScore {
            item: item.key.clone(),
            score: s.score,
            comment,
        });
    }
    let total_x100 = if critical_failed {
        0
    } else {
        // At most 100 × 100: the cast cannot overflow.
        (sum * 100.0).round() as i64
    };
    Ok((
        Score {
            total_x100,
            critical_failed,
        },
        out,
    ))
}

// ---- sampling ------------------------------------------------------------------------------

string_enum!(
    /// The rule that put a case in the inspection queue.
    SampleRule {
        Complaint => "complaint", PoorRating => "poor_rating",
        LongHandling => "long_handling", Random => "random",
    }
);

/// The `quality` setting: the sampling rules (抽检规则) and the pass score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualitySettings {
    /// Percent of each agent's resolved cases drawn at random (0–100).
    pub random_percent: u32,
    /// Every complaint (category complaint).
    pub complaints: bool,
    /// Every case the customer rated poor.
    pub poor_ratings: bool,
    /// Every case whose handling — receipt to resolution in business time — took more than
    /// this many hours (none: no such rule).
    pub long_handling_hours: Option<u32>,
    /// A score at or above this passes (0–100).
    pub pass_score: u32,
    /// The rubric inspections are scored with.
    pub rubric: String,
    /// Draw the day before automatically each day (the draw stays a button as well).
    pub daily_draw: bool,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings {
            random_percent: 5,
            complaints: true,
            poor_ratings: true,
            long_handling_hours: Some(24),
            pass_score: 80,
            rubric: DEFAULT_RUBRIC.into(),
            daily_draw: false,
        }
    }
}

impl QualitySettings {
    pub fn checked(self) -> Result<QualitySettings, DomainError> {
        if self.random_percent > 100 {
            return Err(DomainError::invalid("random_percent", "0 to 100"));
        }
        if self.pass_score > 100 {
            return Err(DomainError::invalid("pass_score", "0 to 100"));
        }
        if let Some(h) = self.long_handling_hours
            && !(1..=10_000).contains(&h)
        {
            return Err(DomainError::invalid("long_handling_hours", "1 to 10000"));
        }
        crate::text::check_key("rubric", &self.rubric)?;
        Ok(self)
    }

    /// Whether a score (hundredths) passes.
    pub fn passes(&self, total_x100: i64) -> bool {
        total_x100 >= i64::from(self.pass_score) * 100
    }
}

/// A resolved case a draw may choose, as the store reads it: its agent and department, whether
/// it is a complaint, whether its customer rated it poor, and its handling time in business
/// seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub case_id: CaseId,
    pub case_number: String,
    /// The assignee's id, empty when none.
    pub agent: String,
    /// The agent's team (department id) when drawn, empty when none: the desk sets it from
    /// the agent's account (the store reads the case's department).
    pub department: String,
    pub complaint: bool,
    pub poor: bool,
    pub handling_secs: i64,
}

/// The name of a draw over the days `[from, to)`: the same period draws the same cases.
pub fn draw_name(from: Date, to: Date) -> String {
    format!("{from}..{to}")
}

/// A case's place in a draw's random order: the first 8 bytes of SHA-256 over the draw's name
/// and the case id, so the order depends on nothing else.
pub fn draw_rank(draw: &str, case_id: &CaseId) -> u64 {
    let digest = Sha256::digest(format!("{draw}\n{case_id}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

/// The cases a draw chooses, each with the first rule that chose it (complaint, poor rating,
/// long handling, random), by case id. The random rule takes, of each agent's cases, the
/// ⌈n × percent / 100⌉ first in the draw's order ([`draw_rank`]); cases with no agent are one
/// group of their own.
pub fn sample(
    settings: &QualitySettings,
    draw: &str,
    candidates: &[Candidate],
) -> Vec<(CaseId, SampleRule)> {
    let mut random: std::collections::BTreeSet<&CaseId> = std::collections::BTreeSet::new();
    if settings.random_percent > 0 {
        let mut per_agent: BTreeMap<&str, Vec<&Candidate>> = BTreeMap::new();
        for c in candidates {
            per_agent.entry(c.agent.as_str()).or_default().push(c);
        }
        for cases in per_agent.values_mut() {
            cases.sort_by_key(|c| (draw_rank(draw, &c.case_id), c.case_id.clone()));
            cases.dedup_by(|a, b| a.case_id == b.case_id);
            let n = cases.len() as u64;
            let take = (n * u64::from(settings.random_percent)).div_ceil(100);
            random.extend(
                cases
                    .iter()
                    .take(usize::try_from(take).unwrap_or(usize::MAX))
                    .map(|c| &c.case_id),
            );
        }
    }
    let long = settings.long_handling_hours.map(|h| i64::from(h) * 3600);
    let mut chosen: BTreeMap<CaseId, SampleRule> = BTreeMap::new();
    for c in candidates {
        let rule = if settings.complaints && c.complaint {
            Some(SampleRule::Complaint)
        } else if settings.poor_ratings && c.poor {
            Some(SampleRule::PoorRating)
        } else if long.is_some_and(|l| c.handling_secs > l) {
            Some(SampleRule::LongHandling)
        } else if random.contains(&c.case_id) {
            Some(SampleRule::Random)
        } else {
            None
        };
        if let Some(rule) = rule {
            chosen.entry(c.case_id.clone()).or_insert(rule);
        }
    }
    chosen.into_iter().collect()
}

// ---- inspections ---------------------------------------------------------------------------

string_enum!(
    /// Where an inspection is: waiting for its inspector, scored (the agent to acknowledge or
    /// appeal), acknowledged, appealed, the appeal decided.
    InspectionStatus {
        Pending => "pending", Scored => "scored", Acknowledged => "acknowledged",
        Appealed => "appealed", Decided => "decided",
    }
);

string_enum!(
    /// What an entry of an inspection's history records.
    InspectionAction {
        Drawn => "drawn", Assigned => "assigned", Scored => "scored",
        Acknowledged => "acknowledged", Appealed => "appealed", Upheld => "upheld",
        Rescored => "rescored",
    }
);

string_enum!(
    /// A decided appeal: the score stands, or the inspection is scored again.
    AppealOutcome { Uphold => "uphold", Rescore => "rescore" }
);

/// An inspector's comment on one message of the case (its message id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageComment {
    pub message_id: String,
    pub text: String,
}

/// A supervisor's decision on an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealDecision {
    pub outcome: AppealOutcome,
    pub note: String,
    pub by: String,
    pub at: Timestamp,
}

/// One inspection of one case (a case is inspected at most once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub id: InspectionId,
    pub case_id: CaseId,
    pub case_number: String,
    /// The case's agent and department when it was drawn.
    pub agent: Option<UserId>,
    pub department: Option<DepartmentId>,
    pub rule: SampleRule,
    /// The draw that chose it ([`draw_name`]).
    pub draw: String,
    pub status: InspectionStatus,
    pub inspector: Option<UserId>,
    /// The rubric and version it was scored with.
    pub rubric: Option<String>,
    pub rubric_version: Option<i64>,
    #[serde(default)]
    pub scores: Vec<ItemScore>,
    #[serde(default)]
    pub comments: Vec<MessageComment>,
    #[serde(default)]
    pub summary: String,
    pub score_x100: Option<i64>,
    #[serde(default)]
    pub critical_failed: bool,
    pub passed: Option<bool>,
    pub scored_at: Option<Timestamp>,
    /// The local day it was (last) scored: the day its figures count on.
    pub scored_on: Option<Date>,
    pub appeal_reason: Option<String>,
    pub decision: Option<AppealDecision>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// 1 when drawn, one more per change; the history's entry has the same number.
    pub version: i64,
}

/// One entry of an inspection's append-only history: who did what when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionEntry {
    pub inspection_id: InspectionId,
    /// The inspection's version this change made.
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: InspectionAction,
    /// A note: the rule that drew it, the inspector assigned, the score, the reason, the note.
    #[serde(default)]
    pub note: String,
}

/// An inspection with its history, as a dump carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionRecord {
    pub inspection: Inspection,
    pub history: Vec<InspectionEntry>,
}

/// A scoring as the inspector sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScoreDraft {
    pub scores: Vec<ItemScore>,
    #[serde(default)]
    pub comments: Vec<MessageComment>,
    #[serde(default)]
    pub summary: String,
}

fn state_conflict(what: &str, status: InspectionStatus) -> DomainError {
    DomainError::conflict(
        "inspection_state",
        format!("cannot {what} an inspection that is {status}"),
    )
}

impl Inspection {
    /// A case a draw chose, waiting in the queue.
    pub fn drawn(
        candidate: &Candidate,
        rule: SampleRule,
        draw: &str,
        at: Timestamp,
        actor: &str,
    ) -> (Inspection, InspectionEntry) {
        let id = InspectionId::new(at);
        let entry = InspectionEntry {
            inspection_id: id.clone(),
            seq: 1,
            at,
            actor: actor.into(),
            action: InspectionAction::Drawn,
            note: format!("{rule} {draw}"),
        };
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        (
            Inspection {
                id,
                case_id: candidate.case_id.clone(),
                case_number: candidate.case_number.clone(),
                agent: non_empty(&candidate.agent).map(UserId::from_stored),
                department: non_empty(&candidate.department).map(DepartmentId::from_stored),
                rule,
                draw: draw.into(),
                status: InspectionStatus::Pending,
                inspector: None,
                rubric: None,
                rubric_version: None,
                scores: Vec::new(),
                comments: Vec::new(),
                summary: String::new(),
                score_x100: None,
                critical_failed: false,
                passed: None,
                scored_at: None,
                scored_on: None,
                appeal_reason: None,
                decision: None,
                created_at: at,
                updated_at: at,
                version: 1,
            },
            entry,
        )
    }

    fn next(
        &self,
        at: Timestamp,
        actor: &str,
        action: InspectionAction,
        note: String,
    ) -> (Inspection, InspectionEntry) {
        let mut next = self.clone();
        next.version += 1;
        next.updated_at = at;
        let entry = InspectionEntry {
            inspection_id: self.id.clone(),
            seq: next.version,
            at,
            actor: actor.into(),
            action,
            note,
        };
        (next, entry)
    }

    /// Gives a pending inspection to an inspector.
    pub fn assign(
        &self,
        inspector: &UserId,
        inspector_name: &str,
        at: Timestamp,
        actor: &str,
    ) -> Result<(Inspection, InspectionEntry), DomainError> {
        if self.status != InspectionStatus::Pending {
            return Err(state_conflict("assign", self.status));
        }
        let (mut next, entry) =
            self.next(at, actor, InspectionAction::Assigned, inspector_name.into());
        next.inspector = Some(inspector.clone());
        Ok((next, entry))
    }

    fn scored(
        &self,
        rubric: &Rubric,
        draft: ScoreDraft,
        settings: &QualitySettings,
        at: Timestamp,
        day: Date,
        messages: &[String],
    ) -> Result<Inspection, DomainError> {
        let (score, scores) = score(rubric, &draft.scores)?;
        if draft.comments.len() > 100 {
            return Err(DomainError::invalid("comments", "at most 100 comments"));
        }
        let mut comments = Vec::with_capacity(draft.comments.len());
        for (i, c) in draft.comments.into_iter().enumerate() {
            if !messages.contains(&c.message_id) {
                return Err(DomainError::invalid(
                    format!("comments.{i}.message_id"),
                    "no such message on the case",
                ));
            }
            let text = crate::text::text(&format!("comments.{i}.text"), &c.text, 2000, true)?;
            comments.push(MessageComment {
                message_id: c.message_id,
                text,
            });
        }
        let summary = crate::text::text("summary", &draft.summary, 4000, false)?;
        let mut next = self.clone();
        next.rubric = Some(rubric.id.clone());
        next.rubric_version = Some(rubric.version);
        next.scores = scores;
        next.comments = comments;
        next.summary = summary;
        next.score_x100 = Some(score.total_x100);
        next.critical_failed = score.critical_failed;
        next.passed = Some(settings.passes(score.total_x100));
        next.scored_at = Some(at);
        next.scored_on = Some(day);
        Ok(next)
    }

    /// Scores a pending inspection with `rubric` (its current version); `messages` are the
    /// case's message ids, which comments must name. The scorer becomes its inspector.
    #[allow(clippy::too_many_arguments)]
    pub fn score(
        &self,
        rubric: &Rubric,
        draft: ScoreDraft,
        settings: &QualitySettings,
        messages: &[String],
        inspector: &UserId,
        at: Timestamp,
        day: Date,
        actor: &str,
    ) -> Result<(Inspection, InspectionEntry), DomainError> {
        if self.status != InspectionStatus::Pending {
            return Err(state_conflict("score", self.status));
        }
        let scored = self.scored(rubric, draft, settings, at, day, messages)?;
        let note = format!("{:.2}", scored.score_x100.unwrap_or(0) as f64 / 100.0);
        let (mut next, entry) = scored.next(at, actor, InspectionAction::Scored, note);
        next.status = InspectionStatus::Scored;
        next.inspector = Some(inspector.clone());
        Ok((next, entry))
    }

    /// The agent accepts the score (确认).
    pub fn acknowledge(
        &self,
        at: Timestamp,
        actor: &str,
    ) -> Result<(Inspection, InspectionEntry), DomainError> {
        if self.status != InspectionStatus::Scored {
            return Err(state_conflict("acknowledge", self.status));
        }
        let (mut next, entry) = self.next(at, actor, InspectionAction::Acknowledged, String::new());
        next.status = InspectionStatus::Acknowledged;
        Ok((next, entry))
    }

    /// The agent disputes the score (申诉) with a reason.
    pub fn appeal(
        &self,
        reason: &str,
        at: Timestamp,
        actor: &str,
    ) -> Result<(Inspection, InspectionEntry), DomainError> {
        if self.status != InspectionStatus::Scored {
            return Err(state_conflict("appeal", self.status));
        }
        let reason = crate::text::text("reason", reason, 2000, true)?;
        let (mut next, entry) = self.next(at, actor, InspectionAction::Appealed, reason.clone());
        next.status = InspectionStatus::Appealed;
        next.appeal_reason = Some(reason);
        Ok((next, entry))
    }

    /// A supervisor decides an appeal: the score stands (`rescore` `None`), or the inspection
    /// is scored again with the rubric version it was scored with.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &self,
        note: &str,
        rescore: Option<(&Rubric, ScoreDraft)>,
        settings: &QualitySettings,
        messages: &[String],
        at: Timestamp,
        day: Date,
        actor: &str,
    ) -> Result<(Inspection, InspectionEntry), DomainError> {
        if self.status != InspectionStatus::Appealed {
            return Err(state_conflict("decide", self.status));
        }
        let note = crate::text::text("note", note, 2000, true)?;
        let (base, outcome, action) = match rescore {
            None => (
                self.clone(),
                AppealOutcome::Uphold,
                InspectionAction::Upheld,
            ),
            Some((rubric, draft)) => {
                if Some(&rubric.id) != self.rubric.as_ref()
                    || Some(rubric.version) != self.rubric_version
                {
                    return Err(DomainError::invalid(
                        "rubric",
                        "a rescore uses the rubric version the inspection was scored with",
                    ));
                }
                (
                    self.scored(rubric, draft, settings, at, day, messages)?,
                    AppealOutcome::Rescore,
                    InspectionAction::Rescored,
                )
            }
        };
        let (mut next, entry) = base.next(at, actor, action, note.clone());
        next.status = InspectionStatus::Decided;
        next.decision = Some(AppealDecision {
            outcome,
            note,
            by: actor.into(),
            at,
        });
        Ok((next, entry))
    }
}

// ---- lists and figures ---------------------------------------------------------------------

string_enum!(
    /// The queues of the inspection list.
    InspectionQueue {
        Pending => "pending", Mine => "mine", Scored => "scored",
        Acknowledged => "acknowledged", Appealed => "appealed", Decided => "decided",
    }
);

/// What the store lists: one status (or all), one inspector's, one agent's; newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionQuery {
    pub status: Option<InspectionStatus>,
    pub inspector: Option<UserId>,
    pub agent: Option<UserId>,
    pub limit: u32,
}

string_enum!(
    /// What the quality figures are grouped by: the case's agent or department when drawn.
    QualityDimension { Agent => "agent", Department => "department" }
);

/// Per key, the scored inspections of a period: how many, the sum of their scores (hundredths)
/// and how many passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityTally {
    pub key: String,
    pub count: i64,
    pub score_x100_sum: i64,
    pub passed: i64,
}

impl QualityTally {
    /// The average score (0–100), none without inspections.
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| self.score_x100_sum as f64 / 100.0 / self.count as f64)
    }

    /// The share passed (0–1), none without inspections.
    pub fn pass_rate(&self) -> Option<f64> {
        (self.count > 0).then(|| self.passed as f64 / self.count as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(draft: RubricDraft) -> Rubric {
        Rubric {
            id: DEFAULT_RUBRIC.into(),
            version: 1,
            name: draft.name,
            items: draft.items,
            created_at: Timestamp::UNIX_EPOCH,
            created_by: "system".into(),
        }
    }

    fn s(item: &str, score: u32) -> ItemScore {
        ItemScore {
            item: item.into(),
            score,
            comment: String::new(),
        }
    }

    #[test]
    fn the_shipped_rubric_is_valid_and_sums_to_100() {
        let d = default_rubric().checked().unwrap();
        assert_eq!(d.items.len(), 5);
        assert_eq!(d.items.iter().map(|i| i.weight).sum::<u32>(), 100);
        assert!(d.items.iter().any(|i| i.key == "compliance" && i.critical));
    }

    #[test]
    fn weights_must_sum_to_100() {
        let mut d = default_rubric();
        d.items[0].weight = 16;
        let e = d.checked().unwrap_err();
        assert!(
            matches!(e, DomainError::Invalid { ref field, .. } if field == "items"),
            "{e}"
        );
        let mut d = default_rubric();
        d.items[1].key = "greeting".into();
        let e = d.checked().unwrap_err();
        assert!(matches!(e, DomainError::Invalid { ref field, .. } if field == "items.1.key"));
    }

    #[test]
    fn total_is_the_weighted_share_of_each_item() {
        let r = rubric(default_rubric());
        // greeting 4/5 × 15 = 12, accuracy 5/5 × 30 = 30, empathy 3/5 × 20 = 12,
        // resolution 4/5 × 25 = 20, compliance 1/1 × 10 = 10: 84.
        let (sc, items) = score(
            &r,
            &[
                s("greeting", 4),
                s("accuracy", 5),
                s("empathy", 3),
                s("resolution", 4),
                s("compliance", 1),
            ],
        )
        .unwrap();
        assert_eq!(
            sc,
            Score {
                total_x100: 8400,
                critical_failed: false
            }
        );
        assert_eq!(items.len(), 5);
        // Thirds: weights 50/50 over max 3: 2/3 × 50 + 1/3 × 50 = 50.00; 1/3 × 50 + 0 = 16.67.
        let r3 = rubric(RubricDraft {
            name: "三分".into(),
            items: vec![
                RubricItem {
                    key: "a".into(),
                    name: "A".into(),
                    weight: 50,
                    max: 3,
                    critical: false,
                },
                RubricItem {
                    key: "b".into(),
                    name: "B".into(),
                    weight: 50,
                    max: 3,
                    critical: false,
                },
            ],
        });
        assert_eq!(
            score(&r3, &[s("a", 2), s("b", 1)]).unwrap().0.total_x100,
            5000
        );
        assert_eq!(
            score(&r3, &[s("a", 1), s("b", 0)]).unwrap().0.total_x100,
            1667
        );
    }

    #[test]
    fn a_failed_critical_item_makes_the_score_zero() {
        let r = rubric(default_rubric());
        let (sc, _) = score(
            &r,
            &[
                s("greeting", 5),
                s("accuracy", 5),
                s("empathy", 5),
                s("resolution", 5),
                s("compliance", 0),
            ],
        )
        .unwrap();
        assert_eq!(
            sc,
            Score {
                total_x100: 0,
                critical_failed: true
            }
        );
        // A non-critical item at 0 only loses its weight: 100 − 30 = 70.
        let (sc, _) = score(
            &r,
            &[
                s("greeting", 5),
                s("accuracy", 0),
                s("empathy", 5),
                s("resolution", 5),
                s("compliance", 1),
            ],
        )
        .unwrap();
        assert_eq!(sc.total_x100, 7000);
    }

    #[test]
    fn unknown_missing_twice_and_too_high_are_refused() {
        let r = rubric(default_rubric());
        let all = |extra: ItemScore| {
            let mut v = vec![
                s("greeting", 4),
                s("accuracy", 5),
                s("empathy", 3),
                s("resolution", 4),
            ];
            v.push(extra);
            v
        };
        let field = |e: DomainError| match e {
            DomainError::Invalid { field, .. } => field,
            other => panic!("{other}"),
        };
        assert_eq!(
            field(score(&r, &all(s("speed", 3))).unwrap_err()),
            "scores.4.item"
        );
        assert_eq!(
            field(score(&r, &all(s("greeting", 3))).unwrap_err()),
            "scores.4.item"
        );
        assert_eq!(
            field(score(&r, &all(s("compliance", 2))).unwrap_err()),
            "scores.4.score"
        );
        assert_eq!(
            field(score(&r, &all(s("compliance", 1))[..4]).unwrap_err()),
            "scores"
        );
    }

    fn cand(n: u32, agent: &str) -> Candidate {
        Candidate {
            case_id: CaseId::from_stored(format!("00000000-0000-7000-8000-{n:012}")),
            case_number: format!("C{n}"),
            agent: agent.into(),
            department: String::new(),
            complaint: false,
            poor: false,
            handling_secs: 3600,
        }
    }

    #[test]
    fn random_share_is_rounded_up_per_agent_and_stable() {
        let settings = QualitySettings {
            complaints: false,
            poor_ratings: false,
            long_handling_hours: None,
            ..QualitySettings::default()
        };
        // 20 of a's cases at 5 % → 1; 21 of b's → ⌈1.05⌉ = 2; 3 of c's → ⌈0.15⌉ = 1.
        let mut cs: Vec<Candidate> = (0..20).map(|n| cand(n, "a")).collect();
        cs.extend((100..121).map(|n| cand(n, "b")));
        cs.extend((200..203).map(|n| cand(n, "c")));
        let draw = draw_name(Date::constant(2026, 12, 1), Date::constant(2026, 12, 8));
        let chosen = sample(&settings, &draw, &cs);
        let of = |agent: &str| {
            chosen
                .iter()
                .filter(|(id, _)| cs.iter().any(|c| &c.case_id == id && c.agent == agent))
                .count()
        };
        assert_eq!((of("a"), of("b"), of("c")), (1, 2, 1));
        assert!(chosen.iter().all(|(_, r)| *r == SampleRule::Random));
        // The same draw over the cases in another order chooses the same cases.
        let mut reversed = cs.clone();
        reversed.reverse();
        assert_eq!(sample(&settings, &draw, &reversed), chosen);
        // b's two are the two lowest ranks of b's cases.
        let mut ranks: Vec<(u64, CaseId)> = cs
            .iter()
            .filter(|c| c.agent == "b")
            .map(|c| (draw_rank(&draw, &c.case_id), c.case_id.clone()))
            .collect();
        ranks.sort();
        for (_, id) in &ranks[..2] {
            assert!(chosen.iter().any(|(c, _)| c == id));
        }
        // 0 % draws none at random; 100 % draws all.
        let none = QualitySettings {
            random_percent: 0,
            ..settings.clone()
        };
        assert!(sample(&none, &draw, &cs).is_empty());
        let all = QualitySettings {
            random_percent: 100,
            ..settings
        };
        assert_eq!(sample(&all, &draw, &cs).len(), 44);
    }

    #[test]
    fn rules_choose_complaints_poor_ratings_and_long_handling_first() {
        let settings = QualitySettings {
            random_percent: 0,
            long_handling_hours: Some(8),
            ..QualitySettings::default()
        };
        let mut a = cand(1, "a");
        a.complaint = true;
        a.poor = true;
        let mut b = cand(2, "a");
        b.poor = true;
        let mut c = cand(3, "a");
        c.handling_secs = 8 * 3600 + 1;
        let mut d = cand(4, "a");
        d.handling_secs = 8 * 3600; // not over
        let chosen = sample(&settings, "x", &[d, c.clone(), b.clone(), a.clone()]);
        assert_eq!(
            chosen,
            vec![
                (a.case_id, SampleRule::Complaint),
                (b.case_id, SampleRule::PoorRating),
                (c.case_id, SampleRule::LongHandling),
            ]
        );
    }

    fn actor(role: Role, id: &UserId) -> Actor {
        Actor {
            user_id: id.clone(),
            username: "u".into(),
            role,
            department_id: None,
        }
    }

    #[test]
    fn an_inspection_goes_from_drawn_to_a_decided_appeal() {
        let t0 = Timestamp::from_second(1_800_000_000).unwrap();
        let day = Date::constant(2027, 1, 15);
        let agent = UserId::from_stored("agent-1".into());
        let insp = UserId::from_stored("insp-1".into());
        let mut c = cand(7, "agent-1");
        c.complaint = true;
        let (i, e) = Inspection::drawn(&c, SampleRule::Complaint, "d", t0, "user:boss");
        assert_eq!(
            (i.status, i.version, e.seq, e.action),
            (InspectionStatus::Pending, 1, 1, InspectionAction::Drawn)
        );
        assert_eq!(i.agent.as_ref(), Some(&agent));
        assert!(may_read_inspection(&actor(Role::Agent, &agent), &i));
        assert!(!may_read_inspection(&actor(Role::Agent, &insp), &i));
        assert!(matches!(
            i.acknowledge(t0, "x"),
            Err(DomainError::Conflict { .. })
        ));

        let r = rubric(default_rubric());
        let settings = QualitySettings::default();
        let draft = ScoreDraft {
            scores: vec![
                s("greeting", 4),
                s("accuracy", 4),
                s("empathy", 3),
                s("resolution", 4),
                s("compliance", 1),
            ],
            comments: vec![MessageComment {
                message_id: "m1".into(),
                text: "语气生硬".into(),
            }],
            summary: String::new(),
        };
        let mut bad = draft.clone();
        bad.comments[0].message_id = "m9".into();
        assert!(matches!(
            i.score(&r, bad, &settings, &["m1".into()], &insp, t0, day, "user:qa"),
            Err(DomainError::Invalid { ref field, .. }) if field == "comments.0.message_id"
        ));
        // 12 + 24 + 12 + 20 + 10 = 78: below the pass score of 80.
        let (i, e) = i
            .score(
                &r,
                draft.clone(),
                &settings,
                &["m1".into()],
                &insp,
                t0,
                day,
                "user:qa",
            )
            .unwrap();
        assert_eq!(
            (i.score_x100, i.passed, i.version, e.seq),
            (Some(7800), Some(false), 2, 2)
        );
        assert_eq!(
            (i.rubric.as_deref(), i.rubric_version),
            (Some("default"), Some(1))
        );
        let (i, _) = i.appeal("客户先挂断", t0, "user:agent").unwrap();
        assert_eq!(i.status, InspectionStatus::Appealed);
        // A rescore with another version is refused; with its own it scores again:
        // 15 + 24 + 12 + 20 + 10 = 81, passing.
        let r2 = Rubric {
            version: 2,
            ..r.clone()
        };
        let mut again = draft;
        again.scores[0].score = 5;
        assert!(
            i.decide(
                "改判",
                Some((&r2, again.clone())),
                &settings,
                &["m1".into()],
                t0,
                day,
                "user:boss"
            )
            .is_err()
        );
        let (i, e) = i
            .decide(
                "改判",
                Some((&r, again)),
                &settings,
                &["m1".into()],
                t0,
                day,
                "user:boss",
            )
            .unwrap();
        assert_eq!(
            (i.status, i.score_x100, i.passed),
            (InspectionStatus::Decided, Some(8100), Some(true))
        );
        assert_eq!((e.action, e.seq), (InspectionAction::Rescored, 4));
        assert_eq!(
            i.decision.as_ref().map(|d| d.outcome),
            Some(AppealOutcome::Rescore)
        );
    }

    #[test]
    fn figures_average_and_pass_rate() {
        let t = QualityTally {
            key: "a".into(),
            count: 3,
            score_x100_sum: 8400 + 7800 + 9000,
            passed: 2,
        };
        assert_eq!(t.average(), Some(84.0));
        assert_eq!(t.pass_rate(), Some(2.0 / 3.0));
        assert_eq!(
            QualityTally {
                key: "b".into(),
                count: 0,
                score_x100_sum: 0,
                passed: 0
            }
            .average(),
            None
        );
    }
}
