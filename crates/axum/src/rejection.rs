//! The rejection of the extractors.

use std::fmt;

use axum::response::{IntoResponse, Response};
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
/// use axum::http::StatusCode;
/// use instagram_webhook_axum::{Outcome, VerifiedDelivery, WebhookRejection};
///
/// async fn webhook(delivery: Result<VerifiedDelivery, WebhookRejection>) -> StatusCode {
///     match delivery {
///         Ok(VerifiedDelivery(delivery)) => StatusCode::OK,
///         Err(rejection) => match rejection.outcome() {
///             Outcome::Unauthorized(_) => StatusCode::UNAUTHORIZED,
///             Outcome::Rejected => StatusCode::OK,
///             _ => rejection.answer().status(),
///         },
///     }
/// }
/// ```
#[derive(Debug)]
pub struct WebhookRejection(pub Answer);

impl WebhookRejection {
    /// The answer this rejection sends.
    pub fn answer(&self) -> &Answer {
        &self.0
    }

    /// Why the request was not accepted.
    pub fn outcome(&self) -> Outcome {
        self.0.outcome()
    }
}

impl From<Answer> for WebhookRejection {
    fn from(answer: Answer) -> Self {
        Self(answer)
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.outcome(), f)
    }
}

impl std::error::Error for WebhookRejection {}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        translate::response(self.0)
    }
}
