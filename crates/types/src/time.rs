//! Times as Meta sends them: seconds or milliseconds, numbers or strings.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::numeric::NumOrText;
use crate::owned::IntoStatic;

/// The unit of a [`Timestamp`]: Meta mixes seconds and milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Seconds since the Unix epoch: `entry.time` of `changes` entries, Test-button item timestamps.
    Seconds,
    /// Milliseconds since the Unix epoch: `entry.time` of `messaging`/`standby` entries, live
    /// item timestamps.
    Milliseconds,
}

impl TimeUnit {
    /// The unit a bare value most plausibly has: values from 10^11 up are milliseconds (10^11 s
    /// is the year 5138, 10^11 ms is March 1973), smaller ones are seconds.
    pub fn infer(value: u64) -> Self {
        if value >= 100_000_000_000 {
            Self::Milliseconds
        } else {
            Self::Seconds
        }
    }
}

/// A point in time from a webhook body, with its unit.
///
/// Accepts a JSON number or a string (`1527459824`, `"1527459824"`). The unit comes from the
/// context where Meta documents it (`entry.time`: seconds in `changes`, milliseconds in
/// `messaging`/`standby`, set by [`Notification::events`](crate::Notification::events) and
/// [`Entry::time`](crate::Entry::time)); otherwise it is inferred from the magnitude (see
/// [`TimeUnit::infer`]), which tells live millisecond timestamps from the seconds the
/// Test button sends.
///
/// A string that is not a number (third-party fixtures put ISO-8601 dates there, Meta's docs
/// put `<PLACEHOLDERS>`) is kept verbatim: [`as_text`](Self::as_text) returns it and the
/// numeric accessors return `None`, so the item still yields its event.
///
/// Serializes back exactly as received (a number stays a number, a string a string); the unit
/// is not serialized.
///
/// ```
/// use instagram_webhook_types::{TimeUnit, Timestamp};
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let t: Timestamp = serde_json::from_str("\"1527459824\"").unwrap();
/// assert_eq!(t.unit(), TimeUnit::Seconds);
/// assert_eq!(t.as_system_time(), Some(UNIX_EPOCH + Duration::from_secs(1_527_459_824)));
///
/// let t: Timestamp = serde_json::from_str("1569262485349").unwrap();
/// assert_eq!(t.unit(), TimeUnit::Milliseconds);
/// assert_eq!(t.as_millis(), Some(1_569_262_485_349));
///
/// let t: Timestamp = serde_json::from_str("\"2021-09-08T06:34:04+0000\"").unwrap();
/// assert_eq!(t.as_system_time(), None);
/// assert_eq!(t.as_text(), Some("2021-09-08T06:34:04+0000"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    value: NumOrText,
    unit: TimeUnit,
}

impl Timestamp {
    /// A timestamp of `secs` seconds since the epoch, serialized as a number.
    pub fn from_secs(secs: u64) -> Self {
        Self {
            value: NumOrText::Number(secs),
            unit: TimeUnit::Seconds,
        }
    }

    /// A timestamp of `millis` milliseconds since the epoch, serialized as a number.
    pub fn from_millis(millis: u64) -> Self {
        Self {
            value: NumOrText::Number(millis),
            unit: TimeUnit::Milliseconds,
        }
    }

    /// The same value read in `unit`, overriding the inferred one.
    #[must_use]
    pub fn with_unit(mut self, unit: TimeUnit) -> Self {
        self.unit = unit;
        self
    }

    /// The unit of [`value`](Self::value).
    pub fn unit(&self) -> TimeUnit {
        self.unit
    }

    /// The number as sent, in [`unit`](Self::unit); `None` if it was a non-numeric string.
    pub fn value(&self) -> Option<u64> {
        self.value.value()
    }

    /// Milliseconds since the epoch; `None` for a non-numeric string or on overflow.
    pub fn as_millis(&self) -> Option<u64> {
        let v = self.value()?;
        match self.unit {
            TimeUnit::Seconds => v.checked_mul(1000),
            TimeUnit::Milliseconds => Some(v),
        }
    }

    /// Whole seconds since the epoch; `None` for a non-numeric string.
    pub fn as_secs(&self) -> Option<u64> {
        let v = self.value()?;
        match self.unit {
            TimeUnit::Seconds => Some(v),
            TimeUnit::Milliseconds => Some(v / 1000),
        }
    }

    /// The point in time; `None` for a non-numeric string or a value out of range.
    pub fn as_system_time(&self) -> Option<SystemTime> {
        let v = self.value()?;
        let since_epoch = match self.unit {
            TimeUnit::Seconds => Duration::from_secs(v),
            TimeUnit::Milliseconds => Duration::from_millis(v),
        };
        UNIX_EPOCH.checked_add(since_epoch)
    }

    /// The raw text when Meta sent a string (numeric or not); `None` for a JSON number.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            NumOrText::Number(_) => None,
            NumOrText::Text(t) => Some(t),
        }
    }

    /// Whether the value was sent as a JSON string (Test-button samples do this).
    pub fn was_string(&self) -> bool {
        matches!(self.value, NumOrText::Text(_))
    }
}

impl IntoStatic for Timestamp {
    type Static = Self;

    fn into_static(self) -> Self {
        self
    }
}

/// Prints the value as received, without unit.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = NumOrText::deserialize(deserializer)?;
        let unit = TimeUnit::infer(value.value().unwrap_or(0));
        Ok(Self { value, unit })
    }
}
