//! Arbitrary bytes into `Notification` and a full `events()` iteration never panic, and what
//! parses survives serde round trips.
//!
//! Every event is also pushed through what a receiver does with it: kind, dedup key, raw
//! JSON, times, `into_owned`; every error is printed and detached. Then:
//!
//! - the notification, serialized and parsed again, yields equal results, item by item
//!   (events equal, item errors equal, same count, same `object`);
//! - each event, serialized (as a queue would store it) and deserialized, is equal to the
//!   original (context, payload, messaging header and raw JSON), with the same kind and dedup
//!   key, and its serialized `kind` and `dedup_key` are the snake_case kind and the key.
#![no_main]

use std::collections::BTreeMap;

use instagram_webhook_types::{Event, Notification};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;

fuzz_target!(|data: &[u8]| {
    let Ok(notification) = Notification::from_slice(data) else {
        return;
    };
    let expected = notification.item_count();
    let results: Vec<_> = notification.events().collect();
    assert_eq!(results.len(), expected);
    for result in &results {
        match result {
            Ok(event) => {
                let _ = event.kind().as_str();
                let _ = event.dedup_key();
                let _ = event.raw().get();
                let _ = event.entry_time().and_then(|t| t.as_system_time());
                let _ = event.timestamp().and_then(|t| t.as_system_time());
                let owned = event.clone().into_owned();
                assert_eq!(&owned, event);
                round_trip_event(event);
            }
            Err(error) => {
                let _ = error.to_string();
                let owned = error.clone().into_owned();
                assert_eq!(&owned, error);
            }
        }
    }

    // The envelope: serialized and parsed again, the same results.
    let json = serde_json::to_vec(&notification).expect("a parsed notification serializes");
    let again = Notification::from_slice(&json).unwrap_or_else(|error| {
        panic!(
            "a serialized notification does not parse again: {error}\n{}",
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(again.object(), notification.object());
    assert_eq!(again.entries().len(), notification.entries().len());
    assert_eq!(again.item_count(), expected);
    let results_again: Vec<_> = again.events().collect();
    assert_eq!(results_again, results, "round trip of the notification");
});

/// An event, serialized and deserialized, is the same event.
fn round_trip_event(event: &Event<'_>) {
    let json = serde_json::to_vec(event).expect("an event serializes");
    let back: Event<'_> = serde_json::from_slice(&json).unwrap_or_else(|error| {
        panic!(
            "a serialized event does not deserialize: {error}\n{}",
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(&back, event, "round trip of the event");
    assert_eq!(back.kind(), event.kind());
    assert_eq!(back.dedup_key(), event.dedup_key());
    assert_eq!(back.raw().get(), event.raw().get());

    // Not `serde_json::Value`: a raw item may hold a lone surrogate escape (`"\ud83d"`), which
    // raw JSON keeps and `Value` refuses; only the two labels are read.
    let fields: BTreeMap<String, &RawValue> = serde_json::from_slice(&json).expect("an object");
    let label = |name: &str| -> String {
        let raw = fields
            .get(name)
            .unwrap_or_else(|| panic!("no `{name}` in {fields:?}"));
        serde_json::from_str(raw.get()).expect("a string")
    };
    assert_eq!(label("kind"), event.kind().as_str());
    assert_eq!(label("dedup_key"), event.dedup_key().as_str());
}
