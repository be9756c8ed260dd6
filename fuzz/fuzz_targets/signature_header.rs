//! Arbitrary `X-Hub-Signature-256` values and body into signature verification, with the
//! genuine MAC spliced in where the input asks for it, checked against an oracle written
//! here (not the library's own parser or classifier):
//!
//! - the body is accepted if and only if some comma-separated piece of some value is
//!   `sha256=` + the body's HMAC under one of the two App Secrets (hex in either case,
//!   surrounding whitespace allowed), and `secret_index` names the first secret that matches;
//! - a refusal has the variant the pieces call for: `Mismatch` when some piece is well formed,
//!   else `UnsupportedAlgorithm` when some piece names another algorithm (or, through a
//!   `HeaderMap`, only the legacy `X-Hub-Signature` came), else `Malformed` with the reason of
//!   one of the malformed pieces, and `Missing` only when no piece is non-blank;
//! - `Signature::parse` agrees with the oracle on every single piece;
//! - `verify_headers` over a `HeaderMap` agrees with `verify` over the same values.
//!
//! Input layout: bytes up to the first NUL are header values, one per line; the rest is the
//! body. A line starting with `\x03` is a legacy `X-Hub-Signature` line instead. In a value,
//! `\x01` or `\x02` followed by a mode byte is replaced by the genuine MAC of the body under
//! secret 0 or 1 (see [`splice`]); a marker at the very end of the headers is dropped.
#![no_main]

use hmac::{Hmac, KeyInit, Mac};
use instagram_webhook_core::http::{HeaderMap, HeaderName, HeaderValue};
use instagram_webhook_core::{AppSecret, Malformed, Signature, SignatureError, Verifier};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

const SECRETS: [&str; 2] = ["fuzz-secret", "fuzz-secret-old"];

/// The HMAC-SHA256 of `body` keyed by `secret`, computed here with `hmac` directly.
fn mac(secret: &str, body: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Writes the MAC as the mode byte says:
/// - bits 0-1: hex case: lower, upper, alternating (upper first), alternating (lower first);
/// - bit 2 clear: with the `sha256=` prefix; set: hex digits only (the input supplies the rest);
/// - bit 3: corrupt one digit (index `(mode >> 4) * 4`), so the value is well formed but wrong.
fn splice(out: &mut Vec<u8>, mac: &[u8; 32], mode: u8) {
    let mut digits = hex::encode(mac).into_bytes();
    if mode & 8 != 0 {
        let at = usize::from(mode >> 4) * 4;
        digits[at] = if digits[at] == b'0' { b'1' } else { b'0' };
    }
    for (i, digit) in digits.iter_mut().enumerate() {
        let upper = match mode & 3 {
            0 => false,
            1 => true,
            2 => i % 2 == 0,
            _ => i % 2 == 1,
        };
        if upper {
            digit.make_ascii_uppercase();
        }
    }
    if mode & 4 == 0 {
        out.extend_from_slice(b"sha256=");
    }
    out.extend_from_slice(&digits);
}

/// What one comma-separated piece of a header value is, decided here from the grammar
/// `OWS "sha256=" 64HEXDIG OWS` (OWS: ASCII whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Blank,
    Valid([u8; 32]),
    /// `alg=...` with a lowercase/digit algorithm name other than `sha256`.
    OtherAlgorithm,
    Malformed(Malformed),
}

fn is_ows(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn classify(piece: &[u8]) -> Piece {
    let start = piece.iter().position(|&b| !is_ows(b));
    let Some(start) = start else {
        return Piece::Blank;
    };
    let end = piece.iter().rposition(|&b| !is_ows(b)).expect("non-blank") + 1;
    let piece = &piece[start..end];
    if piece.len() >= 7 && &piece[..7] == b"sha256=" {
        let digits = &piece[7..];
        if digits.len() != 64 {
            return Piece::Malformed(Malformed::Length);
        }
        let mut digest = [0_u8; 32];
        return match hex::decode_to_slice(digits, &mut digest) {
            Ok(()) => Piece::Valid(digest),
            Err(_) => Piece::Malformed(Malformed::NotHex),
        };
    }
    let algorithm = piece.iter().position(|&b| b == b'=').map(|eq| &piece[..eq]);
    match algorithm {
        Some(name)
            if !name.is_empty()
                && name
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            Piece::OtherAlgorithm
        }
        _ => Piece::Malformed(Malformed::Prefix),
    }
}

/// The oracle for a single piece given to `Signature::parse`.
fn expected_parse(piece: Piece) -> Result<(), SignatureError> {
    match piece {
        Piece::Blank => Err(SignatureError::Missing),
        Piece::Valid(_) => Ok(()),
        Piece::OtherAlgorithm => Err(SignatureError::UnsupportedAlgorithm),
        Piece::Malformed(why) => Err(SignatureError::Malformed(why)),
    }
}

/// The values, printable, for assertion messages.
fn show(values: &[Vec<u8>]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.escape_ascii().to_string())
        .collect()
}

fn pieces(value: &[u8]) -> impl Iterator<Item = Piece> + '_ {
    value.split(|&b| b == b',').map(classify)
}

