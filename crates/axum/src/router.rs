//! A router serving the handshake and deliveries on one path.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::response::Response;
use axum::routing::any;
use instagram_webhook_core::receive::Receiver;

use crate::translate::{self, AxumBody};

/// A [`Router`] answering Meta on `path`: the handshake on GET, verified
/// deliveries handed to the receiver's handler on POST, 405 (with `Allow`)
/// for anything else. Merge or nest it into your application's router.
///
/// axum's default body limit does not apply: the receiver's own limit
/// ([`ReceiverBuilder::body_limit`](instagram_webhook_core::receive::ReceiverBuilder::body_limit),
/// 4 MiB by default) does, while the body is read.
///
/// ```no_run
/// use instagram_webhook_axum::{AppSecret, Delivery, Receiver, Verifier, VerifyToken, router};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let receiver = Receiver::builder(
///     Verifier::new(AppSecret::new(std::env::var("INSTAGRAM_APP_SECRET")?)?),
///     VerifyToken::new(std::env::var("INSTAGRAM_VERIFY_TOKEN")?)?,
/// )
/// .handler(|delivery: Delivery| async move {
///     for event in delivery.events().iter().flatten() {
///         println!("{} {}", event.kind().as_str(), event.dedup_key());
///     }
///     Ok::<(), std::convert::Infallible>(())
/// })
/// .build();
///
/// let app = axum::Router::new().merge(router("/webhook", receiver));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(())
/// # }
/// ```
pub fn router<S>(path: &str, receiver: Receiver) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route(path, any(serve))
        .layer(DefaultBodyLimit::disable())
        .with_state(receiver)
}

/// Drives the core pipeline for one request.
async fn serve(State(receiver): State<Receiver>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let head = translate::head(&parts);
    translate::response(receiver.serve(&head, AxumBody(body)).await)
}
