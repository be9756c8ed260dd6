#![doc = include_str!("../README.md")]

mod secrets;
mod service;
mod translate;

pub use instagram_webhook_core::receive::{
    Delivery, Handler, HandlerError, Observer, Origin, Outcome, Receiver, ReceiverBuilder,
    RejectedHook, RejectedPayload, Report,
};
pub use instagram_webhook_core::{
    AppKey, AppSecret, AppVerifiers, SecretError, SelectVerifier, Verifier, VerifyToken, types,
};
pub use secrets::{
    APP_SECRET_VARIABLE, DEFAULT_PORT, DEFAULT_TIMEOUT, DEFAULT_TTL, EnvSource, ExtensionSource,
    PORT_VARIABLE, SESSION_TOKEN_HEADER, SESSION_TOKEN_VARIABLE, SecretSource, Secrets,
    SecretsError, SecretsReceiver, VERIFY_TOKEN_VARIABLE, run_with_secrets,
};
pub use service::{respond, run};

/// The framework-free core this crate translates to, for everything not
/// re-exported above.
pub use instagram_webhook_core as core;
/// The `lambda_http` version this crate is built on.
pub use lambda_http;
