//! Observers: told what the inbox did, item by item and attempt by attempt,
//! for metrics. Never the item's content.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Told what the inbox does: each item stored, each attempt that ended.
///
/// Implemented for closures taking `&Observation`; register observers with
/// [`InboxBuilder::observe`](crate::InboxBuilder::observe). An observer runs
/// on the inbox's own tasks (the writer, the workers): keep it cheap (count,
/// record, hand off).
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// use instagram_webhook_inbox::{AttemptOutcome, Inbox, Observation};
///
/// let dead = Arc::new(AtomicUsize::new(0));
/// let counter = dead.clone();
/// let builder = Inbox::builder().observe(move |seen: &Observation<'_>| {
///     if let Observation::AttemptEnded { outcome: AttemptOutcome::DeadLetter, .. } = seen {
///         counter.fetch_add(1, Ordering::Relaxed);
///     }
/// });
/// # drop(builder);
/// ```
pub trait InboxObserver: Send + Sync + 'static {
    /// Called once for each thing the inbox did.
    fn observe(&self, seen: &Observation<'_>);
}

impl<F> InboxObserver for F
where
    F: Fn(&Observation<'_>) + Send + Sync + 'static,
{
    fn observe(&self, seen: &Observation<'_>) {
        self(seen);
    }
}

/// What the inbox did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Observation<'a> {
    /// An item of a delivery was stored, once the commit was durable: a new
    /// event, or a duplicate of one stored earlier (not queued).
    Stored {
        /// The event's kind (`undecodable` for an item that did not decode).
        kind: &'a str,
        /// Whether it repeated a dedup key seen within the window.
        duplicate: bool,
        /// Whether it was stored straight as a dead letter: an item that did
        /// not decode (it gets no attempt).
        dead_letter: bool,
    },
    /// An attempt ended and its outcome was recorded.
    AttemptEnded {
        /// The event's kind.
        kind: &'a str,
        /// What became of the event.
        outcome: AttemptOutcome,
        /// For a failed attempt, its class: `error`, `gave_up`, `panic`,
        /// `timeout`, `decode`, `lease_expired`.
        error_class: Option<&'a str>,
        /// How long the attempt ran (for a rescued lease: from the claim to
        /// the rescue).
        duration: Duration,
        /// Whether the rescuer ended it, its worker's lease having expired.
        rescued: bool,
    },
}

/// What became of an event after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The handler succeeded.
    Processed,
    /// The attempt failed; the event will be tried again.
    Retrying,
    /// The attempt failed and no attempt is left (or the handler gave up):
    /// the event is a dead letter.
    DeadLetter,
}

impl AttemptOutcome {
    /// Its name: `processed`, `retrying`, `dead_letter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::Retrying => "retrying",
            Self::DeadLetter => "dead_letter",
        }
    }
}

/// The observers registered on an inbox.
#[derive(Clone, Default)]
pub(crate) struct Observers(Vec<Arc<dyn InboxObserver>>);

impl Observers {
    pub(crate) fn push(&mut self, observer: Arc<dyn InboxObserver>) {
        self.0.push(observer);
    }

    /// Tells every observer.
    pub(crate) fn emit(&self, seen: &Observation<'_>) {
        for observer in &self.0 {
            observer.observe(seen);
        }
    }

    /// Whether anyone listens (so callers can skip building reports).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Observers({})", self.0.len())
    }
}
