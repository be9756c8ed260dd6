//! The envelope: `{"object", "entry": [{"id", "time", "changes"|"messaging"|"standby"}]}`.

use std::borrow::Cow;
use std::iter::FusedIterator;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::decode;
use crate::error::{Error, ItemError, ItemErrorKind, JsonError};
use crate::event::{Event, EventContext};
use crate::id::Id;
use crate::kind::static_field;
use crate::location::{Container, Position};
use crate::owned::IntoStatic;
use crate::raw::RawJson;
use crate::time::{TimeUnit, Timestamp};

/// One webhook POST body: an envelope of entries, each holding items.
///
/// Deserialize it straight from the body bytes; it borrows from them. Only the envelope is
/// decoded up front: each change's `value` and each messaging item is kept as raw JSON and
/// decoded when [`events`](Self::events) reaches it, so one odd item never fails the body.
///
/// [`into_owned`](Self::into_owned) detaches a parsed notification from the body without
/// parsing it again (each item's raw JSON is copied as it is), so it can be kept next to the
/// body bytes or moved to another task; its events are the same as the borrowed one's.
///
/// Deserialization fails only when the body is not an envelope at all: not JSON, not an object,
/// no `entry` array, an entry without `id`, or a malformed `changes[]` element (with the
/// `strict` feature, also an unknown envelope field). `object` is optional (third-party fixtures
/// omit it); it is `"instagram"` in every real delivery.
///
/// ```
/// use instagram_webhook_types::{Container, EventKind, ItemError, Notification};
///
/// let body = br#"{"object":"instagram","entry":[{"id":"17841405726653026","time":1520622968,
///   "changes":[{"value":{"media_id":"17918195224117851","comment_id":"17894227972186120"},"field":"mentions"}]}]}"#;
/// let notification: Notification<'_> = serde_json::from_slice(body)?;
/// assert_eq!(notification.object(), Some("instagram"));
///
/// for event in notification.events() {
///     // An item error borrows the notification: detach it to return it with `?`.
///     let event = event.map_err(ItemError::into_owned)?;
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// It is the faster way: the body's UTF-8 is checked once, in one pass over all of it,
    /// instead of string by string as `serde_json::from_slice` does (the same bodies are
    /// accepted; a body that is not UTF-8 gets `serde_json`'s own error, with its position).
    ///
    /// # Errors
    ///
    /// [`Error::Envelope`] when the body is not an Instagram webhook envelope (see the type docs).
    pub fn from_slice(body: &'a [u8]) -> Result<Self, Error> {
        let parsed = match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        };
        parsed.map_err(|e| Error::Envelope(JsonError::new(&e)))
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
    /// The events borrow from the notification (and through it from the body, for a borrowed
    /// one); [`Event::into_owned`] detaches one. Each call decodes the items again: iterate
    /// once, or collect.
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
    pub fn events(&self) -> Events<'_> {
        Events {
            entries: &self.entry,
            entry: 0,
            stage: Stage::Start,
            item: 0,
        }
    }

    /// Copies what still borrows the body, so the notification no longer does, without parsing
    /// anything again: each item's raw JSON is copied byte for byte (a `memcpy`, no
    /// validation), as are the few strings (`entry.id`, a change's `field`, `object`; the
    /// field names Meta uses are shared, not copied). Items stay undecoded until
    /// [`events`](Self::events), which yields the same results as on the borrowed notification.
    ///
    /// ```
    /// use instagram_webhook_types::{EventKind, Notification};
    ///
    /// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
    ///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,"message":{"mid":"m1","text":"hi"}}]}]}"#
    ///     .to_vec();
    /// let borrowed = Notification::from_slice(&body)?;
    /// let owned: Notification<'static> = borrowed.clone().into_owned();
    /// drop(body);
    ///
    /// let event = owned.events().next().unwrap().unwrap();
    /// assert_eq!(event.kind(), EventKind::Message);
    /// assert_eq!(event.dedup_key().as_str(), "1784:message:m1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_owned(self) -> Notification<'static> {
        self.into_static()
    }
}

impl IntoStatic for Notification<'_> {
    type Static = Notification<'static>;

    fn into_static(self) -> Self::Static {
        Notification {
            object: self.object.map(static_field),
            entry: self.entry.into_static(),
        }
    }
}

