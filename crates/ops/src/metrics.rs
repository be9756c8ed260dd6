//! Prometheus metrics: what the receiver answered, what the inbox stored and
//! processed, and the queue as it stands when scraped.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use instagram_webhook_core::receive::{Observer, Outcome, Report};
use instagram_webhook_core::types::EventKind;
use instagram_webhook_inbox::{
    AttemptOutcome, InboxObserver, Observation, State, Stats, UNDECODABLE,
};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindOutcomeLabels {
    kind: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindClassLabels {
    kind: String,
    class: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

type Seconds = Family<KindOutcomeLabels, Histogram, fn() -> Histogram>;

/// The metrics of one receiver and its inbox, prefixed `igw_`.
///
/// Register it as an observer of both (it is cheap to clone: every clone
/// counts into the same metrics), then serve [`encode`](Self::encode) (the
/// operations router does, at `/metrics`):
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
/// use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
/// use instagram_webhook_inbox::Inbox;
/// use instagram_webhook_ops::Metrics;
///
/// let metrics = Metrics::new();
/// let inbox = Inbox::builder().observe(metrics.clone()).open(&url).await?;
/// let receiver = inbox
///     .receiver(Verifier::new(AppSecret::new("app-secret")?), VerifyToken::new("verify-token")?)
///     .observe(metrics.clone())
///     .build();
/// let text = metrics.encode(Some(&inbox.stats().await?));
/// assert!(text.contains("igw_queue_depth{state=\"pending\"} 0"));
/// # drop(receiver);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    deliveries: Family<OutcomeLabel, Counter>,
    store_seconds: Histogram,
    events_received: Family<KindLabel, Counter>,
    duplicates: Family<KindLabel, Counter>,
    processing_seconds: Seconds,
    failures: Family<KindClassLabels, Counter>,
    retries: Family<KindLabel, Counter>,
    dead_letters: Family<KindLabel, Counter>,
    rescued: Counter,
    queue_depth: Family<StateLabel, Gauge>,
    oldest_pending_age: Gauge<f64, AtomicU64>,
    inbox_up: Gauge,
}

/// The outcomes the alerts watch, exported at 0 from the start: an
/// `increase()` over a series that appears already at 1 sees nothing.
const ALERTED_OUTCOMES: [&str; 7] = [
    "handled",
    "unauthorized",
    "stale",
    "too_large",
    "rejected",
    "unavailable",
    "handler_failed",
];

impl Inner {
    /// Creates, at 0, the series the alerts watch: the alerted outcomes,
    /// and per kind (every kind, and `undecodable`) events, duplicates,
    /// retries and dead letters.
    fn start_at_zero(&self) {
        for outcome in ALERTED_OUTCOMES {
            let _ = self.deliveries.get_or_create(&OutcomeLabel { outcome });
        }
        let kinds = EventKind::ALL
            .iter()
            .map(|kind| kind.as_str())
            .chain(std::iter::once(UNDECODABLE));
        for kind in kinds {
            let label = KindLabel {
                kind: kind.to_owned(),
            };
            for family in [
                &self.events_received,
                &self.duplicates,
                &self.retries,
                &self.dead_letters,
            ] {
                let _ = family.get_or_create(&label);
            }
        }
    }
}

/// From 5 ms to about 82 s, doubling.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric at zero, in a registry of its own.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("igw");
        let inner = Inner {
            deliveries: Family::default(),
            store_seconds: Histogram::new(exponential_buckets(0.000_5, 2.0, 14)),
            events_received: Family::default(),
            duplicates: Family::default(),
            processing_seconds: Family::new_with_constructor(seconds),
            failures: Family::default(),
            retries: Family::default(),
            dead_letters: Family::default(),
            rescued: Counter::default(),
            queue_depth: Family::default(),
            oldest_pending_age: Gauge::default(),
            inbox_up: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "deliveries",
            "Webhook requests by how they ended (handled, unauthorized: a forgery or a rotated secret, too_large, rejected, unavailable: the store could not commit, handshake_answered, ...)",
            inner.deliveries.clone(),
        );
        registry.register(
            "store_seconds",
            "Time to store a verified delivery durably before answering",
            inner.store_seconds.clone(),
        );
        registry.register(
            "events_received",
            "Events stored, by kind (duplicates not included)",
            inner.events_received.clone(),
        );
        registry.register(
            "duplicates",
            "Items that repeated a dedup key within the window, by kind (not queued)",
            inner.duplicates.clone(),
        );
        registry.register(
            "processing_seconds",
            "Attempts by kind and outcome (processed, retrying, dead_letter), by duration",
            inner.processing_seconds.clone(),
        );
        registry.register(
            "failures",
            "Failed attempts by kind and error class",
            inner.failures.clone(),
        );
        registry.register(
            "retries",
            "Failed attempts that will be retried, by kind",
            inner.retries.clone(),
        );
        registry.register(
            "dead_letters",
            "Events that became dead letters, by kind",
            inner.dead_letters.clone(),
        );
        registry.register(
            "rescued",
            "Attempts ended by the rescuer because their worker's lease expired",
            inner.rescued.clone(),
        );
        registry.register(
            "queue_depth",
            "Events by state, read when scraped",
            inner.queue_depth.clone(),
        );
        registry.register(
            "oldest_pending_age_seconds",
            "Age of the oldest event waiting (pending or failed), read when scraped; 0 when none waits",
            inner.oldest_pending_age.clone(),
        );
        registry.register(
            "inbox_up",
            "Whether the inbox's database answered when scraped",
            inner.inbox_up.clone(),
        );
        inner.start_at_zero();
        let inner = Inner { registry, ..inner };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The metrics in the OpenMetrics text format (which Prometheus reads;
    /// see [`CONTENT_TYPE`]), with the queue's gauges set from `stats` (read
    /// just before; `None` when the database did not answer, which sets
    /// `igw_inbox_up` to 0 and leaves the gauges as they were).
    pub fn encode(&self, stats: Option<&Stats>) -> String {
        let inner = &self.inner;
        match stats {
            Some(stats) => {
                for state in State::ALL {
                    inner
                        .queue_depth
                        .get_or_create(&StateLabel {
                            state: state.as_str(),
                        })
                        .set(i64::try_from(stats.count(state)).unwrap_or(i64::MAX));
                }
                inner.oldest_pending_age.set(
                    stats
                        .oldest_pending_age
                        .map_or(0.0, |age| age.as_secs_f64()),
                );
                inner.inbox_up.set(1);
            }
            None => {
                inner.inbox_up.set(0);
            }
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &inner.registry);
        text
    }

    fn attempt(
        &self,
        kind: &str,
        outcome: AttemptOutcome,
        class: Option<&str>,
        duration: Duration,
        rescued: bool,
    ) {
        let inner = &self.inner;
        inner
            .processing_seconds
            .get_or_create(&KindOutcomeLabels {
                kind: kind.to_owned(),
                outcome: outcome.as_str(),
            })
            .observe(duration.as_secs_f64());
        let label = KindLabel {
            kind: kind.to_owned(),
        };
        if let Some(class) = class {
            inner
                .failures
                .get_or_create(&KindClassLabels {
                    kind: kind.to_owned(),
                    class: class.to_owned(),
                })
                .inc();
        }
        match outcome {
            AttemptOutcome::Retrying => {
                inner.retries.get_or_create(&label).inc();
            }
            AttemptOutcome::DeadLetter => {
                inner.dead_letters.get_or_create(&label).inc();
            }
            _ => {}
        }
        if rescued {
            inner.rescued.inc();
        }
    }
}

impl Observer for Metrics {
    fn observe(&self, report: &Report<'_>) {
        let outcome = report.outcome();
        self.inner
            .deliveries
            .get_or_create(&OutcomeLabel {
                outcome: outcome.as_str(),
            })
            .inc();
        if matches!(
            outcome,
            Outcome::Handled | Outcome::Rejected | Outcome::Unavailable | Outcome::HandlerFailed
        ) && let Some(handler) = report.timings().handler
        {
            self.inner.store_seconds.observe(handler.as_secs_f64());
        }
    }
}

impl InboxObserver for Metrics {
    fn observe(&self, seen: &Observation<'_>) {
        match *seen {
            Observation::Stored {
                kind,
                duplicate,
                dead_letter,
            } => {
                let label = KindLabel {
                    kind: kind.to_owned(),
                };
                if duplicate {
                    self.inner.duplicates.get_or_create(&label).inc();
                } else {
                    self.inner.events_received.get_or_create(&label).inc();
                }
                if dead_letter {
                    self.inner.dead_letters.get_or_create(&label).inc();
                }
            }
            Observation::AttemptEnded {
                kind,
                outcome,
                error_class,
                duration,
                rescued,
            } => self.attempt(kind, outcome, error_class, duration, rescued),
            _ => {}
        }
    }
}
