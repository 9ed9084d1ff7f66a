//! The staffing planner's page `/console/staffing?day=` (supervisors and admins): a day's
//! forecast basis in words, needed against planned agents per half-hour (a uPlot chart of the
//! totals and a table per channel with the gaps marked), the schedule's forms (48 half-hours
//! per channel; copy the day to other days of its week), the promotion days and the settings.
//! Every form calls the same `Desk` use cases as the API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use jiff::Span;
use jiff::civil::{Date, Weekday};
use kefu_desk::staffing::DayPlan;
use kefu_model::Channel;
use kefu_model::DomainError;
use kefu_model::staffing::{Basis, BasisRule, PromotionDay, SLOTS, StaffingSettings, slot_label};
use serde::Deserialize;

use super::extract::{CsrfForm, FormRefused, NoFields, optional_day};
use super::i18n::Lang;
use super::i18n::label;
use super::pages::{Chrome, nav};
use super::{UiSession, error_page, redirect, render};
use crate::AppState;

/// The page's words, zh-CN first.
pub struct StaffingWords {
    pub title: &'static str,
    pub day: &'static str,
    pub show: &'static str,
    pub chart: &'static str,
    pub needed: &'static str,
    pub planned: &'static str,
    pub forecast: &'static str,
    pub time: &'static str,
    pub gap: &'static str,
    pub service_level: &'static str,
    pub shortfalls: &'static str,
    pub save_plan: &'static str,
    pub new_plan: &'static str,
    pub channel: &'static str,
    pub copy_title: &'static str,
    pub copy: &'static str,
    pub promotions: &'static str,
    pub name: &'static str,
    pub multiplier: &'static str,
    pub like_date: &'static str,
    pub add: &'static str,
    pub remove: &'static str,
    pub no_promotions: &'static str,
    pub settings: &'static str,
    pub target_secs: &'static str,
    pub shrinkage: &'static str,
    pub occupancy: &'static str,
    pub weeks: &'static str,
    pub save: &'static str,
    pub nothing: &'static str,
    pub mode_words: &'static str,
}

pub fn words(lang: Lang) -> StaffingWords {
    let p = |zh, en| lang.pick(zh, en);
    StaffingWords {
        title: p("排班计划", "Staffing planner"),
        day: p("日期", "Day"),
        show: p("查看", "Show"),
        chart: p(
            "需要与已排人数（全部渠道，每半小时）",
            "Needed and planned agents (all channels, per half-hour)",
        ),
        needed: p("需要", "Needed"),
        planned: p("已排", "Planned"),
        forecast: p("预测进线", "Forecast"),
        time: p("时段", "Time"),
        gap: p("差额", "Gap"),
        service_level: p("预计服务水平", "Expected service level"),
        shortfalls: p("缺口时段", "Half-hours short"),
        save_plan: p("保存排班", "Save plan"),
        new_plan: p("为其他渠道排班", "Plan another channel"),
        channel: p("渠道", "Channel"),
        copy_title: p("复制本日排班到", "Copy this day's plan to"),
        copy: p("复制", "Copy"),
        promotions: p("促销日", "Promotion days"),
        name: p("名称", "Name"),
        multiplier: p("倍数", "Multiplier"),
        like_date: p("参照日期", "Like date"),
        add: p("添加", "Add"),
        remove: p("删除", "Remove"),
        no_promotions: p("尚无促销日", "No promotion days yet"),
        settings: p("参数", "Settings"),
        target_secs: p("目标接通秒数", "Answer within (s)"),
        shrinkage: p("损耗率 %", "Shrinkage %"),
        occupancy: p("邮件/表单占用率 %", "Occupancy for mail and forms %"),
        weeks: p("历史周数", "Weeks of history"),
        save: p("保存", "Save"),
        nothing: p(
            "当天没有预测也没有排班",
            "Nothing forecast or planned for this day",
        ),
        mode_words: p(
            "电话按 Erlang C；在线与微信按并发会话；邮件、网页与 API 按工作量；另加损耗。",
            "Phone by Erlang C; chat and WeChat by concurrent sessions; mail, web and API by workload; shrinkage on top.",
        ),
    }
}

