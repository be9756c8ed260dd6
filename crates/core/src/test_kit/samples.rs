//! Meta-faithful sample deliveries of every kind.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{SignedDelivery, to_meta_json};
use crate::AppSecret;
use crate::types::EventKind;

/// Every kind [`sample`] has a delivery for: every [`EventKind`] of the
/// [`types`](crate::types) crate, in its order.
pub const SAMPLE_KINDS: [EventKind; EventKind::ALL.len()] = EventKind::ALL;

/// The business account (`entry[].id`, the messaging `recipient`) every
/// sample is addressed to.
pub const SAMPLE_ACCOUNT_ID: &str = "17841400000000001";

/// The customer (Instagram-scoped id) who writes, reacts and taps in the
/// messaging samples.
pub const SAMPLE_CUSTOMER_ID: &str = "1234567890123456";

/// A delivery of one update, written in the order Meta writes its keys.
///
/// A `serde_json::Value` cannot hold that order (its maps sort their
/// keys), so a sample keeps its envelope itself: it serializes with
/// `value` before `field` in `changes`, `object` after `entry` on `changes`
/// deliveries, and the item's `sender`, `recipient` and `timestamp` before
/// its event on `messaging` deliveries. [`Sample::to_bytes`] writes it
/// escaped like Meta, [`Sample::sign`] signs those bytes, and
/// [`Sample::to_value`] gives a `Value` to edit (key order is then lost,
/// which the library never depends on).
///
/// Made by [`sample`], [`sample_at`] and [`comment_delivery`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    kind: EventKind,
    envelope: Envelope,
}

#[derive(Debug, Clone, PartialEq)]
enum Envelope {
    /// `{"entry":[{"id","time","changes":[{"value","field"}]}],"object"}`.
    Changes {
        account_id: String,
        time: u64,
        field: &'static str,
        value: Value,
    },
    /// `{"object","entry":[{"time","id","messaging":[{"sender","recipient","timestamp",..event}]}]}`.
    Messaging {
        time: u64,
        event: Map<String, Value>,
    },
}

impl Sample {
    /// The kind of the one event this delivery carries.
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// The body Meta would send: compact, in Meta's key order, escaped
    /// like Meta (see [`to_meta_json`]).
    ///
    /// # Panics
    /// Never: a sample is JSON objects with string keys.
    pub fn to_bytes(&self) -> Vec<u8> {
        to_meta_json(self).expect("a sample serializes")
    }

    /// The delivery as a `Value`, for a test that edits it before sending
    /// (sign the result with [`SignedDelivery::new`]). Its maps sort their
    /// keys, so it loses Meta's key order.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// [`Sample::to_bytes`], signed with `secret` as Meta would sign it.
    pub fn sign(&self, secret: &AppSecret) -> SignedDelivery {
        SignedDelivery::from_body(secret, self.to_bytes())
    }
}

impl Serialize for Sample {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct ChangesEnvelope<'a> {
            entry: [ChangesEntry<'a>; 1],
            object: &'static str,
        }
        #[derive(Serialize)]
        struct ChangesEntry<'a> {
            id: &'a str,
            time: u64,
            changes: [Change<'a>; 1],
        }
        #[derive(Serialize)]
        struct Change<'a> {
            value: &'a Value,
            field: &'a str,
        }
        #[derive(Serialize)]
        struct MessagingEnvelope<'a> {
            object: &'static str,
            entry: [MessagingEntry<'a>; 1],
        }
        #[derive(Serialize)]
        struct MessagingEntry<'a> {
            time: u64,
            id: &'static str,
            messaging: [MessagingItem<'a>; 1],
        }
        #[derive(Serialize)]
        struct MessagingItem<'a> {
            sender: Id,
            recipient: Id,
            timestamp: u64,
            #[serde(flatten)]
            event: &'a Map<String, Value>,
        }
        #[derive(Serialize)]
        struct Id {
            id: &'static str,
        }

        match &self.envelope {
            Envelope::Changes {
                account_id,
                time,
                field,
                value,
            } => ChangesEnvelope {
                entry: [ChangesEntry {
                    id: account_id,
                    time: *time,
                    changes: [Change { value, field }],
                }],
                object: "instagram",
            }
            .serialize(serializer),
            Envelope::Messaging { time, event } => MessagingEnvelope {
                object: "instagram",
                entry: [MessagingEntry {
                    time: *time,
                    id: SAMPLE_ACCOUNT_ID,
                    messaging: [MessagingItem {
                        sender: Id {
                            id: SAMPLE_CUSTOMER_ID,
                        },
                        recipient: Id {
                            id: SAMPLE_ACCOUNT_ID,
                        },
                        timestamp: *time,
                        event,
                    }],
                }],
            }
            .serialize(serializer),
        }
    }
}

/// A sample delivery of `kind`, timestamped now, shaped like the App
/// Dashboard's Test deliveries and live traffic.
///
/// Times and ids derive from the current time, so two samples taken a
/// millisecond apart have different dedup keys, like two real deliveries.
/// [`sample_at`] makes the same sample every time.
///
/// ```
/// use instagram_webhook_core::test_kit::{SAMPLE_KINDS, sample};
/// use instagram_webhook_core::types::Notification;
///
/// for kind in SAMPLE_KINDS {
///     let body = sample(kind).to_bytes();
///     let notification = Notification::from_slice(&body).unwrap();
///     let event = notification.events().next().unwrap().unwrap();
///     assert_eq!(event.kind(), kind);
/// }
/// ```
///
/// # Panics
/// Never for the kinds of [`SAMPLE_KINDS`]; a kind the test kit does not
/// know (an `instagram-webhook-types` newer than this core) panics.
pub fn sample(kind: EventKind) -> Sample {
    sample_at(kind, now_millis())
}

