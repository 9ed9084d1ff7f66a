//! Routing use cases: agents' presence and capacity, taking and assigning the next chat or case,
//! and what the customer is told when nobody can take it. The decisions are
//! `kefu_model::routing` (pure, deterministic); this module reads the snapshot and writes the
//! outcome.

use jiff::SignedDuration;
use kefu_model::case::{Case, EventData};
use kefu_model::codes::{Channel, Status};
use kefu_model::error::DomainError;
use kefu_model::ids::{CaseId, MessageId};
use kefu_model::records::CaseQuery;
use kefu_model::routing::{
    AgentLoad, AgentProfile, DEFAULT_MAX_CHATS, DEFAULT_MAX_OPEN_CASES, Decision, Presence,
    PresenceDraft, RoutingPolicy, WorkItem,
};
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult};

/// A callback promised when nobody can take a chat is due this long after.
const CALLBACK_MINUTES: i64 = 30;

impl Desk {
    /// The caller's routing profile (a default, offline one if they never set it).
    pub async fn presence(&self, actor: &Actor) -> DeskResult<AgentProfile> {
        let now = self.now();
        Ok(self
            .store
            .agent_profiles()
            .await?
            .into_iter()
            .find(|p| p.user_id == actor.user_id)
            .unwrap_or(AgentProfile {
                user_id: actor.user_id.clone(),
                presence: Presence::Offline,
                presence_since: now,
                max_chats: DEFAULT_MAX_CHATS,
                max_open_cases: DEFAULT_MAX_OPEN_CASES,
                skills: Default::default(),
                last_assigned_at: None,
                updated_at: now,
            }))
    }

    /// Sets presence, capacity or skills; going online pulls waiting work at once.
    pub async fn set_presence(
        &self,
        actor: &Actor,
        draft: PresenceDraft,
    ) -> DeskResult<AgentProfile> {
        if !matches!(actor.role, Role::Agent | Role::Supervisor | Role::Admin) {
            return Err(DomainError::Forbidden(
                "only agents, supervisors and admins take routed work".into(),
            ));
        }
        let mut profile = self.presence(actor).await?;
        let now = self.now();
        if let Some(p) = draft.presence
            && p != profile.presence
        {
            profile.presence = p;
            profile.presence_since = now;
        }
        if let Some(n) = draft.max_chats {
            if n > 20 {
                return Err(DomainError::invalid("max_chats", "0 to 20"));
            }
            profile.max_chats = n;
        }
        if let Some(n) = draft.max_open_cases {
            if n > 500 {
                return Err(DomainError::invalid("max_open_cases", "0 to 500"));
            }
            profile.max_open_cases = n;
        }
        if let Some(skills) = draft.skills {
            skills.validate()?;
            profile.skills = skills;
        }
        profile.updated_at = now;
        self.store.put_agent_profile(&profile).await?;
        Ok(profile)
    }

    /// Every active staff member who could take routed work, with their load now.
    pub async fn agent_loads(&self) -> DeskResult<Vec<AgentLoad>> {
        let profiles = self.store.agent_profiles().await?;
        let work = self.store.open_work_per_agent().await?;
        let users = self.store.list_users().await?;
        Ok(profiles
            .into_iter()
            .filter_map(|p| {
                let user = users.iter().find(|u| {
                    u.id == p.user_id
                        && u.active
                        && !matches!(u.role, Role::Readonly | Role::Inspector)
                })?;
                let (chats, cases) = work
                    .iter()
                    .find(|(id, _, _)| *id == p.user_id)
                    .map_or((0, 0), |(_, c, all)| (*c, *all));
                Some(AgentLoad {
                    user_id: p.user_id.clone(),
                    presence: p.presence,
                    max_chats: p.max_chats,
                    active_chats: u32::try_from(chats).unwrap_or(u32::MAX),
                    max_open_cases: p.max_open_cases,
                    open_cases: u32::try_from(cases - chats).unwrap_or(u32::MAX),
                    skills: p.skills.clone(),
                    last_assigned_at: p.last_assigned_at,
                    presence_since: p.presence_since,
                    department_id: user.department_id.clone(),
                })
            })
            .collect())
    }

