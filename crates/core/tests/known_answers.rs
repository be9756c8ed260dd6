//! Published HMAC-SHA256 test vectors, run through the full verifier.

use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{AppSecret, SignatureError, Verifier};

fn assert_vector(key: &[u8], data: &[u8], mac_hex: &str) {
    let secret = AppSecret::from_bytes(key).unwrap();
    let header = format!("sha256={mac_hex}");
    assert_eq!(
        sign(&secret, data),
        header,
        "test kit signs like the vector"
    );
    let verifier = Verifier::new(secret);
    assert!(verifier.verify([&header], data).is_ok(), "vector verifies");
    assert_eq!(
        verifier
            .verify([&header], &[data, b"x"].concat())
            .unwrap_err(),
        SignatureError::Mismatch
    );
}

/// GitHub's documented example for `X-Hub-Signature-256` (same scheme as Meta).
#[test]
fn github_published_vector() {
    assert_vector(
        b"It's a Secret to Everybody",
        b"Hello, World!",
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
}

#[test]
fn rfc4231_case_1() {
    assert_vector(
        &[0x0b; 20],
        b"Hi There",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
}

#[test]
fn rfc4231_case_2_key_shorter_than_output() {
    assert_vector(
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
}

#[test]
fn rfc4231_case_3_combined_length_over_block() {
    assert_vector(
        &[0xaa; 20],
        &[0xdd; 50],
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    );
}

#[test]
fn rfc4231_case_4() {
    let key: Vec<u8> = (0x01..=0x19).collect();
    assert_vector(
        &key,
        &[0xcd; 50],
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    );
}

/// Case 5 is a MAC truncated to 128 bits; a truncated signature must not verify.
#[test]
fn rfc4231_case_5_truncated_mac_is_rejected() {
    let verifier = Verifier::new(AppSecret::from_bytes([0x0c; 20]).unwrap());
    let truncated = "sha256=a3b6167473100ee06e0c796c2955552b";
    assert!(matches!(
        verifier
            .verify([truncated], b"Test With Truncation")
            .unwrap_err(),
        SignatureError::Malformed(_)
    ));
}

#[test]
fn rfc4231_case_6_key_larger_than_block() {
    assert_vector(
        &[0xaa; 131],
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
}

#[test]
fn rfc4231_case_7_large_key_and_data() {
    assert_vector(
        &[0xaa; 131],
        b"This is a test using a larger than block-size key and a larger than block-size data. \
The key needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    );
}
