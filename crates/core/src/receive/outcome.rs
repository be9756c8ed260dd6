//! How a request to the webhook endpoint ended: one value per way, each with
//! its HTTP status, so a handler, a metric or a log can tell them apart.

use std::fmt;

use http::StatusCode;

use crate::client_cert::ClientCertError;
use crate::handshake::HandshakeError;
use crate::signature::SignatureError;

/// How a request ended. Every [`Answer`](super::Answer) carries one
/// ([`Answer::outcome`](super::Answer::outcome)), every observer is told it,
/// and the adapters' rejections expose it to match on.
///
/// ```
/// use instagram_webhook_core::receive::Outcome;
/// use instagram_webhook_core::SignatureError;
///
/// let outcome = Outcome::Unauthorized(SignatureError::Missing);
/// assert_eq!(outcome.status(), 401);
/// assert_eq!(outcome.as_str(), "unauthorized");
/// assert!(outcome.is_retried()); // Meta retries any answer but 200
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Any request: a [`ForwardedClientCert`](crate::client_cert::ForwardedClientCert)
    /// policy is set and the request is not from a trusted proxy or does not
    /// carry Meta's client certificate subject (403, before the body is read).
    ClientCertRefused(ClientCertError),
    /// GET: a valid handshake; the challenge was sent back (200).
    HandshakeAnswered,
    /// GET: the handshake was refused (400 or 403, as the error says).
    HandshakeRefused(HandshakeError),
    /// POST: no valid `X-Hub-Signature-256` for the body (401).
    Unauthorized(SignatureError),
    /// POST: the body is over the configured limit (413), found from the
    /// declared length or while reading, never past the limit.
    TooLarge,
    /// POST: the body could not be read: the client went away, or a read
    /// timeout of the server struck (400).
    UnreadableBody,
    /// POST: the whole body did not arrive within the body deadline (408,
    /// and the connection is closed).
    BodyTimeout,
    /// POST: the bytes buffered across in-flight bodies reached the
    /// configured bound, so this body was not read (503 with `Retry-After`;
    /// Meta delivers again).
    Overloaded,
    /// Another method than GET or POST (405 with `Allow: GET, POST`).
    MethodNotAllowed,
    /// POST: verified, but not an Instagram envelope: handed to the
    /// rejected-payload hook, since retrying cannot help (200).
    Rejected,
    /// POST: verified, but the newest entry's `time` is older than the
    /// replay window allows ([`replay_window`](super::ReceiverBuilder::replay_window),
    /// off by default), so the body is taken for a replay and neither
    /// handled nor stored (422; Meta's own deliveries are never this old
    /// while it still retries them).
    Stale,
    /// POST: verified and handed to the application through an extractor,
    /// which answers itself.
    Accepted,
    /// POST: verified, and the handler succeeded (200).
    Handled,
    /// POST: verified, and the handler failed (500; Meta delivers again).
    HandlerFailed,
    /// POST: verified, and the handler could not keep the delivery for now,
    /// its store being unavailable (503 with `Retry-After`; Meta delivers
    /// again). See [`HandlerError::unavailable`](super::HandlerError::unavailable).
    Unavailable,
    /// The application is set up wrongly: no receiver where an adapter
    /// looked for one, or no handler for a route that needs one (500).
    Misconfigured,
}

impl Outcome {
    /// The HTTP status the answer has.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::HandshakeAnswered | Self::Rejected | Self::Accepted | Self::Handled => {
                StatusCode::OK
            }
            Self::HandshakeRefused(error) => error.status(),
            Self::ClientCertRefused(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized(error) => error.status(),
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnreadableBody => StatusCode::BAD_REQUEST,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Overloaded | Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Stale => StatusCode::UNPROCESSABLE_ENTITY,
            Self::HandlerFailed | Self::Misconfigured => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable `snake_case` name, for metrics labels and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::HandshakeAnswered => "handshake_answered",
            Self::HandshakeRefused(_) => "handshake_refused",
            Self::ClientCertRefused(_) => "client_cert_refused",
            Self::Unauthorized(_) => "unauthorized",
            Self::TooLarge => "too_large",
            Self::UnreadableBody => "unreadable_body",
            Self::BodyTimeout => "body_timeout",
            Self::Overloaded => "overloaded",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Rejected => "rejected",
            Self::Stale => "stale",
            Self::Accepted => "accepted",
            Self::Handled => "handled",
            Self::HandlerFailed => "handler_failed",
            Self::Unavailable => "unavailable",
            Self::Misconfigured => "misconfigured",
        }
    }

    /// Whether Meta delivers the request again (any answer but 200 is
    /// retried).
    pub fn is_retried(&self) -> bool {
        self.status() != StatusCode::OK
    }
}

impl fmt::Display for Outcome {
    /// The outcome in words, with the error's fixed message where there is
    /// one; never anything of the request.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HandshakeAnswered => f.write_str("verification handshake answered"),
            Self::HandshakeRefused(error) => write!(f, "handshake refused: {error}"),
            Self::ClientCertRefused(error) => write!(f, "client certificate refused: {error}"),
            Self::Unauthorized(error) => write!(f, "unauthorized: {error}"),
            Self::TooLarge => f.write_str("payload too large"),
            Self::UnreadableBody => f.write_str("could not read body"),
            Self::BodyTimeout => f.write_str("body not received in time"),
            Self::Overloaded => f.write_str("too many bodies in flight"),
            Self::MethodNotAllowed => f.write_str("method not allowed"),
            Self::Rejected => f.write_str("verified body is not an Instagram envelope"),
            Self::Stale => f.write_str("delivery older than the replay window"),
            Self::Accepted => f.write_str("delivery accepted"),
            Self::Handled => f.write_str("delivery handled"),
            Self::HandlerFailed => f.write_str("handler failed"),
            Self::Unavailable => f.write_str("handler unavailable"),
            Self::Misconfigured => f.write_str("webhook receiver not configured"),
        }
    }
}
