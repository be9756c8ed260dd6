//! The receiver every adapter serves in the suite, and what it records.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use instagram_webhook_core::receive::{
    DEFAULT_BODY_LIMIT, Delivery, Receiver, ReceiverBuilder, RejectedPayload,
};
use instagram_webhook_core::{AppSecret, SelectVerifier, Verifier, VerifyToken};

/// The path the receiver is served on.
pub const PATH: &str = "/webhook";
/// The current App Secret.
pub const APP_SECRET: &str = "conformance-app-secret";
/// The previous App Secret, still accepted (rotation in progress).
pub const OLD_APP_SECRET: &str = "conformance-old-app-secret";
/// The verify token; it contains characters that must be percent-encoded.
pub const VERIFY_TOKEN: &str = "verify token/é&=";
/// The body limit in force (the default).
pub const BODY_LIMIT: usize = DEFAULT_BODY_LIMIT;
/// How long a whole body may take to arrive (shorter than the default 20 s,
/// to keep the suite quick).
pub const BODY_DEADLINE: Duration = Duration::from_secs(3);
/// The bound on bytes buffered across bodies being read: two bodies at the
/// limit.
pub const BUFFER_LIMIT: usize = 2 * BODY_LIMIT;
/// Deliveries with an event for this account make the handler fail.
pub const FAILING_ACCOUNT: &str = "17841400000000500";
/// The receiver's replay window: 40 years, so the suite's fixed entry times
/// (2025 and later) pass for decades while [`STALE_ENTRY_TIME`] is refused.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(40 * 365 * 24 * 60 * 60);
/// An entry time (seconds: 1970-01-02) older than [`REPLAY_WINDOW`] allows.
pub const STALE_ENTRY_TIME: u64 = 86_400;

/// What the application saw during one case.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Deliveries handed to the handler, in order.
    pub deliveries: Vec<Delivery>,
    /// Payloads handed to the rejected-payload hook, in order.
    pub rejected: Vec<RejectedPayload>,
}

/// Shared record of the handler's and the hook's calls.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Recorded>>);

impl Recorder {
    /// Everything recorded so far, leaving the record empty.
    pub fn take(&self) -> Recorded {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// What the suite's application does with a verified delivery: records
    /// it, and fails when one of its events is for [`FAILING_ACCOUNT`].
    /// The receiver's handler calls it, and so do the applications the
    /// suites build from the extractors.
    ///
    /// # Errors
    /// For a delivery with an event for [`FAILING_ACCOUNT`].
    pub fn handle(&self, delivery: Delivery) -> Result<(), &'static str> {
        let fail = delivery
            .events()
            .iter()
            .flatten()
            .any(|event| event.account_id().as_str() == FAILING_ACCOUNT);
        self.with(|recorded| recorded.deliveries.push(delivery));
        if fail {
            Err("the application could not store the delivery")
        } else {
            Ok(())
        }
    }

    /// What the suite's application does with a rejected payload: records
    /// it.
    pub fn reject(&self, payload: RejectedPayload) {
        self.with(|recorded| recorded.rejected.push(payload));
    }

    fn with<T>(&self, f: impl FnOnce(&mut Recorded) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A receiver configured like every adapter's test: both App Secrets, the
/// verify token, the default body limit, [`BODY_DEADLINE`],
/// [`BUFFER_LIMIT`], [`REPLAY_WINDOW`], a handler that records (and fails for
/// [`FAILING_ACCOUNT`]) and a rejected-payload hook that records.
///
/// # Panics
/// Never: the constants are valid secrets.
pub fn harness() -> (Receiver, Recorder) {
    harness_with(two_secrets())
}

/// The current and the old App Secret, as [`harness`] has them.
pub(crate) fn two_secrets() -> Verifier {
    Verifier::with_secrets([
        AppSecret::new(APP_SECRET).expect("constant secret"),
        AppSecret::new(OLD_APP_SECRET).expect("constant secret"),
    ])
    .expect("two secrets")
}

/// A receiver like [`harness`]'s, with other App Secrets: per app
/// ([`AppVerifiers`](instagram_webhook_core::AppVerifiers)), for example.
///
/// # Panics
/// Never: the verify token is a valid constant.
pub fn harness_with(verifiers: impl SelectVerifier + 'static) -> (Receiver, Recorder) {
    let (builder, recorder) = harness_builder(verifiers);
    (builder.build(), recorder)
}

/// The builder of [`harness_with`]'s receiver, to set more on.
pub(crate) fn harness_builder(
    verifiers: impl SelectVerifier + 'static,
) -> (ReceiverBuilder, Recorder) {
    let recorder = Recorder::default();
    let token = VerifyToken::new(VERIFY_TOKEN).expect("constant token");

    let handled = recorder.clone();
    let rejected = recorder.clone();
    let builder = Receiver::builder(verifiers, token)
        .handler(move |delivery: Delivery| {
            let recorder = handled.clone();
            async move { recorder.handle(delivery) }
        })
        .on_rejected(move |payload: RejectedPayload| {
            let recorder = rejected.clone();
            async move { recorder.reject(payload) }
        })
        .body_limit(BODY_LIMIT)
        .body_timeout(Some(BODY_DEADLINE))
        .buffer_limit(BUFFER_LIMIT)
        .replay_window(Some(REPLAY_WINDOW));
    (builder, recorder)
}
