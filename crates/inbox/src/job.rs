//! What a worker hands the application's handler, and what the handler
//! answers.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use instagram_webhook_core::types::Event;

use crate::model::{DeliveryId, EventId};

/// One attempt at one event: the typed event and the inbox's bookkeeping.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Job {
    /// The event, decoded again from the stored item.
    pub event: Event<'static>,
    /// The event's id in the inbox.
    pub id: EventId,
    /// The delivery it came in.
    pub delivery_id: DeliveryId,
    /// Which attempt this is: 1 for the first.
    pub attempt: i64,
    /// Attempts it may have; this is the last when `attempt == max_attempts`.
    pub max_attempts: i64,
}

impl Job {
    /// The event.
    pub fn event(&self) -> &Event<'static> {
        &self.event
    }

    /// What identifies the event and the attempt, as JSON: `kind`,
    /// `account_id`, `dedup_key`, `container`, `event_id`, `attempt`,
    /// `delivery_id` (what the example receiver and the binary print per
    /// event).
    pub fn summary(&self) -> serde_json::Value {
        let event = &self.event;
        serde_json::json!({
            "kind": event.kind().as_str(),
            "account_id": event.account_id().as_str(),
            "dedup_key": event.dedup_key().as_str(),
            "container": event.container().as_str(),
            "event_id": self.id,
            "attempt": self.attempt,
            "delivery_id": self.delivery_id,
        })
    }

    /// Whether a failure now goes to the dead letter.
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

/// Why an attempt did not succeed, and what to do next.
///
/// Any error converts into [`Failure::retry`] with `?`; say
/// [`retry_after`](Self::retry_after) when the failure says when to come
/// back (a Graph API 429 with `Retry-After`), and
/// [`give_up`](Self::give_up) when no retry can help (the event goes to the
/// dead letter now).
pub struct Failure {
    error: Box<dyn StdError + Send + Sync>,
    next: Next,
}

/// What a [`Failure`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// The retry policy's next delay.
    Retry,
    /// This delay (still one attempt used).
    RetryAfter(Duration),
    /// The dead letter, now.
    GiveUp,
}

impl Failure {
    /// Try again after the retry policy's next delay.
    pub fn retry(error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            error: error.into(),
            next: Next::Retry,
        }
    }

    /// Try again after `delay` (instead of the policy's delay; it still
    /// uses one attempt).
    pub fn retry_after(delay: Duration, error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            error: error.into(),
            next: Next::RetryAfter(delay),
        }
    }

    /// No retry can help: the event goes to the dead letter now.
    pub fn give_up(error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            error: error.into(),
            next: Next::GiveUp,
        }
    }

    pub(crate) fn next(&self) -> Next {
        self.next
    }

    /// The application's error.
    pub fn error(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.error
    }
}

impl<E: Into<Box<dyn StdError + Send + Sync>>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self::retry(error)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("error", &self.error)
            .field("next", &self.next)
            .finish()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// Processes one event at a time, for a [`Worker`](crate::Worker).
///
/// Implemented for every `Fn(Job) -> impl Future<Output = Result<(), E>>`
/// whose error converts into [`Failure`], so an async closure works:
///
/// ```
/// use instagram_webhook_inbox::{Failure, Job, JobHandler};
///
/// fn assert_handler(_: impl JobHandler) {}
/// assert_handler(|job: Job| async move {
///     println!("{} attempt {}", job.event.kind().as_str(), job.attempt);
///     Ok::<(), Failure>(())
/// });
/// ```
///
/// `Ok(())` marks the event processed. A panic, or running past the
/// worker's timeout, counts as a failed attempt (retried like
/// [`Failure::retry`]) with its message kept.
pub trait JobHandler: Send + Sync + 'static {
    /// Processes one event.
    fn handle(&self, job: Job) -> impl Future<Output = Result<(), Failure>> + Send;
}

impl<F, Fut, E> JobHandler for F
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Into<Failure>,
{
    async fn handle(&self, job: Job) -> Result<(), Failure> {
        self(job).await.map_err(Into::into)
    }
}
