//! The console's page of canned replies and macros (`/canned`): the templates the user may
//! use, searched while typing (the same `q` as `GET /api/v1/canned`), create and edit forms
//! that keep what was typed when the domain refuses it, a preview filled in for a case, and
//! archiving. Who may write what is the domain's rule (`replies::may_edit_canned`); handlers
//! parse, call the `Desk`, render.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_model::canned::{
    self, CannedDraft, CannedReply, MacroActions, TemplateLanguage, TemplateScope,
};
use kefu_model::replies::{CannedFilter, manages_team_templates, may_edit_canned};
use kefu_model::{Category, Department, DomainError, Priority, Status};

use super::i18n::{Tr, label, variable_label};
use super::pages::{Chrome, Opt, code_options, local, nav};
use super::{CsrfForm, NoFields, StaffPage, UiSession, encode, error_page, redirect, render};
use crate::AppState;

/// How many templates a list shows (the desk's own limit).
const LIST_LIMIT: u32 = 100;

/// One template in the list.
pub struct Row {
    pub id: String,
    pub title: String,
    pub is_macro: bool,
    pub kind: &'static str,
    /// "团队 · 全体", "团队 · 客服部", "个人".
    pub scope: String,
    pub language: &'static str,
    pub tags: Vec<String>,
    /// A macro's changes, e.g. "状态→待客户回复, +标签 延误"; empty for a reply.
    pub actions: String,
    pub updated: String,
    pub editable: bool,
}

/// The list as the page and its search-while-typing fragment show it.
pub struct ListView {
    pub rows: Vec<Row>,
    pub error: Option<String>,
    /// The list reached its limit: there may be more than shown.
    pub full: bool,
}

#[derive(Template)]
#[template(path = "canned.html")]
struct ListPage {
    chrome: Chrome,
    tr: &'static Tr,
    q: String,
    scopes: Vec<Opt>,
    kinds: Vec<Opt>,
    list: ListView,
    can_create: bool,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "canned_list.html")]
struct ListFragment {
    tr: &'static Tr,
    list: ListView,
}

/// The list's filters as a request gives them (query of the page or of the fragment).
struct Filters {
    q: String,
    scope: Option<TemplateScope>,
    macros: Option<bool>,
}

impl Filters {
    fn of(q: &HashMap<String, String>) -> Filters {
        let get = |k: &str| q.get(k).map(|v| v.trim()).unwrap_or_default();
        Filters {
            // Passed on whole: the desk refuses what is too long, as the API does.
            q: get("q").to_string(),
            scope: TemplateScope::parse(get("scope")),
            macros: match get("kind") {
                "macro" => Some(true),
                "reply" => Some(false),
                _ => None,
            },
        }
    }
}

fn updated_line(tr: &Tr, r: &CannedReply, tz: &jiff::tz::TimeZone) -> String {
    let by = match r.updated_by.strip_prefix("user:") {
        Some(name) => name,
        None if r.updated_by == "system" => tr.system_user,
        None => r.updated_by.as_str(),
    };
    format!("{by} · {}", local(r.updated_at, tz))
}

fn scope_line(tr: &Tr, r: &CannedReply, departments: &[Department]) -> String {
    match r.scope {
        TemplateScope::Personal => tr.scope_personal.to_string(),
        TemplateScope::Team => {
            let whose = r.department_id.as_ref().map_or(tr.everyone, |id| {
                departments
                    .iter()
                    .find(|d| &d.id == id)
                    .map_or(id.as_str(), |d| d.name.as_str())
            });
            format!("{} · {whose}", tr.scope_team)
        }
    }
}

fn language_label(tr: &Tr, l: TemplateLanguage) -> &'static str {
    match l {
        TemplateLanguage::Zh => tr.language_zh,
        TemplateLanguage::En => tr.language_en,
    }
}

/// A macro's changes in a few words: "状态→待客户回复, 优先级→P2, +标签 延误".
fn actions_line(tr: &Tr, a: &MacroActions) -> String {
    let mut parts = Vec::new();
    if let Some(s) = a.status {
        parts.push(format!("{}→{}", tr.status, label(tr, s.as_str())));
    }
    if let Some(c) = a.category {
        parts.push(format!("{}→{}", tr.category, label(tr, c.as_str())));
    }
    if let Some(p) = a.priority {
        parts.push(format!("{}→{}", tr.priority, p.as_str()));
    }
    for t in &a.add_tags {
        parts.push(format!("+{} {t}", tr.tag_word));
    }
    parts.join(", ")
}

