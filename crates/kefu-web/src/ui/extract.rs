//! The console's request extractors: the signed-in session ([`UiSession`]), the session with
//! its page frame ([`StaffPage`]) and a posted form checked against the session's CSRF token
//! and parsed into a typed struct ([`CsrfForm`]). Handlers take these instead of writing the
//! checks out, so no console handler can forget one.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_model::DomainError;
use serde::de::DeserializeOwned;

use super::pages::{Chrome, nav};
use super::session::{self, SESSION_COOKIE, cookie, csrf_token};
use super::{UiSession, encode, error_page, redirect, tr_of};
use crate::AppState;

/// Where the login page sends the user back to: the page asked for, or for a post the page
/// the form is on (`/cases/{id}/reply` → `/cases/{id}`; `…/new` and `…/edit` are pages
/// themselves).
fn next_of(parts: &Parts) -> String {
    let path = parts.uri.path();
    if parts.method == Method::GET || parts.method == Method::HEAD {
        return parts
            .uri
            .path_and_query()
            .map_or(path, |pq| pq.as_str())
            .to_string();
    }
    match path.rsplit_once('/') {
        Some((_, "new" | "edit")) => path.to_string(),
        Some(("", _)) | None => "/".to_string(),
        Some((parent, _)) => parent.to_string(),
    }
}

/// The session of a request, or the redirect to the login page (coming back to `next`).
pub(super) async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
) -> Result<UiSession, Response> {
    let tr = tr_of(headers);
    let to_login = || redirect(&format!("/login?next={}", encode(next)));
    let token = cookie(headers, SESSION_COOKIE).ok_or_else(to_login)?;
    match state.sessions.actor(&state.desk, token).await {
        Ok(actor) => Ok(UiSession {
            actor,
            csrf: csrf_token(token),
            token: token.to_string(),
            tr,
        }),
        Err(_) => Err(to_login()),
    }
}

/// A console request runs only with a session; without one it is answered with a redirect
/// to the login page, which comes back to the page asked for.
impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let next = next_of(parts);
        session_of(state, &parts.headers, &next).await
    }
}

/// A signed-in page: the session and the page's frame (navigation with the queue counts) for
/// the path asked for.
pub struct StaffPage {
    pub s: UiSession,
    pub chrome: Chrome,
}

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let s = UiSession::from_request_parts(parts, state).await?;
        match nav(state, &s, parts.uri.path()).await {
            Ok(chrome) => Ok(StaffPage { s, chrome }),
            Err(e) => Err(error_page(s.tr, Some(&s), &e)),
        }
    }
}

/// A form posted from a console page: the session, the CSRF token checked (the `_csrf` field
/// or htmx's `x-csrf-token` header), and the fields parsed into `T`. Take it as
/// `Result<CsrfForm<T>, FormRefused>` to answer a bad value with the form's own page.
pub struct CsrfForm<T> {
    pub s: UiSession,
    pub form: T,
    /// What was posted, as text, to show again with a refusal.
    pub input: HashMap<String, String>,
}

/// A form with nothing to read but its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// Why a posted form was not taken.
pub enum FormRefused {
    /// No session: the redirect to the login page.
    Login(Response),
    /// The CSRF token is missing or wrong (403): nothing posted is looked at.
    Csrf,
    /// Not a form body (wrong content type, too large).
    Body(Response),
    /// A field has a value the form does not take (422).
    Invalid(BadForm),
}

/// A form whose token was right but whose values were not.
pub struct BadForm {
    pub s: UiSession,
    /// `DomainError::Invalid` naming the field.
    pub error: DomainError,
    pub input: HashMap<String, String>,
}

impl IntoResponse for FormRefused {
    fn into_response(self) -> Response {
        match self {
            FormRefused::Login(r) | FormRefused::Body(r) => r,
            FormRefused::Csrf => csrf_refusal(),
            FormRefused::Invalid(bad) => error_page(bad.s.tr, Some(&bad.s), &bad.error),
        }
    }
}

