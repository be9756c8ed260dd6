//! The verification handshake Meta performs when a webhook is subscribed.
//!
//! Meta sends `GET <callback>?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<value>`
//! and expects the challenge back, byte for byte, as a `text/plain` 200.

use std::fmt;

use http::StatusCode;

use crate::secret::VerifyToken;

/// Longest challenge answered, in bytes. Meta's challenges are short integers;
/// anything longer is not reflected back.
pub const MAX_CHALLENGE_LEN: usize = 1024;

const MODE: &str = "hub.mode";
const VERIFY_TOKEN: &str = "hub.verify_token";
const CHALLENGE: &str = "hub.challenge";

/// Why a handshake request was refused.
///
/// Messages are fixed strings and never repeat the received token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// A `hub.*` parameter is absent: not a handshake (400).
    #[error("missing handshake parameter {0}")]
    MissingParameter(&'static str),
    /// A `hub.*` parameter appears more than once, which is ambiguous (400).
    #[error("handshake parameter {0} given more than once")]
    DuplicateParameter(&'static str),
    /// `hub.mode` is not `subscribe` (403).
    #[error("hub.mode is not subscribe")]
    WrongMode,
    /// `hub.verify_token` is not the configured token (403).
    #[error("hub.verify_token does not match")]
    WrongToken,
    /// `hub.challenge` is not something safe to reflect (400).
    #[error("hub.challenge refused: {0}")]
    InvalidChallenge(InvalidChallenge),
}

impl HandshakeError {
    /// The HTTP status to answer with: 403 for a wrong mode or token,
    /// 400 for a request that is not a well-formed handshake.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::WrongMode | Self::WrongToken => StatusCode::FORBIDDEN,
            Self::MissingParameter(_) | Self::DuplicateParameter(_) | Self::InvalidChallenge(_) => {
                StatusCode::BAD_REQUEST
            }
        }
    }
}

/// Why a `hub.challenge` value is not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidChallenge {
    /// The value is empty.
    #[error("empty")]
    Empty,
    /// The value is longer than [`MAX_CHALLENGE_LEN`] bytes.
    #[error("longer than 1024 bytes")]
    TooLong,
    /// The value contains control characters.
    #[error("contains control characters")]
    ControlCharacter,
    /// The percent-decoded value is not valid UTF-8, or holds U+FFFD: the
    /// form decoder writes U+FFFD for invalid bytes, so the two cannot be
    /// told apart, and a challenge holding it could not be sent back
    /// verbatim. (Meta's challenges are integers.)
    #[error("not valid UTF-8")]
    NotUtf8,
}

/// The challenge to send back: the decoded `hub.challenge`, verbatim.
///
/// It is not parsed as a number even though Meta documents an integer.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge(String);

impl Challenge {
    /// The challenge text, to be sent as the `text/plain` body.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The challenge text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Challenge").field(&self.0).finish()
    }
}

impl AsRef<str> for Challenge {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Answers a handshake from its raw query string.
///
/// `query` is the part after `?` (a leading `?` is tolerated), still
/// percent-encoded; it is decoded as `application/x-www-form-urlencoded`.
/// Parameters other than `hub.*` are ignored. Checks run in this order:
/// every parameter present once, mode, token (constant time), challenge.
///
/// ```
/// use instagram_webhook_core::{HandshakeError, VerifyToken, verify_handshake};
///
/// let token = VerifyToken::new("s3cret token")?;
/// let query = "hub.mode=subscribe&hub.verify_token=s3cret+token&hub.challenge=1158201444";
/// assert_eq!(verify_handshake(query, &token).unwrap().as_str(), "1158201444");
///
/// let wrong = "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1";
/// assert_eq!(verify_handshake(wrong, &token).unwrap_err(), HandshakeError::WrongToken);
/// assert_eq!(HandshakeError::WrongToken.status(), 403);
/// # Ok::<(), instagram_webhook_core::SecretError>(())
/// ```
///
/// # Errors
/// See [`HandshakeError`]; each variant knows its HTTP status.
pub fn verify_handshake(query: &str, token: &VerifyToken) -> Result<Challenge, HandshakeError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut mode = None;
    let mut verify_token = None;
    let mut challenge = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let (name, slot) = match key.as_ref() {
            MODE => (MODE, &mut mode),
            VERIFY_TOKEN => (VERIFY_TOKEN, &mut verify_token),
            CHALLENGE => (CHALLENGE, &mut challenge),
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(HandshakeError::DuplicateParameter(name));
        }
    }
    let mode = mode.ok_or(HandshakeError::MissingParameter(MODE))?;
    let verify_token = verify_token.ok_or(HandshakeError::MissingParameter(VERIFY_TOKEN))?;
    let challenge = challenge.ok_or(HandshakeError::MissingParameter(CHALLENGE))?;

    if mode != "subscribe" {
        return Err(HandshakeError::WrongMode);
    }
    if !token.matches(&verify_token) {
        return Err(HandshakeError::WrongToken);
    }
    check_challenge(&challenge).map_err(HandshakeError::InvalidChallenge)?;
    Ok(Challenge(challenge.into_owned()))
}

/// Refuses challenge values that are not safe to reflect back.
fn check_challenge(challenge: &str) -> Result<(), InvalidChallenge> {
    if challenge.is_empty() {
        Err(InvalidChallenge::Empty)
    } else if challenge.len() > MAX_CHALLENGE_LEN {
        Err(InvalidChallenge::TooLong)
    } else if challenge.chars().any(char::is_control) {
        Err(InvalidChallenge::ControlCharacter)
    } else if challenge.contains(char::REPLACEMENT_CHARACTER) {
        // The form decoder replaces invalid UTF-8 with U+FFFD: not verbatim.
        Err(InvalidChallenge::NotUtf8)
    } else {
        Ok(())
    }
}
