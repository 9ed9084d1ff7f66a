//! Satisfaction surveys (R-CASE-8): the survey a resolution opens and the follow-up a poor
//! answer opens (both planned in every case append, `survey_steps`), answering — by the link's
//! token, the portal's rate form, the chat's card, a WeChat digit — once per case, the follow-up
//! queue and its outcome, and the satisfaction figures with the cases behind each.

use jiff::{SignedDuration, Timestamp};
use kefu_model::case::{Case, CaseEvent, EventData};
use kefu_model::codes::Status;
use kefu_model::error::DomainError;
use kefu_model::ids::{CaseId, UserId};
use kefu_model::survey::{
    AnswerDraft, FollowUpOutcome, NOTE_MAX, SURVEY_SETTING, SurveyAnswer, SurveyDimension,
    SurveyDrill, SurveyFigure, SurveyQuery, SurveyRow, SurveySettings, SurveyTally, SurveyWay,
    check_answer, check_period, new_token, parse_token, same_hash,
};
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult, require};

/// The author of a survey's automatic steps (opened, follow-up opened).
pub const SURVEY_ACTOR: &str = "system:survey";

/// What the survey page and its JSON show a customer holding a link.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyForm {
    pub case_number: String,
    pub subject: String,
    /// The link is past its time (the page says so; the API answers 404).
    pub expired: bool,
    /// The answer already given.
    pub answer: Option<SurveyAnswer>,
    pub good_reasons: Vec<String>,
    pub poor_reasons: Vec<String>,
    pub satisfied_from: u8,
}

/// The figures of a period: the totals, one tally per value of the dimension, the target.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFigures {
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    pub dimension: SurveyDimension,
    pub total: SurveyTally,
    pub rows: Vec<SurveyTally>,
    /// Per day, for the chart (the same surveys).
    pub days: Vec<SurveyTally>,
    pub target_percent: u8,
    /// Only the asking agent's own cases.
    pub own_only: bool,
}

/// The customer answering a survey, named by the way they came (`customer:page`, …).
fn customer_actor(via: SurveyWay) -> Actor {
    Actor {
        user_id: UserId::from_stored(format!("channel:survey-{via}")),
        username: format!("survey-{via}"),
        role: Role::Agent,
        department_id: None,
    }
}

/// Who may read figures: supervisors and admins all, an agent their own (`Some(own id)`).
fn figures_scope(actor: &Actor) -> DeskResult<Option<UserId>> {
    match actor.role {
        Role::Admin | Role::Supervisor => Ok(None),
        Role::Agent => Ok(Some(actor.user_id.clone())),
        _ => Err(DomainError::Forbidden(
            "satisfaction figures are for agents, supervisors and admins".into(),
        )),
    }
}

/// Whether the actor works the follow-up queue.
pub fn may_follow_up(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor)
}

/// Whether the actor may read satisfaction figures (their own at least).
pub fn may_read_figures(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Supervisor | Role::Agent)
}

impl Desk {
    /// The survey setting (the shipped default until an admin saves one).
    pub async fn survey_settings(&self) -> DeskResult<SurveySettings> {
        self.setting_or_default::<SurveySettings>(SURVEY_SETTING)
            .await
    }

    /// What `events` call for on `case` (after them): a first resolution on a surveyed channel
    /// opens the survey (and gives the link's token to the notice); a poor answer opens the
    /// follow-up, due after the setting's working hours on its calendar.
    pub(crate) async fn survey_steps(
        &self,
        case: &Case,
        events: &[CaseEvent],
    ) -> DeskResult<(Vec<EventData>, Option<String>)> {
        let resolved = events.iter().any(|e| {
            matches!(
                e.data,
                EventData::StatusChanged {
                    to: Status::Resolved,
                    ..
                }
            )
        });
        let poor = events
            .iter()
            .any(|e| matches!(e.data, EventData::Rated { poor: true, .. }));
        let opens = resolved && case.survey.is_none() && case.rating.is_none();
        let follows = poor && case.survey.as_ref().is_some_and(|s| s.follow_up.is_none());
        if !opens && !follows {
            return Ok((Vec::new(), None));
        }
        let settings = self.survey_settings().await?;
        let mut out = Vec::new();
        let mut token = None;
        if opens && settings.channels.contains(&case.channel) {
            let (t, opened) = self.open_survey(case, &settings).await?;
            token = Some(t);
            out.push(opened);
        }
        if follows {
            out.push(EventData::FollowUpOpened {
                due_at: self.follow_up_due(&settings).await?,
            });
        }
        Ok((out, token))
    }

    /// The `survey_opened` event for `case` now, and the link's token.
    async fn open_survey(
        &self,
        case: &Case,
        settings: &SurveySettings,
    ) -> DeskResult<(String, EventData)> {
        let now = self.now();
        let team = match &case.assignee {
            Some(a) => self
                .store
                .user_by_id(a)
                .await?
                .and_then(|u| u.department_id),
            None => None,
        };
        let grade = self
            .store
            .customer_by_id(&case.customer_id)
            .await?
            .map_or(kefu_model::customer::Grade::DEFAULT, |c| c.grade)
            .get();
        let (token, token_hash) = new_token(&case.id);
        let expires_at = now
            .checked_add(SignedDuration::from_hours(
                24 * i64::from(settings.valid_days),
            ))
            .unwrap_or(now);
        Ok((
            token,
            EventData::SurveyOpened {
                token_hash,
                expires_at,
                day: self.time_zone.to_datetime(now).date(),
                agent: case.assignee.clone(),
                team,
                grade,
            },
        ))
    }

