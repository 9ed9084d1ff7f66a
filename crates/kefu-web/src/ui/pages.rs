//! The console's pages: queues and the case page, and the case actions they post.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_model::case::{CommitmentState, EventData};
use kefu_model::codes::Visibility;
use kefu_model::queues::Queue;
use kefu_model::sla_clock::ClockState;
use kefu_model::{Case, CaseEvent, Category, DomainError, Priority, Status};

use super::case_forms::Refusal;
use super::i18n::{Tr, label};
use super::{
    CsrfForm, FormRefused, QUEUES, UiSession, encode, error_page, filter_of, queue_label, redirect,
    render,
};
use crate::AppState;

/// What every page's frame needs.
pub struct Chrome {
    pub tr: &'static Tr,
    pub csrf: String,
    pub user: Option<UserBar>,
    pub nav: Vec<NavItem>,
    pub path: String,
    /// `path`, percent-encoded, for the language switch's way back.
    pub back: String,
    pub css: String,
    pub icon: String,
    pub htmx: String,
    pub sse: String,
    pub js: String,
    /// The charting library, only on pages with charts.
    pub charts: Option<(String, String)>,
    /// A call just answered by this user (the screen pop), until they open its caller page.
    pub screen_pop: Option<ScreenPop>,
}

/// The link to the caller's page of a call the user just answered.
pub struct ScreenPop {
    pub href: String,
    pub text: String,
}

/// How long an answered call keeps popping up if its caller page is not opened.
const SCREEN_POP_MINUTES: i64 = 10;

/// The newest unread screen pop of the last minutes, as a link.
async fn screen_pop(state: &AppState, s: &UiSession) -> Result<Option<ScreenPop>, DomainError> {
    let unread = state.desk.notifications(&s.actor, true, Some(20)).await?;
    let since = state
        .desk
        .now()
        .checked_sub(jiff::SignedDuration::from_mins(SCREEN_POP_MINUTES))
        .unwrap_or_else(|_| state.desk.now());
    Ok(unread
        .into_iter()
        .filter(|n| n.kind == kefu_desk::telephony::SCREEN_POP && n.created_at >= since)
        .max_by_key(|n| n.created_at)
        .and_then(|n| {
            let at = n.text.find("/calls/")?;
            let href = n.text[at..].split_whitespace().next()?.to_string();
            let text = n.text[..at].trim_end_matches(['：', ':', ' ']).to_string();
            Some(ScreenPop { href, text })
        }))
}

pub struct UserBar {
    pub name: String,
    pub role: String,
    /// Supervisors and admins see the dashboard link.
    pub supervises: bool,
    /// Whoever may reply sees the canned replies, chat desk and new pickup links (the same
    /// rule, `Actor::can_write_cases`, lets them in).
    pub replies: bool,
    /// Admins see the channels link.
    pub admin: bool,
    /// The network's staff, admins and supervisors see the work-order queue's link.
    pub work_orders: bool,
    /// Supervisors, admins and organisation managers see the assessment's link.
    pub assessment: bool,
    /// The key figures' link, for those who read figures (agents their own).
    pub kpis: Option<&'static str>,
    /// Agents, supervisors and admins see the satisfaction figures' link.
    pub satisfaction: bool,
    /// Supervisors and admins see the follow-up queue's link.
    pub follow_ups: bool,
    /// Those who plan staffing (`staffing::may_plan`) see the planner's link.
    pub staffing: bool,
    /// The quality pages' link (`quality::may_read`: inspectors, supervisors, admins; agents
    /// for their own scores).
    pub quality: Option<&'static str>,
    /// Supervisors, admins and read-only observers see the root causes' link
    /// (`improvement::may_analyse`).
    pub root_causes: bool,
    /// Those who read the backlog (`improvement::may_read`) see its link.
    pub improvements: bool,
    /// The key accounts' link: the head and the assistants (`key_accounts::may_use`).
    pub key_accounts: Option<&'static str>,
}

pub struct NavItem {
    pub code: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub current: bool,
}

impl Chrome {
    pub fn anonymous(tr: &'static Tr, csrf: &str, path: &str) -> Chrome {
        Chrome {
            tr,
            csrf: csrf.to_string(),
            user: None,
            nav: Vec::new(),
            path: path.to_string(),
            back: encode(path),
            css: crate::assets::url("kefu.css"),
            icon: crate::assets::url("favicon.svg"),
            htmx: crate::assets::url("htmx.min.js"),
            sse: crate::assets::url("htmx-ext-sse.min.js"),
            js: crate::assets::url("kefu.js"),
            charts: None,
            screen_pop: None,
        }
    }
}

/// The frame of a signed-in page, with the queue counts.
pub async fn nav(state: &AppState, s: &UiSession, current: &str) -> Result<Chrome, DomainError> {
    let counts = state.desk.queue_counts(&s.actor).await?;
    // Department staff work orders only when their department is one of the network's.
    let works_orders = super::orders::works_orders(&s.actor)
        && (s.actor.role != kefu_model::Role::Department
            || super::orders::in_network(state, &s.actor).await);
    let mut chrome = Chrome::anonymous(s.tr, &s.csrf, current);
    chrome.user = Some(UserBar {
        name: s.actor.username.clone(),
        role: s.actor.role.to_string(),
        supervises: matches!(
            s.actor.role,
            kefu_model::Role::Admin | kefu_model::Role::Supervisor
        ),
        replies: s.actor.can_write_cases(),
        admin: s.actor.role == kefu_model::Role::Admin,
        work_orders: works_orders,
        assessment: super::orders::sees_assessment(&s.actor),
        kpis: matches!(
            s.actor.role,
            kefu_model::Role::Admin
                | kefu_model::Role::Supervisor
                | kefu_model::Role::Agent
                | kefu_model::Role::Readonly
                | kefu_model::Role::Inspector
        )
        .then(|| super::kpis::words(s.tr.lang).title),
        satisfaction: kefu_desk::survey::may_read_figures(s.actor.role),
        follow_ups: kefu_desk::survey::may_follow_up(s.actor.role),
        staffing: kefu_model::staffing::may_plan(&s.actor),
        quality: kefu_model::quality::may_read(&s.actor)
            .then(|| super::i18n::quality_words(s.tr.lang).nav),
        root_causes: kefu_model::improvement::may_analyse(s.actor.role),
        improvements: kefu_model::improvement::may_read(s.actor.role),
        key_accounts: super::key_accounts::shows_link(&s.actor)
            .then(|| super::key_accounts::words(s.tr.lang).nav),
    });
    chrome.nav = QUEUES
        .iter()
        .filter(|q| **q != Queue::Department || s.actor.department_id.is_some())
        .map(|&q| NavItem {
            code: q.as_str(),
            label: queue_label(s.tr, q),
            count: counts.iter().find(|(c, _)| *c == q).map_or(0, |(_, n)| *n),
            href: format!("/queue/{}", q.as_str()),
            current: current == format!("/queue/{}", q.as_str()) || current == q.as_str(),
        })
        .collect();
    // Couriers and an outlet's staff: their open pickups (the desk's own rule says whose).
    if !s.actor.sees_all_cases()
        && let Ok(scope) = state.desk.pickup_scope(&s.actor).await
        && scope != kefu_desk::pickups::PickupScope::Desk
    {
        let open = state
            .desk
            .list_pickups(
                &s.actor,
                &kefu_model::pickup::PickupQuery {
                    limit: Some(200),
                    ..Default::default()
                },
            )
            .await?
            .iter()
            .filter(|p| p.status.is_open() && p.status != kefu_model::pickup::PickupStatus::Booked)
            .count();
        chrome.nav.push(NavItem {
            code: "pickups",
            label: s.tr.my_pickups,
            count: i64::try_from(open).unwrap_or(i64::MAX),
            href: "/console/pickups/mine".into(),
            current: current == "/console/pickups/mine",
        });
    }
    chrome.screen_pop = screen_pop(state, s).await?;
    Ok(chrome)
}

