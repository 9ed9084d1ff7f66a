//! The console's knowledge base (`/kb`): the list with filters and staff search, an article
//! with both languages, feedback and its versions, the form that creates and edits (every save
//! a version, a save over a newer one refused), review/archive/restore, and the gaps report.
//! Who may change what is the domain's decision; handlers parse, call the `Desk`, render.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use kefu_html::SafeHtml;
use kefu_model::DomainError;
use kefu_model::error::StoreError;
use kefu_model::kb::{
    Article, ArticleAudience, ArticleCategory, ArticleDraft, ArticleText, GapSource,
};
use kefu_model::knowledge::{ArticleFilter, Reader};
use kefu_model::nlu::Intent;
use serde::Deserialize;

use super::extract::field;
use super::kb_words::KbTr;
use super::pages::{Chrome, Opt, local, nav};
use super::{CsrfForm, StaffPage, UiSession, encode, error_page, redirect, render};
use crate::AppState;

const GAP_DAYS: i64 = 30;
const GAP_LINES: usize = 100;
const WORST_ARTICLES: usize = 10;

fn words(s: &UiSession) -> &'static KbTr {
    s.tr.lang.kb()
}

fn en(s: &UiSession) -> bool {
    s.tr.lang == super::i18n::Lang::En
}

fn today(state: &AppState) -> Date {
    state.desk.time_zone().to_datetime(state.desk.now()).date()
}

/// Usernames by user id, for owners (those the viewer may know by name).
async fn usernames(state: &AppState, s: &UiSession) -> HashMap<String, String> {
    state.desk.usernames(&s.actor).await.unwrap_or_default()
}

fn category_name(categories: &[ArticleCategory], code: &str, en: bool) -> String {
    categories
        .iter()
        .find(|c| c.code == code)
        .map_or(code.to_string(), |c| c.name(en).to_string())
}

fn audience_label(w: &KbTr, a: ArticleAudience) -> &'static str {
    match a {
        ArticleAudience::Public => w.public,
        ArticleAudience::Internal => w.internal,
    }
}

pub struct ArticleRow {
    pub href: String,
    pub title: String,
    pub category: String,
    pub audience: &'static str,
    pub internal: bool,
    pub owner: String,
    pub review_by: String,
    pub overdue: bool,
    pub helpful: i64,
    pub not_helpful: i64,
    pub version: i64,
    pub archived: bool,
    /// For a search hit: the engine's escaped snippet with `<mark>`s; empty otherwise.
    pub snippet: SafeHtml,
}

#[derive(Template)]
#[template(path = "kb_list.html")]
struct ListPage {
    chrome: Chrome,
    w: &'static KbTr,
    q: String,
    categories: Vec<Opt>,
    audiences: Vec<Opt>,
    overdue_only: bool,
    archived: bool,
    overdue_count: usize,
    rows: Vec<ArticleRow>,
    error: Option<String>,
    /// The gaps link only for those the report is for (others would be refused).
    shows_gaps: bool,
}

async fn rows_of(
    state: &AppState,
    s: &UiSession,
    articles: Vec<(Article, SafeHtml)>,
    categories: &[ArticleCategory],
) -> Vec<ArticleRow> {
    let w = words(s);
    let ids: Vec<String> = articles.iter().map(|(a, _)| a.id.clone()).collect();
    let counts = state.desk.feedback_counts(&ids).await.unwrap_or_default();
    let names = usernames(state, s).await;
    let today = today(state);
    articles
        .into_iter()
        .map(|(a, snippet)| {
            let c = counts.get(&a.id).copied().unwrap_or_default();
            ArticleRow {
                href: format!("/kb/{}", encode(&a.id)),
                title: a.title(en(s)).to_string(),
                category: category_name(categories, &a.category, en(s)),
                audience: audience_label(w, a.audience),
                internal: a.audience == ArticleAudience::Internal,
                owner: a
                    .owner_id
                    .as_ref()
                    .map(|id| names.get(id.as_str()).cloned().unwrap_or_default())
                    .unwrap_or_default(),
                review_by: a.review_by.to_string(),
                overdue: a.review_overdue(today),
                helpful: c.helpful,
                not_helpful: c.not_helpful,
                version: a.version,
                archived: a.archived,
                snippet,
            }
        })
        .collect()
}

