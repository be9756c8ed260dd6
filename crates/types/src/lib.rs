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
//! | kind | container | payload |
//! |---|---|---|
//! | `comment` / `live_comment` | `changes`, field `comments` / `live_comments` | [`Comment`] |
//! | `mention` | `changes`, field `mentions` | [`Mention`] |
//! | `story_insights` | `changes`, field `story_insights` | [`StoryInsights`] |
//! | `message` | `messaging`/`standby` `message` | [`Message`] |
//! | `story_mention` | a `message` with a `story_mention` attachment | [`Message`] |
//! | `message_reaction` | `reaction` | [`Reaction`] |
//! | `messaging_postback` | `postback` | [`Postback`] |
//! | `messaging_seen` | `read` | [`Read`] |
//! | `message_edit` | `message_edit` | [`MessageEdit`] |
//! | `messaging_referral` | `referral` (outside a message) | [`Referral`] |
//! | `messaging_optin` | `optin` | [`Optin`] |
//! | `messaging_handover` | `pass_`/`take_`/`request_thread_control` | [`Handover`] |
//! | `unknown` | anything else | [`UnknownEvent`]: field name + raw JSON |
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
//! [`DedupKey`] for the format of each kind.
//!
//! # Errors
//!
//! [`Notification::from_slice`] fails with [`Error::Envelope`] only when the body is not an
//! envelope (not JSON, not an object, no `entry` array, an entry without `id`). Everything
//! below is per item: [`ItemError`] says where (entry, container, item index, field), what
//! ([`ItemErrorKind`]) and keeps the item's raw JSON.

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
pub use dedup::DedupKey;
pub use edit::{EditCount, MessageEdit};
pub use error::{Error, ItemError, ItemErrorKind, JsonError};
pub use event::{Event, EventContext, EventKind, EventPayload, UnknownEvent};
pub use id::Id;
pub use insights::StoryInsights;
pub use mention::Mention;
pub use message::{Message, QuickReply, ReplyTo, StoryRef};
pub use messaging::{
    AdsContextData, Handover, MessagingHeader, Optin, Participant, Postback, Read, Referral,
    ReferralProduct, ThreadControl,
};
pub use notification::{Change, Container, Entry, EventResult, Events, Notification, Position};
pub use raw::RawJson;
pub use reaction::{Reaction, ReactionAction};
pub use serde_json::value::RawValue;
pub use time::{TimeUnit, Timestamp};
