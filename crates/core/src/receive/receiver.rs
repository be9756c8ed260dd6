//! The receive pipeline: the HTTP contract, implemented once.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use instagram_webhook_types::Notification;

use super::answer::Answer;
use super::body::{
    BodyCollector, BodyStream, Buffers, Charge, DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT,
    DEFAULT_BUFFER_LIMIT,
};
use super::delivery::{Delivery, Origin};
use super::freshness::is_stale;
use super::handler::{
    DynHandler, DynRejectedHook, Handler, HandlerError, KeepNothing, RejectedHook, RejectedPayload,
};
use super::head::RequestHead;
use super::observe::{Observer, Report, Timings};
use super::outcome::Outcome;
use crate::client_cert::ForwardedClientCert;
use crate::handshake::{Challenge, verify_handshake};
use crate::secret::VerifyToken;
use crate::select::{RequestContext, SelectVerifier};
use crate::signature::SignatureError;

/// Receives Instagram webhooks: answers the handshake, verifies, parses and
/// hands each delivery to the application, and decides every HTTP answer.
///
/// # The HTTP contract
///
/// Every adapter answers exactly this, since every answer is decided here;
/// the same conformance suite checks each of them.
///
/// | request | answer | [`Outcome`] |
/// |---|---|---|
/// | any request, with a [`forwarded_client_cert`](ReceiverBuilder::forwarded_client_cert) policy, not from a trusted proxy or without Meta's forwarded client certificate subject | 403, before anything else | [`ClientCertRefused`](Outcome::ClientCertRefused) |
/// | GET with a valid handshake | 200 `text/plain`, the challenge verbatim | [`HandshakeAnswered`](Outcome::HandshakeAnswered) |
/// | GET with wrong mode or token | 403 | [`HandshakeRefused`](Outcome::HandshakeRefused) |
/// | GET without the `hub.*` parameters, with one repeated, or with a refused challenge (empty, over 1 KiB, control characters) | 400 | [`HandshakeRefused`](Outcome::HandshakeRefused) |
/// | POST without a valid `X-Hub-Signature-256` (missing, malformed, `sha1=` only, wrong secret) | 401 | [`Unauthorized`](Outcome::Unauthorized) |
/// | POST body over the limit ([`body_limit`](ReceiverBuilder::body_limit), 4 MiB by default) | 413, without reading past the limit | [`TooLarge`](Outcome::TooLarge) |
/// | POST body not complete within the deadline ([`body_timeout`](ReceiverBuilder::body_timeout), 20 s by default) | 408, connection closed | [`BodyTimeout`](Outcome::BodyTimeout) |
/// | POST body that could not be read (the client went away, a server read timeout struck) | 400 | [`UnreadableBody`](Outcome::UnreadableBody) |
/// | POST while the bodies in flight hold the buffer bound ([`buffer_limit`](ReceiverBuilder::buffer_limit), 64 MiB by default) | 503 with `Retry-After` | [`Overloaded`](Outcome::Overloaded) |
/// | POST verified, newest entry older than the [`replay_window`](ReceiverBuilder::replay_window) (off by default) | 422 | [`Stale`](Outcome::Stale) |
/// | POST verified, handler succeeded | 200 | [`Handled`](Outcome::Handled) |
/// | POST verified, not an Instagram envelope | 200, the exact bytes to the rejected-payload hook | [`Rejected`](Outcome::Rejected) |
/// | POST verified, not an envelope, and the rejected-payload hook failed | 500, or 503 with `Retry-After` for [`HandlerError::unavailable`] | [`HandlerFailed`](Outcome::HandlerFailed), [`Unavailable`](Outcome::Unavailable) |
/// | POST verified, handler failed | 500, so Meta delivers again (dedup keys make that safe) | [`HandlerFailed`](Outcome::HandlerFailed) |
/// | POST verified, handler's store unavailable ([`HandlerError::unavailable`]) | 503 with `Retry-After` | [`Unavailable`](Outcome::Unavailable) |
/// | POST verified, no handler set ([`serve`](Self::serve) only) | 500 | [`Misconfigured`](Outcome::Misconfigured) |
/// | any other method | 405 with `Allow: GET, POST` | [`MethodNotAllowed`](Outcome::MethodNotAllowed) |
///
/// Meta delivers again after any answer but 200
/// ([`Outcome::is_retried`]); `Retry-After` asks it to wait
/// [`RETRY_AFTER_SECONDS`](super::RETRY_AFTER_SECONDS) seconds. An
/// adapter's extractor ([`receive`](Self::receive)) hands a verified
/// delivery to the application instead of the handler
/// ([`Outcome::Accepted`]), and the application answers.
///
/// # Use
///
/// Cloning is cheap (a reference count). Framework adapters drive it with
/// [`Receiver::serve`] (a route) and [`Receiver::receive`] (an extractor);
/// see their crates.
///
/// ```
/// use bytes::Bytes;
/// use instagram_webhook_core::receive::{Delivery, Outcome, Receiver, RequestHead};
/// use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), instagram_webhook_core::SecretError> {
/// let receiver = Receiver::builder(
///     Verifier::new(AppSecret::new("app-secret")?),
///     VerifyToken::new("verify-token")?,
/// )
/// .handler(|delivery: Delivery| async move {
///     println!("{} events", delivery.events().len());
///     Ok::<(), std::io::Error>(())
/// })
/// .build();
///
/// let query = "hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=7";
/// let head = RequestHead::new("GET", "/webhook", Some(query));
/// let answer = receiver.serve(&head, Bytes::new()).await;
/// assert_eq!(answer.outcome(), Outcome::HandshakeAnswered);
/// assert_eq!(answer.body().as_ref(), b"7");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    verifiers: Box<dyn SelectVerifier>,
    token: VerifyToken,
    handler: Option<Box<dyn DynHandler>>,
    rejected: Box<dyn DynRejectedHook>,
    observers: Vec<Box<dyn Observer>>,
    body_limit: usize,
    body_timeout: Option<Duration>,
    buffers: Buffers,
    replay_window: Option<Duration>,
    client_cert: Option<ForwardedClientCert>,
}

