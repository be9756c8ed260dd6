//! Secret types refuse empty values and never print themselves.

use instagram_webhook_core::{AppKey, AppSecret, AppVerifiers, SecretError, Verifier, VerifyToken};

#[test]
fn empty_or_blank_values_are_refused() {
    for value in ["", " ", "\t\n"] {
        assert_eq!(AppSecret::new(value).unwrap_err(), SecretError::Empty);
        assert_eq!(VerifyToken::new(value).unwrap_err(), SecretError::Empty);
    }
    assert_eq!(
        AppSecret::from_bytes(Vec::new()).unwrap_err(),
        SecretError::Empty
    );
    assert!(AppSecret::try_from("x").is_ok());
    assert!(VerifyToken::try_from(String::from("x")).is_ok());
}

#[test]
fn debug_is_redacted_everywhere() {
    let secret = AppSecret::new("super-secret-value").unwrap();
    let token = VerifyToken::new("super-secret-token").unwrap();
    let verifier =
        Verifier::with_secrets([secret.clone(), AppSecret::new("second-secret").unwrap()]).unwrap();
    let apps = AppVerifiers::new(AppKey::LastPathSegment).app("a", verifier.clone());

    let printed = [
        format!("{secret:?}"),
        format!("{token:?}"),
        format!("{verifier:?}"),
        format!("{apps:?}"),
        format!("{verifier:#?}"),
    ];
    for text in &printed {
        assert!(!text.contains("super-secret"), "{text}");
        assert!(!text.contains("second-secret"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
    assert_eq!(printed[0], "AppSecret([redacted])");
    assert_eq!(printed[1], "VerifyToken([redacted])");
}

#[test]
fn verify_token_matches_only_itself() {
    let token = VerifyToken::new("token-ü").unwrap();
    assert!(token.matches("token-ü"));
    assert!(!token.matches("token-u"));
    assert!(!token.matches("token-ü "));
    assert!(!token.matches(""));
}
