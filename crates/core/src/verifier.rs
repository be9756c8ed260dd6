//! HMAC-SHA256 verification of request bodies against one or more App Secrets.

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::Sha256;

use crate::secret::{AppSecret, SecretError};
use crate::signature::{
    self, LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER, Signature, SignatureError, hex_words,
};

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Checks `X-Hub-Signature-256` against the raw body with one or more App Secrets.
///
/// Each secret's keyed HMAC state is computed once, when the verifier is built,
/// and cloned per request; the comparison is constant time. Several secrets
/// make rotation safe: configure old and new, switch the App Dashboard, then
/// drop the old one. [`Verified::secret_index`] tells which one matched.
///
/// Always verify the exact bytes received. A body parsed and serialized again
/// is different bytes (Meta escapes non-ASCII as `\uXXXX` and `/` as `\/`) and
/// will not verify.
///
/// ```
/// use instagram_webhook_core::{AppSecret, SignatureError, Verifier};
///
/// let verifier = Verifier::new(AppSecret::new("It's a Secret to Everybody")?);
/// let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
///
/// assert!(verifier.verify([header], b"Hello, World!").is_ok());
/// assert_eq!(
///     verifier.verify([header], b"Hello, World?").unwrap_err(),
///     SignatureError::Mismatch
/// );
/// # Ok::<(), instagram_webhook_core::SecretError>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: Arc<[HmacSha256]>,
}

/// Proof that a body was signed with one of the configured App Secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    secret_index: usize,
}

impl Verified {
    /// Position, in the order given to the [`Verifier`], of the App Secret
    /// that signed the body. Watch it during a rotation to see when the old
    /// secret stops being used.
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }
}

impl Verifier {
    /// A verifier with a single App Secret.
    pub fn new(secret: AppSecret) -> Self {
        Self {
            keys: Arc::from([key(&secret)]),
        }
    }

    /// A verifier accepting any of several App Secrets (rotation).
    ///
    /// ```
    /// use instagram_webhook_core::{AppSecret, Verifier};
    ///
    /// let verifier = Verifier::with_secrets([
    ///     AppSecret::new("new-secret")?,
    ///     AppSecret::new("old-secret")?,
    /// ])?;
    /// assert_eq!(verifier.secret_count(), 2);
    /// # Ok::<(), instagram_webhook_core::SecretError>(())
    /// ```
    ///
    /// # Errors
    /// [`SecretError::NoSecrets`] when `secrets` is empty.
    pub fn with_secrets(secrets: impl IntoIterator<Item = AppSecret>) -> Result<Self, SecretError> {
        let keys: Arc<[HmacSha256]> = secrets.into_iter().map(|secret| key(&secret)).collect();
        if keys.is_empty() {
            return Err(SecretError::NoSecrets);
        }
        Ok(Self { keys })
    }

    /// A verifier from a comma-separated list of App Secrets, as commonly kept
    /// in one environment variable (`new,old` during a rotation). Blank items
    /// and whitespace around items are ignored.
    ///
    /// # Errors
    /// [`SecretError::NoSecrets`] when the list holds no secret.
    pub fn from_comma_separated(list: &str) -> Result<Self, SecretError> {
        Self::with_secrets(
            list.split(',')
                .filter_map(|item| AppSecret::new(item.trim()).ok()),
        )
    }

    /// How many App Secrets this verifier accepts.
    pub fn secret_count(&self) -> usize {
        self.keys.len()
    }

    /// Verifies `body` against the values of the `X-Hub-Signature-256` header.
    ///
    /// Pass every value the request carried (one per header line; a
    /// comma-folded line is split too): any single valid value that matches
    /// is enough. The body is hashed once per secret, and only if some value
    /// is well formed.
    ///
    /// # Errors
    /// The most informative [`SignatureError`] over all values: `Mismatch`
    /// when a well-formed value matched no secret, else `UnsupportedAlgorithm`,
    /// `Malformed`, or `Missing` when there was no value at all.
    pub fn verify<I>(&self, header_values: I, body: &[u8]) -> Result<Verified, SignatureError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        // Parse every value first: the body is hashed once per secret, and
        // only if some value is well formed. One value (the usual case) needs
        // no allocation.
        let mut first: Option<Signature> = None;
        let mut others: Vec<Signature> = Vec::new();
        let mut error = SignatureError::Missing;
        for value in header_values {
            for piece in signature::pieces(value.as_ref()) {
                match Signature::parse(piece) {
                    Ok(candidate) if first.is_none() => first = Some(candidate),
                    Ok(candidate) => others.push(candidate),
                    Err(problem) => error = error.max(problem),
                }
            }
        }
        let Some(first) = first else {
            return Err(error);
        };
        for (secret_index, key) in self.keys.iter().enumerate() {
            let mac = mac_words(key, body);
            if first.matches(&mac) || others.iter().any(|candidate| candidate.matches(&mac)) {
                return Ok(Verified { secret_index });
            }
        }
        Err(SignatureError::Mismatch)
    }

    /// Verifies `body` against the signature headers of an [`http::HeaderMap`].
    ///
    /// Reads every `X-Hub-Signature-256` value. When there is none but the
    /// legacy `X-Hub-Signature` is present, the error is
    /// [`SignatureError::UnsupportedAlgorithm`]: SHA-1 alone is not accepted.
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub fn verify_headers(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Verified, SignatureError> {
        self.verify_signed(
            headers
                .get_all(SIGNATURE_HEADER)
                .iter()
                .map(http::HeaderValue::as_bytes),
            headers.contains_key(LEGACY_SIGNATURE_HEADER),
            body,
        )
    }

    /// [`Verifier::verify`], answering `UnsupportedAlgorithm` rather than
    /// `Missing` when only the legacy SHA-1 header came.
    pub(crate) fn verify_signed<'v>(
        &self,
        values: impl IntoIterator<Item = &'v [u8]>,
        legacy_present: bool,
        body: &[u8],
    ) -> Result<Verified, SignatureError> {
        match self.verify(values, body) {
            Err(SignatureError::Missing) if legacy_present => {
                Err(SignatureError::UnsupportedAlgorithm)
            }
            outcome => outcome,
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format_args!("[redacted; {}]", self.keys.len()))
            .finish()
    }
}

/// The HMAC-SHA256 of `body` from a precomputed keyed state, as the words
/// of its hex digits.
fn mac_words(key: &HmacSha256, body: &[u8]) -> signature::HexWords {
    let mut mac = key.clone();
    mac.update(body);
    hex_words(&mac.finalize().into_bytes().into())
}

/// The keyed HMAC state of one secret (inner and outer pads already hashed).
pub(crate) fn key(secret: &AppSecret) -> HmacSha256 {
    HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length")
}