/// `/kb?category=&audience=&overdue=1&archived=1&q=`.
pub async fn list_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let w = words(&s);
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let text: String = get("q").unwrap_or_default().chars().take(200).collect();
    let category = get("category").map(str::to_string);
    let audience = get("audience").and_then(ArticleAudience::parse);
    let overdue_only = get("overdue").is_some();
    let archived = get("archived").is_some();
    let desk = &state.desk;
    let categories = desk.kb_categories().await.unwrap_or_default();
    let mut error = None;
    let found: Vec<(Article, SafeHtml)> = if text.is_empty() {
        let filter = ArticleFilter {
            category: category.clone(),
            audience,
            overdue: overdue_only,
            archived,
            limit: None,
        };
        match desk.list_articles(Reader::Staff(&s.actor), &filter).await {
            Ok(list) => list.into_iter().map(|a| (a, SafeHtml::default())).collect(),
            Err(e) => return error_page(s.tr, Some(&s), &e),
        }
    } else {
        match desk
            .search_articles(Reader::Staff(&s.actor), &text, 50, GapSource::Console)
            .await
        {
            Ok(hits) => {
                let mut out = Vec::new();
                for hit in hits {
                    if let Ok(a) = desk.get_article(Reader::Staff(&s.actor), &hit.id).await
                        && category.as_ref().is_none_or(|c| *c == a.category)
                        && audience.is_none_or(|x| x == a.audience)
                    {
                        out.push((a, hit.snippet));
                    }
                }
                out
            }
            Err(e) => {
                error = Some(e.to_string());
                Vec::new()
            }
        }
    };
    let overdue_count = desk
        .overdue_reviews(&s.actor)
        .await
        .map(|l| l.len())
        .unwrap_or(0);
    let rows = rows_of(&state, &s, found, &categories).await;
    let mut category_opts = vec![Opt {
        value: String::new(),
        label: s.tr.any.to_string(),
        selected: category.is_none(),
    }];
    category_opts.extend(categories.iter().map(|c| Opt {
        value: c.code.clone(),
        label: c.name(en(&s)).to_string(),
        selected: category.as_deref() == Some(c.code.as_str()),
    }));
    let audiences = [
        ("", s.tr.any, audience.is_none()),
        (
            "public",
            w.public,
            audience == Some(ArticleAudience::Public),
        ),
        (
            "internal",
            w.internal,
            audience == Some(ArticleAudience::Internal),
        ),
    ]
    .into_iter()
    .map(|(v, l, sel)| Opt {
        value: v.into(),
        label: l.into(),
        selected: sel,
    })
    .collect();
    render(&ListPage {
        chrome,
        w,
        q: text,
        categories: category_opts,
        audiences,
        overdue_only,
        archived,
        overdue_count,
        rows,
        error,
        shows_gaps: kefu_model::knowledge::may_read_gaps(&s.actor),
    })
}

pub struct TextView {
    pub lang: &'static str,
    pub title: String,
    /// Rendered by `markdown::to_html`.
    pub body_html: SafeHtml,
}

pub struct VersionLine {
    pub href: String,
    pub version: i64,
    pub author: String,
    pub at: String,
    pub note: String,
    pub current: bool,
}

pub struct CommentLine {
    pub at: String,
    pub helpful: bool,
    pub text: String,
}

/// What the article and version pages show of one version.
pub struct ArticleView {
    pub id: String,
    pub title: String,
    pub texts: Vec<TextView>,
    pub category: String,
    pub audience: &'static str,
    pub internal: bool,
    pub tags: String,
    pub owner: String,
    pub review_by: String,
    pub overdue: bool,
    pub intents: String,
    pub version: i64,
    pub archived: bool,
    pub updated_by: String,
    pub updated_at: String,
    pub change_note: String,
}

