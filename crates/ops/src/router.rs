//! The operations surface: which path answers what, who may ask, and the
//! listener it runs on.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use instagram_webhook_inbox::Inbox;

use crate::api;
use crate::auth::{CanRead, Token, Tokens};
use crate::dashboard;
use crate::error::ApiError;
use crate::metrics::{CONTENT_TYPE, Metrics};

/// What every handler sees.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) inbox: Inbox,
    pub(crate) tokens: Tokens,
    pub(crate) metrics: Option<Metrics>,
    pub(crate) open_metrics: bool,
}

/// The operations surface over an inbox: the JSON API under `/api`, the
/// dashboard at `/`, metrics at `/metrics`, and `/healthz` and `/readyz`.
///
/// Everything but health, the dashboard's own files and the OpenAPI
/// document needs `Authorization: Bearer <token>`: the operations token for
/// everything, or the read-only token for everything but retry and delete.
/// Mount [`router`](Self::router) in your own axum server (on a listener
/// apart from the public webhook route), or let [`serve`](Self::serve) run
/// it on a listener of its own.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
/// use instagram_webhook_inbox::Inbox;
/// use instagram_webhook_ops::{Metrics, Ops, Token};
///
/// let metrics = Metrics::new();
/// let inbox = Inbox::builder().observe(metrics.clone()).open(&url).await?;
/// let token = Token::generate();
/// let ops = Ops::new(inbox, token.clone()).metrics(metrics);
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let address = listener.local_addr()?;
/// let server = tokio::spawn(ops.serve(listener, std::future::pending()));
///
/// let stats: serde_json::Value = reqwest::Client::new()
///     .get(format!("http://{address}/api/webhook-events/stats"))
///     .bearer_auth(token.as_str())
///     .send()
///     .await?
///     .json()
///     .await?;
/// assert_eq!(stats["pending"], 0);
/// # server.abort();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "the surface does nothing until it is served or mounted"]
pub struct Ops {
    state: AppState,
}

impl Ops {
    /// The surface over `inbox`, for holders of `token`.
    pub fn new(inbox: Inbox, token: Token) -> Self {
        Self {
            state: AppState {
                inbox,
                tokens: Tokens {
                    write: token,
                    read: None,
                },
                metrics: None,
                open_metrics: false,
            },
        }
    }

    /// A second token that reads everything and changes nothing (no retry,
    /// no delete): for a team's dashboard, or a scraper.
    pub fn read_only_token(mut self, token: Token) -> Self {
        self.state.tokens.read = Some(token);
        self
    }

    /// Serves `metrics` at `/metrics` (without it, `/metrics` is 404).
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.state.metrics = Some(metrics);
        self
    }

    /// Whether `/metrics` answers without a token (off by default), for a
    /// Prometheus that scrapes without credentials. The metrics hold counts
    /// and labels only, never an event's content or a secret.
    pub fn open_metrics(mut self, open: bool) -> Self {
        self.state.open_metrics = open;
        self
    }

    /// The axum router of the whole surface.
    pub fn router(self) -> Router {
        let api = Router::new()
            .route("/access", get(api::access))
            .route("/webhook-events", get(api::list))
            .route("/webhook-events/stats", get(api::stats))
            .route(
                "/webhook-events/retry",
                post(api::retry_matching).layer(DefaultBodyLimit::max(api::MAX_BODY)),
            )
            .route(
                "/webhook-events/{id}",
                get(api::event).delete(api::delete_one),
            )
            .route("/webhook-events/{id}/retry", post(api::retry_one))
            .route("/deliveries/{id}/raw", get(api::raw))
            .route("/openapi.json", get(api::openapi))
            .method_not_allowed_fallback(api::method_not_allowed)
            .fallback(api::not_found);
        Router::new()
            .route("/", get(dashboard::page))
            .route("/assets/dashboard.css", get(dashboard::style))
            .route("/assets/dashboard.js", get(dashboard::script))
            .route("/favicon.ico", get(dashboard::favicon))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .nest("/api", api)
            .method_not_allowed_fallback(api::method_not_allowed)
            .fallback(api::not_found)
            .layer(axum::middleware::map_response(no_store))
            .with_state(self.state)
    }

    /// Serves the surface on `listener` until `shutdown` completes.
    ///
    /// # Errors
    /// The listener failed.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        if let Ok(address) = listener.local_addr() {
            warn_if_public(address);
        }
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn warn_if_public(_address: SocketAddr) {
    #[cfg(feature = "tracing")]
    if !_address.ip().is_loopback() {
        tracing::warn!(
            address = %_address,
            "operations surface listening beyond loopback: keep it off the public internet (its token guards it, but it is not the webhook route)"
        );
    }
}

/// Nothing the surface answers is cached, and no answer is sniffed.
async fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `/healthz`: the process answers.
async fn healthz() -> &'static str {
    "ok\n"
}

/// `/readyz`: the database answers a round trip.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.inbox.ping().await {
        Ok(()) => "ready\n".into_response(),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {error}\n"),
        )
            .into_response(),
    }
}

/// `/metrics`: the text format, with the queue's gauges read now.
async fn metrics(State(state): State<AppState>, mut parts: Parts) -> Result<Response, ApiError> {
    if !state.open_metrics {
        CanRead::from_request_parts(&mut parts, &state).await?;
    }
    let Some(metrics) = &state.metrics else {
        return Err(ApiError::not_found("no metrics are configured"));
    };
    let stats = state.inbox.stats().await.ok();
    let mut response = metrics.encode(stats.as_ref()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    Ok(response)
}
