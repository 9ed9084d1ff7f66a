//! The console's search box (`/search?q=`): the same engine and permissions as
//! `GET /api/v1/search`, with links to where each hit lives.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kefu_domain::search::{SearchHit, SearchKind, SearchRequest, scope_for};

use super::pages::{Chrome, nav};
use super::{error_page, render, session};
use crate::AppState;

pub struct HitLine {
    pub kind: &'static str,
    pub href: String,
    pub title: String,
    /// Escaped by the engine, matches in `<mark>`: shown as HTML.
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
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
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let text = q.get("q").map(|t| t.trim().to_string()).unwrap_or_default();
    let s = match session(&state, &headers, "/search").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let chrome = match nav(&state, &s, "/search").await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, Some(&s), &e),
    };
    let zh = s.tr.lang == "zh-CN";
    let mut page = SearchPage {
        chrome,
        q: text.clone(),
        hits: Vec::new(),
        error: None,
        searched: !text.is_empty(),
    };
    if text.is_empty() {
        return render(&page);
    }
    let found = match (&state.desk.search, scope_for(&s.actor)) {
        (Some(engine), Ok(scope)) => engine.search(
            &SearchRequest {
                q: text,
                limit: 30,
                ..SearchRequest::default()
            },
            &scope,
        ),
        (None, _) => Err(kefu_domain::DomainError::conflict(
            "search_unavailable",
            "this node has no search index",
        )),
        (_, Err(e)) => Err(e),
    };
    match found {
        Ok(hits) => page.hits = hits.into_iter().map(|h| line(h, zh)).collect(),
        Err(e) => page.error = Some(e.to_string()),
    }
    render(&page)
}
