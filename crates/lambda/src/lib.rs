//! AWS Lambda integration of [instagram-webhook]: receive Instagram webhooks
//! from Meta in a Lambda function behind API Gateway (REST or HTTP API), a
//! Function URL or an Application Load Balancer.
//!
//! [`run`] starts the function; [`respond`] answers one `lambda_http`
//! request, for tests or your own service. Base64-encoded bodies are decoded
//! before verification (the signature covers the decoded bytes), and query
//! strings of every trigger type, single- or multi-value, reach the handshake
//! percent-encoded as Meta sent them. Every answer is decided by
//! [`instagram_webhook_core`].
//!
//! [instagram-webhook]: https://github.com/instagram-webhook/instagram-webhook

mod service;
mod translate;

pub use instagram_webhook_core::receive::{
    Delivery, Handler, HandlerError, Observer, Origin, Outcome, Receiver, ReceiverBuilder,
    RejectedHook, RejectedPayload, Report,
};
pub use instagram_webhook_core::{
    AppKey, AppSecret, AppVerifiers, SecretError, SelectVerifier, Verifier, VerifyToken, types,
};
pub use service::{respond, run};

/// The framework-free core this crate translates to, for everything not
/// re-exported above.
pub use instagram_webhook_core as core;
/// The `lambda_http` version this crate is built on.
pub use lambda_http;