/// Builds a [`Receiver`]; from [`Receiver::builder`].
pub struct ReceiverBuilder {
    inner: Inner,
}

/// What one request has been through so far, for its report.
struct Progress<'h> {
    head: &'h RequestHead<'h>,
    started: Instant,
    timings: Timings,
    body_bytes: Option<usize>,
}

impl<'h> Progress<'h> {
    fn new(head: &'h RequestHead<'h>) -> Self {
        Self {
            head,
            started: Instant::now(),
            timings: Timings::default(),
            body_bytes: None,
        }
    }

    /// Runs `stage` and returns its result and how long it took.
    async fn time<T>(stage: impl Future<Output = T>) -> (T, Duration) {
        let started = Instant::now();
        let value = stage.await;
        (value, started.elapsed())
    }
}

/// How a delivery was taken: what the report says besides the outcome.
#[derive(Default)]
struct Detail<'a> {
    delivery: Option<&'a Delivery>,
    rejected_reason: Option<&'a str>,
    handler_error: Option<&'a HandlerError>,
}

impl Receiver {
    /// A receiver with the App Secrets (a [`Verifier`](crate::Verifier) or
    /// any [`SelectVerifier`]) and the verify token. Set the handler with
    /// [`ReceiverBuilder::handler`], unless you only use an adapter's
    /// extractors.
    pub fn builder(
        verifiers: impl SelectVerifier + 'static,
        token: VerifyToken,
    ) -> ReceiverBuilder {
        ReceiverBuilder {
            inner: Inner {
                verifiers: Box::new(verifiers),
                token,
                handler: None,
                rejected: Box::new(KeepNothing),
                observers: default_observers(),
                body_limit: DEFAULT_BODY_LIMIT,
                body_timeout: Some(DEFAULT_BODY_TIMEOUT),
                buffers: Buffers::new(DEFAULT_BUFFER_LIMIT),
                replay_window: None,
                client_cert: None,
            },
        }
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The whole pipeline for one request: the handshake on GET; on POST
    /// the body read under the limit and the deadline, verified, parsed and
    /// handed to the handler. Adapters' routes call this and translate the
    /// answer.
    pub async fn serve(&self, head: &RequestHead<'_>, body: impl BodyStream) -> Answer {
        let mut progress = Progress::new(head);
        if head.method() == "GET" {
            return match self.handshake(head) {
                Ok(challenge) => challenge.into(),
                Err(answer) => answer,
            };
        }
        let answer = match self.admit(head) {
            Err(outcome) => Answer::of(outcome),
            Ok(()) if head.method() == "POST" => match self.take(&mut progress, body).await {
                Ok((delivery, _charge)) => {
                    return self.handle(&mut progress, &delivery).await;
                }
                Err(Taken::Answered(answer)) => return answer,
                Err(Taken::Refused(outcome)) => Answer::of(outcome),
            },
            Ok(()) => Answer::of(Outcome::MethodNotAllowed),
        };
        self.report(&progress, answer.outcome(), Detail::default());
        answer
    }

    /// The pipeline up to the handler, for extractors: the verified
    /// [`Delivery`], or the answer to send instead (any method but POST is
    /// 405 here: check a handshake with [`handshake`](Self::handshake)).
    ///
    /// # Errors
    /// The [`Answer`] to send instead of calling the application: 405, 413,
    /// 408, 503, 401, or 200 after the rejected-payload hook.
    pub async fn receive(
        &self,
        head: &RequestHead<'_>,
        body: impl BodyStream,
    ) -> Result<Delivery, Answer> {
        let mut progress = Progress::new(head);
        if let Err(outcome) = self.admit(head) {
            self.report(&progress, outcome, Detail::default());
            return Err(Answer::of(outcome));
        }
        if head.method() != "POST" {
            let answer = Answer::of(Outcome::MethodNotAllowed);
            self.report(&progress, answer.outcome(), Detail::default());
            return Err(answer);
        }
        match self.take(&mut progress, body).await {
            Ok((delivery, _charge)) => {
                let detail = Detail {
                    delivery: Some(&delivery),
                    ..Detail::default()
                };
                self.report(&progress, Outcome::Accepted, detail);
                Ok(delivery)
            }
            Err(Taken::Answered(answer)) => Err(answer),
            Err(Taken::Refused(outcome)) => {
                self.report(&progress, outcome, Detail::default());
                Err(Answer::of(outcome))
            }
        }
    }

    /// Checks a handshake (GET) from the request's raw query string: the
    /// challenge to send back (it converts into an [`Answer`]), or the
    /// answer to send instead.
    ///
    /// # Errors
    /// 400 or 403 as [`verify_handshake`] decides, or 403 when a
    /// [`forwarded_client_cert`](ReceiverBuilder::forwarded_client_cert)
    /// policy refuses the request.
    pub fn handshake(&self, head: &RequestHead<'_>) -> Result<Challenge, Answer> {
        let progress = Progress::new(head);
        let result = self.admit(head).and_then(|()| {
            verify_handshake(head.query().unwrap_or_default(), &self.inner.token)
                .map_err(Outcome::HandshakeRefused)
        });
        let outcome = match &result {
            Ok(_) => Outcome::HandshakeAnswered,
            Err(outcome) => *outcome,
        };
        self.report(&progress, outcome, Detail::default());
        result.map_err(Answer::of)
    }

    /// Whether the request may reach the webhook at all: the forwarded
    /// client certificate policy, when one is set.
    fn admit(&self, head: &RequestHead<'_>) -> Result<(), Outcome> {
        match &self.inner.client_cert {
            Some(policy) => policy
                .check(head.peer(), head.client_cert_subjects())
                .map_err(Outcome::ClientCertRefused),
            None => Ok(()),
        }
    }

    /// Reads, verifies and parses a POST body: the delivery (with the charge
    /// for its bytes, held until the request ends), or how it ended.
    async fn take<'r>(
        &'r self,
        progress: &mut Progress<'_>,
        body: impl BodyStream,
    ) -> Result<(Delivery, Charge<'r>), Taken> {
        let head = progress.head;
        if let Some(length) = head.content_length()
            && length > self.inner.body_limit as u64
        {
            progress.body_bytes = usize::try_from(length).ok();
            return Err(Taken::Refused(Outcome::TooLarge));
        }
        let mut charge = self
            .inner
            .buffers
            .charge()
            .ok_or(Taken::Refused(Outcome::Overloaded))?;
        let collector = BodyCollector::new(self.inner.body_limit);
        let (read, elapsed) =
            Progress::time(collector.read(body, self.inner.body_timeout, &mut charge)).await;
        progress.timings.body_read = Some(elapsed);
        let body = read.map_err(Taken::Refused)?;
        progress.body_bytes = Some(body.len());
        let received_at = SystemTime::now();

        let started = Instant::now();
        let verified = self.verify(head, &body);
        progress.timings.verify = Some(started.elapsed());
        let (secret_index, app) =
            verified.map_err(|error| Taken::Refused(Outcome::Unauthorized(error)))?;

        let mut origin = Origin::new(head.path(), received_at, secret_index);
        if let Some(app) = app {
            origin = origin.with_app(app);
        }
        let started = Instant::now();
        let parsed = Delivery::parse(body, origin);
        progress.timings.parse = Some(started.elapsed());
        match parsed {
            Ok(delivery) => {
                if let Some(window) = self.inner.replay_window
                    && is_stale(delivery.notification(), received_at, window)
                {
                    let detail = Detail {
                        delivery: Some(&delivery),
                        ..Detail::default()
                    };
                    self.report(progress, Outcome::Stale, detail);
                    return Err(Taken::Answered(Answer::of(Outcome::Stale)));
                }
                Ok((delivery, charge))
            }
            Err(refused) => {
                let reason = rejected_reason(&refused.body);
                let payload = RejectedPayload::new(refused.body, reason.clone(), refused.origin);
                let (kept, elapsed) = Progress::time(self.inner.rejected.rejected(payload)).await;
                progress.timings.handler = Some(elapsed);
                let outcome = match &kept {
                    Ok(()) => Outcome::Rejected,
                    Err(error) => error.outcome(),
                };
                let detail = Detail {
                    rejected_reason: Some(&reason),
                    handler_error: kept.as_ref().err(),
                    ..Detail::default()
                };
                self.report(progress, outcome, detail);
                Err(Taken::Answered(Answer::of(outcome)))
            }
        }
    }

