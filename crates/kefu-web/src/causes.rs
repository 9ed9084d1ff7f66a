//! Root causes and improvement (R-CASE-10, R-MG-5, R-MG-6): recording a case's cause, the
//! Pareto of causes and codes with the cases behind each bar and its CSV, the complaint closed
//! loop with the cases missing at each step and its CSV, and the improvement backlog.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::causes::{ClosedLoop, ParetoReport};
use kefu_model::DomainError;
use kefu_model::causes::{
    CauseDraft, CauseQuery, CauseRow, CauseSettings, LoopBy, LoopCount, LoopRow, LoopStep,
    ParetoBy, RootCause,
};
use kefu_model::improvement::{Improvement, ImprovementDraft, ImprovementEntry, ImprovementPatch};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::case_view;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{
    CaseView, CategoryCode, DateTime, Day, List, PriorityCode, StatusCode as StatusCodeSchema,
};

// ---- views ------------------------------------------------------------------------------------

/// A cause with its label.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "CauseTag")]
pub struct CauseTagView {
    /// `group/cause`, or `group` for a group without causes.
    tag: String,
    label: String,
}

/// A case's recorded resolution code and root causes.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "RootCause")]
pub struct RootCauseView {
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_label: Option<String>,
    causes: Vec<CauseTagView>,
    /// The responsible organisation's id and name.
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    organisation_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    lesson: String,
    /// The local day it was recorded (the day the Pareto counts it on).
    #[schemars(with = "Day")]
    day: Date,
    /// The first parcel's recipient's and sender's province codes when recorded.
    region: String,
    origin: String,
    #[schemars(with = "DateTime")]
    recorded_at: Timestamp,
    recorded_by: String,
    /// Times it was amended after the first record.
    amendments: u32,
}

impl RootCauseView {
    /// The record with the setting's labels (the codes themselves without a setting).
    pub fn of(r: &RootCause, settings: Option<&CauseSettings>, english: bool) -> Self {
        RootCauseView {
            resolution_code: r.code.clone(),
            resolution_label: r.code.as_deref().map(|c| match settings {
                Some(s) => s.code_label(c, english),
                None => c.to_string(),
            }),
            causes: r
                .causes
                .iter()
                .map(|t| CauseTagView {
                    tag: t.clone(),
                    label: match settings {
                        Some(s) => s.cause_label(t, english),
                        None => t.clone(),
                    },
                })
                .collect(),
            organisation: r.organisation.as_ref().map(|o| o.to_string()),
            organisation_name: r.organisation_name.clone(),
            lesson: r.lesson.clone(),
            day: r.day,
            region: r.region.clone(),
            origin: r.origin.clone(),
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by.clone(),
            amendments: r.amendments,
        }
    }
}

/// One bar of a Pareto.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ParetoBar")]
pub struct ParetoBarView {
    key: String,
    label: String,
    count: i64,
    share_percent: f64,
    cumulative_percent: f64,
    /// Up to the bar whose cumulative share reaches 80 %: the vital few.
    vital: bool,
}

/// The Pareto of a period's recorded causes (or resolution codes).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Pareto")]
pub struct ParetoView {
    #[schemars(with = "Day")]
    from: Date,
    #[schemars(with = "Day")]
    to: Date,
    /// `cause` or `code`.
    by: String,
    /// Cases counted (with at least one cause, or with a code).
    cases: i64,
    /// The bars' counts summed (a case counts under each of its causes).
    total: i64,
    bars: Vec<ParetoBarView>,
}

impl ParetoView {
    pub fn of(report: &ParetoReport, settings: &CauseSettings, english: bool) -> Self {
        ParetoView {
            from: report.query.from,
            to: report.query.to,
            by: report.by.as_str().into(),
            cases: report.cases,
            total: report.bars.iter().map(|b| b.count).sum(),
            bars: report
                .bars
                .iter()
                .map(|b| ParetoBarView {
                    key: b.key.clone(),
                    label: key_label(settings, report.by, &b.key, english),
                    count: b.count,
                    share_percent: b.share_percent,
                    cumulative_percent: b.cumulative_percent,
                    vital: b.vital,
                })
                .collect(),
        }
    }
}

/// A bar's key in words.
pub fn key_label(settings: &CauseSettings, by: ParetoBy, key: &str, english: bool) -> String {
    match by {
        ParetoBy::Cause => settings.cause_label(key, english),
        ParetoBy::Code => settings.code_label(key, english),
    }
}

