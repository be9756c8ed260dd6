//! Helpers for tests: sign bodies like Meta and write JSON escaped like Meta.
//!
//! Enabled by the `test-kit` feature; meant for dev-dependencies. With it you
//! can build byte-faithful signed deliveries without Meta's Test button:
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

pub use meta_json::{MetaFormatter, SerializeError, to_meta_json};

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
