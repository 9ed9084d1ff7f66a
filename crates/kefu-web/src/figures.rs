//! `/api/v1/kpis`: the key performance figures of a period by a dimension, the cases behind each
//! figure, the export, and the rebuild from the cases.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use jiff::civil::Date;
use kefu_desk::figures::KpiReport;
use kefu_model::kpi::{Ageing, CaseTally, Dimension, Granularity, KpiFigure, KpiFigures};
use kefu_model::report_schedule::ReportFileFormat;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::case_view;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Auth};
use crate::views::{CaseView, Page};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    from: Date,
    to: Date,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    granularity: Option<String>,
}

pub(crate) fn dimension(by: Option<&str>) -> ApiResult<Dimension> {
    match by {
        None => Ok(Dimension::All),
        Some(s) => Dimension::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "by",
                "one of all, agent, department, channel, category, region, grade",
            )
        }),
    }
}

pub(crate) fn granularity(g: Option<&str>) -> ApiResult<Granularity> {
    match g {
        None => Ok(Granularity::Day),
        Some(s) => Granularity::parse(s)
            .ok_or_else(|| ApiError::invalid("granularity", "one of day, week, month")),
    }
}

/// A key's figures as the API shows them: the sums and the rates they give.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KpiFigures")]
pub struct KpiFiguresView {
    /// The key under the dimension (a user or department id, a channel, a category code, a
    /// province code, a grade); empty for the whole scope.
    key: String,
    name: String,
    cases: i64,
    responded: i64,
    resolved: i64,
    /// Mean business seconds from receipt to the first answer.
    first_response_avg_secs: Option<i64>,
    /// Mean business seconds from receipt to resolution.
    resolution_avg_secs: Option<i64>,
    /// Settled cases that met every service clock (0–100).
    sla_attainment_pct: Option<f64>,
    sla_settled: i64,
    sla_met: i64,
    resolution_rate_pct: Option<f64>,
    reopened: i64,
    reopen_rate_pct: Option<f64>,
    contacts: i64,
    contacts_per_case: Option<f64>,
    transferred: i64,
    transfer_rate_pct: Option<f64>,
    department_answers: i64,
    /// Mean wall-clock seconds a department took to answer back.
    department_answer_avg_secs: Option<i64>,
    department_overdue: i64,
    complaints: i64,
    escalated: i64,
    /// Cases of the period still open.
    open: i64,
    /// Survey answers, those satisfied and those poor (by the settings of their time).
    rated: i64,
    satisfied: i64,
    poor: i64,
    /// Satisfied among the answers (0–100; the target is 95).
    satisfaction_pct: Option<f64>,
    /// Quality inspections scored in the period, their mean score (0–100) and the share that
    /// passed (0–100); by agent, department or the whole scope only.
    qa_inspections: Option<i64>,
    qa_score_avg: Option<f64>,
    qa_pass_rate_pct: Option<f64>,
}