    /// When a follow-up opened now is due: the setting's working hours on its calendar (plain
    /// hours if that calendar is gone).
    async fn follow_up_due(&self, settings: &SurveySettings) -> DeskResult<Timestamp> {
        let now = self.now();
        let hours = SignedDuration::from_hours(i64::from(settings.follow_up_hours));
        let config = self.sla_config().await?;
        match config.calendars.get(&settings.follow_up_calendar) {
            Some(cal) => Ok(cal.add_open_time(now, hours)?),
            None => Ok(now.checked_add(hours).unwrap_or(now)),
        }
    }

    /// The survey a link opens: the case's number and subject, whether the link expired, the
    /// answer if given, the reasons to pick from. An unknown or forged token is not found.
    pub async fn survey_form(&self, token: &str) -> DeskResult<SurveyForm> {
        let case = self.case_of_token(token).await?;
        let settings = self.survey_settings().await?;
        let survey = case
            .survey
            .as_ref()
            .ok_or_else(|| DomainError::NotFound("survey".into()))?;
        Ok(SurveyForm {
            case_number: case.number.clone(),
            subject: case.subject.clone(),
            expired: survey.answer.is_none() && self.now() >= survey.expires_at,
            answer: survey.answer.clone(),
            good_reasons: settings.good_reasons,
            poor_reasons: settings.poor_reasons,
            satisfied_from: settings.satisfied_from,
        })
    }

    async fn case_of_token(&self, token: &str) -> DeskResult<Case> {
        let not_found = || DomainError::NotFound("survey".into());
        let (id, hash) = parse_token(token.trim()).ok_or_else(not_found)?;
        let case = self.store.case_by_id(&id).await?.ok_or_else(not_found)?;
        match &case.survey {
            Some(s) if same_hash(&s.token_hash, &hash) => Ok(case),
            _ => Err(not_found()),
        }
    }

    /// The customer's answer through the link (`via` page or api): once, while the link is
    /// open. A second answer is 409 `already_rated`, an expired link 404.
    pub async fn answer_survey(
        &self,
        token: &str,
        draft: AnswerDraft,
        via: SurveyWay,
    ) -> DeskResult<Case> {
        let case = self.case_of_token(token).await?;
        if case.rating.is_none()
            && case
                .survey
                .as_ref()
                .is_some_and(|s| self.now() >= s.expires_at)
        {
            return Err(DomainError::NotFound(
                "survey (the link has expired)".into(),
            ));
        }
        self.rate_case(&case.id, draft, via).await
    }

    /// Rates a resolved or closed case once, by the survey's rules, whatever the way (the
    /// checks of every way: score, reasons offered with it, comment; 409 `not_resolved`,
    /// 409 `already_rated`). A case resolved without a survey (its channel not surveyed, or
    /// before surveys) gets one opened with the answer, so the figures count it. The caller
    /// vouches for the customer (the link's token, the portal's phone, the chat's conversation,
    /// the WeChat sender; the demo's history).
    pub async fn rate_case(
        &self,
        id: &CaseId,
        draft: AnswerDraft,
        via: SurveyWay,
    ) -> DeskResult<Case> {
        let settings = self.survey_settings().await?;
        let answer = check_answer(&settings, &draft)?;
        let case = self
            .store
            .case_by_id(id)
            .await?
            .ok_or_else(|| DomainError::NotFound("case".into()))?;
        // Planned outside the retries (it reads the store); used only when none is open.
        let opened = if case.survey.is_none() {
            Some(self.open_survey(&case, &settings).await?.1)
        } else {
            None
        };
        let satisfied = settings.is_satisfied(answer.score);
        let poor = settings.is_poor(answer.score);
        let (case, _) = self
            .with_retries(&customer_actor(via), id.as_str(), |c| {
                if !matches!(c.status, Status::Resolved | Status::Closed) {
                    return Err(DomainError::conflict(
                        "not_resolved",
                        "a case can be rated once it is resolved",
                    ));
                }
                if c.rating.is_some() {
                    return Err(DomainError::conflict(
                        "already_rated",
                        "this case is rated already",
                    ));
                }
                let mut events = Vec::new();
                if c.survey.is_none()
                    && let Some(o) = &opened
                {
                    events.push(o.clone());
                }
                events.push(EventData::Rated {
                    score: answer.score,
                    comment: answer.comment.clone(),
                    reasons: answer.reasons.clone(),
                    via: Some(via),
                    satisfied,
                    poor,
                });
                Ok(events)
            })
            .await?;
        Ok(case)
    }