/// A sample delivery of `kind` at `unix_millis` (milliseconds since the
/// Unix epoch): the same bytes every call.
///
/// Meta's conventions are kept: its key order (see [`Sample`]),
/// `entry.time` in seconds on `changes` entries and in milliseconds on
/// `messaging` entries, ids as strings, and non-ASCII text and URLs, so the
/// bytes exercise Meta's escaping. Every sample parses to exactly one event
/// of its kind.
///
/// ```
/// use instagram_webhook_core::test_kit::sample_at;
/// use instagram_webhook_core::types::EventKind;
///
/// let mention = sample_at(EventKind::Mention, 1_756_217_841_000);
/// assert_eq!(
///     mention.to_bytes(),
///     br#"{"entry":[{"id":"17841400000000001","time":1756217841,"changes":[{"value":{"comment_id":"1791756217841000","media_id":"17887498072083520"},"field":"mentions"}]}],"object":"instagram"}"#
/// );
/// ```
///
/// # Panics
/// As [`sample`].
pub fn sample_at(kind: EventKind, unix_millis: u64) -> Sample {
    let change = |field, value| Sample {
        kind,
        envelope: Envelope::Changes {
            account_id: SAMPLE_ACCOUNT_ID.to_owned(),
            time: unix_millis / 1000,
            field,
            value,
        },
    };
    let messaging = |event: Value| Sample {
        kind,
        envelope: Envelope::Messaging {
            time: unix_millis,
            event: match event {
                Value::Object(event) => event,
                _ => Map::new(),
            },
        },
    };
    let mid = format!("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE{unix_millis}");
    let comment = || {
        json!({
            "from": {"id": SAMPLE_CUSTOMER_ID, "username": "zoë.test"},
            "media": {"id": "18060000000000001", "media_product_type": "FEED"},
            "id": format!("178{unix_millis}"),
            "text": "Très joli 😍 https://example.com/p/1"
        })
    };
    match kind {
        EventKind::Comment => change("comments", comment()),
        EventKind::LiveComment => {
            let mut value = comment();
            value["media"]["media_product_type"] = json!("LIVE");
            change("live_comments", value)
        }
        EventKind::Mention => change(
            "mentions",
            json!({"media_id": "17887498072083520", "comment_id": format!("179{unix_millis}")}),
        ),
        EventKind::StoryInsights => change(
            "story_insights",
            // The story's id from the time, so samples a millisecond apart
            // are different stories (its dedup key has `entry.time` in
            // seconds).
            json!({"media_id": format!("178{unix_millis}"), "impressions": 444, "reach": 44,
                   "taps_forward": 4, "taps_back": 3, "exits": 3, "replies": -1}),
        ),
        EventKind::Message => {
            messaging(json!({"message": {"mid": mid, "text": "Bonjour ! Vous livrez à Zürich ?"}}))
        }
        EventKind::StoryMention => messaging(
            json!({"message": {"mid": mid, "attachments": [{"type": "story_mention",
            "payload": {"url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17890000000000000&signature=abc"}}]}}),
        ),
        EventKind::MessageReaction => messaging(
            json!({"reaction": {"mid": mid, "action": "react", "reaction": "love", "emoji": "\u{2764}\u{fe0f}"}}),
        ),
        EventKind::MessagingPostback => messaging(
            json!({"postback": {"mid": mid, "title": "Talk to a human", "payload": "TALK_TO_HUMAN"}}),
        ),
        EventKind::MessagingSeen => messaging(json!({"read": {"mid": mid}})),
        EventKind::MessageEdit => {
            messaging(json!({"message_edit": {"mid": mid, "text": "edited text", "num_edit": 1}}))
        }
        EventKind::MessagingReferral => messaging(
            json!({"referral": {"ref": "summer-sale", "source": "IGME", "type": "OPEN_THREAD"}}),
        ),
        EventKind::MessagingOptin => messaging(
            json!({"optin": {"type": "notification_messages", "payload": "DEALS",
            "notification_messages_token": "123", "notification_messages_frequency": "DAILY",
            "token_expiry_timestamp": 2_592_000_000_u64, "user_token_status": "REFRESHED",
            "notification_messages_timezone": "UTC", "title": "Deals"}}),
        ),
        EventKind::MessagingHandover => messaging(
            json!({"pass_thread_control": {"previous_owner_app_id": "777292979687735",
            "new_owner_app_id": "777292979687736", "metadata": "handing over"}}),
        ),
        EventKind::Unknown => change(
            "brand_new_field",
            json!({"something": "Meta added", "count": 1, "at": unix_millis}),
        ),
        other => panic!(
            "the test kit has no sample of {other:?}: instagram-webhook-core is older than \
             instagram-webhook-types"
        ),
    }
}

/// A `comments` delivery of one comment by a fixed commenter, in Meta's key
/// order, with a fixed `entry.time`: for tests that choose the account, the
/// comment id and the text.
///
/// ```
/// use instagram_webhook_core::test_kit::comment_delivery;
///
/// let delivery = comment_delivery("17841400000000001", "18000000000000001", "hello");
/// assert_eq!(delivery.to_value()["entry"][0]["changes"][0]["value"]["text"], "hello");
/// ```
pub fn comment_delivery(account_id: &str, comment_id: &str, text: &str) -> Sample {
    Sample {
        kind: EventKind::Comment,
        envelope: Envelope::Changes {
            account_id: account_id.to_owned(),
            time: 1_756_217_841,
            field: "comments",
            value: json!({
                "from": {"id": "17841401234567890", "username": "zoë.b"},
                "media": {"id": "18060000000000001", "media_product_type": "FEED"},
                "id": comment_id,
                "text": text
            }),
        },
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}
