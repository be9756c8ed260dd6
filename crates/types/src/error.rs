//! Errors: a body that is not an envelope at all, and an item that could not be decoded.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::location::{Container, Position};
use crate::raw::RawJson;

/// A JSON error message, without exposing `serde_json`'s error type.
///
/// Serializes as `{"message": ..., "line": ..., "column": ...}` and reads back from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonError(Box<JsonErrorInner>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct JsonErrorInner {
    message: String,
    line: usize,
    column: usize,
}

impl JsonError {
    pub(crate) fn new(err: &serde_json::Error) -> Self {
        Self(Box::new(JsonErrorInner {
            message: err.to_string(),
            line: err.line(),
            column: err.column(),
        }))
    }

    /// The message, with line and column as `serde_json` prints them.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Line (1-based) of the input where the error was found; 0 if it has no position.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// Column (1-based) of the input where the error was found; 0 if it has no position.
    pub fn column(&self) -> usize {
        self.0.column
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for JsonError {}

/// The body is not an Instagram webhook envelope at all.
///
/// Returned by [`Notification::from_slice`](crate::Notification::from_slice) when the body is
/// not JSON, not an object, or `entry` is missing or not an array of entries. Retrying cannot
/// fix such a body: hand it to a rejected-payload hook rather than asking Meta to resend it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Error {
    /// The body does not parse as a notification envelope.
    #[error("body is not an Instagram webhook envelope: {0}")]
    Envelope(JsonError),
}

/// Why one item of a notification yielded no event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemErrorKind {
    /// The item's JSON does not have the shape its kind requires (a required field is missing,
    /// a value has the wrong type, an id is a fractional or too large number, or, with the
    /// `strict` feature, a field is unknown).
    #[error("item does not match its event shape: {0}")]
    Invalid(JsonError),
    /// A `changes[]` element has no `field`.
    #[error("change has no `field`")]
    MissingField,
    /// A `changes[]` element has no `value` (or `null`).
    #[error("change has no `value`")]
    MissingValue,
    /// A messaging item has only `sender`/`recipient`/`timestamp`: no event key at all.
    #[error("messaging item carries no event")]
    NoEvent,
    /// An entry has none of `changes`, `messaging` and `standby` (Meta's docs print one such
    /// example with `field`/`value` directly in the entry).
    #[error("entry has no `changes`, `messaging` or `standby`")]
    EmptyEntry,
}

/// An item that could not be turned into an [`Event`](crate::Event), next to its good neighbours.
///
/// Says where the item was (entry index, container, item index, account id, change `field`),
/// why it failed, and keeps the item's raw JSON, so nothing is lost.
///
/// It serializes, and deserializes back to an equal error (borrowing from the input, like
/// [`Event`](crate::Event); [`into_owned`](Self::into_owned) detaches it), so a store can keep
/// the errors of a delivery next to its events:
///
/// ```
/// use instagram_webhook_types::{ItemError, Notification};
///
/// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
///   {"sender":{"id":"42"},"timestamp":1569262485349,"message":{"text":"no mid"}}]}]}"#;
/// let notification = Notification::from_slice(body)?;
/// let error = notification.events().next().unwrap().unwrap_err();
///
/// let stored = serde_json::to_string(&error)?;
/// let back: ItemError<'_> = serde_json::from_str(&stored)?;
/// assert_eq!(back, error);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("entry {}, {}[{}]{}: {kind}", position.entry, container, position.item, FieldSuffix(field.as_deref()))]
#[non_exhaustive]
pub struct ItemError<'a> {
    /// Where the item was.
    pub position: Position,
    /// Which container held it. For [`ItemErrorKind::EmptyEntry`] this is
    /// [`Container::Changes`] and the item index is 0.
    pub container: Container,
    /// The entry's account id.
    #[serde(borrow)]
    pub account_id: Id<'a>,
    /// The change's `field`, for items of `changes`.
    #[serde(default, borrow, deserialize_with = "crate::de::opt_str")]
    pub field: Option<Cow<'a, str>>,
    /// What was wrong.
    pub kind: ItemErrorKind,
    /// The item's JSON as received (the change's `value` or the messaging item); `None` when
    /// there is none (an empty entry, a change without `value`).
    #[serde(default, borrow)]
    pub raw: Option<RawJson<'a>>,
}

impl ItemError<'_> {
    /// Copies every borrowed part so the error no longer borrows the request body.
    pub fn into_owned(self) -> ItemError<'static> {
        ItemError {
            position: self.position,
            container: self.container,
            account_id: self.account_id.into_owned(),
            field: self.field.map(|f| Cow::Owned(f.into_owned())),
            kind: self.kind,
            raw: self.raw.map(RawJson::into_owned),
        }
    }
}

struct FieldSuffix<'f>(Option<&'f str>);

impl fmt::Display for FieldSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(field) => write!(f, " (field `{field}`)"),
            None => Ok(()),
        }
    }
}
