//! `/console/key-accounts`: the B2B department's contract customers. The list — every account
//! for the head, an assistant's own for an agent — by grade, with what is due (overdue first)
//! above it and, for the head, the form to add one; an account's page with its grade's policy
//! in words (hand-over months, monthly review meeting, surveys a year, response target), its
//! contacts, customer file and contracts (each added, edited or removed there), prices
//! (filing buttons for the head), grade history and the grading form, and its reminders. Who may do what is the desk's; a refusal shows the page
//! again with its reason (422).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use kefu_desk::key_accounts::AccountFilter;
use kefu_model::DomainError;
use kefu_model::key_accounts::{
    AccountDraft, AccountPatch, AccountStatus, ContactDraft, DocumentDraft, DocumentKind,
    DocumentStatus, FileEntryDraft, FileRole, GradePolicy, GradingDraft, KeyAccount, PriceDraft,
    PriceStatus, Quarter, Reminder, ReminderKind, is_head, may_use,
};
use kefu_model::user::Actor;

use super::extract::{CsrfForm, Fields, FormRefused, optional_day};
use super::i18n::Lang;
use super::pages::{Chrome, nav};
use super::{UiSession, error_page, redirect, render};
use crate::AppState;

/// Whether the console shows the key accounts' link.
pub fn shows_link(actor: &Actor) -> bool {
    may_use(actor.role)
}

pub struct Words {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub none: &'static str,
    pub due: &'static str,
    pub nothing_due: &'static str,
    pub overdue: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub industry: &'static str,
    pub status: &'static str,
    pub grade: &'static str,
    pub ungraded: &'static str,
    pub key: &'static str,
    pub go_live: &'static str,
    pub handover_ends: &'static str,
    pub assistants: &'static str,
    pub assistants_hint: &'static str,
    pub search: &'static str,
    pub all_grades: &'static str,
    pub filter: &'static str,
    pub add_account: &'static str,
    pub save: &'static str,
    pub add: &'static str,
    pub back: &'static str,
    pub export: &'static str,
    pub contacts: &'static str,
    pub title_field: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub management: &'static str,
    pub file: &'static str,
    pub file_reviewed: &'static str,
    pub mark_reviewed: &'static str,
    pub never: &'static str,
    pub role: &'static str,
    pub shipper: &'static str,
    pub consignee: &'static str,
    pub address: &'static str,
    pub contact: &'static str,
    pub documents: &'static str,
    pub kind: &'static str,
    pub number: &'static str,
    pub starts_on: &'static str,
    pub ends_on: &'static str,
    pub services: &'static str,
    pub routes: &'static str,
    pub list_hint: &'static str,
    pub renewal_due: &'static str,
    pub contacted: &'static str,
    pub record_contacted: &'static str,
    pub note: &'static str,
    pub prices: &'static str,
    pub service: &'static str,
    pub route: &'static str,
    pub unit: &'static str,
    pub price_yuan: &'static str,
    pub effective: &'static str,
    pub filed: &'static str,
    pub draft: &'static str,
    pub file_price: &'static str,
    pub gradings: &'static str,
    pub quarter: &'static str,
    pub revenue: &'static str,
    pub margin: &'static str,
    pub difficulty: &'static str,
    pub staff: &'static str,
    pub punctuality: &'static str,
    pub score: &'static str,
    pub superseded: &'static str,
    pub record_grading: &'static str,
    pub edit: &'static str,
    pub remove: &'static str,
    pub policy: &'static str,
    pub not_graded_yet: &'static str,
}

