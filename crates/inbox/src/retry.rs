//! When a failed event is tried again: an explicit list of delays, with
//! jitter, per event kind.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest delay ever scheduled.
const MAX_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The delays between attempts.
///
/// `delays[i]` is the wait after failed attempt `i + 1`; after the last
/// delay's attempt fails, the event goes to the dead letter. So the default,
/// `[1 s, 5 s, 30 s]`, means one attempt and three retries: four attempts
/// in all. Each delay is moved by up to ±10 % (the jitter) so events that
/// failed together do not all come back at once.
///
/// ```
/// use std::time::Duration;
///
/// use instagram_webhook_inbox::{Jitter, RetryPolicy};
///
/// let policy = RetryPolicy::default()
///     .for_kind("story_insights", [Duration::from_secs(60)])
///     .jitter(Jitter::none());
/// assert_eq!(policy.max_attempts("comment"), 4);
/// assert_eq!(policy.max_attempts("story_insights"), 2);
/// assert_eq!(policy.delay_after("comment", 2), Duration::from_secs(5));
/// ```
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    delays: Vec<Duration>,
    per_kind: HashMap<String, Vec<Duration>>,
    jitter: Jitter,
}

impl Default for RetryPolicy {
    /// `[1 s, 5 s, 30 s]`, ±10 % jitter.
    fn default() -> Self {
        Self::new([1, 5, 30].map(Duration::from_secs))
    }
}

impl RetryPolicy {
    /// Retries after each of `delays`, ±10 % jitter. An empty list means
    /// one attempt, then the dead letter.
    pub fn new(delays: impl IntoIterator<Item = Duration>) -> Self {
        Self {
            delays: delays.into_iter().collect(),
            per_kind: HashMap::new(),
            jitter: Jitter::default(),
        }
    }

    /// Events of `kind` (`comment`, `message`, ...) use `delays` instead.
    #[must_use]
    pub fn for_kind(
        mut self,
        kind: impl Into<String>,
        delays: impl IntoIterator<Item = Duration>,
    ) -> Self {
        self.per_kind
            .insert(kind.into(), delays.into_iter().collect());
        self
    }

    /// Where the jitter comes from (a seeded source in tests).
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    fn delays(&self, kind: &str) -> &[Duration] {
        self.per_kind.get(kind).unwrap_or(&self.delays)
    }

    /// How many attempts an event of `kind` gets: one more than its delays.
    pub fn max_attempts(&self, kind: &str) -> i64 {
        i64::try_from(self.delays(kind).len()).map_or(i64::MAX, |n| n.saturating_add(1))
    }

    /// The delay after failed attempt `attempt` (1 for the first) of an
    /// event of `kind`, before jitter. Past the list (an event queued again
    /// by hand), the last delay; with no delays, zero.
    pub fn delay_after(&self, kind: &str, attempt: i64) -> Duration {
        let delays = self.delays(kind);
        let index = usize::try_from(attempt.saturating_sub(1)).unwrap_or(0);
        delays
            .get(index)
            .or_else(|| delays.last())
            .copied()
            .unwrap_or_default()
    }

    /// The delay after failed attempt `attempt`, with jitter, at most 24 h.
    pub fn next_delay(&self, kind: &str, attempt: i64) -> Duration {
        self.jitter
            .apply(self.delay_after(kind, attempt))
            .min(MAX_DELAY)
    }
}

type Source = dyn FnMut() -> f64 + Send;

/// Moves delays by up to a fraction of themselves, from a source of numbers
/// in `[-1, 1]`: random by default, seeded or fixed for tests.
///
/// ```
/// use std::time::Duration;
///
/// use instagram_webhook_inbox::Jitter;
///
/// let jitter = Jitter::from_fn(0.1, || 1.0);
/// assert_eq!(jitter.apply(Duration::from_secs(10)), Duration::from_secs(11));
/// ```
#[derive(Clone)]
pub struct Jitter {
    fraction: f64,
    source: Option<Arc<Mutex<Source>>>,
}

impl Default for Jitter {
    /// ±10 %, random.
    fn default() -> Self {
        Self::seeded(0.1, fastrand::u64(..))
    }
}

impl fmt::Debug for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jitter")
            .field("fraction", &self.fraction)
            .finish_non_exhaustive()
    }
}

impl Jitter {
    /// No jitter: delays exactly as listed.
    pub fn none() -> Self {
        Self {
            fraction: 0.0,
            source: None,
        }
    }

    /// ±`fraction` (0.1 for ±10 %), from a random generator seeded with
    /// `seed`: the same seed gives the same delays.
    pub fn seeded(fraction: f64, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        Self::from_fn(fraction, move || rng.f64().mul_add(2.0, -1.0))
    }

    /// ±`fraction`, scaled by what `source` returns (clamped to `[-1, 1]`).
    pub fn from_fn(fraction: f64, source: impl FnMut() -> f64 + Send + 'static) -> Self {
        Self {
            fraction: if fraction.is_finite() {
                fraction.clamp(0.0, 1.0)
            } else {
                0.0
            },
            source: Some(Arc::new(Mutex::new(source))),
        }
    }

    /// `delay` moved by the next number from the source, to the millisecond.
    pub fn apply(&self, delay: Duration) -> Duration {
        let Some(source) = &self.source else {
            return delay;
        };
        let draw = {
            let mut source = source
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            source()
        };
        let draw = if draw.is_finite() {
            draw.clamp(-1.0, 1.0)
        } else {
            0.0
        };
        let millis = delay.as_secs_f64() * 1000.0 * self.fraction.mul_add(draw, 1.0);
        Duration::from_millis(millis.round().max(0.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_ladder_is_one_five_thirty_then_dead_letter() {
        let policy = RetryPolicy::default().jitter(Jitter::none());
        assert_eq!(policy.max_attempts("comment"), 4);
        let delays: Vec<_> = (1..=4).map(|n| policy.next_delay("comment", n)).collect();
        assert_eq!(delays, [1, 5, 30, 30].map(Duration::from_secs));
    }

    #[test]
    fn jitter_stays_within_ten_percent_and_a_seed_repeats() {
        let delays = |seed| {
            let jitter = Jitter::seeded(0.1, seed);
            (0..200)
                .map(|_| jitter.apply(Duration::from_secs(1)))
                .collect::<Vec<_>>()
        };
        let first = delays(7);
        assert_eq!(first, delays(7));
        assert_ne!(first, delays(8));
        for delay in &first {
            assert!((900..=1100).contains(&delay.as_millis()), "{delay:?}");
        }
    }

    #[test]
    fn a_source_out_of_range_is_clamped() {
        let jitter = Jitter::from_fn(0.1, || 7.0);
        assert_eq!(
            jitter.apply(Duration::from_secs(1)),
            Duration::from_millis(1100)
        );
        let jitter = Jitter::from_fn(0.1, || f64::NAN);
        assert_eq!(jitter.apply(Duration::from_secs(1)), Duration::from_secs(1));
    }
}
