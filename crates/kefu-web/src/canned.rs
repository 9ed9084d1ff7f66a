//! `/api/v1/canned…`: canned replies and macros. Parse, call the desk, shape the answer; the
//! rules (who sees what, which variables exist, all-or-nothing macros) are the desk's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_model::canned::{CannedDraft, CannedReply, TemplateScope};
use kefu_model::replies::{CannedFilter, RenderedReply};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::case_view;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};

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
) -> ApiResult<Json<Value>> {
    let filter = CannedFilter {
        q: p.q,
        scope: p.scope,
        macros: p.kind.map(|k| matches!(k, Kind::Macro)),
        limit: p.limit,
    };
    let items = state.desk.list_canned(&actor, &filter).await?;
    Ok(Json(json!({ "items": items })))
}

pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<CannedDraft>,
) -> ApiResult<(StatusCode, Json<CannedReply>)> {
    let reply = state.desk.create_canned(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(reply)))
}

pub async fn get(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CannedReply>> {
    Ok(Json(state.desk.get_canned(&actor, &id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<CannedDraft>,
) -> ApiResult<Json<CannedReply>> {
    Ok(Json(state.desk.update_canned(&actor, &id, draft).await?))
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
) -> ApiResult<Json<RenderedReply>> {
    Ok(Json(
        state.desk.render_canned(&actor, &id, &template).await?,
    ))
}

/// `POST /cases/{id}/macros/{macro}`: reply and field changes in one write; the case after it.
pub async fn apply_macro(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, macro_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (case, events) = state.desk.apply_macro(&actor, &id, &macro_id).await?;
    let types: Vec<&str> = events.iter().map(|e| e.data.type_name()).collect();
    Ok(Json(
        json!({ "case": case_view(&state, &case).await?, "events": types }),
    ))
}