fn weekday_name(lang: Lang, w: Weekday, plural: bool) -> &'static str {
    match (w, lang, plural) {
        (Weekday::Monday, Lang::Zh, _) => "周一",
        (Weekday::Tuesday, Lang::Zh, _) => "周二",
        (Weekday::Wednesday, Lang::Zh, _) => "周三",
        (Weekday::Thursday, Lang::Zh, _) => "周四",
        (Weekday::Friday, Lang::Zh, _) => "周五",
        (Weekday::Saturday, Lang::Zh, _) => "周六",
        (Weekday::Sunday, Lang::Zh, _) => "周日",
        (Weekday::Monday, Lang::En, true) => "Mondays",
        (Weekday::Tuesday, Lang::En, true) => "Tuesdays",
        (Weekday::Wednesday, Lang::En, true) => "Wednesdays",
        (Weekday::Thursday, Lang::En, true) => "Thursdays",
        (Weekday::Friday, Lang::En, true) => "Fridays",
        (Weekday::Saturday, Lang::En, true) => "Saturdays",
        (Weekday::Sunday, Lang::En, true) => "Sundays",
        (Weekday::Monday, Lang::En, false) => "Mon",
        (Weekday::Tuesday, Lang::En, false) => "Tue",
        (Weekday::Wednesday, Lang::En, false) => "Wed",
        (Weekday::Thursday, Lang::En, false) => "Thu",
        (Weekday::Friday, Lang::En, false) => "Fri",
        (Weekday::Saturday, Lang::En, false) => "Sat",
        (Weekday::Sunday, Lang::En, false) => "Sun",
    }
}

/// The forecast's basis in words: "basis: 8 Mondays, excl. holidays and promotion days".
pub fn describe_basis(lang: Lang, day: Date, b: &Basis) -> String {
    let n = b.days.len();
    let zh = lang.is_zh();
    let mut text = if n == 0 && b.rule != BasisRule::LikeDate {
        if zh {
            "依据：没有可比的历史日，预测为 0".to_string()
        } else {
            "basis: no comparable past day; nothing expected".to_string()
        }
    } else {
        match (b.rule, zh) {
            (BasisRule::Weekday, true) => format!(
                "依据：近 {} 周的 {n} 个{}（不含节假日与促销日）",
                b.weeks,
                weekday_name(lang, day.weekday(), true)
            ),
            (BasisRule::Weekday, false) => format!(
                "basis: {n} {} of the last {} weeks, excl. holidays and promotion days",
                weekday_name(lang, day.weekday(), true),
                b.weeks
            ),
            (BasisRule::Workdays, true) => {
                format!("依据：调休上班日按工作日，近 {} 周的 {n} 个工作日", b.weeks)
            }
            (BasisRule::Workdays, false) => format!(
                "basis: a make-up workday counts as a workday: {n} workdays of the last {} weeks",
                b.weeks
            ),
            (BasisRule::Weekend, true) => {
                format!("依据：近 {} 周的 {n} 个周末日（不含节假日）", b.weeks)
            }
            (BasisRule::Weekend, false) => format!(
                "basis: {n} weekend days of the last {} weeks, excl. holidays",
                b.weeks
            ),
            (BasisRule::Holidays, true) => format!("依据：过去一年的 {n} 个法定节假日"),
            (BasisRule::Holidays, false) => {
                format!("basis: {n} public holidays of the past year")
            }
            (BasisRule::LikeDate, true) => format!(
                "依据：参照 {}",
                b.days.first().map(Date::to_string).unwrap_or_default()
            ),
            (BasisRule::LikeDate, false) => format!(
                "basis: like {}",
                b.days.first().map(Date::to_string).unwrap_or_default()
            ),
        }
    };
    if let Some(p) = &b.promotion {
        let m = b.multiplier();
        text.push_str(&if zh {
            format!("；促销日「{}」×{m}", p.name)
        } else {
            format!("; promotion day “{}” ×{m}", p.name)
        });
    }
    text
}

pub struct SlotRow {
    pub time: String,
    pub forecast: String,
    pub needed: u32,
    pub planned: u32,
    pub gap: i64,
    /// `short`, `over` or empty.
    pub class: &'static str,
    pub service_level: String,
}

pub struct ChannelBlock {
    pub code: &'static str,
    pub label: String,
    pub shortfalls: usize,
    pub rows: Vec<SlotRow>,
}

pub struct DayLink {
    pub href: String,
    pub label: String,
    pub date: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "staffing.html")]
