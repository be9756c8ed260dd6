//! Serde models of every Instagram webhook payload Meta sends: typed, lossless and
//! forward-compatible.
//!
//! # The model
//!
//! A webhook POST body is a [`Notification`]: `object` plus `entry[]`, each entry holding
//! `changes[]`, `messaging[]` or `standby[]` items. Deserialize it straight from the body bytes
//! (`serde_json::from_slice::<Notification>(&body)` or [`Notification::from_slice`]); it borrows
//! from them and decodes only the envelope. [`Notification::events`] then decodes each item
//! lazily and yields one `Result` per item, in order: a malformed item is an [`ItemError`] next
//! to its good neighbours, never a failed parse of the whole body.
//!
//! Each [`Event`] carries its context (account id, entry time, [`Container`], position), its
//! [`EventKind`], a typed [`EventPayload`], the messaging header (sender, recipient, timestamp)
//! when it is a messaging item, and its raw JSON. It serializes and deserializes (round trip),
//! and [`Event::into_owned`] detaches it from the body so it can be queued.
//!
//! ```
//! use instagram_webhook_types::{EventKind, EventPayload, Notification};
//!
//! let body = br#"{"object":"instagram","entry":[{"id":"17841400538867190","time":1762031165141,
//!   "messaging":[{"sender":{"id":"1129842642640637"},"recipient":{"id":"17841400538867190"},
//!   "timestamp":1762031146380,"message":{"mid":"aWdfZAG1f","text":"oi"}}]}]}"#;
//! let notification: Notification<'_> = serde_json::from_slice(body)?;
//! for result in notification.events() {
//!     match result {
//!         Ok(event) => {
//!             assert_eq!(event.kind(), EventKind::Message);
//!             if let EventPayload::Message(message) = event.payload() {
//!                 assert_eq!(message.text.as_deref(), Some("oi"));
//!             }
//!             println!("{} {}", event.kind(), event.dedup_key());
//!         }
//!         Err(error) => eprintln!("skipped one item: {error}"),
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Kinds
//!
//! [`EventKind`] lists every kind with the fields it arrives in (a table generated from the
//! crate's one list of kinds, like everything else that names them); [`EventPayload`] has the
//! typed payload of each: [`Comment`], [`Mention`], [`StoryInsights`], [`Message`] (also for
//! `story_mention`), [`Reaction`], [`Postback`], [`Read`], [`MessageEdit`], [`Referral`],
//! [`Optin`], [`Handover`], and [`UnknownEvent`] (field name + raw JSON) for anything else.
//! Kinds print, serialize and parse (`"comment".parse::<EventKind>()`) as their `snake_case`
//! names.
//!
//! # Keeping a notification
//!
//! A [`Notification`] borrows from the body. [`Notification::into_owned`] detaches it without
//! parsing again (each item's raw JSON is copied as is), so a receiver can keep the parsed
//! envelope next to the body bytes and decode the items later; [`Notification::events`]
//! yields events borrowing from the notification, borrowed or owned, and they are the same.
//!
//! # Quirks handled
//!
//! - **Key order**: Meta often sends `value` before `field` and `object` last; nothing depends on
//!   order (each change's `value` is kept raw and decoded by `field` afterwards).
//! - **Test button**: the App Dashboard sends messaging fields inside `changes` (`field` =
//!   `messages`, `message_reactions`, ...), with the messaging item as `value`. The event payload
//!   is the same as from `messaging`; [`Event::container`] still says `changes`.
//! - **Times** ([`Timestamp`]): a number or a numeric string; `entry.time` is seconds in
//!   `changes` entries and milliseconds in `messaging`/`standby` entries; an item `timestamp` is
//!   milliseconds live but seconds from the Test button, so its unit is inferred from the
//!   magnitude. A non-numeric string (ISO-8601 in third-party fixtures, placeholders in Meta's
//!   docs) is kept as text instead of failing the item.
//! - **Ids** ([`Id`]): strings, JSON integers accepted, never floats (an id beyond 2^64 is an
//!   item error rather than a silently rounded id); `entry.id` is `"0"` for Test deliveries.
//! - **Optional parts**: `messaging_seen` without sender/recipient, `message_edit` without
//!   sender or text, `num_edit` as number or string ([`EditCount`]), `unreact` without
//!   `reaction`/`emoji`, `ephemeral` attachments without payload, `like_heart` with `{}`,
//!   story-insight metrics of `-1` (fewer than 5) or absent, `object` absent.
//! - **Open vocabularies**: unknown attachment types become [`Attachment::Other`] (type name and
//!   raw payload kept), unknown fields become [`EventKind::Unknown`] events, unknown keys are
//!   ignored. The `strict` feature instead rejects unknown keys, so a test suite notices when
//!   Meta adds one; it is not meant for production.
//! - **Standby**: items of `standby[]` yield their events with [`Container::Standby`].
//!
//! # Dedup keys
//!
//! Meta redelivers without a delivery id; [`Event::dedup_key`] gives a stable key built from the
//! payload and prefixed with the account id, e.g. `17841400538867190:message:aWdfZAG1f`. See
//! [`DedupKey`] for the format of each kind, and [`DedupParts`] to compute a key from stored
//! parts without an [`Event`].
//!
//! # Errors
//!
//! [`Notification::from_slice`] fails with [`Error::Envelope`] only when the body is not an
//! envelope (not JSON, not an object, no `entry` array, an entry without `id`). Everything
//! below is per item: [`ItemError`] says where (entry, container, item index, field), what
//! ([`ItemErrorKind`]) and keeps the item's raw JSON.

// The modules form a tree, leaves first; each imports only from the groups above it.
//
// - Leaves: `de`, `numeric`, `owned`, `raw`, `id`, `time`, `location` (container, position).
// - Payload models: `attachment`, `comment`, `edit`, `insights`, `mention`, `message`,
//   `messaging`, `reaction`.
// - `kind`: the one list of kinds (`EventKind`, `EventPayload`, the field lookups).
// - `error`, `dedup` (keys from plain parts), `decode` (one item into a payload).
// - `event`: `Event` and its context; `notification`: the envelope and its iterator.
mod attachment;
mod comment;
mod de;
mod decode;
mod dedup;
mod edit;
mod error;
mod event;
mod id;
mod insights;
mod kind;
mod location;
mod mention;
mod message;
mod messaging;
mod notification;
mod numeric;
mod owned;
mod raw;
mod reaction;
mod time;

pub use attachment::{Attachment, AttachmentPayload};
pub use comment::{Comment, CommentAuthor, CommentMedia};
pub use dedup::{DedupKey, DedupParts};
pub use edit::{EditCount, MessageEdit};
pub use error::{Error, ItemError, ItemErrorKind, JsonError};
pub use event::{Event, EventContext};
pub use id::Id;
pub use insights::StoryInsights;
pub use kind::{EventKind, EventPayload, ParseEventKindError, UnknownEvent};
pub use location::{Container, Position};
pub use mention::Mention;
pub use message::{Message, QuickReply, ReplyTo, StoryRef};
pub use messaging::{
    AdsContextData, Handover, MessagingHeader, Optin, Participant, Postback, Read, Referral,
    ReferralProduct, ThreadControl,
};
pub use notification::{Change, Entry, EventResult, Events, Notification};
pub use raw::RawJson;
pub use reaction::{Reaction, ReactionAction};
pub use serde_json::value::RawValue;
pub use time::{TimeUnit, Timestamp};
