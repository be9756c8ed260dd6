//! The error of the extractors.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use instagram_webhook_core::receive::{Answer, Outcome};

use crate::translate;

/// Why an extractor did not yield a value, as the answer to send: the
/// status and body the core decided (401 for a bad signature, 413 over the
/// body limit, 408 past the body deadline, 503 while the buffer bound is
/// reached, 400 or 403 for a handshake, 405 for another method, and 200 for
/// a verified body that is not an Instagram envelope, already handed to the
/// rejected-payload hook). Match on [`outcome`](Self::outcome) to tell the
/// cases apart.
///
/// ```
/// use actix_web::HttpResponse;
/// use instagram_webhook_actix_web::{Outcome, VerifiedDelivery, WebhookError};
///
/// async fn webhook(delivery: Result<VerifiedDelivery, WebhookError>) -> HttpResponse {
///     match delivery {
///         Ok(VerifiedDelivery(delivery)) => HttpResponse::Ok().finish(),
///         Err(error) if matches!(error.outcome(), Outcome::Unauthorized(_)) => {
///             HttpResponse::Unauthorized().finish()
///         }
///         Err(error) => actix_web::ResponseError::error_response(&error),
///     }
/// }
/// ```
#[derive(Debug)]
pub struct WebhookError(pub Answer);

impl WebhookError {
    /// The answer this error sends.
    pub fn answer(&self) -> &Answer {
        &self.0
    }

    /// Why the request was not accepted.
    pub fn outcome(&self) -> Outcome {
        self.0.outcome()
    }
}

impl From<Answer> for WebhookError {
    fn from(answer: Answer) -> Self {
        Self(answer)
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.outcome(), f)
    }
}

impl std::error::Error for WebhookError {}

impl ResponseError for WebhookError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        translate::response(&self.0)
    }
}
