//! `/api/v1/canned…`: canned replies and macros. Parse, call the desk, shape the answer; the
//! rules (who sees what, which variables exist, all-or-nothing macros) are the desk's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_model::canned::{CannedDraft, TemplateScope};
use kefu_model::replies::CannedFilter;
use serde::Deserialize;

use crate::AppState;
use crate::api::case_view;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{CannedView, List, MacroResult, RenderedView};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedListParams {
    q: Option<String>,
    scope: Option<TemplateScope>,
    /// `reply` or `macro`; both when absent.
    kind: Option<Kind>,
    limit: Option<u32>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Reply,
    Macro,
}

/// `GET /canned?q=&scope=&kind=`.
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<CannedListParams>,
) -> ApiResult<Json<List<CannedView>>> {
    let filter = CannedFilter {
        q: p.q,
        scope: p.scope,
        macros: p.kind.map(|k| matches!(k, Kind::Macro)),
        limit: p.limit,
    };
    let items = state.desk.list_canned(&actor, &filter).await?;
    Ok(Json(List::of(&items, CannedView::from)))
}

pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<CannedDraft>,
) -> ApiResult<(StatusCode, Json<CannedView>)> {
    let reply = state.desk.create_canned(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(CannedView::from(&reply))))
}

pub async fn get(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CannedView>> {
    Ok(Json(CannedView::from(
        &state.desk.get_canned(&actor, &id).await?,
    )))
}

pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<CannedDraft>,
) -> ApiResult<Json<CannedView>> {
    Ok(Json(CannedView::from(
        &state.desk.update_canned(&actor, &id, draft).await?,
    )))
}

/// Archives: the template is no longer offered (a shipped one is not installed again).
pub async fn archive(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state.desk.archive_canned(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /cases/{id}/canned/{template}/render`: the filled text, to preview or to edit before
/// sending.
pub async fn render(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, template)): ApiPath<(String, String)>,
) -> ApiResult<Json<RenderedView>> {
    Ok(Json(RenderedView::from(
        state.desk.render_canned(&actor, &id, &template).await?,
    )))
}

/// `POST /cases/{id}/macros/{macro}`: reply and field changes in one write; the case after it.
pub async fn apply_macro(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, macro_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<MacroResult>> {
    let (case, events) = state.desk.apply_macro(&actor, &id, &macro_id).await?;
    Ok(Json(MacroResult {
        case: case_view(&state, &case).await?,
        events: events.iter().map(|e| e.data.type_name()).collect(),
    }))
}
