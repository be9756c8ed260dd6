//! Observers: told once per request how it ended, with what a metrics or a
//! dashboard surface needs, and never the body, a signature or a secret.

use std::collections::BTreeMap;
use std::time::Duration;

use instagram_webhook_types::EventKind;

use super::delivery::Delivery;
use super::handler::HandlerError;
use super::outcome::Outcome;

/// Called once per request the receiver handles, with its [`Report`].
///
/// Implemented for closures taking `&Report`, the way tower-http's
/// `OnResponse` is; register observers with
/// [`ReceiverBuilder::observe`](super::ReceiverBuilder::observe). An
/// observer runs on the request's task before the answer is sent: keep it
/// cheap (count, record, hand off), and compute the costlier parts of the
/// report ([`Report::event_counts`]) only when needed.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// use instagram_webhook_core::receive::{Outcome, Receiver, Report};
/// use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
///
/// let forged = Arc::new(AtomicUsize::new(0));
/// let counter = forged.clone();
/// let receiver = Receiver::builder(
///     Verifier::new(AppSecret::new("app-secret")?),
///     VerifyToken::new("verify-token")?,
/// )
/// .observe(move |report: &Report<'_>| {
///     if matches!(report.outcome(), Outcome::Unauthorized(_)) {
///         counter.fetch_add(1, Ordering::Relaxed);
///     }
/// })
/// .build();
/// # let _ = receiver;
/// # Ok::<(), instagram_webhook_core::SecretError>(())
/// ```
pub trait Observer: Send + Sync + 'static {
    /// Called once per request, after the outcome is known.
    fn observe(&self, report: &Report<'_>);
}

impl<F> Observer for F
where
    F: Fn(&Report<'_>) + Send + Sync + 'static,
{
    fn observe(&self, report: &Report<'_>) {
        self(report);
    }
}

/// How long each stage of a request took; `None` for a stage it did not
/// reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// Reading the body.
    pub body_read: Option<Duration>,
    /// Checking the signature.
    pub verify: Option<Duration>,
    /// Parsing the envelope (items are decoded later, when asked).
    pub parse: Option<Duration>,
    /// The application's handler, or the rejected-payload hook.
    pub handler: Option<Duration>,
    /// The whole request, from the head to the answer.
    pub total: Duration,
}

/// What an [`Observer`] is told about one request.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub(super) outcome: Outcome,
    pub(super) method: &'a str,
    pub(super) path: &'a str,
    pub(super) body_bytes: Option<usize>,
    pub(super) timings: Timings,
    pub(super) delivery: Option<&'a Delivery>,
    pub(super) rejected_reason: Option<&'a str>,
    pub(super) handler_error: Option<&'a HandlerError>,
}

impl<'a> Report<'a> {
    /// How the request ended.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The request method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request path.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The body's size in bytes, once read (or as declared when it was
    /// refused for its declared length).
    pub fn body_bytes(&self) -> Option<usize> {
        self.body_bytes
    }

    /// How long each stage took.
    pub fn timings(&self) -> Timings {
        self.timings
    }

    /// The Meta app the request was verified for, when
    /// [`AppVerifiers`](crate::AppVerifiers) chose the secret.
    pub fn app(&self) -> Option<&'a str> {
        self.delivery.and_then(Delivery::app)
    }

    /// Which App Secret verified the body (its position in the
    /// [`Verifier`](crate::Verifier)), once verified.
    pub fn secret_index(&self) -> Option<usize> {
        self.delivery.map(Delivery::secret_index)
    }

    /// Why a verified body is not an envelope ([`Outcome::Rejected`]): the
    /// JSON error's class and position, never body text.
    pub fn rejected_reason(&self) -> Option<&'a str> {
        self.rejected_reason
    }

    /// The handler's error ([`Outcome::HandlerFailed`],
    /// [`Outcome::Unavailable`]), as the application wrote it.
    pub fn handler_error(&self) -> Option<&'a HandlerError> {
        self.handler_error
    }

    /// The delivery's events by kind and item errors by field, decoding
    /// every item (about the cost of decoding them in the handler: call it
    /// only when you use it). Empty without a delivery.
    pub fn event_counts(&self) -> EventCounts {
        let mut counts = EventCounts::default();
        if let Some(delivery) = self.delivery {
            for item in delivery.notification().events() {
                match item {
                    Ok(event) => *counts.events.entry(event.kind()).or_default() += 1,
                    Err(error) => {
                        let field = error
                            .field
                            .as_deref()
                            .unwrap_or_else(|| error.container.as_str());
                        *counts.item_errors.entry(field.to_owned()).or_default() += 1;
                    }
                }
            }
        }
        counts
    }
}

/// A delivery's events by kind, and its item errors by `field` (or by
/// container, for messaging items).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventCounts {
    /// Decoded events, by kind.
    pub events: BTreeMap<EventKind, usize>,
    /// Items that failed to decode, by the change's `field` or the
    /// container (`messaging`, `standby`).
    pub item_errors: BTreeMap<String, usize>,
}
