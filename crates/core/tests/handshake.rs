//! The GET verification handshake, parsed from raw query strings.

use instagram_webhook_core::{
    HandshakeError, InvalidChallenge, MAX_CHALLENGE_LEN, VerifyToken, verify_handshake,
};

fn token() -> VerifyToken {
    VerifyToken::new("my token/é&=").unwrap()
}

/// `my token/é&=` form-urlencoded.
const ENCODED_TOKEN: &str = "my+token%2F%C3%A9%26%3D";

fn query(mode: &str, token: &str, challenge: &str) -> String {
    format!("hub.mode={mode}&hub.verify_token={token}&hub.challenge={challenge}")
}

#[test]
fn valid_handshake_returns_the_challenge_verbatim() {
    let answer =
        verify_handshake(&query("subscribe", ENCODED_TOKEN, "1158201444"), &token()).unwrap();
    assert_eq!(answer.as_str(), "1158201444");
    // Not parsed as a number: leading zeros and huge values survive.
    let answer = verify_handshake(
        &query(
            "subscribe",
            ENCODED_TOKEN,
            "000123456789012345678901234567890",
        ),
        &token(),
    );
    assert_eq!(
        answer.unwrap().into_string(),
        "000123456789012345678901234567890"
    );
}

#[test]
fn percent_encoded_values_and_any_order() {
    let q = format!(
        "?hub.challenge=abc%2Bdef%20g+h&utm=1&hub.verify_token={ENCODED_TOKEN}&hub.mode=subscribe"
    );
    assert_eq!(
        verify_handshake(&q, &token()).unwrap().as_str(),
        "abc+def g h"
    );
    // Encoded keys are decoded too.
    let q = format!("hub%2Emode=subscribe&hub.verify%5Ftoken={ENCODED_TOKEN}&hub.challenge=42");
    assert_eq!(verify_handshake(&q, &token()).unwrap().as_str(), "42");
}

#[test]
fn each_missing_parameter_is_named() {
    let t = format!("hub.verify_token={ENCODED_TOKEN}");
    let cases = [
        (format!("{t}&hub.challenge=1"), "hub.mode"),
        (
            "hub.mode=subscribe&hub.challenge=1".to_owned(),
            "hub.verify_token",
        ),
        (format!("hub.mode=subscribe&{t}"), "hub.challenge"),
        (String::new(), "hub.mode"),
    ];
    for (q, name) in cases {
        let error = verify_handshake(&q, &token()).unwrap_err();
        assert_eq!(error, HandshakeError::MissingParameter(name), "{q}");
        assert_eq!(error.status(), 400);
    }
}

#[test]
fn wrong_mode_is_forbidden() {
    for mode in ["unsubscribe", "Subscribe", "", "subscribe%20"] {
        let error = verify_handshake(&query(mode, ENCODED_TOKEN, "1"), &token()).unwrap_err();
        assert_eq!(error, HandshakeError::WrongMode, "{mode}");
        assert_eq!(error.status(), 403);
    }
}

#[test]
fn wrong_token_is_forbidden_and_not_echoed() {
    for guess in ["guess", "my+token", "my%20token%2F%C3%A9%26%3D%20", ""] {
        let error = verify_handshake(&query("subscribe", guess, "1"), &token()).unwrap_err();
        assert_eq!(error, HandshakeError::WrongToken, "{guess}");
        assert_eq!(error.status(), 403);
        assert!(!error.to_string().contains("my token"));
    }
}

#[test]
fn absurd_challenges_are_refused() {
    let long = "9".repeat(MAX_CHALLENGE_LEN + 1);
    let at_limit = "9".repeat(MAX_CHALLENGE_LEN);
    let cases = [
        (long.as_str(), InvalidChallenge::TooLong),
        ("", InvalidChallenge::Empty),
        ("12%0A34", InvalidChallenge::ControlCharacter),
        ("%00", InvalidChallenge::ControlCharacter),
        ("%1B%5B31m", InvalidChallenge::ControlCharacter),
        ("%FF%FE", InvalidChallenge::NotUtf8),
    ];
    for (challenge, reason) in cases {
        let error =
            verify_handshake(&query("subscribe", ENCODED_TOKEN, challenge), &token()).unwrap_err();
        assert_eq!(
            error,
            HandshakeError::InvalidChallenge(reason),
            "{challenge}"
        );
        assert_eq!(error.status(), 400);
    }
    assert!(verify_handshake(&query("subscribe", ENCODED_TOKEN, &at_limit), &token()).is_ok());
}

#[test]
fn duplicated_parameters_are_ambiguous() {
    let q = format!("{}&hub.challenge=2", query("subscribe", ENCODED_TOKEN, "1"));
    assert_eq!(
        verify_handshake(&q, &token()).unwrap_err(),
        HandshakeError::DuplicateParameter("hub.challenge")
    );
}

#[test]
fn wrong_token_is_checked_before_the_challenge() {
    let long = "9".repeat(MAX_CHALLENGE_LEN + 1);
    assert_eq!(
        verify_handshake(&query("subscribe", "nope", &long), &token()).unwrap_err(),
        HandshakeError::WrongToken
    );
}
