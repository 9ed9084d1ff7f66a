//! The case page's forms, one route and one typed form each (`POST /cases/{id}/<name>`).
//! A value a form does not take is refused before the desk is called; the refusal, like the
//! desk's own, is the case page again (with the error's status) showing the reason in that
//! form and keeping what was typed.
//!
//! A new action is a form struct (`#[derive(Deserialize)]`, typed fields), a [`CaseAction`]
//! impl (its form's name and the desk call) and one line in [`routes`].

use std::collections::HashMap;
use std::future::Future;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use kefu_model::claim::ClaimKind;
use kefu_model::codes::Visibility;
use kefu_model::drafts::{CasePatch, CommitmentDraft, MessageDraft};
use kefu_model::{Category, DomainError, Priority, Status};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::extract::{CsrfForm, FormRefused, field};
use super::orders::{RerouteOrderForm, SendOrderForm, WithdrawOrderForm};
use super::{UiSession, error_page, redirect};
use crate::AppState;

/// The case page's forms, each at `/cases/{id}/<A::NAME>`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/reply", post(run::<ReplyForm>))
        .route("/cases/{id}/update", post(run::<ChangeForm>))
        .route("/cases/{id}/transfer", post(run::<TransferForm>))
        .route("/cases/{id}/handback", post(run::<HandBackForm>))
        .route("/cases/{id}/identity", post(run::<IdentityForm>))
        .route("/cases/{id}/waybill", post(run::<WaybillForm>))
        .route("/cases/{id}/claim", post(run::<ClaimForm>))
        .route("/cases/{id}/claim-propose", post(run::<ClaimProposeForm>))
        .route("/cases/{id}/pickup", post(run::<PickupForm>))
        .route("/cases/{id}/macro", post(run::<MacroForm>))
        .route("/cases/{id}/escalate", post(run::<EscalateForm>))
        .route("/cases/{id}/promise", post(run::<PromiseForm>))
        .route(
            "/cases/{id}/resolve",
            post(run::<super::causes::ResolveForm>),
        )
        .route(
            "/cases/{id}/improvement",
            post(run::<super::causes::ImprovementLinkForm>),
        )
        .route("/cases/{id}/work-order", post(run::<SendOrderForm>))
        .route(
            "/cases/{id}/work-order-reroute",
            post(run::<RerouteOrderForm>),
        )
        .route(
            "/cases/{id}/work-order-withdraw",
            post(run::<WithdrawOrderForm>),
        )
}

/// A form on the case page.
pub trait CaseAction: DeserializeOwned + Send + 'static {
    /// The last segment of its route, and the form on the page a refusal is shown in.
    const NAME: &'static str;

    /// Makes the change through the desk; `Ok` is where to go next (the case page, mostly).
    fn apply(
        self,
        state: &AppState,
        s: &UiSession,
        id: &str,
    ) -> impl Future<Output = Result<String, DomainError>> + Send;
}

/// What the case page shows with a refused form: the reason in the form, and what was typed.
pub struct Refusal {
    pub form: &'static str,
    pub message: String,
    pub input: HashMap<String, String>,
}

/// `POST /cases/{id}/<A::NAME>`: made, back to the case (Post/Redirect/Get); refused — by
/// the form or by the desk — the case page with the reason and the error's status.
async fn run<A: CaseAction>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Result<CsrfForm<A>, FormRefused>,
) -> Response {
    let (s, result, input) = match posted {
        Ok(CsrfForm { s, form, input }) => {
            let result = form.apply(&state, &s, &id).await;
            (s, result, input)
        }
        Err(FormRefused::Invalid(bad)) => (bad.s, Err(bad.error), bad.input),
        Err(other) => return axum::response::IntoResponse::into_response(other),
    };
    match result {
        Ok(next) => redirect(&next),
        Err(DomainError::Unauthenticated) => redirect("/login"),
        Err(e @ DomainError::NotFound(_)) => error_page(s.tr, Some(&s), &e),
        Err(e) => {
            let refusal = Refusal {
                form: A::NAME,
                message: crate::error::public_message(&e),
                input,
            };
            let mut r = super::pages::case_page_for(&state, &s, &id, None, Some(refusal)).await;
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}

/// A value that differs from the case's (a status "change" to the same status would be
/// refused as a transition).
fn changed<T: PartialEq>(new: Option<T>, old: T) -> Option<T> {
    new.filter(|n| *n != old)
}

fn case_page(id: &str) -> String {
    format!("/cases/{id}")
}

/// A local date and time in the service centre's time zone.
fn at(dt: DateTime, tz: &TimeZone, field: &str) -> Result<Timestamp, DomainError> {
    dt.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|_| DomainError::invalid(field, "a date and time"))
}

/// A public reply or an internal note.
#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    /// `public` (the default) or `internal`.
    #[serde(default, deserialize_with = "field::optional")]
    visibility: Option<Visibility>,
}

