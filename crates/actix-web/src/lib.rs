//! [actix-web] integration of [instagram-webhook]: receive Instagram webhooks
//! from Meta with the handshake answered, every POST verified against the App
//! Secret, and deliveries parsed into typed events.
//!
//! Two ways to use it:
//!
//! - [`WebhookService`] mounts GET and POST on one path and hands every
//!   verified delivery to the [`Receiver`]'s handler. This is the whole HTTP
//!   contract of the project, decided by [`instagram_webhook_core`]: 200,
//!   401, 403, 400, 413, 500 so Meta retries, 405 with `Allow`.
//! - The extractors [`VerifiedDelivery`] and [`Handshake`] fit your own
//!   handlers (put the [`Receiver`] in `App::app_data`); their error,
//!   [`WebhookError`], answers as the core decides.
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use instagram_webhook_actix_web::{AppSecret, Delivery, Receiver, Verifier, VerifyToken, WebhookService};
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let receiver = Receiver::builder(
//!         Verifier::from_comma_separated(&std::env::var("INSTAGRAM_APP_SECRET")?)?,
//!         VerifyToken::new(std::env::var("INSTAGRAM_VERIFY_TOKEN")?)?,
//!     )
//!     .handler(|delivery: Delivery| async move {
//!         for event in delivery.events().iter().flatten() {
//!             println!("{} {}", event.kind().as_str(), event.dedup_key());
//!         }
//!         Ok::<(), std::convert::Infallible>(())
//!     })
//!     .build();
//!
//!     HttpServer::new(move || App::new().service(WebhookService::new("/webhook", receiver.clone())))
//!         .bind(("127.0.0.1", 3000))?
//!         .run()
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! [actix-web]: https://docs.rs/actix-web
//! [instagram-webhook]: https://github.com/instagram-webhook/instagram-webhook

mod error;
mod extract;
mod service;
mod translate;

pub use error::WebhookError;
pub use extract::{Handshake, VerifiedDelivery};
pub use instagram_webhook_core::receive::{
    Delivery, Handler, HandlerError, Observer, Origin, Outcome, Receiver, ReceiverBuilder,
    RejectedHook, RejectedPayload, Report,
};
pub use instagram_webhook_core::{
    AppKey, AppSecret, AppVerifiers, SecretError, SelectVerifier, Verifier, VerifyToken, types,
};
pub use service::WebhookService;

/// The framework-free core this crate translates to, for everything not
/// re-exported above.
pub use instagram_webhook_core as core;
