//! The telephone channel in the console: the caller page an answering agent is sent to (the
//! screen pop, `/calls/{call_id}`), a case's calls with their recordings, and the phone
//! figures on the supervisor dashboard. Phones are shown masked (R-SEC-1).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use jiff::tz::TimeZone;
use kefu_desk::telephony::CallOnCase;
use kefu_model::Actor;
use kefu_model::customer::Phone;
use kefu_model::pbx_account::{CallOutcomeCode, CallPhaseCode};

use super::i18n::{Lang, Tr, label, status_label};
use super::pages::{Chrome, local, nav};
use super::{UiSession, error_page, render};
use crate::AppState;

fn masked(digits: &str) -> String {
    Phone::parse(digits).map_or_else(|_| "****".to_string(), |p| p.masked())
}

fn phase_label(lang: Lang, phase: CallPhaseCode) -> &'static str {
    match phase {
        CallPhaseCode::Offered => lang.pick("呼入中", "Ringing"),
        CallPhaseCode::Queued => lang.pick("排队中", "Queued"),
        CallPhaseCode::Answered => lang.pick("通话中", "In conversation"),
        CallPhaseCode::Ended => lang.pick("已结束", "Ended"),
        CallPhaseCode::Abandoned => lang.pick("未接通（需回电）", "Abandoned (call back)"),
    }
}

fn outcome_label(lang: Lang, outcome: Option<CallOutcomeCode>) -> &'static str {
    match outcome {
        Some(CallOutcomeCode::Answered) => lang.pick("已接听", "Answered"),
        Some(CallOutcomeCode::Abandoned) => lang.pick("未接通", "Abandoned"),
        None => lang.pick("进行中", "In progress"),
    }
}

/// The words of these pages, by language.
pub struct PhoneWords {
    pub call: &'static str,
    pub caller: &'static str,
    pub queue: &'static str,
    pub agent: &'static str,
    pub waited: &'static str,
    pub state: &'static str,
    pub offered_at: &'static str,
    pub customers: &'static str,
    pub no_customer: &'static str,
    pub cases: &'static str,
    pub no_cases: &'static str,
    pub shipments: &'static str,
    pub no_shipments: &'static str,
    pub calls: &'static str,
    pub recording: &'static str,
    pub open_call: &'static str,
    pub phone_figures: &'static str,
    pub offered: &'static str,
    pub answered: &'static str,
    pub abandoned: &'static str,
    pub asa: &'static str,
    pub service_level: &'static str,
    pub abandonment_rate: &'static str,
    pub seconds: &'static str,
    pub pbx_accounts: &'static str,
    pub webhook: &'static str,
}

pub fn words(lang: Lang) -> PhoneWords {
    let p = |zh, en| lang.pick(zh, en);
    PhoneWords {
        call: p("来电", "Incoming call"),
        caller: p("来电号码", "Caller"),
        queue: p("队列", "Queue"),
        agent: p("坐席", "Agent"),
        waited: p("排队", "Waited"),
        state: p("状态", "State"),
        offered_at: p("呼入时间", "Offered at"),
        customers: p("该号码的客户", "Customers with this number"),
        no_customer: p("没有使用该号码的客户", "No customer has this number"),
        cases: p("未结与近期工单", "Open and recent cases"),
        no_cases: p("没有工单", "No cases"),
        shipments: p("该号码的包裹", "Parcels of this number"),
        no_shipments: p("没有包裹", "No parcels"),
        calls: p("通话", "Calls"),
        recording: p("录音", "Recording"),
        open_call: p("来电信息", "Caller page"),
        phone_figures: p("电话接听", "Phone answering"),
        offered: p("呼入", "Offered"),
        answered: p("接听", "Answered"),
        abandoned: p("放弃", "Abandoned"),
        asa: p("平均应答时间（秒）", "Average speed of answer (s)"),
        service_level: p("服务水平（20 秒）", "Service level (20 s)"),
        abandonment_rate: p("放弃率", "Abandonment rate"),
        seconds: p("秒", "s"),
        pbx_accounts: p("电话系统（PBX）", "Telephone system (PBX)"),
        webhook: p("Webhook 地址", "Webhook path"),
    }
}