    /// Hands a delivery to the handler; the answer.
    async fn handle(&self, progress: &mut Progress<'_>, delivery: &Delivery) -> Answer {
        let Some(handler) = &self.inner.handler else {
            let detail = Detail {
                delivery: Some(delivery),
                ..Detail::default()
            };
            self.report(progress, Outcome::Misconfigured, detail);
            return Answer::of(Outcome::Misconfigured);
        };
        let (result, elapsed) = Progress::time(handler.handle(delivery.clone())).await;
        progress.timings.handler = Some(elapsed);
        let outcome = match &result {
            Ok(()) => Outcome::Handled,
            Err(error) => error.outcome(),
        };
        let detail = Detail {
            delivery: Some(delivery),
            handler_error: result.as_ref().err(),
            ..Detail::default()
        };
        self.report(progress, outcome, detail);
        Answer::of(outcome)
    }

    /// Checks the signature with the secrets selected for this request: the
    /// index of the secret that matched, and the app's name.
    fn verify(
        &self,
        head: &RequestHead<'_>,
        body: &[u8],
    ) -> Result<(usize, Option<Arc<str>>), SignatureError> {
        let context = RequestContext::new(head.path(), head.query());
        let selected = self
            .inner
            .verifiers
            .select(&context)
            .ok_or(SignatureError::UnknownApp)?;
        let verified = selected.verifier.verify_signed(
            head.signatures(),
            head.has_legacy_signature(),
            body,
        )?;
        Ok((verified.secret_index(), selected.app.map(Arc::from)))
    }