    fn work_item(&self, case: &Case, language: &str) -> WorkItem {
        WorkItem {
            channel: case.channel,
            category: Some(case.category),
            language: language.to_string(),
            priority: case.priority,
            waiting_since: case
                .bot
                .as_ref()
                .and_then(|b| b.handed_over_at)
                .unwrap_or(case.received_at),
            department_id: None,
        }
    }

    /// Whether a case waits for routing: open, nobody's, not with a department, and (for a
    /// chat) no longer with the bot.
    fn waits_for_routing(case: &Case) -> bool {
        case.assignee.is_none()
            && case.department.is_none()
            && matches!(case.status, Status::New | Status::Open)
            && !case.bot.as_ref().is_some_and(|b| b.active)
    }

    /// Routes one case now. For a chat that nobody can take, the customer is told where they
    /// stand (and, past the policy's limits, the chat overflows or gets a callback promise).
    /// `None` when the case does not wait for routing (someone has it, a department has it,
    /// the bot still answers it, or it is done).
    pub async fn route_case(&self, case_id: &CaseId) -> DeskResult<Option<Decision>> {
        let system = kefu_model::chat::bot_actor();
        let case = self.get_case(&system, case_id.as_str()).await?;
        if !Self::waits_for_routing(&case) {
            return Ok(None);
        }
        let policy: RoutingPolicy = self.setting_or_default("routing").await?;
        let agents = self.agent_loads().await?;
        let waiting = if case.channel == Channel::Chat {
            self.waiting_cases(200).await?
        } else {
            Vec::new()
        };
        self.route_with(&case, &agents, &waiting, &policy)
            .await
            .map(Some)
    }

    /// Routes `case` on a snapshot: the agents' load, the cases waiting (for a chat's place in
    /// the queue) and the policy, read once by the caller.
    async fn route_with(
        &self,
        case: &Case,
        agents: &[AgentLoad],
        waiting: &[Case],
        policy: &RoutingPolicy,
    ) -> DeskResult<Decision> {
        let language = match self.store.conversation_by_case(&case.id).await? {
            Some(c) => c.language,
            None => "zh".to_string(),
        };
        let item = self.work_item(case, &language);
        let ahead = if case.channel == Channel::Chat {
            waiting
                .iter()
                .filter(|c| {
                    c.channel == Channel::Chat && c.id != case.id && Self::waits_for_routing(c)
                })
                .filter(|c| self.work_item(c, "zh").waiting_since < item.waiting_since)
                .count()
        } else {
            0
        };
        let decision = kefu_model::routing::decide(&item, agents, ahead, self.now(), policy);
        self.carry_out_routing(case, &decision, language == "en")
            .await?;
        Ok(decision)
    }

    /// Open cases nobody has, oldest first.
    async fn waiting_cases(&self, limit: u32) -> DeskResult<Vec<Case>> {
        Ok(self
            .store
            .list_cases(&CaseQuery {
                unassigned: true,
                open_only: true,
                limit,
                sort: kefu_model::records::CaseSort::Oldest,
                ..CaseQuery::default()
            })
            .await?
            .items)
    }

