//! Quality inspection's endpoints (`/api/v1/quality/…`): rubrics and their versions, the
//! sampling rules, the draw, the inspections — list, read, assign, score, acknowledge, appeal,
//! decide — and the figures per agent or department. The answers are the views below (their
//! schemas go into the OpenAPI document); who may do what is the desk's.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::quality::{DrawOutcome, InspectionDetail};
use kefu_model::quality::{
    AppealOutcome, Inspection, InspectionAction, InspectionEntry, InspectionQueue,
    InspectionStatus, ItemScore, MessageComment, QualityDimension, QualitySettings, QualityTally,
    Rubric, RubricDraft, RubricItem, SampleRule, ScoreDraft,
};
use kefu_model::{EventData, Visibility};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{
    AppealOutcomeCode, DateTime, Day, InspectionActionCode, InspectionStatusCode, List,
    SampleRuleCode,
};

/// Hundredths of a point as a score (two decimals).
pub fn points(x100: i64) -> f64 {
    x100 as f64 / 100.0
}

/// An item of a rubric.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "RubricItem")]
pub struct RubricItemView {
    key: String,
    name: String,
    /// Its share of the total; the weights sum to 100.
    weight: u32,
    /// Its highest score.
    max: u32,
    /// Scored 0, it makes the whole score 0.
    critical: bool,
}

/// A rubric's version.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Rubric")]
pub struct RubricView {
    id: String,
    version: i64,
    name: String,
    items: Vec<RubricItemView>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    created_by: String,
}

impl From<&Rubric> for RubricView {
    fn from(r: &Rubric) -> Self {
        RubricView {
            id: r.id.clone(),
            version: r.version,
            name: r.name.clone(),
            items: r
                .items
                .iter()
                .map(|i| RubricItemView {
                    key: i.key.clone(),
                    name: i.name.clone(),
                    weight: i.weight,
                    max: i.max,
                    critical: i.critical,
                })
                .collect(),
            created_at: r.created_at,
            created_by: r.created_by.clone(),
        }
    }
}

/// The sampling rules and the pass score.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QualitySettings")]
pub struct SettingsView {
    random_percent: u32,
    complaints: bool,
    poor_ratings: bool,
    long_handling_hours: Option<u32>,
    pass_score: u32,
    rubric: String,
    /// The day before is drawn automatically each day.
    daily_draw: bool,
}

impl From<&QualitySettings> for SettingsView {
    fn from(s: &QualitySettings) -> Self {
        SettingsView {
            random_percent: s.random_percent,
            complaints: s.complaints,
            poor_ratings: s.poor_ratings,
            long_handling_hours: s.long_handling_hours,
            pass_score: s.pass_score,
            rubric: s.rubric.clone(),
            daily_draw: s.daily_draw,
        }
    }
}

/// A case a draw chose and the rule that chose it.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "DrawnCase")]
pub struct DrawnView {
    case_id: String,
    #[schemars(with = "SampleRuleCode")]
    rule: SampleRule,
}

/// What a draw did.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QualityDrawResult")]
pub struct DrawView {
    draw: String,
    /// Resolved cases received in the period.
    considered: usize,
    /// The cases the rules chose (queued now or before).
    chosen: Vec<DrawnView>,
    /// The inspections queued by this draw (cases not queued before).
    queued: Vec<String>,
}