fn row_of(
    s: &UiSession,
    r: &CannedReply,
    departments: &[Department],
    tz: &jiff::tz::TimeZone,
) -> Row {
    let tr = s.tr;
    Row {
        id: r.id.clone(),
        title: r.title.clone(),
        is_macro: r.is_macro(),
        kind: if r.is_macro() {
            tr.kind_macro
        } else {
            tr.kind_reply
        },
        scope: scope_line(tr, r, departments),
        language: language_label(tr, r.language),
        tags: r.tags.clone(),
        actions: r
            .actions
            .as_ref()
            .map(|a| actions_line(tr, a))
            .unwrap_or_default(),
        updated: updated_line(tr, r, tz),
        editable: may_edit_canned(&s.actor, r),
    }
}

async fn list_view(state: &AppState, s: &UiSession, f: &Filters) -> (ListView, StatusCode) {
    let filter = CannedFilter {
        q: Some(f.q.clone()),
        scope: f.scope,
        macros: f.macros,
        limit: Some(LIST_LIMIT),
    };
    let found = state.desk.list_canned(&s.actor, &filter).await;
    let departments = state.desk.list_departments().await.unwrap_or_default();
    let tz = state.desk.time_zone();
    match found {
        Ok(list) => (
            ListView {
                full: list.len() >= LIST_LIMIT as usize,
                rows: list
                    .iter()
                    .map(|r| row_of(s, r, &departments, tz))
                    .collect(),
                error: None,
            },
            StatusCode::OK,
        ),
        Err(e) => (
            ListView {
                rows: Vec::new(),
                error: Some(e.to_string()),
                full: false,
            },
            super::desk_pages::status_of(&e),
        ),
    }
}

fn choice(value: &str, label: &str, selected: bool) -> Opt {
    Opt {
        value: value.to_string(),
        label: label.to_string(),
        selected,
    }
}

/// `GET /canned`: the list with its filters.
pub async fn list_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let f = Filters::of(&q);
    let (list, status) = list_view(&state, &s, &f).await;
    let tr = s.tr;
    let notice = match q.get("done").map(String::as_str) {
        Some("saved") => Some(tr.saved),
        Some("archived") => Some(tr.archived_notice),
        _ => None,
    };
    let mut r = render(&ListPage {
        tr,
        q: f.q.chars().take(canned::QUERY_MAX * 2).collect(),
        scopes: vec![
            choice("", tr.any, f.scope.is_none()),
            choice("team", tr.scope_team, f.scope == Some(TemplateScope::Team)),
            choice(
                "personal",
                tr.scope_personal,
                f.scope == Some(TemplateScope::Personal),
            ),
        ],
        kinds: vec![
            choice("", tr.any, f.macros.is_none()),
            choice("reply", tr.kind_reply, f.macros == Some(false)),
            choice("macro", tr.kind_macro, f.macros == Some(true)),
        ],
        list,
        can_create: s.actor.can_write_cases(),
        notice,
        chrome,
    });
    *r.status_mut() = status;
    r
}

/// `GET /canned/list`: the list alone, for the search box (an htmx partial).
pub async fn list_fragment(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (list, status) = list_view(&state, &s, &Filters::of(&q)).await;
    let mut r = render(&ListFragment { tr: s.tr, list });
    *r.status_mut() = status;
    r
}

/// The form's values as typed (kept when the domain refuses them), and the refusal.
#[derive(Default)]
pub struct FormView {
    /// Where the form posts.
    pub action: String,
    /// The template's id when editing; empty for a new one.
    pub id: String,
    pub title: String,
    pub body: String,
    pub scope: String,
    pub department: String,
    pub language: String,
    pub tags: String,
    pub kind: String,
    pub status: String,
    pub category: String,
    pub priority: String,
    pub add_tags: String,
    /// (form field, message) of a refusal.
    pub errors: Vec<(String, String)>,
}

/// The form fields an error can be shown next to; any other goes above the form.
const FIELDS: &[&str] = &[
    "title",
    "body",
    "scope",
    "department",
    "language",
    "tags",
    "kind",
    "actions",
    "actions.add_tags",
];

impl FormView {
    fn of(form: &HashMap<String, String>, action: String, id: String) -> FormView {
        // Kept whole (the request body limit bounds them): cutting a value could turn one the
        // domain would refuse into one it accepts.
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        FormView {
            action,
            id,
            title: field("title"),
            body: field("body"),
            scope: field("scope"),
            department: field("department"),
            language: field("language"),
            tags: field("tags"),
            kind: field("kind"),
            status: field("status"),
            category: field("category"),
            priority: field("priority"),
            add_tags: field("add_tags"),
            errors: Vec::new(),
        }
    }

    fn from_reply(r: &CannedReply) -> FormView {
        let a = r.actions.clone().unwrap_or_default();
        FormView {
            action: format!("/canned/{}", r.id),
            id: r.id.clone(),
            title: r.title.clone(),
            body: r.body.clone(),
            scope: r.scope.as_str().to_string(),
            department: r
                .department_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            language: r.language.as_str().to_string(),
            tags: r.tags.join(", "),
            kind: if r.is_macro() { "macro" } else { "reply" }.to_string(),
            status: a.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            category: a
                .category
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            priority: a
                .priority
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            add_tags: a.add_tags.join(", "),
            errors: Vec::new(),
        }
    }

