//! Root causes and improvement (R-CASE-10, R-MG-5, R-MG-6): the `root_causes` setting; recording
//! a case's resolution code, causes, responsible organisation and lesson — alone
//! (`record_root_cause`) or with a resolution or closure (`update_case`) — as a
//! `root_cause_recorded` event; the Pareto of causes and codes with the cases behind each bar;
//! the improvement backlog; and the complaint closed loop.
//!
//! The Pareto reads `case_causes`, the causes' read model written with each case append from
//! the projection (like the surveys'), by the day the cause was recorded: a period costs its
//! recorded causes, never a pass over the cases. The closed loop reads the complaints of the
//! period through the key figures' rows (their day and region) joined with the causes and the
//! backlog's links. The backlog itself is small (tens to hundreds of items) and is read whole.

use jiff::civil::Date;
use kefu_model::causes::{
    CAUSES_SETTING, CauseDraft, CauseQuery, CauseRow, CauseSettings, LoopBy, LoopCount, LoopRow,
    LoopStep, ParetoBar, ParetoBy, check_cause, closed_loop, closed_loop_by, keys_of, loop_key,
    pareto,
};
use kefu_model::drafts::{RecordedCause, plan_cause};
use kefu_model::error::DomainError;
use kefu_model::ids::MessageId;
use kefu_model::improvement::{
    CheckedPatch, Improvement, ImprovementDraft, ImprovementEntry, ImprovementPatch,
    ImprovementStatus, LinkedCase, check_causes, check_description, check_title, may_manage,
    may_propose, may_read, plan_change, plan_link, plan_unlink,
};
use kefu_model::period::check_period;
use kefu_model::user::Actor;
use kefu_model::{Case, StoreError};

use crate::desk::{Desk, DeskResult, require};

/// The most rows a Pareto or a drill-down reads.
pub const CAUSE_ROWS_MAX: u32 = 50_000;

/// A Pareto of a period: the bars, the cases counted (with a cause, or a code) and the rows'
/// count.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoReport {
    pub query: CauseQuery,
    pub by: ParetoBy,
    /// Cases with a recorded cause in the query.
    pub cases: i64,
    pub bars: Vec<ParetoBar>,
}

/// The closed loop of a period: the funnel, the same per key of `by`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedLoop {
    pub from: Date,
    pub to: Date,
    pub by: LoopBy,
    pub steps: Vec<LoopCount>,
    pub groups: Vec<(String, Vec<LoopCount>)>,
}

impl Desk {
    /// The `root_causes` setting (the shipped default until an admin saves one).
    pub async fn cause_settings(&self) -> DeskResult<CauseSettings> {
        self.setting_or_default::<CauseSettings>(CAUSES_SETTING)
            .await
    }

