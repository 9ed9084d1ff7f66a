//! The console's search box (`/search?q=`): the same engine and permissions as
//! `GET /api/v1/search`, with links to where each hit lives.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_model::search::{SearchFilters, SearchHit, SearchKind, SearchScope, scope_for};
use kefu_model::{Category, Status};

use super::pages::{Chrome, Opt, code_options, nav};
use super::{UiSession, error_page, render};
use crate::AppState;

pub struct HitLine {
    pub kind: &'static str,
    pub href: String,
    pub title: String,
    /// Escaped by the engine, matches in `<mark>`: shown as HTML.
    pub snippet: kefu_html::SafeHtml,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    departments: Vec<Opt>,
    from: String,
    to: String,
    hits: Vec<HitLine>,
    error: Option<String>,
    searched: bool,
}

fn line(hit: SearchHit, zh: bool) -> HitLine {
    let (kind, href) = match hit.kind {
        SearchKind::Case => (
            if zh { "工单" } else { "Case" },
            format!("/cases/{}", hit.id),
        ),
        SearchKind::Customer => (
            if zh { "客户" } else { "Customer" },
            format!("/customers?id={}", hit.id),
        ),
        SearchKind::Shipment => (
            if zh { "运单" } else { "Shipment" },
            format!("/track?waybill_no={}", hit.id),
        ),
        SearchKind::Article => (
            if zh { "知识" } else { "Article" },
            format!("/kb/{}", super::encode(&hit.id)),
        ),
    };
    HitLine {
        kind,
        href,
        title: hit.title,
        snippet: hit.snippet,
    }
}

pub async fn search_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let text = q.get("q").map(|t| t.trim().to_string()).unwrap_or_default();
    let chrome = match nav(&state, &s, "/search").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let zh = s.tr.lang.is_zh();
    let value = |name: &str| {
        q.get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let scope = scope_for(&s.actor);
    let selected = |name: &str| value(name).unwrap_or_default();
    let kinds = [
        ("case", s.tr.kind_case),
        ("customer", s.tr.kind_customer),
        ("shipment", s.tr.kind_shipment),
        ("article", s.tr.kind_article),
    ]
    .into_iter()
    .map(|(code, name)| Opt {
        value: code.to_string(),
        label: name.to_string(),
        selected: selected("type") == code,
    })
    .collect();
    // Department staff search their own department only: offer no other.
    let departments = match state.desk.list_departments().await {
        Ok(all) => all
            .into_iter()
            .filter(|d| match &scope {
                Ok(SearchScope::Department(own)) => &d.id == own,
                _ => true,
            })
            .map(|d| Opt {
                selected: [d.id.as_str(), d.key.as_str()]
                    .contains(&selected("department").as_str()),
                value: d.id.to_string(),
                label: d.name,
            })
            .collect(),
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let mut page = SearchPage {
        chrome,
        q: text.clone(),
        kinds,
        statuses: code_options(
            s.tr,
            Status::ALL.iter().map(|st| st.as_str()),
            &selected("status"),
        ),
        categories: code_options(
            s.tr,
            Category::ALL.iter().map(|c| c.as_str()),
            &selected("category"),
        ),
        departments,
        from: selected("from"),
        to: selected("to"),
        hits: Vec::new(),
        error: None,
        searched: !text.is_empty(),
    };
    if text.is_empty() {
        return render(&page);
    }
    let found = match state
        .desk
        .search_request(
            text,
            &SearchFilters {
                kind: q.get("type").map(String::as_str),
                status: q.get("status").map(String::as_str),
                category: q.get("category").map(String::as_str),
                department: q.get("department").map(String::as_str),
                from: q.get("from").map(String::as_str),
                to: q.get("to").map(String::as_str),
            },
            30,
        )
        .await
    {
        Ok(request) => state.desk.search(&s.actor, &request).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(hits) => page.hits = hits.into_iter().map(|h| line(h, zh)).collect(),
        Err(e) => page.error = Some(e.to_string()),
    }
    render(&page)
}
