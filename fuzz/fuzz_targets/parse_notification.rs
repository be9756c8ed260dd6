//! Arbitrary bytes into `Notification` and a full `events()` iteration never panic.
//!
//! Every event is also pushed through what a receiver does with it: kind, dedup key, raw
//! JSON, times, `into_owned`; every error is printed and detached.

#![no_main]

use instagram_webhook_types::Notification;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(notification) = Notification::from_slice(data) else {
        return;
    };
    let expected = notification.item_count();
    let mut seen = 0;
    for result in notification.events() {
        seen += 1;
        match result {
            Ok(event) => {
                let _ = event.kind().as_str();
                let _ = event.dedup_key();
                let _ = event.raw().get();
                let _ = event.entry_time().and_then(|t| t.as_system_time());
                let _ = event.timestamp().and_then(|t| t.as_system_time());
                let owned = event.clone().into_owned();
                assert_eq!(owned, event);
            }
            Err(error) => {
                let _ = error.to_string();
                let _ = error.into_owned();
            }
        }
    }
    assert_eq!(seen, expected);
});