pub struct CustomerLine {
    pub id: String,
    pub name: String,
    pub phone: String,
}

pub struct CaseLine {
    pub number: String,
    pub subject: String,
    pub status: &'static str,
    pub created: String,
}

pub struct ShipmentLine {
    pub waybill: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "call.html")]
pub struct CallPage {
    pub chrome: Chrome,
    pub w: PhoneWords,
    pub call_id: String,
    pub caller: String,
    pub queue: String,
    pub agent: String,
    pub waited: String,
    pub state: &'static str,
    pub offered_at: String,
    pub case_number: Option<String>,
    pub customers: Vec<CustomerLine>,
    pub cases: Vec<CaseLine>,
    pub shipments: Vec<ShipmentLine>,
}

/// `GET /calls/{call_id}`: the caller page (screen pop).
pub async fn caller_page(
    State(state): State<AppState>,
    s: UiSession,
    Path(call_id): Path<String>,
) -> Response {
    let view = match state.desk.caller_view(&s.actor, &call_id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    // Opened: the call stops popping up.
    let path = format!("/calls/{call_id}");
    if let Ok(unread) = state.desk.notifications(&s.actor, true, Some(50)).await {
        let seen: Vec<String> = unread
            .into_iter()
            .filter(|n| {
                n.kind == kefu_desk::telephony::SCREEN_POP
                    && n.text.split_whitespace().any(|w| w.ends_with(&path))
            })
            .map(|n| n.id)
            .collect();
        if !seen.is_empty()
            && let Err(e) = state.desk.mark_notifications_read(&s.actor, &seen).await
        {
            tracing::warn!(error = %e, "marking a screen pop read failed");
        }
    }
    let chrome = match nav(&state, &s, &format!("/calls/{call_id}")).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let tz = state.desk.time_zone().clone();
    let lang = s.tr.lang;
    let w = words(lang);
    let call = &view.call;
    let case_number = view
        .cases
        .iter()
        .find(|c| Some(&c.id) == call.case_id.as_ref())
        .map(|c| c.number.clone());
    let page = CallPage {
        call_id: call.call_id.clone(),
        caller: masked(&call.caller),
        queue: call.queue.clone(),
        agent: call.agent.clone().unwrap_or_else(|| "—".into()),
        waited: call
            .wait_seconds
            .map_or_else(|| "—".into(), |n| format!("{n} {}", w.seconds)),
        state: phase_label(lang, call.phase),
        offered_at: local(call.offered_at, &tz),
        case_number,
        customers: view
            .customers
            .iter()
            .map(|c| CustomerLine {
                id: c.id.to_string(),
                name: c.name.clone(),
                phone: c.phones.first().map(Phone::masked).unwrap_or_default(),
            })
            .collect(),
        cases: view
            .cases
            .iter()
            .map(|c| CaseLine {
                number: c.number.clone(),
                subject: c.subject.clone(),
                status: status_label(lang, c.status),
                created: local(c.created_at, &tz),
            })
            .collect(),
        shipments: view
            .shipments
            .iter()
            .map(|sh| ShipmentLine {
                waybill: sh.waybill_no.clone(),
                status: label(s.tr, sh.status.as_str()),
            })
            .collect(),
        w,
        chrome,
    };
    render(&page)
}

/// A call as the case page lists it.
pub struct CallLine {
    pub call_id: String,
    pub when: String,
    pub queue: String,
    pub agent: String,
    pub outcome: &'static str,
    pub recording: Option<String>,
    /// Below the account's recording address: played in an `<audio>` element.
    pub playable: bool,
}

/// The case's calls, and the origins its playable recordings come from (the page's
/// `media-src`).
pub async fn calls_on_case(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    tr: &Tr,
    tz: &TimeZone,
) -> (Vec<CallLine>, Vec<String>) {
    // A case page without its calls is still a case page.
    let calls: Vec<CallOnCase> = state
        .desk
        .calls_on_case(actor, case_id)
        .await
        .unwrap_or_default();
    let mut origins = Vec::new();
    let lines = calls
        .into_iter()
        .map(|c| {
            if c.playable
                && let Some(origin) = c.call.recording_url.as_deref().and_then(origin_of)
                && !origins.contains(&origin)
            {
                origins.push(origin);
            }
            CallLine {
                when: local(c.call.offered_at, tz),
                queue: c.call.queue.clone(),
                agent: c.call.agent.clone().unwrap_or_else(|| "—".into()),
                outcome: outcome_label(tr.lang, c.call.outcome),
                recording: c.call.recording_url.clone(),
                playable: c.playable,
                call_id: c.call.call_id,
            }
        })
        .collect();
    (lines, origins)
}

/// `https://host[:port]` of a URL, if it is one a CSP source may name.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let clean = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    clean.then(|| format!("{scheme}://{host}"))
}

