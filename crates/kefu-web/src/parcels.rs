//! The parcel endpoints: shipments and scans, tracking queries, settings, pickups, claims.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_model::parcels::CourierStepBody;
use kefu_model::parcels::{ClaimDraft, ClaimStep, TrackingQuery};
use kefu_model::pickup::{CourierStep, PickupQuery};
use kefu_model::shipment::{ScanDraft, ShipmentDraft};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::api::case_view;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{
    AuditEntryView, ClaimResult, ClaimView, ConfigChangeView, CustomerFullView, List,
    MaskedShipmentView, ParsedAddressView, PickupForRole, PickupFullView, PickupMaskedView,
    QuoteView, ScanResult, SettingView, ShipmentChangeView, ShipmentView, TrackingAnswerView,
};

pub async fn upsert_shipment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<ShipmentDraft>,
) -> ApiResult<Response> {
    let write = state.desk.upsert_shipment(&actor, &draft).await?;
    let status = if write.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ShipmentView::from(&write.shipment))).into_response())
}

pub async fn get_shipment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(waybill): ApiPath<String>,
) -> ApiResult<Json<MaskedShipmentView>> {
    let shipment = state.desk.view_shipment(&actor, &waybill).await?;
    Ok(Json(MaskedShipmentView::from(&shipment)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    limit: Option<u32>,
}

/// What upserts changed in a shipment's details, newest first, personal values masked.
pub async fn shipment_history(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(waybill): ApiPath<String>,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> ApiResult<Json<List<ShipmentChangeView>>> {
    let items = state
        .desk
        .shipment_history(&actor, &waybill, p.limit)
        .await?;
    Ok(Json(List::of(items, ShipmentChangeView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigHistoryParams {
    kind: Option<String>,
    key: Option<String>,
    limit: Option<u32>,
}

/// Changes of settings, SLA policies and calendars, newest first.
pub async fn config_history(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ConfigHistoryParams>,
) -> ApiResult<Json<List<ConfigChangeView>>> {
    let items = state
        .desk
        .config_history(&actor, p.kind.as_deref(), p.key.as_deref(), p.limit)
        .await?;
    Ok(Json(List::of(items, ConfigChangeView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanBatch {
    events: Vec<ScanDraft>,
}

pub async fn add_scans(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(waybill): ApiPath<String>,
    ApiJson(batch): ApiJson<ScanBatch>,
) -> ApiResult<Json<ScanResult>> {
    let write = state
        .desk
        .add_scans(&actor, &waybill, &batch.events)
        .await?;
    Ok(Json(ScanResult {
        added: write.added,
        duplicates: write.duplicates,
        shipment: ShipmentView::from(&write.shipment),
    }))
}

pub async fn tracking_query(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(query): ApiJson<TrackingQuery>,
) -> ApiResult<Response> {
    let opens_case = query.open_case.is_some();
    let answer = state.desk.tracking_query(&actor, query).await?;
    let case = match &answer.case {
        Some(case) => Some(case_view(&state, case).await?),
        None => None,
    };
    let answer = TrackingAnswerView::of(&answer, case);
    let status = if opens_case {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)).into_response())
}

pub async fn get_setting(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<SettingView>> {
    Ok(Json(SettingView(
        state.desk.get_setting(&actor, &key).await?,
    )))
}

pub async fn put_setting(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(value): ApiJson<Value>,
) -> ApiResult<Json<SettingView>> {
    Ok(Json(SettingView(
        state.desk.put_setting(&actor, &key, value).await?,
    )))
}

pub async fn list_pickups(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(query): ApiQuery<PickupQuery>,
) -> ApiResult<Json<List<PickupForRole>>> {
    let pickups = state.desk.list_pickups(&actor, &query).await?;
    Ok(Json(List::of(&pickups, |p| {
        PickupForRole::of(actor.role, p)
    })))
}

pub async fn get_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PickupForRole>> {
    let pickup = state.desk.get_pickup(&actor, &id).await?;
    Ok(Json(PickupForRole::of(actor.role, &pickup)))
}

async fn courier_step(
    state: AppState,
    actor: kefu_model::user::Actor,
    id: String,
    step: CourierStep,
    body: CourierStepBody,
) -> ApiResult<Json<PickupForRole>> {
    let pickup = state.desk.courier_step(&actor, &id, step, body).await?;
    Ok(Json(PickupForRole::of(actor.role, &pickup)))
}

/// The courier accepts a pickup dispatched to them.
pub async fn accept_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CourierStepBody>,
) -> ApiResult<Json<PickupForRole>> {
    courier_step(state, actor, id, CourierStep::Accept, body).await
}

/// The courier is at the sender's door.
pub async fn arrive_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CourierStepBody>,
) -> ApiResult<Json<PickupForRole>> {
    courier_step(state, actor, id, CourierStep::Arrive, body).await
}

/// The courier collected the parcel (with the waybill written, if any).
pub async fn collect_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CourierStepBody>,
) -> ApiResult<Json<PickupForRole>> {
    courier_step(state, actor, id, CourierStep::Collect, body).await
}

/// The collection failed; `note` says why.
pub async fn fail_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CourierStepBody>,
) -> ApiResult<Json<PickupForRole>> {
    courier_step(state, actor, id, CourierStep::Fail, body).await
}

pub async fn quote(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(request): ApiJson<kefu_model::parcels::QuoteInput>,
) -> ApiResult<Json<QuoteView>> {
    let quote = state.desk.quote(&actor, &request).await?;
    Ok(Json(QuoteView(quote)))
}

pub async fn book_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(request): ApiJson<kefu_model::parcels::PickupDraft>,
) -> ApiResult<Response> {
    let pickup = state.desk.book_pickup(&actor, request).await?;
    Ok((StatusCode::CREATED, Json(PickupMaskedView::from(&pickup))).into_response())
}

pub async fn pickup_status(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<kefu_model::parcels::PickupStatusChange>,
) -> ApiResult<Json<PickupMaskedView>> {
    Ok(Json(PickupMaskedView::from(
        &state.desk.change_pickup(&actor, &id, change).await?,
    )))
}

pub async fn open_claim(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(draft): ApiJson<ClaimDraft>,
) -> ApiResult<Response> {
    let (case, claim_id) = state.desk.open_claim(&actor, &case_id, draft).await?;
    let claim = case
        .claims
        .iter()
        .find(|c| c.id == claim_id)
        .map(ClaimView::from);
    let case = case_view(&state, &case).await?;
    Ok((StatusCode::CREATED, Json(ClaimResult { claim, case })).into_response())
}

pub async fn claim_step(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((case_id, claim_id, step)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<ClaimStep>,
) -> ApiResult<Json<ClaimResult>> {
    let case = state
        .desk
        .claim_step(&actor, &case_id, &claim_id, &step, body)
        .await?;
    let claim = case
        .claims
        .iter()
        .find(|c| c.id == claim_id)
        .map(ClaimView::from)
        .ok_or_else(|| {
            ApiError::from(kefu_model::DomainError::NotFound(format!(
                "claim {claim_id}"
            )))
        })?;
    let case = case_view(&state, &case).await?;
    Ok(Json(ClaimResult {
        claim: Some(claim),
        case,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressText {
    address: String,
}

/// Reads province, city and district out of a free-text address.
pub async fn parse_address(
    Auth(_): Auth,
    ApiJson(body): ApiJson<AddressText>,
) -> ApiResult<Json<ParsedAddressView>> {
    if body.address.chars().count() > 300 {
        return Err(ApiError::invalid("address", "at most 300 characters"));
    }
    Ok(Json(ParsedAddressView(kefu_regions::parse_address(
        &body.address,
    ))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    #[serde(default)]
    reason: String,
}

/// A customer's full contact details; the reveal is recorded in the audit log.
pub async fn reveal_customer(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RevealRequest>,
) -> ApiResult<Json<CustomerFullView>> {
    let customer = state
        .desk
        .reveal_customer(&actor, &id, &body.reason)
        .await?;
    Ok(Json(CustomerFullView::from(&customer)))
}

/// A shipment with its sender and recipient in full; the reveal is recorded in the audit log.
pub async fn reveal_shipment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(waybill): ApiPath<String>,
    ApiJson(body): ApiJson<RevealRequest>,
) -> ApiResult<Json<ShipmentView>> {
    let shipment = state
        .desk
        .reveal_shipment(&actor, &waybill, &body.reason)
        .await?;
    Ok(Json(ShipmentView::from(&shipment)))
}

/// A pickup with its sender's phone and addresses in full; the reveal is recorded.
pub async fn reveal_pickup(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RevealRequest>,
) -> ApiResult<Json<PickupFullView>> {
    let pickup = state.desk.reveal_pickup(&actor, &id, &body.reason).await?;
    Ok(Json(PickupFullView::from(&pickup)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    subject: Option<String>,
    limit: Option<u32>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> ApiResult<Json<List<AuditEntryView>>> {
    let items = state
        .desk
        .audit_log(&actor, p.subject.as_deref(), p.limit)
        .await?;
    Ok(Json(List::of(items, AuditEntryView::from)))
}
