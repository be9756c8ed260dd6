//! The receive pipeline: DESIGN's HTTP contract, implemented once.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use instagram_webhook_types::Notification;

use super::answer::Answer;
use super::body::{BodyCollector, BodyStream, DEFAULT_BODY_LIMIT};
use super::delivery::Delivery;
use super::handler::{
    DynHandler, DynRejectedHook, Handler, KeepNothing, RejectedHook, RejectedPayload,
};
use super::head::RequestHead;
use super::observe;
use crate::handshake::{Challenge, HandshakeError, verify_handshake};
use crate::secret::VerifyToken;
use crate::select::{RequestContext, SelectVerifier};
use crate::signature::SignatureError;

/// Receives Instagram webhooks: answers the handshake, verifies, parses and
/// hands each delivery to the application, and decides every HTTP answer.
///
/// | request | answer |
/// |---|---|
/// | GET with a valid handshake | 200 `text/plain`, the challenge |
/// | GET with wrong mode or token | 403 |
/// | GET without the `hub.*` parameters | 400 |
/// | POST without a valid `X-Hub-Signature-256` | 401 |
/// | POST body over the limit | 413, without reading past the limit |
/// | POST verified, handler succeeded | 200 |
/// | POST verified, not an Instagram envelope | 200, bytes to the rejected-payload hook |
/// | POST verified, handler failed | 500, so Meta delivers again |
/// | any other method | 405 with `Allow: GET, POST` |
///
/// Cloning is cheap (a reference count). Framework adapters drive it with
/// [`Receiver::start`] and [`Receiver::finish`]; see their crates.
///
/// ```
/// use instagram_webhook_core::receive::{Delivery, Receiver, RequestHead, Start};
/// use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
///
/// let receiver = Receiver::builder(
///     Verifier::new(AppSecret::new("app-secret")?),
///     VerifyToken::new("verify-token")?,
///     |delivery: Delivery| async move {
///         println!("{} events", delivery.events().len());
///         Ok::<(), std::io::Error>(())
///     },
/// )
/// .build();
///
/// let head = RequestHead::new("GET", "/webhook", Some("hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=7"));
/// let Start::Answer(answer) = receiver.start(&head) else { unreachable!() };
/// assert_eq!(answer.status(), 200);
/// assert_eq!(answer.body().as_ref(), b"7");
/// # Ok::<(), instagram_webhook_core::SecretError>(())
/// ```
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    verifiers: Box<dyn SelectVerifier>,
    token: VerifyToken,
    handler: Box<dyn DynHandler>,
    rejected: Box<dyn DynRejectedHook>,
    body_limit: usize,
}

/// Builds a [`Receiver`]; from [`Receiver::builder`].
pub struct ReceiverBuilder {
    inner: Inner,
}

/// What to do after [`Receiver::start`].
#[derive(Debug)]
pub enum Start {
    /// The answer is decided without a body (handshake, 405, 413): send it.
    Answer(Answer),
    /// Read the body into the collector (it enforces the limit), then call
    /// [`Receiver::finish`].
    ReadBody(BodyCollector),
}

impl Receiver {
    /// A receiver with the App Secrets (a [`Verifier`](crate::Verifier) or
    /// any [`SelectVerifier`]), the verify token and the application's handler.
    pub fn builder(
        verifiers: impl SelectVerifier + 'static,
        token: VerifyToken,
        handler: impl Handler,
    ) -> ReceiverBuilder {
        ReceiverBuilder {
            inner: Inner {
                verifiers: Box::new(verifiers),
                token,
                handler: Box::new(handler),
                rejected: Box::new(KeepNothing),
                body_limit: DEFAULT_BODY_LIMIT,
            },
        }
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// Decides what needs no body: the handshake (GET), 405 for other
    /// methods, 413 for a declared `Content-Length` over the limit.
    pub fn start(&self, head: &RequestHead<'_>) -> Start {
        match head.method() {
            "GET" => Start::Answer(match self.handshake(head.query()) {
                Ok(challenge) => challenge.into(),
                Err(error) => error.into(),
            }),
            "POST" => match head.content_length() {
                Some(length) if length > self.inner.body_limit as u64 => {
                    observe::too_large();
                    Start::Answer(Answer::payload_too_large())
                }
                _ => Start::ReadBody(BodyCollector::new(self.inner.body_limit)),
            },
            _ => Start::Answer(Answer::method_not_allowed()),
        }
    }

    /// Verifies and parses a POST body without calling the handler: the
    /// [`Delivery`] on success, else the answer to send. A verified body that
    /// is not an envelope goes to the rejected-payload hook here, and the
    /// answer is 200.
    ///
    /// # Errors
    /// The [`Answer`] to send instead of calling a handler: 413, 401, or 200
    /// after the rejected-payload hook.
    pub async fn accept(&self, head: &RequestHead<'_>, body: Bytes) -> Result<Delivery, Answer> {
        if body.len() > self.inner.body_limit {
            observe::too_large();
            return Err(Answer::payload_too_large());
        }
        let verified = self.verify(head, &body).map_err(|error| {
            observe::forged(error);
            Answer::from(error)
        })?;
        match serde_json::from_slice::<Notification<'_>>(&body) {
            Ok(_) => Ok(Delivery::new(body, verified)),
            Err(error) => {
                let reason = observe::rejected_reason(&error);
                observe::rejected(&reason, body.len());
                self.inner
                    .rejected
                    .rejected(RejectedPayload::new(body, reason))
                    .await;
                Err(Answer::ok())
            }
        }
    }