/// One `entry[]` element: the updates for one Instagram account.
///
/// Its items are kept as raw JSON ([`RawJson`]: borrowed from the body, or owned after
/// [`into_owned`](Self::into_owned)) and decoded by [`Notification::events`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
pub struct Entry<'a> {
    #[serde(borrow)]
    id: Id<'a>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time: Option<Timestamp>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    changes: Option<Vec<Change<'a>>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    messaging: Option<Vec<RawJson<'a>>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    standby: Option<Vec<RawJson<'a>>>,
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

    /// The raw `messaging` items, if the entry has that key. Each derefs to a [`RawValue`]
    /// (`item.get()` is its JSON text).
    pub fn messaging(&self) -> Option<&[RawJson<'a>]> {
        self.messaging.as_deref()
    }

    /// The raw `standby` items, if the entry has that key. Each derefs to a [`RawValue`].
    pub fn standby(&self) -> Option<&[RawJson<'a>]> {
        self.standby.as_deref()
    }

    /// Copies what still borrows the body; see [`Notification::into_owned`].
    pub fn into_owned(self) -> Entry<'static> {
        self.into_static()
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

impl IntoStatic for Entry<'_> {
    type Static = Entry<'static>;

    fn into_static(self) -> Self::Static {
        Entry {
            id: self.id.into_static(),
            time: self.time,
            changes: self.changes.into_static(),
            messaging: self.messaging.into_static(),
            standby: self.standby.into_static(),
        }
    }
}

/// One `changes[]` element: `{"field": ..., "value": ...}` in either key order.
///
/// The `value` stays raw until [`Notification::events`] decodes it by `field`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    value: Option<RawJson<'a>>,
}

impl<'a> Change<'a> {
    /// The subscribed field this change is for (`comments`, `mentions`, `messages`...).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The raw `value`, borrowed from the change.
    pub fn value(&self) -> Option<&RawValue> {
        self.value.as_deref()
    }

    /// Copies what still borrows the body; see [`Notification::into_owned`].
    pub fn into_owned(self) -> Change<'static> {
        self.into_static()
    }
}

impl IntoStatic for Change<'_> {
    type Static = Change<'static>;

    fn into_static(self) -> Self::Static {
        Change {
            field: self.field.map(static_field),
            value: self.value.into_static(),
        }
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
///
/// The events borrow from the notification (`'n`).
#[derive(Clone, Debug)]
pub struct Events<'n> {
    entries: &'n [Entry<'n>],
    entry: usize,
    stage: Stage,
    item: usize,
}

/// One result of [`Notification::events`].
pub type EventResult<'a> = Result<Event<'a>, ItemError<'a>>;

impl<'n> Events<'n> {
    fn context(
        &self,
        entry: &'n Entry<'n>,
        container: Container,
        field: Option<&'n str>,
    ) -> EventContext<'n> {
        EventContext {
            // Borrowed from the notification: no copy, whether it is borrowed or owned.
            account_id: Id::from(entry.id.as_str()),
            entry_time: entry
                .time
                .clone()
                .map(|t| t.with_unit(container.entry_time_unit())),
            container,
            field: field.map(Cow::Borrowed),
            position: Position::new(self.entry, self.item),
        }
    }

    fn item_error(
        context: EventContext<'n>,
        kind: ItemErrorKind,
        raw: Option<&'n RawValue>,
    ) -> ItemError<'n> {
        ItemError {
            position: context.position,
            container: context.container,
            account_id: context.account_id,
            field: context.field,
            kind,
            raw: raw.map(RawJson::Borrowed),
        }
    }

    fn change(&self, entry: &'n Entry<'n>, change: &'n Change<'n>) -> EventResult<'n> {
        let context = self.context(entry, Container::Changes, change.field.as_deref());
        let Some(value) = change.value() else {
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
        entry: &'n Entry<'n>,
        container: Container,
        raw: &'n RawValue,
    ) -> EventResult<'n> {
        let context = self.context(entry, container, None);
        match decode::item(container, None, raw) {
            Ok(decoded) => Ok(Event::from_parts(context, decoded, raw)),
            Err(kind) => Err(Self::item_error(context, kind, Some(raw))),
        }
    }
}

impl<'n> Iterator for Events<'n> {
    type Item = EventResult<'n>;

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
                        let result =
                            self.messaging(entry, Container::Messaging, raw.as_raw_value());
                        self.item += 1;
                        return Some(result);
                    }
                    self.stage = Stage::Standby;
                    self.item = 0;
                }
                Stage::Standby => {
                    if let Some(raw) = entry.standby.as_deref().and_then(|m| m.get(self.item)) {
                        let result = self.messaging(entry, Container::Standby, raw.as_raw_value());
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

impl ExactSizeIterator for Events<'_> {}

impl FusedIterator for Events<'_> {}
