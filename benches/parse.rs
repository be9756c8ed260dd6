//! Parsing a delivery: typed parse (`Notification::from_slice`) + full
//! `events()` iteration beside the floor of any serde_json-based parse
//! (`IgnoredAny`: validation only) and `serde_json::Value`.
//!
//! `typed_envelope` parses the envelope only (items stay raw), `typed_into_owned`
//! adds `Notification::into_owned` (their difference is its cost), and
//! `typed_owned_events` decodes every item from the owned notification (to set
//! beside `typed_events`).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use instagram_webhook_benches::{batch_body, comment_body, message_body};
use instagram_webhook_core::types::Notification;
use serde::de::IgnoredAny;

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, body) in [
        ("comment", comment_body()),
        ("message", message_body()),
        ("batch_1000", batch_body()),
    ] {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("ignored_any", name), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(body)).expect("valid JSON"));
        });
        group.bench_with_input(BenchmarkId::new("value", name), &body, |b, body| {
            b.iter(|| {
                serde_json::from_slice::<serde_json::Value>(black_box(body)).expect("valid JSON")
            });
        });
        group.bench_with_input(BenchmarkId::new("typed_events", name), &body, |b, body| {
            b.iter(|| {
                let notification = Notification::from_slice(black_box(body)).expect("envelope");
                let mut events = 0_usize;
                for event in notification.events() {
                    black_box(event.expect("valid item"));
                    events += 1;
                }
                events
            });
        });
        group.bench_with_input(
            BenchmarkId::new("typed_envelope", name),
            &body,
            |b, body| {
                b.iter(|| Notification::from_slice(black_box(body)).expect("envelope"));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("typed_into_owned", name),
            &body,
            |b, body| {
                b.iter(|| {
                    Notification::from_slice(black_box(body))
                        .expect("envelope")
                        .into_owned()
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("typed_owned_events", name),
            &body,
            |b, body| {
                b.iter(|| {
                    let notification = Notification::from_slice(black_box(body)).expect("envelope");
                    let owned = notification.into_owned();
                    let mut events = 0_usize;
                    for event in owned.events() {
                        black_box(event.expect("valid item"));
                        events += 1;
                    }
                    events
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("typed_dedup_keys", name),
            &body,
            |b, body| {
                b.iter(|| {
                    let notification = Notification::from_slice(black_box(body)).expect("envelope");
                    notification
                        .events()
                        .map(|event| event.expect("valid item").dedup_key().as_str().len())
                        .sum::<usize>()
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