    /// Verifies, parses and hands a POST body to the handler; the answer.
    pub async fn finish(&self, head: &RequestHead<'_>, body: Bytes) -> Answer {
        let delivery = match self.accept(head, body).await {
            Ok(delivery) => delivery,
            Err(answer) => return answer,
        };
        let span = observe::delivery_span(&delivery);
        observe::instrument(span, async {
            match self.inner.handler.handle(delivery).await {
                Ok(()) => {
                    observe::handled();
                    Answer::ok()
                }
                Err(error) => {
                    observe::handler_failed(&error);
                    Answer::text(StatusCode::INTERNAL_SERVER_ERROR, "handler failed")
                }
            }
        })
        .await
    }

    /// The whole pipeline for one request: [`start`](Self::start), the body
    /// read under the limit, then [`finish`](Self::finish). Adapters' routes
    /// call this and translate the answer.
    pub async fn serve(&self, head: &RequestHead<'_>, body: impl BodyStream) -> Answer {
        match self.start(head) {
            Start::Answer(answer) => answer,
            Start::ReadBody(collector) => match collector.read(body).await {
                Ok(body) => self.finish(head, body).await,
                Err(answer) => {
                    observe::too_large_or_unread(&answer);
                    answer
                }
            },
        }
    }

    /// The pipeline up to the handler, for extractors: the verified
    /// [`Delivery`], or the answer to send instead (handshake, 405, 413, 401,
    /// or 200 after the rejected-payload hook).
    ///
    /// # Errors
    /// The [`Answer`] to send instead of calling the application.
    pub async fn receive(
        &self,
        head: &RequestHead<'_>,
        body: impl BodyStream,
    ) -> Result<Delivery, Answer> {
        match self.start(head) {
            Start::Answer(answer) => Err(answer),
            Start::ReadBody(collector) => {
                let body = collector
                    .read(body)
                    .await
                    .inspect_err(observe::too_large_or_unread)?;
                self.accept(head, body).await
            }
        }
    }

    /// [`serve`](Self::serve) for a body already in memory, as on AWS Lambda.
    pub async fn respond(&self, head: &RequestHead<'_>, body: Bytes) -> Answer {
        self.serve(head, body).await
    }

    /// Checks a handshake (GET) from the raw query string: the challenge to
    /// send back, or why not. Both convert into an [`Answer`].
    ///
    /// # Errors
    /// As [`verify_handshake`].
    pub fn handshake(&self, query: Option<&str>) -> Result<Challenge, HandshakeError> {
        let outcome = verify_handshake(query.unwrap_or_default(), &self.inner.token);
        observe::handshake(outcome.as_ref().err().copied());
        outcome
    }

    /// Checks the signature with the secrets selected for this request.
    fn verify(
        &self,
        head: &RequestHead<'_>,
        body: &[u8],
    ) -> Result<crate::Verified, SignatureError> {
        let context = RequestContext::new(head.path(), head.query());
        let verifier = self
            .inner
            .verifiers
            .select(&context)
            .ok_or(SignatureError::UnknownApp)?;
        verifier.verify_signed(head.signatures(), head.has_legacy_signature(), body)
    }
}

impl ReceiverBuilder {
    /// Where verified bodies that are not Instagram envelopes go (answered
    /// 200, since retrying cannot help). Without a hook they are only logged.
    #[must_use]
    pub fn on_rejected(mut self, hook: impl RejectedHook) -> Self {
        self.inner.rejected = Box::new(hook);
        self
    }

    /// The largest body accepted, in bytes (default 4 MiB, enough for a
    /// batch of 1000 updates). Larger bodies are answered 413 without being
    /// read past the limit.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.inner.body_limit = bytes;
        self
    }

    /// The receiver.
    pub fn build(self) -> Receiver {
        Receiver {
            inner: Arc::new(self.inner),
        }
    }
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("token", &self.inner.token)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("token", &self.inner.token)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}