/// A case behind a bar.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "CauseCase")]
pub struct CauseCaseView {
    case_id: String,
    case_number: String,
    #[schemars(with = "Day")]
    day: Date,
    #[schemars(with = "CategoryCode")]
    category: kefu_model::Category,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_code: Option<String>,
    causes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation: Option<String>,
    region: String,
    origin: String,
    #[schemars(with = "DateTime")]
    recorded_at: Timestamp,
}

impl From<&CauseRow> for CauseCaseView {
    fn from(r: &CauseRow) -> Self {
        CauseCaseView {
            case_id: r.case_id.to_string(),
            case_number: r.case_number.clone(),
            day: r.day,
            category: r.category,
            resolution_code: r.code.clone(),
            causes: r.causes.clone(),
            organisation: r.organisation.as_ref().map(|o| o.to_string()),
            region: r.region.clone(),
            origin: r.origin.clone(),
            recorded_at: r.recorded_at,
        }
    }
}

/// One step of the closed loop.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "LoopCount")]
pub struct LoopCountView {
    /// received, accepted, classified, graded, resolved_in_time, cause_recorded, linked,
    /// improved.
    step: String,
    passed: i64,
    missing: i64,
}

impl From<&LoopCount> for LoopCountView {
    fn from(c: &LoopCount) -> Self {
        LoopCountView {
            step: c.step.as_str().into(),
            passed: c.passed,
            missing: c.missing,
        }
    }
}

/// The closed loop of one region or organisation.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "LoopGroup")]
pub struct LoopGroupView {
    /// A province code or an organisation id; empty when unknown.
    key: String,
    steps: Vec<LoopCountView>,
}

/// The complaint closed loop of a period (R-MG-5).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ClosedLoop")]
pub struct ClosedLoopView {
    #[schemars(with = "Day")]
    from: Date,
    #[schemars(with = "Day")]
    to: Date,
    /// `region` or `organisation`.
    by: String,
    steps: Vec<LoopCountView>,
    groups: Vec<LoopGroupView>,
}

impl From<&ClosedLoop> for ClosedLoopView {
    fn from(l: &ClosedLoop) -> Self {
        ClosedLoopView {
            from: l.from,
            to: l.to,
            by: l.by.as_str().into(),
            steps: l.steps.iter().map(Into::into).collect(),
            groups: l
                .groups
                .iter()
                .map(|(key, steps)| LoopGroupView {
                    key: key.clone(),
                    steps: steps.iter().map(Into::into).collect(),
                })
                .collect(),
        }
    }
}

/// A complaint of the closed loop.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "LoopCase")]
pub struct LoopCaseView {
    case_id: String,
    case_number: String,
    #[schemars(with = "Day")]
    received_on: Date,
    #[schemars(with = "StatusCodeSchema")]
    status: kefu_model::Status,
    #[schemars(with = "PriorityCode")]
    priority: kefu_model::Priority,
    region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation: Option<String>,
    resolved: bool,
    breached: bool,
    cause_recorded: bool,
    linked: bool,
    improved: bool,
}

impl From<&LoopRow> for LoopCaseView {
    fn from(r: &LoopRow) -> Self {
        LoopCaseView {
            case_id: r.case_id.to_string(),
            case_number: r.case_number.clone(),
            received_on: r.received_on,
            status: r.status,
            priority: r.priority,
            region: r.region.clone(),
            organisation: r.organisation.as_ref().map(|o| o.to_string()),
            resolved: r.resolved,
            breached: r.breached,
            cause_recorded: r.cause_recorded,
            linked: r.linked,
            improved: r.improved,
        }
    }
}

/// A case an item names.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "LinkedCase")]
pub struct LinkedCaseView {
    case_id: String,
    number: String,
}

/// An item of the improvement backlog.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Improvement")]
pub struct ImprovementView {
    id: String,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_department: Option<String>,
    /// proposed, accepted, in_progress, done, rejected.
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Day>")]
    due_on: Option<Date>,
    causes: Vec<String>,
    cases: Vec<LinkedCaseView>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    created_by: String,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    version: i64,
}

impl From<&Improvement> for ImprovementView {
    fn from(i: &Improvement) -> Self {
        ImprovementView {
            id: i.id.clone(),
            title: i.title.clone(),
            description: i.description.clone(),
            owner_user: i.owner_user.as_ref().map(|u| u.to_string()),
            owner_department: i.owner_department.as_ref().map(|d| d.to_string()),
            status: i.status.as_str().into(),
            due_on: i.due_on,
            causes: i.causes.clone(),
            cases: i
                .cases
                .iter()
                .map(|c| LinkedCaseView {
                    case_id: c.case_id.to_string(),
                    number: c.number.clone(),
                })
                .collect(),
            created_at: i.created_at,
            created_by: i.created_by.clone(),
            updated_at: i.updated_at,
            version: i.version,
        }
    }
}

