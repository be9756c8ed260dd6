//! The replay window: deliveries whose newest entry is too old are refused
//! (422, `Outcome::Stale`), never handled; it is off by default.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use instagram_webhook_core::receive::{
    DEFAULT_REPLAY_WINDOW, Delivery, Outcome, Receiver, ReceiverBuilder, Report, RequestHead,
};
use instagram_webhook_core::test_kit::{SAMPLE_KINDS, SignedDelivery, sample_at};
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
use proptest::prelude::*;

const SECRET: &str = "replay-window-secret";
const HOUR: u64 = 3600;

fn secret() -> AppSecret {
    AppSecret::new(SECRET).unwrap()
}

/// What a receiver did: deliveries handled and outcomes observed.
#[derive(Clone, Default)]
struct Seen {
    handled: Arc<Mutex<usize>>,
    outcomes: Arc<Mutex<Vec<(Outcome, bool)>>>,
}

fn receiver(configure: impl FnOnce(ReceiverBuilder) -> ReceiverBuilder) -> (Receiver, Seen) {
    let seen = Seen::default();
    let handled = seen.handled.clone();
    let outcomes = seen.outcomes.clone();
    let builder = Receiver::builder(
        Verifier::new(secret()),
        VerifyToken::new("verify-token").unwrap(),
    )
    .without_observers()
    .handler(move |_: Delivery| {
        *handled.lock().unwrap() += 1;
        async { Ok::<(), std::convert::Infallible>(()) }
    })
    .observe(move |report: &Report<'_>| {
        let counted = report.event_counts().events.values().sum::<usize>() > 0;
        outcomes.lock().unwrap().push((report.outcome(), counted));
    });
    (configure(builder).build(), seen)
}

async fn post(receiver: &Receiver, signed: &SignedDelivery) -> Outcome {
    let mut head = RequestHead::new("POST", "/webhook", None);
    head.header("x-hub-signature-256", signed.signature().as_bytes());
    receiver.serve(&head, signed.body().clone()).await.outcome()
}

fn millis_ago(seconds: u64) -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    u64::try_from(now.as_millis()).unwrap() - seconds * 1000
}

#[tokio::test]
async fn every_kind_is_refused_past_the_window_and_handled_inside_it() {
    let (receiver, seen) = receiver(|b| b.replay_window(Some(DEFAULT_REPLAY_WINDOW)));
    for kind in SAMPLE_KINDS {
        let recent = sample_at(kind, millis_ago(47 * HOUR)).sign(&secret());
        assert_eq!(post(&receiver, &recent).await, Outcome::Handled, "{kind:?}");
        let old = sample_at(kind, millis_ago(49 * HOUR)).sign(&secret());
        assert_eq!(post(&receiver, &old).await, Outcome::Stale, "{kind:?}");
    }
    assert_eq!(*seen.handled.lock().unwrap(), SAMPLE_KINDS.len());
    let outcomes = seen.outcomes.lock().unwrap();
    let stale: Vec<_> = outcomes
        .iter()
        .filter(|(outcome, _)| *outcome == Outcome::Stale)
        .collect();
    assert_eq!(stale.len(), SAMPLE_KINDS.len());
    assert!(
        stale.iter().all(|(_, counted)| *counted),
        "observers see the refused delivery's events"
    );
    assert_eq!(Outcome::Stale.status(), 422);
    assert!(Outcome::Stale.is_retried());
}

#[tokio::test]
async fn the_window_is_off_by_default_and_can_be_turned_off() {
    let ancient = sample_at(SAMPLE_KINDS[0], 1_000).sign(&secret());
    let (default, _) = receiver(|b| b);
    assert_eq!(post(&default, &ancient).await, Outcome::Handled);
    let (off, _) = receiver(|b| b.replay_window(Some(Duration::ZERO)).replay_window(None));
    assert_eq!(post(&off, &ancient).await, Outcome::Handled);
}

#[tokio::test]
async fn a_forgery_of_an_old_body_is_unauthorized_not_stale() {
    let (receiver, seen) = receiver(|b| b.replay_window(Some(DEFAULT_REPLAY_WINDOW)));
    let old = sample_at(SAMPLE_KINDS[0], millis_ago(100 * HOUR));
    let forged = old.sign(&AppSecret::new("someone-else").unwrap());
    assert!(matches!(
        post(&receiver, &forged).await,
        Outcome::Unauthorized(_)
    ));
    assert_eq!(*seen.handled.lock().unwrap(), 0);
}

/// One entry's time: its age in seconds, sent in seconds or milliseconds,
/// on a `changes` or a `messaging` entry.
fn entry(age: u64, millis: bool, changes: bool) -> String {
    let seconds = millis_ago(age) / 1000;
    let time = if millis { seconds * 1000 } else { seconds };
    let container = if changes { "changes" } else { "messaging" };
    format!(r#"{{"id":"1","time":{time},"{container}":[]}}"#)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Stale exactly when the youngest entry is older than the window,
    /// whatever the units and containers; never a panic.
    #[test]
    fn the_youngest_entry_decides(
        entries in prop::collection::vec((0u64..400 * HOUR, any::<bool>(), any::<bool>()), 0..6),
        window_hours in 1u64..300,
    ) {
        let window = window_hours * HOUR;
        // Keep clear of the boundary: the test itself takes time.
        prop_assume!(entries.iter().all(|(age, _, _)| age.abs_diff(window) > 60));
        let body = format!(
            r#"{{"object":"instagram","entry":[{}]}}"#,
            entries.iter().map(|&(age, millis, changes)| entry(age, millis, changes)).collect::<Vec<_>>().join(",")
        );
        let signed = SignedDelivery::from_body(&secret(), Bytes::from(body));
        let (receiver, _) = receiver(|b| b.replay_window(Some(Duration::from_secs(window))));
        let outcome = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(post(&receiver, &signed));
        let youngest = entries.iter().map(|(age, _, _)| *age).min();
        let expected = match youngest {
            Some(age) if age > window => Outcome::Stale,
            _ => Outcome::Handled,
        };
        prop_assert_eq!(outcome, expected);
    }
}
