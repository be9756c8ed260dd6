//! Helpers for tests: Meta-faithful sample deliveries of every kind, signed
//! like Meta signs them, and JSON escaped like Meta escapes it.
//!
//! Enabled by the `test-kit` feature; meant for dev-dependencies. With it a
//! test builds the exact bytes and `X-Hub-Signature-256` Meta would send,
//! without Meta's Test button:
//!
//! - [`sample`] (and [`sample_at`], deterministic): a delivery of any
//!   [`EventKind`](crate::types::EventKind), for every kind in
//!   [`SAMPLE_KINDS`]; [`comment_delivery`]: a comment with your ids and
//!   text. Each is a [`Sample`], written in Meta's key order.
//! - [`SignedDelivery`]: a body and its signature, also as an
//!   [`http::Request`] to hand to a router or a client.
//! - [`sign`]: the signature of any bytes; [`to_meta_json`] and
//!   [`MetaFormatter`]: JSON escaped like Meta (`\uXXXX`, `\/`).
//!
//! ```
//! use instagram_webhook_core::http::Uri;
//! use instagram_webhook_core::test_kit::sample;
//! use instagram_webhook_core::types::{EventKind, Notification};
//! use instagram_webhook_core::{AppSecret, SIGNATURE_HEADER, Verifier};
//!
//! let secret = AppSecret::new("test-secret")?;
//! let delivery = sample(EventKind::MessageReaction).sign(&secret);
//!
//! // The bytes Meta would send, escaped like Meta ...
//! let body = std::str::from_utf8(delivery.body())?;
//! assert!(body.contains(r#""emoji":"\u2764\ufe0f""#));
//! // ... with the header Meta would send ...
//! assert!(Verifier::new(secret).verify([delivery.signature()], delivery.body()).is_ok());
//! // ... carrying one event of the kind asked for.
//! let notification = Notification::from_slice(delivery.body())?;
//! let event = notification.events().next().expect("one item").expect("it decodes");
//! assert_eq!(event.kind(), EventKind::MessageReaction);
//!
//! // Or the whole POST, for `tower::ServiceExt::oneshot` or any client.
//! let request = delivery.to_request(Uri::from_static("/webhook"));
//! assert_eq!(request.headers()[SIGNATURE_HEADER], delivery.signature());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`to_meta_json`] alone:
//!
//! ```
//! use instagram_webhook_core::test_kit::{sign, to_meta_json};
//! use instagram_webhook_core::{AppSecret, Verifier};
//!
//! let secret = AppSecret::new("test-secret")?;
//! let body = to_meta_json(&serde_json::json!({"text": "café / 🍕"})).unwrap();
//! assert_eq!(body, br#"{"text":"caf\u00e9 \/ \ud83c\udf55"}"#);
//!
//! let header = sign(&secret, &body);
//! assert!(Verifier::new(secret).verify([header], &body).is_ok());
//! # Ok::<(), instagram_webhook_core::SecretError>(())
//! ```

mod meta_json;
mod samples;
mod signed;

pub use meta_json::{MetaFormatter, SerializeError, to_meta_json};
pub use samples::{
    SAMPLE_ACCOUNT_ID, SAMPLE_CUSTOMER_ID, SAMPLE_KINDS, Sample, comment_delivery, sample,
    sample_at,
};
pub use signed::SignedDelivery;

use hmac::Mac;

use crate::AppSecret;
use crate::verifier::key;

/// The exact `X-Hub-Signature-256` value Meta would send for `body`:
/// `sha256=` followed by the lowercase hex HMAC-SHA256 of the bytes.
///
/// ```
/// use instagram_webhook_core::{AppSecret, test_kit::sign};
///
/// let secret = AppSecret::new("It's a Secret to Everybody")?;
/// assert_eq!(
///     sign(&secret, b"Hello, World!"),
///     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
/// );
/// # Ok::<(), instagram_webhook_core::SecretError>(())
/// ```
pub fn sign(secret: &AppSecret, body: &[u8]) -> String {
    let mut mac = key(secret);
    mac.update(body);
    format!(
        "sha256={}",
        base16ct::lower::encode_string(&mac.finalize().into_bytes())
    )
}