/// The answer to a post without the session's CSRF token.
pub fn csrf_refusal() -> Response {
    (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response()
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = FormRefused;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, FormRefused> {
        let (mut parts, body) = req.into_parts();
        let s = UiSession::from_request_parts(&mut parts, state)
            .await
            .map_err(FormRefused::Login)?;
        let is_form = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| FormRefused::Body(e.into_response()))?;
        if !is_form && !bytes.is_empty() {
            return Err(FormRefused::Body(
                (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "expected application/x-www-form-urlencoded",
                )
                    .into_response(),
            ));
        }
        let input: HashMap<String, String> = form_urlencoded::parse(&bytes).into_owned().collect();
        let sent = input
            .get("_csrf")
            .cloned()
            .or(header_token)
            .unwrap_or_default();
        if !session::same(&sent, &s.csrf) {
            return Err(FormRefused::Csrf);
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(form) => Ok(CsrfForm { s, form, input }),
            Err(e) => {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                // serde names a missing field in its message, at the form's root.
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_string);
                let field = match missing {
                    Some(f) => f,
                    None if path == "." => "form".to_string(),
                    None => path,
                };
                let message = if message.starts_with("missing field") {
                    "required".to_string()
                } else {
                    message
                };
                Err(FormRefused::Invalid(BadForm {
                    s,
                    error: DomainError::invalid(field, message),
                    input,
                }))
            }
        }
    }
}

/// Field parsers for typed forms: each refuses a value it cannot read with words a person
/// understands, and reads an empty optional field as not given.
pub mod field {
    use std::str::FromStr;

    use serde::de::{Deserializer, Error, IntoDeserializer};
    use serde::{Deserialize, de::DeserializeOwned};

    /// An optional field: absent or empty is `None`, anything else must parse as `T`.
    pub fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => {
                let de: serde::de::value::StringDeserializer<serde::de::value::Error> =
                    v.trim().to_string().into_deserializer();
                T::deserialize(de).map(Some).map_err(D::Error::custom)
            }
        }
    }

    /// An optional whole number: absent or empty is `None`.
    pub fn optional_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => parsed(&v, "a whole number")
                .map(Some)
                .map_err(D::Error::custom),
        }
    }

    fn parsed<T: FromStr>(v: &str, what: &str) -> Result<T, String> {
        v.trim().parse().map_err(|_| format!("expected {what}"))
    }

    /// An amount in yuan (`12.50`).
    pub fn yuan<'de, D: Deserializer<'de>>(d: D) -> Result<rust_decimal::Decimal, D::Error> {
        parsed(&String::deserialize(d)?, "an amount in yuan").map_err(D::Error::custom)
    }

    /// A weight in kilograms (`1.5`).
    pub fn kilograms<'de, D: Deserializer<'de>>(d: D) -> Result<rust_decimal::Decimal, D::Error> {
        parsed(&String::deserialize(d)?, "a number of kilograms").map_err(D::Error::custom)
    }

    /// A yes/no field: `1`/`0` (or `true`/`false`).
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match String::deserialize(d)?.trim() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(D::Error::custom("expected 1 or 0")),
        }
    }

    /// An optional amount in yuan: empty is none.
    pub fn optional_yuan<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<rust_decimal::Decimal>, D::Error> {
        match String::deserialize(d)? {
            v if v.trim().is_empty() => Ok(None),
            v => parsed(&v, "an amount in yuan")
                .map(Some)
                .map_err(D::Error::custom),
        }
    }

    /// A local date and time as a browser's `datetime-local` sends it (`2026-11-24T15:30`).
    pub fn local_time<'de, D: Deserializer<'de>>(d: D) -> Result<jiff::civil::DateTime, D::Error> {
        parsed(&String::deserialize(d)?, "a date and time").map_err(D::Error::custom)
    }

    /// An optional local date and time: empty is none.
    pub fn optional_local_time<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<jiff::civil::DateTime>, D::Error> {
        match String::deserialize(d)? {
            v if v.trim().is_empty() => Ok(None),
            v => parsed(&v, "a date and time")
                .map(Some)
                .map_err(D::Error::custom),
        }
    }
}

