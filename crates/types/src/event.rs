//! Events: one typed item of a notification, with its context.

use std::borrow::Cow;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::comment::Comment;
use crate::decode::{self, Decoded};
use crate::dedup::{self, DedupKey};
use crate::edit::MessageEdit;
use crate::id::Id;
use crate::insights::StoryInsights;
use crate::mention::Mention;
use crate::message::Message;
use crate::messaging::{Handover, MessagingHeader, Optin, Participant, Postback, Read, Referral};
use crate::notification::{Container, Position};
use crate::owned::{IntoStatic, impl_into_owned};
use crate::raw::RawJson;
use crate::reaction::Reaction;
use crate::time::Timestamp;

/// The kind of an [`Event`], printed, logged and serialized in `snake_case`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// `comment`: a comment on the account's media (`changes`, field `comments`).
    Comment,
    /// `live_comment`: a comment on a live broadcast (`changes`, field `live_comments`).
    LiveComment,
    /// `mention`: an @mention in a caption or comment (`changes`, field `mentions`).
    Mention,
    /// `story_mention`: a message whose attachment is a `story_mention`.
    StoryMention,
    /// `message`: a direct message or an echo (`messaging`, field `messages`).
    Message,
    /// `message_reaction`: a reaction added or removed (`messaging`, field `message_reactions`).
    MessageReaction,
    /// `messaging_postback`: a button or icebreaker tap (`messaging`, field `messaging_postbacks`).
    MessagingPostback,
    /// `messaging_seen`: a read receipt (`messaging`, field `messaging_seen`).
    MessagingSeen,
    /// `story_insights`: metrics of an expired story (`changes`, field `story_insights`).
    StoryInsights,
    /// `message_edit`: an edited message (`messaging`, field `message_edit`).
    MessageEdit,
    /// `messaging_referral`: a referral in an existing thread (`messaging`, field `messaging_referral`).
    MessagingReferral,
    /// `messaging_optin`: an opt-in (`messaging`, field `messaging_optins`).
    MessagingOptin,
    /// `messaging_handover`: thread control passed, taken or requested (`messaging_handover`).
    MessagingHandover,
    /// `unknown`: anything else; the field name and raw JSON are kept.
    Unknown,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 14] = [
        Self::Comment,
        Self::LiveComment,
        Self::Mention,
        Self::StoryMention,
        Self::Message,
        Self::MessageReaction,
        Self::MessagingPostback,
        Self::MessagingSeen,
        Self::StoryInsights,
        Self::MessageEdit,
        Self::MessagingReferral,
        Self::MessagingOptin,
        Self::MessagingHandover,
        Self::Unknown,
    ];

    /// The `snake_case` name: `comment`, `live_comment`, `message_reaction`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Comment => "comment",
            Self::LiveComment => "live_comment",
            Self::Mention => "mention",
            Self::StoryMention => "story_mention",
            Self::Message => "message",
            Self::MessageReaction => "message_reaction",
            Self::MessagingPostback => "messaging_postback",
            Self::MessagingSeen => "messaging_seen",
            Self::StoryInsights => "story_insights",
            Self::MessageEdit => "message_edit",
            Self::MessagingReferral => "messaging_referral",
            Self::MessagingOptin => "messaging_optin",
            Self::MessagingHandover => "messaging_handover",
            Self::Unknown => "unknown",
        }
    }

    /// The kind with this `snake_case` name, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The typed content of an [`Event`], one variant per [`EventKind`].