async fn view_of(state: &AppState, s: &UiSession, a: &Article) -> ArticleView {
    let w = words(s);
    let categories = state.desk.kb_categories().await.unwrap_or_default();
    let names = usernames(state, s).await;
    let texts = [("中文", &a.zh), ("English", &a.en)]
        .into_iter()
        .filter_map(|(lang, t)| {
            t.as_ref().map(|t| TextView {
                lang,
                title: t.title.clone(),
                body_html: kefu_html::markdown::to_html(&t.body),
            })
        })
        .collect();
    ArticleView {
        id: a.id.clone(),
        title: a.title(en(s)).to_string(),
        texts,
        category: category_name(&categories, &a.category, en(s)),
        audience: audience_label(w, a.audience),
        internal: a.audience == ArticleAudience::Internal,
        tags: a.tags.join("，"),
        owner: a
            .owner_id
            .as_ref()
            .and_then(|id| names.get(id.as_str()).cloned())
            .unwrap_or_default(),
        review_by: a.review_by.to_string(),
        overdue: a.review_overdue(today(state)),
        intents: a
            .intents
            .iter()
            .map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        version: a.version,
        archived: a.archived,
        updated_by: a.updated_by.clone(),
        updated_at: local(a.updated_at, state.desk.time_zone()),
        change_note: a.change_note.clone(),
    }
}

#[derive(Template)]
#[template(path = "kb_article.html")]
struct ArticlePage {
    chrome: Chrome,
    w: &'static KbTr,
    a: ArticleView,
    may_edit: bool,
    helpful: i64,
    not_helpful: i64,
    comments: Vec<CommentLine>,
    history: Vec<VersionLine>,
    next_review: String,
}

/// `/kb/{id}`.
pub async fn article_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let desk = &state.desk;
    let article = match desk.get_article(Reader::Staff(&s.actor), &id).await {
        Ok(a) => a,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let tz = desk.time_zone();
    let counts = desk
        .feedback_counts(std::slice::from_ref(&article.id))
        .await
        .unwrap_or_default()
        .remove(&article.id)
        .unwrap_or_default();
    let comments = desk
        .recent_feedback(&s.actor, &id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| {
            f.comment.map(|text| CommentLine {
                at: local(f.at, tz),
                helpful: f.helpful,
                text,
            })
        })
        .take(20)
        .collect();
    let history = desk
        .article_history(&s.actor, &id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|v| VersionLine {
            href: format!("/kb/{}/versions/{}", encode(&id), v.version),
            version: v.version,
            author: v.updated_by,
            at: local(v.updated_at, tz),
            note: v.change_note,
            current: v.version == article.version,
        })
        .collect();
    let may_edit = desk.may_edit_article(&s.actor, &article).is_ok();
    let next_review = today(&state)
        .checked_add(jiff::Span::new().days(kefu_model::kb::REVIEW_DAYS))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let a = view_of(&state, &s, &article).await;
    render(&ArticlePage {
        chrome,
        w: words(&s),
        a,
        may_edit,
        helpful: counts.helpful,
        not_helpful: counts.not_helpful,
        comments,
        history,
        next_review,
    })
}

#[derive(Template)]
#[template(path = "kb_version.html")]
struct VersionPage {
    chrome: Chrome,
    w: &'static KbTr,
    a: ArticleView,
    current_version: i64,
    heading: String,
}

/// `/kb/{id}/versions/{n}`: one version, read-only, with "restore this version".
pub async fn version_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path((id, version)): Path<(String, i64)>,
) -> Response {
    let desk = &state.desk;
    let (current, old) = match (
        desk.get_article(Reader::Staff(&s.actor), &id).await,
        desk.article_version(&s.actor, &id, version).await,
    ) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => return error_page(s.tr, Some(&s), &e),
    };
    let w = words(&s);
    let a = view_of(&state, &s, &old).await;
    render(&VersionPage {
        chrome,
        w,
        heading: w.version_of.replace("{v}", &version.to_string()),
        a,
        current_version: current.version,
    })
}

/// The form's values as typed, kept when a save is refused.
#[derive(Default)]
pub struct ArticleForm {
    pub action: String,
    pub category: String,
    pub audience: String,
    pub tags: String,
    pub owner: String,
    pub review_by: String,
    pub intents: Vec<String>,
    pub zh_title: String,
    pub zh_body: String,
    pub en_title: String,
    pub en_body: String,
    pub change_note: String,
    pub base_version: String,
    /// Messages by form field.
    pub errors: HashMap<&'static str, String>,
}

