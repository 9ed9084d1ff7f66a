//! The API's error body: `{"error": {"code", "message", "field"?}}` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_domain::{DomainError, StoreError};
use serde_json::json;

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

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let code = e.code();
        let status = match &e {
            DomainError::Invalid { field, message } => {
                return ApiError::invalid(field.clone(), message.clone());
            }
            DomainError::NotFound(_) | DomainError::Store(StoreError::NotFound(_)) => {
                StatusCode::NOT_FOUND
            }
            DomainError::Conflict { .. }
            | DomainError::Store(
                StoreError::Duplicate(_) | StoreError::VersionConflict | StoreError::NotEmpty,
            ) => StatusCode::CONFLICT,
            DomainError::Store(StoreError::IdempotencyMismatch) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
            DomainError::Store(StoreError::Backend(detail)) => {
                // The detail is for the log, not for the client.
                tracing::error!(%detail, "storage failure");
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code,
                    "storage is unavailable; the request was not applied",
                );
            }
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            error["field"] = json!(field);
        }
        let mut response = (self.status, axum::Json(json!({ "error": error }))).into_response();
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
