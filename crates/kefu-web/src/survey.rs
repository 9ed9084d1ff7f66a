//! Satisfaction surveys' endpoints: the customer's survey by its link's token (public, like
//! the help centre: the token is the proof), the figures and the cases behind each, and the
//! follow-up queue with its outcome.

use axum::Json;
use axum::extract::State;
use jiff::civil::Date;
use kefu_model::survey::{AnswerDraft, FollowUpOutcome, SurveyDimension, SurveyFigure, SurveyWay};
use serde::Deserialize;

use crate::AppState;
use crate::api::case_view;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::ui::i18n::Lang;
use crate::ui::survey::satisfaction;
use crate::views::{
    CaseView, List, SatisfactionView, SurveyAnswerView, SurveyCaseView, SurveyFormView,
};

/// `GET /surveys/{token}`: what the link shows (404 for an unknown or expired link).
pub async fn get_survey(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    parts: axum::http::request::Parts,
) -> ApiResult<Json<SurveyFormView>> {
    crate::chat::rate_limited(&state, &parts)?;
    let form = state.desk.survey_form(&token).await?;
    if form.expired {
        return Err(ApiError::from(kefu_model::DomainError::NotFound(
            "survey (the link has expired)".into(),
        )));
    }
    Ok(Json(SurveyFormView::from(&form)))
}

/// `POST /surveys/{token}`: the customer's answer, once.
pub async fn answer_survey(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    parts: axum::http::request::Parts,
    ApiJson(draft): ApiJson<AnswerDraft>,
) -> ApiResult<Json<SurveyAnswerView>> {
    crate::chat::rate_limited(&state, &parts)?;
    let case = state
        .desk
        .answer_survey(&token, draft, SurveyWay::Api)
        .await?;
    let answer = case
        .survey
        .as_ref()
        .and_then(|s| s.answer.as_ref())
        .ok_or_else(|| ApiError::from(kefu_model::DomainError::NotFound("survey".into())))?;
    Ok(Json(SurveyAnswerView::from(answer)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresParams {
    from: Date,
    to: Date,
    by: Option<SurveyDimension>,
}

/// `GET /satisfaction?from=&to=&by=`: satisfaction, response rate and poor answers of the
/// surveys opened on the days `[from, to)`, by a dimension, against the target.
pub async fn figures(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<FiguresParams>,
) -> ApiResult<Json<SatisfactionView>> {
    let by = p.by.unwrap_or(SurveyDimension::Agent);
    Ok(Json(
        satisfaction(&state, &actor, Lang::Zh, p.from, p.to, by).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesParams {
    from: Date,
    to: Date,
    by: Option<SurveyDimension>,
    key: Option<String>,
    figure: Option<SurveyFigure>,
    limit: Option<u32>,
}

/// `GET /satisfaction/cases`: the cases behind a figure — exactly those it counts.
pub async fn cases(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<CasesParams>,
) -> ApiResult<Json<List<SurveyCaseView>>> {
    let dimension = match (p.by, p.key) {
        (Some(by), Some(key)) => Some((by, key)),
        (None, None) => None,
        (None, Some(_)) => return Err(ApiError::invalid("by", "needed with key")),
        (Some(_), None) => return Err(ApiError::invalid("key", "needed with by")),
    };
    if p.limit.is_some_and(|l| !(1..=10_000).contains(&l)) {
        return Err(ApiError::invalid("limit", "1 to 10000"));
    }
    let rows = state
        .desk
        .survey_cases(
            &actor,
            p.from,
            p.to,
            dimension,
            p.figure.unwrap_or(SurveyFigure::Surveyed),
            p.limit,
        )
        .await?;
    Ok(Json(List::of(&rows, SurveyCaseView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpParams {
    closed: Option<bool>,
    limit: Option<u32>,
}

/// `GET /follow-ups`: the 回访 queue, overdue first.
pub async fn follow_ups(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<FollowUpParams>,
) -> ApiResult<Json<List<SurveyCaseView>>> {
    if p.limit.is_some_and(|l| !(1..=1000).contains(&l)) {
        return Err(ApiError::invalid("limit", "1 to 1000"));
    }
    let rows = state
        .desk
        .follow_ups(&actor, p.closed.unwrap_or(false), p.limit)
        .await?;
    Ok(Json(List::of(&rows, SurveyCaseView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseFollowUp {
    outcome: FollowUpOutcome,
    #[serde(default)]
    note: String,
}

/// `POST /cases/{id}/follow-up`: what came of the follow-up; closes it.
pub async fn close_follow_up(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CloseFollowUp>,
) -> ApiResult<Json<CaseView>> {
    let case = state
        .desk
        .close_follow_up(&actor, &id, body.outcome, &body.note)
        .await?;
    Ok(Json(case_view(&state, &case).await?))
}
