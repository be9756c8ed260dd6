//! One signed delivery through the whole receiver (verify, parse, hand over,
//! answer) beside verification alone and parsing alone, for a single event
//! and a 1000-update batch: the difference is the cost of everything else.
//!
//! The receiver runs three ways: with its default observer (the `tracing`
//! one) and no subscriber, with a `tracing` subscriber at `info` (what the
//! example receivers run), and without observers: logging at `info` must
//! cost nothing measurable per delivery.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use instagram_webhook_benches::{batch_body, comment_body};
use instagram_webhook_core::receive::{Delivery, Receiver, RequestHead};
use instagram_webhook_core::test_kit::SignedDelivery;
use instagram_webhook_core::types::Notification;
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn pipeline(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let secret = AppSecret::new(SECRET).expect("non-empty");
    let verifier = Verifier::new(secret.clone());
    let builder = || {
        Receiver::builder(
            verifier.clone(),
            VerifyToken::new("token").expect("non-empty"),
        )
        .handler(|delivery: Delivery| async move {
            // What an application does first: decode every event and take its dedup key.
            for event in delivery.notification().events() {
                black_box(event.map(|event| event.dedup_key()).ok());
            }
            Ok::<(), std::convert::Infallible>(())
        })
    };
    let receiver = builder().build();
    let unobserved = builder().without_observers().build();
    let info_logs = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_writer(std::io::sink)
            .with_max_level(tracing::Level::INFO)
            .finish(),
    );

    let mut group = c.benchmark_group("pipeline");
    for (name, body) in [
        ("single_comment", comment_body()),
        ("batch_1000", batch_body()),
    ] {
        let (body, signature) = SignedDelivery::from_body(&secret, body).into_parts();
        group.throughput(Throughput::Bytes(body.len() as u64));

        group.bench_with_input(BenchmarkId::new("verify_only", name), &body, |b, body| {
            b.iter(|| {
                verifier
                    .verify([signature.as_str()], black_box(body))
                    .expect("verifies")
            });
        });
        group.bench_with_input(BenchmarkId::new("parse_only", name), &body, |b, body| {
            b.iter(|| {
                let notification = Notification::from_slice(black_box(body)).expect("envelope");
                notification.events().filter(Result::is_ok).count()
            });
        });
        let serve = |receiver: &Receiver, body: &bytes::Bytes| {
            let mut head = RequestHead::new("POST", "/webhook", None);
            head.header("x-hub-signature-256", signature.as_bytes());
            let answer = runtime.block_on(receiver.serve(&head, body.clone()));
            assert_eq!(answer.status(), 200);
            answer
        };
        group.bench_with_input(BenchmarkId::new("receiver", name), &body, |b, body| {
            b.iter(|| serve(&receiver, body));
        });
        group.bench_with_input(
            BenchmarkId::new("receiver_info_logging", name),
            &body,
            |b, body| {
                tracing::dispatcher::with_default(&info_logs, || {
                    b.iter(|| serve(&receiver, body));
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("receiver_without_observers", name),
            &body,
            |b, body| b.iter(|| serve(&unobserved, body)),
        );
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
