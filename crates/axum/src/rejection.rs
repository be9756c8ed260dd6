//! The rejection of the extractors.

use axum::response::{IntoResponse, Response};
use instagram_webhook_core::receive::Answer;

use crate::translate;

/// Why an extractor did not yield a value, as the answer to send: 401 for a
/// bad signature, 413 over the body limit, 400 or 403 for a handshake, and
/// 200 for a verified body that is not an Instagram envelope (already handed
/// to the rejected-payload hook). The status is decided by the core.
#[derive(Debug)]
pub struct WebhookRejection(pub Answer);

impl WebhookRejection {
    /// The answer this rejection sends.
    pub fn answer(&self) -> &Answer {
        &self.0
    }
}

impl From<Answer> for WebhookRejection {
    fn from(answer: Answer) -> Self {
        Self(answer)
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        translate::response(self.0)
    }
}
