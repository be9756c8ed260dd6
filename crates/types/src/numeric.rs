//! Private representation shared by [`Timestamp`](crate::Timestamp) and
//! [`EditCount`](crate::EditCount): a JSON number or string, kept as it came.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A non-negative integer that Meta sends as a number or as a string.
///
/// A string that is not a number (an ISO-8601 date in third-party fixtures, a `<PLACEHOLDER>` in
/// Meta's docs) is kept verbatim instead of failing the item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NumOrText {
    /// A JSON number.
    Number(u64),
    /// A JSON string, numeric or not.
    Text(Box<str>),
}

impl NumOrText {
    /// The integer value, when it is a number or a string of ASCII digits.
    pub(crate) fn value(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                t.parse().ok()
            }
            Self::Text(_) => None,
        }
    }
}

impl fmt::Display for NumOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => fmt::Display::fmt(n, f),
            Self::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for NumOrText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => serializer.serialize_u64(*n),
            Self::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for NumOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumOrTextVisitor)
    }
}

struct NumOrTextVisitor;

impl Visitor<'_> for NumOrTextVisitor {
    type Value = NumOrText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or a string")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(NumOrText::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u64::try_from(v).map(NumOrText::Number).map_err(|_| {
            E::custom(format_args!(
                "negative value {v} where a count or time was expected"
            ))
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::custom(format_args!(
            "fractional or out-of-range number {v} where an integer was expected"
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(NumOrText::Text(v.into()))
    }
}