pub fn words(lang: Lang) -> Words {
    let p = |zh, en| lang.pick(zh, en);
    Words {
        nav: p("大客户", "Key accounts"),
        title: p("大客户部", "Key accounts"),
        intro: p(
            "合同客户按等级排列（1 级最优，1–2 级为重点客户）。客服助理只看到分配给自己的客户。",
            "Contract customers by grade (1 is best; grades 1–2 are key accounts). An assistant sees only the accounts assigned to them.",
        ),
        none: p("还没有大客户。", "No key accounts yet."),
        due: p("待办提醒", "Due"),
        nothing_due: p("没有到期的提醒。", "Nothing is due."),
        overdue: p("已逾期", "overdue"),
        code: p("编码", "Code"),
        name: p("名称", "Name"),
        industry: p("行业", "Industry"),
        status: p("状态", "Status"),
        grade: p("等级", "Grade"),
        ungraded: p("未评级", "not graded"),
        key: p("重点客户", "key account"),
        go_live: p("上线日期", "Go-live"),
        handover_ends: p("交接期至", "Hand-over until"),
        assistants: p("客服助理", "Assistants"),
        assistants_hint: p(
            "坐席的用户名，逗号分隔",
            "Agents' user names, separated by commas",
        ),
        search: p("搜索编码、名称或行业", "Search code, name or industry"),
        all_grades: p("全部等级", "All grades"),
        filter: p("筛选", "Filter"),
        add_account: p("新增大客户", "Add an account"),
        save: p("保存", "Save"),
        add: p("添加", "Add"),
        back: p("返回大客户列表", "Back to the key accounts"),
        export: p("导出 CSV（记入审计日志）", "Export CSV (audited)"),
        contacts: p("联系人", "Contacts"),
        title_field: p("职务", "Title"),
        phone: p("电话", "Phone"),
        email: p("邮箱", "E-mail"),
        management: p("管理层（参与满意度调查）", "Management (answers surveys)"),
        file: p(
            "客户档案（发货方与收货方）",
            "Customer file (shippers and consignees)",
        ),
        file_reviewed: p("档案上次复核", "File last reviewed"),
        mark_reviewed: p("本月已复核", "Reviewed this month"),
        never: p("从未", "never"),
        role: p("类型", "Role"),
        shipper: p("发货方", "shipper"),
        consignee: p("收货方", "consignee"),
        address: p("地址", "Address"),
        contact: p("联系人", "Contact"),
        documents: p("合同、协议与报价", "Contracts, agreements and quotes"),
        kind: p("类型", "Kind"),
        number: p("编号", "Number"),
        starts_on: p("开始", "Starts"),
        ends_on: p("结束", "Ends"),
        services: p("服务", "Services"),
        routes: p("线路", "Routes"),
        list_hint: p(
            "逗号分隔，如 整车, 零担",
            "Separated by commas, e.g. 整车, 零担",
        ),
        renewal_due: p("续约联系截止", "Renewal contact due"),
        contacted: p("已联系", "Contacted"),
        record_contacted: p("记录已联系客户", "Record the customer contacted"),
        note: p("备注", "Note"),
        prices: p("价格报备", "Prices"),
        service: p("服务", "Service"),
        route: p("线路", "Route"),
        unit: p("单位", "Unit"),
        price_yuan: p("单价（元）", "Price (yuan)"),
        effective: p("有效期", "In effect"),
        filed: p("已报备", "filed"),
        draft: p("草稿（未报备，不可使用）", "draft (not filed, not usable)"),
        file_price: p("报备", "File"),
        gradings: p("季度评级", "Quarterly gradings"),
        quarter: p("季度", "Quarter"),
        revenue: p("季度收入（元）", "Revenue (yuan)"),
        margin: p("毛利率 %", "Gross margin %"),
        difficulty: p("操作难度 1–5", "Difficulty 1–5"),
        staff: p("占用人力", "Staff used"),
        punctuality: p("按时付款率 %", "Paid on time %"),
        score: p("得分", "Score"),
        superseded: p("已被重评取代", "superseded"),
        record_grading: p("记录评级", "Record the grading"),
        edit: p("修改", "Edit"),
        remove: p("删除", "Remove"),
        policy: p("等级服务政策", "Grade policy"),
        not_graded_yet: p("尚未评级", "not graded yet"),
    }
}

