//! App Secrets and the verify token read at run time, from the environment
//! or from SSM Parameter Store through the AWS Parameters and Secrets Lambda
//! Extension, and a receiver rebuilt when they change.

mod cached;
mod error;
mod extension;
mod source;

use instagram_webhook_core::receive::{Receiver, ReceiverBuilder};
use instagram_webhook_core::{Verifier, VerifyToken};

pub use cached::{DEFAULT_TTL, SecretsReceiver, run_with_secrets};
pub use error::SecretsError;
pub use extension::{
    DEFAULT_PORT, DEFAULT_TIMEOUT, ExtensionSource, PORT_VARIABLE, SESSION_TOKEN_HEADER,
    SESSION_TOKEN_VARIABLE,
};
pub use source::{APP_SECRET_VARIABLE, EnvSource, SecretSource, VERIFY_TOKEN_VARIABLE};

/// What a receiver is built from: the [`Verifier`] holding the App Secret(s)
/// and the [`VerifyToken`]. Both redact their `Debug`.
#[derive(Debug, Clone)]
pub struct Secrets {
    verifier: Verifier,
    verify_token: VerifyToken,
}

impl Secrets {
    /// Secrets from values already built.
    pub fn new(verifier: Verifier, verify_token: VerifyToken) -> Self {
        Self {
            verifier,
            verify_token,
        }
    }

    /// The verifier of `X-Hub-Signature-256`, with every App Secret read.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The verify token of the handshake.
    pub fn verify_token(&self) -> &VerifyToken {
        &self.verify_token
    }

    /// The verifier and the verify token, to hand to
    /// [`Receiver::builder`] or an inbox's `receiver`.
    pub fn into_parts(self) -> (Verifier, VerifyToken) {
        (self.verifier, self.verify_token)
    }

    /// `Receiver::builder(verifier, verify_token)`: add the handler and
    /// build.
    pub fn receiver_builder(self) -> ReceiverBuilder {
        Receiver::builder(self.verifier, self.verify_token)
    }
}
