//! The courier's and the outlet's phone-width page (`/console/pickups/mine`): their open pickups by
//! agreed window (else the expected arrival), each with the sender's address and phone and the
//! buttons for the next step — accept, arrived, collected (with the waybill), failed (with the
//! reason). Who sees which pickup is the desk's rule (`Desk::pickup_scope`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::DomainError;
use kefu_model::parcels::CourierStepBody;
use kefu_model::pickup::{CourierStep, PickupQuery, PickupStatus};
use serde::Deserialize;

use super::extract::{CsrfForm, FormRefused};
use super::i18n::pickup_status_label;
use super::pages::{Chrome, local, nav};
use super::{UiSession, error_page, redirect, render};
use crate::AppState;

/// One open pickup as the courier's list shows it.
pub struct MinePickup {
    pub id: String,
    pub number: String,
    pub status: &'static str,
    /// The agreed window, else the expected arrival (with its label).
    pub when_label: &'static str,
    pub when: String,
    pub sender: String,
    pub phone: String,
    pub address: String,
    pub item: String,
    pub courier: String,
    pub can_accept: bool,
    pub can_arrive: bool,
    pub can_finish: bool,
}

#[derive(Template)]
#[template(path = "pickups_mine.html")]
pub struct MinePage {
    pub chrome: Chrome,
    pub pickups: Vec<MinePickup>,
    /// Why the last step was refused.
    pub error: String,
}

/// What a step's form posts: a waybill for `collect`, the reason for `fail`.
#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    waybill_no: String,
}

pub async fn mine_page(State(state): State<AppState>, s: UiSession) -> Response {
    mine_view(&state, &s, String::new(), StatusCode::OK).await
}

async fn mine_view(state: &AppState, s: &UiSession, error: String, status: StatusCode) -> Response {
    let listed = match state
        .desk
        .list_pickups(
            &s.actor,
            &PickupQuery {
                limit: Some(200),
                ..PickupQuery::default()
            },
        )
        .await
    {
        Ok(l) => l,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let chrome = match nav(state, s, "/console/pickups/mine").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let tz = state.desk.time_zone();
    let mut open: Vec<_> = listed
        .into_iter()
        .filter(|p| {
            matches!(
                p.status,
                PickupStatus::Dispatched | PickupStatus::Accepted | PickupStatus::Arrived
            )
        })
        .collect();
    open.sort_by_key(|p| (p.window_from.or(p.estimated_pickup_at), p.created_at));
    let pickups = open
        .iter()
        .map(|p| {
            let (when_label, when) = match (p.window_from, p.window_to) {
                (Some(from), Some(to)) => (
                    s.tr.window_from,
                    format!("{} – {}", local(from, tz), local(to, tz)),
                ),
                _ => (
                    s.tr.pickup_eta,
                    p.estimated_pickup_at
                        .map(|t| local(t, tz))
                        .unwrap_or_default(),
                ),
            };
            MinePickup {
                id: p.id.clone(),
                number: p.number.clone(),
                status: pickup_status_label(s.tr.lang, p.status),
                when_label,
                when,
                sender: p.sender.name.clone(),
                phone: p.sender.phone.as_str().to_string(),
                address: p.sender.address.clone(),
                item: p.item.clone(),
                courier: p
                    .courier
                    .as_ref()
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                can_accept: CourierStep::Accept.allowed_from(p.status),
                can_arrive: CourierStep::Arrive.allowed_from(p.status),
                can_finish: CourierStep::Collect.allowed_from(p.status),
            }
        })
        .collect();
    let mut r = render(&MinePage {
        chrome,
        pickups,
        error,
    });
    *r.status_mut() = status;
    r
}

/// `POST /console/pickups/{id}/step/{step}`: the courier's step from the page, back to the list.
pub async fn take_step(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    posted: Result<CsrfForm<StepForm>, FormRefused>,
) -> Response {
    let (s, form) = match posted {
        Ok(CsrfForm { s, form, .. }) => (s, form),
        Err(FormRefused::Invalid(bad)) => {
            let message = crate::error::public_message(&bad.error);
            return mine_view(&state, &bad.s, message, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(other) => return axum::response::IntoResponse::into_response(other),
    };
    let Some(step) = CourierStep::parse(&step) else {
        return error_page(
            s.tr,
            Some(&s),
            &DomainError::NotFound(format!("pickup step {step}")),
        );
    };
    let body = CourierStepBody {
        note: form.note,
        waybill_no: Some(form.waybill_no).filter(|w| !w.trim().is_empty()),
    };
    match state.desk.courier_step(&s.actor, &id, step, body).await {
        Ok(_) => redirect("/console/pickups/mine"),
        Err(DomainError::Unauthenticated) => redirect("/login"),
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => {
            let status = if matches!(e, DomainError::Invalid { .. }) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            mine_view(&state, &s, crate::error::public_message(&e), status).await
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}
