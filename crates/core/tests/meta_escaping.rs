//! Meta signs the bytes it sends, escaped its own way: the verifier must see
//! exactly those bytes.

use instagram_webhook_core::test_kit::{MetaFormatter, sign, to_meta_json};
use instagram_webhook_core::{AppSecret, SignatureError, Verifier};
use serde::Serialize;
use serde_json::json;

fn delivery() -> serde_json::Value {
    json!({
        "object": "instagram",
        "entry": [{
            "id": "17841474200534903",
            "time": 1_756_217_841,
            "changes": [{
                "field": "comments",
                "value": {
                    "id": "18077461939491133",
                    "text": "Très bien 👍 voir https://example.com/a/b — ça",
                    "from": {"id": "17841474200534903", "username": "zoë"}
                }
            }]
        }]
    })
}

#[test]
fn meta_writer_escapes_non_ascii_and_slash() {
    let body = to_meta_json(&json!({"t": "é/😀\u{2764}\u{fe0f}\"\n"})).unwrap();
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        r#"{"t":"\u00e9\/\ud83d\ude00\u2764\ufe0f\"\n"}"#
    );
    assert!(body.is_ascii());
}

#[test]
fn meta_writer_output_is_the_same_json() {
    let value = delivery();
    let body = to_meta_json(&value).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
        value
    );
}

#[test]
fn formatter_works_with_serde_json_serializer() {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, MetaFormatter);
    "a/ü".serialize(&mut serializer).unwrap();
    assert_eq!(out, br#""a\/\u00fc""#);
}

#[test]
fn meta_escaped_body_verifies() {
    let secret = AppSecret::new("3f1a9b5c7d2e4f60a1b2c3d4e5f60718").unwrap();
    let body = to_meta_json(&delivery()).unwrap();
    let header = sign(&secret, &body);
    assert!(Verifier::new(secret).verify([header], &body).is_ok());
}

/// The classic pitfall: parsing the body and serializing it again (as most
/// frameworks' JSON extractors do) changes the bytes, so the signature fails.
#[test]
fn reserialized_body_does_not_verify() {
    let secret = AppSecret::new("3f1a9b5c7d2e4f60a1b2c3d4e5f60718").unwrap();
    let body = to_meta_json(&delivery()).unwrap();
    let header = sign(&secret, &body);

    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let reserialized = serde_json::to_vec(&parsed).unwrap();
    assert_eq!(
        parsed,
        serde_json::from_slice::<serde_json::Value>(&reserialized).unwrap()
    );
    assert_ne!(body, reserialized);
    assert_eq!(
        Verifier::new(secret)
            .verify([header], &reserialized)
            .unwrap_err(),
        SignatureError::Mismatch
    );
}