impl CaseAction for ReplyForm {
    const NAME: &'static str = "reply";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let draft = MessageDraft {
            body: self.body.trim().to_string(),
            visibility: self.visibility.unwrap_or(Visibility::Public),
            from_customer: false,
            call: false,
        };
        state.desk.add_message(&s.actor, id, draft).await?;
        Ok(case_page(id))
    }
}

/// Status, priority, category and assignee. The page posts every field; a field left out is
/// not changed, and neither is one that says what the case already has.
#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default, deserialize_with = "field::optional")]
    status: Option<Status>,
    #[serde(default, deserialize_with = "field::optional")]
    priority: Option<Priority>,
    #[serde(default, deserialize_with = "field::optional")]
    category: Option<Category>,
    /// A user id; empty unassigns.
    #[serde(default)]
    assignee: Option<String>,
}

impl CaseAction for ChangeForm {
    const NAME: &'static str = "update";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let case = state.desk.get_case(&s.actor, id).await?;
        let patch = CasePatch {
            status: changed(self.status, case.status),
            priority: changed(self.priority, case.priority),
            category: changed(self.category, case.category),
            assignee: self
                .assignee
                .map(|a| Some(a.trim().to_string()).filter(|a| !a.is_empty()))
                .filter(|a| a.as_deref() != case.assignee.as_ref().map(|u| u.as_str())),
            ..CasePatch::default()
        };
        state.desk.update_case(&s.actor, id, patch).await?;
        Ok(case_page(id))
    }
}

/// To a department, with an optional deadline for its answer.
#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    department: String,
    #[serde(default, deserialize_with = "field::optional_local_time")]
    deadline: Option<DateTime>,
}

impl CaseAction for TransferForm {
    const NAME: &'static str = "transfer";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let tz = state.desk.time_zone();
        let department_due_at = match self.deadline {
            Some(d) => Some(at(d, tz, "deadline")?),
            None => None,
        };
        let patch = CasePatch {
            department: Some(Some(self.department.trim().to_string())),
            department_due_at,
            ..CasePatch::default()
        };
        state.desk.update_case(&s.actor, id, patch).await?;
        Ok(case_page(id))
    }
}

/// The department answers back; the case leaves its inbox.
#[derive(Deserialize)]
pub struct HandBackForm {
    #[serde(default)]
    note: String,
}

impl CaseAction for HandBackForm {
    const NAME: &'static str = "handback";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        state.desk.hand_back(&s.actor, id, self.note.trim()).await?;
        // No longer the department's: back to their inbox.
        Ok("/department".to_string())
    }
}

/// The caller proved who they are (R-SEC-1): how, and a note.
#[derive(Deserialize)]
pub struct IdentityForm {
    method: kefu_model::case::IdentityMethod,
    #[serde(default)]
    note: String,
}

impl CaseAction for IdentityForm {
    const NAME: &'static str = "identity";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let request = kefu_model::corrections::IdentityRequest {
            method: self.method,
            note: self.note.trim().to_string(),
        };
        state.desk.confirm_identity(&s.actor, id, request).await?;
        Ok(case_page(id))
    }
}

/// Links a waybill to the case.
#[derive(Deserialize)]
pub struct WaybillForm {
    #[serde(default)]
    waybill_no: String,
}

impl CaseAction for WaybillForm {
    const NAME: &'static str = "waybill";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let patch = CasePatch {
            waybill_no: Some(self.waybill_no.trim().to_string()),
            ..CasePatch::default()
        };
        state.desk.update_case(&s.actor, id, patch).await?;
        Ok(case_page(id))
    }
}

