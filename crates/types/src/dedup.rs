//! Dedup keys: a stable key per event, so a store can drop Meta's redeliveries.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::kind::EventPayload;
use crate::time::Timestamp;

/// A stable key identifying an event across Meta's redeliveries.
///
/// Meta sends no delivery id, so the key is built from the payload. Format, with `:` between
/// parts and an absent part written as the empty string:
///
/// | kind | key |
/// |---|---|
/// | `message`, `story_mention` | `{account}:{kind}:{mid}` (echoes included) |
/// | `messaging_postback`, `messaging_seen` | `{account}:{kind}:{mid}` |
/// | `message_edit` | `{account}:message_edit:{mid}:{num_edit}` |
/// | `message_reaction` | `{account}:message_reaction:{mid}:{action}:{sender}:{timestamp}` |
/// | `comment`, `live_comment` | `{account}:{kind}:{comment id}` (`id`, or `comment_id`) |
/// | `mention` | `{account}:mention:{media_id}:{comment_id}` |
/// | `story_insights` | `{account}:story_insights:{media_id}:{entry.time}` |
/// | anything else | `{account}:{kind}:sha256:{hex}` |
/// | `unknown` | `{account}:unknown:{field}:sha256:{hex}` |
///
/// `{account}` is `entry.id`; numbers (`num_edit`, timestamps) are written as Meta sent them.
/// `{hex}` is the lowercase SHA-256 of the item's raw JSON bytes (the change's `value` or the
/// messaging item), which is also the fallback when a kind's id is missing (a postback or read
/// receipt without `mid`, a comment without id). The same item delivered through `changes`
/// (Test button) or `messaging` gets the same key; react and unreact on one message differ.
///
/// [`Event::dedup_key`](crate::Event::dedup_key) gives an event's key; [`DedupParts`] computes
/// it from the parts alone (a store that kept them can rebuild a key without an `Event`).
///
/// ```
/// use instagram_webhook_types::Notification;
///
/// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,
///    "reaction":{"mid":"m1","action":"react","reaction":"love","emoji":"\u2764"}}]}]}"#;
/// let notification = Notification::from_slice(body)?;
/// let event = notification.events().next().unwrap().unwrap();
/// assert_eq!(event.dedup_key().as_str(), "1784:message_reaction:m1:react:42:1569262485349");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DedupKey(String);

impl DedupKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as a `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for DedupKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<DedupKey> for String {
    fn from(key: DedupKey) -> Self {
        key.0
    }
}

impl DedupKey {
    /// The key of the event made of these parts; the same as
    /// [`Event::dedup_key`](crate::Event::dedup_key) for an event with these parts.
    pub fn from_parts(parts: &DedupParts<'_, '_>) -> Self {
        parts.key()
    }
}

/// What a [`DedupKey`] is computed from: the account id, the entry time, the messaging
/// sender and timestamp, the payload and the item's raw JSON.
///
/// The container is not a part: the same item delivered through `changes` (Test button),
/// `messaging` or `standby` gets the same key. Only the parts a kind uses matter (see the
/// table on [`DedupKey`]): the entry time for `story_insights`, sender and timestamp for
/// `message_reaction`, the raw JSON for the kinds keyed by a hash.
///
/// ```
/// use instagram_webhook_types::{DedupKey, DedupParts, EventPayload, Notification, RawValue};
///
/// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,
///    "reaction":{"mid":"m1","action":"unreact"}}]}]}"#;
/// let notification = Notification::from_slice(body)?;
/// let event = notification.events().next().unwrap().unwrap();
///
/// // A store kept the payload, the raw item, the account, the sender and the timestamp.
/// let stored = serde_json::to_string(event.payload())?;
/// let payload: EventPayload<'_> = serde_json::from_str(&stored)?;
/// let raw: &RawValue = event.raw();
/// let mut parts = DedupParts::new("1784", &payload, raw);
/// parts.sender = Some("42");
/// parts.timestamp = event.timestamp();
/// assert_eq!(DedupKey::from_parts(&parts), event.dedup_key());
/// assert_eq!(parts.key().as_str(), "1784:message_reaction:m1:unreact:42:1569262485349");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct DedupParts<'p, 'a> {
    /// The Instagram account (`entry.id`).
    pub account_id: &'p str,
    /// `entry.time`, written as Meta sent it (used by `story_insights`).
    pub entry_time: Option<&'p Timestamp>,
    /// The messaging item's sender id (used by `message_reaction`).
    pub sender: Option<&'p str>,
    /// The messaging item's `timestamp`, written as Meta sent it (used by `message_reaction`).
    pub timestamp: Option<&'p Timestamp>,
    /// The typed payload; it gives the kind.
    pub payload: &'p EventPayload<'a>,
    /// The item's JSON exactly as received: the change's `value` or the messaging item.
    pub raw: &'p RawValue,
}

impl<'p, 'a> DedupParts<'p, 'a> {
    /// The parts every key needs; set [`entry_time`](Self::entry_time),
    /// [`sender`](Self::sender) and [`timestamp`](Self::timestamp) when known.
    pub fn new(account_id: &'p str, payload: &'p EventPayload<'a>, raw: &'p RawValue) -> Self {
        Self {
            account_id,
            entry_time: None,
            sender: None,
            timestamp: None,
            payload,
            raw,
        }
    }

    /// The key; see [`DedupKey`] for its format.
    pub fn key(&self) -> DedupKey {
        let account = self.account_id;
        let kind = self.payload.kind().as_str();
        let raw = self.raw.get();
        let by_id = |id: Option<&str>| match id {
            Some(id) => join(&[account, kind, id]),
            None => hashed(account, kind, None, raw),
        };
        match self.payload {
            EventPayload::Message(m) | EventPayload::StoryMention(m) => by_id(Some(&m.mid)),
            EventPayload::MessagingPostback(p) => by_id(p.mid.as_deref()),
            EventPayload::MessagingSeen(r) => by_id(r.mid.as_deref()),
            EventPayload::Comment(c) | EventPayload::LiveComment(c) => {
                by_id(c.effective_id().map(|id| id.as_str()))
            }
            EventPayload::MessageEdit(e) => {
                let num_edit = e
                    .num_edit
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                join(&[account, kind, &e.mid, &num_edit])
            }
            EventPayload::MessageReaction(r) => {
                let sender = self.sender.unwrap_or("");
                let timestamp = self.timestamp.map(ToString::to_string).unwrap_or_default();
                join(&[account, kind, &r.mid, r.action.as_str(), sender, &timestamp])
            }
            EventPayload::Mention(m) => join(&[
                account,
                kind,
                &m.media_id,
                m.comment_id.as_deref().unwrap_or(""),
            ]),
            EventPayload::StoryInsights(s) => {
                let time = self.entry_time.map(ToString::to_string).unwrap_or_default();
                join(&[account, kind, &s.media_id, &time])
            }
            EventPayload::Unknown(u) => hashed(account, kind, Some(&u.field), raw),
            _ => hashed(account, kind, None, raw),
        }
    }
}

fn join(parts: &[&str]) -> DedupKey {
    DedupKey(parts.join(":"))
}

fn hashed(account: &str, kind: &str, field: Option<&str>, raw: &str) -> DedupKey {
    let hex = hex::encode(Sha256::digest(raw.as_bytes()));
    match field {
        Some(field) => join(&[account, kind, field, "sha256", &hex]),
        None => join(&[account, kind, "sha256", &hex]),
    }
}
