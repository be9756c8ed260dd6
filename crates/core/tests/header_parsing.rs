//! How `X-Hub-Signature-256` values are read: strict, tolerant of whitespace
//! and hex case, and clear about what was wrong.

use http::{HeaderMap, HeaderValue};
use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{
    AppSecret, LEGACY_SIGNATURE_HEADER, Malformed, SIGNATURE_HEADER, Signature, SignatureError,
    Verifier,
};

const BODY: &[u8] = br#"{"object":"instagram","entry":[]}"#;

fn setup() -> (Verifier, String) {
    let secret = AppSecret::new("app-secret").unwrap();
    let header = sign(&secret, BODY);
    (Verifier::new(secret), header)
}

#[test]
fn uppercase_hex_and_surrounding_whitespace_are_accepted() {
    let (verifier, header) = setup();
    let upper = format!("sha256={}", header["sha256=".len()..].to_ascii_uppercase());
    assert!(verifier.verify([upper.as_str()], BODY).is_ok());
    assert!(verifier.verify([format!(" \t{header}  ")], BODY).is_ok());
}

#[test]
fn wrong_lengths_and_non_hex_are_malformed() {
    let (verifier, header) = setup();
    let digest = &header["sha256=".len()..];
    let cases = [
        (format!("sha256={}", &digest[..63]), Malformed::Length),
        (format!("sha256={digest}0"), Malformed::Length),
        (format!("sha256={}", "z".repeat(64)), Malformed::NotHex),
        ("sha256=".to_owned(), Malformed::Length),
        (digest.to_owned(), Malformed::Prefix),
        (format!("SHA256={digest}"), Malformed::Prefix),
        (format!("sha256:{digest}"), Malformed::Prefix),
        (format!("sha256 ={digest}"), Malformed::Prefix),
    ];
    for (value, reason) in cases {
        assert_eq!(
            verifier.verify([value.as_str()], BODY).unwrap_err(),
            SignatureError::Malformed(reason),
            "{value:?}"
        );
    }
}

#[test]
fn sha1_alone_is_unsupported() {
    let (verifier, _) = setup();
    let sha1 = "sha1=0123456789abcdef0123456789abcdef01234567";
    assert_eq!(
        verifier.verify([sha1], BODY).unwrap_err(),
        SignatureError::UnsupportedAlgorithm
    );

    let mut headers = HeaderMap::new();
    headers.insert(LEGACY_SIGNATURE_HEADER, HeaderValue::from_static(sha1));
    assert_eq!(
        verifier.verify_headers(&headers, BODY).unwrap_err(),
        SignatureError::UnsupportedAlgorithm
    );
}

#[test]
fn sha1_beside_a_valid_sha256_is_ignored() {
    let (verifier, header) = setup();
    let mut headers = HeaderMap::new();
    headers.insert(
        LEGACY_SIGNATURE_HEADER,
        HeaderValue::from_static("sha1=0123456789abcdef0123456789abcdef01234567"),
    );
    headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&header).unwrap());
    assert!(verifier.verify_headers(&headers, BODY).is_ok());
}

#[test]
fn missing_header_is_missing() {
    let (verifier, _) = setup();
    assert_eq!(
        verifier
            .verify_headers(&HeaderMap::new(), BODY)
            .unwrap_err(),
        SignatureError::Missing
    );
    assert_eq!(
        verifier.verify(Vec::<&str>::new(), BODY).unwrap_err(),
        SignatureError::Missing
    );
    assert_eq!(
        verifier.verify(["  "], BODY).unwrap_err(),
        SignatureError::Missing
    );
}

#[test]
fn any_one_valid_value_among_several_is_enough() {
    let (verifier, header) = setup();
    let forged = format!("sha256={}", "0".repeat(64));
    let values = ["garbage".to_owned(), forged.clone(), header.clone()];
    assert!(verifier.verify(&values, BODY).is_ok());

    let mut headers = HeaderMap::new();
    headers.append(SIGNATURE_HEADER, HeaderValue::from_str(&forged).unwrap());
    headers.append(SIGNATURE_HEADER, HeaderValue::from_static("sha1=00"));
    headers.append(SIGNATURE_HEADER, HeaderValue::from_str(&header).unwrap());
    assert!(verifier.verify_headers(&headers, BODY).is_ok());

    let folded = format!("{forged}, {header}");
    assert!(verifier.verify([folded], BODY).is_ok());
}

#[test]
fn a_mismatch_outranks_malformed_neighbours() {
    let (verifier, _) = setup();
    let forged = format!("sha256={}", "ab".repeat(32));
    assert_eq!(
        verifier
            .verify(["nonsense", forged.as_str(), "sha1=00"], BODY)
            .unwrap_err(),
        SignatureError::Mismatch
    );
    assert_eq!(
        verifier.verify(["nonsense", "sha1=00"], BODY).unwrap_err(),
        SignatureError::UnsupportedAlgorithm
    );
}

#[test]
fn non_utf8_header_bytes_are_malformed_not_a_panic() {
    let (verifier, _) = setup();
    let value: &[u8] = b"sha256=\xff\xfe\x00";
    assert!(matches!(
        verifier.verify([value], BODY).unwrap_err(),
        SignatureError::Malformed(_)
    ));
}

#[test]
fn errors_map_to_401_and_never_echo_input() {
    let (verifier, header) = setup();
    let digest = &header["sha256=".len()..];
    for value in [
        String::new(),
        "sha1=abc".to_owned(),
        format!("sha256={}", &digest[1..]),
        format!("sha256={}", digest.replace('a', "b")),
    ] {
        let error = verifier.verify([value.as_str()], BODY).unwrap_err();
        assert_eq!(error.status(), 401);
        let message = error.to_string();
        assert!(!message.contains(&digest[..16]), "{message}");
        assert!(!message.contains("app-secret"), "{message}");
    }
    assert_eq!(SignatureError::UnknownApp.status(), 401);
}

#[test]
fn debug_of_a_signature_hides_the_digest() {
    let (_, header) = setup();
    let signature = Signature::parse(&header).unwrap();
    assert_eq!(format!("{signature:?}"), "Signature(sha256)");
}
