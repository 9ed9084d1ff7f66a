//! The network's endpoints: organisations (admins write, staff read), work orders sent from a
//! case and worked by the organisation, and the outlet assessment.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::network::OrderAction;
use kefu_model::network::OrganisationDraft;
use kefu_model::work_order::{DayVolume, OrderFigure, OrderKind, OrderQuery, WorkOrderDraft};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{List, OrgFiguresView, OrganisationView, WorkOrderView};

pub async fn list_organisations(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<OrganisationView>>> {
    let orgs = state.desk.list_organisations(&actor).await?;
    Ok(Json(List::of(&orgs, OrganisationView::from)))
}

pub async fn get_organisation(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<OrganisationView>> {
    let org = state.desk.get_organisation(&actor, &key).await?;
    Ok(Json(OrganisationView::from(&org)))
}

pub async fn create_organisation(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<OrganisationDraft>,
) -> ApiResult<Response> {
    let org = state.desk.save_organisation(&actor, None, draft).await?;
    Ok((StatusCode::CREATED, Json(OrganisationView::from(&org))).into_response())
}

pub async fn change_organisation(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(draft): ApiJson<OrganisationDraft>,
) -> ApiResult<Json<OrganisationView>> {
    let org = state
        .desk
        .save_organisation(&actor, Some(&key), draft)
        .await?;
    Ok(Json(OrganisationView::from(&org)))
}

pub async fn send_work_order(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(draft): ApiJson<WorkOrderDraft>,
) -> ApiResult<Response> {
    let (case, order) = state.desk.send_work_order(&actor, &case_id, draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(WorkOrderView::of(&case.id, &order)),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderListParams {
    /// An organisation's key.
    organisation: Option<String>,
    /// Only orders still waiting (sent or replied), soonest deadline first.
    open: Option<bool>,
    kind: Option<OrderKind>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    /// Sent on these days `[from_day, to_day)` (the assessment's drill-down).
    from_day: Option<Date>,
    to_day: Option<Date>,
    /// Only the orders behind a figure of the assessment.
    figure: Option<OrderFigure>,
    limit: Option<u32>,
}

pub async fn list_work_orders(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<OrderListParams>,
) -> ApiResult<Json<List<WorkOrderView>>> {
    if p.limit.is_some_and(|l| !(1..=1000).contains(&l)) {
        return Err(ApiError::invalid("limit", "1 to 1000"));
    }
    let query = OrderQuery {
        organisations: None,
        open_only: p.open.unwrap_or(false),
        kind: p.kind,
        sent_from: p.from,
        sent_to: p.to,
        sent_on_from: p.from_day,
        sent_on_to: p.to_day,
        figure: p.figure,
        limit: p.limit.unwrap_or(200),
    };
    let orders = state
        .desk
        .work_order_queue(&actor, p.organisation.as_deref(), query)
        .await?;
    Ok(Json(List::of(&orders, |o| {
        WorkOrderView::of(&o.case_id, &o.order)
    })))
}

pub async fn get_work_order(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<WorkOrderView>> {
    let listed = state.desk.get_work_order(&actor, &id).await?;
    Ok(Json(WorkOrderView::of(&listed.case_id, &listed.order)))
}

/// What an answer or a decision says.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderActionBody {
    text: String,
}

pub async fn act_on_work_order(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, action)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<OrderActionBody>,
) -> ApiResult<Json<WorkOrderView>> {
    let Some(action) = OrderAction::parse(&action) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such action: reply, complete, refuse or withdraw",
        ));
    };
    let (case, order) = state
        .desk
        .act_on_work_order(&actor, &id, action, &body.text)
        .await?;
    Ok(Json(WorkOrderView::of(&case.id, &order)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RerouteBody {
    /// The key of the organisation that should have it.
    organisation: String,
    reason: String,
}

pub async fn reroute_work_order(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RerouteBody>,
) -> ApiResult<Json<WorkOrderView>> {
    let (case, order) = state
        .desk
        .reroute_work_order(&actor, &id, &body.organisation, &body.reason)
        .await?;
    Ok(Json(WorkOrderView::of(&case.id, &order)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    from: Date,
    to: Date,
}

/// `GET /network/assessment?from=&to=`: per organisation, the orders sent on the days
/// `[from, to)` and the parcels it handled.
pub async fn assessment(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> ApiResult<Json<List<OrgFiguresView>>> {
    let figures = state.desk.order_assessment(&actor, p.from, p.to).await?;
    let network = state.desk.network().await?;
    Ok(Json(List::of(&figures, |f| {
        OrgFiguresView::of(f, network.by_id(&f.organisation))
    })))
}

/// `PUT /network/organisations/{id}/volumes`: the parcels an organisation handled per day.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumesBody {
    days: Vec<DayVolume>,
}

pub async fn record_volumes(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<VolumesBody>,
) -> ApiResult<StatusCode> {
    state
        .desk
        .record_parcel_volumes(&actor, &id, &body.days)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
