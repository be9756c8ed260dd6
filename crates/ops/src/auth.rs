//! Tokens: who may read the inbox, and who may change it.

use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::router::AppState;

/// A bearer token for the operations surface. Its value never appears in
/// `Debug` output.
///
/// ```
/// use instagram_webhook_ops::Token;
///
/// let token = Token::new("a-long-operations-token")?;
/// assert_eq!(format!("{token:?}"), "Token(..)");
/// let generated = Token::generate();
/// assert_eq!(generated.as_str().len(), 64);
/// # Ok::<(), instagram_webhook_ops::TokenError>(())
/// ```
#[derive(Clone)]
pub struct Token {
    value: String,
    digest: [u8; 32],
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Shorter than [`Token::MIN_LEN`] bytes: too easy to guess.
    #[error("an operations token needs at least {min} bytes, this one has {len}")]
    TooShort {
        /// Its length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// It holds a character a header cannot carry (a control character,
    /// a space, or a non-ASCII character).
    #[error("an operations token must be printable ASCII without spaces")]
    BadCharacter,
}

impl Token {
    /// The shortest token accepted, in bytes.
    pub const MIN_LEN: usize = 16;

    /// A token with this value.
    ///
    /// # Errors
    /// Shorter than [`MIN_LEN`](Self::MIN_LEN), or not printable ASCII.
    pub fn new(value: impl Into<String>) -> Result<Self, TokenError> {
        let value = value.into();
        if value.len() < Self::MIN_LEN {
            return Err(TokenError::TooShort {
                len: value.len(),
                min: Self::MIN_LEN,
            });
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::BadCharacter);
        }
        let digest = Sha256::digest(value.as_bytes()).into();
        Ok(Self { value, digest })
    }

    /// A new random token: 32 bytes from the operating system, as hex.
    ///
    /// # Panics
    /// If the operating system has no random source to give.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        Self::new(hex::encode(bytes)).expect("64 hex digits make a valid token")
    }

    /// Its value, to hand to the person who will use it.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether `presented` is this token, in constant time (over digests,
    /// so not even the length leaks).
    fn matches(&self, presented: &[u8; 32]) -> bool {
        self.digest.ct_eq(presented).into()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)")
    }
}

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Read everything; change nothing.
    Read,
    /// Read, retry and delete.
    Write,
}

/// The configured tokens.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub(crate) write: Token,
    pub(crate) read: Option<Token>,
}

impl Tokens {
    /// What the request's `Authorization: Bearer` token allows, if anything.
    pub(crate) fn access(&self, parts: &Parts) -> Option<Access> {
        let header = parts.headers.get(AUTHORIZATION)?.as_bytes();
        let presented = header
            .strip_prefix(b"Bearer ")
            .or_else(|| header.strip_prefix(b"bearer "))?;
        let digest: [u8; 32] = Sha256::digest(presented).into();
        // Both comparisons run, whatever the first found.
        let write = self.write.matches(&digest);
        let read = self.read.as_ref().is_some_and(|t| t.matches(&digest));
        if write {
            Some(Access::Write)
        } else if read {
            Some(Access::Read)
        } else {
            None
        }
    }
}

/// A request allowed to read (any configured token).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CanRead(pub(crate) Access);

/// A request allowed to change the inbox (the operations token).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CanWrite;

impl FromRequestParts<AppState> for CanRead {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state
            .tokens
            .access(parts)
            .map(CanRead)
            .ok_or_else(ApiError::unauthorized)
    }
}

impl FromRequestParts<AppState> for CanWrite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match state.tokens.access(parts) {
            Some(Access::Write) => Ok(Self),
            Some(Access::Read) => Err(ApiError::forbidden()),
            None => Err(ApiError::unauthorized()),
        }
    }
}
