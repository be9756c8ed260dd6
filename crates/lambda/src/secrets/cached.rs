//! The receiver built from secrets read on the first invocation, cached, and
//! rebuilt after a TTL.

use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use instagram_webhook_core::receive::{Answer, Outcome, Receiver};
use lambda_http::{Body, Request, Response};

use super::Secrets;
use super::error::SecretsError;
use super::source::SecretSource;

/// How long secrets are used before they are read again by default: 300 s,
/// the extension's own default cache TTL (`SSM_PARAMETER_STORE_TTL`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// After a failed refresh, how long the older receiver serves before the
/// next attempt (or the TTL, when shorter).
const RETRY_FAILED_REFRESH: Duration = Duration::from_secs(30);

type Build = dyn Fn(Secrets) -> Receiver + Send + Sync;

/// A [`Receiver`] built from secrets read at run time: on the first
/// invocation (the Parameters and Secrets Lambda Extension does not answer
/// during the init phase), and again once the TTL has passed, so a rotated
/// App Secret (`new,old`, then `new`) is picked up without a redeploy.
///
/// - **Single flight.** Concurrent invocations that find no fresh receiver
///   wait for one read; they do not each read.
/// - **A failed refresh** keeps the older receiver serving, with a warning
///   in the log (with the `tracing` feature); it is tried again after 30 s
///   (or the TTL, when shorter). [`refresh`](Self::refresh) returns the
///   error.
/// - **No secrets at all** (no read succeeded yet): the invocation is
///   answered `503 Service Unavailable` with `Retry-After`, so Meta
///   delivers again, and the error is logged (with the `tracing` feature)
///   and returned by [`receiver`](Self::receiver). The next invocation
///   reads again.
///
/// Log lines (target `instagram_webhook`) and errors name the variable or
/// parameter and what failed, never a secret value. Clones share the cache.
///
/// ```
/// use instagram_webhook_lambda::{Delivery, ExtensionSource, SecretsReceiver, lambda_http};
/// # use axum::{Router, extract::RawQuery, routing::get};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # // A stand-in for the extension on a free port.
/// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// # let port = listener.local_addr()?.port();
/// # let app = Router::new().route("/systemsmanager/parameters/get",
/// #     get(|RawQuery(query): RawQuery| async move {
/// #         let query = query.unwrap_or_default();
/// #         let name = form_urlencoded::parse(query.as_bytes())
/// #             .find(|(key, _)| key == "name").map(|(_, name)| name.into_owned()).unwrap_or_default();
/// #         let value = if name == "/instagram/app-secret" { "new,old" } else { "verify-token" };
/// #         serde_json::json!({"Parameter": {"Name": name, "Type": "SecureString", "Value": value}}).to_string()
/// #     }));
/// # tokio::spawn(async move { axum::serve(listener, app).await });
/// let source = ExtensionSource::new("/instagram/app-secret", "/instagram/verify-token")
///     // In Lambda both come from the environment; given here for the example.
///     .port(port)
///     .session_token("session-token");
/// let function = SecretsReceiver::new(source, |secrets| {
///     secrets
///         .receiver_builder()
///         .handler(|_: Delivery| async { Ok::<(), std::convert::Infallible>(()) })
///         .build()
/// });
///
/// // The handshake, as a Function URL hands it over: answered with the
/// // verify token read from the parameter.
/// let event = r#"{
///     "version": "2.0", "routeKey": "$default", "rawPath": "/webhook",
///     "rawQueryString": "hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=42",
///     "headers": {}, "isBase64Encoded": false,
///     "requestContext": {"accountId": "1", "apiId": "a", "domainName": "x.lambda-url.us-east-1.on.aws",
///         "domainPrefix": "x", "http": {"method": "GET", "path": "/webhook", "protocol": "HTTP/1.1",
///         "sourceIp": "127.0.0.1", "userAgent": "facebookexternalua"}, "requestId": "r",
///         "routeKey": "$default", "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0}
/// }"#;
/// let response = function.respond(lambda_http::request::from_str(event)?).await;
/// assert_eq!(response.status(), 200);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SecretsReceiver {
    inner: Arc<Inner>,
}