/// Opens a claim on the case's parcel.
#[derive(Deserialize)]
pub struct ClaimForm {
    kind: ClaimKind,
    #[serde(deserialize_with = "field::yuan")]
    claimed_amount: Decimal,
    #[serde(default, deserialize_with = "field::optional_yuan")]
    freight: Option<Decimal>,
}

impl CaseAction for ClaimForm {
    const NAME: &'static str = "claim";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let draft = kefu_model::parcels::ClaimDraft {
            waybill_no: None,
            kind: self.kind,
            claimed_amount: self.claimed_amount,
            declared_value: None,
            insured: None,
            freight: self.freight,
            evidence: Vec::new(),
        };
        state.desk.open_claim(&s.actor, id, draft).await?;
        Ok(case_page(id))
    }
}

/// Proposes compensation on an opened claim.
#[derive(Deserialize)]
pub struct ClaimProposeForm {
    #[serde(default)]
    claim: String,
    #[serde(deserialize_with = "field::yuan")]
    loss_amount: Decimal,
}

impl CaseAction for ClaimProposeForm {
    const NAME: &'static str = "claim-propose";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let step = kefu_model::parcels::ClaimStep {
            loss_amount: Some(self.loss_amount),
            ..Default::default()
        };
        state
            .desk
            .claim_step(&s.actor, id, self.claim.trim(), "propose", step)
            .await?;
        Ok(case_page(id))
    }
}

/// Books a pickup for the case's customer (name and phone may stay empty: the one on file).
#[derive(Deserialize)]
pub struct PickupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    item: String,
    /// Kilograms.
    #[serde(deserialize_with = "field::kilograms")]
    weight_kg: Decimal,
    /// The window agreed with the customer, local (both or neither).
    #[serde(default, deserialize_with = "field::optional_local_time")]
    window_from: Option<DateTime>,
    #[serde(default, deserialize_with = "field::optional_local_time")]
    window_to: Option<DateTime>,
}

impl CaseAction for PickupForm {
    const NAME: &'static str = "pickup";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let draft = kefu_model::parcels::PickupDraft {
            sender: kefu_model::shipment::PartyDraft {
                name: self.name.trim().to_string(),
                phone: self.phone.trim().to_string(),
                address: self.origin.trim().to_string(),
            },
            recipient_address: self.destination.trim().to_string(),
            item: self.item.trim().to_string(),
            weight_kg: self.weight_kg,
            dimensions_cm: None,
            pieces: None,
            product: None,
            declared_value: None,
            insured: false,
            case_id: Some(id.to_string()),
            note: String::new(),
            window_from: self
                .window_from
                .map(|w| at(w, state.desk.time_zone(), "window_from"))
                .transpose()?,
            window_to: self
                .window_to
                .map(|w| at(w, state.desk.time_zone(), "window_to"))
                .transpose()?,
            channel: None,
        };
        state.desk.book_pickup(&s.actor, draft).await?;
        Ok(case_page(id))
    }
}

/// Applies a macro (its id is the button's value).
#[derive(Deserialize)]
pub struct MacroForm {
    #[serde(rename = "macro", default)]
    macro_id: String,
}

impl CaseAction for MacroForm {
    const NAME: &'static str = "macro";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        state
            .desk
            .apply_macro(&s.actor, id, self.macro_id.trim())
            .await?;
        Ok(case_page(id))
    }
}

/// One step up the escalation ladder, with the reason.
#[derive(Deserialize)]
pub struct EscalateForm {
    #[serde(default)]
    reason: String,
}

impl CaseAction for EscalateForm {
    const NAME: &'static str = "escalate";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        state
            .desk
            .escalate(&s.actor, id, self.reason.trim())
            .await?;
        Ok(case_page(id))
    }
}

/// A promise to the customer: what, and by when.
#[derive(Deserialize)]
pub struct PromiseForm {
    #[serde(deserialize_with = "field::local_time")]
    due: DateTime,
    #[serde(default)]
    note: String,
}

impl CaseAction for PromiseForm {
    const NAME: &'static str = "promise";

    async fn apply(self, state: &AppState, s: &UiSession, id: &str) -> Result<String, DomainError> {
        let draft = CommitmentDraft {
            due_at: at(self.due, state.desk.time_zone(), "due")?,
            note: self.note.trim().to_string(),
            remind_before_minutes: None,
        };
        state.desk.make_commitment(&s.actor, id, draft).await?;
        Ok(case_page(id))
    }
}