fn status_label(lang: Lang, s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Onboarding => lang.pick("导入中", "onboarding"),
        AccountStatus::Handover => lang.pick("交接期", "hand-over"),
        AccountStatus::Active => lang.pick("正常服务", "active"),
        AccountStatus::Ended => lang.pick("已终止", "ended"),
    }
}

fn kind_label(lang: Lang, k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::Contract => lang.pick("合同", "contract"),
        DocumentKind::Agreement => lang.pick("协议", "agreement"),
        DocumentKind::Quote => lang.pick("报价", "quote"),
    }
}

fn document_status_label(lang: Lang, s: DocumentStatus) -> &'static str {
    match s {
        DocumentStatus::Draft => lang.pick("草稿", "draft"),
        DocumentStatus::InForce => lang.pick("生效中", "in force"),
        DocumentStatus::Ended => lang.pick("已终止", "ended"),
    }
}

/// What a grade brings, in words: hand-over months, the monthly review meeting, the
/// satisfaction surveys a year and the response target.
fn policy_text(lang: Lang, p: &GradePolicy) -> String {
    let meeting = if p.review_meeting {
        lang.pick("有", "yes")
    } else {
        lang.pick("无", "no")
    };
    match lang {
        Lang::Zh => format!(
            "交接期 {} 个月 · 每月复盘会：{} · 每年满意度调查 {} 次 · 响应时限 {} 小时",
            p.handover_months, meeting, p.surveys_per_year, p.response_hours
        ),
        Lang::En => format!(
            "Hand-over {} months · Monthly review meeting: {} · Satisfaction surveys a year: {} · Response within {} hours",
            p.handover_months, meeting, p.surveys_per_year, p.response_hours
        ),
    }
}

fn reminder_text(lang: Lang, r: &Reminder) -> String {
    match r.kind {
        ReminderKind::Renewal => {
            format!("{}：{}", lang.pick("续约联系", "Renewal contact"), r.detail)
        }
        ReminderKind::Grading => format!(
            "{} {}",
            lang.pick("季度评级未录入", "Grading not recorded:"),
            r.quarter.map(|q| q.to_string()).unwrap_or_default()
        ),
        ReminderKind::FileReview => lang
            .pick(
                "本月客户档案未复核",
                "Customer file not reviewed this month",
            )
            .to_string(),
    }
}

pub struct ReminderRow {
    pub account_id: String,
    pub account: String,
    pub text: String,
    pub due_on: String,
    pub overdue: bool,
}

fn reminder_rows(lang: Lang, due: &[Reminder]) -> Vec<ReminderRow> {
    due.iter()
        .map(|r| ReminderRow {
            account_id: r.account_id.to_string(),
            account: format!("{} {}", r.account_code, r.account_name),
            text: reminder_text(lang, r),
            due_on: r.due_on.to_string(),
            overdue: r.overdue,
        })
        .collect()
}

pub struct AccountRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub industry: String,
    pub status: &'static str,
    pub grade: String,
    pub key: bool,
    pub handover_ends: String,
}

#[derive(Template)]
#[template(path = "key_accounts.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub w: Words,
    pub head: bool,
    pub rows: Vec<AccountRow>,
    pub due: Vec<ReminderRow>,
    pub q: String,
    /// The grades to filter by, and whether each is the one chosen.
    pub grades: Vec<(&'static str, bool)>,
    pub refused: Option<String>,
}