    /// The message for a field, empty when it has none.
    pub fn err(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }

    /// Refusals that name no field of the form.
    pub fn general_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(f, _)| !FIELDS.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .collect()
    }

    fn refused(&mut self, e: &DomainError) {
        let (field, message) = match e {
            DomainError::Invalid { field, message } => {
                // The macro's selects are one field of the form.
                let field = if field.starts_with("actions.") && field != "actions.add_tags" {
                    "actions"
                } else {
                    field.as_str()
                };
                (field.to_string(), message.clone())
            }
            other => (String::new(), other.to_string()),
        };
        self.errors.push((field, message));
    }

    /// Tags as typed: separated by commas (either width) or 、.
    fn tag_list(raw: &str) -> Vec<String> {
        raw.split([',', '，', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The draft this form asks for; a value no option offers is refused by its field.
    fn draft(&self) -> Result<CannedDraft, DomainError> {
        fn pick<T>(
            field: &str,
            raw: &str,
            parse: impl Fn(&str) -> Option<T>,
        ) -> Result<Option<T>, DomainError> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            parse(raw)
                .map(Some)
                .ok_or_else(|| DomainError::invalid(field, format!("no such value: {raw}")))
        }
        let scope =
            pick("scope", &self.scope, TemplateScope::parse)?.unwrap_or(TemplateScope::Personal);
        let language = pick("language", &self.language, TemplateLanguage::parse)?
            .unwrap_or(TemplateLanguage::Zh);
        let actions = match self.kind.trim() {
            "" | "reply" => None,
            "macro" => Some(MacroActions {
                status: pick("actions.status", &self.status, Status::parse)?,
                category: pick("actions.category", &self.category, Category::parse)?,
                priority: pick("actions.priority", &self.priority, Priority::parse)?,
                add_tags: Self::tag_list(&self.add_tags),
            }),
            other => {
                return Err(DomainError::invalid(
                    "kind",
                    format!("no such value: {other}"),
                ));
            }
        };
        let department = match scope {
            TemplateScope::Team => {
                Some(self.department.trim().to_string()).filter(|d| !d.is_empty())
            }
            // A personal template has no department, whatever the hidden select says.
            TemplateScope::Personal => None,
        };
        Ok(CannedDraft {
            title: self.title.clone(),
            body: self.body.clone(),
            scope,
            department,
            tags: Self::tag_list(&self.tags),
            language,
            actions,
        })
    }
}

/// A variable the body may name, offered for insertion.
pub struct VarView {
    /// `{{customer_name}}`.
    pub token: String,
    pub label: &'static str,
}

fn variables(tr: &Tr) -> Vec<VarView> {
    canned::VARIABLES
        .iter()
        .map(|v| VarView {
            token: format!("{{{{{v}}}}}"),
            label: variable_label(tr, v),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "canned_form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    form: FormView,
    /// Team scope is offered (supervisors and admins).
    can_team: bool,
    departments: Vec<Opt>,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    priorities: Vec<Opt>,
    vars: Vec<VarView>,
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    heading: String,
    form: FormView,
    status: StatusCode,
) -> Response {
    let path = if form.id.is_empty() {
        "/canned/new".to_string()
    } else {
        format!("/canned/{}", form.id)
    };
    let chrome = match nav(state, s, &path).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(s), &e),
    };
    let tr = s.tr;
    let departments = state
        .desk
        .list_departments()
        .await
        .unwrap_or_default()
        .iter()
        .map(|d| Opt {
            value: d.id.to_string(),
            label: d.name.clone(),
            // The form may carry a key as well as an id (both resolve).
            selected: form.department == d.id.as_str() || form.department == d.key,
        })
        .collect();
    let mut r = render(&FormPage {
        heading,
        can_team: manages_team_templates(&s.actor),
        departments,
        statuses: code_options(tr, Status::ALL.iter().map(|s| s.as_str()), &form.status),
        categories: code_options(tr, Category::ALL.iter().map(|c| c.as_str()), &form.category),
        priorities: code_options(tr, Priority::ALL.iter().map(|p| p.as_str()), &form.priority),
        vars: variables(tr),
        form,
        chrome,
    });
    *r.status_mut() = status;
    r
}

/// `GET /canned/new`.
pub async fn new_page(State(state): State<AppState>, s: UiSession) -> Response {
    if !s.actor.can_write_cases() {
        return error_page(
            s.tr,
            Some(&s),
            &DomainError::Forbidden("this role cannot write templates".into()),
        );
    }
    let form = FormView {
        action: "/canned/new".into(),
        scope: "personal".into(),
        language: if s.tr.lang == super::i18n::Lang::En {
            "en"
        } else {
            "zh"
        }
        .into(),
        kind: "reply".into(),
        ..FormView::default()
    };
    form_page(
        &state,
        &s,
        s.tr.canned_new.to_string(),
        form,
        StatusCode::OK,
    )
    .await
}

/// `POST /canned/new`: saved, back to the list; refused, the form again with the reason next
/// to its field.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let mut view = FormView::of(&form, "/canned/new".into(), String::new());
    let saved = match view.draft() {
        Ok(draft) => state.desk.create_canned(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => redirect("/canned?done=saved"),
        Err(e @ DomainError::Invalid { .. }) => {
            view.refused(&e);
            let heading = s.tr.canned_new.to_string();
            form_page(&state, &s, heading, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

#[derive(Template)]
#[template(path = "canned_view.html")]
struct ViewPage {
    chrome: Chrome,
    row: Row,
    body: String,
}

/// `GET /canned/{id}`: the edit form for who may edit it, the template read-only otherwise.
pub async fn edit_page(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/canned/{}", encode(&id));
    let reply = match state.desk.get_canned(&s.actor, &id).await {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    if may_edit_canned(&s.actor, &reply) {
        let heading = format!("{} · {}", s.tr.canned_edit, reply.title);
        return form_page(
            &state,
            &s,
            heading,
            FormView::from_reply(&reply),
            StatusCode::OK,
        )
        .await;
    }
    let chrome = match nav(&state, &s, &path).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let departments = state.desk.list_departments().await.unwrap_or_default();
    render(&ViewPage {
        row: row_of(&s, &reply, &departments, state.desk.time_zone()),
        body: reply.body.clone(),
        chrome,
    })
}

/// `POST /canned/{id}`: the edit. Someone who may not edit the template is refused (403)
/// before anything they sent is looked at.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let current = match state.desk.get_canned(&s.actor, &id).await {
        Ok(r) => r,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    if !may_edit_canned(&s.actor, &current) {
        return error_page(
            s.tr,
            Some(&s),
            &DomainError::Forbidden(
                "only supervisors and admins edit team templates; personal ones only their owner"
                    .into(),
            ),
        );
    }
    let mut view = FormView::of(&form, format!("/canned/{}", current.id), current.id.clone());
    let saved = match view.draft() {
        Ok(draft) => state.desk.update_canned(&s.actor, &current.id, draft).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => redirect("/canned?done=saved"),
        Err(e @ DomainError::Invalid { .. }) => {
            view.refused(&e);
            let heading = format!("{} · {}", s.tr.canned_edit, current.title);
            form_page(&state, &s, heading, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

/// `POST /canned/{id}/archive` (the page asks for confirmation first).
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, .. }: CsrfForm<NoFields>,
) -> Response {
    match state.desk.archive_canned(&s.actor, &id).await {
        Ok(()) => redirect("/canned?done=archived"),
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

#[derive(Template)]
#[template(path = "canned_preview.html")]
struct PreviewFragment {
    tr: &'static Tr,
    text: String,
    /// (`{{name}}`, what it stands for)
    missing: Vec<(String, &'static str)>,
    error: Option<String>,
}

/// `POST /canned/preview` (an htmx partial): the template filled in for a case, with the
/// variables that had no value. The form's text is previewed as typed (`body`, `language`);
/// a read-only template by its `id`.
pub async fn preview(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or_default();
    let case = field("preview_case");
    let rendered = if case.is_empty() {
        Err(DomainError::invalid("preview_case", s.tr.preview_need_case))
    } else if form.contains_key("body") {
        match TemplateLanguage::parse(field("language")) {
            Some(language) => {
                state
                    .desk
                    .preview_canned(&s.actor, case, field("body"), language)
                    .await
            }
            None => Err(DomainError::invalid("language", "zh or en")),
        }
    } else {
        state.desk.render_canned(&s.actor, case, field("id")).await
    };
    let (page, status) = match rendered {
        Ok(r) => (
            PreviewFragment {
                tr: s.tr,
                text: r.text,
                missing: r
                    .missing
                    .iter()
                    .map(|v| (format!("{{{{{v}}}}}"), variable_label(s.tr, v)))
                    .collect(),
                error: None,
            },
            StatusCode::OK,
        ),
        Err(e) => {
            let message = match &e {
                DomainError::Invalid { field, message } if field == "preview_case" => {
                    message.clone()
                }
                other => other.to_string(),
            };
            (
                PreviewFragment {
                    tr: s.tr,
                    text: String::new(),
                    missing: Vec::new(),
                    error: Some(message),
                },
                super::desk_pages::status_of(&e),
            )
        }
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    r
}
