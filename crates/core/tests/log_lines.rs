//! What the `tracing` observer writes at the default `info` level: nothing
//! per handled delivery, and one warning for a flood of forgeries, not a
//! flood of warnings.

mod capture;

use bytes::Bytes;
use capture::Captured;
use instagram_webhook_core::receive::{Delivery, Receiver, RequestHead};
use instagram_webhook_core::test_kit::sample_at;
use instagram_webhook_core::types::EventKind;
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
use tracing::level_filters::LevelFilter;

const SECRET: &str = "log-lines-app-secret";

/// Serves `count` POSTs of `body` signed with `signature`, with a
/// subscriber at `level`; the lines written.
fn lines(level: LevelFilter, body: &Bytes, signature: &str, count: usize) -> Vec<String> {
    let receiver = Receiver::builder(
        Verifier::new(AppSecret::new(SECRET).unwrap()),
        VerifyToken::new("token").unwrap(),
    )
    .handler(|_: Delivery| async { Ok::<(), std::convert::Infallible>(()) })
    .build();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(level)
        .with_ansi(false)
        .without_time()
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..count {
            let mut head = RequestHead::new("POST", "/webhook", None);
            head.header("x-hub-signature-256", signature.as_bytes());
            runtime.block_on(receiver.serve(&head, body.clone()));
        }
    });
    captured.text().lines().map(str::to_owned).collect()
}

fn genuine() -> (Bytes, String) {
    let delivery =
        sample_at(EventKind::Comment, 1_764_000_000_000).sign(&AppSecret::new(SECRET).unwrap());
    let (body, signature) = delivery.into_parts();
    (body, signature)
}

#[test]
fn handled_deliveries_write_nothing_at_info_and_one_line_each_at_debug() {
    let (body, signature) = genuine();
    assert_eq!(
        lines(LevelFilter::INFO, &body, &signature, 50),
        Vec::<String>::new()
    );
    let debug = lines(LevelFilter::DEBUG, &body, &signature, 50);
    assert_eq!(debug.len(), 50, "{debug:?}");
    assert!(
        debug
            .iter()
            .all(|line| line.contains("outcome=\"handled\""))
    );
}

#[test]
fn a_flood_of_forgeries_is_one_warning() {
    let (body, _) = genuine();
    let forged = format!("sha256={}", "0".repeat(64));
    let written = lines(LevelFilter::INFO, &body, &forged, 1000);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0].contains("signature check failed"), "{written:?}");
    assert!(written[0].contains("similar_not_logged=0"), "{written:?}");
}
