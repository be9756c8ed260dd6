//! Allocations per event: typed parse + `events()` (borrowed), the owned
//! events a `Delivery` hands to the handler, and `serde_json::Value`; and per
//! delivery through the whole receiver (verify, parse, hand over, answer)
//! with a handler that only counts the items. Counted by a counting global
//! allocator. Prints a table; no timing.

use instagram_webhook_benches::{batch_body, comment_body, message_body};
use instagram_webhook_core::receive::{Delivery, Receiver, RequestHead};
use instagram_webhook_core::test_kit::SignedDelivery;
use instagram_webhook_core::types::Notification;
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let secret = AppSecret::new(SECRET).expect("non-empty");
    let receiver = Receiver::builder(
        Verifier::new(secret.clone()),
        VerifyToken::new("token").expect("non-empty"),
    )
    .handler(|delivery: Delivery| async move {
        std::hint::black_box(delivery.notification().item_count());
        Ok::<(), std::convert::Infallible>(())
    })
    .without_observers()
    .build();
    for (name, body) in [
        ("comment", comment_body()),
        ("message", message_body()),
        ("batch_1000", batch_body()),
    ] {
        let mut events = 0;
        let borrowed = allocation_counter::measure(|| {
            let notification = Notification::from_slice(&body).expect("envelope");
            events = notification.events().filter(Result::is_ok).count();
        });
        per_event(
            &format!("{name}: typed + events() (borrowed)"),
            events,
            borrowed.count_total,
            borrowed.bytes_total,
        );

        let owned = allocation_counter::measure(|| {
            let notification = Notification::from_slice(&body).expect("envelope");
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

        let (body_bytes, signature) = SignedDelivery::from_body(&secret, body.clone()).into_parts();
        let mut head = RequestHead::new("POST", "/webhook", None);
        head.header("x-hub-signature-256", signature.as_bytes());
        // Once outside the count: the runtime's first use allocates.
        runtime.block_on(receiver.serve(&head, body_bytes.clone()));
        let received = allocation_counter::measure(|| {
            let answer = runtime.block_on(receiver.serve(&head, body_bytes.clone()));
            assert_eq!(answer.status(), 200);
        });
        println!(
            "{:<40} {:>10} allocations/delivery {:>9} bytes/delivery",
            format!("{name}: through the receiver"),
            received.count_total,
            received.bytes_total
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
