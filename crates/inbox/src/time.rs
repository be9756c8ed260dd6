//! Times as stored: Unix milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `time` as Unix milliseconds (0 before the epoch).
pub(crate) fn millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    })
}

/// Now, as Unix milliseconds.
pub(crate) fn now() -> i64 {
    millis(SystemTime::now())
}

/// Unix milliseconds as a time.
pub(crate) fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The time from `start` to `end` (zero if `end` is earlier).
pub(crate) fn between(start: i64, end: i64) -> Duration {
    Duration::from_millis(u64::try_from(end.saturating_sub(start)).unwrap_or(0))
}
