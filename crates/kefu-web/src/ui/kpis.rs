//! The key figures' pages: `/console/kpis` (a period by a dimension: the scope's tiles, a chart
//! of the series, the table with every count a link to its cases, the backlog by age) with its
//! CSV, and `/console/kpis/cases`, the cases behind one figure.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use kefu_desk::figures::KpiReport;
use kefu_model::DomainError;
use kefu_model::kpi::{Dimension, Granularity, KpiFigure, KpiFigures};
use serde::Deserialize;

use super::i18n::{Lang, label};
use super::pages::{Chrome, span};
use super::{StaffPage, UiSession, encode, error_page, render};
use crate::AppState;
use kefu_model::report_schedule::ReportFileFormat;

/// The words of these pages, by language.
pub struct KpiWords {
    pub title: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub by: &'static str,
    pub granularity: &'static str,
    pub show: &'static str,
    pub csv: &'static str,
    pub xlsx: &'static str,
    pub schedules: &'static str,
    pub empty: &'static str,
    pub cases: &'static str,
    pub responded: &'static str,
    pub first_response: &'static str,
    pub resolved: &'static str,
    pub resolution: &'static str,
    pub sla: &'static str,
    pub reopen: &'static str,
    pub contacts: &'static str,
    pub transfer: &'static str,
    pub department_answer: &'static str,
    pub department_overdue: &'static str,
    pub complaints: &'static str,
    pub per_10k: &'static str,
    pub escalated: &'static str,
    pub open: &'static str,
    pub satisfaction: &'static str,
    pub quality: &'static str,
    pub backlog: &'static str,
    pub under_1d: &'static str,
    pub d1_to_3: &'static str,
    pub d3_to_7: &'static str,
    pub over_7d: &'static str,
    pub total: &'static str,
    pub series: &'static str,
    pub cohort_note: &'static str,
    pub behind: &'static str,
    pub none_behind: &'static str,
    pub more: &'static str,
    pub case: &'static str,
    pub subject: &'static str,
    pub status: &'static str,
    pub received: &'static str,
}

pub fn words(lang: Lang) -> KpiWords {
    let p = |zh, en| lang.pick(zh, en);
    KpiWords {
        title: p("绩效指标", "Key figures"),
        from: p("从", "From"),
        to: p("到（不含）", "To (not included)"),
        by: p("维度", "By"),
        granularity: p("粒度", "Granularity"),
        show: p("查看", "Show"),
        csv: p("下载 CSV", "Download CSV"),
        xlsx: p("下载 Excel", "Download Excel"),
        schedules: p("定时报表", "Scheduled reports"),
        empty: p(
            "这段时间没有工单。",
            "No cases were received in this period.",
        ),
        cases: p("工单", "Cases"),
        responded: p("已首次回复", "Answered"),
        first_response: p(
            "平均首次响应（工作时间）",
            "Mean first response (business time)",
        ),
        resolved: p("已解决", "Resolved"),
        resolution: p(
            "平均解决时长（工作时间）",
            "Mean resolution (business time)",
        ),
        sla: p("SLA 达成率", "SLA attainment"),
        reopen: p("重开率", "Reopen rate"),
        contacts: p("每单联络次数", "Contacts per case"),
        transfer: p("转部门率", "Transfer rate"),
        department_answer: p("部门平均回复", "Mean department answer"),
        department_overdue: p("部门超时", "Department overdue"),
        complaints: p("投诉", "Complaints"),
        per_10k: p("投诉率（每万票）", "Complaints per 10,000 parcels"),
        escalated: p("升级", "Escalated"),
        open: p("未结", "Open"),
        satisfaction: p("满意度（目标 95%）", "Satisfaction (target 95 %)"),
        quality: p("质检均分", "Mean quality score"),
        backlog: p("积压与账龄（当前未结）", "Backlog and ageing (open now)"),
        under_1d: p("1 天内", "Under 1 day"),
        d1_to_3: p("1–3 天", "1–3 days"),
        d3_to_7: p("3–7 天", "3–7 days"),
        over_7d: p("7 天以上", "Over 7 days"),
        total: p("合计", "Total"),
        series: p("工单与解决趋势", "Cases and resolutions"),
        cohort_note: p(
            "按受理日统计：每张工单计入它被受理的那一天。",
            "Counted by the day a case was received: each case counts on that day.",
        ),
        behind: p("该指标包含的工单", "The cases behind this figure"),
        none_behind: p("没有工单。", "No cases."),
        more: p("更多", "More"),
        case: p("工单号", "Case"),
        subject: p("主题", "Subject"),
        status: p("状态", "Status"),
        received: p("受理时间", "Received"),
    }
}

