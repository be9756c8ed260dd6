#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client_cert;
mod handshake;
pub mod receive;
mod secret;
mod select;
mod signature;
mod verifier;

#[cfg(feature = "test-kit")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-kit")))]
pub mod test_kit;

pub use handshake::{
    Challenge, HandshakeError, InvalidChallenge, MAX_CHALLENGE_LEN, verify_handshake,
};
pub use secret::{AppSecret, SecretError, VerifyToken};
pub use select::{AppKey, AppVerifiers, RequestContext, SelectVerifier, Selected};
pub use signature::{
    LEGACY_SIGNATURE_HEADER, Malformed, SIGNATURE_HEADER, Signature, SignatureError,
};
pub use verifier::{Verified, Verifier};

/// Re-export of the `http` crate version whose types appear in this API.
pub use http;
/// Re-export of the payload models, so one dependency is enough.
pub use instagram_webhook_types as types;
