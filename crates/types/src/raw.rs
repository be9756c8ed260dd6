//! Raw JSON kept next to the typed models, so nothing Meta sent is lost.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::owned::IntoStatic;

/// A piece of JSON exactly as it appeared in the body (whitespace, key order and escapes
/// included), borrowed from the body or owned.
///
/// Deserializing a `RawJson` borrows from the input, so it works with
/// `serde_json::from_slice`/`from_str` but not with `serde_json::from_reader` or
/// `serde_json::from_value`. [`into_owned`](Self::into_owned) makes a `'static` copy.
#[derive(Clone)]
pub enum RawJson<'a> {
    /// Borrowed from the request body.
    Borrowed(&'a RawValue),
    /// An owned copy.
    Owned(Box<RawValue>),
}

impl RawJson<'_> {
    /// The JSON text.
    pub fn get(&self) -> &str {
        self.as_raw_value().get()
    }

    /// The JSON as a [`RawValue`].
    pub fn as_raw_value(&self) -> &RawValue {
        match self {
            Self::Borrowed(r) => r,
            Self::Owned(r) => r,
        }
    }

    /// An owned copy that no longer borrows the body.
    pub fn into_owned(self) -> RawJson<'static> {
        match self {
            Self::Borrowed(r) => RawJson::Owned(r.to_owned()),
            Self::Owned(r) => RawJson::Owned(r),
        }
    }
}

impl IntoStatic for RawJson<'_> {
    type Static = RawJson<'static>;

    fn into_static(self) -> Self::Static {
        self.into_owned()
    }
}

impl<'a> From<&'a RawValue> for RawJson<'a> {
    fn from(r: &'a RawValue) -> Self {
        Self::Borrowed(r)
    }
}

impl From<Box<RawValue>> for RawJson<'_> {
    fn from(r: Box<RawValue>) -> Self {
        Self::Owned(r)
    }
}

impl Deref for RawJson<'_> {
    type Target = RawValue;

    fn deref(&self) -> &RawValue {
        self.as_raw_value()
    }
}

/// Two raw values are equal when their JSON text is byte for byte the same.
impl PartialEq for RawJson<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson<'_> {}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.get()).finish()
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_raw_value().serialize(serializer)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawJson<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(RawJson::Borrowed)
    }
}
