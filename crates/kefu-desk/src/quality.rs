//! Quality inspection's use cases (质检, R-MG-4): rubrics and their versions, the sampling
//! rules (the `quality` setting), drawing resolved cases into the queue, assigning, scoring
//! with comments on the case's messages, the agent's acknowledgement or appeal, the
//! supervisor's decision, and the figures per agent and department. Who may do what is
//! `kefu_model::quality` (`may_inspect`, `may_manage`, `may_read_inspection`); the arithmetic
//! is there too. An inspection never changes its case: it is written alone, each change with
//! its history entry.

use jiff::civil::Date;
use kefu_model::ids::{CaseId, InspectionId, UserId};
use kefu_model::quality::{
    self, AppealOutcome, Candidate, Inspection, InspectionEntry, InspectionQuery, InspectionQueue,
    InspectionStatus, QualityDimension, QualitySettings, QualityTally, Rubric, RubricDraft,
    SampleRule, ScoreDraft,
};
use kefu_model::user::Role;
use kefu_model::{Actor, Case, CaseEvent, DomainError, EventData, StoreError};

use crate::desk::{Desk, DeskResult, require};

/// The author of the daily draw's inspections in their history.
pub const DAILY_DRAW_ACTOR: &str = "system:quality";

/// What a draw did: the resolved cases it looked at, those its rules chose, and those queued
/// now (a case already inspected or queued is not queued again).
#[derive(Debug, Clone)]
pub struct DrawOutcome {
    pub draw: String,
    pub considered: usize,
    pub chosen: Vec<(CaseId, SampleRule)>,
    pub queued: Vec<InspectionId>,
}

/// An inspection with what its page shows: its history, the rubric version it was (or will
/// be) scored with, and the case with its events (messages, calls' notes).
#[derive(Debug, Clone)]
pub struct InspectionDetail {
    pub inspection: Inspection,
    pub history: Vec<InspectionEntry>,
    pub rubric: Rubric,
    pub case: Case,
    pub events: Vec<CaseEvent>,
}

fn message_ids(events: &[CaseEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::MessageAdded { message_id, .. } => Some(message_id.to_string()),
            _ => None,
        })
        .collect()
}

fn encode(settings: &QualitySettings) -> DeskResult<serde_json::Value> {
    serde_json::to_value(settings)
        .map_err(|e| DomainError::Store(StoreError::Backend(format!("encode: {e}"))))
}

impl Desk {
    fn require_inspector(&self, actor: &Actor) -> DeskResult<()> {
        require(
            quality::may_inspect(actor),
            "only inspectors, supervisors and admins inspect",
        )
    }

    fn require_quality_manager(&self, actor: &Actor) -> DeskResult<()> {
        require(
            quality::may_manage(actor),
            "only supervisors and admins manage quality inspection",
        )
    }

    /// The sampling rules and pass score (the defaults until saved).
    pub async fn quality_settings(&self, actor: &Actor) -> DeskResult<QualitySettings> {
        require(
            quality::may_read(actor),
            "this role has no quality inspection",
        )?;
        self.setting_or_default(quality::SETTING).await
    }

    /// Replaces the sampling rules (checked; the rubric must exist), kept in the configuration
    /// history.
    pub async fn put_quality_settings(
        &self,
        actor: &Actor,
        settings: QualitySettings,
    ) -> DeskResult<QualitySettings> {
        self.require_quality_manager(actor)?;
        let settings = settings.checked()?;
        if self.current_rubric(&settings.rubric).await?.is_none() {
            return Err(DomainError::invalid("rubric", "no such rubric"));
        }
        self.store
            .put_setting(
                quality::SETTING,
                &encode(&settings)?,
                self.now(),
                Some(&self.editor(actor)),
            )
            .await?;
        Ok(settings)
    }

