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

/// What the load script's servers are told by the environment.
#[derive(Debug)]
pub struct LoadConfig {
    /// `PORT`, default 3000.
    pub port: u16,
    /// `INSTAGRAM_APP_SECRET`, default `load-test-app-secret`.
    pub secret: String,
    /// `INSTAGRAM_VERIFY_TOKEN`, default `load`.
    pub verify_token: String,
}

/// The load script's configuration, from the environment.
pub fn load_config() -> LoadConfig {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    LoadConfig {
        port: var("PORT", "3000").parse().unwrap_or(3000),
        secret: var("INSTAGRAM_APP_SECRET", "load-test-app-secret"),
        verify_token: var("INSTAGRAM_VERIFY_TOKEN", "load"),
    }
}

/// The receiver of the load script's library servers (`count_axum`,
/// `count_actix`), with a [`CountingHandler`].
///
/// # Errors
/// When the configured secret or verify token is empty.
pub fn counting_receiver(
    config: &LoadConfig,
) -> Result<instagram_webhook_core::receive::Receiver, instagram_webhook_core::SecretError> {
    use instagram_webhook_core::receive::{Delivery, Receiver};
    use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};

    let counter = CountingHandler::default();
    let receiver = Receiver::builder(
        Verifier::new(AppSecret::new(config.secret.as_str())?),
        VerifyToken::new(config.verify_token.as_str())?,
    )
    .handler(move |delivery: Delivery| {
        counter.count(&delivery);
        async { Ok::<(), std::convert::Infallible>(()) }
    })
    .build();
    Ok(receiver)
}

/// The load script's library servers' handler: it counts the items of each
/// delivery and decodes none of them, so what the server costs beyond the
/// no-op one is the library's own work (verify, parse the envelope, answer).
/// The example receivers decode and print every event.
#[derive(Debug, Clone, Default)]
pub struct CountingHandler {
    events: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl CountingHandler {
    /// Counts the items of `delivery`.
    pub fn count(&self, delivery: &instagram_webhook_core::receive::Delivery) {
        let items = delivery.notification().item_count();
        self.events.fetch_add(
            u64::try_from(items).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// The events counted so far.
    pub fn events(&self) -> u64 {
        self.events.load(std::sync::atomic::Ordering::Relaxed)
    }
}