    async fn carry_out_routing(
        &self,
        case: &Case,
        decision: &Decision,
        en: bool,
    ) -> DeskResult<()> {
        let system = kefu_model::chat::bot_actor();
        let now = self.now();
        let is_chat = case.channel == Channel::Chat;
        let notice = MessageId::new(now);
        let events: Vec<EventData> = match decision {
            Decision::Assign(to) => vec![EventData::Assigned {
                from: None,
                to: Some(to.clone()),
            }],
            Decision::Queue {
                position,
                estimated_wait_secs,
            } if is_chat => {
                // Say it once per place in the queue, not on every routing pass.
                let ahead = position.saturating_sub(1);
                let text = match (estimated_wait_secs, en) {
                    (Some(s), false) => format!(
                        "当前客服繁忙，您前面还有 {ahead} 位，预计等待约 {} 分钟，请稍候。",
                        s.div_ceil(60).max(1)
                    ),
                    (Some(s), true) => format!(
                        "All agents are busy: {ahead} ahead of you, about {} min to wait.",
                        s.div_ceil(60).max(1)
                    ),
                    (None, false) => "当前客服繁忙，正在为您排队，请稍候。".to_string(),
                    (None, true) => "All agents are busy; you are in the queue.".to_string(),
                };
                if self.last_bot_text(case).await?.as_deref() == Some(text.as_str()) {
                    return Ok(());
                }
                vec![crate::chat::bot_notice(&notice, &text)]
            }
            Decision::Overflow { department } => vec![
                EventData::Transferred {
                    from: None,
                    to: Some(department.clone()),
                    due_at: None,
                },
                crate::chat::bot_notice(
                    &notice,
                    if en {
                        "You are being passed to the team in charge; please wait a moment."
                    } else {
                        "已为您转接专门的处理部门，请稍候。"
                    },
                ),
            ],
            Decision::Callback { .. } if is_chat => {
                if case.commitments.iter().any(|c| c.note.starts_with("回电")) {
                    return Ok(());
                }
                let due_at = now
                    .saturating_add(SignedDuration::from_mins(CALLBACK_MINUTES))
                    .unwrap_or(now);
                vec![
                    EventData::CommitmentMade {
                        id: MessageId::new(now).to_string(),
                        due_at,
                        remind_at: (due_at - SignedDuration::from_mins(10)).max(now),
                        note: "回电：在线客服繁忙，承诺回电".into(),
                    },
                    crate::chat::bot_notice(
                        &notice,
                        &if en {
                            format!(
                                "No agent is free right now. We will contact you within {CALLBACK_MINUTES} minutes; you can keep writing here."
                            )
                        } else {
                            format!(
                                "当前没有空闲的人工客服。我们已登记，会在 {CALLBACK_MINUTES} 分钟内联系您；您也可以继续留言。"
                            )
                        },
                    ),
                ]
            }
            _ => return Ok(()),
        };
        let result = self
            .with_retries(&system, case.id.as_str(), |current| {
                if !Self::waits_for_routing(current) {
                    return Ok(Vec::new());
                }
                Ok(events.clone())
            })
            .await?;
        if let (Decision::Assign(to), false) = (decision, result.1.is_empty())
            && let Some(mut profile) = self
                .store
                .agent_profiles()
                .await?
                .into_iter()
                .find(|p| p.user_id == *to)
        {
            profile.last_assigned_at = Some(now);
            self.store.put_agent_profile(&profile).await?;
        }
        Ok(())
    }

    async fn last_bot_text(&self, case: &Case) -> DeskResult<Option<String>> {
        let events = self
            .store
            .case_events_after(&case.id, case.version.saturating_sub(20), 50)
            .await?;
        Ok(events.iter().rev().find_map(|e| match &e.data {
            EventData::MessageAdded {
                author_kind, body, ..
            } if author_kind == "bot" => Some(body.clone()),
            _ => None,
        }))
    }

    /// One routing pass over the waiting work, oldest first; returns how many were assigned.
    /// Run by every node's timer loop, so work waiting for a free agent is picked up as soon
    /// as one is free (an assignment is appended at the case's version: two nodes cannot give
    /// one case to two agents).
    pub async fn route_waiting(&self, limit: u32) -> DeskResult<usize> {
        let agents = self.agent_loads().await?;
        if !agents.iter().any(|a| a.presence == Presence::Online) {
            return Ok(0);
        }
        let policy: RoutingPolicy = self.setting_or_default("routing").await?;
        let waiting = self.waiting_cases(limit).await?;
        let mut assigned = 0;
        let mut agents = agents;
        // What still waits, as this pass assigns (a chat's place counts only those).
        let mut remaining = waiting.clone();
        for case in waiting.iter().filter(|c| Self::waits_for_routing(c)) {
            // A case nobody could take now costs nothing more this pass; chats still go
            // through (they are told their place, overflow or get a callback).
            let item = self.work_item(case, "zh");
            let takeable = agents
                .iter()
                .any(|a| kefu_model::routing::eligible(a, &item));
            if !takeable && case.channel != Channel::Chat {
                continue;
            }
            if let Decision::Assign(to) =
                self.route_with(case, &agents, &remaining, &policy).await?
            {
                assigned += 1;
                remaining.retain(|c| c.id != case.id);
                // Keep this pass's picture of the load current.
                if let Some(a) = agents.iter_mut().find(|a| a.user_id == to) {
                    if case.channel == Channel::Chat {
                        a.active_chats += 1;
                    } else {
                        a.open_cases += 1;
                    }
                }
            }
        }
        Ok(assigned)
    }
}
