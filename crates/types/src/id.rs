//! Graph API ids: strings that Meta sometimes sends as JSON numbers.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::owned::IntoStatic;

/// An id from Meta: an Instagram account id, an Instagram-scoped user id (IGSID), a comment,
/// media or message id.
///
/// Ids are kept as text. They are 15 to 18+ digits long, beyond what an `f64` holds exactly
/// (2^53), and message ids (`mid`) are base64. A JSON number is accepted too and keeps every
/// digit as long as it is an integer that fits in 64 bits; a fractional or larger number is
/// refused, because turning it into text would already have lost digits.
///
/// It always serializes as a JSON string.
///
/// ```
/// use instagram_webhook_types::Id;
///
/// let id: Id<'_> = serde_json::from_str("17841405726653026").unwrap();
/// assert_eq!(id, "17841405726653026");
/// let id: Id<'_> = serde_json::from_str("\"17841405726653026\"").unwrap();
/// assert_eq!(id.as_str(), "17841405726653026");
/// assert!(serde_json::from_str::<Id<'_>>("1.5").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Id<'a>(Cow<'a, str>);

impl<'a> Id<'a> {
    /// Wraps a string as an id.
    pub fn new(id: impl Into<Cow<'a, str>>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the id `"0"` the App Dashboard "Test" button puts in `entry.id`.
    pub fn is_test(&self) -> bool {
        self.0 == "0"
    }

    /// Copies the id if it still borrows the request body.
    pub fn into_owned(self) -> Id<'static> {
        Id(Cow::Owned(self.0.into_owned()))
    }

    /// The id as a `String`.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl IntoStatic for Id<'_> {
    type Static = Id<'static>;

    fn into_static(self) -> Self::Static {
        self.into_owned()
    }
}

impl fmt::Debug for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Deref for Id<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Id<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Id<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Id<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl<'a> From<&'a str> for Id<'a> {
    fn from(s: &'a str) -> Self {
        Self(Cow::Borrowed(s))
    }
}

impl From<String> for Id<'_> {
    fn from(s: String) -> Self {
        Self(Cow::Owned(s))
    }
}

impl From<u64> for Id<'_> {
    fn from(n: u64) -> Self {
        Self(Cow::Owned(n.to_string()))
    }
}

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = Id<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id as a string or an integer")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Id(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Id(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Id(Cow::Owned(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Id(Cow::Owned(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Id(Cow::Owned(v.to_string())))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(Id(Cow::Owned(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(
            "an id must be a string or an integer that fits in 64 bits; a fractional or larger number has lost digits",
        ))
    }
}