    /// The case a WeChat reply of a bare digit rates, if any: the customer's most recent
    /// WeChat case whose survey is open (resolved, unanswered, link not expired).
    pub(crate) async fn open_wechat_survey(
        &self,
        customer: &kefu_model::ids::CustomerId,
    ) -> DeskResult<Option<Case>> {
        let query = kefu_model::records::CaseQuery {
            customer_id: Some(customer.clone()),
            limit: 20,
            ..Default::default()
        };
        let now = self.now();
        let page = self.store.list_cases(&query).await?;
        Ok(page
            .items
            .into_iter()
            .filter(|c| c.channel == kefu_model::codes::Channel::Wechat)
            .filter(|c| matches!(c.status, Status::Resolved | Status::Closed))
            .filter(|c| c.rating.is_none())
            .filter(|c| c.survey.as_ref().is_some_and(|s| s.is_open(now)))
            .max_by_key(|c| c.survey.as_ref().map(|s| s.opened_at)))
    }

    /// Rates a case from the chat's rating card: the conversation's own case, once resolved.
    pub async fn chat_rate(&self, case_id: &CaseId, draft: AnswerDraft) -> DeskResult<Case> {
        self.rate_case(case_id, draft, SurveyWay::Chat).await
    }

    // ---- follow-ups ------------------------------------------------------------------------

    /// The follow-up queue (supervisors, admins): open ones, overdue first, then by due time;
    /// with `closed`, the closed ones after them.
    pub async fn follow_ups(
        &self,
        actor: &Actor,
        closed: bool,
        limit: Option<u32>,
    ) -> DeskResult<Vec<SurveyRow>> {
        require(
            may_follow_up(actor.role),
            "follow-ups are for supervisors and admins",
        )?;
        Ok(self
            .store
            .survey_follow_ups(closed, limit.unwrap_or(200).clamp(1, 1000))
            .await?)
    }

    /// Records what came of a follow-up, which closes it (supervisors, admins); one that is not
    /// open is 409 `no_open_follow_up`.
    pub async fn close_follow_up(
        &self,
        actor: &Actor,
        id_or_number: &str,
        outcome: FollowUpOutcome,
        note: &str,
    ) -> DeskResult<Case> {
        require(
            may_follow_up(actor.role),
            "follow-ups are for supervisors and admins",
        )?;
        let note = note.trim();
        if note.chars().count() > NOTE_MAX {
            return Err(DomainError::invalid("note", "at most 1000 characters"));
        }
        if outcome == FollowUpOutcome::Other && note.is_empty() {
            return Err(DomainError::invalid("note", "say what came of it"));
        }
        let (case, _) = self
            .with_retries(actor, id_or_number, |c| {
                let open = c
                    .survey
                    .as_ref()
                    .and_then(|s| s.follow_up.as_ref())
                    .is_some_and(|f| f.is_open());
                if !open {
                    return Err(DomainError::conflict(
                        "no_open_follow_up",
                        "this case has no open follow-up",
                    ));
                }
                Ok(vec![EventData::FollowUpClosed {
                    outcome,
                    note: note.to_string(),
                }])
            })
            .await?;
        Ok(case)
    }

    // ---- figures ---------------------------------------------------------------------------

    /// The satisfaction figures of the surveys opened on the days `[from, to)` by `dimension`
    /// (agents: their own cases only; supervisors, admins: all).
    pub async fn survey_figures(
        &self,
        actor: &Actor,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        dimension: SurveyDimension,
    ) -> DeskResult<SurveyFigures> {
        let agent = figures_scope(actor)?;
        check_period(from, to)?;
        let query = |dimension| SurveyQuery {
            from,
            to,
            dimension,
            agent: agent.clone(),
        };
        let rows = self.store.survey_figures(&query(dimension)).await?;
        let days = match dimension {
            SurveyDimension::Day => rows.clone(),
            _ => {
                self.store
                    .survey_figures(&query(SurveyDimension::Day))
                    .await?
            }
        };
        let mut total = SurveyTally::empty("");
        for r in &rows {
            total.plus(r);
        }
        Ok(SurveyFigures {
            from,
            to,
            dimension,
            total,
            rows,
            days,
            target_percent: self.survey_settings().await?.target_percent,
            own_only: agent.is_some(),
        })
    }

    /// The cases behind a figure: exactly those it counts (same period, same scope).
    #[allow(clippy::too_many_arguments)]
    pub async fn survey_cases(
        &self,
        actor: &Actor,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        dimension: Option<(SurveyDimension, String)>,
        figure: SurveyFigure,
        limit: Option<u32>,
    ) -> DeskResult<Vec<SurveyRow>> {
        let agent = figures_scope(actor)?;
        check_period(from, to)?;
        if let Some((_, key)) = &dimension
            && key.chars().count() > 64
        {
            return Err(DomainError::invalid("key", "at most 64 characters"));
        }
        Ok(self
            .store
            .survey_rows(&SurveyDrill {
                from,
                to,
                agent,
                dimension,
                figure,
                limit: limit.unwrap_or(1000).clamp(1, 10_000),
            })
            .await?)
    }
}
