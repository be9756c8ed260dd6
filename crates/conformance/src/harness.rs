//! The receiver every adapter serves in the suite, and what it records.

use std::sync::{Arc, Mutex, PoisonError};

use instagram_webhook_core::receive::{DEFAULT_BODY_LIMIT, Delivery, Receiver, RejectedPayload};
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};

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
/// Deliveries with an event for this account make the handler fail.
pub const FAILING_ACCOUNT: &str = "17841400000000500";

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

    fn with<T>(&self, f: impl FnOnce(&mut Recorded) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A receiver configured like every adapter's test: both App Secrets, the
/// verify token, the default body limit, a handler that records (and fails
/// for [`FAILING_ACCOUNT`]) and a rejected-payload hook that records.
///
/// # Panics
/// Never: the constants are valid secrets.
pub fn harness() -> (Receiver, Recorder) {
    let recorder = Recorder::default();
    let verifier = Verifier::with_secrets([
        AppSecret::new(APP_SECRET).expect("constant secret"),
        AppSecret::new(OLD_APP_SECRET).expect("constant secret"),
    ])
    .expect("two secrets");
    let token = VerifyToken::new(VERIFY_TOKEN).expect("constant token");

    let handled = recorder.clone();
    let rejected = recorder.clone();
    let receiver = Receiver::builder(verifier, token, move |delivery: Delivery| {
        let recorder = handled.clone();
        async move {
            let fail = delivery
                .events()
                .iter()
                .flatten()
                .any(|event| event.account_id().as_str() == FAILING_ACCOUNT);
            recorder.with(|recorded| recorded.deliveries.push(delivery));
            if fail {
                Err("the application could not store the delivery")
            } else {
                Ok(())
            }
        }
    })
    .on_rejected(move |payload: RejectedPayload| {
        let recorder = rejected.clone();
        async move { recorder.with(|recorded| recorded.rejected.push(payload)) }
    })
    .body_limit(BODY_LIMIT)
    .build();
    (receiver, recorder)
}
