//! The replay window: how old a delivery's newest entry may be.
//!
//! Meta signs the body but sends no signed timestamp, so a captured signed
//! body verifies forever. The only time inside the signature is each
//! entry's `time`; the window refuses bodies whose newest entry is older
//! than it allows.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use instagram_webhook_types::{Notification, TimeUnit};

/// The replay window recommended when turning the check on: 48 hours,
/// longer than the 36 hours over which Meta delivers an update again.
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(48 * 60 * 60);

/// The time of the newest entry, if any entry has a numeric `time`.
///
/// The unit is read from the value (seconds below 10^11, milliseconds from
/// there up), not from the container, so a Test-button entry sending
/// seconds in a `messaging` entry is not taken for a time in 1970.
pub(crate) fn newest_entry_time(notification: &Notification<'_>) -> Option<SystemTime> {
    notification
        .entries()
        .iter()
        .filter_map(|entry| {
            let value = entry.time()?.value()?;
            let since_epoch = match TimeUnit::infer(value) {
                TimeUnit::Seconds => Duration::from_secs(value),
                TimeUnit::Milliseconds => Duration::from_millis(value),
            };
            UNIX_EPOCH.checked_add(since_epoch)
        })
        .max()
}

/// Whether a delivery received at `received_at` is older than `window`
/// allows: its newest entry is more than `window` before it was received.
/// A delivery without any entry time is not judged (never stale), nor is
/// one from the future (clock skew).
pub(crate) fn is_stale(
    notification: &Notification<'_>,
    received_at: SystemTime,
    window: Duration,
) -> bool {
    newest_entry_time(notification).is_some_and(|newest| {
        received_at
            .duration_since(newest)
            .is_ok_and(|age| age > window)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(body: &str) -> Notification<'_> {
        Notification::from_slice(body.as_bytes()).expect("an envelope")
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn the_newest_entry_decides_in_either_unit() {
        let body = r#"{"object":"instagram","entry":[
            {"id":"1","time":1700000000,"changes":[]},
            {"id":"1","time":1700007200000,"messaging":[]}]}"#;
        let newest = newest_entry_time(&notification(body)).unwrap();
        assert_eq!(newest, UNIX_EPOCH + Duration::from_secs(1_700_007_200));
        let received = newest + HOUR;
        assert!(!is_stale(&notification(body), received, HOUR));
        assert!(is_stale(&notification(body), received + HOUR, HOUR));
    }

    #[test]
    fn seconds_in_a_messaging_entry_are_read_as_seconds() {
        let body =
            r#"{"object":"instagram","entry":[{"id":"0","time":1700000000,"messaging":[]}]}"#;
        let newest = newest_entry_time(&notification(body)).unwrap();
        assert_eq!(newest, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    }

    #[test]
    fn no_time_and_future_times_are_never_stale() {
        let now = SystemTime::now();
        let untimed = r#"{"object":"instagram","entry":[{"id":"1","changes":[]}]}"#;
        assert!(!is_stale(&notification(untimed), now, Duration::ZERO));
        let empty = r#"{"object":"instagram","entry":[]}"#;
        assert!(!is_stale(&notification(empty), now, Duration::ZERO));
        let text = r#"{"object":"instagram","entry":[{"id":"1","time":"soon","changes":[]}]}"#;
        assert!(!is_stale(&notification(text), now, Duration::ZERO));
        let future =
            r#"{"object":"instagram","entry":[{"id":"1","time":99999999999,"changes":[]}]}"#;
        assert!(!is_stale(&notification(future), now, Duration::ZERO));
    }
}
