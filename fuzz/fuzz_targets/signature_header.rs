//! Arbitrary header values and body into signature verification: never a
//! panic, every refusal is a 401, and only the genuine MAC verifies.
#![no_main]

use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{AppSecret, Signature, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bytes up to the first NUL are header values (one per line), the rest is the body.
    let (headers, body) = match data.iter().position(|&b| b == 0) {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let values: Vec<&[u8]> = headers.split(|&b| b == b'\n').collect();
    for value in &values {
        let _ = Signature::parse(value);
    }

    let secret = AppSecret::new("fuzz-secret").expect("non-empty");
    let verifier = Verifier::new(secret.clone());
    let genuine = sign(&secret, body);
    match verifier.verify(&values, body) {
        Ok(_) => assert!(values.iter().any(|value| {
            value
                .split(|&b| b == b',')
                .any(|piece| piece.trim_ascii().eq_ignore_ascii_case(genuine.as_bytes()))
        })),
        Err(error) => assert_eq!(error.status(), 401),
    }
    assert!(verifier.verify([genuine.as_bytes()], body).is_ok());
});
