//! The envelope: `{"object", "entry": [{"id", "time", "changes"|"messaging"|"standby"}]}`.

use std::borrow::Cow;
use std::fmt;
use std::iter::FusedIterator;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::decode;
use crate::error::{Error, ItemError, ItemErrorKind, JsonError};
use crate::event::{Event, EventContext};
use crate::id::Id;
use crate::raw::RawJson;
use crate::time::{TimeUnit, Timestamp};

/// One webhook POST body: an envelope of entries, each holding items.
///
/// Deserialize it straight from the body bytes; it borrows from them. Only the envelope is
/// decoded up front: each change's `value` and each messaging item is kept as raw JSON and
/// decoded when [`events`](Self::events) reaches it, so one odd item never fails the body.
///
/// Deserialization fails only when the body is not an envelope at all: not JSON, not an object,
/// no `entry` array, an entry without `id`, or a malformed `changes[]` element (with the
/// `strict` feature, also an unknown envelope field). `object` is optional (third-party fixtures
/// omit it); it is `"instagram"` in every real delivery.
///
/// ```
/// use instagram_webhook_types::{Container, EventKind, Notification};
///
/// let body = br#"{"object":"instagram","entry":[{"id":"17841405726653026","time":1520622968,
///   "changes":[{"value":{"media_id":"17918195224117851","comment_id":"17894227972186120"},"field":"mentions"}]}]}"#;
/// let notification: Notification<'_> = serde_json::from_slice(body)?;
/// assert_eq!(notification.object(), Some("instagram"));
///
/// for event in notification.events() {
///     let event = event?;
///     assert_eq!(event.kind(), EventKind::Mention);
///     assert_eq!(event.account_id(), "17841405726653026");
///     assert_eq!(event.container(), Container::Changes);
///     assert_eq!(
///         event.dedup_key().as_str(),
///         "17841405726653026:mention:17918195224117851:17894227972186120"
///     );
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
pub struct Notification<'a> {
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    object: Option<Cow<'a, str>>,
    #[serde(borrow)]
    entry: Vec<Entry<'a>>,
}

impl<'a> Notification<'a> {
    /// Parses a body, like `serde_json::from_slice`, with the error wrapped in this crate's type.
    ///
    /// # Errors
    ///
    /// [`Error::Envelope`] when the body is not an Instagram webhook envelope (see the type docs).
    pub fn from_slice(body: &'a [u8]) -> Result<Self, Error> {
        serde_json::from_slice(body).map_err(|e| Error::Envelope(JsonError::new(&e)))
    }

    /// The top-level `object` (`"instagram"`), if present.
    pub fn object(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entry
    }

    /// How many results [`events`](Self::events) will yield: one per item, plus one per entry
    /// that has no container at all.
    pub fn item_count(&self) -> usize {
        self.entry.iter().map(Entry::result_count).sum()
    }

    /// Iterates every item of every entry, in order (per entry: `changes`, then `messaging`,
    /// then `standby`), yielding one result per item.
    ///
    /// A malformed item is an [`ItemError`] in its place; its neighbours still yield their
    /// events. Each event carries its context: account id (`entry.id`), entry time (seconds for
    /// `changes`, milliseconds for `messaging`/`standby`) and container.
    ///
    /// ```
    /// use instagram_webhook_types::{Container, EventKind, Notification};
    ///
    /// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"standby":[
    ///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,"message":{"mid":"m1","text":"hi"}},
    ///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485350,"message":{"text":"no mid"}}
    /// ]}]}"#;
    /// let notification: Notification<'_> = serde_json::from_slice(body)?;
    /// let results: Vec<_> = notification.events().collect();
    /// assert_eq!(results.len(), 2);
    ///
    /// let event = results[0].as_ref().unwrap();
    /// assert_eq!(event.kind().as_str(), "message");
    /// assert!(event.is_standby());
    /// assert_eq!(event.sender().map(|s| s.id.as_str()), Some("42"));
    ///
    /// let error = results[1].as_ref().unwrap_err();
    /// assert_eq!(error.position.item, 1);
    /// assert!(error.to_string().contains("missing field `mid`"));
    /// assert!(error.raw.as_ref().unwrap().get().contains("no mid"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn events(&self) -> Events<'_, 'a> {
        Events {
            entries: &self.entry,
            entry: 0,
            stage: Stage::Start,
            item: 0,
        }
    }
}

