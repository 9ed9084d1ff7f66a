//! The public help centre in the portal (`/portal/help`): the categories with their public
//! articles, the most helpful ones, a search over public articles (a question that finds
//! nothing is noted for the gaps report), an article page and its "was this helpful?" vote.
//! Anonymous like the rest of the portal: rate-limited per address, double-submit CSRF.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_html::SafeHtml;
use kefu_model::DomainError;
use kefu_model::kb::{Article, GapSource};
use kefu_model::knowledge::{ArticleFilter, Reader};

use super::kb_words::KbTr;
use super::portal::{ClientIp, PortalChrome, Visit, csrf_ok, finish, limited, param, visit};
use super::{i18n, render};
use crate::AppState;

/// Longest question the search takes (longer ones are cut, as the engine would refuse them).
const QUESTION_MAX: usize = 200;
const MOST_HELPFUL: usize = 5;

/// The visit with its language: `?lang=en` / `?lang=zh` (a link one can share) wins over the
/// language cookie.
struct HelpVisit {
    v: Visit,
    w: &'static KbTr,
    en: bool,
    /// Appended to links so a `?lang=` visitor stays in that language: "" or "lang=en".
    lang_q: &'static str,
}

fn help_visit(headers: &HeaderMap, q: &HashMap<String, String>, path: &str) -> HelpVisit {
    let mut v = visit(headers, path);
    let lang_q = match q.get("lang").map(String::as_str) {
        Some("en") => {
            v.chrome.tr = i18n::Lang::En.tr();
            "lang=en"
        }
        Some("zh") => {
            v.chrome.tr = i18n::Lang::Zh.tr();
            "lang=zh"
        }
        _ => "",
    };
    let en = v.chrome.tr.lang == super::i18n::Lang::En;
    HelpVisit {
        w: if en { i18n::Lang::En } else { i18n::Lang::Zh }.kb(),
        en,
        v,
        lang_q,
    }
}

/// `path` with the visitor's `?lang=`, if any.
fn href(path: &str, lang_q: &str) -> String {
    if lang_q.is_empty() {
        path.to_string()
    } else if path.contains('?') {
        format!("{path}&{lang_q}")
    } else {
        format!("{path}?{lang_q}")
    }
}

pub struct ArticleLink {
    pub href: String,
    pub title: String,
    /// The article's first paragraph (escaped), or for a search hit the engine's snippet.
    pub summary: SafeHtml,
}

pub struct CategoryBlock {
    pub name: String,
    pub articles: Vec<ArticleLink>,
}

pub struct SearchResult {
    pub q: String,
    pub hits: Vec<ArticleLink>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "help_home.html")]
struct HelpHome {
    p: PortalChrome,
    w: &'static KbTr,
    /// The `?lang=` to keep: "", "en" or "zh".
    lang: &'static str,
    categories: Vec<CategoryBlock>,
    most_helpful: Vec<ArticleLink>,
    search: Option<SearchResult>,
    chat_href: String,
    contact_href: String,
}

fn link(a: &Article, en: bool, lang_q: &str) -> ArticleLink {
    ArticleLink {
        href: href(&format!("/portal/help/{}", super::encode(&a.id)), lang_q),
        title: a.title(en).to_string(),
        summary: SafeHtml::escape(&a.summary(en)),
    }
}

/// `/portal/help` and `/portal/help?q=`.
pub async fn help_home(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let question = param(&q, "q", QUESTION_MAX);
    // Searching writes (a gap when nothing is found), so it counts against the limit.
    if !question.is_empty()
        && let Some(r) = limited(&state, &headers, &ip)
    {
        return r;
    }
    let hv = help_visit(&headers, &q, "/portal/help");
    let (en, lang_q) = (hv.en, hv.lang_q);
    let desk = &state.desk;
    let articles = match desk
        .list_articles(Reader::Public, &ArticleFilter::default())
        .await
    {
        Ok(a) => a,
        Err(e) => return help_error(&hv, &headers, &e),
    };
    let categories = desk.kb_categories().await.unwrap_or_default();
    let blocks = categories
        .iter()
        .map(|c| CategoryBlock {
            name: c.name(en).to_string(),
            articles: articles
                .iter()
                .filter(|a| a.category == c.code)
                .map(|a| link(a, en, lang_q))
                .collect(),
        })
        .filter(|b| !b.articles.is_empty())
        .collect();
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let counts = desk.feedback_counts(&ids).await.unwrap_or_default();
    let mut voted: Vec<(&Article, i64)> = articles
        .iter()
        .filter_map(|a| {
            let c = counts.get(&a.id)?;
            (c.helpful > 0).then_some((a, c.helpful - c.not_helpful))
        })
        .collect();
    voted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
    let most_helpful = voted
        .into_iter()
        .take(MOST_HELPFUL)
        .map(|(a, _)| link(a, en, lang_q))
        .collect();
    let search = if question.is_empty() {
        None
    } else {
        Some(
            match desk
                .search_articles(Reader::Public, &question, 20, GapSource::Portal)
                .await
            {
                Ok(hits) => SearchResult {
                    hits: hits
                        .into_iter()
                        .map(|h| {
                            // The hit's own article gives the title in the visitor's language.
                            let known = articles.iter().find(|a| a.id == h.id);
                            ArticleLink {
                                href: href(
                                    &format!("/portal/help/{}", super::encode(&h.id)),
                                    lang_q,
                                ),
                                title: known.map_or(h.title, |a| a.title(en).to_string()),
                                summary: h.snippet,
                            }
                        })
                        .collect(),
                    q: question,
                    error: None,
                },
                Err(e) => SearchResult {
                    hits: Vec::new(),
                    q: question,
                    error: Some(e.to_string()),
                },
            },
        )
    };
    let page = HelpHome {
        p: hv.v.chrome.clone(),
        w: hv.w,
        lang: lang_q.trim_start_matches("lang="),
        categories: blocks,
        most_helpful,
        search,
        chat_href: href("/portal/chat", lang_q),
        contact_href: href("/portal/contact", lang_q),
    };
    let r = render(&page);
    finish(&hv.v, &headers, r)
}