impl From<&DrawOutcome> for DrawView {
    fn from(d: &DrawOutcome) -> Self {
        DrawView {
            draw: d.draw.clone(),
            considered: d.considered,
            chosen: d
                .chosen
                .iter()
                .map(|(c, r)| DrawnView {
                    case_id: c.to_string(),
                    rule: *r,
                })
                .collect(),
            queued: d.queued.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ItemScore")]
pub struct ItemScoreView {
    item: String,
    score: u32,
    comment: String,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "MessageComment")]
pub struct CommentView {
    message_id: String,
    text: String,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "AppealDecision")]
pub struct DecisionView {
    #[schemars(with = "AppealOutcomeCode")]
    outcome: AppealOutcome,
    note: String,
    by: String,
    #[schemars(with = "DateTime")]
    at: Timestamp,
}

/// An inspection.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Inspection")]
pub struct InspectionView {
    id: String,
    case_id: String,
    case_number: String,
    /// The case's agent and department when it was drawn.
    agent_id: Option<String>,
    department_id: Option<String>,
    #[schemars(with = "SampleRuleCode")]
    rule: SampleRule,
    draw: String,
    #[schemars(with = "InspectionStatusCode")]
    status: InspectionStatus,
    inspector_id: Option<String>,
    rubric: Option<String>,
    rubric_version: Option<i64>,
    scores: Vec<ItemScoreView>,
    comments: Vec<CommentView>,
    summary: String,
    /// 0–100, two decimals.
    score: Option<f64>,
    critical_failed: bool,
    passed: Option<bool>,
    #[schemars(with = "Option<DateTime>")]
    scored_at: Option<Timestamp>,
    #[schemars(with = "Option<Day>")]
    scored_on: Option<Date>,
    appeal_reason: Option<String>,
    decision: Option<DecisionView>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
    version: i64,
}

impl From<&Inspection> for InspectionView {
    fn from(i: &Inspection) -> Self {
        InspectionView {
            id: i.id.to_string(),
            case_id: i.case_id.to_string(),
            case_number: i.case_number.clone(),
            agent_id: i.agent.as_ref().map(ToString::to_string),
            department_id: i.department.as_ref().map(ToString::to_string),
            rule: i.rule,
            draw: i.draw.clone(),
            status: i.status,
            inspector_id: i.inspector.as_ref().map(ToString::to_string),
            rubric: i.rubric.clone(),
            rubric_version: i.rubric_version,
            scores: i
                .scores
                .iter()
                .map(|s| ItemScoreView {
                    item: s.item.clone(),
                    score: s.score,
                    comment: s.comment.clone(),
                })
                .collect(),
            comments: i
                .comments
                .iter()
                .map(|c| CommentView {
                    message_id: c.message_id.clone(),
                    text: c.text.clone(),
                })
                .collect(),
            summary: i.summary.clone(),
            score: i.score_x100.map(points),
            critical_failed: i.critical_failed,
            passed: i.passed,
            scored_at: i.scored_at,
            scored_on: i.scored_on,
            appeal_reason: i.appeal_reason.clone(),
            decision: i.decision.as_ref().map(|d| DecisionView {
                outcome: d.outcome,
                note: d.note.clone(),
                by: d.by.clone(),
                at: d.at,
            }),
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
        }
    }
}

/// One entry of an inspection's history.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "InspectionEntry")]
pub struct EntryView {
    seq: i64,
    #[schemars(with = "DateTime")]
    at: Timestamp,
    actor: String,
    #[schemars(with = "InspectionActionCode")]
    action: InspectionAction,
    note: String,
}

impl From<&InspectionEntry> for EntryView {
    fn from(e: &InspectionEntry) -> Self {
        EntryView {
            seq: e.seq,
            at: e.at,
            actor: e.actor.clone(),
            action: e.action,
            note: e.note.clone(),
        }
    }
}

/// A message of the inspected case, which comments may name.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "InspectedMessage")]
pub struct MessageView {
    pub message_id: String,
    #[schemars(with = "DateTime")]
    pub at: Timestamp,
    pub actor: String,
    pub author_kind: String,
    pub internal: bool,
    pub call: bool,
    pub body: String,
}

/// An inspection with its history, its rubric and the case's messages.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "InspectionDetail")]
pub struct DetailView {
    inspection: InspectionView,
    history: Vec<EntryView>,
    rubric: RubricView,
    messages: Vec<MessageView>,
}

/// The case's messages in order (what an inspector reads and comments on).
pub fn messages(d: &InspectionDetail) -> Vec<MessageView> {
    d.events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::MessageAdded {
                message_id,
                body,
                visibility,
                author_kind,
                call,
                ..
            } => Some(MessageView {
                message_id: message_id.to_string(),
                at: e.at,
                actor: e.actor.clone(),
                author_kind: author_kind.clone(),
                internal: *visibility == Visibility::Internal,
                call: *call,
                body: body.clone(),
            }),
            _ => None,
        })
        .collect()
}

impl From<&InspectionDetail> for DetailView {
    fn from(d: &InspectionDetail) -> Self {
        DetailView {
            inspection: InspectionView::from(&d.inspection),
            history: d.history.iter().map(EntryView::from).collect(),
            rubric: RubricView::from(&d.rubric),
            messages: messages(d),
        }
    }
}

/// One row of the figures: the sums (for other reports) and what they give.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QualityFigure")]
pub struct FigureView {
    /// The agent's or department's id (empty: none).
    key: String,
    count: i64,
    /// The scores' sum in hundredths of a point.
    score_x100_sum: i64,
    passed: i64,
    /// 0–100, two decimals.
    average: Option<f64>,
    /// 0–1, four decimals.
    pass_rate: Option<f64>,
}

