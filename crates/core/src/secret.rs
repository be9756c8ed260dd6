//! Secret values: the App Secret that keys signatures and the verify token of the handshake.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Why a secret value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The value was empty (or only whitespace): an empty key authenticates nothing.
    #[error("secret value is empty")]
    Empty,
    /// A verifier was built from no App Secret at all.
    #[error("no App Secret configured")]
    NoSecrets,
}

/// Returns the text unless it is empty or whitespace only.
fn non_blank(value: String) -> Result<Zeroizing<String>, SecretError> {
    let value = Zeroizing::new(value);
    if value.trim().is_empty() {
        return Err(SecretError::Empty);
    }
    Ok(value)
}

/// A Meta App Secret: the key of the HMAC-SHA256 in `X-Hub-Signature-256`.
///
/// It refuses empty values, wipes its memory on drop, prints `[redacted]` in
/// `Debug` and has no `Display`, so it cannot end up in a log by accident.
///
/// ```
/// use instagram_webhook_core::AppSecret;
///
/// let secret = AppSecret::new("0123456789abcdef0123456789abcdef").unwrap();
/// assert_eq!(format!("{secret:?}"), "AppSecret([redacted])");
/// assert!(AppSecret::new("").is_err());
/// ```
#[derive(Clone)]
pub struct AppSecret(Zeroizing<Vec<u8>>);

impl AppSecret {
    /// Wraps an App Secret as shown in the App Dashboard (Settings → Basic).
    ///
    /// The value is used byte for byte as the HMAC key; it is not trimmed.
    ///
    /// # Errors
    /// [`SecretError::Empty`] when the value is empty or whitespace only.
    pub fn new(value: impl Into<String>) -> Result<Self, SecretError> {
        let text = non_blank(value.into())?;
        Ok(Self(Zeroizing::new(text.as_bytes().to_vec())))
    }

    /// Wraps a key given as raw bytes, for keys that are not text. Only an
    /// empty key is refused: any byte may be part of a binary key.
    ///
    /// # Errors
    /// [`SecretError::Empty`] when the value is empty.
    pub fn from_bytes(value: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let bytes = Zeroizing::new(value.into());
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self(bytes))
    }

    /// The key bytes, for the HMAC only.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret([redacted])")
    }
}

impl TryFrom<String> for AppSecret {
    type Error = SecretError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for AppSecret {
    type Error = SecretError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

/// The verify token typed into the App Dashboard when subscribing the webhook.
///
/// Meta sends it back as `hub.verify_token` during the handshake. Comparison
/// is constant time over SHA-256 digests, so neither the content nor the
/// length of the token leaks through timing. Like [`AppSecret`] it refuses
/// empty values, wipes its memory on drop and redacts `Debug`.
///
/// ```
/// use instagram_webhook_core::VerifyToken;
///
/// let token = VerifyToken::new("my-verify-token").unwrap();
/// assert!(token.matches("my-verify-token"));
/// assert!(!token.matches("my-verify-token "));
/// assert_eq!(format!("{token:?}"), "VerifyToken([redacted])");
/// ```
#[derive(Clone)]
pub struct VerifyToken {
    digest: Zeroizing<[u8; 32]>,
}

impl VerifyToken {
    /// Wraps the verify token.
    ///
    /// # Errors
    /// [`SecretError::Empty`] when the value is empty or whitespace only.
    pub fn new(value: impl Into<String>) -> Result<Self, SecretError> {
        let value = non_blank(value.into())?;
        Ok(Self {
            digest: Zeroizing::new(Sha256::digest(value.as_bytes()).into()),
        })
    }

    /// Whether `candidate` is this token, compared in constant time.
    pub fn matches(&self, candidate: &str) -> bool {
        let candidate: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        candidate.ct_eq(self.digest.as_slice()).into()
    }
}

impl fmt::Debug for VerifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyToken([redacted])")
    }
}

impl TryFrom<String> for VerifyToken {
    type Error = SecretError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for VerifyToken {
    type Error = SecretError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}