    /// Tells every observer how the request ended.
    fn report(&self, progress: &Progress<'_>, outcome: Outcome, detail: Detail<'_>) {
        if self.inner.observers.is_empty() {
            return;
        }
        let report = Report {
            outcome,
            method: progress.head.method(),
            path: progress.head.path(),
            body_bytes: progress.body_bytes,
            timings: Timings {
                total: progress.started.elapsed(),
                ..progress.timings
            },
            delivery: detail.delivery,
            rejected_reason: detail.rejected_reason,
            handler_error: detail.handler_error,
        };
        for observer in &self.inner.observers {
            observer.observe(&report);
        }
    }
}

/// How [`Receiver::take`] ended without a delivery.
enum Taken {
    /// Refused: the answer for this outcome is still to be reported and sent.
    Refused(Outcome),
    /// Already reported (a rejected payload): send this answer.
    Answered(Answer),
}

/// The reason given for a body that is not an envelope: the error class and
/// position only (`serde_json`'s messages may quote the body). Parsed again
/// for `serde_json`'s error class, on this path only.
fn rejected_reason(body: &[u8]) -> String {
    let Err(error) = serde_json::from_slice::<Notification<'_>>(body) else {
        return "JSON is not an Instagram webhook envelope".to_owned();
    };
    let class = match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "JSON is not an Instagram webhook envelope",
        serde_json::error::Category::Eof => "JSON ends early",
    };
    format!("{class} (line {}, column {})", error.line(), error.column())
}

