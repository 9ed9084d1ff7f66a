//! Use cases of canned replies and macros: listing what the caller may use, writing templates,
//! filling one in for a case, and applying a macro. The pure rules are `kefu_model::canned`.

use kefu_model::canned::{self, CannedDraft, CannedReply, RenderContext, TemplateScope};
use kefu_model::case::{Case, CaseEvent};
use kefu_model::codes::{Status, Visibility};
use kefu_model::drafts::{MessageDraft, ResolvedPatch, plan_message, plan_update};
use kefu_model::error::DomainError;
use kefu_model::ids::MessageId;
use kefu_model::records::CannedQuery;
use kefu_model::replies::{CannedFilter, RenderedReply, manages_team_templates, may_edit_canned};
use kefu_model::user::Actor;

use crate::desk::{Desk, DeskResult};

const LIST_MAX: u32 = 100;

impl Desk {
    /// Stores the shipped replies that are missing (an edited or archived one is kept).
    pub async fn install_seed_replies(&self) -> DeskResult<()> {
        for reply in canned::seeded_replies(self.now()) {
            self.store.put_canned(&reply, true).await?;
        }
        Ok(())
    }

    /// The canned replies the actor may use, matching the filter.
    pub async fn list_canned(
        &self,
        actor: &Actor,
        filter: &CannedFilter,
    ) -> DeskResult<Vec<CannedReply>> {
        let text = match filter.q.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(q) => {
                if q.chars().count() > canned::QUERY_MAX || q.chars().any(char::is_control) {
                    return Err(DomainError::invalid(
                        "q",
                        format!("at most {} characters of text", canned::QUERY_MAX),
                    ));
                }
                Some(q.to_lowercase())
            }
        };
        Ok(self
            .store
            .list_canned(&CannedQuery {
                user_id: actor.user_id.clone(),
                department_id: actor.department_id.clone(),
                text,
                scope: filter.scope,
                macros: filter.macros,
                limit: filter.limit.unwrap_or(LIST_MAX).clamp(1, LIST_MAX),
            })
            .await?)
    }

    /// A template the actor may see (someone else's personal one is not found, so its
    /// existence is not revealed).
    pub async fn get_canned(&self, actor: &Actor, id: &str) -> DeskResult<CannedReply> {
        let not_found = || DomainError::NotFound(format!("canned reply {id}"));
        if id.is_empty() || id.len() > 64 {
            return Err(not_found());
        }
        self.store
            .canned_reply(id)
            .await?
            .filter(|r| {
                !r.archived && canned::visible_to(r, &actor.user_id, actor.department_id.as_ref())
            })
            .ok_or_else(not_found)
    }

    pub async fn create_canned(
        &self,
        actor: &Actor,
        draft: CannedDraft,
    ) -> DeskResult<CannedReply> {
        let now = self.now();
        let reply = self
            .canned_from_draft(actor, &draft, MessageId::new(now).to_string(), None)
            .await?;
        self.store.put_canned(&reply, false).await?;
        Ok(reply)
    }

    /// Replaces a template's content (and, for those who manage team templates, its scope).
    pub async fn update_canned(
        &self,
        actor: &Actor,
        id: &str,
        draft: CannedDraft,
    ) -> DeskResult<CannedReply> {
        let current = self.get_canned(actor, id).await?;
        self.may_edit(actor, &current)?;
        let reply = self
            .canned_from_draft(actor, &draft, current.id.clone(), Some(&current))
            .await?;
        self.store.put_canned(&reply, false).await?;
        Ok(reply)
    }

    /// Archives a template: it is no longer offered, and a shipped one is not installed again.
    pub async fn archive_canned(&self, actor: &Actor, id: &str) -> DeskResult<()> {
        let mut reply = self.get_canned(actor, id).await?;
        self.may_edit(actor, &reply)?;
        reply.archived = true;
        reply.updated_by = actor.event_name();
        reply.updated_at = self.now();
        self.store.put_canned(&reply, false).await?;
        Ok(())
    }

    fn may_edit(&self, actor: &Actor, reply: &CannedReply) -> DeskResult<()> {
        if may_edit_canned(actor, reply) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "only supervisors and admins edit team templates".into(),
            ))
        }
    }

    async fn canned_from_draft(
        &self,
        actor: &Actor,
        draft: &CannedDraft,
        id: String,
        current: Option<&CannedReply>,
    ) -> DeskResult<CannedReply> {
        if !actor.can_write_cases() {
            return Err(DomainError::Forbidden(
                "this role cannot write templates".into(),
            ));
        }
        let checked = canned::check_draft(draft)?;
        let (department_id, owner_id) = match draft.scope {
            TemplateScope::Team => {
                if !manages_team_templates(actor) {
                    return Err(DomainError::Forbidden(
                        "only supervisors and admins write team templates; agents write personal ones"
                            .into(),
                    ));
                }
                let department = match draft.department.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(d) => Some(self.resolve_department("department", d).await?.id),
                };
                (department, None)
            }
            TemplateScope::Personal => {
                if draft.department.is_some() {
                    return Err(DomainError::invalid(
                        "department",
                        "a personal template belongs to its owner, not a department",
                    ));
                }
                // An edit keeps the owner; only the owner may edit a personal one.
                let owner = current
                    .and_then(|c| c.owner_id.clone())
                    .unwrap_or_else(|| actor.user_id.clone());
                (None, Some(owner))
            }
        };
        let now = self.now();
        Ok(CannedReply {
            id,
            title: checked.title,
            body: checked.body,
            scope: draft.scope,
            department_id,
            owner_id,
            tags: checked.tags,
            language: draft.language,
            actions: checked.actions,
            archived: false,
            created_by: current.map_or_else(|| actor.event_name(), |c| c.created_by.clone()),
            created_at: current.map_or(now, |c| c.created_at),
            updated_by: actor.event_name(),
            updated_at: now,
        })
    }

    /// Fills `reply` in for `case` as `actor` would send it. Department staff, who may not see
    /// customers, get the name's placeholder.
    pub async fn render_for_case(
        &self,
        actor: &Actor,
        case: &Case,
        reply: &CannedReply,
    ) -> DeskResult<RenderedReply> {
        let context = self.render_inputs(actor, case).await?;
        Ok(render_with(reply, case, &context, &self.time_zone))
    }

    /// Every template the actor may use (plain replies, not macros), filled in for `case`:
    /// what the chat panel offers.
    pub async fn canned_for_case(
        &self,
        actor: &Actor,
        case: &Case,
        filter: &CannedFilter,
    ) -> DeskResult<Vec<RenderedReply>> {
        let replies = self.list_canned(actor, filter).await?;
        let context = self.render_inputs(actor, case).await?;
        Ok(replies
            .iter()
            .map(|r| render_with(r, case, &context, &self.time_zone))
            .collect())
    }

    /// `POST /cases/{id}/canned/{template}/render`: the preview of the filled text.
    pub async fn render_canned(
        &self,
        actor: &Actor,
        case_id_or_number: &str,
        template_id: &str,
    ) -> DeskResult<RenderedReply> {
        let case = self.get_case(actor, case_id_or_number).await?;
        let reply = self.get_canned(actor, template_id).await?;
        self.render_for_case(actor, &case, &reply).await
    }

    /// The preview of a template as it is being written (not saved): `body` filled in for the
    /// case, or the reason it would be refused on saving (`invalid_field` on `body`).
    pub async fn preview_canned(
        &self,
        actor: &Actor,
        case_id_or_number: &str,
        body: &str,
        language: canned::TemplateLanguage,
    ) -> DeskResult<RenderedReply> {
        let body = kefu_model::text::text("body", body, canned::BODY_MAX, true)?;
        canned::variables_in(&body).map_err(|m| DomainError::invalid("body", m))?;
        let case = self.get_case(actor, case_id_or_number).await?;
        let now = self.now();
        let draft = CannedReply {
            id: String::new(),
            title: String::new(),
            body,
            scope: TemplateScope::Personal,
            department_id: None,
            owner_id: Some(actor.user_id.clone()),
            tags: Vec::new(),
            language,
            actions: None,
            archived: false,
            created_by: actor.event_name(),
            created_at: now,
            updated_by: actor.event_name(),
            updated_at: now,
        };
        self.render_for_case(actor, &case, &draft).await
    }

    async fn render_inputs(&self, actor: &Actor, case: &Case) -> DeskResult<RenderInputs> {
        let customer = if actor.can_see_customers() {
            self.store.customer_by_id(&case.customer_id).await?
        } else {
            None
        };
        let shipments = if case.waybill_nos.is_empty() {
            Vec::new()
        } else {
            self.store.shipments(&case.waybill_nos).await?
        };
        let agent_name = self
            .store
            .user_by_id(&actor.user_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        Ok(RenderInputs {
            customer,
            shipments,
            agent_name,
        })
    }

    /// Applies a macro: its reply (public) and its field changes, planned together by the same
    /// planners as `add_message` and `update_case` and appended in one write, so either all of
    /// it is recorded as events or, when any part is refused (a closed case, a transition the
    /// status machine forbids), nothing is.
    pub async fn apply_macro(
        &self,
        actor: &Actor,
        case_id_or_number: &str,
        macro_id: &str,
    ) -> DeskResult<(Case, Vec<CaseEvent>)> {
        if !actor.can_write_cases() {
            return Err(DomainError::Forbidden(
                "this role cannot change cases".into(),
            ));
        }
        let case = self.get_case(actor, case_id_or_number).await?;
        let reply = self.get_canned(actor, macro_id).await?;
        let Some(actions) = reply.actions.clone() else {
            return Err(DomainError::invalid(
                "macro",
                "this template is a reply, not a macro",
            ));
        };
        if actions.reroutes() && !actor.can_route_cases() {
            return Err(DomainError::Forbidden(
                "department staff cannot re-route or re-grade cases".into(),
            ));
        }
        let rendered = self.render_for_case(actor, &case, &reply).await?;
        let body =
            kefu_model::text::text("body", &rendered.text, kefu_model::text::TEXT_MAX, true)?;
        let draft = MessageDraft {
            body: body.clone(),
            visibility: Visibility::Public,
            from_customer: false,
            call: false,
        };
        let message_id = MessageId::new(self.now());
        let actor_name = actor.event_name();
        // A macro that resolves or closes keeps the resolution-code rule as a hand edit does.
        let causes = match actions
            .status
            .is_some_and(|s| matches!(s, Status::Resolved | Status::Closed))
        {
            true => Some(self.cause_settings().await?),
            false => None,
        };
        self.with_retries(actor, case.id.as_str(), |current| {
            let mut changes = plan_message(current, &message_id, &body, &draft)?;
            // The field changes are planned on the case as the reply leaves it (a reply opens
            // a new case, and the status change must start from there).
            let (after, _) = self.events_for(current, &actor_name, changes.clone());
            let mut tags = after.tags.clone();
            for t in &actions.add_tags {
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            if tags.len() > 20 {
                return Err(DomainError::invalid(
                    "actions.add_tags",
                    "a case has at most 20 tags",
                ));
            }
            let patch = ResolvedPatch {
                status: actions.status,
                priority: actions.priority,
                category: actions.category,
                tags: (tags != after.tags).then_some(tags),
                code_required: causes
                    .as_ref()
                    .is_some_and(|s| s.code_required(actions.category.unwrap_or(after.category))),
                ..ResolvedPatch::default()
            };
            changes.extend(plan_update(&after, &patch)?);
            Ok(changes)
        })
        .await
    }
}

struct RenderInputs {
    customer: Option<kefu_model::customer::Customer>,
    shipments: Vec<kefu_model::shipment::Shipment>,
    agent_name: String,
}

fn render_with(
    reply: &CannedReply,
    case: &Case,
    inputs: &RenderInputs,
    time_zone: &jiff::tz::TimeZone,
) -> RenderedReply {
    let shipment = canned::latest_shipment(case, &inputs.shipments);
    let ctx = RenderContext {
        case,
        customer: inputs.customer.as_ref(),
        shipment,
        agent_name: &inputs.agent_name,
        time_zone,
    };
    RenderedReply {
        template_id: reply.id.clone(),
        title: reply.title.clone(),
        text: canned::render(&reply.body, reply.language, &ctx),
        missing: canned::missing_in(&reply.body, &ctx),
    }
}
