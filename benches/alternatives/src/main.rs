//! serde_json beside sonic-rs and simd-json: the validate-only floor (`IgnoredAny`) of
//! each, the library's typed parse (envelope + every event), and a comment item
//! decoded into the typed `Comment` by serde_json and by sonic-rs.

use instagram_webhook_types::{Comment, Notification};
use serde::de::IgnoredAny;
use std::hint::black_box;
use std::time::Instant;

/// Best of five timings of `n` calls, in ns per call.
fn t(name: &str, n: u32, mut f: impl FnMut() -> usize) -> f64 {
    let mut acc = 0usize;
    for _ in 0..n / 10 {
        acc ^= f();
    }
    let mut best = f64::MAX;
    for _ in 0..5 {
        let s = Instant::now();
        for _ in 0..n {
            acc ^= f();
        }
        best = best.min(s.elapsed().as_nanos() as f64 / n as f64);
    }
    println!("{name:45} {best:10.1} ns  ({acc})");
    best
}

fn main() {
    for (label, body, n) in [
        (
            "comment",
            instagram_webhook_benches::comment_body(),
            200_000u32,
        ),
        (
            "message",
            instagram_webhook_benches::message_body(),
            200_000,
        ),
        ("batch_1000", instagram_webhook_benches::batch_body(), 300),
    ] {
        println!("== {label} ({} bytes)", body.len());
        let floor = t("serde_json IgnoredAny", n, || {
            serde_json::from_slice::<IgnoredAny>(black_box(&body)).unwrap();
            1
        });
        t("sonic-rs IgnoredAny", n, || {
            sonic_rs::from_slice::<IgnoredAny>(black_box(&body)).unwrap();
            1
        });
        t("simd-json IgnoredAny (copy of body)", n, || {
            let mut b = black_box(&body).clone();
            simd_json::serde::from_slice::<IgnoredAny>(&mut b).unwrap();
            1
        });
        let typed = t("serde_json envelope + events (library)", n, || {
            let n: Notification<'_> = serde_json::from_slice(black_box(&body)).unwrap();
            n.events().filter(Result::is_ok).count()
        });
        println!(
            "   ratio library / serde_json IgnoredAny: {:.2}x",
            typed / floor
        );
        // The items alone, typed, with each parser: what a single-pass or faster decoder could reach.
        let n2: Notification<'_> = serde_json::from_slice(&body).unwrap();
        let values: Vec<String> = n2
            .entries()
            .iter()
            .flat_map(|e| {
                e.changes()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| c.value().map(|v| v.get().to_owned()))
            })
            .collect();
        if !values.is_empty() {
            t("  items: serde_json Comment", n, || {
                values
                    .iter()
                    .map(|v| {
                        serde_json::from_str::<Comment<'_>>(black_box(v))
                            .unwrap()
                            .text
                            .map_or(0, |t| t.len())
                    })
                    .sum()
            });
            t("  items: sonic-rs Comment", n, || {
                values
                    .iter()
                    .map(|v| {
                        sonic_rs::from_str::<Comment<'_>>(black_box(v))
                            .unwrap()
                            .text
                            .map_or(0, |t| t.len())
                    })
                    .sum()
            });
            t("  items: serde_json IgnoredAny", n, || {
                values
                    .iter()
                    .map(|v| {
                        serde_json::from_str::<IgnoredAny>(black_box(v)).unwrap();
                        1
                    })
                    .sum()
            });
        }
    }
}