    /// A rubric's newest version; the shipped rubric is saved as version 1 the first time it is
    /// asked for.
    async fn current_rubric(&self, id: &str) -> DeskResult<Option<Rubric>> {
        if let Some(r) = self.store.rubric(id, None).await? {
            return Ok(Some(r));
        }
        if id != quality::DEFAULT_RUBRIC {
            return Ok(None);
        }
        let draft = quality::default_rubric();
        let rubric = Rubric {
            id: id.into(),
            version: 1,
            name: draft.name,
            items: draft.items,
            created_at: self.now(),
            created_by: "system".into(),
        };
        match self.store.put_rubric(&rubric).await {
            Ok(()) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(self.store.rubric(id, None).await?)
    }

    /// Every rubric's newest version (the shipped one included).
    pub async fn rubrics(&self, actor: &Actor) -> DeskResult<Vec<Rubric>> {
        require(
            quality::may_read(actor),
            "this role has no quality inspection",
        )?;
        self.current_rubric(quality::DEFAULT_RUBRIC).await?;
        Ok(self.store.rubrics().await?)
    }

    /// One rubric: its newest version, or the version asked for (404 when none).
    pub async fn rubric(
        &self,
        actor: &Actor,
        id: &str,
        version: Option<i64>,
    ) -> DeskResult<Rubric> {
        require(
            quality::may_read(actor),
            "this role has no quality inspection",
        )?;
        let found = match version {
            None => self.current_rubric(id).await?,
            Some(v) => {
                self.current_rubric(id).await?;
                self.store.rubric(id, Some(v)).await?
            }
        };
        found.ok_or_else(|| DomainError::NotFound(format!("rubric {id}")))
    }

    /// A rubric's versions, newest first.
    pub async fn rubric_versions(&self, actor: &Actor, id: &str) -> DeskResult<Vec<Rubric>> {
        require(
            quality::may_read(actor),
            "this role has no quality inspection",
        )?;
        self.current_rubric(id).await?;
        let versions = self.store.rubric_versions(id).await?;
        if versions.is_empty() {
            return Err(DomainError::NotFound(format!("rubric {id}")));
        }
        Ok(versions)
    }

    /// Saves a rubric as its next version (a new rubric when `id` has none). `expected` is the
    /// version the editor started from: another save since is `version_conflict`.
    pub async fn save_rubric(
        &self,
        actor: &Actor,
        id: &str,
        draft: RubricDraft,
        expected: Option<i64>,
    ) -> DeskResult<Rubric> {
        self.require_quality_manager(actor)?;
        kefu_model::text::check_key("id", id)?;
        let draft = draft.checked()?;
        let current = self.current_rubric(id).await?;
        let version = current.as_ref().map_or(0, |r| r.version);
        if let Some(expected) = expected
            && expected != version
        {
            return Err(DomainError::conflict(
                "version_conflict",
                format!("the rubric is at version {version}, not {expected}"),
            ));
        }
        let rubric = Rubric {
            id: id.into(),
            version: version + 1,
            name: draft.name,
            items: draft.items,
            created_at: self.now(),
            created_by: actor.event_name(),
        };
        match self.store.put_rubric(&rubric).await {
            Ok(()) => Ok(rubric),
            Err(StoreError::Duplicate(_)) => Err(DomainError::conflict(
                "version_conflict",
                "the rubric was saved meanwhile",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Draws the resolved cases received on the days `[from, to)` by the sampling rules and
    /// queues those not inspected yet. The same period draws the same cases.
    pub async fn draw_inspections(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> DeskResult<DrawOutcome> {
        self.require_quality_manager(actor)?;
        kefu_model::period::check_period(from, to)?;
        let settings: QualitySettings = self.setting_or_default(quality::SETTING).await?;
        self.draw_period(&settings, &actor.event_name(), from, to)
            .await
    }

    /// The daily draw, when the sampling rules ask for it: after 01:00 local time, the day
    /// before is drawn as an inspector would draw it. Every node may run it, as often as it
    /// likes: a draw chooses the same cases for the same day and queues a case once, so a
    /// second run queues nothing.
    pub async fn daily_draw(&self) -> DeskResult<Option<DrawOutcome>> {
        let settings: QualitySettings = self.setting_or_default(quality::SETTING).await?;
        let local = self.time_zone().to_datetime(self.now());
        if !settings.daily_draw || local.hour() < 1 {
            return Ok(None);
        }
        let today = local.date();
        let yesterday = today
            .yesterday()
            .map_err(|_| DomainError::invalid("day", "a day in range"))?;
        self.draw_period(&settings, DAILY_DRAW_ACTOR, yesterday, today)
            .await
            .map(Some)
    }

    async fn draw_period(
        &self,
        settings: &QualitySettings,
        by: &str,
        from: Date,
        to: Date,
    ) -> DeskResult<DrawOutcome> {
        let mut candidates = self.store.quality_candidates(from, to).await?;
        // A case counts under its agent's team as it is when drawn.
        let users = self.store.list_users().await?;
        for c in &mut candidates {
            c.department = users
                .iter()
                .find(|u| u.id.as_str() == c.agent)
                .and_then(|u| u.department_id.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default();
        }
        let draw = quality::draw_name(from, to);
        let chosen = quality::sample(settings, &draw, &candidates);
        let now = self.now();
        let drawn: Vec<(Inspection, InspectionEntry)> = chosen
            .iter()
            .filter_map(|(id, rule)| {
                candidates
                    .iter()
                    .find(|c: &&Candidate| &c.case_id == id)
                    .map(|c| Inspection::drawn(c, *rule, &draw, now, by))
            })
            .collect();
        let queued = if drawn.is_empty() {
            Vec::new()
        } else {
            self.store.queue_inspections(&drawn).await?
        };
        Ok(DrawOutcome {
            draw,
            considered: candidates.len(),
            chosen,
            queued,
        })
    }

    /// A queue of inspections, newest first: inspectors and managers any queue (`mine`: those
    /// assigned to them, pending); agents only their own, never pending ones.
    pub async fn inspections(
        &self,
        actor: &Actor,
        queue: Option<InspectionQueue>,
        limit: Option<u32>,
    ) -> DeskResult<Vec<Inspection>> {
        require(
            quality::may_read(actor),
            "this role has no quality inspection",
        )?;
        let status = |q: InspectionQueue| match q {
            InspectionQueue::Pending | InspectionQueue::Mine => InspectionStatus::Pending,
            InspectionQueue::Scored => InspectionStatus::Scored,
            InspectionQueue::Acknowledged => InspectionStatus::Acknowledged,
            InspectionQueue::Appealed => InspectionStatus::Appealed,
            InspectionQueue::Decided => InspectionStatus::Decided,
        };
        let limit = limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(DomainError::invalid("limit", "1 to 1000"));
        }
        let mut query = InspectionQuery {
            status: queue.map(status),
            inspector: None,
            agent: None,
            limit,
        };
        if quality::may_inspect(actor) {
            if queue == Some(InspectionQueue::Mine) {
                query.inspector = Some(actor.user_id.clone());
            }
            return Ok(self.store.inspections(&query).await?);
        }
        query.agent = Some(actor.user_id.clone());
        if matches!(
            queue,
            Some(InspectionQueue::Pending) | Some(InspectionQueue::Mine)
        ) {
            return Ok(Vec::new());
        }
        let mut found = self.store.inspections(&query).await?;
        found.retain(|i| i.status != InspectionStatus::Pending);
        Ok(found)
    }

    /// An inspection the actor may read (another agent's is not found), as stored.
    async fn readable_inspection(&self, actor: &Actor, id: &str) -> DeskResult<Inspection> {
        require(
            quality::may_read(actor),
            "this role has no quality inspection",
        )?;
        let missing = || DomainError::NotFound(format!("inspection {id}"));
        let id = InspectionId::parse(id).ok_or_else(missing)?;
        let inspection = self.store.inspection(&id).await?.ok_or_else(missing)?;
        if !quality::may_read_inspection(actor, &inspection)
            || (!quality::may_inspect(actor) && inspection.status == InspectionStatus::Pending)
        {
            return Err(missing());
        }
        Ok(inspection)
    }

    /// An inspection with its history, rubric and case.
    pub async fn inspection(&self, actor: &Actor, id: &str) -> DeskResult<InspectionDetail> {
        let inspection = self.readable_inspection(actor, id).await?;
        let history = self.store.inspection_history(&inspection.id).await?;
        let rubric = match (&inspection.rubric, inspection.rubric_version) {
            (Some(r), Some(v)) => self.store.rubric(r, Some(v)).await?,
            _ => {
                let settings: QualitySettings = self.setting_or_default(quality::SETTING).await?;
                self.current_rubric(&settings.rubric).await?
            }
        }
        .ok_or_else(|| DomainError::NotFound("rubric".into()))?;
        let case = self
            .store
            .case_by_id(&inspection.case_id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("case {}", inspection.case_id)))?;
        let events = self.store.case_events(&case.id).await?;
        Ok(InspectionDetail {
            inspection,
            history,
            rubric,
            case,
            events,
        })
    }

    async fn write_inspection(
        &self,
        before: &Inspection,
        (next, entry): (Inspection, InspectionEntry),
    ) -> DeskResult<Inspection> {
        match self
            .store
            .put_inspection(&next, before.version, &entry)
            .await
        {
            Ok(()) => Ok(next),
            Err(StoreError::VersionConflict) => Err(DomainError::conflict(
                "version_conflict",
                "the inspection changed meanwhile; read it again",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Gives a pending inspection to an inspector (an inspector, supervisor or admin, active).
    /// Managers assign anyone; an inspector may take one for themselves.
    pub async fn assign_inspection(
        &self,
        actor: &Actor,
        id: &str,
        inspector: &str,
    ) -> DeskResult<Inspection> {
        self.require_inspector(actor)?;
        let before = self.readable_inspection(actor, id).await?;
        let target = UserId::parse(inspector)
            .ok_or_else(|| DomainError::invalid("inspector", "not a user id"))?;
        require(
            quality::may_manage(actor) || target == actor.user_id,
            "inspectors take inspections only for themselves",
        )?;
        let user = self
            .store
            .user_by_id(&target)
            .await?
            .filter(|u| {
                u.active && matches!(u.role, Role::Inspector | Role::Supervisor | Role::Admin)
            })
            .ok_or_else(|| {
                DomainError::invalid("inspector", "an active inspector, supervisor or admin")
            })?;
        let step = before.assign(&user.id, &user.username, self.now(), &actor.event_name())?;
        self.write_inspection(&before, step).await
    }

    /// Scores a pending inspection with the current version of the settings' rubric; comments
    /// name messages of the case. An inspector scores only what is theirs or nobody's.
    pub async fn score_inspection(
        &self,
        actor: &Actor,
        id: &str,
        draft: ScoreDraft,
    ) -> DeskResult<Inspection> {
        self.require_inspector(actor)?;
        let before = self.readable_inspection(actor, id).await?;
        if actor.role == Role::Inspector
            && before
                .inspector
                .as_ref()
                .is_some_and(|i| i != &actor.user_id)
        {
            return Err(DomainError::Forbidden(
                "the inspection is assigned to another inspector".into(),
            ));
        }
        let settings: QualitySettings = self.setting_or_default(quality::SETTING).await?;
        let rubric = self
            .current_rubric(&settings.rubric)
            .await?
            .ok_or_else(|| DomainError::invalid("rubric", "the settings' rubric is missing"))?;
        let messages = message_ids(&self.store.case_events(&before.case_id).await?);
        let step = before.score(
            &rubric,
            draft,
            &settings,
            &messages,
            &actor.user_id,
            self.now(),
            self.time_zone().to_datetime(self.now()).date(),
            &actor.event_name(),
        )?;
        self.write_inspection(&before, step).await
    }

    /// The agent inspected, and only they, acts on their score.
    async fn own_scored(&self, actor: &Actor, id: &str) -> DeskResult<Inspection> {
        let inspection = self.readable_inspection(actor, id).await?;
        require(
            inspection.agent.as_ref() == Some(&actor.user_id),
            "only the agent inspected acknowledges or appeals",
        )?;
        Ok(inspection)
    }

    /// The agent accepts their score (确认).
    pub async fn acknowledge_inspection(&self, actor: &Actor, id: &str) -> DeskResult<Inspection> {
        let before = self.own_scored(actor, id).await?;
        let step = before.acknowledge(self.now(), &actor.event_name())?;
        self.write_inspection(&before, step).await
    }

    /// The agent disputes their score (申诉) with a reason.
    pub async fn appeal_inspection(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> DeskResult<Inspection> {
        let before = self.own_scored(actor, id).await?;
        let step = before.appeal(reason, self.now(), &actor.event_name())?;
        self.write_inspection(&before, step).await
    }

    /// A supervisor or admin decides an appeal: uphold, or rescore (with the rubric version
    /// the inspection was scored with), with a note.
    pub async fn decide_appeal(
        &self,
        actor: &Actor,
        id: &str,
        outcome: AppealOutcome,
        note: &str,
        rescore: Option<ScoreDraft>,
    ) -> DeskResult<Inspection> {
        self.require_quality_manager(actor)?;
        let before = self.readable_inspection(actor, id).await?;
        let settings: QualitySettings = self.setting_or_default(quality::SETTING).await?;
        let rubric = match (&before.rubric, before.rubric_version) {
            (Some(r), Some(v)) => self.store.rubric(r, Some(v)).await?,
            _ => None,
        };
        let messages = message_ids(&self.store.case_events(&before.case_id).await?);
        let rescore = match (outcome, rescore) {
            (AppealOutcome::Uphold, None) => None,
            (AppealOutcome::Uphold, Some(_)) => {
                return Err(DomainError::invalid(
                    "scores",
                    "an upheld score is not rescored",
                ));
            }
            (AppealOutcome::Rescore, None) => {
                return Err(DomainError::invalid("scores", "a rescore needs the scores"));
            }
            (AppealOutcome::Rescore, Some(draft)) => Some((
                rubric.as_ref().ok_or_else(|| {
                    DomainError::conflict("inspection_state", "the inspection has no rubric")
                })?,
                draft,
            )),
        };
        let step = before.decide(
            note,
            rescore,
            &settings,
            &messages,
            self.now(),
            self.time_zone().to_datetime(self.now()).date(),
            &actor.event_name(),
        )?;
        self.write_inspection(&before, step).await
    }

    /// Per agent or department (the case's when drawn), the inspections scored on the days
    /// `[from, to)`: count, score sum, passed. Agents see only their own row.
    pub async fn quality_figures(
        &self,
        actor: &Actor,
        by: QualityDimension,
        from: Date,
        to: Date,
    ) -> DeskResult<Vec<QualityTally>> {
        require(quality::may_read(actor), "this role has no quality figures")?;
        kefu_model::period::check_period(from, to)?;
        if quality::may_inspect(actor) {
            return Ok(self.store.quality_figures(by, from, to, None).await?);
        }
        require(
            by == QualityDimension::Agent,
            "agents see their own figures only",
        )?;
        Ok(self
            .store
            .quality_figures(by, from, to, Some(actor.user_id.as_str()))
            .await?)
    }

    /// The pass score of the settings (for pages that show pass or fail).
    pub async fn quality_pass_score(&self) -> DeskResult<u32> {
        let settings: QualitySettings = self.setting_or_default(quality::SETTING).await?;
        Ok(settings.pass_score)
    }
}
