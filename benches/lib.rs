//! Criterion benches of the instagram-webhook workspace, and the bodies they share.
//!
//! Run them all from the workspace root with `cargo bench`, or one with
//! `cargo bench --bench parse`. Every bench measures a baseline in the same
//! run, so read the ratios, not the absolute times:
//!
//! - `signature`: full verification beside raw HMAC-SHA256 and a naive check.
//! - `parse`: typed parse + `events()` beside `IgnoredAny` (validation only)
//!   and `serde_json::Value`.
//! - `pipeline`: one signed delivery through the receiver beside
//!   verification alone and parsing alone.
//! - `allocations`: allocations per event (prints a table, no timing).
//!
//! `benches/load.sh` drives the example receivers over loopback with `wrk`.

use instagram_webhook_core::test_kit::to_meta_json;
use serde_json::{Value, json};

/// A single live comment (the business's own reply, with an emoji), compact
/// and escaped like Meta: 467 bytes.
pub fn comment_body() -> Vec<u8> {
    meta_json(include_str!(
        "../crates/types/tests/fixtures/comments__capture-debug-sim__self-reply.json"
    ))
}

/// A single live text message, compact and escaped like Meta: 393 bytes.
pub fn message_body() -> Vec<u8> {
    meta_json(include_str!(
        "../crates/types/tests/fixtures/messages__capture-sigtest__text.json"
    ))
}

/// A batch of 1000 comment updates (10 entries of 100 changes), 379 KB.
///
/// # Panics
/// Never: the fixture is valid JSON.
pub fn batch_body() -> Vec<u8> {
    let comment: Value = serde_json::from_slice(&comment_body()).expect("fixture is JSON");
    let value = &comment["entry"][0]["changes"][0]["value"];
    let entries: Vec<Value> = (0..10)
        .map(|e| {
            let changes: Vec<Value> = (0..100)
                .map(|c| {
                    let mut value = value.clone();
                    value["id"] = json!(format!("1805482713{e:02}{c:05}"));
                    json!({"value": value, "field": "comments"})
                })
                .collect();
            json!({"id": format!("178414742005349{e:02}"), "time": 1_756_217_841, "changes": changes})
        })
        .collect();
    to_meta_json(&json!({"entry": entries, "object": "instagram"})).expect("JSON value serializes")
}

/// Rewrites a pretty-printed fixture compactly, with Meta's escaping.
fn meta_json(fixture: &str) -> Vec<u8> {
    let value: Value = serde_json::from_str(fixture).expect("fixture is JSON");
    to_meta_json(&value).expect("JSON value serializes")
}
