//! Signature verification beside its baselines, at several body sizes.
//!
//! - `raw_hmac`: HMAC-SHA256 of the body from a precomputed keyed state (the floor).
//! - `verifier`: full verification (header parse + HMAC + constant-time compare).
//! - `naive`: what a hand-rolled check does: key set up per request, hex strings compared.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{AppSecret, Verifier};
use sha2::Sha256;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const SIZES: [usize; 5] = [200, 1024, 4 * 1024, 64 * 1024, 1024 * 1024];

fn verification(c: &mut Criterion) {
    let secret = AppSecret::new(SECRET).expect("non-empty secret");
    let verifier = Verifier::new(secret.clone());
    let keyed = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");

    let mut group = c.benchmark_group("verification");
    for size in SIZES {
        let body = vec![b'a'; size];
        let header = sign(&secret, &body);
        group.throughput(Throughput::Bytes(size as u64));

        group.bench_with_input(BenchmarkId::new("raw_hmac", size), &body, |b, body| {
            b.iter(|| {
                let mut mac = keyed.clone();
                mac.update(black_box(body));
                black_box(mac.finalize().into_bytes())
            });
        });
        group.bench_with_input(BenchmarkId::new("verifier", size), &body, |b, body| {
            b.iter(|| verifier.verify([black_box(header.as_str())], black_box(body)));
        });
        group.bench_with_input(BenchmarkId::new("naive", size), &body, |b, body| {
            b.iter(|| {
                let mut mac = Hmac::<Sha256>::new_from_slice(black_box(SECRET).as_bytes())
                    .expect("any key length");
                mac.update(black_box(body));
                let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
                black_box(expected == black_box(header.as_str()))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, verification);
criterion_main!(benches);