///
/// Messaging variants hold the inner object (`message`, `reaction`, ...); the sender, recipient
/// and timestamp around it are on the [`Event`] ([`Event::messaging`]).
///
/// Serializes as `{"kind": "<snake_case kind>", "data": <the object as Meta sends it>}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventPayload<'a> {
    /// A comment on the account's media.
    Comment(#[serde(borrow)] Comment<'a>),
    /// A comment on a live broadcast.
    LiveComment(#[serde(borrow)] Comment<'a>),
    /// An @mention.
    Mention(#[serde(borrow)] Mention<'a>),
    /// A message with a `story_mention` attachment.
    StoryMention(#[serde(borrow)] Message<'a>),
    /// A message or echo.
    Message(#[serde(borrow)] Message<'a>),
    /// A reaction added or removed.
    MessageReaction(#[serde(borrow)] Reaction<'a>),
    /// A postback.
    MessagingPostback(#[serde(borrow)] Postback<'a>),
    /// A read receipt.
    MessagingSeen(#[serde(borrow)] Read<'a>),
    /// Story metrics.
    StoryInsights(#[serde(borrow)] StoryInsights<'a>),
    /// An edited message.
    MessageEdit(#[serde(borrow)] MessageEdit<'a>),
    /// A standalone referral (boxed: large and rare).
    MessagingReferral(#[serde(borrow)] Box<Referral<'a>>),
    /// An opt-in (boxed: large and rare).
    MessagingOptin(#[serde(borrow)] Box<Optin<'a>>),
    /// A handover-protocol event.
    MessagingHandover(#[serde(borrow)] Handover<'a>),
    /// Anything else.
    Unknown(#[serde(borrow)] UnknownEvent<'a>),
}

impl EventPayload<'_> {
    /// The kind of this payload.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Comment(_) => EventKind::Comment,
            Self::LiveComment(_) => EventKind::LiveComment,
            Self::Mention(_) => EventKind::Mention,
            Self::StoryMention(_) => EventKind::StoryMention,
            Self::Message(_) => EventKind::Message,
            Self::MessageReaction(_) => EventKind::MessageReaction,
            Self::MessagingPostback(_) => EventKind::MessagingPostback,
            Self::MessagingSeen(_) => EventKind::MessagingSeen,
            Self::StoryInsights(_) => EventKind::StoryInsights,
            Self::MessageEdit(_) => EventKind::MessageEdit,
            Self::MessagingReferral(_) => EventKind::MessagingReferral,
            Self::MessagingOptin(_) => EventKind::MessagingOptin,
            Self::MessagingHandover(_) => EventKind::MessagingHandover,
            Self::Unknown(_) => EventKind::Unknown,
        }
    }

    /// Copies every borrowed string so the value no longer borrows the request body.
    pub fn into_owned(self) -> EventPayload<'static> {
        self.into_static()
    }
}

impl IntoStatic for EventPayload<'_> {
    type Static = EventPayload<'static>;

    fn into_static(self) -> Self::Static {
        match self {
            Self::Comment(v) => EventPayload::Comment(v.into_static()),
            Self::LiveComment(v) => EventPayload::LiveComment(v.into_static()),
            Self::Mention(v) => EventPayload::Mention(v.into_static()),
            Self::StoryMention(v) => EventPayload::StoryMention(v.into_static()),
            Self::Message(v) => EventPayload::Message(v.into_static()),
            Self::MessageReaction(v) => EventPayload::MessageReaction(v.into_static()),
            Self::MessagingPostback(v) => EventPayload::MessagingPostback(v.into_static()),
            Self::MessagingSeen(v) => EventPayload::MessagingSeen(v.into_static()),
            Self::StoryInsights(v) => EventPayload::StoryInsights(v.into_static()),
            Self::MessageEdit(v) => EventPayload::MessageEdit(v.into_static()),
            Self::MessagingReferral(v) => EventPayload::MessagingReferral(v.into_static()),
            Self::MessagingOptin(v) => EventPayload::MessagingOptin(v.into_static()),
            Self::MessagingHandover(v) => EventPayload::MessagingHandover(v.into_static()),
            Self::Unknown(v) => EventPayload::Unknown(v.into_static()),
        }
    }
}

/// An item this version does not model: the field name and the raw JSON, as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnknownEvent<'a> {
    /// The change's `field`, or for a messaging item its first key besides
    /// `sender`/`recipient`/`timestamp`.
    #[serde(borrow)]
    pub field: Cow<'a, str>,
    /// The item's JSON (the change's `value`, or the whole messaging item).
    #[serde(borrow)]
    pub raw: RawJson<'a>,
}

impl_into_owned!(UnknownEvent { field, raw });

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

impl_into_owned!(EventContext {
    account_id,
    entry_time,
    container,
    field,
    position
});

impl IntoStatic for Container {
    type Static = Self;

    fn into_static(self) -> Self {
        self
    }
}

impl IntoStatic for Position {
    type Static = Self;

    fn into_static(self) -> Self {
        self
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
/// let event = notification.events().next().unwrap()?.into_owned();
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
        dedup::key(self)
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