async fn list_page(
    state: &AppState,
    s: &UiSession,
    query: &HashMap<String, String>,
    refused: Option<String>,
) -> Response {
    let lang = s.tr.lang;
    let chrome = match nav(state, s, "/console/key-accounts").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let fields = Fields(query);
    let q = fields.text("q");
    let grade = fields.text("grade");
    let filter = AccountFilter {
        grade: grade.parse().ok(),
        status: None,
        q: Some(q.clone()).filter(|q| !q.is_empty()),
    };
    let (accounts, due) = match async {
        Ok::<_, DomainError>((
            state.desk.key_accounts(&s.actor, &filter).await?,
            state.desk.key_account_reminders(&s.actor).await?,
        ))
    }
    .await
    {
        Ok(both) => both,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let w = words(lang);
    let rows = accounts
        .iter()
        .map(|a| AccountRow {
            id: a.id.to_string(),
            code: a.code.clone(),
            name: a.name.clone(),
            industry: a.industry.clone(),
            status: status_label(lang, a.status),
            grade: a
                .grade
                .map_or_else(|| w.ungraded.to_string(), |g| g.to_string()),
            key: a.is_key(),
            handover_ends: a
                .handover_ends_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let mut r = render(&ListPage {
        head: is_head(s.actor.role),
        rows,
        due: reminder_rows(lang, &due),
        q,
        grades: ["1", "2", "3", "4"]
            .into_iter()
            .map(|g| (g, g == grade))
            .collect(),
        refused: refused.clone(),
        w,
        chrome,
    });
    if refused.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// `GET /console/key-accounts`.
pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    list_page(&state, &s, &query, None).await
}

fn names(text: &str) -> Vec<String> {
    text.split([',', '，', '、', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /console/key-accounts`: a new account, then its page.
pub async fn create(
    State(state): State<AppState>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let CsrfForm { s, form, .. } = match posted {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let f = Fields(&form);
    let outcome = async {
        let draft = AccountDraft {
            code: f.text("code"),
            name: f.text("name"),
            industry: f.text("industry"),
            go_live_on: optional_day(form.get("go_live_on").map(String::as_str), "go_live_on")?,
            owner: None,
            assistants: names(&f.text("assistants")),
            customer_id: None,
        };
        state.desk.create_key_account(&s.actor, &draft).await
    }
    .await;
    match outcome {
        Ok(a) => redirect(&format!("/console/key-accounts/{}", a.id)),
        Err(e @ (DomainError::Forbidden(_) | DomainError::Unauthenticated)) => {
            error_page(s.tr, Some(&s), &e)
        }
        Err(e) => {
            list_page(
                &state,
                &s,
                &HashMap::new(),
                Some(crate::error::public_message(&e)),
            )
            .await
        }
    }
}

pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub title: String,
    pub phone: String,
    pub email: String,
    pub management: bool,
}

pub struct EntryRow {
    pub id: String,
    pub role: &'static str,
    pub role_code: &'static str,
    pub name: String,
    pub address: String,
    pub contact: String,
    pub phone: String,
    pub updated: String,
}

pub struct DocumentRow {
    pub id: String,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub starts: String,
    pub ends: String,
    pub status_code: &'static str,
    pub number: String,
    pub title: String,
    pub days: String,
    pub services: String,
    pub routes: String,
    pub renewal_due: String,
    pub contacted: Option<String>,
}

pub struct PriceRow {
    pub id: String,
    pub service: String,
    pub route: String,
    pub unit: String,
    pub yuan: String,
    pub effective: String,
    pub filed: bool,
    pub filed_by: String,
}

pub struct GradingRow {
    pub quarter: String,
    pub figures: String,
    pub score: String,
    pub grade: u8,
    pub superseded: bool,
    pub by: String,
}

#[derive(Template)]
#[template(path = "key_account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub w: Words,
    pub head: bool,
    pub id: String,
    pub code: String,
    pub name: String,
    pub industry: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub grade: String,
    pub key: bool,
    pub go_live: String,
    pub handover_ends: String,
    pub assistants: String,
    pub file_reviewed: String,
    /// The policy of the account's grade in words; `None` while it is not graded.
    pub policy: Option<String>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub document_statuses: Vec<(&'static str, &'static str)>,
    pub contacts: Vec<ContactRow>,
    pub entries: Vec<EntryRow>,
    pub documents: Vec<DocumentRow>,
    pub prices: Vec<PriceRow>,
    pub gradings: Vec<GradingRow>,
    pub due: Vec<ReminderRow>,
    pub last_quarter: String,
    pub refused: Option<String>,
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

async fn account_page(
    state: &AppState,
    s: &UiSession,
    id: &str,
    refused: Option<String>,
) -> Response {
    let lang = s.tr.lang;
    let chrome = match nav(state, s, "/console/key-accounts").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let loaded = async {
        let a = state.desk.key_account(&s.actor, id).await?;
        let gradings = state.desk.key_account_gradings(&s.actor, id).await?;
        let due = state.desk.key_account_reminders_of(&a, &gradings);
        let assistants = state.desk.key_account_assistant_names(&a).await?;
        let settings = state.desk.key_account_settings().await?;
        Ok::<_, DomainError>((a, gradings, due, assistants, settings))
    }
    .await;
    let (a, gradings, due, assistants, settings): (KeyAccount, _, Vec<Reminder>, Vec<String>, _) =
        match loaded {
            Ok(all) => all,
            Err(e) => return error_page(s.tr, Some(s), &e),
        };
    let w = words(lang);
    let replaced = kefu_model::key_accounts::superseded(&gradings);
    let zone = state.desk.time_zone();
    let today = zone.to_datetime(state.desk.now()).date();
    let mut r = render(&AccountPage {
        head: is_head(s.actor.role),
        id: a.id.to_string(),
        code: a.code.clone(),
        name: a.name.clone(),
        industry: a.industry.clone(),
        status: status_label(lang, a.status),
        status_code: a.status.as_str(),
        statuses: AccountStatus::ALL
            .iter()
            .map(|st| (st.as_str(), status_label(lang, *st)))
            .collect(),
        grade: a
            .grade
            .map_or_else(|| w.ungraded.to_string(), |g| g.to_string()),
        key: a.is_key(),
        go_live: a.go_live_on.map(|d| d.to_string()).unwrap_or_default(),
        handover_ends: a
            .handover_ends_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        assistants: assistants.join(", "),
        file_reviewed: a
            .file_reviewed_on
            .map_or_else(|| w.never.to_string(), |d| d.to_string()),
        policy: a.grade.map(|g| policy_text(lang, &settings.policy(g))),
        kinds: [
            DocumentKind::Contract,
            DocumentKind::Agreement,
            DocumentKind::Quote,
        ]
        .into_iter()
        .map(|k| (k.as_str(), kind_label(lang, k)))
        .collect(),
        document_statuses: [
            DocumentStatus::Draft,
            DocumentStatus::InForce,
            DocumentStatus::Ended,
        ]
        .into_iter()
        .map(|st| (st.as_str(), document_status_label(lang, st)))
        .collect(),
        contacts: a
            .contacts
            .iter()
            .map(|c| ContactRow {
                id: c.id.clone(),
                name: c.name.clone(),
                title: c.title.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
                management: c.is_management,
            })
            .collect(),
        entries: a
            .file_entries
            .iter()
            .map(|e| EntryRow {
                id: e.id.clone(),
                role_code: e.role.as_str(),
                role: match e.role {
                    FileRole::Shipper => w.shipper,
                    FileRole::Consignee => w.consignee,
                },
                name: e.name.clone(),
                address: e.address.clone(),
                contact: e.contact.clone(),
                phone: e.phone.clone(),
                updated: zone.to_datetime(e.updated_at).date().to_string(),
            })
            .collect(),
        documents: a
            .documents
            .iter()
            .map(|d| DocumentRow {
                id: d.id.clone(),
                kind: kind_label(lang, d.kind),
                kind_code: d.kind.as_str(),
                starts: d.starts_on.to_string(),
                ends: d.ends_on.to_string(),
                status_code: d.status.as_str(),
                number: d.number.clone(),
                title: d.title.clone(),
                days: format!("{} – {}", d.starts_on, d.ends_on),
                services: d.services.join(", "),
                routes: d.routes.join(", "),
                renewal_due: kefu_model::key_accounts::renewal_due(d.ends_on).to_string(),
                contacted: d.contacted.as_ref().map(|c| {
                    let day = zone.to_datetime(c.at).date();
                    format!("{} {} {}", c.by, day, c.note)
                }),
            })
            .collect(),
        prices: a
            .prices
            .iter()
            .map(|p| PriceRow {
                id: p.id.clone(),
                service: p.service.clone(),
                route: p.route.clone(),
                unit: p.unit.clone(),
                yuan: yuan(p.price_fen),
                effective: format!(
                    "{} – {}",
                    p.effective_from,
                    p.effective_to.map(|d| d.to_string()).unwrap_or_default()
                ),
                filed: p.status == PriceStatus::Filed,
                filed_by: p.filed_by.clone().unwrap_or_default(),
            })
            .collect(),
        gradings: gradings
            .iter()
            .rev()
            .map(|g| GradingRow {
                quarter: g.quarter.to_string(),
                figures: format!(
                    "{} / {}% / {} / {} / {}%",
                    g.figures.revenue_yuan,
                    g.figures.margin_pct,
                    g.figures.difficulty,
                    g.figures.staff,
                    g.figures.punctuality_pct
                ),
                score: format!("{:.1}", g.score),
                grade: g.grade,
                superseded: replaced.contains(&g.id),
                by: g.recorded_by.clone(),
            })
            .collect(),
        due: reminder_rows(lang, &due),
        last_quarter: Quarter::of(today).previous().to_string(),
        refused: refused.clone(),
        w,
        chrome,
    });
    if refused.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// `GET /console/key-accounts/{id}`.
pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<String>) -> Response {
    account_page(&state, &s, &id, None).await
}

/// `POST /console/key-accounts/{id}/{action}`: `edit`, `contact`, `entry`, `reviewed`,
/// `document`, `contacted`, `price`, `file-price` or `grading`; `contact-edit`,
/// `contact-remove`, `entry-edit`, `entry-remove`, `document-edit` and `document-remove` with
/// the item's id in `item`; then the page again.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    posted: Result<CsrfForm<HashMap<String, String>>, FormRefused>,
) -> Response {
    let CsrfForm { s, form, .. } = match posted {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let f = Fields(&form);
    let day = |name: &str| optional_day(form.get(name).map(String::as_str), name);
    let required_day =
        |name: &str| day(name)?.ok_or_else(|| DomainError::invalid(name, "a date (YYYY-MM-DD)"));
    let desk = &state.desk;
    let actor = &s.actor;
    // The item an `…-edit` changes; the plain action adds one.
    let item = action.ends_with("-edit").then(|| f.text("item"));
    let outcome: Result<(), DomainError> = async {
        match action.as_str() {
            "edit" => {
                let status = AccountStatus::parse(&f.text("status"))
                    .ok_or_else(|| DomainError::invalid("status", "a status"))?;
                let patch = AccountPatch {
                    name: Some(f.text("name")),
                    industry: Some(f.text("industry")),
                    status: Some(status),
                    go_live_on: Some(day("go_live_on")?),
                    ..Default::default()
                };
                desk.change_key_account(actor, &id, &patch).await?;
                if form.contains_key("assistants") {
                    desk.set_key_account_assistants(actor, &id, &names(&f.text("assistants")))
                        .await?;
                }
            }
            "contact" | "contact-edit" => {
                let draft = ContactDraft {
                    name: f.text("name"),
                    title: f.text("title"),
                    phone: f.text("phone"),
                    email: f.text("email"),
                    is_management: f.ticked("is_management"),
                };
                desk.put_key_account_contact(actor, &id, item.as_deref(), &draft)
                    .await?;
            }
            "contact-remove" => {
                desk.remove_key_account_contact(actor, &id, &f.text("item"))
                    .await?;
            }
            "entry" | "entry-edit" => {
                let draft = FileEntryDraft {
                    role: FileRole::parse(&f.text("role"))
                        .ok_or_else(|| DomainError::invalid("role", "shipper or consignee"))?,
                    name: f.text("name"),
                    address: f.text("address"),
                    contact: f.text("contact"),
                    phone: f.text("phone"),
                };
                desk.put_key_account_file_entry(actor, &id, item.as_deref(), &draft)
                    .await?;
            }
            "entry-remove" => {
                desk.remove_key_account_file_entry(actor, &id, &f.text("item"))
                    .await?;
            }
            "reviewed" => {
                desk.mark_key_account_file_reviewed(actor, &id).await?;
            }
            "document" | "document-edit" => {
                let draft = DocumentDraft {
                    kind: DocumentKind::parse(&f.text("kind")).ok_or_else(|| {
                        DomainError::invalid("kind", "contract, agreement or quote")
                    })?,
                    number: f.text("number"),
                    title: f.text("title"),
                    starts_on: required_day("starts_on")?,
                    ends_on: required_day("ends_on")?,
                    services: names(&f.text("services")),
                    routes: names(&f.text("routes")),
                    status: match f.text("status").as_str() {
                        "" => None,
                        st => Some(DocumentStatus::parse(st).ok_or_else(|| {
                            DomainError::invalid("status", "draft, in_force or ended")
                        })?),
                    },
                };
                desk.put_key_account_document(actor, &id, item.as_deref(), &draft)
                    .await?;
            }
            "document-remove" => {
                desk.remove_key_account_document(actor, &id, &f.text("item"))
                    .await?;
            }
            "contacted" => {
                desk.record_key_account_contacted(actor, &id, &f.text("item"), &f.text("note"))
                    .await?;
            }
            "price" => {
                let yuan: rust_decimal::Decimal = f.value("price_yuan", "yuan, e.g. 4500.00")?;
                let fen = (yuan * rust_decimal::Decimal::from(100))
                    .round()
                    .to_string()
                    .parse::<i64>()
                    .map_err(|_| DomainError::invalid("price_yuan", "yuan, e.g. 4500.00"))?;
                let draft = PriceDraft {
                    service: f.text("service"),
                    route: f.text("route"),
                    unit: f.text("unit"),
                    price_fen: fen,
                    effective_from: required_day("effective_from")?,
                    effective_to: day("effective_to")?,
                };
                desk.add_key_account_price(actor, &id, &draft).await?;
            }
            "file-price" => {
                desk.file_key_account_price(actor, &id, &f.text("item"))
                    .await?;
            }
            "grading" => {
                let draft = GradingDraft {
                    quarter: Quarter::parse(&f.text("quarter"))
                        .ok_or_else(|| DomainError::invalid("quarter", "a quarter: 2026Q3"))?,
                    revenue_yuan: f.value("revenue_yuan", "yuan")?,
                    margin_pct: f.value("margin_pct", "percent")?,
                    difficulty: f.value("difficulty", "1 to 5")?,
                    staff: f.value("staff", "people")?,
                    punctuality_pct: f.value("punctuality_pct", "percent")?,
                    note: f.text("note"),
                };
                desk.record_key_account_grading(actor, &id, &draft).await?;
            }
            _ => return Err(DomainError::NotFound("action".into())),
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => redirect(&format!("/console/key-accounts/{id}")),
        Err(
            e @ (DomainError::Forbidden(_)
            | DomainError::Unauthenticated
            | DomainError::NotFound(_)),
        ) => error_page(s.tr, Some(&s), &e),
        Err(e) => account_page(&state, &s, &id, Some(crate::error::public_message(&e))).await,
    }
}

/// `GET /console/key-accounts/export`: the list as CSV, audited.
pub async fn export(State(state): State<AppState>, s: UiSession) -> Response {
    match state
        .desk
        .download_key_accounts(&s.actor, &AccountFilter::default())
        .await
    {
        Ok(all) => crate::key_accounts::accounts_csv(&all),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}
