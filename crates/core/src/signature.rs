//! Parsing the `X-Hub-Signature-256` header and the errors of signature checks.

use std::fmt;

use http::StatusCode;
use subtle::ConstantTimeEq;

/// Name of the header that carries Meta's HMAC-SHA256 signature of the body.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Name of Meta's legacy HMAC-SHA1 signature header. It is never accepted in
/// place of [`SIGNATURE_HEADER`]; it only sharpens the error when it comes alone.
pub const LEGACY_SIGNATURE_HEADER: &str = "x-hub-signature";

/// The algorithm prefix of a valid header value.
const PREFIX: &[u8] = b"sha256=";

/// Number of hex digits in a SHA-256 digest.
const HEX_DIGITS: usize = 64;

/// Why a POST was not accepted as signed by Meta.
///
/// Messages are fixed strings: they never contain the received header, the
/// computed MAC or a secret, so they are safe to log and to send as a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header (or only blank values).
    #[error("missing X-Hub-Signature-256 header")]
    Missing,
    /// A value was present but is not `sha256=` followed by 64 hex digits.
    #[error("malformed X-Hub-Signature-256 header: {0}")]
    Malformed(Malformed),
    /// Only another algorithm was offered, typically the legacy
    /// `X-Hub-Signature: sha1=...`, which is not accepted.
    #[error("unsupported signature algorithm: X-Hub-Signature-256 with sha256= is required")]
    UnsupportedAlgorithm,
    /// Well-formed, but the signature matches none of the configured App Secrets.
    #[error("signature does not match")]
    Mismatch,
    /// The request could not be tied to any configured app (multi-app setups).
    #[error("no App Secret is configured for this request")]
    UnknownApp,
}

impl SignatureError {
    /// The HTTP status to answer with: always 401 Unauthorized.
    ///
    /// A forgery is never worth a 5xx: Meta would only retry it.
    pub fn status(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    /// Precedence when several header values fail differently: the most
    /// informative failure wins (a real mismatch over a malformed value).
    fn rank(self) -> u8 {
        match self {
            Self::Missing => 0,
            Self::Malformed(_) => 1,
            Self::UnsupportedAlgorithm => 2,
            Self::Mismatch | Self::UnknownApp => 3,
        }
    }

    /// The more informative of two errors.
    pub(crate) fn max(self, other: Self) -> Self {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// What exactly was wrong with a malformed signature value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The value does not start with `sha256=` (or any `algorithm=`).
    #[error("expected the sha256= prefix")]
    Prefix,
    /// The digest is not exactly 64 characters long.
    #[error("expected exactly 64 hex digits")]
    Length,
    /// The digest has 64 characters, but not all are hex digits.
    #[error("digest is not hexadecimal")]
    NotHex,
}

/// A parsed `sha256=<64 hex digits>` signature.
///
/// It deliberately has no `PartialEq`: compare it to a computed MAC only with
/// the constant-time check the [`Verifier`](crate::Verifier) uses. `Debug`
/// does not print the digest.
///
/// ```
/// use instagram_webhook_core::Signature;
///
/// let value = " sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17 ";
/// assert!(Signature::parse(value).is_ok());
/// assert!(Signature::parse("sha1=0123").is_err());
/// ```
#[derive(Clone, Copy)]
pub struct Signature {
    /// The 64 hex digits, lowercased, as native-endian words: compared in
    /// constant time with the computed MAC's digits ([`hex_words`]), eight
    /// words at a time.
    digits: HexWords,
}

/// The 64 lowercase hex digits of a SHA-256 digest, as eight words.
pub(crate) type HexWords = [u64; 8];

/// The words of a computed digest's lowercase hex digits.
///
/// Encoding the MAC and comparing digits costs less than decoding the
/// received digits, and needs no constant-time decoder: the received value
/// is the sender's own, and only the comparison touches the MAC.
pub(crate) fn hex_words(digest: &[u8; 32]) -> HexWords {
    let mut digits = [0_u8; HEX_DIGITS];
    base16ct::lower::encode(digest, &mut digits).expect("32 bytes are 64 hex digits");
    words(&digits)
}

fn words(digits: &[u8; HEX_DIGITS]) -> HexWords {
    let mut words = [0_u64; 8];
    for (word, chunk) in words.iter_mut().zip(digits.as_chunks::<8>().0) {
        *word = u64::from_ne_bytes(*chunk);
    }
    words
}

impl Signature {
    /// Parses one signature value: optional surrounding whitespace,
    /// `sha256=`, then exactly 64 hex digits in either case.
    ///
    /// Takes bytes because HTTP header values need not be UTF-8.
    ///
    /// # Errors
    /// [`SignatureError::Missing`] for a blank value,
    /// [`SignatureError::UnsupportedAlgorithm`] for another `algorithm=` prefix
    /// such as `sha1=`, and [`SignatureError::Malformed`] for anything else
    /// that is not a well-formed SHA-256 signature.
    pub fn parse(value: impl AsRef<[u8]>) -> Result<Self, SignatureError> {
        let value = value.as_ref().trim_ascii();
        if value.is_empty() {
            return Err(SignatureError::Missing);
        }
        let Some(hex_digits) = value.strip_prefix(PREFIX) else {
            return Err(if names_an_algorithm(value) {
                SignatureError::UnsupportedAlgorithm
            } else {
                SignatureError::Malformed(Malformed::Prefix)
            });
        };
        let digits: &[u8; HEX_DIGITS] = hex_digits
            .try_into()
            .map_err(|_| SignatureError::Malformed(Malformed::Length))?;
        // Every digit is checked (no early exit), so the loop vectorises.
        let all_hex = digits
            .iter()
            .fold(true, |all, digit| all & digit.is_ascii_hexdigit());
        if !all_hex {
            return Err(SignatureError::Malformed(Malformed::NotHex));
        }
        // Setting bit 0x20 lowercases `A`-`F` and leaves `0`-`9` and `a`-`f` as they are.
        Ok(Self {
            digits: words(&digits.map(|digit| digit | 0x20)),
        })
    }

    /// Whether this signature equals a computed MAC (see [`hex_words`]), in
    /// constant time.
    pub(crate) fn matches(&self, mac: &HexWords) -> bool {
        self.digits.ct_eq(mac).into()
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(sha256)")
    }
}

/// Whether `value` looks like `<algorithm>=...` for an algorithm other than
/// `sha256` (lowercase letters and digits before the `=`), e.g. `sha1=`.
fn names_an_algorithm(value: &[u8]) -> bool {
    match value.iter().position(|&b| b == b'=') {
        Some(end) if end > 0 => value[..end]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        _ => false,
    }
}

/// Splits one header value into signature candidates.
///
/// Several header lines are several values; a proxy may also have folded them
/// into one comma-separated line. Blank pieces are skipped.
pub(crate) fn pieces(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .filter(|piece| !piece.trim_ascii().is_empty())
}