/// The observers every receiver starts with: the `tracing` output, with the
/// `tracing` feature.
fn default_observers() -> Vec<Box<dyn Observer>> {
    #[cfg(feature = "tracing")]
    {
        vec![Box::new(super::log::TracingObserver::new())]
    }
    #[cfg(not(feature = "tracing"))]
    {
        Vec::new()
    }
}

impl ReceiverBuilder {
    /// The application's handler: every verified delivery goes to it, and
    /// its result decides the answer (200, 500, or 503 for
    /// [`HandlerError::unavailable`]). Without one, [`Receiver::serve`]
    /// answers a verified delivery 500 ([`Outcome::Misconfigured`]); the
    /// extractors do not need one.
    #[must_use]
    pub fn handler(mut self, handler: impl Handler) -> Self {
        self.inner.handler = Some(Box::new(handler));
        self
    }

    /// Where verified bodies that are not Instagram envelopes go (answered
    /// 200, since retrying cannot help). Without a hook they are only
    /// reported to the observers.
    #[must_use]
    pub fn on_rejected(mut self, hook: impl RejectedHook) -> Self {
        self.inner.rejected = Box::new(hook);
        self
    }

    /// Adds an observer, told how every request ended ([`Report`]). With
    /// the `tracing` feature a
    /// `TracingObserver` is there from the start.
    #[must_use]
    pub fn observe(mut self, observer: impl Observer) -> Self {
        self.inner.observers.push(Box::new(observer));
        self
    }

