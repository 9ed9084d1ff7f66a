//! Browser sessions: the bearer token of an API login, kept in an HttpOnly cookie, and a CSRF
//! token derived from it that every form and htmx request must echo.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "kefu_session";
pub const LANG_COOKIE: &str = "kefu_lang";
/// Before login there is no session to derive a CSRF token from; the login form carries a
/// random one that must match this cookie (double submit).
pub const LOGIN_CSRF_COOKIE: &str = "kefu_login_csrf";

/// A cookie's value from the request, if present and sane.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// The CSRF token of a session: a hash of the session token, so it needs no storage and dies
/// with the session.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("kefu-csrf:{session_token}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `Set-Cookie` value: HttpOnly, SameSite=Lax (links from elsewhere still open the console),
/// Path=/; `Secure` when the request came over HTTPS (via a proxy header).
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("a=1; kefu_session=abc ; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn csrf_tokens_are_stable_per_session_and_compared_whole() {
        let t = csrf_token("session-1");
        assert_eq!(t, csrf_token("session-1"));
        assert_ne!(t, csrf_token("session-2"));
        assert!(same(&t, &t.clone()));
        assert!(!same(&t, &t[..31]));
    }
}
