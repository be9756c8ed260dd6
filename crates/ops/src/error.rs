//! The API's errors: JSON with a stable code, a message, and for a bad
//! parameter its name.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use instagram_webhook_inbox::Error as InboxError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer: `{"error": {"code", "message", "parameter"?}}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable, for programs: `bad_parameter`, `unauthorized`, `forbidden`,
    /// `not_found`, `method_not_allowed`, `conflict`, `too_large`,
    /// `unavailable`, `internal`.
    code: &'static str,
    /// For people.
    message: String,
    /// The query parameter, path segment or body field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: ErrorDetail {
                    code,
                    message: message.into(),
                    parameter: None,
                },
            },
        }
    }

    /// 400: `parameter` is malformed or out of range.
    pub(crate) fn bad_parameter(parameter: &str, message: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "bad_parameter", message);
        error.body.error.parameter = Some(parameter.to_owned());
        error
    }

    /// 401: no token, or not one of the configured tokens.
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send `Authorization: Bearer <token>` with the operations token",
        )
    }

    /// 403: a read-only token asked for a change.
    pub(crate) fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this token is read-only: retrying and deleting need the operations token",
        )
    }

    /// 404: no such route, event or delivery.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The body could not be read: over the limit (413), or cut (400).
    pub(crate) fn body_refused(rejection: &axum::extract::rejection::BytesRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            let mut error = Self::new(status, "too_large", "the body is over 64 KiB");
            error.body.error.parameter = Some(String::from("body"));
            error
        } else {
            Self::bad_parameter("body", format!("the body could not be read: {rejection}"))
        }
    }

    /// 405 on a known path.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this path does not take that method",
        )
    }
}

impl From<InboxError> for ApiError {
    fn from(error: InboxError) -> Self {
        match &error {
            InboxError::NotFound(_) => Self::not_found(error.to_string()),
            InboxError::Conflict { .. } => {
                Self::new(StatusCode::CONFLICT, "conflict", error.to_string())
            }
            error if error.is_transient() => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("the inbox cannot answer now: {error}"),
            ),
            _ => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                error.to_string(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
