//! `/console/reports`: scheduled reports — the key figures of the period just ended, mailed as
//! a spreadsheet every day, week or month — with the form to add one, and per schedule send
//! now, pause or resume, and remove.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kefu_model::DomainError;
use kefu_model::ids::ReportScheduleId;
use kefu_model::kpi::Dimension;
use kefu_model::report_schedule::{ReportSchedule, ReportScheduleDraft};

use super::extract::{CsrfForm, FormRefused, NoFields};
use super::i18n::Lang;
use super::pages::{Chrome, local, nav};
use super::{UiSession, error_page, redirect, render};
use crate::AppState;

pub struct ReportWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub none: &'static str,
    pub name: &'static str,
    pub recipients: &'static str,
    pub recipients_hint: &'static str,
    pub by: &'static str,
    pub frequency: &'static str,
    pub hour: &'static str,
    pub format: &'static str,
    pub next_run: &'static str,
    pub last_run: &'static str,
    pub add: &'static str,
    pub send_now: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub remove: &'static str,
    pub paused: &'static str,
    pub back: &'static str,
}

pub fn words(lang: Lang) -> ReportWords {
    let p = |zh, en| lang.pick(zh, en);
    ReportWords {
        title: p("定时报表", "Scheduled reports"),
        intro: p(
            "按日、周或月把上一周期的绩效指标以 Excel 或 CSV 附件发到邮箱（从第一个启用的邮箱发出），内容与您在绩效指标页看到的一致。",
            "The key figures of the period just ended, mailed daily, weekly or monthly as an Excel or CSV attachment (from the first enabled mailbox); the same figures you see on the key figures page.",
        ),
        none: p("还没有定时报表。", "No scheduled reports yet."),
        name: p("名称", "Name"),
        recipients: p("收件人", "Recipients"),
        recipients_hint: p(
            "每行或逗号分隔一个邮箱，最多 20 个",
            "One address per line or comma, at most 20",
        ),
        by: p("维度", "By"),
        frequency: p("频率", "Frequency"),
        hour: p("发送时刻（时）", "Hour sent"),
        format: p("格式", "Format"),
        next_run: p("下次发送", "Next run"),
        last_run: p("上次发送", "Last run"),
        add: p("添加", "Add"),
        send_now: p("立即发送", "Send now"),
        pause: p("暂停", "Pause"),
        resume: p("恢复", "Resume"),
        remove: p("删除", "Remove"),
        paused: p("已暂停", "Paused"),
        back: p("返回绩效指标", "Back to the key figures"),
    }
}

fn frequency_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "daily" => lang.pick("每日（前一天）", "Daily (the day before)"),
        "weekly" => lang.pick("每周一（上周）", "Mondays (the week before)"),
        _ => lang.pick("每月 1 日（上月）", "The 1st (the month before)"),
    }
}

fn outcome_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "sent" => lang.pick("已发送", "sent"),
        "failed" => lang.pick("失败，30 分钟后重试", "failed, retried in 30 minutes"),
        _ => lang.pick("失败 3 次，等下次", "failed 3 times, next run goes on"),
    }
}

pub struct ScheduleRow {
    pub id: String,
    pub name: String,
    pub recipients: String,
    pub by: &'static str,
    pub frequency: &'static str,
    pub hour: u8,
    pub format: &'static str,
    pub active: bool,
    pub next_run: String,
    pub last_run: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub w: ReportWords,
    pub rows: Vec<ScheduleRow>,
    pub refused: Option<String>,
    pub dimensions: Vec<(&'static str, &'static str)>,
    pub frequencies: Vec<(&'static str, &'static str)>,
}