#[derive(Template)]
#[template(path = "nav.html")]
pub struct NavFragment {
    pub chrome: Chrome,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub message: String,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options for codes given as text, `selected` the one chosen (or none).
pub(super) fn code_options(
    tr: &Tr,
    codes: impl IntoIterator<Item = &'static str>,
    selected: &str,
) -> Vec<Opt> {
    codes
        .into_iter()
        .map(|code| Opt {
            value: code.to_string(),
            label: label(tr, code),
            selected: code == selected,
        })
        .collect()
}

fn options<T: Copy + PartialEq>(
    tr: &Tr,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<Opt> {
    all.iter()
        .map(|&v| Opt {
            value: code(v).to_string(),
            label: label(tr, code(v)),
            selected: selected == Some(v),
        })
        .collect()
}

pub struct ClockCell {
    pub label: String,
    pub state: String,
    /// Time left or overdue; the page's script keeps it counting.
    pub text: String,
    /// The due time, local.
    pub due_local: String,
    pub due_iso: String,
    pub overdue: bool,
}

pub(super) fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%m-%d %H:%M")
        .to_string()
}

/// "12 min" / "3 h 05 min" / "2 d 4 h".
pub(super) fn span(secs: i64) -> String {
    let s = secs.abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m")
    }
}

fn clock_cells(tr: &Tr, case: &Case, now: Timestamp, tz: &TimeZone) -> Vec<ClockCell> {
    case.sla
        .iter()
        .map(|c| {
            let overdue = c.state == ClockState::Breached
                || (c.state == ClockState::Running && c.due_at.is_some_and(|d| d < now));
            let text = match (c.state, c.due_at) {
                (ClockState::Running, Some(due)) if due >= now => {
                    format!("{} {}", tr.left, span(due.duration_since(now).as_secs()))
                }
                (ClockState::Running, Some(due)) => {
                    format!("{} {}", tr.overdue, span(now.duration_since(due).as_secs()))
                }
                _ => String::new(),
            };
            ClockCell {
                label: label(tr, c.kind.as_str()),
                state: label(tr, c.state.as_str()),
                text,
                due_local: c.due_at.map(|d| local(d, tz)).unwrap_or_default(),
                due_iso: match c.state {
                    ClockState::Running => c.due_at.map(|d| d.to_string()).unwrap_or_default(),
                    _ => String::new(),
                },
                overdue,
            }
        })
        .collect()
}

pub struct QueueRow {
    pub number: String,
    pub subject: String,
    pub customer: String,
    pub channel: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub clock: Option<ClockCell>,
}

#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub title: String,
    pub rows: Vec<QueueRow>,
    pub statuses: Vec<Opt>,
    pub priorities: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub sorts: Vec<Opt>,
    pub next_href: Option<String>,
}

/// A customer as lists show them: name and masked phone (R-SEC-1).
pub(super) async fn customer_label(state: &AppState, s: &UiSession, case: &Case) -> String {
    state
        .desk
        .case_customer(&s.actor, case)
        .await
        .map(|c| c.line())
        .unwrap_or_default()
}

