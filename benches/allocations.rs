//! Allocations per event: typed parse + `events()` (borrowed), the owned
//! events a `Delivery` hands to the handler, and `serde_json::Value`, counted
//! by a counting global allocator. Prints a table; no timing.

use instagram_webhook_benches::{batch_body, comment_body, message_body};
use instagram_webhook_core::types::Notification;

fn per_event(label: &str, events: usize, count: u64, bytes: u64) {
    let events = events.max(1) as f64;
    println!(
        "{label:<40} {:>10.1} allocations/event {:>12.0} bytes/event",
        count as f64 / events,
        bytes as f64 / events
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: both just print.
    for (name, body) in [
        ("comment", comment_body()),
        ("message", message_body()),
        ("batch_1000", batch_body()),
    ] {
        let mut events = 0;
        let borrowed = allocation_counter::measure(|| {
            let notification: Notification<'_> = serde_json::from_slice(&body).expect("envelope");
            events = notification.events().filter(Result::is_ok).count();
        });
        per_event(
            &format!("{name}: typed + events() (borrowed)"),
            events,
            borrowed.count_total,
            borrowed.bytes_total,
        );

        let owned = allocation_counter::measure(|| {
            let notification: Notification<'_> = serde_json::from_slice(&body).expect("envelope");
            let owned: Vec<_> = notification
                .events()
                .map(|event| event.map(|event| event.into_owned()))
                .collect();
            std::hint::black_box(owned);
        });
        per_event(
            &format!("{name}: owned events (Delivery)"),
            events,
            owned.count_total,
            owned.bytes_total,
        );

        let value = allocation_counter::measure(|| {
            std::hint::black_box(serde_json::from_slice::<serde_json::Value>(&body).expect("JSON"));
        });
        per_event(
            &format!("{name}: serde_json::Value"),
            events,
            value.count_total,
            value.bytes_total,
        );
    }
}
