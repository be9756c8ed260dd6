//! Events: one typed item of a notification, with its context.

use std::borrow::Cow;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::decode::{self, Decoded};
use crate::dedup::{DedupKey, DedupParts};
use crate::id::Id;
use crate::kind::{self, EventKind, EventPayload};
use crate::location::{Container, Position};
use crate::messaging::{MessagingHeader, Participant};
use crate::owned::IntoStatic;
use crate::raw::RawJson;
use crate::time::Timestamp;

/// Where an event came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventContext<'a> {
    /// The Instagram account (`entry.id`); `"0"` for Test-button deliveries.
    #[serde(borrow)]
    pub account_id: Id<'a>,
    /// `entry.time`, with the unit of the container (seconds for `changes`, milliseconds for
    /// `messaging`/`standby`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_time: Option<Timestamp>,
    /// The array the item came from.
    pub container: Container,
    /// The change's `field`, for items of `changes`.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub field: Option<Cow<'a, str>>,
    /// Entry and item index in the notification.
    #[serde(default)]
    pub position: Position,
}

impl IntoStatic for EventContext<'_> {
    type Static = EventContext<'static>;

    fn into_static(self) -> Self::Static {
        EventContext {
            account_id: self.account_id.into_static(),
            entry_time: self.entry_time,
            container: self.container,
            field: self.field.map(kind::static_field),
            position: self.position,
        }
    }
}

impl EventContext<'_> {
    /// Copies every borrowed string so the value no longer borrows the request body.
    pub fn into_owned(self) -> EventContext<'static> {
        self.into_static()
    }
}

/// One item of a notification, typed, with its context and its raw JSON.
///
/// The payload is the same whichever container carried the item: a `messages` change sent by
/// the Test button yields the same [`EventPayload::Message`] as a live `messaging` item; only
/// [`container`](Self::container) tells them apart.
///
/// # Serialization
///
/// An event serializes to a self-describing object, so it can be queued and read back:
///
/// ```json
/// {"account_id": "1784...", "entry_time": 1569262486134, "container": "messaging",
///  "position": {"entry": 0, "item": 0}, "kind": "message", "dedup_key": "1784...:message:aWdf...",
///  "messaging": {"sender": {"id": "..."}, "recipient": {"id": "..."}, "timestamp": 1569262485349},
///  "payload": {"kind": "message", "data": {"mid": "aWdf...", "text": "hi"}},
///  "raw": {"sender": {"id": "..."}, ...the item exactly as received...}}
/// ```
///
/// Deserializing decodes the payload again from `raw` (`kind`, `dedup_key`, `messaging` and
/// `payload` are informative), so a round trip gives back an equal event. Deserializing borrows
/// from the input: use `serde_json::from_slice`/`from_str`, then [`into_owned`](Self::into_owned)
/// to keep the event past the buffer.
///
/// ```
/// use instagram_webhook_types::{Event, Notification};
///
/// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,"message":{"mid":"m1","text":"hi"}}]}]}"#;
/// let notification = Notification::from_slice(body)?;
/// let event = notification.events().next().unwrap().unwrap().into_owned();
///
/// let queued = serde_json::to_vec(&event)?;
/// let back: Event<'_> = serde_json::from_slice(&queued)?;
/// assert_eq!(back, event);
/// assert_eq!(back.raw().get(), event.raw().get());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    context: EventContext<'a>,
    messaging: Option<MessagingHeader<'a>>,
    payload: EventPayload<'a>,
    raw: RawJson<'a>,
}

impl<'a> Event<'a> {
    pub(crate) fn from_parts(
        context: EventContext<'a>,
        decoded: Decoded<'a>,
        raw: &'a RawValue,
    ) -> Self {
        Self {
            context,
            messaging: decoded.header,
            payload: decoded.payload,
            raw: RawJson::Borrowed(raw),
        }
    }

    /// The kind of event.
    pub fn kind(&self) -> EventKind {
        self.payload.kind()
    }

    /// The key a store can use to drop redeliveries of this event; see [`DedupKey`].
    pub fn dedup_key(&self) -> DedupKey {
        self.dedup_parts().key()
    }

    /// The parts [`dedup_key`](Self::dedup_key) is computed from.
    pub fn dedup_parts(&self) -> DedupParts<'_, 'a> {
        let mut parts = DedupParts::new(self.account_id(), &self.payload, self.raw());
        parts.entry_time = self.entry_time();
        parts.sender = self.sender().map(|s| s.id.as_str());
        parts.timestamp = self.timestamp();
        parts
    }

