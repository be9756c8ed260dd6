//! Dedup keys: a stable key per event, so a store can drop Meta's redeliveries.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::event::{Event, EventPayload};

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
/// ```
/// use instagram_webhook_types::Notification;
///
/// let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
///   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,
///    "reaction":{"mid":"m1","action":"react","reaction":"love","emoji":"\u2764"}}]}]}"#;
/// let notification = Notification::from_slice(body)?;
/// let event = notification.events().next().unwrap()?;
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

pub(crate) fn key(event: &Event<'_>) -> DedupKey {
    let account = event.account_id().as_str();
    let kind = event.kind().as_str();
    let raw = event.raw().get();
    let by_id = |id: Option<&str>| match id {
        Some(id) => join(&[account, kind, id]),
        None => hashed(account, kind, None, raw),
    };
    match event.payload() {
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
            let sender = event.sender().map_or("", |s| s.id.as_str());
            let timestamp = event
                .timestamp()
                .map(ToString::to_string)
                .unwrap_or_default();
            join(&[account, kind, &r.mid, r.action.as_str(), sender, &timestamp])
        }
        EventPayload::Mention(m) => join(&[
            account,
            kind,
            &m.media_id,
            m.comment_id.as_deref().unwrap_or(""),
        ]),
        EventPayload::StoryInsights(s) => {
            let time = event
                .entry_time()
                .map(ToString::to_string)
                .unwrap_or_default();
            join(&[account, kind, &s.media_id, &time])
        }
        EventPayload::Unknown(u) => hashed(account, kind, Some(&u.field), raw),
        _ => hashed(account, kind, None, raw),
    }
}
