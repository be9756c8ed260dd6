//! `message_edit`: a message was edited (or, with `num_edit` 0, just sent).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::Id;
use crate::numeric::NumOrText;
use crate::owned::{IntoStatic, impl_into_owned};

/// An edited message (`message_edit` in a messaging item).
///
/// Live traffic sends `num_edit` as a number and no `text` for a new message (`num_edit: 0`);
/// Meta's docs show it as a string. The sender may be absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct MessageEdit<'a> {
    /// The edited message.
    #[serde(borrow)]
    pub mid: Id<'a>,
    /// The new text.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<Cow<'a, str>>,
    /// How many times the message has been edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_edit: Option<EditCount>,
}

impl_into_owned!(MessageEdit {
    mid,
    text,
    num_edit
});

/// The `num_edit` counter: a number or a numeric string; other text is kept verbatim.
///
/// ```
/// use instagram_webhook_types::EditCount;
///
/// let n: EditCount = serde_json::from_str("3").unwrap();
/// let s: EditCount = serde_json::from_str("\"3\"").unwrap();
/// assert_eq!(n.value(), Some(3));
/// assert_eq!(s.value(), Some(3));
/// assert_eq!(n.to_string(), "3");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EditCount(NumOrText);

impl EditCount {
    /// A count, serialized as a number.
    pub fn new(count: u64) -> Self {
        Self(NumOrText::Number(count))
    }

    /// The count; `None` if Meta sent non-numeric text.
    pub fn value(&self) -> Option<u64> {
        self.0.value()
    }
}

impl IntoStatic for EditCount {
    type Static = Self;

    fn into_static(self) -> Self {
        self
    }
}

/// Prints the value as received.
impl fmt::Display for EditCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for EditCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for EditCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        NumOrText::deserialize(deserializer).map(Self)
    }
}
