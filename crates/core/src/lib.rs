//! The framework-free core of [instagram-webhook]: deciding whether a request
//! really comes from Meta.
//!
//! - [`Verifier`] checks `X-Hub-Signature-256`, the HMAC-SHA256 of the raw
//!   body keyed by the App Secret, in constant time, against one or several
//!   secrets (rotation). [`SelectVerifier`] and [`AppVerifiers`] choose the
//!   secrets per request when one service receives for several Meta apps.
//! - [`verify_handshake`] answers the `GET` verification handshake from the raw
//!   query string.
//! - [`AppSecret`] and [`VerifyToken`] refuse empty values, wipe their memory
//!   on drop and print `[redacted]`.
//! - Every error knows its HTTP status ([`SignatureError::status`],
//!   [`HandshakeError::status`]), so framework adapters never decide one.
//! - [`receive::Receiver`] is the whole pipeline behind every adapter: the
//!   HTTP contract (which status for what), the body limit, parsing with
//!   [`instagram_webhook_types`], the application's handler and the
//!   rejected-payload hook. With the `tracing` feature it reports one span per
//!   delivery, never the body, a signature or a secret.
//! - With the `test-kit` feature, [`test_kit`] signs bodies and writes JSON
//!   escaped exactly like Meta, for byte-faithful test deliveries.
//!
//! # Verifying a delivery
//!
//! ```
//! use instagram_webhook_core::{AppSecret, Verifier};
//!
//! // Build once at startup; cloning is cheap.
//! let verifier = Verifier::new(AppSecret::new("It's a Secret to Everybody")?);
//!
//! // Per request: the raw body bytes, exactly as received, and the header value(s).
//! let body = b"Hello, World!";
//! let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
//! match verifier.verify([header], body) {
//!     Ok(_) => { /* parse and handle the body */ }
//!     Err(error) => { /* answer error.status() (401) with error.to_string() */ }
//! }
//! # Ok::<(), instagram_webhook_core::SecretError>(())
//! ```
//!
//! # Answering the handshake
//!
//! ```
//! use instagram_webhook_core::{VerifyToken, verify_handshake};
//!
//! let token = VerifyToken::new("my-verify-token")?;
//! let query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my-verify-token";
//! match verify_handshake(query, &token) {
//!     Ok(challenge) => assert_eq!(challenge.as_str(), "1158201444"), // 200 text/plain
//!     Err(error) => panic!("answer {} with {error}", error.status()),
//! }
//! # Ok::<(), instagram_webhook_core::SecretError>(())
//! ```
//!
//! # Pitfall: never verify a re-serialized body
//!
//! Meta signs the bytes it sends, and it sends JSON with every non-ASCII
//! character escaped as `\uXXXX` and `/` as `\/`. Parsing the body and
//! serializing it again produces different bytes and a signature mismatch.
//! Hand the same raw bytes to verification and to parsing.
//!
//! [instagram-webhook]: https://github.com/instagram-webhook/instagram-webhook
#![cfg_attr(docsrs, feature(doc_cfg))]

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
