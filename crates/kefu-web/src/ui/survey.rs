//! The satisfaction console pages: the figures by a dimension against the target with a chart
//! of the daily rate, each figure a link to the cases behind it; the follow-up (回访) queue and
//! its outcome form; the survey settings form; and the customer's public survey page.

use std::collections::HashMap;

use jiff::civil::Date;
use kefu_model::survey::SurveyDimension;

use super::i18n::{Lang, category_label, channel_label};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_model::DomainError;
use kefu_model::survey::{
    AnswerDraft, FollowUpOutcome, FollowUpState, SURVEY_SETTING, SurveyFigure, SurveySettings,
    SurveyWay,
};

use super::extract::{CsrfForm, StaffPage};
use super::i18n::{
    SurveyWords, Tr, follow_up_outcome_label, follow_up_state_label, survey_dimension_label,
    survey_way_label, survey_words,
};
use super::pages::{Chrome, Opt};
use super::portal::{ClientIp, PortalChrome, csrf_ok, finish, limited, visit};
use super::{encode, error_page, redirect, render};
use crate::views::{SatisfactionView, SurveyTallyView};

/// The name a dimension's value goes by: a person's or team's name, a code's label (zh-CN,
/// the console's first language), a grade, a day.
pub(crate) fn key_label(
    lang: Lang,
    dimension: SurveyDimension,
    key: &str,
    names: &HashMap<String, String>,
) -> String {
    match dimension {
        SurveyDimension::Agent | SurveyDimension::Team if key.is_empty() => {
            lang.pick("（无）", "(none)").to_string()
        }
        SurveyDimension::Agent | SurveyDimension::Team => {
            names.get(key).cloned().unwrap_or_else(|| key.to_string())
        }
        SurveyDimension::Channel => kefu_model::Channel::parse(key)
            .map(|c| channel_label(lang, c).to_string())
            .unwrap_or_else(|| key.to_string()),
        SurveyDimension::Category => kefu_model::Category::parse(key)
            .map(|c| category_label(lang, c).to_string())
            .unwrap_or_else(|| key.to_string()),
        SurveyDimension::Grade => format!("{}{key}", lang.pick("等级 ", "grade ")),
        SurveyDimension::Day => key.to_string(),
    }
}

/// The figures as the API and the page show them.
pub(crate) async fn satisfaction(
    state: &AppState,
    actor: &kefu_model::Actor,
    lang: Lang,
    from: Date,
    to: Date,
    by: SurveyDimension,
) -> Result<SatisfactionView, DomainError> {
    let figures = state.desk.survey_figures(actor, from, to, by).await?;
    satisfaction_of(state, actor, lang, &figures).await
}

/// The figures as views, named for `actor`.
async fn satisfaction_of(
    state: &AppState,
    actor: &kefu_model::Actor,
    lang: Lang,
    figures: &kefu_desk::survey::SurveyFigures,
) -> Result<SatisfactionView, DomainError> {
    let (from, to, by) = (figures.from, figures.to, figures.dimension);
    let names = match by {
        SurveyDimension::Agent | SurveyDimension::Team => state.desk.people_names(actor).await?,
        _ => HashMap::new(),
    };
    let target = figures.target_percent;
    Ok(SatisfactionView {
        from,
        to,
        by,
        target: f64::from(target) / 100.0,
        own_only: figures.own_only,
        total: SurveyTallyView::of(
            &figures.total,
            lang.pick("合计", "Total").to_string(),
            target,
        ),
        rows: figures
            .rows
            .iter()
            .map(|t| SurveyTallyView::of(t, key_label(lang, by, &t.key, &names), target))
            .collect(),
        days: figures
            .days
            .iter()
            .map(|t| SurveyTallyView::of(t, t.key.clone(), target))
            .collect(),
    })
}

// ---- pages -------------------------------------------------------------------------------------

fn lang_of(tr: &Tr) -> Lang {
    tr.lang
}

/// A percentage with one decimal, or a dash.
fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// One figure cell: its text and the link to the cases behind it.
pub struct Cell {
    pub text: String,
    pub href: String,
}

pub struct FigureRow {
    pub label: String,
    pub rate: String,
    pub below: bool,
    pub response: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "satisfaction.html")]
