//! The stored form of an item, as the inbox keeps it and decodes it again
//! for each attempt (`instagram_webhook_inbox::item`): an event's
//! serialization, or an undecodable item's `ItemError`.
//!
//! - Deserializing an `Event` from arbitrary UTF-8 never panics; what it
//!   accepts is stable: serialized again and decoded, it is the same event,
//!   with the same dedup key.
//! - For bytes that parse as a `Notification`, every event round-trips
//!   through its serialization (same event, dedup key, kind, account id and
//!   raw JSON), and every item error stays undecodable: its serialization
//!   does not decode as an event.
//!
//! Seeds: corpus bodies (envelopes) and stored items.
#![no_main]

use instagram_webhook_types::{Event, Notification};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(event) = serde_json::from_str::<Event<'_>>(text)
    {
        round_trip(&event, text);
    }

    let Ok(notification) = Notification::from_slice(data) else {
        return;
    };
    for item in notification.events() {
        match item {
            Ok(event) => round_trip(&event, &String::from_utf8_lossy(data)),
            Err(error) => {
                let stored = serde_json::to_string(&error).expect("an item error serializes");
                let decoded = serde_json::from_str::<Event<'_>>(&stored);
                assert!(
                    decoded.is_err(),
                    "an undecodable item decodes once stored: {decoded:?}\nstored: {stored}"
                );
            }
        }
    }
});

/// `event`, stored and decoded again, is the same event; `input` is shown
/// when it is not.
fn round_trip(event: &Event<'_>, input: &str) {
    let stored = serde_json::to_string(event).expect("an event serializes");
    let decoded = serde_json::from_str::<Event<'_>>(&stored).unwrap_or_else(|error| {
        panic!("a stored event does not decode: {error}\nstored: {stored}\ninput: {input}")
    });
    assert_eq!(
        decoded.dedup_key(),
        event.dedup_key(),
        "dedup key\nstored: {stored}\ninput: {input}"
    );
    assert_eq!(decoded.kind(), event.kind(), "kind\nstored: {stored}");
    assert_eq!(decoded.account_id(), event.account_id(), "account id");
    assert_eq!(decoded.raw().get(), event.raw().get(), "raw JSON");
    assert_eq!(
        decoded, *event,
        "decoded event\nstored: {stored}\ninput: {input}"
    );
}
