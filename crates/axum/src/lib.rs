//! [axum] integration of [instagram-webhook]: receive Instagram webhooks from
//! Meta with the handshake answered, every POST verified against the App
//! Secret, and deliveries parsed into typed events.
//!
//! Two ways to use it:
//!
//! - [`router`] mounts GET and POST on one path and hands every verified
//!   delivery to the [`Receiver`]'s handler. This is the whole HTTP contract
//!   of the project, decided by [`instagram_webhook_core`]: 200, 401, 403,
//!   400, 413, 500 so Meta retries, 405 with `Allow`.
//! - The extractors [`VerifiedDelivery`] and [`Handshake`] fit your own
//!   handlers; their rejection, [`WebhookRejection`], answers as the core
//!   decides.
//!
//! ```no_run
//! use instagram_webhook_axum::{AppSecret, Delivery, Receiver, Verifier, VerifyToken, router};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let receiver = Receiver::builder(
//!         Verifier::from_comma_separated(&std::env::var("INSTAGRAM_APP_SECRET")?)?,
//!         VerifyToken::new(std::env::var("INSTAGRAM_VERIFY_TOKEN")?)?,
//!     )
//!     .handler(|delivery: Delivery| async move {
//!         for event in delivery.events() {
//!             match event {
//!                 Ok(event) => println!("{} {}", event.kind().as_str(), event.dedup_key()),
//!                 Err(error) => eprintln!("bad item: {error}"),
//!             }
//!         }
//!         Ok::<(), std::convert::Infallible>(())
//!     })
//!     .build();
//!
//!     let app = axum::Router::new().merge(router("/webhook", receiver));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! [axum]: https://docs.rs/axum
//! [instagram-webhook]: https://github.com/instagram-webhook/instagram-webhook

mod extract;
mod rejection;
mod router;
mod translate;

pub use extract::{Handshake, VerifiedDelivery};
pub use instagram_webhook_core::receive::{
    Delivery, Handler, HandlerError, Observer, Origin, Outcome, Receiver, ReceiverBuilder,
    RejectedHook, RejectedPayload, Report,
};
pub use instagram_webhook_core::{
    AppKey, AppSecret, AppVerifiers, SecretError, SelectVerifier, Verifier, VerifyToken, types,
};
pub use rejection::WebhookRejection;
pub use router::router;

/// The framework-free core this crate translates to, for everything not
/// re-exported above.
pub use instagram_webhook_core as core;