impl ArticleForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    fn of(form: &HashMap<String, String>, action: String) -> ArticleForm {
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        ArticleForm {
            action,
            category: field("category").trim().to_string(),
            audience: field("audience").trim().to_string(),
            tags: field("tags"),
            owner: field("owner").trim().to_string(),
            review_by: field("review_by").trim().to_string(),
            intents: Intent::ALL
                .iter()
                .filter(|i| form.contains_key(&format!("intent_{}", i.as_str())))
                .map(|i| i.as_str().to_string())
                .collect(),
            zh_title: field("zh_title"),
            zh_body: field("zh_body"),
            en_title: field("en_title"),
            en_body: field("en_body"),
            change_note: field("change_note"),
            base_version: field("base_version").trim().to_string(),
            errors: HashMap::new(),
        }
    }

    fn from_article(a: &Article, owner: String, action: String) -> ArticleForm {
        let (zh_title, zh_body) =
            a.zh.as_ref()
                .map_or_else(Default::default, |t| (t.title.clone(), t.body.clone()));
        let (en_title, en_body) =
            a.en.as_ref()
                .map_or_else(Default::default, |t| (t.title.clone(), t.body.clone()));
        ArticleForm {
            action,
            category: a.category.clone(),
            audience: a.audience.as_str().to_string(),
            tags: a.tags.join(", "),
            owner,
            review_by: a.review_by.to_string(),
            intents: a.intents.iter().map(|i| i.as_str().to_string()).collect(),
            zh_title,
            zh_body,
            en_title,
            en_body,
            change_note: String::new(),
            base_version: a.version.to_string(),
            errors: HashMap::new(),
        }
    }

    /// The draft this form asks for; a field that cannot even be read is an error here.
    fn draft(&self) -> Result<ArticleDraft, DomainError> {
        let text = |title: &str, body: &str| {
            (!title.trim().is_empty() || !body.trim().is_empty()).then(|| ArticleText {
                title: title.to_string(),
                body: body.to_string(),
            })
        };
        let review_by = match self.review_by.as_str() {
            "" => None,
            d => Some(
                d.parse::<Date>()
                    .map_err(|_| DomainError::invalid("review_by", "a date (YYYY-MM-DD)"))?,
            ),
        };
        let base_version = match self.base_version.as_str() {
            "" => None,
            v => Some(
                v.parse::<i64>()
                    .map_err(|_| DomainError::invalid("base_version", "a version number"))?,
            ),
        };
        Ok(ArticleDraft {
            category: self.category.clone(),
            tags: self
                .tags
                .split([',', '，'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            audience: self.audience.clone(),
            owner: Some(self.owner.clone()).filter(|o| !o.is_empty()),
            review_by,
            intents: self.intents.clone(),
            zh: text(&self.zh_title, &self.zh_body),
            en: text(&self.en_title, &self.en_body),
            change_note: Some(self.change_note.clone()).filter(|n| !n.trim().is_empty()),
            base_version,
        })
    }
}

/// The form field a domain error names (`zh.title` → `zh_title`, `tags[2]` → `tags`).
fn form_field(domain_field: &str) -> &'static str {
    let base = domain_field.split('[').next().unwrap_or_default();
    match base {
        "category" => "category",
        "audience" => "audience",
        "tags" => "tags",
        "owner" => "owner",
        "review_by" => "review_by",
        "intents" => "intents",
        "zh" | "zh.title" => "zh_title",
        "zh.body" => "zh_body",
        "en" | "en.title" => "en_title",
        "en.body" => "en_body",
        "change_note" => "change_note",
        _ => "form",
    }
}

pub struct IntentBox {
    pub code: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "kb_form.html")]
struct FormPage {
    chrome: Chrome,
    w: &'static KbTr,
    heading: String,
    form: ArticleForm,
    categories: Vec<Opt>,
    audiences: Vec<Opt>,
    intents: Vec<IntentBox>,
    /// The save went over a newer version (the message names it).
    conflict: Option<String>,
    cancel: String,
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    chrome: Chrome,
    heading: String,
    form: ArticleForm,
    conflict: Option<String>,
    cancel: String,
) -> Response {
    let w = words(s);
    let categories = state
        .desk
        .kb_categories()
        .await
        .unwrap_or_default()
        .iter()
        .map(|c| Opt {
            value: c.code.clone(),
            label: c.name(en(s)).to_string(),
            selected: c.code == form.category,
        })
        .collect();
    let audiences = [("public", w.public), ("internal", w.internal)]
        .into_iter()
        .map(|(v, l)| Opt {
            value: v.into(),
            label: l.into(),
            selected: form.audience == v,
        })
        .collect();
    let intents = Intent::ALL
        .iter()
        .map(|i| IntentBox {
            code: i.as_str(),
            checked: form.intents.iter().any(|x| x == i.as_str()),
        })
        .collect();
    render(&FormPage {
        chrome,
        w,
        heading,
        form,
        categories,
        audiences,
        intents,
        conflict,
        cancel,
    })
}