    /// Removes every observer added so far, the default `tracing` one
    /// included.
    #[must_use]
    pub fn without_observers(mut self) -> Self {
        self.inner.observers.clear();
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

    /// How long a whole body may take to arrive (default 20 s, about Meta's
    /// own delivery timeout; `None`: as long as the server lets it). A
    /// later body is answered 408 and its connection closed. Needs a Tokio
    /// runtime with its timer, as axum, actix-web and Lambda have.
    #[must_use]
    pub fn body_timeout(mut self, deadline: Option<Duration>) -> Self {
        self.inner.body_timeout = deadline;
        self
    }

    /// The bound on bytes buffered across all bodies being read and handled
    /// (default 64 MiB). While it is reached a new POST is answered 503
    /// with `Retry-After` instead of read, and Meta delivers it again.
    #[must_use]
    pub fn buffer_limit(mut self, bytes: usize) -> Self {
        self.inner.buffers = Buffers::new(bytes);
        self
    }

    /// Turns on the replay window (off by default): a verified delivery
    /// whose newest entry `time` is older than `window` when it arrives is
    /// answered 422 ([`Outcome::Stale`]) and not handled, stored or handed
    /// to an extractor. `None` turns it off again.
    ///
    /// Meta sends no signed timestamp, so whoever captures one signed body
    /// can post it again, forever; the entry times inside the signature are
    /// all there is to judge its age by. Use at least
    /// [`DEFAULT_REPLAY_WINDOW`](super::DEFAULT_REPLAY_WINDOW) (48 h), longer
    /// than the 36 h over which Meta retries, or genuine retries of an
    /// update your service failed to take are refused too.
    ///
    /// The trade-off: inside the window a replay still verifies, so keep
    /// dedup on (the inbox remembers keys for 7 days); outside it, a
    /// delivery is refused on the sender's clock, so a clock far behind on
    /// Meta's side (or far ahead on yours) refuses real updates, and
    /// Test-button samples, which carry old fixed times, are refused while
    /// the window is on. A delivery without any numeric entry time is not
    /// judged, and neither is one from the future.
    ///
    /// ```
    /// use std::time::{SystemTime, UNIX_EPOCH};
    /// use bytes::Bytes;
    /// use instagram_webhook_core::receive::{
    ///     DEFAULT_REPLAY_WINDOW, Delivery, Outcome, Receiver, RequestHead,
    /// };
    /// use instagram_webhook_core::{AppSecret, Verifier, VerifyToken, test_kit};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), instagram_webhook_core::SecretError> {
    /// let receiver = Receiver::builder(
    ///     Verifier::new(AppSecret::new("app-secret")?),
    ///     VerifyToken::new("verify-token")?,
    /// )
    /// .replay_window(Some(DEFAULT_REPLAY_WINDOW))
    /// .handler(|_: Delivery| async { Ok::<(), std::convert::Infallible>(()) })
    /// .build();
    ///
    /// let three_days_ago = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() - 3 * 86_400;
    /// let body = format!(
    ///     r#"{{"object":"instagram","entry":[{{"id":"1","time":{three_days_ago},"changes":[]}}]}}"#
    /// );
    /// let signature = test_kit::sign(&AppSecret::new("app-secret")?, body.as_bytes());
    /// let mut head = RequestHead::new("POST", "/webhook", None);
    /// head.header("x-hub-signature-256", signature.as_bytes());
    /// let answer = receiver.serve(&head, Bytes::from(body)).await;
    /// assert_eq!(answer.outcome(), Outcome::Stale);
    /// assert_eq!(answer.status(), 422);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn replay_window(mut self, window: Option<Duration>) -> Self {
        self.inner.replay_window = window;
        self
    }

    /// Trusts a client certificate subject forwarded by a proxy that
    /// terminates TLS, from the proxy's addresses only (off by default):
    /// every request must then come from a trusted proxy with Meta's
    /// subject, or is answered 403 ([`Outcome::ClientCertRefused`]) before
    /// anything else. See [`ForwardedClientCert`]. The adapter must know
    /// the peer address (axum: serve with
    /// `into_make_service_with_connect_info::<SocketAddr>()`; actix-web
    /// always does; Lambda never does, so use API Gateway's own mTLS there).
    #[must_use]
    pub fn forwarded_client_cert(mut self, policy: ForwardedClientCert) -> Self {
        self.inner.client_cert = Some(policy);
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
        self.inner.fmt("Receiver", f)
    }
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt("ReceiverBuilder", f)
    }
}

impl Inner {
    /// `Debug` of the receiver or its builder: the settings, never a secret.
    fn fmt(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("token", &self.token)
            .field("handler", &self.handler.is_some())
            .field("observers", &self.observers.len())
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .field("buffer_limit", &self.buffers.limit())
            .field("replay_window", &self.replay_window)
            .field("client_cert", &self.client_cert)
            .finish_non_exhaustive()
    }
}
