//! Meta-faithful signed deliveries.

use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::{sign, to_meta_json};
use serde_json::{Value, json};

use crate::harness::PATH;
use crate::wire::TestRequest;

/// A `comments` delivery for `account`, as Meta sends it (`value` before
/// `field`, `object` last).
pub fn comment_delivery(account: &str, comment_id: &str, text: &str) -> Value {
    json!({
        "entry": [{
            "id": account,
            "time": 1_756_217_841,
            "changes": [{
                "value": {
                    "from": {"id": "17841401234567890", "username": "zoë.b"},
                    "media": {"id": "18060000000000001", "media_product_type": "FEED"},
                    "id": comment_id,
                    "text": text
                },
                "field": "comments"
            }]
        }],
        "object": "instagram"
    })
}

/// A POST of `payload` escaped like Meta and signed with `secret`.
///
/// # Panics
/// When `secret` is empty or `payload` cannot be serialized (test input bugs).
pub fn signed_post(secret: &str, payload: &Value) -> TestRequest {
    let body = to_meta_json(payload).expect("JSON value serializes");
    signed_bytes(secret, body)
}

/// A POST of exactly `body`, signed with `secret`.
///
/// # Panics
/// When `secret` is empty (a test input bug).
pub fn signed_bytes(secret: &str, body: Vec<u8>) -> TestRequest {
    let signature = sign(&AppSecret::new(secret).expect("non-empty secret"), &body);
    TestRequest::new("POST", PATH, None)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body)
}
