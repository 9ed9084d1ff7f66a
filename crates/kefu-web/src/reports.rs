//! `/api/v1/report-schedules`: the key-figures report mailed as a spreadsheet every day, week or
//! month (each person's own schedules; an admin's: every one), and "send now".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_desk::figures::KpiReport;
use kefu_desk::reports::ReportFile;
use kefu_model::ids::ReportScheduleId;
use kefu_model::report_schedule::{ReportFileFormat, ReportSchedule, ReportScheduleDraft};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, Auth};
use crate::views::{DateTime, Day, List};

/// The last run of a schedule.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ReportRun")]
pub struct RunView {
    #[schemars(with = "DateTime")]
    at: Timestamp,
    /// The days the report covered, `[from, to)`.
    #[schemars(with = "Day")]
    from: Date,
    #[schemars(with = "Day")]
    to: Date,
    /// `sent`, `failed` (tried again in 30 minutes) or `given_up` (after 3 attempts; the next
    /// scheduled run goes on).
    outcome: String,
    error: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ReportSchedule")]
pub struct ReportScheduleView {
    id: String,
    name: String,
    /// The user whose view of the figures the report is.
    owner: String,
    recipients: Vec<String>,
    by: String,
    /// `daily` (the day before), `weekly` (Monday to Sunday before), `monthly` (the month
    /// before).
    frequency: String,
    /// The local hour it goes out.
    hour: u8,
    /// `xlsx` or `csv`.
    format: String,
    active: bool,
    #[schemars(with = "DateTime")]
    next_run_at: Timestamp,
    last_run: Option<RunView>,
    #[schemars(with = "DateTime")]
    created_at: Timestamp,
    #[schemars(with = "DateTime")]
    updated_at: Timestamp,
}

impl From<&ReportSchedule> for ReportScheduleView {
    fn from(s: &ReportSchedule) -> Self {
        ReportScheduleView {
            id: s.id.to_string(),
            name: s.name.clone(),
            owner: s.owner.to_string(),
            recipients: s.recipients.clone(),
            by: s.by.as_str().to_string(),
            frequency: s.frequency.as_str().to_string(),
            hour: s.hour,
            format: s.format.as_str().to_string(),
            active: s.active,
            next_run_at: s.next_run_at,
            last_run: s.last_run.as_ref().map(|r| RunView {
                at: r.at,
                from: r.from,
                to: r.to,
                outcome: r.outcome.as_str().to_string(),
                error: r.error.clone(),
            }),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    name: String,
    recipients: Vec<String>,
    #[serde(default)]
    by: Option<String>,
    frequency: String,
    hour: i64,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    active: Option<bool>,
}

impl ScheduleBody {
    fn draft(self) -> ReportScheduleDraft {
        ReportScheduleDraft {
            name: self.name,
            recipients: self.recipients,
            by: self.by.unwrap_or_else(|| "all".into()),
            frequency: self.frequency,
            hour: self.hour,
            format: self.format.unwrap_or_else(|| "xlsx".into()),
            active: self.active.unwrap_or(true),
        }
    }
}

fn schedule_id(raw: &str) -> ApiResult<ReportScheduleId> {
    ReportScheduleId::parse(raw).ok_or_else(|| ApiError::not_found("report schedule"))
}

/// The file a run's report is attached as (and a download is).
pub fn report_file(report: &KpiReport, format: ReportFileFormat) -> Result<ReportFile, String> {
    let (content_type, bytes) = match format {
        ReportFileFormat::Xlsx => (
            crate::xlsx::CONTENT_TYPE,
            crate::figures::report_xlsx(report)?,
        ),
        ReportFileFormat::Csv => (
            crate::csv::CONTENT_TYPE,
            crate::figures::report_csv(report).into_bytes(),
        ),
    };
    Ok(ReportFile {
        file_name: crate::figures::report_file_name(report, format),
        content_type: content_type.to_string(),
        bytes,
    })
}

/// `GET /report-schedules`.
pub async fn list(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<ReportScheduleView>>> {
    let all = state.desk.report_schedules(&actor).await?;
    Ok(Json(List::of(&all, ReportScheduleView::from)))
}

/// `POST /report-schedules`: 201.
pub async fn create(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> ApiResult<Response> {
    let s = state
        .desk
        .create_report_schedule(&actor, &body.draft())
        .await?;
    Ok((StatusCode::CREATED, Json(ReportScheduleView::from(&s))).into_response())
}

/// `GET /report-schedules/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ReportScheduleView>> {
    let s = state
        .desk
        .report_schedule(&actor, &schedule_id(&id)?)
        .await?;
    Ok(Json(ReportScheduleView::from(&s)))
}

/// `PUT /report-schedules/{id}`.
pub async fn change(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> ApiResult<Json<ReportScheduleView>> {
    let s = state
        .desk
        .change_report_schedule(&actor, &schedule_id(&id)?, &body.draft())
        .await?;
    Ok(Json(ReportScheduleView::from(&s)))
}

/// `DELETE /report-schedules/{id}`: 204.
pub async fn delete(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .desk
        .delete_report_schedule(&actor, &schedule_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /report-schedules/{id}/send`: due now; the node's worker mails it within a minute.
pub async fn send_now(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ReportScheduleView>> {
    let s = state
        .desk
        .send_report_now(&actor, &schedule_id(&id)?)
        .await?;
    Ok(Json(ReportScheduleView::from(&s)))
}