async fn page(state: &AppState, s: &UiSession, refused: Option<String>) -> Response {
    let lang = s.tr.lang;
    let zone = state.desk.time_zone();
    let chrome = match nav(state, s, "/console/kpis").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let schedules = match state.desk.report_schedules(&s.actor).await {
        Ok(all) => all,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let row = |r: &ReportSchedule| ScheduleRow {
        id: r.id.to_string(),
        name: r.name.clone(),
        recipients: r.recipients.join(", "),
        by: super::kpis::dimension_label(lang, r.by),
        frequency: frequency_label(lang, r.frequency.as_str()),
        hour: r.hour,
        format: r.format.as_str(),
        active: r.active,
        next_run: local(r.next_run_at, zone),
        last_run: r
            .last_run
            .as_ref()
            .map(|run| {
                let mut text = format!(
                    "{} · {} – {} · {}",
                    local(run.at, zone),
                    run.from,
                    run.to,
                    outcome_label(lang, run.outcome.as_str())
                );
                if let Some(error) = &run.error {
                    text.push_str(&format!(" ({error})"));
                }
                text
            })
            .unwrap_or_else(|| "—".into()),
    };
    let mut r = render(&ReportsPage {
        rows: schedules.iter().map(row).collect(),
        refused: refused.clone(),
        dimensions: Dimension::ALL
            .iter()
            .map(|d| (d.as_str(), super::kpis::dimension_label(lang, *d)))
            .collect(),
        frequencies: ["daily", "weekly", "monthly"]
            .into_iter()
            .map(|f| (f, frequency_label(lang, f)))
            .collect(),
        w: words(lang),
        chrome,
    });
    if refused.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// `GET /console/reports`.
pub async fn reports_page(State(state): State<AppState>, s: UiSession) -> Response {
    page(&state, &s, None).await
}

/// After a form: the list again, or the page with the refusal (422).
async fn settle(state: &AppState, s: &UiSession, outcome: Result<(), DomainError>) -> Response {
    match outcome {
        Ok(()) => redirect("/console/reports"),
        Err(e @ (DomainError::Forbidden(_) | DomainError::Unauthenticated)) => {
            error_page(s.tr, Some(s), &e)
        }
        Err(e) => page(state, s, Some(crate::error::public_message(&e))).await,
    }
}

/// `POST /console/reports`: a new schedule.
pub async fn add_schedule(
    State(state): State<AppState>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let CsrfForm { s, form: f, .. } = match posted {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let fields = super::extract::Fields(&f);
    let field = |name: &str| fields.text(name);
    let outcome = async {
        let hour = fields.value::<i64>("hour", "a local hour, 0 to 23")?;
        let draft = ReportScheduleDraft {
            name: field("name"),
            recipients: field("recipients")
                .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            by: field("by"),
            frequency: field("frequency"),
            hour,
            format: field("format"),
            active: true,
        };
        state
            .desk
            .create_report_schedule(&s.actor, &draft)
            .await
            .map(|_| ())
    }
    .await;
    settle(&state, &s, outcome).await
}

fn schedule_id(raw: &str) -> Result<ReportScheduleId, DomainError> {
    ReportScheduleId::parse(raw).ok_or_else(|| DomainError::NotFound("report schedule".into()))
}

/// `POST /console/reports/{id}/{action}`: `send`, `pause`, `resume` or `delete`.
pub async fn act_on_schedule(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    posted: Result<CsrfForm<NoFields>, FormRefused>,
) -> Response {
    let s = match posted {
        Ok(CsrfForm { s, .. }) => s,
        Err(refused) => return refused.into_response(),
    };
    let outcome = async {
        let id = schedule_id(&id)?;
        let desk = &state.desk;
        match action.as_str() {
            "send" => desk.send_report_now(&s.actor, &id).await.map(|_| ()),
            "delete" => desk.delete_report_schedule(&s.actor, &id).await,
            "pause" | "resume" => {
                let current = desk.report_schedule(&s.actor, &id).await?;
                let draft = ReportScheduleDraft {
                    name: current.name,
                    recipients: current.recipients,
                    by: current.by.as_str().to_string(),
                    frequency: current.frequency.as_str().to_string(),
                    hour: i64::from(current.hour),
                    format: current.format.as_str().to_string(),
                    active: action == "resume",
                };
                desk.change_report_schedule(&s.actor, &id, &draft)
                    .await
                    .map(|_| ())
            }
            _ => Err(DomainError::NotFound("action".into())),
        }
    }
    .await;
    settle(&state, &s, outcome).await
}