pub struct SatisfactionPage {
    pub chrome: Chrome,
    pub w: &'static SurveyWords,
    pub from: String,
    pub to: String,
    pub dims: Vec<Opt>,
    pub by_label: &'static str,
    pub target: String,
    pub own_only: bool,
    pub total: FigureRow,
    pub rows: Vec<FigureRow>,
    /// The chart's days, rates (percent, empty for a day without answers) and target.
    pub chart_days: String,
    pub chart_rates: String,
    pub chart_target: String,
    pub follow_ups: bool,
    pub settings: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct PeriodParams {
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
}

/// The period asked for, else the last seven days up to today.
fn period(state: &AppState, p: &PeriodParams) -> Result<(Date, Date), DomainError> {
    super::orders::period_of(state, &p.from, &p.to)
}

fn dimension_of(p: &PeriodParams) -> Result<SurveyDimension, DomainError> {
    match p.by.as_deref().filter(|b| !b.is_empty()) {
        None => Ok(SurveyDimension::Agent),
        Some(b) => SurveyDimension::parse(b).ok_or_else(|| {
            DomainError::invalid("by", "agent, team, channel, category, grade or day")
        }),
    }
}

fn figure_row(
    t: &SurveyTallyView,
    raw: &kefu_model::survey::SurveyTally,
    drill: &dyn Fn(SurveyFigure) -> String,
) -> FigureRow {
    FigureRow {
        label: t.label.clone(),
        rate: percent(t.satisfaction_rate),
        below: t.satisfaction_rate.is_some() && !t.meets_target,
        response: percent(t.response_rate),
        cells: SurveyFigure::ALL
            .iter()
            .map(|&f| Cell {
                text: raw.count(f).to_string(),
                href: drill(f),
            })
            .collect(),
    }
}

/// `GET /console/satisfaction`: the figures by a dimension, the target marked, the daily rate
/// charted; every count links to the cases behind it.
pub async fn satisfaction_page(
    State(state): State<AppState>,
    mut page: StaffPage,
    Query(p): Query<PeriodParams>,
) -> Response {
    let s = &page.s;
    let tr = s.tr;
    let lang = lang_of(tr);
    let w = survey_words(lang);
    let result = async {
        let (from, to) = period(&state, &p)?;
        let by = dimension_of(&p)?;
        let figures = state.desk.survey_figures(&s.actor, from, to, by).await?;
        let view = satisfaction_of(&state, &s.actor, lang, &figures).await?;
        Ok::<_, DomainError>((from, to, by, figures, view))
    }
    .await;
    let (from, to, by, figures, view) = match result {
        Ok(r) => r,
        Err(e) => return error_page(tr, Some(s), &e),
    };
    let drill = |key: Option<&str>, f: SurveyFigure| {
        let mut href = format!(
            "/console/satisfaction/cases?from={from}&to={to}&figure={}",
            f.as_str()
        );
        if let Some(k) = key {
            href.push_str(&format!("&by={}&key={}", by.as_str(), encode(k)));
        }
        href
    };
    let total = figure_row(&view.total, &figures.total, &|f| drill(None, f));
    let rows = view
        .rows
        .iter()
        .zip(&figures.rows)
        .map(|(v, raw)| figure_row(v, raw, &|f| drill(Some(&raw.key), f)))
        .collect();
    let chart_days = figures
        .days
        .iter()
        .map(|d| d.key.clone())
        .collect::<Vec<_>>()
        .join(",");
    let chart_rates = figures
        .days
        .iter()
        .map(|d| {
            d.satisfaction_percent()
                .map_or_else(String::new, |r| format!("{r:.1}"))
        })
        .collect::<Vec<_>>()
        .join(",");
    page.chrome.charts = Some((
        crate::assets::url("uplot.min.css"),
        crate::assets::url("uplot.min.js"),
    ));
    let dims = SurveyDimension::ALL
        .iter()
        .map(|d| Opt {
            value: d.as_str().to_string(),
            label: survey_dimension_label(lang, *d).to_string(),
            selected: *d == by,
        })
        .collect();
    render(&SatisfactionPage {
        w,
        from: from.to_string(),
        to: to.to_string(),
        dims,
        by_label: survey_dimension_label(lang, by),
        target: format!("{}%", figures.target_percent),
        own_only: figures.own_only,
        total,
        rows,
        chart_days,
        chart_rates,
        chart_target: figures.target_percent.to_string(),
        follow_ups: kefu_desk::survey::may_follow_up(s.actor.role),
        settings: s.actor.role == kefu_model::Role::Admin,
        chrome: page.chrome,
    })
}

pub struct CaseLine {
    pub number: String,
    pub href: String,
    pub day: String,
    pub channel: String,
    pub agent: String,
    pub score: String,
    pub follow_up: String,
    pub due: String,
    pub overdue: bool,
    /// The follow-up is open or overdue (its outcome may be recorded).
    pub open: bool,
    pub case_id: String,
}

#[derive(Template)]
#[template(path = "satisfaction_cases.html")]
pub struct SatisfactionCasesPage {
    pub chrome: Chrome,
    pub w: &'static SurveyWords,
    pub heading: String,
    pub back: String,
    pub cases: Vec<CaseLine>,
}

fn local_time(state: &AppState, t: jiff::Timestamp) -> String {
    t.to_zoned_datetime(state.desk.time_zone().clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn case_line(
    state: &AppState,
    lang: Lang,
    r: &kefu_model::survey::SurveyRow,
    names: &HashMap<String, String>,
) -> CaseLine {
    let w = survey_words(lang);
    CaseLine {
        number: r.case_number.clone(),
        href: format!("/cases/{}", r.case_id),
        case_id: r.case_id.to_string(),
        day: r.day.to_string(),
        channel: channel_label(lang, r.channel).to_string(),
        agent: r
            .agent
            .as_ref()
            .and_then(|a| names.get(a.as_str()).cloned())
            .unwrap_or_else(|| w.none.to_string()),
        score: r.score.map_or_else(|| "—".to_string(), |s| format!("{s}★")),
        follow_up: r
            .follow_up
            .map(|f| follow_up_state_label(lang, f).to_string())
            .unwrap_or_default(),
        due: r
            .follow_up_due_at
            .map(|t| local_time(state, t))
            .unwrap_or_default(),
        overdue: r.follow_up == Some(FollowUpState::Overdue),
        open: matches!(
            r.follow_up,
            Some(FollowUpState::Open | FollowUpState::Overdue)
        ),
    }
}

/// `GET /console/satisfaction/cases`: the cases behind a figure (the same use case as the API).
pub async fn cases_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<PeriodParams>,
) -> Response {
    let s = &page.s;
    let lang = lang_of(s.tr);
    let w = survey_words(lang);
    let result = async {
        let (from, to) = period(&state, &p)?;
        let figure = match p.figure.as_deref().filter(|f| !f.is_empty()) {
            None => SurveyFigure::Surveyed,
            Some(f) => SurveyFigure::parse(f).ok_or_else(|| {
                DomainError::invalid("figure", "surveyed, answered, satisfied or poor")
            })?,
        };
        let dimension = match (&p.by, &p.key) {
            (Some(_), Some(key)) => Some((dimension_of(&p)?, key.clone())),
            _ => None,
        };
        let rows = state
            .desk
            .survey_cases(&s.actor, from, to, dimension.clone(), figure, None)
            .await?;
        let names = state.desk.people_names(&s.actor).await?;
        Ok::<_, DomainError>((from, to, figure, dimension, rows, names))
    }
    .await;
    let (from, to, figure, dimension, rows, names) = match result {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let figure_word = match figure {
        SurveyFigure::Surveyed => w.surveyed,
        SurveyFigure::Answered => w.answered,
        SurveyFigure::Satisfied => w.satisfied,
        SurveyFigure::Poor => w.poor,
    };
    let mut heading = format!("{} · {from} – {to} · {figure_word}", w.cases_title);
    if let Some((d, key)) = &dimension {
        heading.push_str(&format!(
            " · {}：{}",
            survey_dimension_label(lang, *d),
            key_label(lang, *d, key, &names)
        ));
    }
    render(&SatisfactionCasesPage {
        w,
        heading,
        back: format!(
            "/console/satisfaction?from={from}&to={to}&by={}",
            dimension.as_ref().map_or("agent", |(d, _)| d.as_str())
        ),
        cases: rows
            .iter()
            .map(|r| case_line(&state, lang, r, &names))
            .collect(),
        chrome: page.chrome,
    })
}

// ---- follow-ups ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "follow_ups.html")]
pub struct FollowUpsPage {
    pub chrome: Chrome,
    pub w: &'static SurveyWords,
    pub cases: Vec<CaseLine>,
    pub outcomes: Vec<Opt>,
    pub closed: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct FollowUpParams {
    #[serde(default)]
    closed: Option<String>,
}

/// `GET /console/follow-ups`: open follow-ups, overdue first, each with its outcome form.
pub async fn follow_ups_page(
    State(state): State<AppState>,
    page: StaffPage,
    Query(p): Query<FollowUpParams>,
) -> Response {
    let s = &page.s;
    let lang = lang_of(s.tr);
    let closed = p.closed.as_deref() == Some("1");
    let rows = match state.desk.follow_ups(&s.actor, closed, None).await {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let names = match state.desk.people_names(&s.actor).await {
        Ok(n) => n,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    render(&FollowUpsPage {
        w: survey_words(lang),
        cases: rows
            .iter()
            .map(|r| case_line(&state, lang, r, &names))
            .collect(),
        outcomes: FollowUpOutcome::ALL
            .iter()
            .map(|o| Opt {
                value: o.as_str().to_string(),
                label: follow_up_outcome_label(lang, *o).to_string(),
                selected: false,
            })
            .collect(),
        closed,
        chrome: page.chrome,
    })
}

#[derive(serde::Deserialize)]
pub struct OutcomeForm {
    outcome: FollowUpOutcome,
    #[serde(default)]
    note: String,
    /// Where to go back to: the queue (default) or the case page.
    #[serde(default)]
    back: String,
}

/// `POST /console/follow-ups/{id}`: records a follow-up's outcome.
pub async fn record_outcome(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<OutcomeForm>,
) -> Response {
    match state
        .desk
        .close_follow_up(&s.actor, &id, form.outcome, &form.note)
        .await
    {
        Ok(case) if form.back == "case" => redirect(&format!("/cases/{}", case.id)),
        Ok(_) => redirect("/console/follow-ups"),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

// ---- settings --------------------------------------------------------------------------------

pub struct ChannelBox {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "survey_settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub w: &'static SurveyWords,
    pub channels: Vec<ChannelBox>,
    pub poor_reasons: String,
    pub good_reasons: String,
    pub satisfied_from: String,
    pub poor_up_to: String,
    pub follow_up_hours: String,
    pub follow_up_calendar: String,
    pub valid_days: String,
    pub target_percent: String,
    pub error: Option<String>,
    pub saved: bool,
}

fn settings_page(
    chrome: Chrome,
    lang: Lang,
    st: &SurveySettings,
    error: Option<String>,
    saved: bool,
) -> SettingsPage {
    SettingsPage {
        chrome,
        w: survey_words(lang),
        channels: kefu_model::Channel::ALL
            .iter()
            .map(|c| ChannelBox {
                code: c.as_str(),
                label: channel_label(lang, *c),
                checked: st.channels.contains(c),
            })
            .collect(),
        poor_reasons: st.poor_reasons.join("\n"),
        good_reasons: st.good_reasons.join("\n"),
        satisfied_from: st.satisfied_from.to_string(),
        poor_up_to: st.poor_up_to.to_string(),
        follow_up_hours: st.follow_up_hours.to_string(),
        follow_up_calendar: st.follow_up_calendar.clone(),
        valid_days: st.valid_days.to_string(),
        target_percent: st.target_percent.to_string(),
        error,
        saved,
    }
}

/// `GET /console/survey-settings` (admins).
pub async fn settings_get(
    State(state): State<AppState>,
    page: StaffPage,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = &page.s;
    let st: SurveySettings = match state.desk.get_setting(&s.actor, SURVEY_SETTING).await {
        Ok(v) => serde_json::from_value(v).unwrap_or_default(),
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    if s.actor.role != kefu_model::Role::Admin {
        return error_page(
            s.tr,
            Some(s),
            &DomainError::Forbidden("only admins change settings".into()),
        );
    }
    let lang = lang_of(s.tr);
    render(&settings_page(
        page.chrome,
        lang,
        &st,
        None,
        q.contains_key("saved"),
    ))
}

/// The settings as typed in the form (numbers that do not parse are refused by name).
fn typed_settings(form: &HashMap<String, String>) -> Result<SurveySettings, DomainError> {
    let lines = |k: &str| -> Vec<String> {
        form.get(k)
            .map(|v| {
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    fn number<T: std::str::FromStr>(
        form: &HashMap<String, String>,
        k: &str,
    ) -> Result<T, DomainError> {
        form.get(k)
            .map(|v| v.trim())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| DomainError::invalid(k, "a whole number"))
    }
    Ok(SurveySettings {
        channels: kefu_model::Channel::ALL
            .iter()
            .filter(|c| form.contains_key(&format!("channel_{}", c.as_str())))
            .copied()
            .collect(),
        poor_reasons: lines("poor_reasons"),
        good_reasons: lines("good_reasons"),
        satisfied_from: number(form, "satisfied_from")?,
        poor_up_to: number(form, "poor_up_to")?,
        follow_up_hours: number(form, "follow_up_hours")?,
        follow_up_calendar: form
            .get("follow_up_calendar")
            .map(|v| v.trim().to_string())
            .unwrap_or_default(),
        valid_days: number(form, "valid_days")?,
        target_percent: number(form, "target_percent")?,
    })
}

/// `POST /console/survey-settings`: a refused form comes back as typed with the reason.
pub async fn settings_post(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(s.tr);
    let attempt = async {
        let typed = typed_settings(&form)?;
        let value = serde_json::to_value(&typed)
            .map_err(|e| DomainError::invalid("settings", e.to_string()))?;
        state
            .desk
            .put_setting(&s.actor, SURVEY_SETTING, value)
            .await?;
        Ok::<_, DomainError>(())
    }
    .await;
    match attempt {
        Ok(()) => redirect("/console/survey-settings?saved=1"),
        Err(e @ DomainError::Invalid { .. }) => {
            let chrome = match super::pages::nav(&state, &s, "/console/survey-settings").await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, Some(&s), &e),
            };
            let shown = typed_settings(&form).unwrap_or_default();
            let mut r = render(&settings_page(
                chrome,
                lang,
                &shown,
                Some(crate::error::public_message(&e)),
                false,
            ));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

// ---- the customer's survey page --------------------------------------------------------------

pub struct ReasonBox {
    pub name: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "survey_page.html")]
pub struct SurveyPage {
    pub p: PortalChrome,
    pub w: &'static SurveyWords,
    pub token: String,
    /// None: not found.
    pub case_number: Option<String>,
    pub subject: String,
    pub expired: bool,
    /// The answer given: score and the words for it.
    pub answered: Option<(u8, String)>,
    pub scores: Vec<(u8, &'static str)>,
    pub poor_reasons: Vec<ReasonBox>,
    pub good_reasons: Vec<ReasonBox>,
    pub satisfied_from: u8,
    pub error: Option<String>,
}

fn survey_page(
    p: PortalChrome,
    token: &str,
    form: Option<&kefu_desk::survey::SurveyForm>,
    error: Option<String>,
) -> SurveyPage {
    let w = survey_words(p.tr.lang);
    let boxes = |prefix: &str, list: &[String]| {
        list.iter()
            .enumerate()
            .map(|(i, r)| ReasonBox {
                name: format!("{prefix}{i}"),
                text: r.clone(),
            })
            .collect()
    };
    SurveyPage {
        w,
        token: token.to_string(),
        case_number: form.map(|f| f.case_number.clone()),
        subject: form.map(|f| f.subject.clone()).unwrap_or_default(),
        expired: form.is_some_and(|f| f.expired),
        answered: form.and_then(|f| f.answer.as_ref()).map(|a| {
            let words = w.scores[usize::from(a.score.clamp(1, 5) - 1)];
            (a.score, words.to_string())
        }),
        scores: (1..=5u8)
            .rev()
            .map(|n| (n, w.scores[usize::from(n - 1)]))
            .collect(),
        poor_reasons: form.map_or_else(Vec::new, |f| boxes("poor_", &f.poor_reasons)),
        good_reasons: form.map_or_else(Vec::new, |f| boxes("good_", &f.good_reasons)),
        satisfied_from: form.map_or(4, |f| f.satisfied_from),
        error,
        p,
    }
}

/// `GET /survey/{token}`: the customer's survey (no sign-in: the link is the proof); an
/// unknown link is a clear 404 page, an expired one says so.
pub async fn survey_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Path(token): Path<String>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    let v = visit(&headers, "/portal");
    let r = match state.desk.survey_form(&token).await {
        Ok(form) => render(&survey_page(v.chrome.clone(), &token, Some(&form), None)),
        Err(_) => {
            let mut r = render(&survey_page(v.chrome.clone(), &token, None, None));
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
    };
    finish(&v, &headers, r)
}

/// `POST /survey/{token}`: the answer from the page.
pub async fn survey_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Path(token): Path<String>,
    axum::extract::Form(form): axum::extract::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    if !csrf_ok(&headers, &form) {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    }
    let v = visit(&headers, "/portal");
    let score = form
        .get("score")
        .and_then(|s| s.trim().parse::<u8>().ok())
        .unwrap_or(0);
    let current = match state.desk.survey_form(&token).await {
        Ok(f) => f,
        Err(_) => {
            let mut r = render(&survey_page(v.chrome.clone(), &token, None, None));
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
    };
    // The reasons ticked from the list that goes with the score chosen.
    let (prefix, list) = if score >= current.satisfied_from {
        ("good_", &current.good_reasons)
    } else {
        ("poor_", &current.poor_reasons)
    };
    let reasons = list
        .iter()
        .enumerate()
        .filter(|(i, _)| form.contains_key(&format!("{prefix}{i}")))
        .map(|(_, r)| r.clone())
        .collect();
    let draft = AnswerDraft {
        score,
        reasons,
        comment: form.get("comment").cloned().unwrap_or_default(),
    };
    let r = match state
        .desk
        .answer_survey(&token, draft, SurveyWay::Page)
        .await
    {
        Ok(_) => match state.desk.survey_form(&token).await {
            Ok(f) => render(&survey_page(v.chrome.clone(), &token, Some(&f), None)),
            Err(e) => error_text(&e),
        },
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => {
            let mut r = render(&survey_page(
                v.chrome.clone(),
                &token,
                Some(&current),
                Some(crate::error::public_message(&e)),
            ));
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
        Err(_) => {
            let mut r = render(&survey_page(v.chrome.clone(), &token, Some(&current), None));
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
    };
    finish(&v, &headers, r)
}

fn error_text(e: &DomainError) -> Response {
    (crate::error::status_of(e), crate::error::public_message(e)).into_response()
}

/// The case page's satisfaction panel.
pub struct CasePanel {
    pub score: Option<String>,
    pub reasons: String,
    pub comment: String,
    pub via: String,
    pub follow_up: Option<FollowUpPanel>,
}

pub struct FollowUpPanel {
    pub state: String,
    pub overdue: bool,
    pub due: String,
    pub open: bool,
    pub outcome: String,
    pub note: String,
    pub may_record: bool,
    pub outcomes: Vec<Opt>,
}

/// What the case page shows of the survey, if the case was surveyed or rated.
pub fn case_panel(
    state: &AppState,
    lang: Lang,
    actor: &kefu_model::Actor,
    case: &kefu_model::Case,
) -> Option<CasePanel> {
    let survey = case.survey.as_ref();
    if survey.is_none() && case.rating.is_none() {
        return None;
    }
    let answer = survey.and_then(|s| s.answer.as_ref());
    let w = survey_words(lang);
    Some(CasePanel {
        score: case
            .rating
            .map(|r| format!("{r}★ {}", w.scores[usize::from(r.clamp(1, 5) - 1)])),
        reasons: answer.map(|a| a.reasons.join("、")).unwrap_or_default(),
        comment: answer.map(|a| a.comment.clone()).unwrap_or_default(),
        via: answer
            .map(|a| survey_way_label(lang, a.via).to_string())
            .unwrap_or_default(),
        follow_up: survey
            .and_then(|s| s.follow_up.as_ref())
            .map(|f| FollowUpPanel {
                state: follow_up_state_label(lang, f.state).to_string(),
                overdue: f.state == FollowUpState::Overdue,
                due: local_time(state, f.due_at),
                open: f.is_open(),
                outcome: f
                    .outcome
                    .map(|o| follow_up_outcome_label(lang, o).to_string())
                    .unwrap_or_default(),
                note: f.note.clone(),
                may_record: kefu_desk::survey::may_follow_up(actor.role),
                outcomes: FollowUpOutcome::ALL
                    .iter()
                    .map(|o| Opt {
                        value: o.as_str().to_string(),
                        label: follow_up_outcome_label(lang, *o).to_string(),
                        selected: false,
                    })
                    .collect(),
            }),
    })
}