impl KpiFiguresView {
    fn of(name: &str, f: &KpiFigures) -> Self {
        let t = &f.tally;
        KpiFiguresView {
            key: f.key.clone(),
            name: name.to_string(),
            cases: t.cases,
            responded: t.responded,
            resolved: t.resolved,
            first_response_avg_secs: f.first_response_avg_secs(),
            resolution_avg_secs: f.resolution_avg_secs(),
            sla_attainment_pct: f.sla_attainment_pct(),
            sla_settled: t.sla_settled,
            sla_met: t.sla_met,
            resolution_rate_pct: f.resolution_rate_pct(),
            reopened: t.reopened,
            reopen_rate_pct: f.reopen_rate_pct(),
            contacts: t.contacts,
            contacts_per_case: f.contacts_per_case(),
            transferred: t.transferred,
            transfer_rate_pct: f.transfer_rate_pct(),
            department_answers: t.department_answers,
            department_answer_avg_secs: f.department_answer_avg_secs(),
            department_overdue: t.department_overdue,
            complaints: t.complaints,
            escalated: t.escalated,
            open: t.open,
            rated: t.rated,
            satisfied: t.satisfied,
            poor: t.poor,
            satisfaction_pct: f.satisfaction_pct(),
            qa_inspections: f.quality.as_ref().map(|q| q.count),
            qa_score_avg: f.qa_score_avg(),
            qa_pass_rate_pct: f.qa_pass_rate_pct(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KpiBucket")]
pub struct KpiBucketView {
    /// The first day of the bucket (a day, the Monday of a week, the 1st of a month).
    #[schemars(with = "String")]
    start: Date,
    figures: KpiFiguresView,
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KpiAgeing")]
pub struct AgeingView {
    key: String,
    name: String,
    under_1d: i64,
    d1_to_3: i64,
    d3_to_7: i64,
    over_7d: i64,
    total: i64,
}

impl AgeingView {
    fn of(key: &str, name: &str, a: &Ageing) -> Self {
        AgeingView {
            key: key.to_string(),
            name: name.to_string(),
            under_1d: a.under_1d,
            d1_to_3: a.d1_to_3,
            d3_to_7: a.d3_to_7,
            over_7d: a.over_7d,
            total: a.total(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KpiReport")]
pub struct KpiReportView {
    #[schemars(with = "String")]
    from: Date,
    #[schemars(with = "String")]
    to: Date,
    by: String,
    granularity: String,
    total: KpiFiguresView,
    /// Parcels the outlets reported in the period (the whole centre only).
    parcels: Option<i64>,
    /// Complaints per 10,000 parcels (the whole centre, with parcels reported).
    complaints_per_10k: Option<f64>,
    rows: Vec<KpiFiguresView>,
    series: Vec<KpiBucketView>,
    /// Open cases by age now, per key.
    ageing: Vec<AgeingView>,
    ageing_total: AgeingView,
}

impl KpiReportView {
    pub fn of(r: &KpiReport) -> Self {
        let figures = |key: &str, tally: &CaseTally| KpiFigures {
            key: key.to_string(),
            tally: *tally,
            quality: None,
        };
        KpiReportView {
            from: r.from,
            to: r.to,
            by: r.dimension.as_str().to_string(),
            granularity: r.granularity.as_str().to_string(),
            total: KpiFiguresView::of("", &r.total),
            parcels: r.parcels,
            complaints_per_10k: r.parcels.and_then(|p| r.total.complaints_per_10k(p)),
            rows: r
                .rows
                .iter()
                .map(|row| KpiFiguresView::of(&row.name, &row.figures))
                .collect(),
            series: r
                .series
                .iter()
                .map(|(start, tally)| KpiBucketView {
                    start: *start,
                    figures: KpiFiguresView::of("", &figures("", tally)),
                })
                .collect(),
            ageing: r
                .ageing
                .iter()
                .map(|(key, name, a)| AgeingView::of(key, name, a))
                .collect(),
            ageing_total: AgeingView::of("", "", &r.ageing_total),
        }
    }
}

/// `GET /kpis?from=&to=&by=&granularity=`: the figures of the cases received on `[from, to)`.
pub async fn report(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Json<KpiReportView>> {
    let report = state
        .desk
        .kpi_report(
            &actor,
            dimension(p.by.as_deref())?,
            p.from,
            p.to,
            granularity(p.granularity.as_deref())?,
        )
        .await?;
    Ok(Json(KpiReportView::of(&report)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesParams {
    from: Date,
    to: Date,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    key: Option<String>,
    figure: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

pub(crate) fn figure(s: &str) -> ApiResult<KpiFigure> {
    KpiFigure::parse(s).ok_or_else(|| {
        let names: Vec<&str> = KpiFigure::ALL.iter().map(|f| f.as_str()).collect();
        ApiError::invalid("figure", format!("one of {}", names.join(", ")))
    })
}

/// `GET /kpis/cases?…&figure=`: the cases a figure counts, newest first.
pub async fn cases(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<CasesParams>,
) -> ApiResult<Json<Page<CaseView>>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "1 to 200"));
    }
    let found = state
        .desk
        .kpi_cases(
            &actor,
            dimension(p.by.as_deref())?,
            p.key.as_deref().unwrap_or_default(),
            p.from,
            p.to,
            figure(&p.figure)?,
            p.cursor.as_deref(),
            limit,
        )
        .await?;
    let next_cursor = (found.len() == limit as usize)
        .then(|| found.last().map(|c| c.id.to_string()))
        .flatten();
    let mut items = Vec::with_capacity(found.len());
    for case in &found {
        items.push(case_view(&state, case).await?);
    }
    Ok(Json(Page { items, next_cursor }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    from: Date,
    to: Date,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    granularity: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// The file type asked for (CSV when none).
fn report_format(s: Option<&str>) -> ApiResult<ReportFileFormat> {
    match s {
        None => Ok(ReportFileFormat::Csv),
        Some(s) => {
            ReportFileFormat::parse(s).ok_or_else(|| ApiError::invalid("format", "csv or xlsx"))
        }
    }
}

/// `GET /kpis/export?…&format=csv|xlsx`: the report's rows as a spreadsheet.
pub async fn export(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let format = report_format(p.format.as_deref())?;
    let report = state
        .desk
        .kpi_report(
            &actor,
            dimension(p.by.as_deref())?,
            p.from,
            p.to,
            granularity(p.granularity.as_deref())?,
        )
        .await?;
    report_download(&report, format)
}

/// The report downloaded as the file a scheduled report attaches.
pub(crate) fn report_download(report: &KpiReport, format: ReportFileFormat) -> ApiResult<Response> {
    let file = crate::reports::report_file(report, format)
        .map_err(|e| ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", e))?;
    Ok(crate::csv::attachment(
        file.bytes,
        &file.content_type,
        &file.file_name,
    ))
}

/// `kpis-<by>-<from>-<to>.csv|xlsx`.
pub fn report_file_name(report: &KpiReport, format: ReportFileFormat) -> String {
    format!(
        "kpis-{}-{}-{}.{}",
        report.dimension.as_str(),
        report.from,
        report.to,
        format.as_str()
    )
}

/// The report as a workbook: the table (the whole scope last), the series by bucket with every
/// counter, and the open backlog by age.
pub fn report_xlsx(report: &KpiReport) -> Result<Vec<u8>, String> {
    use crate::xlsx::{Cell, Sheet};
    let text = |s: &str| Cell::Text(s.to_string());
    let table = report
        .rows
        .iter()
        .map(|r| (r.name.as_str(), &r.figures))
        .chain(std::iter::once(("合计 total", &report.total)))
        .map(|(name, figures)| {
            let cells = table_cells(name, figures);
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| if i < 2 { text(c) } else { Cell::figure(c) })
                .collect()
        })
        .collect();
    let series = report
        .series
        .iter()
        .map(|(start, tally)| {
            std::iter::once(text(&start.to_string()))
                .chain(tally.values().into_iter().map(|v| Cell::Number(v as f64)))
                .collect()
        })
        .collect();
    let ageing = report
        .ageing
        .iter()
        .map(|(key, name, a)| (key.as_str(), name.as_str(), a))
        .chain(std::iter::once(("", "合计 total", &report.ageing_total)))
        .map(|(key, name, a)| {
            [text(key), text(name)]
                .into_iter()
                .chain(
                    [a.under_1d, a.d1_to_3, a.d3_to_7, a.over_7d, a.total()]
                        .map(|n| Cell::Number(n as f64)),
                )
                .collect()
        })
        .collect();
    let heads = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    crate::xlsx::workbook(&[
        Sheet {
            name: "指标 figures".into(),
            header: heads(&TABLE_COLUMNS),
            rows: table,
        },
        Sheet {
            name: "趋势 series".into(),
            header: std::iter::once("start".to_string())
                .chain(heads(CaseTally::COLUMNS))
                .collect(),
            rows: series,
        },
        Sheet {
            name: "账龄 ageing".into(),
            header: heads(&[
                "key", "name", "under_1d", "d1_to_3", "d3_to_7", "over_7d", "total",
            ]),
            rows: ageing,
        },
    ])
    .map_err(|e| format!("the workbook: {e}"))
}

/// The column headings and the cells of one row of a report's table, shared by the CSV and
/// the console.
pub(crate) const TABLE_COLUMNS: [&str; 20] = [
    "key",
    "name",
    "cases",
    "responded",
    "first_response_avg_secs",
    "resolved",
    "resolution_avg_secs",
    "sla_attainment_pct",
    "reopen_rate_pct",
    "contacts_per_case",
    "transfer_rate_pct",
    "department_answer_avg_secs",
    "department_overdue",
    "complaints",
    "escalated",
    "open",
    "rated",
    "satisfaction_pct",
    "qa_inspections",
    "qa_score_avg",
];

pub(crate) fn table_cells(name: &str, f: &KpiFigures) -> [String; 20] {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let pct = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
    let t = &f.tally;
    [
        f.key.clone(),
        name.to_string(),
        t.cases.to_string(),
        t.responded.to_string(),
        opt(f.first_response_avg_secs()),
        t.resolved.to_string(),
        opt(f.resolution_avg_secs()),
        pct(f.sla_attainment_pct()),
        pct(f.reopen_rate_pct()),
        pct(f.contacts_per_case()),
        pct(f.transfer_rate_pct()),
        opt(f.department_answer_avg_secs()),
        t.department_overdue.to_string(),
        t.complaints.to_string(),
        t.escalated.to_string(),
        t.open.to_string(),
        t.rated.to_string(),
        pct(f.satisfaction_pct()),
        opt(f.quality.as_ref().map(|q| q.count)),
        f.qa_score_avg()
            .map(|v| format!("{v:.2}"))
            .unwrap_or_default(),
    ]
}

/// The report as CSV, the whole scope last.
pub(crate) fn report_csv(report: &KpiReport) -> String {
    let header = TABLE_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>();
    let rows = report
        .rows
        .iter()
        .map(|r| (r.name.as_str(), &r.figures))
        .chain(std::iter::once(("合计 total", &report.total)))
        .map(|(name, figures)| table_cells(name, figures).to_vec());
    crate::csv::document(std::iter::once(header).chain(rows))
}

#[derive(Serialize, JsonSchema)]
#[schemars(rename = "KpiRecomputed")]
pub struct RecomputedView {
    /// Cases whose figures were computed again.
    cases: u64,
}

/// `POST /kpis/recompute`: every case's figures again from the cases (admins).
pub async fn recompute(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<RecomputedView>> {
    let cases = state.desk.recompute_figures(&actor).await?;
    Ok(Json(RecomputedView { cases }))
}