    /// A draft checked and completed: the organisation resolved in the network (by key or id),
    /// the local day, and the provinces of the case's first parcel (recipient's, sender's).
    pub(crate) async fn recorded_cause(
        &self,
        case: &Case,
        draft: &CauseDraft,
        settings: &CauseSettings,
    ) -> DeskResult<RecordedCause> {
        let checked = check_cause(settings, draft)?;
        let (organisation, organisation_name) = match draft.organisation.as_deref().map(str::trim) {
            None | Some("") => (None, String::new()),
            Some(wanted) => {
                let network = self.network().await?;
                let org = network
                    .organisations
                    .iter()
                    .find(|o| o.key == wanted || o.id.as_str() == wanted)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "organisation",
                            format!("no organisation '{wanted}' in the network"),
                        )
                    })?;
                (Some(org.id.clone()), org.name.clone())
            }
        };
        let (region, origin) = self.first_parcel_provinces(&case.waybill_nos).await?;
        Ok(RecordedCause {
            code: checked.code,
            causes: checked.causes,
            organisation,
            organisation_name,
            lesson: checked.lesson,
            day: self.time_zone.to_datetime(self.now()).date(),
            region,
            origin,
        })
    }

    /// Records (or amends) a case's resolution code, root causes, responsible organisation and
    /// lesson: one `root_cause_recorded` event; the same record again changes nothing. A case
    /// whose category needs a code keeps one once resolved or closed.
    pub async fn record_root_cause(
        &self,
        actor: &Actor,
        id_or_number: &str,
        draft: &CauseDraft,
    ) -> DeskResult<Case> {
        require(
            actor.can_route_cases(),
            "only the service desk records root causes",
        )?;
        let case = self.get_case(actor, id_or_number).await?;
        let settings = self.cause_settings().await?;
        let recorded = self.recorded_cause(&case, draft, &settings).await?;
        let (case, _) = self
            .with_retries(actor, case.id.as_str(), |case| {
                Ok(
                    plan_cause(case, &recorded, settings.code_required(case.category))?
                        .into_iter()
                        .collect(),
                )
            })
            .await?;
        Ok(case)
    }

    fn check_analyst(&self, actor: &Actor) -> DeskResult<()> {
        require(
            kefu_model::improvement::may_analyse(actor.role),
            "only supervisors and admins analyse root causes",
        )
    }

    /// The Pareto of causes (or codes) of a period and filters, most first, with the
    /// cumulative share.
    pub async fn cause_pareto(
        &self,
        actor: &Actor,
        query: &CauseQuery,
        by: ParetoBy,
    ) -> DeskResult<ParetoReport> {
        self.check_analyst(actor)?;
        check_period(query.from, query.to)?;
        let rows = self.store.cause_rows(query, CAUSE_ROWS_MAX).await?;
        Ok(ParetoReport {
            query: query.clone(),
            by,
            cases: rows.iter().filter(|r| !keys_of(r, by).is_empty()).count() as i64,
            bars: pareto(&rows, by),
        })
    }

    /// The cases behind a bar (by day then number): those of the query counted under `key`.
    pub async fn cause_cases(
        &self,
        actor: &Actor,
        query: &CauseQuery,
        by: ParetoBy,
        key: &str,
    ) -> DeskResult<Vec<CauseRow>> {
        self.check_analyst(actor)?;
        check_period(query.from, query.to)?;
        let rows = self.store.cause_rows(query, CAUSE_ROWS_MAX).await?;
        Ok(rows
            .into_iter()
            .filter(|r| keys_of(r, by).iter().any(|k| k == key))
            .collect())
    }

    /// The complaint closed loop of the complaints received in `[from, to)`: the funnel and the
    /// same per region or responsible organisation.
    pub async fn closed_loop(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
        by: LoopBy,
    ) -> DeskResult<ClosedLoop> {
        self.check_analyst(actor)?;
        check_period(from, to)?;
        let rows = self.store.complaint_rows(from, to).await?;
        Ok(ClosedLoop {
            from,
            to,
            by,
            steps: closed_loop(&rows),
            groups: closed_loop_by(&rows, by),
        })
    }

    /// The complaints of the period that have not passed `step` (of one key of `by` when
    /// given), by day then number.
    pub async fn closed_loop_missing(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
        step: LoopStep,
        key: Option<(LoopBy, String)>,
    ) -> DeskResult<Vec<LoopRow>> {
        self.check_analyst(actor)?;
        check_period(from, to)?;
        let rows = self.store.complaint_rows(from, to).await?;
        Ok(rows
            .into_iter()
            .filter(|r| !r.passed(step))
            .filter(|r| key.as_ref().is_none_or(|(by, k)| loop_key(r, *by) == *k))
            .collect())
    }

    // ---- the improvement backlog ------------------------------------------------------------

    /// Every item, most recently changed first.
    pub async fn improvements(&self, actor: &Actor) -> DeskResult<Vec<Improvement>> {
        require(may_read(actor.role), "this role cannot read the backlog")?;
        Ok(self.store.improvements().await?)
    }

    pub async fn improvement(&self, actor: &Actor, id: &str) -> DeskResult<Improvement> {
        require(may_read(actor.role), "this role cannot read the backlog")?;
        self.store
            .improvement(id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("improvement {id}")))
    }

    pub async fn improvement_history(
        &self,
        actor: &Actor,
        id: &str,
    ) -> DeskResult<Vec<ImprovementEntry>> {
        self.improvement(actor, id).await?;
        Ok(self.store.improvement_history(id).await?)
    }

    /// The items that name a case (the case page's panel).
    pub async fn improvements_of_case(
        &self,
        actor: &Actor,
        case: &Case,
    ) -> DeskResult<Vec<Improvement>> {
        require(may_read(actor.role), "this role cannot read the backlog")?;
        Ok(self.store.improvements_of_case(&case.id).await?)
    }

    async fn linked_case(&self, actor: &Actor, id_or_number: &str) -> DeskResult<LinkedCase> {
        let case = self
            .get_case(actor, id_or_number)
            .await
            .map_err(|e| match e {
                DomainError::NotFound(_) => {
                    DomainError::invalid("cases", format!("no case '{id_or_number}'"))
                }
                other => other,
            })?;
        Ok(LinkedCase {
            case_id: case.id,
            number: case.number,
        })
    }

    async fn checked_owner(
        &self,
        user: Option<&str>,
        department: Option<&str>,
    ) -> DeskResult<(
        Option<kefu_model::ids::UserId>,
        Option<kefu_model::ids::DepartmentId>,
    )> {
        let user = match user.map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(u) => Some(
                self.resolve_assignee(u)
                    .await
                    .map_err(|_| DomainError::invalid("owner_user", format!("no user '{u}'")))?
                    .id,
            ),
        };
        let department = match department.map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(self.resolve_department("owner_department", d).await?.id),
        };
        Ok((user, department))
    }

    /// A new item. Supervisors and admins create it accepted or proposed; an agent proposes.
    pub async fn create_improvement(
        &self,
        actor: &Actor,
        draft: &ImprovementDraft,
    ) -> DeskResult<Improvement> {
        require(
            may_propose(actor.role),
            "this role cannot propose improvements",
        )?;
        let title = check_title(&draft.title)?;
        let description = check_description(&draft.description)?;
        let settings = self.cause_settings().await?;
        let causes = check_causes(&settings, &draft.causes)?;
        let (owner_user, owner_department) = self
            .checked_owner(
                draft.owner_user.as_deref(),
                draft.owner_department.as_deref(),
            )
            .await?;
        let mut cases: Vec<LinkedCase> = Vec::new();
        for c in &draft.cases {
            let linked = self.linked_case(actor, c).await?;
            if !cases.iter().any(|x| x.case_id == linked.case_id) {
                cases.push(linked);
            }
        }
        let now = self.now();
        let by = actor.event_name();
        let item = Improvement {
            id: MessageId::new(now).to_string(),
            title,
            description,
            owner_user,
            owner_department,
            status: ImprovementStatus::Proposed,
            due_on: draft.due_on,
            causes,
            cases,
            created_at: now,
            created_by: by.clone(),
            updated_at: now,
            version: 1,
        };
        let mut entries = vec![ImprovementEntry {
            item_id: item.id.clone(),
            seq: 1,
            at: now,
            by: by.clone(),
            what: "created".into(),
            detail: item.title.clone(),
        }];
        for c in &item.cases {
            entries.push(ImprovementEntry {
                item_id: item.id.clone(),
                seq: entries.len() as i64 + 1,
                at: now,
                by: by.clone(),
                what: "linked".into(),
                detail: c.number.clone(),
            });
        }
        self.store.put_improvement(&item, None, &entries).await?;
        Ok(item)
    }

    /// Writes the next version of an item with its history entries, re-planning from a fresh
    /// read when another writer came first.
    async fn change_improvement(
        &self,
        actor: &Actor,
        id: &str,
        plan: impl Fn(&Improvement) -> DeskResult<Option<(Improvement, Vec<(&'static str, String)>)>>,
    ) -> DeskResult<Improvement> {
        for _ in 0..5 {
            let item = self.improvement(actor, id).await?;
            let Some((mut next, changes)) = plan(&item)? else {
                return Ok(item);
            };
            if changes.is_empty() {
                return Ok(item);
            }
            let now = self.now();
            let last = self
                .store
                .improvement_history(id)
                .await?
                .last()
                .map_or(0, |e| e.seq);
            let entries: Vec<ImprovementEntry> = changes
                .into_iter()
                .enumerate()
                .map(|(i, (what, detail))| ImprovementEntry {
                    item_id: item.id.clone(),
                    seq: last + i as i64 + 1,
                    at: now,
                    by: actor.event_name(),
                    what: what.into(),
                    detail,
                })
                .collect();
            next.version = item.version + 1;
            next.updated_at = now;
            match self
                .store
                .put_improvement(&next, Some(item.version), &entries)
                .await
            {
                Ok(()) => return Ok(next),
                Err(StoreError::VersionConflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::conflict(
            "version_conflict",
            "the item is being changed by others; try again",
        ))
    }

    /// Changes an item's fields or status (supervisors and admins).
    pub async fn update_improvement(
        &self,
        actor: &Actor,
        id: &str,
        patch: &ImprovementPatch,
    ) -> DeskResult<Improvement> {
        require(
            may_manage(actor.role),
            "only supervisors and admins change improvement items",
        )?;
        let settings = self.cause_settings().await?;
        let (owner_user, owner_department) = self
            .checked_owner(
                patch.owner_user.clone().flatten().as_deref(),
                patch.owner_department.clone().flatten().as_deref(),
            )
            .await?;
        let checked = CheckedPatch {
            title: patch.title.as_deref().map(check_title).transpose()?,
            description: patch
                .description
                .as_deref()
                .map(check_description)
                .transpose()?,
            owner_user: patch.owner_user.as_ref().map(|_| owner_user),
            owner_department: patch.owner_department.as_ref().map(|_| owner_department),
            due_on: patch.due_on,
            causes: patch
                .causes
                .as_deref()
                .map(|c| check_causes(&settings, c))
                .transpose()?,
            status: patch.status,
        };
        self.change_improvement(actor, id, |item| plan_change(item, &checked).map(Some))
            .await
    }

    /// Links a case to an item (agents too: from the case page); linking twice changes nothing.
    pub async fn link_improvement_case(
        &self,
        actor: &Actor,
        id: &str,
        case: &str,
    ) -> DeskResult<Improvement> {
        require(may_propose(actor.role), "this role cannot link cases")?;
        let linked = self.linked_case(actor, case).await?;
        self.change_improvement(actor, id, |item| {
            Ok(plan_link(item, linked.clone())?
                .map(|next| (next, vec![("linked", linked.number.clone())])))
        })
        .await
    }

    /// Unlinks a case (supervisors and admins); `not_found` when it was not linked.
    pub async fn unlink_improvement_case(
        &self,
        actor: &Actor,
        id: &str,
        case: &str,
    ) -> DeskResult<Improvement> {
        require(
            may_manage(actor.role),
            "only supervisors and admins unlink cases",
        )?;
        let item = self.improvement(actor, id).await?;
        let Some(linked) = item
            .cases
            .iter()
            .find(|c| c.case_id.as_str() == case || c.number == case)
            .cloned()
        else {
            return Err(DomainError::NotFound(format!("case {case} on this item")));
        };
        self.change_improvement(actor, id, |item| {
            Ok(plan_unlink(item, &linked.case_id)
                .map(|next| (next, vec![("unlinked", linked.number.clone())])))
        })
        .await
    }
}
