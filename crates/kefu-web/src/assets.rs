//! Scripts, styles and images served by the binary itself (no CDN: kefu runs offline inside
//! company networks). Third-party files come from npm at build time; see `build.rs`.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// Changes with the content; URLs carry it, so a new build is never served from cache.
    pub hash: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub fn get(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// `/assets/<name>?v=<hash>`.
pub fn url(name: &str) -> String {
    match get(name) {
        Some(a) => format!("/assets/{}?v={}", a.name, a.hash),
        None => format!("/assets/{name}"),
    }
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match get(&name) {
        Some(a) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static(a.content_type)),
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            a.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `/widget.js`: the embeddable chat button. Its URL is pasted into other sites, so it carries
/// no hash; a short cache lets a new build reach them within the hour.
pub async fn widget() -> Response {
    match get("widget.js") {
        Some(a) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static(a.content_type)),
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            a.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_scripts_are_embedded_and_small_enough() {
        let htmx = get("htmx.min.js").expect("htmx is embedded");
        assert!(htmx.bytes.len() > 10_000);
        assert_eq!(htmx.content_type, "text/javascript; charset=utf-8");
        assert!(get("htmx-ext-sse.min.js").is_some());
        assert!(get("uplot.min.js").is_some());
        assert_eq!(
            get("kefu.css").map(|a| a.content_type),
            Some("text/css; charset=utf-8")
        );
        assert!(get("nope.js").is_none());
        assert!(url("htmx.min.js").starts_with("/assets/htmx.min.js?v="));
        // The budget: no page downloads more than 300 KB of script.
        let scripts: usize = [
            "htmx.min.js",
            "htmx-ext-sse.min.js",
            "kefu.js",
            "uplot.min.js",
            "chat.js",
            "widget.js",
        ]
        .iter()
        .filter_map(|n| get(n))
        .map(|a| a.bytes.len())
        .sum();
        assert!(scripts < 300 * 1024, "{scripts} bytes of script");
    }
}