pub(super) fn dimension_label(lang: Lang, d: Dimension) -> &'static str {
    match d {
        Dimension::All => lang.pick("全部", "All"),
        Dimension::Agent => lang.pick("客服", "Agent"),
        Dimension::Department => lang.pick("部门", "Department"),
        Dimension::Channel => lang.pick("渠道", "Channel"),
        Dimension::Category => lang.pick("类别", "Category"),
        Dimension::Region => lang.pick("地区（省）", "Region (province)"),
        Dimension::Grade => lang.pick("客户等级", "Customer grade"),
    }
}

fn granularity_label(lang: Lang, g: Granularity) -> &'static str {
    match g {
        Granularity::Day => lang.pick("按日", "Daily"),
        Granularity::Week => lang.pick("按周", "Weekly"),
        Granularity::Month => lang.pick("按月", "Monthly"),
    }
}

#[derive(Deserialize, Default)]
pub struct KpiParams {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    granularity: Option<String>,
}

/// A choice in a select: (value, label, chosen).
pub type Choice = (&'static str, &'static str, bool);

/// A cell: its text and, for a count, the link to the cases behind it.
pub type Cell = (String, Option<String>);

pub struct KpiTableRow {
    pub name: String,
    pub cells: Vec<Cell>,
}

pub struct AgeingRow {
    pub name: String,
    pub cells: [i64; 5],
}