/// A posted form's fields by name: each trimmed, a missing one empty.
pub struct Fields<'a>(pub &'a HashMap<String, String>);

impl Fields<'_> {
    pub fn text(&self, name: &str) -> String {
        self.0
            .get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    /// A required value read as `T`; `what` names the expected value in the refusal.
    pub fn value<T: std::str::FromStr>(&self, name: &str, what: &str) -> Result<T, DomainError> {
        optional_value(self.0.get(name).map(String::as_str), name, what)?
            .ok_or_else(|| DomainError::invalid(name, what))
    }

    pub fn ticked(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// A form or query value read as `T` when filled in (blank is `None`); `what` names the
/// expected value in the refusal, which names `field`.
pub fn optional_value<T: std::str::FromStr>(
    raw: Option<&str>,
    field: &str,
    what: &str,
) -> Result<Option<T>, DomainError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<T>()
            .map(Some)
            .map_err(|_| DomainError::invalid(field, what)),
    }
}

/// A day (`YYYY-MM-DD`) when filled in.
pub fn optional_day(
    raw: Option<&str>,
    field: &str,
) -> Result<Option<jiff::civil::Date>, DomainError> {
    optional_value(raw, field, "a date (YYYY-MM-DD)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(method: Method, uri: &str) -> String {
        let (parts, ()) = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .body(())
            .unwrap()
            .into_parts();
        next_of(&parts)
    }

    #[test]
    fn login_comes_back_to_the_page_and_a_post_to_the_page_of_its_form() {
        assert_eq!(
            next(Method::GET, "/queue/all?sort=oldest"),
            "/queue/all?sort=oldest"
        );
        assert_eq!(next(Method::POST, "/cases/abc/reply"), "/cases/abc");
        assert_eq!(next(Method::POST, "/cases/new"), "/cases/new");
        assert_eq!(next(Method::POST, "/kb/x/edit"), "/kb/x/edit");
        assert_eq!(next(Method::POST, "/logout"), "/");
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Change {
        #[serde(default, deserialize_with = "field::optional")]
        status: Option<kefu_model::Status>,
    }

    fn change(body: &str) -> Result<Change, String> {
        serde_urlencoded::from_str(body).map_err(|e| e.to_string())
    }

    #[test]
    fn an_optional_enum_is_absent_when_empty_and_refused_when_unknown() {
        assert_eq!(change("").unwrap().status, None);
        assert_eq!(change("status=").unwrap().status, None);
        assert_eq!(
            change("status=resolved").unwrap().status,
            Some(kefu_model::Status::Resolved)
        );
        let refused = change("status=bogus").unwrap_err();
        assert!(refused.contains("bogus"), "{refused}");
    }

    #[derive(serde::Deserialize, Debug)]
    struct Review {
        #[serde(default, deserialize_with = "field::optional")]
        review_by: Option<jiff::civil::Date>,
        #[serde(default, deserialize_with = "field::optional_count")]
        max_chats: Option<u32>,
    }

    #[test]
    fn optional_dates_and_counts_parse_from_text() {
        let r: Review = serde_urlencoded::from_str("review_by=2026-12-31&max_chats=4").unwrap();
        assert_eq!(r.review_by, Some(jiff::civil::date(2026, 12, 31)));
        assert_eq!(r.max_chats, Some(4));
        assert!(serde_urlencoded::from_str::<Review>("review_by=31.12.2026").is_err());
        assert!(serde_urlencoded::from_str::<Review>("max_chats=-1").is_err());
    }
}
