//! Arbitrary query strings into the handshake: never a panic, only 400 or 403
//! on refusal, and an accepted challenge is short and free of control characters.
#![no_main]

use instagram_webhook_core::{MAX_CHALLENGE_LEN, VerifyToken, verify_handshake};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let token = VerifyToken::new("fuzz-token").expect("non-empty");
    match verify_handshake(&query, &token) {
        Ok(challenge) => {
            assert!(!challenge.as_str().is_empty());
            assert!(challenge.as_str().len() <= MAX_CHALLENGE_LEN);
            assert!(!challenge.as_str().chars().any(char::is_control));
        }
        Err(error) => assert!(error.status() == 400 || error.status() == 403),
    }
});
