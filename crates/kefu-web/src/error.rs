//! The API's error body: `{"error": {"code", "message", "field"?}}` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_model::{DomainError, StoreError};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.into());
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            message,
            field: Some(field),
        }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_body", message)
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{} not found", what.into()),
        )
    }
}

/// The HTTP status of a domain error: the one mapping, for the API and the console alike.
pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Invalid { .. } | DomainError::Store(StoreError::IdempotencyMismatch) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        DomainError::NotFound(_) | DomainError::Store(StoreError::NotFound(_)) => {
            StatusCode::NOT_FOUND
        }
        DomainError::Conflict { .. }
        | DomainError::Store(
            StoreError::Duplicate(_) | StoreError::VersionConflict | StoreError::NotEmpty,
        ) => StatusCode::CONFLICT,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
        DomainError::Store(StoreError::Backend(_) | StoreError::DocumentTooNew { .. }) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// What a person is told of a domain error: its own words, except for a storage failure,
/// whose detail is logged here and never shown.
pub fn public_message(e: &DomainError) -> String {
    match e {
        DomainError::Store(StoreError::Backend(detail)) => {
            tracing::error!(%detail, "storage failure");
            "storage is unavailable; the request was not applied".to_string()
        }
        DomainError::Store(too_new @ StoreError::DocumentTooNew { .. }) => {
            tracing::error!(detail = %too_new, "stored document from a newer kefu");
            "storage is unavailable; the request was not applied".to_string()
        }
        other => other.to_string(),
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        if let DomainError::Invalid { field, message } = &e {
            return ApiError::invalid(field.clone(), message.clone());
        }
        ApiError::new(status_of(&e), e.code(), public_message(&e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = crate::views::ErrorBody {
            error: crate::views::ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of domain error, with the status the API and the console both answer.
    #[test]
    fn every_domain_error_has_one_status() {
        let cases = [
            (DomainError::invalid("phone", "bad"), 422),
            (DomainError::NotFound("case x".into()), 404),
            (DomainError::conflict("version_conflict", "stale"), 409),
            (DomainError::Forbidden("no".into()), 403),
            (DomainError::Unauthenticated, 401),
            (DomainError::Store(StoreError::NotFound("x".into())), 404),
            (DomainError::Store(StoreError::Duplicate("x".into())), 409),
            (DomainError::Store(StoreError::VersionConflict), 409),
            (DomainError::Store(StoreError::NotEmpty), 409),
            (DomainError::Store(StoreError::IdempotencyMismatch), 422),
            (DomainError::Store(StoreError::Backend("disk".into())), 503),
            (
                DomainError::Store(StoreError::DocumentTooNew {
                    what: "case".into(),
                    found: 2,
                    known: 1,
                }),
                503,
            ),
        ];
        for (e, status) in cases {
            assert_eq!(status_of(&e).as_u16(), status, "{e:?}");
            assert_eq!(ApiError::from(e).status.as_u16(), status);
        }
    }

    #[test]
    fn storage_details_are_not_shown() {
        let e = DomainError::Store(StoreError::Backend("disk /var/x full".into()));
        assert!(!public_message(&e).contains("/var/x"));
    }
}