#[derive(Template)]
#[template(path = "help_article.html")]
struct HelpArticle {
    p: PortalChrome,
    w: &'static KbTr,
    title: String,
    /// Rendered by `markdown::to_html` (raw HTML escaped, only safe links).
    body_html: SafeHtml,
    category: String,
    updated: String,
    feedback: FeedbackBox,
    help_href: String,
    htmx: String,
}

/// The vote box: the question, or the thanks once voted.
pub struct FeedbackBox {
    pub action: String,
    pub csrf: String,
    /// The `?lang=` to keep: "", "en" or "zh".
    pub lang: &'static str,
    pub thanked: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "help_feedback.html")]
struct FeedbackFragment<'a> {
    w: &'static KbTr,
    feedback: &'a FeedbackBox,
}

#[derive(Template)]
#[template(path = "portal_not_found.html")]
struct NotFoundPage {
    p: PortalChrome,
    w: &'static KbTr,
    help_href: String,
}

fn not_found(hv: &HelpVisit, headers: &HeaderMap) -> Response {
    let mut r = render(&NotFoundPage {
        p: hv.v.chrome.clone(),
        w: hv.w,
        help_href: href("/portal/help", hv.lang_q),
    });
    *r.status_mut() = StatusCode::NOT_FOUND;
    finish(&hv.v, headers, r)
}

fn help_error(hv: &HelpVisit, headers: &HeaderMap, e: &DomainError) -> Response {
    match e {
        DomainError::NotFound(_) => not_found(hv, headers),
        other => {
            tracing::warn!("help centre: {other}");
            (StatusCode::SERVICE_UNAVAILABLE, other.to_string()).into_response()
        }
    }
}

async fn article_page(
    state: &AppState,
    headers: &HeaderMap,
    hv: &HelpVisit,
    id: &str,
    feedback: FeedbackBox,
) -> Response {
    let article = match state.desk.get_article(Reader::Public, id).await {
        Ok(a) => a,
        Err(e) => return help_error(hv, headers, &e),
    };
    let en = hv.en;
    let category = state
        .desk
        .kb_categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.code == article.category)
        .map_or(article.category.clone(), |c| c.name(en).to_string());
    let text = article.text(en);
    let page = HelpArticle {
        p: hv.v.chrome.clone(),
        w: hv.w,
        title: text.title.clone(),
        body_html: kefu_html::markdown::to_html(&text.body),
        category,
        updated: article
            .updated_at
            .to_zoned_datetime(state.desk.time_zone().clone())
            .strftime("%Y-%m-%d")
            .to_string(),
        feedback,
        help_href: href("/portal/help", hv.lang_q),
        htmx: crate::assets::url("htmx.min.js"),
    };
    render(&page)
}

fn feedback_box(hv: &HelpVisit, id: &str) -> FeedbackBox {
    FeedbackBox {
        action: format!("/portal/help/{}/feedback", super::encode(id)),
        csrf: hv.v.chrome.csrf.clone(),
        lang: hv.lang_q.trim_start_matches("lang="),
        thanked: false,
        error: None,
    }
}

/// `/portal/help/{id}`: a live public article; anything else is the portal's 404.
pub async fn help_article(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    let path = format!("/portal/help/{}", super::encode(&id));
    let hv = help_visit(&headers, &q, &path);
    let feedback = feedback_box(&hv, &id);
    let r = article_page(&state, &headers, &hv, &id, feedback).await;
    finish(&hv.v, &headers, r)
}

/// `POST /portal/help/{id}/feedback` (`helpful=yes|no`, optional `comment`): with htmx the
/// thanks replace the vote box, without it the article page comes back with them.
pub async fn help_feedback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: ClientIp,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = limited(&state, &headers, &ip) {
        return r;
    }
    if !csrf_ok(&headers, &form) {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    }
    let path = format!("/portal/help/{}", super::encode(&id));
    let hv = help_visit(&headers, &form, &path);
    let mut feedback = feedback_box(&hv, &id);
    let helpful = match form.get("helpful").map(String::as_str) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let mut status = StatusCode::OK;
    match helpful {
        None => {
            feedback.error = Some(DomainError::invalid("helpful", "yes or no").to_string());
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Some(helpful) => {
            let comment = form.get("comment").map(String::as_str);
            match state
                .desk
                .article_feedback(Reader::Public, &id, helpful, comment, GapSource::Portal)
                .await
            {
                Ok(()) => feedback.thanked = true,
                Err(e @ DomainError::NotFound(_)) => return help_error(&hv, &headers, &e),
                Err(e) => {
                    feedback.error = Some(e.to_string());
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                }
            }
        }
    }
    let htmx = headers.contains_key("hx-request");
    let mut r = if htmx {
        render(&FeedbackFragment {
            w: hv.w,
            feedback: &feedback,
        })
    } else {
        article_page(&state, &headers, &hv, &id, feedback).await
    };
    // htmx swaps only successful answers, so its refusals say why with a 200.
    if r.status().is_success() && !htmx {
        *r.status_mut() = status;
    }
    finish(&hv.v, &headers, r)
}