pub struct StaffingPage {
    pub chrome: Chrome,
    pub w: StaffingWords,
    pub day: String,
    pub basis: String,
    pub week: Vec<DayLink>,
    pub refused: Option<String>,
    pub chart_labels: String,
    pub chart_needed: String,
    pub chart_planned: String,
    pub blocks: Vec<ChannelBlock>,
    /// Channels without a block, for the extra plan form: (code, label).
    pub other_channels: Vec<(&'static str, String)>,
    pub slot_times: Vec<String>,
    pub promotions: Vec<PromotionDay>,
    pub settings: StaffingSettings,
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    day: Option<String>,
}

fn week_of(day: Date) -> Vec<Date> {
    let monday = day
        .checked_sub(Span::new().days(i64::from(day.weekday().to_monday_zero_offset())))
        .unwrap_or(day);
    (0..7)
        .filter_map(|n| monday.checked_add(Span::new().days(n)).ok())
        .collect()
}

async fn show(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    day: Date,
    refused: Option<String>,
) -> Result<Response, DomainError> {
    let lang = s.tr.lang;
    let plan: DayPlan = state
        .desk
        .staffing_needs(&s.actor, day, 1, None)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DomainError::invalid("day", "a day in range"))?;
    let promotions = state.desk.promotion_days(&s.actor).await?;
    let settings = state.desk.staffing_settings(&s.actor).await?;
    let mut needed = [0u64; SLOTS];
    let mut planned = [0u64; SLOTS];
    let blocks: Vec<ChannelBlock> = plan
        .channels
        .iter()
        .map(|c| {
            for (i, slot) in c.slots.iter().enumerate() {
                needed[i] += u64::from(slot.needed);
                planned[i] += u64::from(slot.planned);
            }
            ChannelBlock {
                code: c.channel.as_str(),
                label: label(s.tr, c.channel.as_str()),
                shortfalls: c.shortfalls(),
                rows: c
                    .slots
                    .iter()
                    .enumerate()
                    .map(|(i, slot)| SlotRow {
                        time: slot_label(i),
                        forecast: format!("{:.1}", slot.forecast),
                        needed: slot.needed,
                        planned: slot.planned,
                        gap: slot.gap,
                        class: match slot.gap {
                            g if g < 0 => "short",
                            g if g > 0 => "over",
                            _ => "",
                        },
                        service_level: slot
                            .service_level
                            .map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0)),
                    })
                    .collect(),
            }
        })
        .collect();
    let join = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    let other_channels = Channel::ALL
        .iter()
        .filter(|c| !blocks.iter().any(|b| b.code == c.as_str()))
        .map(|c| (c.as_str(), label(s.tr, c.as_str())))
        .collect();
    let week = week_of(day)
        .into_iter()
        .map(|d| DayLink {
            href: format!("/console/staffing?day={d}"),
            label: format!(
                "{} {}",
                weekday_name(lang, d.weekday(), false),
                d.strftime("%m-%d")
            ),
            date: d.to_string(),
            current: d == day,
        })
        .collect();
    let page = StaffingPage {
        chrome,
        w: words(lang),
        day: day.to_string(),
        basis: describe_basis(lang, day, &plan.forecast.basis),
        week,
        refused: refused.clone(),
        chart_labels: (0..SLOTS).map(slot_label).collect::<Vec<_>>().join(","),
        chart_needed: join(&needed),
        chart_planned: join(&planned),
        blocks,
        other_channels,
        slot_times: (0..SLOTS).map(slot_label).collect(),
        promotions,
        settings,
    };
    let mut r = render(&page);
    if refused.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn page_for(state: &AppState, s: &UiSession, day: Date, refused: Option<String>) -> Response {
    let mut chrome = match nav(state, s, "/console/staffing").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    chrome.charts = Some((
        crate::assets::url("uplot.min.css"),
        crate::assets::url("uplot.min.js"),
    ));
    match show(state, s, chrome, day, refused).await {
        Ok(r) => r,
        Err(e) => error_page(s.tr, Some(s), &e),
    }
}

fn today(state: &AppState) -> Date {
    state.desk.time_zone().to_datetime(state.desk.now()).date()
}

