#![doc = include_str!("../README.md")]

mod extract;
mod rejection;
mod router;
#[cfg(feature = "mtls")]
pub mod tls;
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