pub async fn queue_page(
    State(state): State<AppState>,
    s: UiSession,
    Path(queue): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = format!("/queue/{queue}");
    let Some(which) = Queue::parse(&queue) else {
        return error_page(
            s.tr,
            Some(&s),
            &DomainError::NotFound(format!("queue {queue}")),
        );
    };
    let filter = filter_of(&q);
    let cursor = q
        .get("cursor")
        .map(String::as_str)
        .filter(|c| !c.is_empty());
    let page = match state
        .desk
        .queue(&s.actor, which, &filter, cursor, Some(50))
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let chrome = match nav(&state, &s, &path).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let now = state.desk.now();
    let tz = state.desk.time_zone().clone();
    let mut rows = Vec::with_capacity(page.items.len());
    for case in &page.items {
        // The clock that runs out first is the one to show.
        let mut cells = clock_cells(s.tr, case, now, &tz);
        if let (Some(_), Some(due)) = (&case.department, case.department_due_at) {
            cells.push(ClockCell {
                label: s.tr.department_deadline.to_string(),
                state: String::new(),
                text: if due >= now {
                    format!("{} {}", s.tr.left, span(due.duration_since(now).as_secs()))
                } else {
                    format!(
                        "{} {}",
                        s.tr.overdue,
                        span(now.duration_since(due).as_secs())
                    )
                },
                due_local: local(due, &tz),
                due_iso: due.to_string(),
                overdue: due < now,
            });
        }
        let clock = cells
            .into_iter()
            .filter(|c| !c.due_iso.is_empty())
            .min_by_key(|c| c.due_iso.parse::<Timestamp>().ok());
        rows.push(QueueRow {
            number: case.number.clone(),
            subject: case.subject.clone(),
            customer: customer_label(&state, &s, case).await,
            channel: label(s.tr, case.channel.as_str()),
            category: label(s.tr, case.category.as_str()),
            priority: case.priority.as_str().to_string(),
            status: label(s.tr, case.status.as_str()),
            clock,
        });
    }
    let keep: Vec<String> = ["status", "priority", "category", "sort"]
        .iter()
        .filter_map(|k| {
            q.get(*k)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    let next_href = page.next_cursor.map(|c| {
        let mut parts = keep.clone();
        parts.push(format!("cursor={}", encode(&c)));
        format!("{path}?{}", parts.join("&"))
    });
    let page = QueuePage {
        title: queue_label(s.tr, which).to_string(),
        rows,
        statuses: options(s.tr, Status::ALL, Status::as_str, filter.status),
        priorities: options(s.tr, Priority::ALL, Priority::as_str, filter.priority),
        categories: options(s.tr, Category::ALL, Category::as_str, filter.category),
        sorts: kefu_model::records::CaseSort::ALL
            .iter()
            .map(|&o| Opt {
                value: o.as_str().to_string(),
                label: match o {
                    kefu_model::records::CaseSort::Newest => s.tr.sort_newest,
                    kefu_model::records::CaseSort::Oldest => s.tr.sort_oldest,
                    kefu_model::records::CaseSort::Priority => s.tr.sort_priority,
                    kefu_model::records::CaseSort::DueSoonest => s.tr.sort_due_soonest,
                    kefu_model::records::CaseSort::DepartmentDue => s.tr.sort_department_due,
                }
                .to_string(),
                selected: o == filter.sort,
            })
            .collect(),
        next_href,
        chrome,
    };
    render(&page)
}

pub struct CaseHead {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub customer: String,
    pub channel: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub assignee: String,
    pub department: String,
    pub escalation_level: u8,
    pub waybills: Vec<String>,
    /// The department's deadline, local time, if the transfer set one.
    pub department_due: String,
    pub department_overdue: bool,
    /// The viewer is department staff: they answer back instead of re-routing.
    pub viewer_is_department: bool,
    /// How, by whom and when the caller's identity was confirmed; empty when it was not.
    pub identity: String,
    /// The viewer may confirm the caller's identity (agents, supervisors, admins).
    pub can_confirm_identity: bool,
}

/// The word for an identity check's method.
pub fn identity_method_label(tr: &Tr, m: kefu_model::case::IdentityMethod) -> &'static str {
    use kefu_model::case::IdentityMethod;
    match m {
        IdentityMethod::OrderNumber => tr.identity_order_number,
        IdentityMethod::Waybill => tr.identity_waybill,
        IdentityMethod::Account => tr.identity_account,
    }
}

pub struct TimelineItem {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Files the event brought (a mail's attachments, a customer's WeChat picture or voice).
    pub files: Vec<TimelineFile>,
}

/// A file on the case, opened through the attachment route with the staff session.
pub struct TimelineFile {
    pub url: String,
    pub name: String,
    pub size: String,
    /// `image`, `audio` or `file`: shown inline, as a player with a download link, or as a link.
    pub show: &'static str,
}

impl TimelineFile {
    fn of(a: &kefu_model::attachment::Attachment) -> Self {
        let show = if kefu_model::attachment::ATTACHMENT_TYPES.contains(&a.mime.as_str()) {
            "image"
        } else if a.mime.starts_with("audio/") {
            "audio"
        } else {
            "file"
        };
        let size = if a.size >= 1024 * 1024 {
            format!("{:.1} MB", a.size as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", a.size.div_ceil(1024))
        };
        TimelineFile {
            url: format!("/chat/attachments/{}", a.id),
            name: a.name.clone(),
            size,
            show,
        }
    }
}

/// The files an event carries.
pub(super) fn event_files(e: &CaseEvent) -> Vec<TimelineFile> {
    match &e.data {
        EventData::MessageAdded { attachments, .. } => {
            attachments.iter().map(TimelineFile::of).collect()
        }
        EventData::MediaSaved { attachment, .. } => vec![TimelineFile::of(attachment)],
        _ => Vec::new(),
    }
}

pub struct PromiseView {
    pub note: String,
    pub due: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub chrome: Chrome,
    pub head: CaseHead,
    pub clocks: Vec<ClockCell>,
    pub promises: Vec<PromiseView>,
    pub timeline: Vec<TimelineItem>,
    pub statuses: Vec<Opt>,
    pub priorities: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub users: Vec<Opt>,
    pub departments: Vec<Opt>,
    pub parcels: Vec<ParcelView>,
    pub claims: Vec<ClaimLine>,
    /// Pickups booked from the case, newest first.
    pub case_pickups: Vec<PickupLine>,
    /// The pickup form (for those who may see the customer).
    pub can_book_pickup: bool,
    pub pickup: super::desk_pages::PickupFormView,
    /// The live conversation, for a chat case.
    pub chat: Option<super::chats::ChatPanel>,
    /// The macros the viewer may apply: (id, title).
    pub macros: Vec<(String, String)>,
    /// The case's telephone calls, with their recordings.
    pub calls: Vec<super::calls::CallLine>,
    pub phone: super::calls::PhoneWords,
    pub error: Option<String>,
    /// A refused form: its reason and what was typed.
    pub refusal: Option<Refusal>,
    /// The case's work orders to the network and the form that sends one.
    pub orders: super::orders::OrderPanel,
    /// The satisfaction survey: the answer and the follow-up.
    pub survey: Option<super::survey::CasePanel>,
    pub survey_words: &'static super::i18n::SurveyWords,
    /// The resolve panel (resolution code, causes, organisation, lesson) and the improvement
    /// items, for those who write cases.
    pub causes: Option<super::causes::CausePanel>,
    pub cause_words: super::causes::CauseWords,
}

impl CasePage {
    /// The reason the form `form` was refused, if it was.
    pub fn error_in(&self, form: &str) -> Option<&str> {
        self.refusal
            .as_ref()
            .filter(|r| r.form == form)
            .map(|r| r.message.as_str())
    }

    /// What was typed in `field` of the refused form `form`; empty otherwise.
    pub fn kept(&self, form: &str, field: &str) -> &str {
        self.refusal
            .as_ref()
            .filter(|r| r.form == form)
            .and_then(|r| r.input.get(field))
            .map_or("", String::as_str)
    }

    /// Whether the refused form `form` had `value` in `field`, or (no refusal) `default`.
    pub fn kept_is(&self, form: &str, field: &str, value: &str, default: bool) -> bool {
        match self.refusal.as_ref().filter(|r| r.form == form) {
            Some(r) => r.input.get(field).is_some_and(|v| v == value),
            None => default,
        }
    }
}

pub struct ClaimLine {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub amounts: String,
    pub due: String,
    pub can_propose: bool,
}

fn describe(
    tr: &Tr,
    e: &CaseEvent,
    names: &HashMap<String, String>,
    causes: &kefu_model::causes::CauseSettings,
) -> (String, String) {
    let zh = tr.lang.is_zh();
    let name = |id: Option<&str>| {
        id.map_or_else(
            || tr.unassigned.to_string(),
            |i| names.get(i).cloned().unwrap_or_else(|| i.to_string()),
        )
    };
    match &e.data {
        EventData::Created { description, .. } => (
            if zh { "创建工单" } else { "Case created" }.to_string(),
            description.clone(),
        ),
        EventData::MessageAdded {
            body,
            visibility,
            author_kind,
            call,
            ..
        } => {
            let title = match (author_kind.as_str(), visibility, call) {
                ("customer", _, _) => tr.customer.to_string(),
                (_, _, true) => if zh { "电话回访" } else { "Call logged" }.to_string(),
                (_, Visibility::Internal, _) => tr.internal_note.to_string(),
                _ => tr.public_reply.to_string(),
            };
            (title, body.clone())
        }
        EventData::StatusChanged { from, to } => (
            format!(
                "{}：{} → {}",
                tr.status,
                label(tr, from.as_str()),
                label(tr, to.as_str())
            ),
            String::new(),
        ),
        EventData::Assigned { to, .. } => (
            format!("{}：{}", tr.assign, name(to.as_ref().map(|u| u.as_str()))),
            String::new(),
        ),
        EventData::Transferred { to, .. } => (
            format!("{}：{}", tr.transfer, name(to.as_ref().map(|d| d.as_str()))),
            String::new(),
        ),
        EventData::Escalated { level, reason } => {
            (format!("{} → {level}", tr.escalate), reason.clone())
        }
        EventData::PriorityChanged { from, to } => {
            (format!("{}：{from} → {to}", tr.priority), String::new())
        }
        EventData::CategoryChanged { from, to } => (
            format!(
                "{}：{} → {}",
                tr.category,
                label(tr, from.as_str()),
                label(tr, to.as_str())
            ),
            String::new(),
        ),
        EventData::PickupBooked { number, .. } => (
            format!("{} {number}", tr.pickup_booked_event),
            String::new(),
        ),
        EventData::PickupProgress {
            number,
            status,
            note,
            courier_name,
            courier_phone,
            ..
        } => (
            format!(
                "{} {number}：{}",
                if tr.lang == crate::ui::i18n::Lang::Zh {
                    "取件进度"
                } else {
                    "Pickup"
                },
                crate::ui::i18n::pickup_status_label(tr.lang, *status)
            ),
            [
                note.clone(),
                format!("{courier_name} {courier_phone}").trim().to_string(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        ),
        EventData::CommitmentMade { note, due_at, .. } => {
            (format!("{}：{}", tr.promise, due_at), note.clone())
        }
        EventData::IdentityConfirmed { method, note } => (
            format!("{}：{}", tr.identity, identity_method_label(tr, *method)),
            note.clone(),
        ),
        EventData::CustomerMerged { from, .. } => {
            (tr.customer_merged_event.to_string(), from.to_string())
        }
        EventData::DeliveryFailed { error, .. } => (
            super::i18n::event_label(tr.lang, &e.data).to_string(),
            error.clone(),
        ),
        EventData::NoticeQueued { via, to, text, .. } => (
            format!(
                "{}（{} {to}）",
                super::i18n::event_label(tr.lang, &e.data),
                super::i18n::way_label(tr.lang, *via)
            ),
            text.clone(),
        ),
        EventData::RootCauseRecorded {
            code,
            causes: tags,
            organisation_name,
            lesson,
            ..
        } => {
            let english = !zh;
            let mut title = super::i18n::event_label(tr.lang, &e.data).to_string();
            if let Some(code) = code {
                title.push_str(&format!("：{}", causes.code_label(code, english)));
            }
            let mut parts: Vec<String> = Vec::new();
            if !tags.is_empty() {
                let labels: Vec<String> = tags
                    .iter()
                    .map(|t| causes.cause_label(t, english))
                    .collect();
                parts.push(format!(
                    "{}：{}",
                    if zh { "原因" } else { "Causes" },
                    labels.join("、")
                ));
            }
            if !organisation_name.is_empty() {
                parts.push(format!(
                    "{}：{organisation_name}",
                    if zh { "责任网点" } else { "Responsible" }
                ));
            }
            if !lesson.is_empty() {
                parts.push(lesson.clone());
            }
            (title, parts.join(" · "))
        }
        EventData::NoticeSkipped { kind, reason } => (
            format!(
                "{}：{}",
                super::i18n::event_label(tr.lang, &e.data),
                super::i18n::notice_name(tr.lang, *kind)
            ),
            reason.clone(),
        ),
        other => (
            super::i18n::event_label(tr.lang, other).to_string(),
            String::new(),
        ),
    }
}

/// The case page; with a refused form, its reason shown in that form and what was typed kept.
pub(super) async fn case_page_for(
    state: &AppState,
    s: &UiSession,
    id: &str,
    error: Option<String>,
    refusal: Option<Refusal>,
) -> Response {
    let path = format!("/cases/{id}");
    let case = match state.desk.get_case(&s.actor, id).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let events = match state.desk.case_events(&s.actor, id).await {
        Ok(e) => e,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let chrome = match nav(state, s, &path).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    // Who may be assigned and whose names this viewer may know are the desk's rules.
    let users = state
        .desk
        .assignable_users(&s.actor)
        .await
        .unwrap_or_default();
    let departments = state.desk.list_departments().await.unwrap_or_default();
    let names = state.desk.people_names(&s.actor).await.unwrap_or_default();
    let now = state.desk.now();
    let tz = state.desk.time_zone().clone();
    let cause_settings = state.desk.cause_settings().await.unwrap_or_default();
    let timeline = events
        .iter()
        .filter(|e| !e.data.type_name().starts_with("sla_"))
        .map(|e| {
            let (title, body) = describe(s.tr, e, &names, &cause_settings);
            TimelineItem {
                at: local(e.at, &tz),
                actor: e.actor.trim_start_matches("user:").to_string(),
                kind: e.data.type_name().to_string(),
                title,
                body,
                files: event_files(e),
            }
        })
        .collect();
    let head = CaseHead {
        id: case.id.to_string(),
        number: case.number.clone(),
        subject: case.subject.clone(),
        customer: customer_label(state, s, &case).await,
        channel: label(s.tr, case.channel.as_str()),
        category: label(s.tr, case.category.as_str()),
        priority: case.priority.as_str().to_string(),
        status: label(s.tr, case.status.as_str()),
        assignee: case.assignee.as_ref().map_or_else(
            || s.tr.unassigned.to_string(),
            |a| names.get(a.as_str()).cloned().unwrap_or_default(),
        ),
        department: case
            .department
            .as_ref()
            .and_then(|d| names.get(d.as_str()).cloned())
            .unwrap_or_default(),
        escalation_level: case.escalation_level,
        waybills: case.waybill_nos.clone(),
        department_due: case
            .department_due_at
            .filter(|_| case.department.is_some())
            .map(|d| local(d, &tz))
            .unwrap_or_default(),
        department_overdue: case.department_overdue,
        viewer_is_department: s.actor.role.is_department_bound(),
        identity: case
            .identity_confirmed
            .as_ref()
            .map(|i| {
                format!(
                    "{} · {} · {}",
                    identity_method_label(s.tr, i.method),
                    i.by.trim_start_matches("user:"),
                    local(i.at, &tz)
                )
            })
            .unwrap_or_default(),
        can_confirm_identity: matches!(
            s.actor.role,
            kefu_model::Role::Agent | kefu_model::Role::Supervisor | kefu_model::Role::Admin
        ),
    };
    let can_book_pickup = s.actor.can_see_customers() && s.actor.can_write_cases();
    let case_pickups = if s.actor.can_see_customers() {
        state
            .desk
            .list_pickups(
                &s.actor,
                &kefu_model::pickup::PickupQuery {
                    case_id: Some(case.id.to_string()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_default()
            .iter()
            .map(|p| pickup_line(s.tr, p, &tz))
            .collect()
    } else {
        Vec::new()
    };
    // Name and phone may stay empty: the customer's on file (masked here).
    let on_file = state
        .desk
        .case_customer(&s.actor, &case)
        .await
        .map(|c| c.masked_phone)
        .unwrap_or_default();
    let pickup = match &refusal {
        Some(r) if r.form == "pickup" => super::desk_pages::PickupFormView {
            error: r.message.clone(),
            ..super::desk_pages::PickupFormView::of(&r.input, "", "")
        },
        _ => super::desk_pages::PickupFormView::default(),
    };
    let pickup = super::desk_pages::PickupFormView {
        action: format!("/cases/{}/pickup", case.id),
        on_file: if on_file.is_empty() {
            "—".into()
        } else {
            on_file
        },
        ..pickup
    };
    let chat = if case.channel == kefu_model::Channel::Chat {
        let targets = super::chats::transfer_targets(state, &s.actor, s.tr.lang.is_zh())
            .await
            .unwrap_or_default();
        Some(
            super::chats::ChatPanel::of(
                state,
                &s.actor,
                &case,
                &targets,
                &format!("/cases/{}", case.number),
            )
            .await,
        )
    } else {
        None
    };
    let macros = if s.actor.can_write_cases() {
        let filter = kefu_model::replies::CannedFilter {
            macros: Some(true),
            ..Default::default()
        };
        state
            .desk
            .list_canned(&s.actor, &filter)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.id, m.title))
            .collect()
    } else {
        Vec::new()
    };
    // A refused change form shows the values that were chosen.
    let changed = |field: &str| -> Option<&str> {
        refusal
            .as_ref()
            .filter(|r| r.form == "update")
            .and_then(|r| r.input.get(field))
            .map(|v| v.trim())
    };
    let (calls, media) =
        super::calls::calls_on_case(state, &s.actor, case.id.as_str(), s.tr, &tz).await;
    // The case's files, as references a damage or loss order can carry.
    let files: Vec<(String, String)> = events
        .iter()
        .flat_map(event_files)
        .map(|f| (f.name, f.url))
        .collect();
    let orders = super::orders::order_panel(state, s, &case, files, refusal.as_ref()).await;
    let page = CasePage {
        survey: super::survey::case_panel(state, s.tr.lang, &s.actor, &case),
        survey_words: super::i18n::survey_words(s.tr.lang),
        causes: super::causes::case_panel(state, s, &case).await,
        cause_words: super::causes::words(s.tr.lang),
        orders,
        calls,
        phone: super::calls::words(s.tr.lang),
        macros,
        chat,
        case_pickups,
        can_book_pickup,
        pickup,
        clocks: clock_cells(s.tr, &case, now, &tz),
        promises: case
            .commitments
            .iter()
            .map(|c| PromiseView {
                note: c.note.clone(),
                due: local(c.due_at, &tz),
                state: match c.state {
                    CommitmentState::Open => "open",
                    CommitmentState::Kept => "kept",
                    CommitmentState::Missed => "missed",
                }
                .to_string(),
            })
            .collect(),
        timeline,
        statuses: options(
            s.tr,
            Status::ALL,
            Status::as_str,
            Some(
                changed("status")
                    .and_then(Status::parse)
                    .unwrap_or(case.status),
            ),
        ),
        priorities: options(
            s.tr,
            Priority::ALL,
            Priority::as_str,
            Some(
                changed("priority")
                    .and_then(Priority::parse)
                    .unwrap_or(case.priority),
            ),
        ),
        categories: options(
            s.tr,
            Category::ALL,
            Category::as_str,
            Some(
                changed("category")
                    .and_then(Category::parse)
                    .unwrap_or(case.category),
            ),
        ),
        users: users
            .iter()
            .map(|u| Opt {
                value: u.id.to_string(),
                label: u.display_name.clone(),
                selected: match changed("assignee") {
                    Some(kept) => kept == u.id.as_str(),
                    None => case.assignee.as_ref() == Some(&u.id),
                },
            })
            .collect(),
        departments: departments
            .iter()
            .map(|d| Opt {
                value: d.id.to_string(),
                label: d.name.clone(),
                selected: case.department.as_ref() == Some(&d.id),
            })
            .collect(),
        parcels: parcels_of(state, s, &case).await,
        claims: case
            .claims
            .iter()
            .map(|c| ClaimLine {
                id: c.id.clone(),
                kind: super::i18n::claim_kind_label(s.tr.lang, c.kind).to_string(),
                state: super::i18n::claim_state_label(s.tr.lang, c.state).to_string(),
                amounts: match c.compensation {
                    Some(comp) => format!("¥{} → ¥{comp}", c.claimed_amount),
                    None => format!("¥{}", c.claimed_amount),
                },
                due: c.step_due_at.map(|d| local(d, &tz)).unwrap_or_default(),
                can_propose: c.state == kefu_model::claim::ClaimState::Opened,
            })
            .collect(),
        head,
        chrome,
        error,
        refusal,
    };
    let mut response = render(&page);
    // Recordings play from the PBX's own server: the page's policy names its origins.
    if let Ok(origins) = axum::http::HeaderValue::from_str(&media.join(" "))
        && !media.is_empty()
    {
        response.headers_mut().insert(super::MEDIA_SOURCES, origins);
    }
    response
}

pub async fn case_page(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    case_page_for(&state, &s, &id, q.get("error").cloned(), None).await
}

pub struct FigureCells {
    pub new: i64,
    pub resolved: i64,
    pub first_response: String,
    pub resolution: String,
    pub attainment: String,
}

impl FigureCells {
    fn of(f: &kefu_model::stats::Figures) -> FigureCells {
        let time = |s: Option<i64>| s.map_or_else(|| "—".to_string(), span_secs);
        FigureCells {
            new: f.new,
            resolved: f.resolved,
            first_response: time(f.first_response_avg_secs),
            resolution: time(f.resolution_avg_secs),
            attainment: f
                .sla_attainment_pct
                .map_or_else(|| "—".to_string(), |p| format!("{p:.1}%")),
        }
    }
}

/// Like [`span`] but with seconds for short times (first responses are often under a minute).
fn span_secs(secs: i64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else {
        span(secs)
    }
}

pub struct PeriodLink {
    pub days: u32,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub days: u32,
    pub periods: Vec<PeriodLink>,
    pub period_label: &'static str,
    pub today: FigureCells,
    pub period: FigureCells,
    pub series_days: String,
    pub series_new: String,
    pub series_resolved: String,
    pub live: kefu_model::stats::Live,
    /// Who takes chats now: (name, presence, chats held / capacity).
    pub presence: Vec<(String, String, String)>,
    /// The telephone queues' figures over the period.
    pub phone_rows: Vec<super::calls::QueueRow>,
    pub phone: super::calls::PhoneWords,
}

pub async fn dashboard_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let days = q.get("days").and_then(|d| d.parse().ok()).unwrap_or(7);
    let board = match state.desk.dashboard(&s.actor, days).await {
        Ok(b) => b,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let mut chrome = match nav(&state, &s, "/dashboard").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    chrome.charts = Some((
        crate::assets::url("uplot.min.css"),
        crate::assets::url("uplot.min.js"),
    ));
    let tr = s.tr;
    let period_label = match days {
        1 => tr.today,
        7 => tr.last_7_days,
        _ => tr.last_30_days,
    };
    let mut live = board.live;
    for n in &mut live.by_channel {
        n.name = label(tr, &n.name);
    }
    let join = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let presence = match (
        state.desk.agent_loads().await,
        state.desk.people_names(&s.actor).await,
    ) {
        (Ok(loads), Ok(users)) => loads
            .iter()
            .map(|a| {
                let name = users
                    .get(a.user_id.as_str())
                    .cloned()
                    .unwrap_or_else(|| a.user_id.to_string());
                let zh = tr.lang.is_zh();
                let state = match (a.presence, zh) {
                    (kefu_model::routing::Presence::Online, true) => "在线",
                    (kefu_model::routing::Presence::Away, true) => "离开",
                    (kefu_model::routing::Presence::Offline, true) => "离线",
                    (p, false) => p.as_str(),
                };
                (
                    name,
                    state.to_string(),
                    format!("{}/{}", a.active_chats, a.max_chats),
                )
            })
            .collect(),
        (Err(e), _) | (_, Err(e)) => return error_page(s.tr, Some(&s), &e),
    };
    let page = DashboardPage {
        phone_rows: super::calls::dashboard_rows(&state, &s.actor, days).await,
        phone: super::calls::words(tr.lang),
        presence,
        days,
        periods: [(1, tr.today), (7, tr.last_7_days), (30, tr.last_30_days)]
            .into_iter()
            .map(|(d, label)| PeriodLink {
                days: d,
                label,
                current: d == days,
            })
            .collect(),
        period_label,
        today: FigureCells::of(&board.today),
        period: FigureCells::of(&board.period),
        series_days: board.series.days.join(","),
        series_new: join(&board.series.new),
        series_resolved: join(&board.series.resolved),
        live,
        chrome,
    };
    render(&page)
}

pub struct ScanRow {
    pub at: String,
    pub location: String,
    pub text: String,
}

pub struct ParcelView {
    pub waybill_no: String,
    pub status: String,
    pub route: String,
    pub events: Vec<ScanRow>,
}

pub(super) fn parcel_view(
    tr: &Tr,
    s: &kefu_model::shipment::Shipment,
    tz: &TimeZone,
) -> ParcelView {
    let zh = tr.lang.is_zh();
    let place = |p: &kefu_model::shipment::Party| p.masked().region;
    ParcelView {
        waybill_no: s.waybill_no.clone(),
        status: if zh {
            s.status.label_zh().to_string()
        } else {
            s.status.label_en().to_string()
        },
        route: format!("{} → {}", place(&s.sender), place(&s.recipient)),
        events: s
            .events
            .iter()
            .rev()
            .map(|e| ScanRow {
                at: local(e.at, tz),
                location: e.location.clone(),
                text: if e.description.is_empty() {
                    e.code.label_zh().to_string()
                } else {
                    e.description.clone()
                },
            })
            .collect(),
    }
}

/// The parcels a case names, with their scans, for the case page.
pub async fn parcels_of(state: &AppState, s: &UiSession, case: &Case) -> Vec<ParcelView> {
    let tr = s.tr;
    let Ok(found) = state
        .desk
        .shipments_named(&s.actor, &case.waybill_nos)
        .await
    else {
        return Vec::new();
    };
    found
        .iter()
        .map(|s| parcel_view(tr, s, state.desk.time_zone()))
        .collect()
}

pub struct CustomerCard {
    pub id: String,
    pub revealed: bool,
    /// The role may see contacts in full (`Actor::can_reveal_contacts`): the button shows.
    pub may_reveal: bool,
    pub name: String,
    pub phones: String,
    pub emails: String,
    pub grade: i64,
    /// Whether kefu's own notices (receipts, status, surveys) reach this customer, and the
    /// version an agent's switch is made against.
    pub notices_title: &'static str,
    pub notices_label: &'static str,
    pub notices_opt_out: bool,
    pub notices_switch: &'static str,
    pub may_edit: bool,
    pub version: i64,
}

pub struct CaseLine {
    pub number: String,
    pub subject: String,
    pub status: String,
    pub channel: String,
    pub created: String,
}

pub struct PickupLine {
    pub number: String,
    pub status: String,
    pub item: String,
    pub created: String,
    pub detail: String,
}

pub struct ClaimRow {
    pub id: String,
    pub case_number: String,
    pub kind: String,
    pub state: String,
    pub amounts: String,
}

/// One of several customers a search matched (masked phone only).
pub struct CustomerChoice {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub grade: i64,
}

#[derive(Template)]
#[template(path = "customers.html")]
pub struct CustomersPage {
    pub chrome: Chrome,
    pub q: String,
    pub phone: String,
    pub error: Option<String>,
    pub choices: Vec<CustomerChoice>,
    pub customer: Option<CustomerCard>,
    pub cases: Vec<CaseLine>,
    pub shipments: Vec<ParcelView>,
    pub pickups: Vec<PickupLine>,
    pub claims: Vec<ClaimRow>,
}

/// Customer 360: customers found by phone, email, a waybill of theirs or part of their name;
/// one of them with their cases, parcels, pickups and claims across every channel, newest
/// first. Phones show masked.
pub async fn customers_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    customers_view(&state, &s, &q, false).await
}

/// Shows a customer's full phone numbers, recording who looked (R-SEC-1).
pub async fn customer_reveal(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let id = form.get("id").map(String::as_str).unwrap_or_default();
    if let Err(e) = state
        .desk
        .reveal_customer(&s.actor, id, "客户查询页面查看完整号码")
        .await
    {
        return error_page(s.tr, Some(&s), &e);
    }
    customers_view(&state, &s, &form, true).await
}

pub(super) fn pickup_line(tr: &Tr, p: &kefu_model::pickup::Pickup, tz: &TimeZone) -> PickupLine {
    let mut detail = Vec::new();
    if let Some(c) = &p.courier {
        detail.push(format!("{} {}", tr.courier, c.name));
    }
    if let (Some(from), Some(to)) = (p.window_from, p.window_to) {
        detail.push(format!(
            "{} {} – {}",
            tr.pickup_window,
            local(from, tz),
            local(to, tz)
        ));
    }
    if let Some(eta) = p.estimated_pickup_at {
        detail.push(format!("{} {}", tr.eta, local(eta, tz)));
    }
    if p.review_required {
        detail.push(tr.pickup_review.to_string());
    }
    PickupLine {
        number: p.number.clone(),
        status: super::i18n::pickup_status_label(tr.lang, p.status).to_string(),
        item: p.item.clone(),
        created: local(p.created_at, tz),
        detail: detail.join(" · "),
    }
}

async fn customers_view(
    state: &AppState,
    s: &UiSession,
    q: &HashMap<String, String>,
    revealed: bool,
) -> Response {
    let chrome = match nav(state, s, "/customers").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let query: String = q
        .get("q")
        .map(|v| v.trim().chars().take(64).collect())
        .unwrap_or_default();
    let id: String = q
        .get("id")
        .map(|v| v.trim().chars().take(64).collect())
        .unwrap_or_default();
    let mut page = CustomersPage {
        chrome,
        q: query.clone(),
        phone: String::new(),
        error: None,
        choices: Vec::new(),
        customer: None,
        cases: Vec::new(),
        shipments: Vec::new(),
        pickups: Vec::new(),
        claims: Vec::new(),
    };
    if query.is_empty() && id.is_empty() {
        return render(&page);
    }
    let desk = &state.desk;
    let chosen = if id.is_empty() {
        match desk.find_customers(&s.actor, &query).await {
            Ok(found) if found.is_empty() => {
                page.error = Some(s.tr.no_customer.to_string());
                return render(&page);
            }
            Ok(found) if found.len() == 1 => found[0].id.to_string(),
            Ok(found) => {
                page.choices = found
                    .iter()
                    .map(|c| CustomerChoice {
                        id: c.id.to_string(),
                        name: c.name.clone(),
                        phone: c.phones.first().map(|p| p.masked()).unwrap_or_default(),
                        grade: i64::from(c.grade.get()),
                    })
                    .collect();
                return render(&page);
            }
            Err(e @ DomainError::Invalid { .. }) => {
                page.error = Some(e.to_string());
                let mut r = render(&page);
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                return r;
            }
            Err(e) => return error_page(s.tr, Some(s), &e),
        }
    } else {
        id
    };
    let view = match desk.customer_360(&s.actor, &chosen).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let tz = desk.time_zone().clone();
    let customer = &view.customer;
    page.cases = view
        .cases
        .iter()
        .map(|c| CaseLine {
            number: c.number.clone(),
            subject: c.subject.clone(),
            status: label(s.tr, c.status.as_str()),
            channel: label(s.tr, c.channel.as_str()),
            created: local(c.received_at, &tz),
        })
        .collect();
    page.shipments = view
        .shipments
        .iter()
        .map(|sh| parcel_view(s.tr, sh, &tz))
        .collect();
    page.pickups = view
        .pickups
        .iter()
        .map(|p| pickup_line(s.tr, p, &tz))
        .collect();
    page.claims = view
        .claims
        .iter()
        .map(|(number, c)| ClaimRow {
            id: c.id.clone(),
            case_number: number.clone(),
            kind: super::i18n::claim_kind_label(s.tr.lang, c.kind).to_string(),
            state: super::i18n::claim_state_label(s.tr.lang, c.state).to_string(),
            amounts: match c.compensation {
                Some(comp) => format!("¥{} → ¥{comp}", c.claimed_amount),
                None => format!("¥{}", c.claimed_amount),
            },
        })
        .collect();
    page.phone = kefu_model::Phone::parse(&query)
        .ok()
        .or_else(|| customer.phones.first().cloned())
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    page.customer = Some(CustomerCard {
        name: customer.name.clone(),
        phones: customer
            .phones
            .iter()
            .map(|p| {
                if revealed {
                    p.as_str().to_string()
                } else {
                    p.masked()
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        id: customer.id.to_string(),
        revealed,
        may_reveal: s.actor.can_reveal_contacts(),
        emails: customer
            .emails
            .iter()
            .map(|e| {
                if revealed {
                    e.as_str().to_string()
                } else {
                    e.masked()
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        grade: i64::from(customer.grade.get()),
        notices_title: s.tr.lang.pick("通知", "Notices"),
        notices_label: if customer.notices_opt_out {
            s.tr.lang.pick("已退订通知", "opted out of notices")
        } else {
            s.tr.lang.pick("接收通知", "receives notices")
        },
        notices_opt_out: customer.notices_opt_out,
        notices_switch: if customer.notices_opt_out {
            s.tr.lang.pick("恢复通知", "Resume notices")
        } else {
            s.tr.lang.pick("退订通知", "Opt out of notices")
        },
        may_edit: matches!(
            s.actor.role,
            kefu_model::Role::Agent | kefu_model::Role::Supervisor | kefu_model::Role::Admin
        ),
        version: customer.version,
    });
    render(&page)
}

/// `POST /customers/notices`: the customer asked to stop (or resume) kefu's own notices.
pub async fn customer_notices(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let version = match field("version").parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            return error_page(s.tr, Some(&s), &DomainError::invalid("version", "a number"));
        }
    };
    let patch = kefu_model::corrections::CustomerPatch {
        version,
        name: None,
        phones: None,
        emails: None,
        grade: None,
        tags: None,
        notices_opt_out: Some(field("opt_out") == "true"),
    };
    if let Err(e) = state.desk.edit_customer(&s.actor, field("id"), patch).await {
        return error_page(s.tr, Some(&s), &e);
    }
    customers_view(&state, &s, &form, false).await
}

#[derive(Template)]
#[template(path = "new_case.html")]
pub struct NewCasePage {
    pub chrome: Chrome,
    pub phone: String,
    pub name: String,
    pub categories: Vec<Opt>,
    pub error: Option<String>,
}

/// The "new phone case" form, pre-filled with the caller's number (the screen pop).
pub async fn new_case_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let chrome = match nav(&state, &s, "/cases/new").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let phone: String = q
        .get("phone")
        .map(|p| p.chars().take(20).collect())
        .unwrap_or_default();
    let name = state
        .desk
        .customer_name_for_phone(&s.actor, &phone)
        .await
        .unwrap_or_default();
    render(&NewCasePage {
        chrome,
        phone,
        name,
        categories: options(s.tr, Category::ALL, Category::as_str, None),
        error: None,
    })
}

/// The new phone case form. `category` empty is "classify it for me"; anything else must be
/// a category.
#[derive(serde::Deserialize)]
pub struct NewCaseForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default, deserialize_with = "super::extract::field::optional")]
    category: Option<Category>,
    #[serde(default)]
    waybill_no: String,
}

pub async fn create_case(
    State(state): State<AppState>,
    posted: Result<CsrfForm<NewCaseForm>, FormRefused>,
) -> Response {
    let (s, result, input) = match posted {
        Ok(CsrfForm { s, form, input }) => {
            let draft = kefu_model::drafts::CaseDraft {
                channel: kefu_model::Channel::Phone,
                subject: form.subject.trim().to_string(),
                description: form.description.trim().to_string(),
                customer_id: None,
                customer: Some(kefu_model::drafts::CustomerDraft {
                    name: Some(form.name.trim().to_string()).filter(|n| !n.is_empty()),
                    phone: Some(form.phone.trim().to_string()),
                    ..Default::default()
                }),
                category: form.category,
                priority: None,
                waybill_no: Some(form.waybill_no.trim().to_string()).filter(|w| !w.is_empty()),
                tags: Vec::new(),
                received_at: None,
            };
            let result = state.desk.create_case(&s.actor, draft, None).await;
            (s, result, input)
        }
        Err(FormRefused::Invalid(bad)) => (bad.s, Err(bad.error), bad.input),
        Err(other) => return axum::response::IntoResponse::into_response(other),
    };
    match result {
        Ok(created) => redirect(&format!("/cases/{}", created.case.number)),
        Err(e) => {
            let chrome = match nav(&state, &s, "/cases/new").await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, Some(&s), &e),
            };
            let kept = |k: &str| {
                input
                    .get(k)
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            let mut r = render(&NewCasePage {
                chrome,
                phone: kept("phone"),
                name: kept("name"),
                categories: options(s.tr, Category::ALL, Category::as_str, None),
                error: Some(crate::error::public_message(&e)),
            });
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}

pub struct TrackResult {
    pub outcome: String,
    pub reason: String,
    pub answer: String,
    pub actions: String,
    pub parcels: Vec<ParcelView>,
    pub can_open_case: bool,
}

#[derive(Template)]
#[template(path = "track.html")]
pub struct TrackPage {
    pub chrome: Chrome,
    pub waybill_no: String,
    pub phone: String,
    pub error: Option<String>,
    pub result: Option<TrackResult>,
}

/// Tracking lookup for agents: the same answer the customer gets, the full scan timeline, and
/// a case opened from the answer in one step.
pub async fn track_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    track_view(&state, &s, get("waybill_no"), get("phone"), None).await
}

async fn track_view(
    state: &AppState,
    s: &UiSession,
    waybill_no: Option<String>,
    phone: Option<String>,
    open_case: Option<(String, Option<kefu_model::tracking::Issue>)>,
) -> Response {
    let chrome = match nav(state, s, "/track").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let mut page = TrackPage {
        chrome,
        waybill_no: waybill_no.clone().unwrap_or_default(),
        phone: phone.clone().unwrap_or_default(),
        error: None,
        result: None,
    };
    if waybill_no.is_none() && phone.is_none() {
        return render(&page);
    }
    let query = kefu_model::parcels::TrackingQuery {
        waybill_no: waybill_no.clone(),
        phone: if waybill_no.is_some() { None } else { phone },
        issue: open_case.as_ref().and_then(|(_, i)| *i),
        open_case: open_case.map(|(phone, _)| kefu_model::parcels::OpenCaseRequest {
            phone: Some(phone),
            ..Default::default()
        }),
        ..Default::default()
    };
    match state.desk.tracking_query(&s.actor, query).await {
        Ok(a) => {
            if let Some(case) = &a.case {
                return redirect(&format!("/cases/{}", case.number));
            }
            let numbers: Vec<String> = a
                .shipment
                .iter()
                .map(|v| v.waybill_no.clone())
                .chain(a.matches.iter().map(|v| v.waybill_no.clone()))
                .collect();
            let mut parcels = Vec::new();
            if let Ok(found) = state.desk.shipments_named(&s.actor, &numbers).await {
                parcels = found
                    .iter()
                    .map(|sh| parcel_view(s.tr, sh, state.desk.time_zone()))
                    .collect();
            }
            page.result = Some(TrackResult {
                outcome: super::i18n::tracking_outcome_label(s.tr.lang, a.outcome).to_string(),
                reason: a.reason.unwrap_or_default(),
                answer: if s.tr.lang.is_zh() {
                    a.answer
                } else {
                    a.answer_en
                },
                actions: a
                    .actions
                    .iter()
                    .map(|x| x.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                can_open_case: waybill_no.is_some(),
                parcels,
            });
        }
        Err(e) => page.error = Some(e.to_string()),
    }
    render(&page)
}

/// Opening a case from a tracking answer: the waybill, the customer's phone and what they
/// say is wrong (empty: not said; anything else must be an issue).
#[derive(serde::Deserialize)]
pub struct TrackCaseForm {
    #[serde(default)]
    waybill_no: String,
    #[serde(default)]
    phone: String,
    #[serde(default, deserialize_with = "super::extract::field::optional")]
    issue: Option<kefu_model::tracking::Issue>,
}

pub async fn track_open_case(
    State(state): State<AppState>,
    posted: Result<CsrfForm<TrackCaseForm>, FormRefused>,
) -> Response {
    let (s, form) = match posted {
        Ok(CsrfForm { s, form, .. }) => (s, form),
        Err(FormRefused::Invalid(bad)) => {
            let chrome = match nav(&state, &bad.s, "/track").await {
                Ok(c) => c,
                Err(e) => return error_page(bad.s.tr, Some(&bad.s), &e),
            };
            let kept = |k: &str| {
                bad.input
                    .get(k)
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            let mut r = render(&TrackPage {
                chrome,
                waybill_no: kept("waybill_no"),
                phone: kept("phone"),
                error: Some(crate::error::public_message(&bad.error)),
                result: None,
            });
            *r.status_mut() = crate::error::status_of(&bad.error);
            return r;
        }
        Err(other) => return axum::response::IntoResponse::into_response(other),
    };
    let waybill_no = form.waybill_no.trim().to_string();
    track_view(
        &state,
        &s,
        Some(waybill_no).filter(|w| !w.is_empty()),
        None,
        Some((form.phone.trim().to_string(), form.issue)),
    )
    .await
}

#[derive(Template)]
#[template(path = "canned_suggestions.html")]
pub struct CannedSuggestions {
    pub tr: &'static Tr,
    pub replies: Vec<kefu_model::replies::RenderedReply>,
    pub error: String,
}

/// The canned replies matching what the agent is typing, filled in for the case (an htmx
/// partial of the reply box; picking one is `static/kefu.js`).
pub async fn canned_suggestions(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let found = async {
        let case = state.desk.get_case(&s.actor, &id).await?;
        let filter = kefu_model::replies::CannedFilter {
            q: q.get("q").cloned(),
            macros: Some(false),
            limit: Some(8),
            ..Default::default()
        };
        state.desk.canned_for_case(&s.actor, &case, &filter).await
    }
    .await;
    match found {
        Ok(replies) => render(&CannedSuggestions {
            tr: s.tr,
            replies,
            error: String::new(),
        }),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let mut r = render(&CannedSuggestions {
                tr: s.tr,
                replies: Vec::new(),
                error: e.to_string(),
            });
            *r.status_mut() = status;
            r
        }
    }
}