/// `/kb/new`.
pub async fn new_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
) -> Response {
    let form = ArticleForm {
        action: "/kb/new".into(),
        audience: "public".into(),
        ..ArticleForm::default()
    };
    let heading = words(&s).new_article.to_string();
    form_page(&state, &s, chrome, heading, form, None, "/kb".into()).await
}

/// `/kb/{id}/edit`: only for those who may change the article.
pub async fn edit_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/kb/{}/edit", encode(&id));
    let article = match state.desk.get_article(Reader::Staff(&s.actor), &id).await {
        Ok(a) => a,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    if let Err(e) = state.desk.may_edit_article(&s.actor, &article) {
        return error_page(s.tr, Some(&s), &e);
    }
    let owner = match &article.owner_id {
        Some(uid) => usernames(&state, &s)
            .await
            .remove(uid.as_str())
            .unwrap_or_default(),
        None => String::new(),
    };
    let form = ArticleForm::from_article(&article, owner, path);
    let heading = format!("{} · {}", words(&s).tr.edit, article.title(en(&s)));
    let cancel = format!("/kb/{}", encode(&id));
    form_page(&state, &s, chrome, heading, form, None, cancel).await
}

/// Shows a refused save: the form again with the input, the reason next to its field (or a
/// conflict message), and the refusal's status.
#[allow(clippy::too_many_arguments)]
async fn refused(
    state: &AppState,
    s: UiSession,
    path: &str,
    heading: String,
    mut form: ArticleForm,
    e: DomainError,
    id: Option<&str>,
    cancel: String,
) -> Response {
    let w = words(&s);
    let (status, conflict) = match &e {
        DomainError::Invalid { field, message } => {
            form.errors.insert(form_field(field), message.clone());
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
        DomainError::Store(StoreError::VersionConflict) => {
            let current = match id {
                Some(id) => state
                    .desk
                    .get_article(Reader::Staff(&s.actor), id)
                    .await
                    .map(|a| a.version.to_string())
                    .unwrap_or_default(),
                None => String::new(),
            };
            (
                StatusCode::CONFLICT,
                Some(w.conflict.replace("{v}", &current)),
            )
        }
        _ => return error_page(s.tr, Some(&s), &e),
    };
    let chrome = match nav(state, &s, path).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let mut r = form_page(state, &s, chrome, heading, form, conflict, cancel).await;
    *r.status_mut() = status;
    r
}

/// `POST /kb/new`.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let input = ArticleForm::of(&form, "/kb/new".into());
    let heading = words(&s).new_article.to_string();
    let result = match input.draft() {
        Ok(draft) => state.desk.create_article(&s.actor, draft).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => redirect(&format!("/kb/{}", encode(&a.id))),
        Err(e) => refused(&state, s, "/kb/new", heading, input, e, None, "/kb".into()).await,
    }
}

/// `POST /kb/{id}/edit`: a new version, from the version the form was opened on.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<HashMap<String, String>>,
) -> Response {
    let path = format!("/kb/{}/edit", encode(&id));
    let input = ArticleForm::of(&form, path.clone());
    let heading = words(&s).tr.edit.to_string();
    let result = match input.draft() {
        Ok(draft) => state.desk.update_article(&s.actor, &id, draft).await,
        Err(e) => Err(e),
    };
    let cancel = format!("/kb/{}", encode(&id));
    match result {
        Ok(a) => redirect(&format!("/kb/{}", encode(&a.id))),
        Err(e) => refused(&state, s, &path, heading, input, e, Some(&id), cancel).await,
    }
}

/// `POST /kb/{id}/review`: reviewed now, next review by `review_by` (empty: the default).
#[derive(Deserialize)]
pub struct ReviewForm {
    base_version: i64,
    #[serde(default, deserialize_with = "field::optional")]
    review_by: Option<Date>,
}

pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<ReviewForm>,
) -> Response {
    let result = state
        .desk
        .mark_article_reviewed(&s.actor, &id, form.review_by, form.base_version)
        .await;
    action_done(&state, s, &id, result).await
}

/// `POST /kb/{id}/archive`: archived (`archived=1`) or back (`archived=0`).
#[derive(Deserialize)]
pub struct ArchiveForm {
    base_version: i64,
    #[serde(deserialize_with = "field::flag")]
    archived: bool,
}

pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<ArchiveForm>,
) -> Response {
    let result = state
        .desk
        .archive_article(&s.actor, &id, form.archived, form.base_version)
        .await;
    action_done(&state, s, &id, result).await
}

/// `POST /kb/{id}/restore`: a new version with the text of `version`.
#[derive(Deserialize)]
pub struct RestoreForm {
    base_version: i64,
    version: i64,
}

pub async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { s, form, .. }: CsrfForm<RestoreForm>,
) -> Response {
    let result = state
        .desk
        .restore_article_version(&s.actor, &id, form.version, form.base_version)
        .await;
    action_done(&state, s, &id, result).await
}

/// Back to the article; a button from an older version of it is a 409 naming the current one.
async fn action_done<T>(
    state: &AppState,
    s: UiSession,
    id: &str,
    result: Result<T, DomainError>,
) -> Response {
    match result {
        Ok(_) => redirect(&format!("/kb/{}", encode(id))),
        Err(DomainError::Store(StoreError::VersionConflict)) => {
            let w = words(&s);
            let current = state
                .desk
                .get_article(Reader::Staff(&s.actor), id)
                .await
                .map(|a| a.version.to_string())
                .unwrap_or_default();
            let e = DomainError::conflict("version_conflict", w.conflict.replace("{v}", &current));
            error_page(s.tr, Some(&s), &e)
        }
        Err(e) => error_page(s.tr, Some(&s), &e),
    }
}

pub struct GapRow {
    pub question: String,
    pub count: usize,
    pub sources: String,
    pub last_at: String,
    pub closest: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "kb_gaps.html")]
struct GapsPage {
    chrome: Chrome,
    w: &'static KbTr,
    gaps: Vec<GapRow>,
    worst: Vec<ArticleRow>,
}

/// `/kb/gaps`: the last 30 days' questions without a good answer, and the articles readers
/// found least helpful.
pub async fn gaps_page(
    State(state): State<AppState>,
    StaffPage { s, chrome }: StaffPage,
) -> Response {
    let desk = &state.desk;
    let lines = match desk.gaps_report(&s.actor, GAP_DAYS, GAP_LINES).await {
        Ok(l) => l,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let articles = desk
        .list_articles(Reader::Staff(&s.actor), &ArticleFilter::default())
        .await
        .unwrap_or_default();
    let tz = desk.time_zone();
    let mut gaps = Vec::with_capacity(lines.len());
    for line in lines {
        // The live articles are loaded for the list below; only an archived one is read.
        let closest = match &line.best_article_id {
            Some(id) => match articles.iter().find(|a| a.id == *id) {
                Some(a) => Some(a.clone()),
                None => desk.get_article(Reader::Staff(&s.actor), id).await.ok(),
            }
            .map(|a| {
                (
                    format!("/kb/{}", encode(&a.id)),
                    a.title(en(&s)).to_string(),
                )
            }),
            None => None,
        };
        gaps.push(GapRow {
            question: line.question,
            count: line.count,
            sources: line
                .sources
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            last_at: local(line.last_at, tz),
            closest,
        });
    }
    let categories = desk.kb_categories().await.unwrap_or_default();
    let mut rows = rows_of(
        &state,
        &s,
        articles
            .into_iter()
            .map(|a| (a, SafeHtml::default()))
            .collect(),
        &categories,
    )
    .await;
    rows.retain(|r| r.not_helpful > 0);
    rows.sort_by(|a, b| b.not_helpful.cmp(&a.not_helpful).then(a.href.cmp(&b.href)));
    rows.truncate(WORST_ARTICLES);
    render(&GapsPage {
        chrome,
        w: words(&s),
        gaps,
        worst: rows,
    })
}
