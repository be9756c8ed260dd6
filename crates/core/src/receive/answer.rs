//! The HTTP answer the pipeline decided on, for adapters to translate.

use bytes::Bytes;
use http::StatusCode;

use super::outcome::Outcome;
use crate::handshake::{Challenge, HandshakeError};
use crate::signature::SignatureError;

/// The methods the webhook endpoint serves, for the `Allow` header of a 405.
pub const ALLOWED_METHODS: &str = "GET, POST";

/// How long Meta is asked to wait before delivering again after a 503, in
/// seconds (`Retry-After`).
pub const RETRY_AFTER_SECONDS: &str = "5";

/// An HTTP response decided by the pipeline: status, headers, body, and the
/// [`Outcome`] it stands for.
///
/// Adapters copy it into their framework's response type and add nothing.
///
/// ```
/// use instagram_webhook_core::receive::{Answer, Outcome};
///
/// let answer = Answer::misconfigured();
/// assert_eq!(answer.status(), 500);
/// assert_eq!(answer.outcome(), Outcome::Misconfigured);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    outcome: Outcome,
    body: Bytes,
}

impl Answer {
    /// The answer for `outcome`: its status, its headers, and `body`.
    fn new(outcome: Outcome, body: impl Into<Bytes>) -> Self {
        Self {
            outcome,
            body: body.into(),
        }
    }

    /// The answer for an outcome whose body is its fixed message.
    pub(crate) fn of(outcome: Outcome) -> Self {
        let body = match outcome {
            // The answer to every delivery: no allocation on the hot path.
            Outcome::Handled | Outcome::Rejected | Outcome::Accepted => {
                Bytes::from_static(b"EVENT_RECEIVED")
            }
            Outcome::HandshakeRefused(error) => error.to_string().into(),
            Outcome::Unauthorized(error) => error.to_string().into(),
            Outcome::ClientCertRefused(error) => error.to_string().into(),
            other => other.to_string().into(),
        };
        Self::new(outcome, body)
    }

    /// 500: the adapter found no [`Receiver`](super::Receiver) to drive (a
    /// setup mistake in the application). Meta retries, so nothing is lost
    /// once it is fixed.
    pub fn misconfigured() -> Self {
        Self::of(Outcome::Misconfigured)
    }

    /// How the request ended.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.outcome.status()
    }

    /// The headers to send, as `(name, value)` pairs: `content-type`
    /// always; `allow` on a 405; `retry-after` on a 503; `connection: close`
    /// when the request's body was not read to its end (a 408).
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        let extra = match self.outcome {
            Outcome::MethodNotAllowed => Some(("allow", ALLOWED_METHODS)),
            Outcome::Overloaded | Outcome::Unavailable => {
                Some(("retry-after", RETRY_AFTER_SECONDS))
            }
            Outcome::BodyTimeout => Some(("connection", "close")),
            _ => None,
        };
        std::iter::once(("content-type", "text/plain; charset=utf-8")).chain(extra)
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

impl From<Outcome> for Answer {
    /// The answer for `outcome`, with its fixed message as the body.
    /// ([`Outcome::HandshakeAnswered`] has the challenge as its body: build
    /// that answer from the [`Challenge`].)
    fn from(outcome: Outcome) -> Self {
        Self::of(outcome)
    }
}

impl From<Challenge> for Answer {
    /// 200 `text/plain` with the challenge, byte for byte.
    fn from(challenge: Challenge) -> Self {
        Self::new(Outcome::HandshakeAnswered, challenge.into_string())
    }
}

impl From<HandshakeError> for Answer {
    /// 400 or 403, with the error's fixed message.
    fn from(error: HandshakeError) -> Self {
        Self::of(Outcome::HandshakeRefused(error))
    }
}

impl From<SignatureError> for Answer {
    /// 401, with the error's fixed message.
    fn from(error: SignatureError) -> Self {
        Self::of(Outcome::Unauthorized(error))
    }
}
