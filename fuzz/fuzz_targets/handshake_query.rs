//! Arbitrary query strings into the handshake, checked against an oracle that reads the query
//! itself (with `form_urlencoded`, as Meta's encoding requires):
//!
//! - a `hub.*` parameter given twice is `DuplicateParameter` (400), one absent is
//!   `MissingParameter` (400), then a mode other than `subscribe` is `WrongMode` (403), a token
//!   other than the configured one is `WrongToken` (403), then a challenge that is empty, too
//!   long, has control characters or was not valid UTF-8 is `InvalidChallenge` (400);
//! - anything else is accepted, and the challenge is the decoded `hub.challenge`, byte for byte.
#![no_main]

use instagram_webhook_core::{
    HandshakeError, InvalidChallenge, MAX_CHALLENGE_LEN, VerifyToken, verify_handshake,
};
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "fuzz-token";
const NAMES: [&str; 3] = ["hub.mode", "hub.verify_token", "hub.challenge"];

/// Every reason the challenge may be refused for (the library may report any one of them).
fn challenge_problems(challenge: &str) -> Vec<InvalidChallenge> {
    let mut problems = Vec::new();
    if challenge.is_empty() {
        problems.push(InvalidChallenge::Empty);
    }
    if challenge.len() > MAX_CHALLENGE_LEN {
        problems.push(InvalidChallenge::TooLong);
    }
    if challenge.chars().any(char::is_control) {
        problems.push(InvalidChallenge::ControlCharacter);
    }
    // The decoder turns invalid UTF-8 into U+FFFD, so such a value is not verbatim.
    if challenge.contains('\u{FFFD}') {
        problems.push(InvalidChallenge::NotUtf8);
    }
    problems
}

fn token() -> &'static VerifyToken {
    static TOKEN_CELL: std::sync::OnceLock<VerifyToken> = std::sync::OnceLock::new();
    TOKEN_CELL.get_or_init(|| VerifyToken::new(TOKEN).expect("non-empty"))
}

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let outcome = verify_handshake(&query, token());

    // The oracle: every value of each hub.* parameter, decoded.
    let raw = query.strip_prefix('?').unwrap_or(&query);
    let mut values: [Vec<String>; 3] = Default::default();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        if let Some(slot) = NAMES.iter().position(|name| key == *name) {
            values[slot].push(value.into_owned());
        }
    }
    let duplicated: Vec<&str> = (0..3)
        .filter(|&i| values[i].len() > 1)
        .map(|i| NAMES[i])
        .collect();
    let missing: Vec<&str> = (0..3)
        .filter(|&i| values[i].is_empty())
        .map(|i| NAMES[i])
        .collect();

    if let Err(error) = &outcome {
        let status = error.status();
        assert!(status == 400 || status == 403, "{error:?} answers {status}");
    }
    if !duplicated.is_empty() {
        match outcome {
            Err(HandshakeError::DuplicateParameter(name)) => assert!(duplicated.contains(&name)),
            other => panic!("{duplicated:?} given twice, got {other:?}"),
        }
        return;
    }
    if !missing.is_empty() {
        match outcome {
            Err(HandshakeError::MissingParameter(name)) => assert!(missing.contains(&name)),
            other => panic!("{missing:?} absent, got {other:?}"),
        }
        return;
    }
    let [mode, verify_token, challenge] = values.map(|mut v| v.remove(0));
    if mode != "subscribe" {
        assert_eq!(outcome, Err(HandshakeError::WrongMode));
        return;
    }
    if verify_token != TOKEN {
        assert_eq!(outcome, Err(HandshakeError::WrongToken));
        return;
    }
    let problems = challenge_problems(&challenge);
    match outcome {
        Ok(answered) => {
            assert!(
                problems.is_empty(),
                "accepted a challenge with {problems:?}"
            );
            assert_eq!(
                answered.as_str(),
                challenge,
                "not the decoded hub.challenge"
            );
            assert_eq!(answered.into_string(), challenge);
        }
        Err(HandshakeError::InvalidChallenge(why)) => {
            assert!(
                problems.contains(&why),
                "refused for {why:?}, expected {problems:?}"
            );
        }
        Err(other) => panic!("valid mode and token, got {other:?}"),
    }
});