struct Inner {
    source: SecretSource,
    build: Box<Build>,
    state: Mutex<State>,
    /// Held by the one invocation reading the secrets.
    fetching: tokio::sync::Mutex<()>,
}

struct State {
    ttl: Duration,
    current: Option<Receiver>,
    /// When the secrets are to be read again (with `current` set).
    refresh_at: Option<Instant>,
    /// Reads finished so far: a waiter that sees it change takes that
    /// read's result instead of reading again.
    attempts: u64,
    /// The last read's error, until a read succeeds.
    last_error: Option<SecretsError>,
}

impl State {
    /// The receiver, when it need not be refreshed.
    fn fresh(&self, now: Instant) -> Option<Receiver> {
        match (&self.current, self.refresh_at) {
            (Some(receiver), Some(at)) if now < at => Some(receiver.clone()),
            _ => None,
        }
    }
}

impl fmt::Debug for SecretsReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("SecretsReceiver")
            .field("source", &self.inner.source)
            .field("ttl", &state.ttl)
            .field("ready", &state.current.is_some())
            .finish_non_exhaustive()
    }
}

impl SecretsReceiver {
    /// Reads secrets from `source` when first needed and hands them to
    /// `build`, which returns the receiver (with the application's handler)
    /// to serve with until the TTL ([`DEFAULT_TTL`]) has passed.
    pub fn new(
        source: impl Into<SecretSource>,
        build: impl Fn(Secrets) -> Receiver + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                source: source.into(),
                build: Box::new(build),
                state: Mutex::new(State {
                    ttl: DEFAULT_TTL,
                    current: None,
                    refresh_at: None,
                    attempts: 0,
                    last_error: None,
                }),
                fetching: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// How long secrets are used before they are read again
    /// ([`DEFAULT_TTL`] by default; clones share it). The extension caches
    /// too (`SSM_PARAMETER_STORE_TTL`, 300 s by default): a rotation
    /// reaches the function after at most the sum of both.
    #[must_use]
    pub fn ttl(self, ttl: Duration) -> Self {
        self.state().ttl = ttl;
        self
    }

    /// The source the secrets are read from.
    pub fn source(&self) -> &SecretSource {
        &self.inner.source
    }

    /// The receiver to answer this invocation with: the cached one while
    /// fresh, else one built from secrets read now (one read for all the
    /// invocations waiting). When the read fails and an older receiver
    /// exists, that one (with a warning in the log).
    ///
    /// # Errors
    /// Why the secrets could not be read, when no receiver was ever built.
    pub async fn receiver(&self) -> Result<Receiver, SecretsError> {
        let seen = {
            let state = self.state();
            if let Some(receiver) = state.fresh(Instant::now()) {
                return Ok(receiver);
            }
            state.attempts
        };
        let _fetching = self.inner.fetching.lock().await;
        {
            let state = self.state();
            if let Some(receiver) = state.fresh(Instant::now()) {
                return Ok(receiver);
            }
            if state.attempts != seen {
                // A read finished while this invocation waited: take its
                // result rather than reading again.
                if let Some(receiver) = &state.current {
                    return Ok(receiver.clone());
                }
                if let Some(error) = &state.last_error {
                    return Err(error.clone());
                }
            }
        }
        match self.read().await {
            Ok(receiver) => Ok(receiver),
            Err(error) => self.state().current.clone().ok_or(error),
        }
    }

    /// Reads the secrets now, whatever the TTL, and rebuilds the receiver.
    ///
    /// # Errors
    /// Why the secrets could not be read; the receiver built before, if
    /// any, keeps serving.
    pub async fn refresh(&self) -> Result<(), SecretsError> {
        let _fetching = self.inner.fetching.lock().await;
        self.read().await.map(drop)
    }

    /// Answers one request with [`receiver`](Self::receiver), as
    /// [`respond`](crate::respond) does; `503` with `Retry-After` when there
    /// are no secrets to answer with (the error is logged with the `tracing`
    /// feature; call [`receiver`](Self::receiver) to get it).
    pub async fn respond(&self, request: Request) -> Response<Body> {
        match self.receiver().await {
            Ok(receiver) => crate::respond(&receiver, request).await,
            Err(_) => unavailable(),
        }
    }

    /// One read, with the fetch lock held: the state updated and logged.
    async fn read(&self) -> Result<Receiver, SecretsError> {
        let built = self
            .inner
            .source
            .fetch()
            .await
            .map(|secrets| (self.inner.build)(secrets));
        let now = Instant::now();
        let mut state = self.state();
        state.attempts += 1;
        match built {
            Ok(receiver) => {
                state.current = Some(receiver.clone());
                state.refresh_at = now.checked_add(state.ttl);
                state.last_error = None;
                log::read();
                Ok(receiver)
            }
            Err(error) => {
                if state.current.is_some() {
                    state.refresh_at = now.checked_add(state.ttl.min(RETRY_FAILED_REFRESH));
                    log::stale(&error);
                } else {
                    log::unavailable(&error);
                }
                state.last_error = Some(error.clone());
                Err(error)
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// 503 with `Retry-After`, as the core answers a handler whose store is
/// unavailable: Meta delivers again later.
fn unavailable() -> Response<Body> {
    crate::translate::response(Answer::from(Outcome::Unavailable))
}

/// The log lines, with the `tracing` feature.
mod log {
    use super::SecretsError;

    #[cfg(feature = "tracing")]
    const TARGET: &str = "instagram_webhook";

    pub(super) fn read() {
        #[cfg(feature = "tracing")]
        tracing::info!(target: TARGET, "webhook secrets read");
    }

    pub(super) fn stale(error: &SecretsError) {
        #[cfg(feature = "tracing")]
        tracing::warn!(target: TARGET, %error,
            "could not refresh the webhook secrets: serving with the ones read before");
        #[cfg(not(feature = "tracing"))]
        let _ = error;
    }

    pub(super) fn unavailable(error: &SecretsError) {
        #[cfg(feature = "tracing")]
        tracing::error!(target: TARGET, %error,
            "could not read the webhook secrets: answering 503 so Meta delivers again");
        #[cfg(not(feature = "tracing"))]
        let _ = error;
    }
}

/// Runs the Lambda function like [`run`](crate::run), answering every
/// event with [`SecretsReceiver::respond`]: the secrets are read on the
/// first invocation and again after the TTL.
///
/// ```no_run
/// use instagram_webhook_lambda::{Delivery, ExtensionSource, SecretsReceiver};
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_http::Error> {
///     // Port and session token from the Lambda environment.
///     let source = ExtensionSource::new("/instagram/app-secret", "/instagram/verify-token");
///     let function = SecretsReceiver::new(source, |secrets| {
///         secrets
///             .receiver_builder()
///             .handler(|delivery: Delivery| async move {
///                 println!("{} events", delivery.events().len());
///                 Ok::<(), std::convert::Infallible>(())
///             })
///             .build()
///     });
///     instagram_webhook_lambda::run_with_secrets(function).await
/// }
/// ```
///
/// # Errors
/// When the Lambda runtime fails (for example outside Lambda, without
/// `AWS_LAMBDA_RUNTIME_API`); secrets that cannot be read are answered 503
/// per invocation, not returned.
pub async fn run_with_secrets(receiver: SecretsReceiver) -> Result<(), lambda_http::Error> {
    lambda_http::run(lambda_http::service_fn(move |request: Request| {
        let receiver = receiver.clone();
        async move { Ok::<_, Infallible>(receiver.respond(request).await) }
    }))
    .await
}