/// `GET /console/staffing?day=`: the day (today by default).
pub async fn staffing_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<DayQuery>,
) -> Response {
    let day = match optional_day(q.day.as_deref(), "day") {
        Ok(d) => d.unwrap_or_else(|| today(&state)),
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    page_for(&state, &s, day, None).await
}

/// A posted form's session and fields, or the answer to give instead.
/// A posted form with its session and the day it is about (the `day` field, else today); a
/// refused post or a bad day answers at once.
fn posted_day(
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
    state: &AppState,
) -> Result<(UiSession, HashMap<String, String>, Date), Box<Response>> {
    let CsrfForm { s, form, .. } = posted.map_err(|r| Box::new(r.into_response()))?;
    match optional_day(form.get("day").map(String::as_str), "day") {
        Ok(day) => {
            let day = day.unwrap_or_else(|| today(state));
            Ok((s, form, day))
        }
        Err(e) => Err(Box::new(error_page(s.tr, Some(&s), &e))),
    }
}

/// A field's value, if filled in, read as `T` (`what` names it in the refusal).
fn optional<T: std::str::FromStr>(
    f: &HashMap<String, String>,
    field: &str,
    what: &str,
) -> Result<Option<T>, DomainError> {
    super::extract::optional_value(f.get(field).map(String::as_str), field, what)
}

/// After a form: back to its day, or the day again with the refusal (422).
async fn settle(
    state: &AppState,
    s: &UiSession,
    day: Date,
    outcome: Result<(), DomainError>,
) -> Response {
    match outcome {
        Ok(()) => redirect(&format!("/console/staffing?day={day}")),
        Err(e @ (DomainError::Forbidden(_) | DomainError::Unauthenticated)) => {
            error_page(s.tr, Some(s), &e)
        }
        Err(e) => page_for(state, s, day, Some(crate::error::public_message(&e))).await,
    }
}

/// `POST /console/staffing/schedule`: a channel's 48 half-hours (`s0`…`s47`; empty is 0).
pub async fn save_schedule(
    State(state): State<AppState>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let (s, f, day) = match posted_day(posted, &state) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let outcome = async {
        let channel = f
            .get("channel")
            .and_then(|c| Channel::parse(c.trim()))
            .ok_or_else(|| DomainError::invalid("channel", "a channel"))?;
        let slots = (0..SLOTS)
            .map(|i| {
                let raw = f.get(&format!("s{i}")).map_or("", |v| v.trim());
                if raw.is_empty() {
                    Ok(0)
                } else {
                    raw.parse::<i64>().map_err(|_| {
                        DomainError::invalid(
                            format!("slots[{i}]"),
                            format!("{}: a whole number of agents", slot_label(i)),
                        )
                    })
                }
            })
            .collect::<Result<Vec<i64>, _>>()?;
        state
            .desk
            .put_staffing_schedule(&s.actor, day, channel, &slots)
            .await
            .map(|_| ())
    }
    .await;
    settle(&state, &s, day, outcome).await
}

/// `POST /console/staffing/copy`: the day's plan onto the days ticked (`to0`…`to6`).
pub async fn copy_schedule(
    State(state): State<AppState>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let (s, f, day) = match posted_day(posted, &state) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let outcome = async {
        let mut to = Vec::new();
        for i in 0..7 {
            if let Some(d) = optional_day(f.get(&format!("to{i}")).map(String::as_str), "to")? {
                to.push(d);
            }
        }
        state
            .desk
            .copy_staffing_schedule(&s.actor, day, &to)
            .await
            .map(|_| ())
    }
    .await;
    settle(&state, &s, day, outcome).await
}

/// `POST /console/staffing/promotions`: mark a promotion day.
pub async fn add_promotion(
    State(state): State<AppState>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let (s, f, day) = match posted_day(posted, &state) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let outcome = async {
        let date = optional_day(f.get("date").map(String::as_str), "date")?
            .ok_or_else(|| DomainError::invalid("date", "required"))?;
        let multiplier = optional::<f64>(&f, "multiplier", "a number")?;
        let like_date = optional_day(f.get("like_date").map(String::as_str), "like_date")?;
        let p = PromotionDay {
            date,
            name: f.get("name").cloned().unwrap_or_default(),
            multiplier,
            like_date,
        };
        state.desk.add_promotion_day(&s.actor, p).await.map(|_| ())
    }
    .await;
    settle(&state, &s, day, outcome).await
}

/// `POST /console/staffing/promotions/{date}/delete`.
pub async fn delete_promotion(
    State(state): State<AppState>,
    Path(date): Path<String>,
    posted: Result<CsrfForm<NoFields>, FormRefused>,
) -> Response {
    let s = match posted {
        Ok(CsrfForm { s, .. }) => s,
        Err(refused) => return refused.into_response(),
    };
    let date = match optional_day(Some(date.as_str()), "date") {
        Ok(Some(d)) => d,
        Ok(None) => return error_page(s.tr, Some(&s), &DomainError::invalid("date", "required")),
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let outcome = state.desk.delete_promotion_day(&s.actor, date).await;
    settle(&state, &s, date, outcome).await
}

/// `POST /console/staffing/settings`: the service level target, shrinkage, occupancy and
/// weeks (the channels' rules stay as they are; the API changes those).
pub async fn save_settings(
    State(state): State<AppState>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let (s, f, day) = match posted_day(posted, &state) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let outcome = async {
        let mut settings = state.desk.staffing_settings(&s.actor).await?;
        let num = |field: &str| optional::<f64>(&f, field, "a number");
        let whole = |field: &str| optional::<u32>(&f, field, "a whole number");
        if let Some(v) = num("service_level")? {
            settings.service_level = v;
        }
        if let Some(v) = whole("target_secs")? {
            settings.target_secs = v;
        }
        if let Some(v) = num("shrinkage")? {
            settings.shrinkage = v;
        }
        if let Some(v) = num("occupancy")? {
            settings.occupancy = v;
        }
        if let Some(v) = whole("weeks")? {
            settings.weeks = v;
        }
        state
            .desk
            .put_staffing_settings(&s.actor, settings)
            .await
            .map(|_| ())
    }
    .await;
    settle(&state, &s, day, outcome).await
}