/// Checks a verification outcome against the oracle. `legacy` says whether only the
/// legacy header could explain an `UnsupportedAlgorithm` for blank input.
fn check(
    outcome: Result<usize, SignatureError>,
    values: &[Vec<u8>],
    macs: &[[u8; 32]; 2],
    legacy: bool,
) {
    let all: Vec<Piece> = values.iter().flat_map(|v| pieces(v)).collect();
    let valid: Vec<[u8; 32]> = all
        .iter()
        .filter_map(|p| match p {
            Piece::Valid(digest) => Some(*digest),
            _ => None,
        })
        .collect();
    let genuine = macs.iter().position(|mac| valid.contains(mac));
    match (outcome, genuine) {
        (Ok(index), Some(expected)) => {
            assert_eq!(
                index, expected,
                "secret_index is the first secret that matches"
            );
        }
        (Ok(_), None) => panic!("accepted without a genuine value: {:?}", show(values)),
        (Err(error), Some(_)) => panic!(
            "refused ({error:?}) although a genuine value is present: {:?}",
            show(values)
        ),
        (Err(error), None) => {
            assert_eq!(error.status(), 401);
            let malformed: Vec<Malformed> = all
                .iter()
                .filter_map(|p| match p {
                    Piece::Malformed(why) => Some(*why),
                    _ => None,
                })
                .collect();
            if !valid.is_empty() {
                assert_eq!(error, SignatureError::Mismatch, "{:?}", show(values));
            } else if all.contains(&Piece::OtherAlgorithm) {
                assert_eq!(
                    error,
                    SignatureError::UnsupportedAlgorithm,
                    "{:?}",
                    show(values)
                );
            } else if !malformed.is_empty() {
                match error {
                    SignatureError::Malformed(why) => assert!(
                        malformed.contains(&why),
                        "{why:?} is not among the malformed pieces {malformed:?}"
                    ),
                    other => panic!("expected Malformed, got {other:?} for {:?}", show(values)),
                }
            } else if legacy {
                assert_eq!(
                    error,
                    SignatureError::UnsupportedAlgorithm,
                    "legacy header only"
                );
            } else {
                assert_eq!(error, SignatureError::Missing, "{:?}", show(values));
            }
        }
    }
}

fn verifier() -> &'static Verifier {
    static VERIFIER: std::sync::OnceLock<Verifier> = std::sync::OnceLock::new();
    VERIFIER.get_or_init(|| {
        Verifier::with_secrets(SECRETS.map(|s| AppSecret::new(s).expect("non-empty")))
            .expect("two secrets")
    })
}

fuzz_target!(|data: &[u8]| {
    let (headers, body) = match data.iter().position(|&b| b == 0) {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let macs = SECRETS.map(|secret| mac(secret, body));

    // Header values with the genuine MACs spliced in.
    let mut values: Vec<Vec<u8>> = Vec::new();
    let mut legacy: Vec<Vec<u8>> = Vec::new();
    for line in headers.split(|&b| b == b'\n') {
        let (line, is_legacy) = match line.split_first() {
            Some((3, rest)) => (rest, true),
            _ => (line, false),
        };
        let mut value = Vec::with_capacity(line.len() + 71);
        let mut bytes = line.iter().copied();
        while let Some(byte) = bytes.next() {
            match byte {
                1 | 2 => {
                    if let Some(mode) = bytes.next() {
                        splice(&mut value, &macs[usize::from(byte - 1)], mode);
                    }
                }
                _ => value.push(byte),
            }
        }
        if is_legacy {
            legacy.push(value);
        } else {
            values.push(value);
        }
    }

    // Every piece parses exactly as the oracle says.
    for value in &values {
        for piece in value.split(|&b| b == b',') {
            let parsed = Signature::parse(piece).map(|_| ());
            assert_eq!(
                parsed,
                expected_parse(classify(piece)),
                "piece {}",
                piece.escape_ascii()
            );
        }
    }

    let verifier = verifier();
    let outcome = verifier
        .verify(&values, body)
        .map(|verified| verified.secret_index());
    check(outcome, &values, &macs, false);

    // The same values (those a HeaderMap can hold) through verify_headers, with the
    // legacy header when the input has one.
    let mut map = HeaderMap::new();
    let mut kept = Vec::new();
    let name = HeaderName::from_static("x-hub-signature-256");
    for value in &values {
        if let Ok(header) = HeaderValue::from_bytes(value) {
            map.append(name.clone(), header);
            kept.push(value.clone());
        }
    }
    let mut has_legacy = false;
    for value in &legacy {
        if let Ok(header) = HeaderValue::from_bytes(value) {
            map.append(HeaderName::from_static("x-hub-signature"), header);
            has_legacy = true;
        }
    }
    let through_map = verifier
        .verify_headers(&map, body)
        .map(|verified| verified.secret_index());
    check(through_map, &kept, &macs, has_legacy);

    // Always reachable: the genuine value alone verifies, for each secret.
    for (index, mac) in macs.iter().enumerate() {
        let genuine = format!("sha256={}", hex::encode(mac));
        let alone = verifier.verify([genuine.as_bytes()], body);
        assert_eq!(alone.map(|v| v.secret_index()), Ok(index));
    }
});