    /// The Instagram account the event is for (`entry.id`).
    pub fn account_id(&self) -> &Id<'a> {
        &self.context.account_id
    }

    /// The array the item came from.
    pub fn container(&self) -> Container {
        self.context.container
    }

    /// Whether the item came from `standby` (another app owns the thread).
    pub fn is_standby(&self) -> bool {
        self.context.container == Container::Standby
    }

    /// `entry.time`, in the container's unit.
    pub fn entry_time(&self) -> Option<&Timestamp> {
        self.context.entry_time.as_ref()
    }

    /// The change's `field`, for items of `changes`.
    pub fn field(&self) -> Option<&str> {
        self.context.field.as_deref()
    }

    /// Where the item was in the notification.
    pub fn position(&self) -> Position {
        self.context.position
    }

    /// The whole context.
    pub fn context(&self) -> &EventContext<'a> {
        &self.context
    }

    /// The typed payload.
    pub fn payload(&self) -> &EventPayload<'a> {
        &self.payload
    }

    /// The typed payload, by value.
    pub fn into_payload(self) -> EventPayload<'a> {
        self.payload
    }

    /// Sender, recipient, timestamp and item-level `is_self` of a messaging item (also when a
    /// Test-button delivery carried it in `changes`); `None` for comments, mentions and story
    /// insights.
    pub fn messaging(&self) -> Option<&MessagingHeader<'a>> {
        self.messaging.as_ref()
    }

    /// The sender of a messaging item, if Meta sent one.
    pub fn sender(&self) -> Option<&Participant<'a>> {
        self.messaging.as_ref()?.sender.as_ref()
    }

    /// The recipient of a messaging item, if Meta sent one.
    pub fn recipient(&self) -> Option<&Participant<'a>> {
        self.messaging.as_ref()?.recipient.as_ref()
    }

    /// The `timestamp` of a messaging item, if Meta sent one.
    pub fn timestamp(&self) -> Option<&Timestamp> {
        self.messaging.as_ref()?.timestamp.as_ref()
    }

    /// The item's JSON exactly as received: the change's `value`, or the messaging item.
    pub fn raw(&self) -> &RawValue {
        self.raw.as_raw_value()
    }

    /// Copies every borrowed part so the event no longer borrows the request body.
    pub fn into_owned(self) -> Event<'static> {
        Event {
            context: self.context.into_static(),
            messaging: self.messaging.into_static(),
            payload: self.payload.into_static(),
            raw: self.raw.into_static(),
        }
    }
}

#[derive(Serialize)]
struct EventOut<'e, 'a> {
    #[serde(flatten)]
    context: &'e EventContext<'a>,
    kind: EventKind,
    dedup_key: DedupKey,
    #[serde(skip_serializing_if = "Option::is_none")]
    messaging: Option<&'e MessagingHeader<'a>>,
    payload: &'e EventPayload<'a>,
    raw: &'e RawJson<'a>,
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EventOut {
            context: &self.context,
            kind: self.kind(),
            dedup_key: self.dedup_key(),
            messaging: self.messaging.as_ref(),
            payload: &self.payload,
            raw: &self.raw,
        }
        .serialize(serializer)
    }
}

#[derive(Deserialize)]
struct EventIn<'a> {
    #[serde(borrow)]
    account_id: Id<'a>,
    #[serde(default)]
    entry_time: Option<Timestamp>,
    container: Container,
    #[serde(default, borrow, deserialize_with = "crate::de::opt_str")]
    field: Option<Cow<'a, str>>,
    #[serde(default)]
    position: Position,
    #[serde(borrow)]
    raw: &'a RawValue,
}

impl<'de: 'a, 'a> Deserialize<'de> for Event<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = EventIn::deserialize(deserializer)?;
        let decoded = decode::item(wire.container, wire.field.as_ref(), wire.raw)
            .map_err(D::Error::custom)?;
        let context = EventContext {
            account_id: wire.account_id,
            entry_time: wire
                .entry_time
                .map(|t| t.with_unit(wire.container.entry_time_unit())),
            container: wire.container,
            field: wire.field,
            position: wire.position,
        };
        Ok(Event::from_parts(context, decoded, wire.raw))
    }
}
