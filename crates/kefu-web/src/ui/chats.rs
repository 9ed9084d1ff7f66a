//! The agent's chat desk (`/chats`): every conversation the agent holds, side by side and live
//! (each panel speaks the staff WebSocket protocol of `crate::chat` through `static/kefu.js`),
//! the chats waiting for a person, and the agent's presence and capacity. A chat case's own page
//! shows the same panel above its timeline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_model::drafts::CasePatch;
use kefu_model::routing::{Presence, PresenceDraft};
use kefu_model::{Case, DomainError};

use super::pages::{Chrome, nav};
use super::{CsrfForm, FormRefused, NoFields, UiSession, error_page, redirect, render};
use crate::AppState;

/// One live conversation panel.
pub struct ChatPanel {
    pub id: String,
    pub number: String,
    pub subject: String,
    /// The agent's canned replies filled in for this chat: (title, text).
    pub canned: Vec<(String, String)>,
    /// Where the chat can be handed: (`user:<id>` or `department:<id>`, name).
    pub targets: Vec<(String, String)>,
    /// The page to come back to after a transfer.
    pub back: String,
}

impl ChatPanel {
    /// The panel of `case`, offering `actor`'s canned replies filled in for it (a failure to
    /// read them leaves the list empty rather than the chat unusable).
    pub async fn of(
        state: &AppState,
        actor: &kefu_model::Actor,
        case: &Case,
        targets: &[(String, String)],
        back: &str,
    ) -> ChatPanel {
        let filter = kefu_model::replies::CannedFilter {
            macros: Some(false),
            ..Default::default()
        };
        let canned = match state.desk.canned_for_case(actor, case, &filter).await {
            Ok(list) => list.into_iter().map(|r| (r.title, r.text)).collect(),
            Err(e) => {
                tracing::warn!("canned replies for {}: {e}", case.number);
                Vec::new()
            }
        };
        ChatPanel {
            id: case.id.to_string(),
            number: case.number.clone(),
            subject: case.subject.clone(),
            canned,
            targets: targets.to_vec(),
            back: back.to_string(),
        }
    }
}

/// Colleagues (other than the actor) and departments a chat can be transferred to; who may
/// take one is the desk's rule (`User::may_be_assigned`).
pub async fn transfer_targets(
    state: &AppState,
    actor: &kefu_model::Actor,
    zh: bool,
) -> Result<Vec<(String, String)>, DomainError> {
    let users = state.desk.assignable_users(actor).await?;
    let departments = state.desk.list_departments().await?;
    let mut out: Vec<(String, String)> = users
        .iter()
        .filter(|u| u.id != actor.user_id)
        .map(|u| (format!("user:{}", u.id), u.display_name.clone()))
        .collect();
    out.extend(departments.iter().map(|d| {
        (
            format!("department:{}", d.id),
            format!("{}{}", if zh { "部门：" } else { "Team: " }, d.name),
        )
    }));
    Ok(out)
}

pub struct WaitingChat {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub reason: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "chats.html")]
struct ChatsPage {
    chrome: Chrome,
    panels: Vec<ChatPanel>,
    waiting: Vec<WaitingChat>,
    presence: String,
    presences: Vec<(&'static str, &'static str, bool)>,
    max_chats: u32,
    error: Option<String>,
}

pub async fn chats_page(State(state): State<AppState>, s: UiSession) -> Response {
    chats_view(&state, &s, None).await
}