impl From<&QualityTally> for FigureView {
    fn from(t: &QualityTally) -> Self {
        FigureView {
            key: t.key.clone(),
            count: t.count,
            score_x100_sum: t.score_x100_sum,
            passed: t.passed,
            average: t.average().map(|a| (a * 100.0).round() / 100.0),
            pass_rate: t.pass_rate().map(|r| (r * 10000.0).round() / 10000.0),
        }
    }
}

// ---- handlers -------------------------------------------------------------------------------

/// `GET /quality/rubrics`.
pub async fn list_rubrics(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<RubricView>>> {
    let rubrics = state.desk.rubrics(&actor).await?;
    Ok(Json(List::of(&rubrics, RubricView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricParams {
    version: Option<i64>,
}

/// `GET /quality/rubrics/{id}?version=`.
pub async fn get_rubric(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<RubricParams>,
) -> ApiResult<Json<RubricView>> {
    let r = state.desk.rubric(&actor, &id, p.version).await?;
    Ok(Json(RubricView::from(&r)))
}

/// `GET /quality/rubrics/{id}/versions`.
pub async fn rubric_versions(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<List<RubricView>>> {
    let versions = state.desk.rubric_versions(&actor, &id).await?;
    Ok(Json(List::of(&versions, RubricView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    key: String,
    name: String,
    weight: u32,
    max: u32,
    #[serde(default)]
    critical: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricBody {
    name: String,
    items: Vec<ItemBody>,
    expected_version: Option<i64>,
}

/// `PUT /quality/rubrics/{id}`: saves the next version.
pub async fn put_rubric(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<RubricBody>,
) -> ApiResult<Json<RubricView>> {
    let draft = RubricDraft {
        name: b.name,
        items: b
            .items
            .into_iter()
            .map(|i| RubricItem {
                key: i.key,
                name: i.name,
                weight: i.weight,
                max: i.max,
                critical: i.critical,
            })
            .collect(),
    };
    let r = state
        .desk
        .save_rubric(&actor, &id, draft, b.expected_version)
        .await?;
    Ok(Json(RubricView::from(&r)))
}

/// `GET /quality/settings`.
pub async fn get_settings(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<SettingsView>> {
    let s = state.desk.quality_settings(&actor).await?;
    Ok(Json(SettingsView::from(&s)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    random_percent: u32,
    complaints: bool,
    poor_ratings: bool,
    long_handling_hours: Option<u32>,
    pass_score: u32,
    rubric: Option<String>,
    #[serde(default)]
    daily_draw: bool,
}

/// `PUT /quality/settings`.
pub async fn put_settings(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<SettingsBody>,
) -> ApiResult<Json<SettingsView>> {
    let s = QualitySettings {
        random_percent: b.random_percent,
        complaints: b.complaints,
        poor_ratings: b.poor_ratings,
        long_handling_hours: b.long_handling_hours,
        pass_score: b.pass_score,
        rubric: b
            .rubric
            .unwrap_or_else(|| kefu_model::quality::DEFAULT_RUBRIC.into()),
        daily_draw: b.daily_draw,
    };
    let s = state.desk.put_quality_settings(&actor, s).await?;
    Ok(Json(SettingsView::from(&s)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    from: Date,
    to: Date,
}

/// `POST /quality/draw`: draws the period's resolved cases into the queue.
pub async fn draw(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<DrawBody>,
) -> ApiResult<Json<DrawView>> {
    let d = state.desk.draw_inspections(&actor, b.from, b.to).await?;
    Ok(Json(DrawView::from(&d)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    queue: Option<String>,
    limit: Option<u32>,
}

/// Parses a queue's code (422 naming `queue` otherwise).
pub fn queue_of(raw: Option<&str>) -> Result<Option<InspectionQueue>, ApiError> {
    raw.filter(|q| !q.is_empty())
        .map(|q| {
            InspectionQueue::parse(q).ok_or_else(|| {
                ApiError::invalid(
                    "queue",
                    "pending, mine, scored, acknowledged, appealed or decided",
                )
            })
        })
        .transpose()
}

/// `GET /quality/inspections?queue=&limit=`.
pub async fn list_inspections(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<List<InspectionView>>> {
    let queue = queue_of(p.queue.as_deref())?;
    let found = state.desk.inspections(&actor, queue, p.limit).await?;
    Ok(Json(List::of(&found, InspectionView::from)))
}

/// `GET /quality/inspections/{id}`.
pub async fn get_inspection(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DetailView>> {
    let d = state.desk.inspection(&actor, &id).await?;
    Ok(Json(DetailView::from(&d)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    inspector: String,
}

/// `POST /quality/inspections/{id}/assign`.
pub async fn assign(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<AssignBody>,
) -> ApiResult<Json<InspectionView>> {
    let i = state
        .desk
        .assign_inspection(&actor, &id, &b.inspector)
        .await?;
    Ok(Json(InspectionView::from(&i)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    item: String,
    score: u32,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    message_id: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringBody {
    scores: Vec<ScoreBody>,
    #[serde(default)]
    comments: Vec<CommentBody>,
    #[serde(default)]
    summary: String,
}

impl From<ScoringBody> for ScoreDraft {
    fn from(b: ScoringBody) -> Self {
        ScoreDraft {
            scores: b
                .scores
                .into_iter()
                .map(|s| ItemScore {
                    item: s.item,
                    score: s.score,
                    comment: s.comment,
                })
                .collect(),
            comments: b
                .comments
                .into_iter()
                .map(|c| MessageComment {
                    message_id: c.message_id,
                    text: c.text,
                })
                .collect(),
            summary: b.summary,
        }
    }
}

/// `POST /quality/inspections/{id}/score`.
pub async fn score(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ScoringBody>,
) -> ApiResult<Json<InspectionView>> {
    let i = state
        .desk
        .score_inspection(&actor, &id, ScoreDraft::from(b))
        .await?;
    Ok(Json(InspectionView::from(&i)))
}

/// `POST /quality/inspections/{id}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<InspectionView>> {
    let i = state.desk.acknowledge_inspection(&actor, &id).await?;
    Ok(Json(InspectionView::from(&i)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealBody {
    reason: String,
}

/// `POST /quality/inspections/{id}/appeal`.
pub async fn appeal(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<AppealBody>,
) -> ApiResult<Json<InspectionView>> {
    let i = state.desk.appeal_inspection(&actor, &id, &b.reason).await?;
    Ok(Json(InspectionView::from(&i)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    outcome: String,
    note: String,
    scores: Option<Vec<ScoreBody>>,
    #[serde(default)]
    comments: Vec<CommentBody>,
    #[serde(default)]
    summary: String,
}

/// `POST /quality/inspections/{id}/decide`: uphold, or rescore with `scores`.
pub async fn decide(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<Json<InspectionView>> {
    let outcome = AppealOutcome::parse(&b.outcome)
        .ok_or_else(|| ApiError::invalid("outcome", "uphold or rescore"))?;
    let rescore = b.scores.map(|scores| {
        ScoreDraft::from(ScoringBody {
            scores,
            comments: b.comments,
            summary: b.summary,
        })
    });
    let i = state
        .desk
        .decide_appeal(&actor, &id, outcome, &b.note, rescore)
        .await?;
    Ok(Json(InspectionView::from(&i)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresParams {
    by: Option<String>,
    from: Date,
    to: Date,
}

/// The figures' answer: the period, the pass score and a row per key.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "QualityFigures")]
pub struct FiguresView {
    by: String,
    #[schemars(with = "Day")]
    from: Date,
    #[schemars(with = "Day")]
    to: Date,
    pass_score: u32,
    rows: Vec<FigureView>,
}

/// Parses the figures' dimension (`agent` when absent).
pub fn dimension_of(raw: Option<&str>) -> Result<QualityDimension, ApiError> {
    match raw.filter(|b| !b.is_empty()) {
        None => Ok(QualityDimension::Agent),
        Some(b) => {
            QualityDimension::parse(b).ok_or_else(|| ApiError::invalid("by", "agent or department"))
        }
    }
}

/// `GET /quality/figures?by=&from=&to=`.
pub async fn figures(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<FiguresParams>,
) -> ApiResult<Json<FiguresView>> {
    let by = dimension_of(p.by.as_deref())?;
    let rows = state.desk.quality_figures(&actor, by, p.from, p.to).await?;
    let pass_score = state.desk.quality_pass_score().await?;
    Ok(Json(FiguresView {
        by: by.as_str().into(),
        from: p.from,
        to: p.to,
        pass_score,
        rows: rows.iter().map(FigureView::from).collect(),
    }))
}