/// A PBX account on the channels page: where its webhook is and how it is doing.
pub struct PbxRow {
    /// Its page on `/channels/pbx`.
    pub edit_href: String,
    pub name: String,
    pub webhook: String,
    pub enabled: bool,
    pub received: u64,
    pub last_ok: String,
    pub last_error: String,
}

pub fn pbx_rows(
    accounts: &[kefu_model::channels::ChannelAccountView],
    tz: &TimeZone,
) -> Vec<PbxRow> {
    accounts
        .iter()
        .map(|v| PbxRow {
            edit_href: format!("/channels/pbx/{}", super::encode(&v.account.id)),
            name: v.account.name.clone(),
            webhook: format!("/hooks/pbx/{}", v.account.id),
            enabled: v.account.enabled,
            received: v.status.received,
            last_ok: v
                .status
                .last_ok_at
                .map(|t| local(t, tz))
                .unwrap_or_default(),
            last_error: v.status.last_error.clone().unwrap_or_default(),
        })
        .collect()
}

/// One queue's figures as the dashboard shows them.
pub struct QueueRow {
    pub queue: String,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub asa: String,
    pub service_level: String,
    pub abandonment_rate: String,
}

/// The phone figures of the last `days` days, for the dashboard (empty when there were no
/// calls, or the viewer may not see them).
pub async fn dashboard_rows(state: &AppState, actor: &Actor, days: u32) -> Vec<QueueRow> {
    let now = state.desk.now();
    let from = now
        .saturating_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .unwrap_or(now);
    let to = now
        .saturating_add(jiff::SignedDuration::from_secs(1))
        .unwrap_or(now);
    queue_rows(state, actor, from, to).await
}

/// The telephone queues' figures for calls offered in `[from, to)`; none for those who may not
/// read them.
pub async fn queue_rows(
    state: &AppState,
    actor: &Actor,
    from: jiff::Timestamp,
    to: jiff::Timestamp,
) -> Vec<QueueRow> {
    let percent =
        |v: Option<f64>| v.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0));
    state
        .desk
        .phone_figures(actor, from, to)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|q| QueueRow {
            asa: q
                .average_speed_of_answer
                .map_or_else(|| "—".to_string(), |s| format!("{s:.1}")),
            service_level: percent(q.service_level),
            abandonment_rate: percent(q.abandonment_rate),
            queue: q.queue,
            offered: q.offered,
            answered: q.answered,
            abandoned: q.abandoned,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clean_origins_reach_the_page_policy() {
        assert_eq!(
            origin_of("https://rec.yunlu.example/2026/c-1.mp3").as_deref(),
            Some("https://rec.yunlu.example")
        );
        assert_eq!(
            origin_of("http://10.0.0.5:8080/r.wav").as_deref(),
            Some("http://10.0.0.5:8080")
        );
        assert_eq!(origin_of("https://a.example;script-src*/x"), None);
        assert_eq!(origin_of("javascript:alert(1)"), None);
    }
}