/// One `entry[]` element: the updates for one Instagram account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
pub struct Entry<'a> {
    #[serde(borrow)]
    id: Id<'a>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time: Option<Timestamp>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    changes: Option<Vec<Change<'a>>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    messaging: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    standby: Option<Vec<&'a RawValue>>,
}

impl<'a> Entry<'a> {
    /// The Instagram account the updates are for (`"0"` for Test-button deliveries).
    pub fn id(&self) -> &Id<'a> {
        &self.id
    }

    /// When Meta sent the entry, in seconds for `changes` entries and milliseconds otherwise.
    pub fn time(&self) -> Option<Timestamp> {
        let unit = if self.changes.is_some() {
            TimeUnit::Seconds
        } else {
            TimeUnit::Milliseconds
        };
        self.time.clone().map(|t| t.with_unit(unit))
    }

    /// The `changes` items, if the entry has that key.
    pub fn changes(&self) -> Option<&[Change<'a>]> {
        self.changes.as_deref()
    }

    /// The raw `messaging` items, if the entry has that key.
    pub fn messaging(&self) -> Option<&[&'a RawValue]> {
        self.messaging.as_deref()
    }

    /// The raw `standby` items, if the entry has that key.
    pub fn standby(&self) -> Option<&[&'a RawValue]> {
        self.standby.as_deref()
    }

    fn is_empty_entry(&self) -> bool {
        self.changes.is_none() && self.messaging.is_none() && self.standby.is_none()
    }

    fn result_count(&self) -> usize {
        if self.is_empty_entry() {
            return 1;
        }
        self.changes.as_ref().map_or(0, Vec::len)
            + self.messaging.as_ref().map_or(0, Vec::len)
            + self.standby.as_ref().map_or(0, Vec::len)
    }
}

/// One `changes[]` element: `{"field": ..., "value": ...}` in either key order.
///
/// The `value` stays raw until [`Notification::events`] decodes it by `field`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
pub struct Change<'a> {
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    field: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    value: Option<&'a RawValue>,
}

impl<'a> Change<'a> {
    /// The subscribed field this change is for (`comments`, `mentions`, `messages`...).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The raw `value`.
    pub fn value(&self) -> Option<&'a RawValue> {
        self.value
    }
}

/// Which array of the entry an item came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Container {
    /// `entry[].changes[]`: comments, mentions, story insights, and Test-button deliveries of
    /// messaging fields.
    Changes,
    /// `entry[].messaging[]`: messaging events for threads this app owns.
    Messaging,
    /// `entry[].standby[]`: messaging events for threads another app owns (handover protocol).
    Standby,
}

