#![doc = include_str!("../README.md")]

mod error;
mod extract;
mod service;
#[cfg(feature = "mtls")]
pub mod tls;
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