#[derive(Template)]
#[template(path = "kpis.html")]
pub struct KpisPage {
    pub chrome: Chrome,
    pub w: KpiWords,
    pub from: String,
    pub to: String,
    pub by: Vec<Choice>,
    pub granularity: Vec<Choice>,
    pub csv: String,
    pub xlsx: String,
    /// Whether the viewer may schedule reports (the link to them).
    pub schedules: bool,
    pub tiles: Vec<(&'static str, Cell)>,
    pub heads: Vec<&'static str>,
    pub rows: Vec<KpiTableRow>,
    pub ageing: Vec<AgeingRow>,
    pub series_days: String,
    pub series_cases: String,
    pub series_resolved: String,
    pub empty: bool,
    /// The telephone queues over the period: answer speed, service level, abandonment.
    pub phone_rows: Vec<super::calls::QueueRow>,
    pub phone: super::calls::PhoneWords,
}

fn parse_report_params(
    state: &AppState,
    p: &KpiParams,
) -> Result<(Date, Date, Dimension, Granularity), DomainError> {
    let (from, to) = super::orders::period_of(state, &p.from, &p.to)?;
    let by = match p.by.as_deref().filter(|s| !s.is_empty()) {
        None => Dimension::All,
        Some(s) => Dimension::parse(s).ok_or_else(|| DomainError::invalid("by", "a dimension"))?,
    };
    let granularity = match p.granularity.as_deref().filter(|s| !s.is_empty()) {
        None => Granularity::Day,
        Some(s) => Granularity::parse(s)
            .ok_or_else(|| DomainError::invalid("granularity", "day, week or month"))?,
    };
    Ok((from, to, by, granularity))
}

async fn report_of(
    state: &AppState,
    s: &UiSession,
    p: &KpiParams,
) -> Result<KpiReport, DomainError> {
    let (from, to, by, granularity) = parse_report_params(state, p)?;
    state
        .desk
        .kpi_report(&s.actor, by, from, to, granularity)
        .await
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
}

fn secs(v: Option<i64>) -> String {
    v.map_or_else(|| "—".to_string(), span)
}

/// The table's columns: heading, the text of a row's figures, and the figure a count links to.
type Column = (
    fn(&KpiWords) -> &'static str,
    fn(&KpiFigures) -> String,
    Option<KpiFigure>,
);

const COLUMNS: [Column; 16] = [
    (
        |w| w.cases,
        |f| f.tally.cases.to_string(),
        Some(KpiFigure::Cases),
    ),
    (
        |w| w.responded,
        |f| f.tally.responded.to_string(),
        Some(KpiFigure::Responded),
    ),
    (
        |w| w.first_response,
        |f| secs(f.first_response_avg_secs()),
        None,
    ),
    (
        |w| w.resolved,
        |f| f.tally.resolved.to_string(),
        Some(KpiFigure::Resolved),
    ),
    (|w| w.resolution, |f| secs(f.resolution_avg_secs()), None),
    (
        |w| w.sla,
        |f| pct(f.sla_attainment_pct()),
        Some(KpiFigure::SlaMissed),
    ),
    (
        |w| w.reopen,
        |f| pct(f.reopen_rate_pct()),
        Some(KpiFigure::Reopened),
    ),
    (
        |w| w.contacts,
        |f| {
            f.contacts_per_case()
                .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
        },
        None,
    ),
    (
        |w| w.transfer,
        |f| pct(f.transfer_rate_pct()),
        Some(KpiFigure::Transferred),
    ),
    (
        |w| w.department_answer,
        |f| secs(f.department_answer_avg_secs()),
        None,
    ),
    (
        |w| w.department_overdue,
        |f| f.tally.department_overdue.to_string(),
        Some(KpiFigure::DepartmentOverdue),
    ),
    (
        |w| w.complaints,
        |f| f.tally.complaints.to_string(),
        Some(KpiFigure::Complaints),
    ),
    (
        |w| w.escalated,
        |f| f.tally.escalated.to_string(),
        Some(KpiFigure::Escalated),
    ),
    (
        |w| w.open,
        |f| f.tally.open.to_string(),
        Some(KpiFigure::Open),
    ),
    (
        |w| w.satisfaction,
        |f| pct(f.satisfaction_pct()),
        Some(KpiFigure::Poor),
    ),
    (
        |w| w.quality,
        |f| {
            f.qa_score_avg()
                .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
        },
        None,
    ),
];

/// The columns shown as tiles above the table (cases, the two times, SLA, reopens, contacts,
/// satisfaction), and the open cases' column, the last tile.
const TILE_COLUMNS: [usize; 7] = [0, 2, 4, 5, 6, 7, 14];
const OPEN_COLUMN: usize = 13;

/// `GET /console/kpis`.
pub async fn kpis_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<KpiParams>,
) -> Response {
    let s = &page.s;
    let tr = s.tr;
    let report = match report_of(&state, s, &p).await {
        Ok(r) => r,
        Err(e) => return error_page(tr, Some(s), &e),
    };
    let w = words(tr.lang);
    let lang = tr.lang;
    let (from, to) = (report.from, report.to);
    let query = format!(
        "from={from}&to={to}&by={}&granularity={}",
        report.dimension.as_str(),
        report.granularity.as_str()
    );
    let drill = |key: &str, figure: KpiFigure| {
        format!(
            "/console/kpis/cases?from={from}&to={to}&by={}&key={}&figure={}",
            report.dimension.as_str(),
            encode(key),
            figure.as_str()
        )
    };
    let cells = |f: &KpiFigures, key: Option<&str>| -> Vec<Cell> {
        COLUMNS
            .iter()
            .map(|(_, text, figure)| {
                let link = match (figure, key) {
                    (Some(figure), Some(key)) => Some(drill(key, *figure)),
                    _ => None,
                };
                (text(f), link)
            })
            .collect()
    };
    // Codes (channels, categories) read in the page's language.
    let name_of = |name: &str| match report.dimension {
        Dimension::Channel | Dimension::Category => label(tr, name),
        _ => name.to_string(),
    };
    let mut rows: Vec<KpiTableRow> = report
        .rows
        .iter()
        .map(|r| KpiTableRow {
            name: name_of(&r.name),
            cells: cells(&r.figures, Some(&r.key)),
        })
        .collect();
    if report.dimension != Dimension::All {
        rows.push(KpiTableRow {
            name: w.total.to_string(),
            cells: cells(&report.total, None),
        });
    }
    // The tiles: the whole scope's cells of some columns (linked when the page shows the
    // whole centre), and the complaint rate, which needs the parcels.
    let total = &report.total;
    let whole = (report.dimension == Dimension::All).then_some("");
    let total_cells = cells(total, whole);
    let tile = |i: usize| (COLUMNS[i].0(&w), total_cells[i].clone());
    let mut tiles: Vec<(&'static str, Cell)> = TILE_COLUMNS.iter().map(|&i| tile(i)).collect();
    tiles.push((
        w.per_10k,
        (
            report
                .parcels
                .and_then(|p| total.complaints_per_10k(p))
                .map_or_else(|| "—".into(), |v| format!("{v:.2}")),
            whole.map(|k| drill(k, KpiFigure::Complaints)),
        ),
    ));
    tiles.push(tile(OPEN_COLUMN));
    let join = |f: &dyn Fn(&kefu_model::kpi::CaseTally) -> i64| {
        report
            .series
            .iter()
            .map(|(_, t)| f(t).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut ageing: Vec<AgeingRow> = report
        .ageing
        .iter()
        .map(|(_, name, a)| AgeingRow {
            name: name_of(name),
            cells: [a.under_1d, a.d1_to_3, a.d3_to_7, a.over_7d, a.total()],
        })
        .collect();
    let t = &report.ageing_total;
    ageing.push(AgeingRow {
        name: w.total.to_string(),
        cells: [t.under_1d, t.d1_to_3, t.d3_to_7, t.over_7d, t.total()],
    });
    let zone = state.desk.time_zone();
    let midnight = |d: Date| zone.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()));
    let phone_rows = match (midnight(from), midnight(to)) {
        (Ok(a), Ok(b)) => super::calls::queue_rows(&state, &s.actor, a, b).await,
        _ => Vec::new(),
    };
    let mut chrome = page.chrome;
    chrome.charts = Some((
        crate::assets::url("uplot.min.css"),
        crate::assets::url("uplot.min.js"),
    ));
    render(&KpisPage {
        from: from.to_string(),
        to: to.to_string(),
        by: Dimension::ALL
            .iter()
            .map(|d| {
                (
                    d.as_str(),
                    dimension_label(lang, *d),
                    *d == report.dimension,
                )
            })
            .collect(),
        granularity: Granularity::ALL
            .iter()
            .map(|g| {
                (
                    g.as_str(),
                    granularity_label(lang, *g),
                    *g == report.granularity,
                )
            })
            .collect(),
        csv: format!("/console/kpis.csv?{query}"),
        xlsx: format!("/console/kpis.xlsx?{query}"),
        schedules: kefu_desk::reports::may_schedule_reports(s.actor.role),
        tiles,
        heads: COLUMNS.iter().map(|(head, _, _)| head(&w)).collect(),
        rows,
        ageing,
        series_days: report
            .series
            .iter()
            .map(|(d, _)| d.strftime("%m-%d").to_string())
            .collect::<Vec<_>>()
            .join(","),
        series_cases: join(&|t| t.cases),
        series_resolved: join(&|t| t.resolved),
        empty: report.total.tally.cases == 0,
        phone_rows,
        phone: super::calls::words(lang),
        w,
        chrome,
    })
}

/// `GET /console/kpis.csv`: the table as CSV.
pub async fn kpis_csv(
    State(state): State<AppState>,
    s: UiSession,
    Query(p): Query<KpiParams>,
) -> Response {
    kpis_file(&state, &s, &p, ReportFileFormat::Csv).await
}

/// `GET /console/kpis.xlsx`: the report as a workbook.
pub async fn kpis_xlsx(
    State(state): State<AppState>,
    s: UiSession,
    Query(p): Query<KpiParams>,
) -> Response {
    kpis_file(&state, &s, &p, ReportFileFormat::Xlsx).await
}

async fn kpis_file(
    state: &AppState,
    s: &UiSession,
    p: &KpiParams,
    format: ReportFileFormat,
) -> Response {
    match report_of(state, s, p).await {
        Ok(report) => match crate::figures::report_download(&report, format) {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        Err(e) => error_page(s.tr, Some(s), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct CasesParams {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    figure: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

pub struct CaseLine {
    pub number: String,
    pub href: String,
    pub subject: String,
    pub status: String,
    pub received: String,
}

#[derive(Template)]
#[template(path = "kpi_cases.html")]
pub struct KpiCasesPage {
    pub chrome: Chrome,
    pub w: KpiWords,
    pub heading: String,
    pub back: String,
    pub cases: Vec<CaseLine>,
    pub more: Option<String>,
}

/// Cases listed on one page of a drill-down.
const CASES_PER_PAGE: u32 = 50;

/// `GET /console/kpis/cases`: the cases behind one figure.
pub async fn kpi_cases_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<CasesParams>,
) -> Response {
    let s = &page.s;
    let tr = s.tr;
    // No figure named (the language switch keeps the path only): the report itself.
    if p.figure.is_none() {
        return super::redirect("/console/kpis");
    }
    let params = KpiParams {
        from: p.from.clone(),
        to: p.to.clone(),
        by: p.by.clone(),
        granularity: None,
    };
    let found = async {
        let (from, to, by, _) = parse_report_params(&state, &params)?;
        let figure = p
            .figure
            .as_deref()
            .and_then(KpiFigure::parse)
            .ok_or_else(|| DomainError::invalid("figure", "a figure"))?;
        let key = p.key.clone().unwrap_or_default();
        let cases = state
            .desk
            .kpi_cases(
                &s.actor,
                by,
                &key,
                from,
                to,
                figure,
                p.cursor.as_deref(),
                CASES_PER_PAGE,
            )
            .await?;
        Ok::<_, DomainError>((from, to, by, key, figure, cases))
    }
    .await;
    let (from, to, by, key, figure, cases) = match found {
        Ok(f) => f,
        Err(e) => return error_page(tr, Some(s), &e),
    };
    let w = words(tr.lang);
    let zone = state.desk.time_zone();
    let more = (cases.len() == CASES_PER_PAGE as usize)
        .then(|| cases.last())
        .flatten()
        .map(|last| {
            format!(
                "/console/kpis/cases?from={from}&to={to}&by={}&key={}&figure={}&cursor={}",
                by.as_str(),
                encode(&key),
                figure.as_str(),
                last.id
            )
        });
    let lines = cases
        .iter()
        .map(|c| CaseLine {
            number: c.number.clone(),
            href: format!("/cases/{}", c.id),
            subject: c.subject.clone(),
            status: label(tr, c.status.as_str()),
            received: super::pages::local(c.received_at, zone),
        })
        .collect();
    render(&KpiCasesPage {
        heading: format!("{} · {} · {from} – {to}", w.behind, figure.as_str()),
        back: format!("/console/kpis?from={from}&to={to}&by={}", by.as_str()),
        cases: lines,
        more,
        w,
        chrome: page.chrome,
    })
}
