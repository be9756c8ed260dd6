//! The `tracing` output of the pipeline, as one [`Observer`]: one place for
//! every log line, so none of them can leak what must stay private (no
//! body, no signature, no MAC, no secret, no verify token).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::observe::{Observer, Report};
use super::outcome::Outcome;

/// The target of every event, whatever the module layout.
const TARGET: &str = "instagram_webhook";

/// How often, at most, each kind of warning is written; the ones in between
/// are counted and the count is written with the next.
const WINDOW: Duration = Duration::from_secs(10);

/// Logs what happens to each request with `tracing`, under the target
/// `instagram_webhook`; installed by default with the `tracing` feature.
///
/// - `debug`: one line per delivery (outcome, events by kind, item errors,
///   bytes, secret index, app, timings). At `info` and above a handled
///   delivery costs no log work at all.
/// - `info`: an answered handshake.
/// - `warn`: refusals (forged signatures, refused handshakes, bodies too
///   large, unreadable, late or refused for load, verified bodies that are
///   not envelopes), at most one line per kind every 10 seconds, with the
///   number of the ones not written since: a flood of forgeries is not a
///   flood of lines.
/// - `error`: the handler failed, or the receiver is misconfigured, also at
///   most one line every 10 seconds.
#[derive(Debug)]
pub struct TracingObserver {
    start: Instant,
    refused: Throttle,
    unauthorized: Throttle,
    rejected: Throttle,
    failed: Throttle,
}

impl Default for TracingObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl TracingObserver {
    /// A tracing observer.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            refused: Throttle::default(),
            unauthorized: Throttle::default(),
            rejected: Throttle::default(),
            failed: Throttle::default(),
        }
    }

    /// `Some(n)` when a line may be written now, `n` the lines not written
    /// since the last one.
    fn allow(&self, throttle: &Throttle) -> Option<u64> {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        throttle.allow(now)
    }
}

impl Observer for TracingObserver {
    fn observe(&self, report: &Report<'_>) {
        let outcome = report.outcome();
        match outcome {
            Outcome::Handled | Outcome::Accepted => debug_delivery(report),
            Outcome::HandshakeAnswered => {
                tracing::info!(target: TARGET, outcome = outcome.as_str(), "verification handshake answered");
            }
            Outcome::Unauthorized(error) => {
                if let Some(suppressed) = self.allow(&self.unauthorized) {
                    tracing::warn!(target: TARGET, outcome = outcome.as_str(), reason = %error,
                        similar_not_logged = suppressed, "signature check failed");
                }
            }
            Outcome::Rejected => {
                if let Some(suppressed) = self.allow(&self.rejected) {
                    tracing::warn!(target: TARGET, outcome = outcome.as_str(),
                        reason = report.rejected_reason().unwrap_or_default(),
                        bytes = report.body_bytes().unwrap_or_default(),
                        similar_not_logged = suppressed,
                        "verified body is not an Instagram envelope");
                }
            }
            Outcome::Stale => {
                if let Some(suppressed) = self.allow(&self.refused) {
                    tracing::warn!(target: TARGET, outcome = outcome.as_str(),
                        secret_index = report.secret_index(),
                        similar_not_logged = suppressed,
                        "verified delivery older than the replay window refused (422): a replay, or a clock far off");
                }
            }
            Outcome::HandlerFailed | Outcome::Unavailable | Outcome::Misconfigured => {
                if let Some(suppressed) = self.allow(&self.failed) {
                    let error = report
                        .handler_error()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    tracing::error!(target: TARGET, outcome = outcome.as_str(), error,
                        similar_not_logged = suppressed,
                        "{outcome}; answering {} so Meta retries", outcome.status().as_u16());
                }
            }
            _ => {
                if let Some(suppressed) = self.allow(&self.refused) {
                    tracing::warn!(target: TARGET, outcome = outcome.as_str(), reason = %outcome,
                        similar_not_logged = suppressed, "request refused");
                }
            }
        }
    }
}

/// One `debug` line for a delivery, built only when `debug` is enabled.
fn debug_delivery(report: &Report<'_>) {
    if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
        return;
    }
    let counts = report.event_counts();
    let kinds: Vec<String> = counts
        .events
        .iter()
        .map(|(kind, count)| format!("{}={count}", kind.as_str()))
        .collect();
    let timings = report.timings();
    let micros = |stage: Option<Duration>| stage.map_or(0, |d| d.as_micros());
    tracing::debug!(target: TARGET,
        outcome = report.outcome().as_str(),
        events = counts.events.values().sum::<usize>(),
        item_errors = counts.item_errors.values().sum::<usize>(),
        kinds = %kinds.join(","),
        bytes = report.body_bytes().unwrap_or_default(),
        secret_index = report.secret_index(),
        app = report.app(),
        read_us = micros(timings.body_read),
        verify_us = micros(timings.verify),
        parse_us = micros(timings.parse),
        handler_us = micros(timings.handler),
        "delivery");
}

/// At most one line per [`WINDOW`].
#[derive(Debug, Default)]
struct Throttle {
    /// When the next line may be written, in milliseconds since the start.
    next: AtomicU64,
    /// Lines not written since the last one.
    suppressed: AtomicU64,
}

impl Throttle {
    fn allow(&self, now: u64) -> Option<u64> {
        let next = self.next.load(Ordering::Relaxed);
        let window = u64::try_from(WINDOW.as_millis()).unwrap_or(u64::MAX);
        if now >= next
            && self
                .next
                .compare_exchange(
                    next,
                    now.saturating_add(window),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            Some(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    #[test]
    fn one_line_per_window_and_the_count_of_the_rest() {
        let throttle = Throttle::default();
        assert_eq!(throttle.allow(0), Some(0));
        assert_eq!(throttle.allow(1), None);
        assert_eq!(throttle.allow(9_999), None);
        assert_eq!(throttle.allow(10_000), Some(2));
        assert_eq!(throttle.allow(10_001), None);
        assert_eq!(throttle.allow(25_000), Some(1));
    }
}