async fn chats_view(state: &AppState, s: &UiSession, error: Option<String>) -> Response {
    let desk = &state.desk;
    let loaded = async {
        let chrome = nav(state, s, "/chats").await?;
        let (mine, waiting) = desk.console_chats(&s.actor).await?;
        let profile = desk.presence(&s.actor).await?;
        let targets = transfer_targets(state, &s.actor, s.tr.lang.is_zh()).await?;
        Ok::<_, DomainError>((chrome, mine, waiting, profile, targets))
    }
    .await;
    let (chrome, mine, waiting, profile, targets) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let zh = s.tr.lang.is_zh();
    let label = |p: Presence| match (p, zh) {
        (Presence::Online, true) => "在线",
        (Presence::Away, true) => "离开",
        (Presence::Offline, true) => "离线",
        (Presence::Online, false) => "Online",
        (Presence::Away, false) => "Away",
        (Presence::Offline, false) => "Offline",
    };
    let mut panels = Vec::with_capacity(mine.len());
    for c in &mine {
        panels.push(ChatPanel::of(state, &s.actor, c, &targets, "/chats").await);
    }
    let page = ChatsPage {
        panels,
        waiting: waiting
            .iter()
            .map(|c| WaitingChat {
                id: c.id.to_string(),
                number: c.number.clone(),
                subject: c.subject.clone(),
                reason: c
                    .bot
                    .as_ref()
                    .and_then(|b| b.handover_reason.clone())
                    .unwrap_or_default(),
                since: c
                    .bot
                    .as_ref()
                    .and_then(|b| b.handed_over_at)
                    .unwrap_or(c.received_at)
                    .to_zoned_datetime(desk.time_zone().clone())
                    .strftime("%H:%M:%S")
                    .to_string(),
            })
            .collect(),
        presence: label(profile.presence).to_string(),
        presences: Presence::ALL
            .iter()
            .map(|p| (p.as_str(), label(*p), *p == profile.presence))
            .collect(),
        max_chats: profile.max_chats,
        chrome,
        error,
    };
    render(&page)
}

/// `POST /chats/presence`: online/away/offline and how many chats at once.
/// The presence form: either field may be left out (unchanged); a value it does not know is
/// refused.
#[derive(serde::Deserialize)]
pub struct PresenceForm {
    #[serde(default, deserialize_with = "super::extract::field::optional")]
    presence: Option<Presence>,
    #[serde(default, deserialize_with = "super::extract::field::optional_count")]
    max_chats: Option<u32>,
}

pub async fn set_presence(
    State(state): State<AppState>,
    posted: Result<CsrfForm<PresenceForm>, FormRefused>,
) -> Response {
    let (s, form) = match posted {
        Ok(CsrfForm { s, form, .. }) => (s, form),
        Err(FormRefused::Invalid(bad)) => {
            let mut r = chats_view(
                &state,
                &bad.s,
                Some(crate::error::public_message(&bad.error)),
            )
            .await;
            *r.status_mut() = crate::error::status_of(&bad.error);
            return r;
        }
        Err(other) => return axum::response::IntoResponse::into_response(other),
    };
    let draft = PresenceDraft {
        presence: form.presence,
        max_chats: form.max_chats,
        ..PresenceDraft::default()
    };
    match state.desk.set_presence(&s.actor, draft).await {
        Ok(_) => {
            if let Err(e) = state.desk.route_waiting(50).await {
                tracing::warn!("routing after a presence change failed: {e}");
            }
            redirect("/chats")
        }
        Err(e) => chats_view(&state, &s, Some(e.to_string())).await,
    }
}

/// `POST /chats/{id}/take`: an agent takes a waiting chat.
pub async fn take(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, .. }: CsrfForm<NoFields>,
) -> Response {
    let patch = CasePatch {
        assignee: Some(Some(s.actor.user_id.to_string())),
        ..CasePatch::default()
    };
    match state.desk.update_case(&s.actor, &id, patch).await {
        Ok(_) => redirect("/chats"),
        Err(e) => chats_view(&state, &s, Some(e.to_string())).await,
    }
}

/// `POST /chats/{id}/transfer`: to another agent (`user:<id>`) or a department
/// (`department:<id>`), from a chat panel.
pub async fn transfer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    // Only our own pages to come back to.
    let back = form
        .get("back")
        .map(String::as_str)
        .filter(|b| super::local_path(b) == *b)
        .unwrap_or("/chats")
        .to_string();
    let to = form.get("to").map(|t| t.trim()).unwrap_or_default();
    let patch = match to.split_once(':') {
        Some(("user", user)) => Ok(CasePatch {
            assignee: Some(Some(user.to_string())),
            ..CasePatch::default()
        }),
        Some(("department", department)) => Ok(CasePatch {
            department: Some(Some(department.to_string())),
            ..CasePatch::default()
        }),
        _ => Err(DomainError::invalid("to", "an agent or a department")),
    };
    let result = match patch {
        Ok(patch) => state
            .desk
            .update_case(&s.actor, &id, patch)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => redirect(&back),
        Err(e) => chats_view(&state, &s, Some(e.to_string())).await,
    }
}
