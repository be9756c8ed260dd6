//! The HTTP answer the pipeline decided on, for adapters to translate.

use bytes::Bytes;
use http::StatusCode;

use crate::handshake::{Challenge, HandshakeError};
use crate::signature::SignatureError;

/// The methods the webhook endpoint serves, for the `Allow` header of a 405.
pub const ALLOWED_METHODS: &str = "GET, POST";

/// An HTTP response decided by the pipeline: status, headers and body.
///
/// Adapters copy it into their framework's response type and add nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    status: StatusCode,
    content_type: &'static str,
    allow: Option<&'static str>,
    body: Bytes,
}

impl Answer {
    /// A `text/plain` answer.
    pub(crate) fn text(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            allow: None,
            body: body.into(),
        }
    }

    /// An error answer: its status and its fixed, input-free message.
    pub(crate) fn error(status: StatusCode, error: &impl std::fmt::Display) -> Self {
        Self::text(status, error.to_string())
    }

    /// 200 with a short acknowledgement.
    pub(crate) fn ok() -> Self {
        Self::text(StatusCode::OK, "EVENT_RECEIVED")
    }

    /// 405 with `Allow: GET, POST`.
    pub(crate) fn method_not_allowed() -> Self {
        Self {
            allow: Some(ALLOWED_METHODS),
            ..Self::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
    }

    /// 413: the body is over the configured limit.
    pub(crate) fn payload_too_large() -> Self {
        Self::text(StatusCode::PAYLOAD_TOO_LARGE, "payload too large")
    }

    /// 400: the body could not be read (the client went away, or a read
    /// timeout of the server struck).
    pub(crate) fn unreadable_body() -> Self {
        Self::text(StatusCode::BAD_REQUEST, "could not read body")
    }

    /// 500: the adapter found no [`Receiver`](super::Receiver) to drive (a
    /// setup mistake in the application). Meta retries, so nothing is lost
    /// once it is fixed.
    pub fn misconfigured() -> Self {
        Self::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "webhook receiver not configured",
        )
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers to send, as `(name, value)` pairs.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        std::iter::once(("content-type", self.content_type))
            .chain(self.allow.map(|allow| ("allow", allow)))
    }

    /// The body bytes.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body bytes, owned.
    pub fn into_body(self) -> Bytes {
        self.body
    }
}

impl From<Challenge> for Answer {
    /// 200 `text/plain` with the challenge, byte for byte.
    fn from(challenge: Challenge) -> Self {
        Self::text(StatusCode::OK, challenge.into_string())
    }
}

impl From<HandshakeError> for Answer {
    /// 400 or 403, with the error's fixed message.
    fn from(error: HandshakeError) -> Self {
        Self::error(error.status(), &error)
    }
}

impl From<SignatureError> for Answer {
    /// 401, with the error's fixed message.
    fn from(error: SignatureError) -> Self {
        Self::error(error.status(), &error)
    }
}