impl Container {
    /// `changes`, `messaging` or `standby`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Changes => "changes",
            Self::Messaging => "messaging",
            Self::Standby => "standby",
        }
    }

    /// The unit of `entry.time` for entries of this container.
    pub fn entry_time_unit(self) -> TimeUnit {
        match self {
            Self::Changes => TimeUnit::Seconds,
            Self::Messaging | Self::Standby => TimeUnit::Milliseconds,
        }
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an item sits in the notification: entry index and index within its container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Position {
    /// Index in `entry[]`.
    pub entry: usize,
    /// Index in the entry's `changes[]`, `messaging[]` or `standby[]`.
    pub item: usize,
}

impl Position {
    /// A position.
    pub fn new(entry: usize, item: usize) -> Self {
        Self { entry, item }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Start,
    Changes,
    Messaging,
    Standby,
}

/// Iterator over the results of a [`Notification`]; see [`Notification::events`].
#[derive(Clone, Debug)]
pub struct Events<'n, 'a> {
    entries: &'n [Entry<'a>],
    entry: usize,
    stage: Stage,
    item: usize,
}

/// One result of [`Notification::events`].
pub type EventResult<'a> = Result<Event<'a>, ItemError<'a>>;

impl<'a> Events<'_, 'a> {
    fn context(
        &self,
        entry: &Entry<'a>,
        container: Container,
        field: Option<Cow<'a, str>>,
    ) -> EventContext<'a> {
        EventContext {
            account_id: entry.id.clone(),
            entry_time: entry
                .time
                .clone()
                .map(|t| t.with_unit(container.entry_time_unit())),
            container,
            field,
            position: Position::new(self.entry, self.item),
        }
    }

    fn item_error(
        context: EventContext<'a>,
        kind: ItemErrorKind,
        raw: Option<&'a RawValue>,
    ) -> ItemError<'a> {
        ItemError {
            position: context.position,
            container: context.container,
            account_id: context.account_id,
            field: context.field,
            kind,
            raw: raw.map(RawJson::Borrowed),
        }
    }

    fn change(&self, entry: &Entry<'a>, change: &Change<'a>) -> EventResult<'a> {
        let context = self.context(entry, Container::Changes, change.field.clone());
        let Some(value) = change.value else {
            return Err(Self::item_error(context, ItemErrorKind::MissingValue, None));
        };
        if context.field.is_none() {
            return Err(Self::item_error(
                context,
                ItemErrorKind::MissingField,
                Some(value),
            ));
        }
        match decode::item(Container::Changes, context.field.as_ref(), value) {
            Ok(decoded) => Ok(Event::from_parts(context, decoded, value)),
            Err(kind) => Err(Self::item_error(context, kind, Some(value))),
        }
    }

    fn messaging(
        &self,
        entry: &Entry<'a>,
        container: Container,
        raw: &'a RawValue,
    ) -> EventResult<'a> {
        let context = self.context(entry, container, None);
        match decode::item(container, None, raw) {
            Ok(decoded) => Ok(Event::from_parts(context, decoded, raw)),
            Err(kind) => Err(Self::item_error(context, kind, Some(raw))),
        }
    }
}

impl<'a> Iterator for Events<'_, 'a> {
    type Item = EventResult<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let entry = self.entries.get(self.entry)?;
            match self.stage {
                Stage::Start => {
                    self.stage = Stage::Changes;
                    self.item = 0;
                    if entry.is_empty_entry() {
                        let context = self.context(entry, Container::Changes, None);
                        return Some(Err(Self::item_error(
                            context,
                            ItemErrorKind::EmptyEntry,
                            None,
                        )));
                    }
                }
                Stage::Changes => {
                    if let Some(change) = entry.changes.as_deref().and_then(|c| c.get(self.item)) {
                        let result = self.change(entry, change);
                        self.item += 1;
                        return Some(result);
                    }
                    self.stage = Stage::Messaging;
                    self.item = 0;
                }
                Stage::Messaging => {
                    if let Some(raw) = entry.messaging.as_deref().and_then(|m| m.get(self.item)) {
                        let result = self.messaging(entry, Container::Messaging, raw);
                        self.item += 1;
                        return Some(result);
                    }
                    self.stage = Stage::Standby;
                    self.item = 0;
                }
                Stage::Standby => {
                    if let Some(raw) = entry.standby.as_deref().and_then(|m| m.get(self.item)) {
                        let result = self.messaging(entry, Container::Standby, raw);
                        self.item += 1;
                        return Some(result);
                    }
                    self.stage = Stage::Start;
                    self.entry += 1;
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let rest: usize = self
            .entries
            .get(self.entry..)
            .map_or(0, |e| e.iter().map(Entry::result_count).sum());
        let done = match (self.entries.get(self.entry), self.stage) {
            (None, _) | (Some(_), Stage::Start) => 0,
            (Some(e), Stage::Changes) => usize::from(e.is_empty_entry()) + self.item,
            (Some(e), Stage::Messaging) => e.changes.as_ref().map_or(0, Vec::len) + self.item,
            (Some(e), Stage::Standby) => {
                e.changes.as_ref().map_or(0, Vec::len)
                    + e.messaging.as_ref().map_or(0, Vec::len)
                    + self.item
            }
        };
        let remaining = rest.saturating_sub(done);
        (remaining, Some(remaining))
    }
}

impl ExactSizeIterator for Events<'_, '_> {}

impl FusedIterator for Events<'_, '_> {}