/// One change of an item.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ImprovementEntry")]
pub struct ImprovementEntryView {
    seq: i64,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    by: String,
    /// created, edited, status, linked, unlinked.
    what: String,
    detail: String,
}

impl From<&ImprovementEntry> for ImprovementEntryView {
    fn from(e: &ImprovementEntry) -> Self {
        ImprovementEntryView {
            seq: e.seq,
            at: e.at,
            by: e.by.clone(),
            what: e.what.clone(),
            detail: e.detail.clone(),
        }
    }
}

// ---- parameters ---------------------------------------------------------------------------

/// A Pareto's period and filters, as the API and the console take them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoParams {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub by: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
    pub organisation: Option<String>,
    pub route: Option<String>,
    /// The bar of a drill-down.
    pub key: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl ParetoParams {
    /// The query and what is counted; `from`/`to` are needed.
    pub fn query(&self) -> Result<(CauseQuery, ParetoBy), DomainError> {
        let from = self
            .from
            .ok_or_else(|| DomainError::invalid("from", "a day is needed"))?;
        let to = self
            .to
            .ok_or_else(|| DomainError::invalid("to", "a day is needed"))?;
        let by = match non_empty(&self.by) {
            None => ParetoBy::Cause,
            Some(b) => ParetoBy::parse(&b)
                .ok_or_else(|| DomainError::invalid("by", "one of cause, code"))?,
        };
        let category = match non_empty(&self.category) {
            None => None,
            Some(c) => Some(
                kefu_model::Category::parse(&c)
                    .ok_or_else(|| DomainError::invalid("category", "not a category"))?,
            ),
        };
        let code =
            |field: &str, v: Option<String>, max: usize| -> Result<Option<String>, DomainError> {
                match v {
                    Some(v) if v.chars().count() > max => Err(DomainError::invalid(
                        field,
                        format!("at most {max} characters"),
                    )),
                    v => Ok(v),
                }
            };
        Ok((
            CauseQuery {
                from,
                to,
                category,
                region: code("region", non_empty(&self.region), 12)?,
                organisation: code("organisation", non_empty(&self.organisation), 64)?
                    .map(kefu_model::DepartmentId::from_stored),
                route: code("route", non_empty(&self.route), 25)?,
            },
            by,
        ))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopParams {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub by: Option<String>,
    pub step: Option<String>,
    pub key: Option<String>,
}

impl LoopParams {
    pub fn period(&self) -> Result<(Date, Date, LoopBy), DomainError> {
        let from = self
            .from
            .ok_or_else(|| DomainError::invalid("from", "a day is needed"))?;
        let to = self
            .to
            .ok_or_else(|| DomainError::invalid("to", "a day is needed"))?;
        let by = match non_empty(&self.by) {
            None => LoopBy::Region,
            Some(b) => LoopBy::parse(&b)
                .ok_or_else(|| DomainError::invalid("by", "one of region, organisation"))?,
        };
        Ok((from, to, by))
    }

    pub fn step(&self) -> Result<LoopStep, DomainError> {
        match non_empty(&self.step) {
            None => Err(DomainError::invalid("step", "a step is needed")),
            Some(s) => LoopStep::parse(&s).ok_or_else(|| {
                DomainError::invalid(
                    "step",
                    "one of received, accepted, classified, graded, resolved_in_time, cause_recorded, linked, improved",
                )
            }),
        }
    }
}

// ---- handlers -----------------------------------------------------------------------------

/// `POST /cases/{id}/root-cause`: records or amends the case's cause.
pub async fn record(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(draft): ApiJson<CauseDraft>,
) -> ApiResult<Json<CaseView>> {
    let case = state.desk.record_root_cause(&actor, &id, &draft).await?;
    Ok(Json(case_view(&state, &case).await?))
}

/// `GET /root-causes/pareto`.
pub async fn pareto(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ParetoParams>,
) -> ApiResult<Json<ParetoView>> {
    let (query, by) = p.query()?;
    let report = state.desk.cause_pareto(&actor, &query, by).await?;
    let settings = state.desk.cause_settings().await?;
    Ok(Json(ParetoView::of(&report, &settings, false)))
}

/// `GET /root-causes/pareto/export`: the Pareto as CSV.
pub async fn pareto_export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ParetoParams>,
) -> ApiResult<Response> {
    let (query, by) = p.query()?;
    let report = state.desk.cause_pareto(&actor, &query, by).await?;
    let settings = state.desk.cause_settings().await?;
    let mut lines: Vec<Vec<String>> = vec![
        [
            "key",
            "label",
            "count",
            "share_percent",
            "cumulative_percent",
            "vital",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for b in &report.bars {
        lines.push(vec![
            b.key.clone(),
            key_label(&settings, by, &b.key, false),
            b.count.to_string(),
            format!("{:.1}", b.share_percent),
            format!("{:.1}", b.cumulative_percent),
            b.vital.to_string(),
        ]);
    }
    let name = format!(
        "root-causes-{}-{}-{}.csv",
        by.as_str(),
        query.from,
        query.to
    );
    Ok(crate::csv::download(crate::csv::document(lines), &name))
}

/// `GET /root-causes/cases`: the cases behind a bar.
pub async fn pareto_cases(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ParetoParams>,
) -> ApiResult<Json<List<CauseCaseView>>> {
    let (query, by) = p.query()?;
    let key = non_empty(&p.key).ok_or_else(|| ApiError::invalid("key", "a bar's key is needed"))?;
    let rows = state.desk.cause_cases(&actor, &query, by, &key).await?;
    Ok(Json(List::of(&rows, CauseCaseView::from)))
}

/// `GET /closed-loop`.
pub async fn closed_loop(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<LoopParams>,
) -> ApiResult<Json<ClosedLoopView>> {
    let (from, to, by) = p.period()?;
    let report = state.desk.closed_loop(&actor, from, to, by).await?;
    Ok(Json(ClosedLoopView::from(&report)))
}

/// `GET /closed-loop/cases`: the complaints missing a step (of one key when given).
pub async fn closed_loop_cases(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<LoopParams>,
) -> ApiResult<Json<List<LoopCaseView>>> {
    let (from, to, by) = p.period()?;
    let step = p.step()?;
    let key = p.key.clone().map(|k| (by, k.trim().to_string()));
    let rows = state
        .desk
        .closed_loop_missing(&actor, from, to, step, key)
        .await?;
    Ok(Json(List::of(&rows, LoopCaseView::from)))
}

/// `GET /closed-loop/export`: the funnel (the whole period, then each key) as CSV.
pub async fn closed_loop_export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<LoopParams>,
) -> ApiResult<Response> {
    let (from, to, by) = p.period()?;
    let report = state.desk.closed_loop(&actor, from, to, by).await?;
    let mut head = vec![by.as_str().to_string()];
    head.extend(LoopStep::ALL.iter().map(|s| s.as_str().to_string()));
    let mut lines = vec![head];
    let row = |key: &str, steps: &[LoopCount]| {
        let mut line = vec![key.to_string()];
        line.extend(steps.iter().map(|c| c.passed.to_string()));
        line
    };
    lines.push(row("", &report.steps));
    for (key, steps) in &report.groups {
        lines.push(row(key, steps));
    }
    let name = format!("closed-loop-{}-{from}-{to}.csv", by.as_str());
    Ok(crate::csv::download(crate::csv::document(lines), &name))
}

/// `GET /improvements`.
pub async fn list_improvements(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<ImprovementView>>> {
    let items = state.desk.improvements(&actor).await?;
    Ok(Json(List::of(&items, ImprovementView::from)))
}

/// `POST /improvements`: a new item, proposed.
pub async fn create_improvement(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(draft): ApiJson<ImprovementDraft>,
) -> ApiResult<(StatusCode, Json<ImprovementView>)> {
    let item = state.desk.create_improvement(&actor, &draft).await?;
    Ok((StatusCode::CREATED, Json(ImprovementView::from(&item))))
}

pub async fn get_improvement(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ImprovementView>> {
    let item = state.desk.improvement(&actor, &id).await?;
    Ok(Json(ImprovementView::from(&item)))
}

pub async fn update_improvement(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ImprovementPatch>,
) -> ApiResult<Json<ImprovementView>> {
    let item = state.desk.update_improvement(&actor, &id, &patch).await?;
    Ok(Json(ImprovementView::from(&item)))
}

pub async fn improvement_history(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<ImprovementEntryView>>> {
    let entries = state.desk.improvement_history(&actor, &id).await?;
    Ok(Json(List::of(&entries, ImprovementEntryView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkCase {
    /// The case's id or number.
    case: String,
}

pub async fn link_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<LinkCase>,
) -> ApiResult<Json<ImprovementView>> {
    let item = state
        .desk
        .link_improvement_case(&actor, &id, &body.case)
        .await?;
    Ok(Json(ImprovementView::from(&item)))
}

pub async fn unlink_case(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((id, case)): ApiPath<(String, String)>,
) -> ApiResult<Json<ImprovementView>> {
    let item = state
        .desk
        .unlink_improvement_case(&actor, &id, &case)
        .await?;
    Ok(Json(ImprovementView::from(&item)))
}
