//! The staffing planner's endpoints (`/api/v1/staffing/…`, supervisors and admins): arrival
//! history, forecasts, agents needed against the plan, the schedule, promotion days and the
//! planner's settings. The answers are the views below (their schemas go into the OpenAPI
//! document).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use kefu_desk::staffing::DayPlan;
use kefu_model::Channel;
use kefu_model::staffing::{
    Basis, ChannelRule, DayArrivals, Forecast, PromotionDay, ScheduleDay, StaffingSettings,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::views::{ChannelCode, DateTime, Day, List};

/// Two decimals: forecasts are means and shares; the answer does not pretend to more.
fn two(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One local day's arrivals of one channel per half-hour (`slots[0]` is 00:00–00:30).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ArrivalDay")]
pub struct ArrivalDayView {
    #[schemars(with = "Day")]
    day: Date,
    #[schemars(with = "ChannelCode")]
    channel: Channel,
    /// 48 counts.
    slots: Vec<u32>,
    total: u64,
}

impl From<&DayArrivals> for ArrivalDayView {
    fn from(d: &DayArrivals) -> Self {
        ArrivalDayView {
            day: d.day,
            channel: d.channel,
            slots: d.slots.clone(),
            total: d.total(),
        }
    }
}

/// The days a forecast stands on and why.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ForecastBasis")]
pub struct BasisView {
    /// `weekday` (the same weekday of the last `weeks` weeks that were working days),
    /// `workdays` (a make-up workday: the regular working days of those weeks), `weekend`,
    /// `holidays` (the public holidays of the year before) or `like_date` (a promotion day
    /// forecast like an earlier day).
    rule: String,
    /// What the calendar makes of the day: `workday`, `weekend`, `holiday`, `make_up_workday`.
    day_type: String,
    weeks: u32,
    /// The past days averaged.
    #[schemars(with = "Vec<Day>")]
    days: Vec<Date>,
    /// The factor on the mean (a promotion's multiplier, else 1).
    multiplier: f64,
    /// The promotion day's name, when the day is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    promotion: Option<String>,
}

impl From<&Basis> for BasisView {
    fn from(b: &Basis) -> Self {
        BasisView {
            rule: b.rule.as_str().to_string(),
            day_type: b.day_type.as_str().to_string(),
            weeks: b.weeks,
            days: b.days.clone(),
            multiplier: b.multiplier(),
            promotion: b.promotion.as_ref().map(|p| p.name.clone()),
        }
    }
}

/// One channel's expected arrivals per half-hour (means, two decimals).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ForecastChannel")]
pub struct CurveView {
    #[schemars(with = "ChannelCode")]
    channel: Channel,
    slots: Vec<f64>,
    total: f64,
}

/// A day's forecast.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ForecastDay")]
pub struct ForecastView {
    #[schemars(with = "Day")]
    day: Date,
    basis: BasisView,
    channels: Vec<CurveView>,
}

impl From<&Forecast> for ForecastView {
    fn from(f: &Forecast) -> Self {
        ForecastView {
            day: f.day,
            basis: BasisView::from(&f.basis),
            channels: f
                .channels
                .iter()
                .map(|c| CurveView {
                    channel: c.channel,
                    slots: c.slots.iter().map(|&v| two(v)).collect(),
                    total: two(c.total()),
                })
                .collect(),
        }
    }
}

/// One half-hour of one channel: expected contacts, agents needed and planned.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "StaffingSlot")]
pub struct SlotView {
    /// `HH:MM`, the half-hour's start.
    start: String,
    forecast: f64,
    /// Agents at work the half-hour needs (before shrinkage).
    agents_at_work: u32,
    /// Agents to schedule (after shrinkage).
    needed: u32,
    planned: u32,
    /// planned − needed: below 0 a shortfall, above 0 a surplus.
    gap: i64,
    /// The share answered within the target with the planned agents (0–1; Erlang C);
    /// absent for a workload channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    service_level: Option<f64>,
}

/// One channel's day: its rule and 48 half-hours.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "StaffingChannel")]
pub struct ChannelNeedsView {
    #[schemars(with = "ChannelCode")]
    channel: Channel,
    /// `erlang`, `chat` or `workload`.
    mode: String,
    aht_secs: f64,
    concurrency: u32,
    /// Half-hours planned below what they need.
    shortfalls: usize,
    slots: Vec<SlotView>,
}

/// A day's staffing: forecast basis, and per channel needed against planned.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "StaffingDay")]
pub struct DayPlanView {
    #[schemars(with = "Day")]
    day: Date,
    basis: BasisView,
    channels: Vec<ChannelNeedsView>,
}

impl From<&DayPlan> for DayPlanView {
    fn from(p: &DayPlan) -> Self {
        DayPlanView {
            day: p.forecast.day,
            basis: BasisView::from(&p.forecast.basis),
            channels: p
                .channels
                .iter()
                .map(|c| ChannelNeedsView {
                    channel: c.channel,
                    mode: c.rule.mode.as_str().to_string(),
                    aht_secs: c.rule.aht_secs,
                    concurrency: c.rule.concurrency,
                    shortfalls: c.shortfalls(),
                    slots: c
                        .slots
                        .iter()
                        .enumerate()
                        .map(|(i, s)| SlotView {
                            start: kefu_model::staffing::slot_label(i),
                            forecast: two(s.forecast),
                            agents_at_work: s.base,
                            needed: s.needed,
                            planned: s.planned,
                            gap: s.gap,
                            service_level: s
                                .service_level
                                .map(|v| (v * 10_000.0).round() / 10_000.0),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Planned agents of one day and channel.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "ScheduleDay")]
pub struct ScheduleDayView {
    #[schemars(with = "Day")]
    day: Date,
    #[schemars(with = "ChannelCode")]
    channel: Channel,
    /// 48 half-hours from 00:00.
    slots: Vec<u32>,
    total_agent_hours: f64,
    updated_by: String,
    #[schemars(with = "DateTime")]
    updated_at: jiff::Timestamp,
}

impl From<&ScheduleDay> for ScheduleDayView {
    fn from(d: &ScheduleDay) -> Self {
        ScheduleDayView {
            day: d.day,
            channel: d.channel,
            slots: d.slots.clone(),
            total_agent_hours: d.slots.iter().map(|&n| f64::from(n)).sum::<f64>() / 2.0,
            updated_by: d.updated_by.clone(),
            updated_at: d.updated_at,
        }
    }
}

/// A promotion day.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "PromotionDay")]
pub struct PromotionDayView {
    #[schemars(with = "Day")]
    date: Date,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    multiplier: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Day>")]
    like_date: Option<Date>,
}

impl From<&PromotionDay> for PromotionDayView {
    fn from(p: &PromotionDay) -> Self {
        PromotionDayView {
            date: p.date,
            name: p.name.clone(),
            multiplier: p.multiplier,
            like_date: p.like_date,
        }
    }
}

/// One channel's rule.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "StaffingChannelRule")]
pub struct ChannelRuleView {
    #[schemars(with = "ChannelCode")]
    channel: Channel,
    /// `erlang`, `chat` or `workload`.
    mode: String,
    aht_secs: f64,
    concurrency: u32,
}

/// The planner's settings; percentages are 0–100.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "StaffingSettings")]
pub struct SettingsView {
    service_level: f64,
    target_secs: u32,
    shrinkage: f64,
    occupancy: f64,
    weeks: u32,
    calendar: String,
    /// Every channel's rule (the defaults for those not set).
    channels: Vec<ChannelRuleView>,
}

impl From<&StaffingSettings> for SettingsView {
    fn from(s: &StaffingSettings) -> Self {
        SettingsView {
            service_level: s.service_level,
            target_secs: s.target_secs,
            shrinkage: s.shrinkage,
            occupancy: s.occupancy,
            weeks: s.weeks,
            calendar: s.calendar.clone(),
            channels: Channel::ALL
                .iter()
                .map(|&c| {
                    let r: ChannelRule = s.rule(c);
                    ChannelRuleView {
                        channel: c,
                        mode: r.mode.as_str().to_string(),
                        aht_secs: r.aht_secs,
                        concurrency: r.concurrency,
                    }
                })
                .collect(),
        }
    }
}

// ---- handlers -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeParams {
    from: Date,
    to: Date,
}

/// `GET /staffing/history?from=&to=`: arrivals per local day, channel and half-hour.
pub async fn history(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> ApiResult<Json<List<ArrivalDayView>>> {
    let days = state.desk.arrival_history(&actor, p.from, p.to).await?;
    Ok(Json(List::of(&days, ArrivalDayView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayParams {
    day: Date,
    days: Option<i64>,
    weeks: Option<u32>,
}

/// `GET /staffing/forecast?day=&days=&weeks=`.
pub async fn forecast(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<DayParams>,
) -> ApiResult<Json<List<ForecastView>>> {
    let f = state
        .desk
        .staffing_forecast(&actor, p.day, p.days.unwrap_or(1), p.weeks)
        .await?;
    Ok(Json(List::of(&f, ForecastView::from)))
}

/// `GET /staffing/needed?day=&days=&weeks=`: forecast, needed, planned, gap, service level.
pub async fn needed(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<DayParams>,
) -> ApiResult<Json<List<DayPlanView>>> {
    let plans = state
        .desk
        .staffing_needs(&actor, p.day, p.days.unwrap_or(1), p.weeks)
        .await?;
    Ok(Json(List::of(&plans, DayPlanView::from)))
}

/// `GET /staffing/schedule?from=&to=`.
pub async fn schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> ApiResult<Json<List<ScheduleDayView>>> {
    let rows = state.desk.staffing_schedule(&actor, p.from, p.to).await?;
    Ok(Json(List::of(&rows, ScheduleDayView::from)))
}

fn day_of(raw: &str, field: &str) -> Result<Date, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::invalid(field, "a date (YYYY-MM-DD)"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    slots: Vec<i64>,
}

/// `PUT /staffing/schedule/{day}/{channel}`: 48 planned counts.
pub async fn put_schedule(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath((day, channel)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> ApiResult<Json<ScheduleDayView>> {
    let day = day_of(&day, "day")?;
    let channel = Channel::parse(&channel)
        .ok_or_else(|| ApiError::invalid("channel", "phone, chat, email, wechat, web or api"))?;
    let row = state
        .desk
        .put_staffing_schedule(&actor, day, channel, &body.slots)
        .await?;
    Ok(Json(ScheduleDayView::from(&row)))
}

pub async fn list_promotions(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<List<PromotionDayView>>> {
    let days = state.desk.promotion_days(&actor).await?;
    Ok(Json(List::of(&days, PromotionDayView::from)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionBody {
    date: Date,
    name: String,
    multiplier: Option<f64>,
    like_date: Option<Date>,
}

/// `POST /staffing/promotions`: 201, or 409 `promotion_exists`.
pub async fn add_promotion(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<PromotionBody>,
) -> ApiResult<Response> {
    let day = PromotionDay {
        date: b.date,
        name: b.name,
        multiplier: b.multiplier,
        like_date: b.like_date,
    };
    let day = state.desk.add_promotion_day(&actor, day).await?;
    Ok((StatusCode::CREATED, Json(PromotionDayView::from(&day))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionChange {
    name: String,
    multiplier: Option<f64>,
    like_date: Option<Date>,
}

/// `PUT /staffing/promotions/{date}`.
pub async fn change_promotion(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(date): ApiPath<String>,
    ApiJson(b): ApiJson<PromotionChange>,
) -> ApiResult<Json<PromotionDayView>> {
    let day = PromotionDay {
        date: day_of(&date, "date")?,
        name: b.name,
        multiplier: b.multiplier,
        like_date: b.like_date,
    };
    let day = state.desk.change_promotion_day(&actor, day).await?;
    Ok(Json(PromotionDayView::from(&day)))
}

/// `DELETE /staffing/promotions/{date}`.
pub async fn delete_promotion(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiPath(date): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let date = day_of(&date, "date")?;
    state.desk.delete_promotion_day(&actor, date).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_settings(
    State(state): State<AppState>,
    Auth(actor): Auth,
) -> ApiResult<Json<SettingsView>> {
    let s = state.desk.staffing_settings(&actor).await?;
    Ok(Json(SettingsView::from(&s)))
}

/// `PUT /staffing/settings`: the whole document (channels left out keep their defaults).
pub async fn put_settings(
    State(state): State<AppState>,
    Auth(actor): Auth,
    ApiJson(s): ApiJson<StaffingSettings>,
) -> ApiResult<Json<SettingsView>> {
    let s = state.desk.put_staffing_settings(&actor, s).await?;
    Ok(Json(SettingsView::from(&s)))
}
