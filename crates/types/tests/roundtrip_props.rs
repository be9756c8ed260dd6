//! Property tests: notifications built from generated values decode to
//! events holding exactly those values (text, ids, times, flags, context,
//! raw JSON and dedup key, each checked against what was generated, not
//! against the library's own output), keep them through serialize ->
//! deserialize, and parse deterministically.
//!
//! Each generator yields a plain description of the item (`*Spec`); the
//! JSON is built from it, and the same description is the oracle the
//! decoded event is checked against.

use instagram_webhook_types::{
    Attachment, Container, Event, EventKind, EventPayload, Handover, Id, Notification, Position,
    TimeUnit, Timestamp,
};
use proptest::option::of as opt;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

type Checked = Result<(), TestCaseError>;

/// Fails the case with `message` unless `condition` holds.
fn ensure(condition: bool, message: impl FnOnce() -> String) -> Checked {
    if condition {
        Ok(())
    } else {
        Err(TestCaseError::fail(message()))
    }
}

/// Fails the case unless `actual == expected`, naming `what`.
fn same<T: PartialEq + std::fmt::Debug + ?Sized>(what: &str, actual: &T, expected: &T) -> Checked {
    ensure(actual == expected, || {
        format!("{what}: decoded {actual:?}, generated {expected:?}")
    })
}

// ---------------------------------------------------------------------------
// Generated values.

/// An id as generated: its text, and whether it is sent as a JSON number.
#[derive(Clone, Debug)]
struct GenId {
    text: String,
    number: bool,
}

impl GenId {
    fn json(&self) -> Value {
        if self.number {
            Value::from(self.text.parse::<u64>().unwrap())
        } else {
            Value::from(self.text.as_str())
        }
    }
}

fn id() -> impl Strategy<Value = GenId> {
    prop_oneof![
        any::<u64>().prop_map(|n| GenId {
            text: n.to_string(),
            number: true
        }),
        any::<u64>().prop_map(|n| GenId {
            text: n.to_string(),
            number: false
        }),
        "[A-Za-z0-9_-]{1,40}".prop_map(|text| GenId {
            text,
            number: false
        }),
    ]
}

/// `id`'s text, for comparing with a decoded [`Id`].
fn id_text(id: Option<&GenId>) -> Option<&str> {
    id.map(|id| id.text.as_str())
}

fn decoded_id<'i>(id: Option<&'i Id<'_>>) -> Option<&'i str> {
    id.map(Id::as_str)
}

/// A time as generated: a number, a numeric string, or other text.
#[derive(Clone, Debug)]
enum GenTime {
    Number(u64),
    Digits(u64),
    Text(String),
}

impl GenTime {
    fn json(&self) -> Value {
        match self {
            Self::Number(n) => Value::from(*n),
            Self::Digits(n) => Value::from(n.to_string()),
            Self::Text(text) => Value::from(text.as_str()),
        }
    }

    /// As Meta sent it, the way dedup keys write it.
    fn as_sent(&self) -> String {
        match self {
            Self::Number(n) | Self::Digits(n) => n.to_string(),
            Self::Text(text) => text.clone(),
        }
    }

    /// `decoded` holds this time; numeric ones in `unit`.
    fn check(&self, what: &str, decoded: Option<&Timestamp>, unit: TimeUnit) -> Checked {
        let Some(decoded) = decoded else {
            return Err(TestCaseError::fail(format!("{what}: lost {self:?}")));
        };
        match self {
            Self::Number(n) => {
                same(what, &decoded.value(), &Some(*n))?;
                same(what, &decoded.as_text(), &None)?;
                same(what, &decoded.unit(), &unit)?;
            }
            Self::Digits(n) => {
                same(what, &decoded.value(), &Some(*n))?;
                same(what, &decoded.as_text(), &Some(n.to_string().as_str()))?;
                same(what, &decoded.unit(), &unit)?;
            }
            Self::Text(text) => {
                same(what, &decoded.value(), &None)?;
                same(what, &decoded.as_text(), &Some(text.as_str()))?;
            }
        }
        same(what, &decoded.to_string(), &self.as_sent())
    }

    /// The unit a bare value is read in, by its documented magnitude rule.
    fn inferred_unit(&self) -> TimeUnit {
        match self {
            Self::Number(n) | Self::Digits(n) if *n >= 100_000_000_000 => TimeUnit::Milliseconds,
            _ => TimeUnit::Seconds,
        }
    }
}

fn check_time(what: &str, generated: Option<&GenTime>, decoded: Option<&Timestamp>) -> Checked {
    match generated {
        Some(time) => time.check(what, decoded, time.inferred_unit()),
        None => same(what, &decoded, &None),
    }
}

fn time() -> impl Strategy<Value = GenTime> {
    prop_oneof![
        (0u64..4_000_000_000_000).prop_map(GenTime::Number),
        (0u64..4_000_000_000).prop_map(GenTime::Digits),
        Just(GenTime::Text("2021-09-08T06:34:04+0000".to_owned())),
    ]
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

/// Inserts the present values of `fields` into an object.
fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect(),
    )
}

fn text_json(text: Option<&String>) -> Option<Value> {
    text.map(|text| Value::from(text.as_str()))
}

fn id_json(id: Option<&GenId>) -> Option<Value> {
    id.map(GenId::json)
}

// ---------------------------------------------------------------------------
// Messaging items.

/// The attachment types generated; the last is one this version does not know.
const ATTACHMENT_TYPES: [&str; 14] = [
    "image",
    "video",
    "audio",
    "file",
    "share",
    "ig_post",
    "ig_reel",
    "reel",
    "ig_story",
    "story_mention",
    "ephemeral",
    "like_heart",
    "unsupported_type",
    "brand_new_type",
];

#[derive(Clone, Debug)]
struct PayloadSpec {
    url: Option<String>,
    title: Option<String>,
    media: Option<GenId>,
}

impl PayloadSpec {
    fn json(&self) -> Value {
        object(vec![
            ("url", text_json(self.url.as_ref())),
            ("title", text_json(self.title.as_ref())),
            ("ig_post_media_id", id_json(self.media.as_ref())),
        ])
    }
}

#[derive(Clone, Debug)]
struct AttachmentSpec {
    type_name: &'static str,
    payload: Option<PayloadSpec>,
}

impl AttachmentSpec {
    fn json(&self) -> Value {
        object(vec![
            ("type", Some(Value::from(self.type_name))),
            ("payload", self.payload.as_ref().map(PayloadSpec::json)),
        ])
    }

    fn check(&self, decoded: &Attachment<'_>) -> Checked {
        same("attachment type", decoded.type_name(), self.type_name)?;
        if self.type_name == "brand_new_type" {
            let Attachment::Other { payload, .. } = decoded else {
                return Err(TestCaseError::fail(format!(
                    "an unknown type is not Other: {decoded:?}"
                )));
            };
            let raw = payload
                .as_ref()
                .map(|raw| serde_json::from_str::<Value>(raw.get()).unwrap());
            return same(
                "unknown attachment payload",
                &raw,
                &self.payload.as_ref().map(PayloadSpec::json),
            );
        }
        match (&self.payload, decoded.payload()) {
            (None, None) => Ok(()),
            (Some(spec), Some(payload)) => {
                same(
                    "attachment url",
                    &payload.url.as_deref(),
                    &spec.url.as_deref(),
                )?;
                same(
                    "attachment title",
                    &payload.title.as_deref(),
                    &spec.title.as_deref(),
                )?;
                same(
                    "attachment media id",
                    &decoded_id(payload.ig_post_media_id.as_ref()),
                    &id_text(spec.media.as_ref()),
                )
            }
            (spec, payload) => Err(TestCaseError::fail(format!(
                "attachment payload: decoded {payload:?}, generated {spec:?}"
            ))),
        }
    }
}

fn attachment() -> impl Strategy<Value = AttachmentSpec> {
    let payload = opt((opt(text()), opt(text()), opt(id())))
        .prop_map(|payload| payload.map(|(url, title, media)| PayloadSpec { url, title, media }));
    (proptest::sample::select(&ATTACHMENT_TYPES[..]), payload)
        .prop_map(|(type_name, payload)| AttachmentSpec { type_name, payload })
}

#[derive(Clone, Debug)]
struct MessageSpec {
    mid: GenId,
    text: Option<String>,
    attachments: Option<Vec<AttachmentSpec>>,
    /// `is_echo`, `is_self`, `is_deleted`, `is_unsupported`.
    flags: [bool; 4],
    reply_mid: Option<GenId>,
}

/// The event of a messaging item, as generated.
#[derive(Clone, Debug)]
enum EventSpec {
    Message(MessageSpec),
    Reaction {
        mid: GenId,
        react: bool,
        emoji: Option<String>,
    },
    Postback {
        mid: Option<GenId>,
        title: Option<String>,
        payload: Option<String>,
    },
    Read {
        mid: Option<GenId>,
    },
    Edit {
        mid: GenId,
        text: Option<String>,
        num_edit: u64,
        as_string: bool,
    },
    Referral {
        ref_: Option<String>,
        source: Option<String>,
    },
    Optin {
        payload: Option<String>,
        expiry: Option<GenTime>,
    },
    PassThreadControl {
        app: Option<GenId>,
        metadata: Option<String>,
    },
    /// An event key this version does not know.
    Unknown {
        text: String,
    },
}

/// The key of an event this version does not know.
const UNKNOWN_EVENT_KEY: &str = "brand_new_event";

impl EventSpec {
    /// The item's key for the event.
    fn key(&self) -> &'static str {
        match self {
            Self::Message(_) => "message",
            Self::Reaction { .. } => "reaction",
            Self::Postback { .. } => "postback",
            Self::Read { .. } => "read",
            Self::Edit { .. } => "message_edit",
            Self::Referral { .. } => "referral",
            Self::Optin { .. } => "optin",
            Self::PassThreadControl { .. } => "pass_thread_control",
            Self::Unknown { .. } => UNKNOWN_EVENT_KEY,
        }
    }

    fn json(&self) -> Value {
        match self {
            Self::Message(m) => {
                let flag = |b: bool| b.then(|| Value::from(true));
                object(vec![
                    ("mid", Some(m.mid.json())),
                    ("text", text_json(m.text.as_ref())),
                    (
                        "attachments",
                        m.attachments.as_ref().map(|attachments| {
                            attachments.iter().map(AttachmentSpec::json).collect()
                        }),
                    ),
                    ("is_echo", flag(m.flags[0])),
                    ("is_self", flag(m.flags[1])),
                    ("is_deleted", flag(m.flags[2])),
                    ("is_unsupported", flag(m.flags[3])),
                    (
                        "reply_to",
                        m.reply_mid.as_ref().map(|mid| json!({"mid": mid.json()})),
                    ),
                ])
            }
            Self::Reaction { mid, react, emoji } => object(vec![
                ("mid", Some(mid.json())),
                (
                    "action",
                    Some(Value::from(if *react { "react" } else { "unreact" })),
                ),
                ("reaction", react.then(|| Value::from("love"))),
                ("emoji", text_json(emoji.as_ref())),
            ]),
            Self::Postback {
                mid,
                title,
                payload,
            } => object(vec![
                ("mid", id_json(mid.as_ref())),
                ("title", text_json(title.as_ref())),
                ("payload", text_json(payload.as_ref())),
            ]),
            Self::Read { mid } => object(vec![("mid", id_json(mid.as_ref()))]),
            Self::Edit {
                mid,
                text,
                num_edit,
                as_string,
            } => object(vec![
                ("mid", Some(mid.json())),
                ("text", text_json(text.as_ref())),
                (
                    "num_edit",
                    Some(if *as_string {
                        Value::from(num_edit.to_string())
                    } else {
                        Value::from(*num_edit)
                    }),
                ),
            ]),
            Self::Referral { ref_, source } => object(vec![
                ("ref", text_json(ref_.as_ref())),
                ("source", text_json(source.as_ref())),
                ("type", Some("OPEN_THREAD".into())),
            ]),
            Self::Optin { payload, expiry } => object(vec![
                ("type", Some("notification_messages".into())),
                ("payload", text_json(payload.as_ref())),
                ("token_expiry_timestamp", expiry.as_ref().map(GenTime::json)),
            ]),
            Self::PassThreadControl { app, metadata } => object(vec![
                ("new_owner_app_id", id_json(app.as_ref())),
                ("metadata", text_json(metadata.as_ref())),
            ]),
            Self::Unknown { text } => json!({"x": text}),
        }
    }

    /// The kind the docs give this event.
    fn kind(&self) -> EventKind {
        match self {
            Self::Message(m) => {
                let story = m
                    .attachments
                    .iter()
                    .flatten()
                    .any(|a| a.type_name == "story_mention");
                if story {
                    EventKind::StoryMention
                } else {
                    EventKind::Message
                }
            }
            Self::Reaction { .. } => EventKind::MessageReaction,
            Self::Postback { .. } => EventKind::MessagingPostback,
            Self::Read { .. } => EventKind::MessagingSeen,
            Self::Edit { .. } => EventKind::MessageEdit,
            Self::Referral { .. } => EventKind::MessagingReferral,
            Self::Optin { .. } => EventKind::MessagingOptin,
            Self::PassThreadControl { .. } => EventKind::MessagingHandover,
            Self::Unknown { .. } => EventKind::Unknown,
        }
    }

    /// The payload holds the generated values. `field` is the change's
    /// field when a Test-button change carried the item.
    fn check(&self, payload: &EventPayload<'_>, field: Option<&str>, raw: &Value) -> Checked {
        match (self, payload) {
            (Self::Message(spec), EventPayload::Message(m) | EventPayload::StoryMention(m)) => {
                same("message mid", m.mid.as_str(), spec.mid.text.as_str())?;
                same("message text", &m.text.as_deref(), &spec.text.as_deref())?;
                same(
                    "message flags",
                    &[m.is_echo, m.is_self, m.is_deleted, m.is_unsupported],
                    &spec.flags,
                )?;
                same(
                    "reply_to mid",
                    &m.reply_to.as_ref().and_then(|r| decoded_id(r.mid.as_ref())),
                    &id_text(spec.reply_mid.as_ref()),
                )?;
                same(
                    "attachment count",
                    &m.attachments.as_ref().map(Vec::len),
                    &spec.attachments.as_ref().map(Vec::len),
                )?;
                for (spec, decoded) in spec.attachments.iter().flatten().zip(m.attachments()) {
                    spec.check(decoded)?;
                }
                Ok(())
            }
            (Self::Reaction { mid, react, emoji }, EventPayload::MessageReaction(r)) => {
                same("reaction mid", r.mid.as_str(), mid.text.as_str())?;
                let action = if *react { "react" } else { "unreact" };
                same("reaction action", r.action.as_str(), action)?;
                same(
                    "reaction name",
                    &r.reaction.as_deref(),
                    &react.then_some("love"),
                )?;
                same("reaction emoji", &r.emoji.as_deref(), &emoji.as_deref())
            }
            (
                Self::Postback {
                    mid,
                    title,
                    payload,
                },
                EventPayload::MessagingPostback(p),
            ) => {
                same(
                    "postback mid",
                    &decoded_id(p.mid.as_ref()),
                    &id_text(mid.as_ref()),
                )?;
                same("postback title", &p.title.as_deref(), &title.as_deref())?;
                same(
                    "postback payload",
                    &p.payload.as_deref(),
                    &payload.as_deref(),
                )
            }
            (Self::Read { mid }, EventPayload::MessagingSeen(r)) => same(
                "read mid",
                &decoded_id(r.mid.as_ref()),
                &id_text(mid.as_ref()),
            ),
            (
                Self::Edit {
                    mid,
                    text,
                    num_edit,
                    as_string,
                },
                EventPayload::MessageEdit(e),
            ) => {
                same("edit mid", e.mid.as_str(), mid.text.as_str())?;
                same("edit text", &e.text.as_deref(), &text.as_deref())?;
                let count = e.num_edit.as_ref();
                same("num_edit", &count.and_then(|c| c.value()), &Some(*num_edit))?;
                let sent = if *as_string {
                    format!("\"{num_edit}\"")
                } else {
                    num_edit.to_string()
                };
                same(
                    "num_edit as sent",
                    &count.map(|c| serde_json::to_string(c).unwrap()),
                    &Some(sent),
                )
            }
            (Self::Referral { ref_, source }, EventPayload::MessagingReferral(r)) => {
                same("referral ref", &r.ref_.as_deref(), &ref_.as_deref())?;
                same("referral source", &r.source.as_deref(), &source.as_deref())?;
                same(
                    "referral type",
                    &r.referral_type.as_deref(),
                    &Some("OPEN_THREAD"),
                )
            }
            (Self::Optin { payload, expiry }, EventPayload::MessagingOptin(o)) => {
                same(
                    "optin type",
                    &o.optin_type.as_deref(),
                    &Some("notification_messages"),
                )?;
                same("optin payload", &o.payload.as_deref(), &payload.as_deref())?;
                check_time(
                    "optin token expiry",
                    expiry.as_ref(),
                    o.token_expiry_timestamp.as_ref(),
                )
            }
            (Self::PassThreadControl { app, metadata }, EventPayload::MessagingHandover(h)) => {
                let Handover::PassThreadControl(control) = h else {
                    return Err(TestCaseError::fail(format!("not a pass: {h:?}")));
                };
                same("handover action", h.action(), "pass_thread_control")?;
                same(
                    "new owner",
                    &decoded_id(control.new_owner_app_id.as_ref()),
                    &id_text(app.as_ref()),
                )?;
                same(
                    "handover metadata",
                    &control.metadata.as_deref(),
                    &metadata.as_deref(),
                )
            }
            (Self::Unknown { .. }, EventPayload::Unknown(u)) => {
                // A Test-button change names the item by its field.
                same(
                    "unknown event field",
                    &*u.field,
                    field.unwrap_or(UNKNOWN_EVENT_KEY),
                )?;
                same(
                    "unknown event raw",
                    &serde_json::from_str::<Value>(u.raw.get()).unwrap(),
                    raw,
                )
            }
            (spec, payload) => Err(TestCaseError::fail(format!(
                "decoded {payload:?}, generated {spec:?}"
            ))),
        }
    }
}

fn messaging_event() -> impl Strategy<Value = EventSpec> {
    prop_oneof![
        (
            id(),
            opt(text()),
            opt(proptest::collection::vec(attachment(), 0..4)),
            any::<[bool; 4]>(),
            opt(id()),
        )
            .prop_map(|(mid, text, attachments, flags, reply_mid)| {
                EventSpec::Message(MessageSpec {
                    mid,
                    text,
                    attachments,
                    flags,
                    reply_mid,
                })
            }),
        (id(), any::<bool>(), opt(text())).prop_map(|(mid, react, emoji)| EventSpec::Reaction {
            mid,
            react,
            emoji
        }),
        (opt(id()), opt(text()), opt(text())).prop_map(|(mid, title, payload)| {
            EventSpec::Postback {
                mid,
                title,
                payload,
            }
        }),
        opt(id()).prop_map(|mid| EventSpec::Read { mid }),
        (id(), opt(text()), 0u64..100, any::<bool>()).prop_map(
            |(mid, text, num_edit, as_string)| EventSpec::Edit {
                mid,
                text,
                num_edit,
                as_string,
            }
        ),
        (opt(text()), opt(text())).prop_map(|(ref_, source)| EventSpec::Referral { ref_, source }),
        (opt(text()), opt(time()))
            .prop_map(|(payload, expiry)| EventSpec::Optin { payload, expiry }),
        (opt(id()), opt(text()))
            .prop_map(|(app, metadata)| EventSpec::PassThreadControl { app, metadata }),
        // The strict feature refuses unknown event keys by design.
        text().prop_map(|text| if cfg!(feature = "strict") {
            EventSpec::Read {
                mid: Some(GenId {
                    text,
                    number: false,
                }),
            }
        } else {
            EventSpec::Unknown { text }
        }),
    ]
}

/// A messaging item, as generated.
#[derive(Clone, Debug)]
struct ItemSpec {
    sender: Option<GenId>,
    recipient: Option<GenId>,
    timestamp: Option<GenTime>,
    event: EventSpec,
}

impl ItemSpec {
    fn json(&self) -> Value {
        let mut item = object(vec![
            (
                "sender",
                self.sender.as_ref().map(|id| json!({"id": id.json()})),
            ),
            (
                "recipient",
                self.recipient.as_ref().map(|id| json!({"id": id.json()})),
            ),
            ("timestamp", self.timestamp.as_ref().map(GenTime::json)),
        ]);
        item.as_object_mut()
            .unwrap()
            .insert(self.event.key().to_owned(), self.event.json());
        item
    }

    fn check(&self, event: &Event<'_>, field: Option<&str>) -> Checked {
        ensure(event.messaging().is_some(), || {
            format!("a messaging item without its header: {event:?}")
        })?;
        same(
            "sender",
            &event.sender().map(|p| p.id.as_str()),
            &id_text(self.sender.as_ref()),
        )?;
        same(
            "recipient",
            &event.recipient().map(|p| p.id.as_str()),
            &id_text(self.recipient.as_ref()),
        )?;
        check_time("item timestamp", self.timestamp.as_ref(), event.timestamp())?;
        same("kind", &event.kind(), &self.event.kind())?;
        self.event.check(event.payload(), field, &self.json())
    }
}

fn messaging_item() -> impl Strategy<Value = ItemSpec> {
    (opt(id()), opt(id()), opt(time()), messaging_event()).prop_map(
        |(sender, recipient, timestamp, event)| ItemSpec {
            sender,
            recipient,
            timestamp,
            event,
        },
    )
}

// ---------------------------------------------------------------------------
// Changes, entries and bodies.

/// A `{field, value}` change, as generated.
#[derive(Clone, Debug)]
enum ChangeSpec {
    Comment {
        id: GenId,
        text: Option<String>,
        from: Option<GenId>,
        product: Option<String>,
        live: bool,
    },
    Mention {
        media: GenId,
        comment: Option<GenId>,
    },
    Insights {
        media: GenId,
        /// `impressions`, `reach`, `taps_forward`, `taps_back`, `exits`, `replies`.
        metrics: [Option<i64>; 6],
    },
    /// A messaging item the Test button's way.
    Messages(ItemSpec),
    /// A field this version does not know.
    NewField { text: String },
}

const METRICS: [&str; 6] = [
    "impressions",
    "reach",
    "taps_forward",
    "taps_back",
    "exits",
    "replies",
];

impl ChangeSpec {
    fn field(&self) -> &'static str {
        match self {
            Self::Comment { live: true, .. } => "live_comments",
            Self::Comment { .. } => "comments",
            Self::Mention { .. } => "mentions",
            Self::Insights { .. } => "story_insights",
            Self::Messages(_) => "messages",
            Self::NewField { .. } => "some_new_field",
        }
    }

    fn value(&self) -> Value {
        match self {
            Self::Comment {
                id,
                text,
                from,
                product,
                ..
            } => object(vec![
                ("id", Some(id.json())),
                ("text", text_json(text.as_ref())),
                (
                    "from",
                    from.as_ref()
                        .map(|f| json!({"id": f.json(), "username": "u"})),
                ),
                (
                    "media",
                    product
                        .as_ref()
                        .map(|p| json!({"id": "1", "media_product_type": p})),
                ),
            ]),
            Self::Mention { media, comment } => object(vec![
                ("media_id", Some(media.json())),
                ("comment_id", id_json(comment.as_ref())),
            ]),
            Self::Insights { media, metrics } => {
                let mut fields = vec![("media_id", Some(media.json()))];
                fields.extend(
                    METRICS
                        .iter()
                        .zip(metrics)
                        .map(|(name, metric)| (*name, metric.map(Value::from))),
                );
                object(fields)
            }
            Self::Messages(item) => item.json(),
            Self::NewField { text } => json!({"t": text}),
        }
    }

    fn check(&self, event: &Event<'_>) -> Checked {
        if let Self::Messages(item) = self {
            return item.check(event, Some(self.field()));
        }
        same("header of a changes item", &event.messaging(), &None)?;
        match (self, event.payload()) {
            (
                Self::Comment {
                    id,
                    text,
                    from,
                    product,
                    live,
                },
                EventPayload::Comment(c) | EventPayload::LiveComment(c),
            ) => {
                let kind = if *live {
                    EventKind::LiveComment
                } else {
                    EventKind::Comment
                };
                same("kind", &event.kind(), &kind)?;
                same("comment id", &decoded_id(c.id.as_ref()), &Some(&*id.text))?;
                same("comment text", &c.text.as_deref(), &text.as_deref())?;
                same(
                    "comment author",
                    &c.from
                        .as_ref()
                        .map(|f| (decoded_id(f.id.as_ref()), f.username.as_deref())),
                    &from.as_ref().map(|f| (Some(&*f.text), Some("u"))),
                )?;
                same(
                    "comment media",
                    &c.media
                        .as_ref()
                        .map(|m| (decoded_id(m.id.as_ref()), m.media_product_type.as_deref())),
                    &product.as_ref().map(|p| (Some("1"), Some(p.as_str()))),
                )
            }
            (Self::Mention { media, comment }, EventPayload::Mention(m)) => {
                same("kind", &event.kind(), &EventKind::Mention)?;
                same("mention media", m.media_id.as_str(), media.text.as_str())?;
                same(
                    "mention comment",
                    &decoded_id(m.comment_id.as_ref()),
                    &id_text(comment.as_ref()),
                )
            }
            (Self::Insights { media, metrics }, EventPayload::StoryInsights(s)) => {
                same("kind", &event.kind(), &EventKind::StoryInsights)?;
                same("insights media", s.media_id.as_str(), media.text.as_str())?;
                same(
                    "metrics",
                    &[
                        s.impressions,
                        s.reach,
                        s.taps_forward,
                        s.taps_back,
                        s.exits,
                        s.replies,
                    ],
                    metrics,
                )
            }
            (Self::NewField { .. }, EventPayload::Unknown(u)) => {
                same("kind", &event.kind(), &EventKind::Unknown)?;
                same("unknown field", &*u.field, self.field())?;
                same(
                    "unknown raw",
                    &serde_json::from_str::<Value>(u.raw.get()).unwrap(),
                    &self.value(),
                )
            }
            (spec, payload) => Err(TestCaseError::fail(format!(
                "decoded {payload:?}, generated {spec:?}"
            ))),
        }
    }
}

fn change() -> impl Strategy<Value = ChangeSpec> {
    let metric = || opt(any::<i64>());
    prop_oneof![
        (id(), opt(text()), opt(id()), opt(text()), any::<bool>()).prop_map(
            |(id, text, from, product, live)| ChangeSpec::Comment {
                id,
                text,
                from,
                product,
                live,
            }
        ),
        (id(), opt(id())).prop_map(|(media, comment)| ChangeSpec::Mention { media, comment }),
        (
            id(),
            [metric(), metric(), metric(), metric(), metric(), metric()]
        )
            .prop_map(|(media, metrics)| ChangeSpec::Insights { media, metrics }),
        messaging_item().prop_map(ChangeSpec::Messages),
        text().prop_map(|text| ChangeSpec::NewField { text }),
    ]
}

/// One item of an entry, as generated.
#[derive(Clone, Debug)]
enum Items {
    Changes(Vec<ChangeSpec>),
    Messaging(Vec<ItemSpec>),
    Standby(Vec<ItemSpec>),
}

#[derive(Clone, Debug)]
struct EntrySpec {
    id: GenId,
    time: Option<GenTime>,
    items: Items,
}

impl EntrySpec {
    fn container(&self) -> Container {
        match self.items {
            Items::Changes(_) => Container::Changes,
            Items::Messaging(_) => Container::Messaging,
            Items::Standby(_) => Container::Standby,
        }
    }

    /// The JSON of every item, in order.
    fn item_values(&self) -> Vec<Value> {
        match &self.items {
            Items::Changes(changes) => changes
                .iter()
                .map(|c| json!({"field": c.field(), "value": c.value()}))
                .collect(),
            Items::Messaging(items) | Items::Standby(items) => {
                items.iter().map(ItemSpec::json).collect()
            }
        }
    }

    fn json(&self) -> Value {
        object(vec![
            ("id", Some(self.id.json())),
            ("time", self.time.as_ref().map(GenTime::json)),
            (
                self.container().as_str(),
                Some(Value::from(self.item_values())),
            ),
        ])
    }

    fn len(&self) -> usize {
        match &self.items {
            Items::Changes(changes) => changes.len(),
            Items::Messaging(items) | Items::Standby(items) => items.len(),
        }
    }

    /// `event`, item `index` of this entry (entry `entry` of the body),
    /// holds what was generated: context, payload, raw JSON and dedup key.
    fn check(&self, entry: usize, index: usize, event: &Event<'_>) -> Checked {
        same(
            "account",
            event.account_id().as_str(),
            self.id.text.as_str(),
        )?;
        same("container", &event.container(), &self.container())?;
        same("position", &event.position(), &Position::new(entry, index))?;
        match &self.time {
            Some(time) => time.check(
                "entry time",
                event.entry_time(),
                documented_entry_time_unit(self.container()),
            )?,
            None => same("entry time", &event.entry_time(), &None)?,
        }
        let raw = match &self.items {
            Items::Changes(changes) => {
                let change = &changes[index];
                same("field", &event.field(), &Some(change.field()))?;
                change.check(event)?;
                change.value()
            }
            Items::Messaging(items) | Items::Standby(items) => {
                same("field", &event.field(), &None)?;
                items[index].check(event, None)?;
                items[index].json()
            }
        };
        // The raw JSON is the item's bytes exactly as they were in the body.
        same(
            "raw",
            event.raw().get(),
            serde_json::to_string(&raw).unwrap().as_str(),
        )?;
        same(
            "dedup key",
            event.dedup_key().as_str(),
            self.expected_dedup_key(index, event.raw().get()).as_str(),
        )
    }

    /// The dedup key [`DedupKey`]'s table gives item `index`.
    ///
    /// [`DedupKey`]: instagram_webhook_types::DedupKey
    fn expected_dedup_key(&self, index: usize, raw: &str) -> String {
        let account = &self.id.text;
        let hashed = |kind: &str| {
            let hex = hex::encode(Sha256::digest(raw.as_bytes()));
            format!("{account}:{kind}:sha256:{hex}")
        };
        let (item, field) = match &self.items {
            Items::Changes(changes) => match &changes[index] {
                ChangeSpec::Comment { id, live, .. } => {
                    let kind = if *live { "live_comment" } else { "comment" };
                    return format!("{account}:{kind}:{}", id.text);
                }
                ChangeSpec::Mention { media, comment } => {
                    let comment = id_text(comment.as_ref()).unwrap_or("");
                    return format!("{account}:mention:{}:{comment}", media.text);
                }
                ChangeSpec::Insights { media, .. } => {
                    let time = self.time.as_ref().map(GenTime::as_sent).unwrap_or_default();
                    return format!("{account}:story_insights:{}:{time}", media.text);
                }
                ChangeSpec::NewField { .. } => return hashed("unknown:some_new_field"),
                ChangeSpec::Messages(item) => (item, Some("messages")),
            },
            Items::Messaging(items) | Items::Standby(items) => (&items[index], None),
        };
        match &item.event {
            EventSpec::Message(m) => {
                let kind = match item.event.kind() {
                    EventKind::StoryMention => "story_mention",
                    _ => "message",
                };
                format!("{account}:{kind}:{}", m.mid.text)
            }
            EventSpec::Postback { mid: Some(mid), .. } => {
                format!("{account}:messaging_postback:{}", mid.text)
            }
            EventSpec::Postback { mid: None, .. } => hashed("messaging_postback"),
            EventSpec::Read { mid: Some(mid) } => format!("{account}:messaging_seen:{}", mid.text),
            EventSpec::Read { mid: None } => hashed("messaging_seen"),
            EventSpec::Edit { mid, num_edit, .. } => {
                format!("{account}:message_edit:{}:{num_edit}", mid.text)
            }
            EventSpec::Reaction { mid, react, .. } => {
                let action = if *react { "react" } else { "unreact" };
                let sender = id_text(item.sender.as_ref()).unwrap_or("");
                let time = item
                    .timestamp
                    .as_ref()
                    .map(GenTime::as_sent)
                    .unwrap_or_default();
                format!(
                    "{account}:message_reaction:{}:{action}:{sender}:{time}",
                    mid.text
                )
            }
            EventSpec::Referral { .. } => hashed("messaging_referral"),
            EventSpec::Optin { .. } => hashed("messaging_optin"),
            EventSpec::PassThreadControl { .. } => hashed("messaging_handover"),
            EventSpec::Unknown { .. } => {
                hashed(&format!("unknown:{}", field.unwrap_or(UNKNOWN_EVENT_KEY)))
            }
        }
    }
}

/// The unit of `entry.time`: seconds on `changes` entries,
/// milliseconds on `messaging`/`standby` ones (written out here rather than
/// taken from the library).
fn documented_entry_time_unit(container: Container) -> TimeUnit {
    match container {
        Container::Changes => TimeUnit::Seconds,
        Container::Messaging | Container::Standby => TimeUnit::Milliseconds,
    }
}

fn entry() -> impl Strategy<Value = EntrySpec> {
    (
        id(),
        opt(time()),
        prop_oneof![
            proptest::collection::vec(change(), 1..4).prop_map(Items::Changes),
            proptest::collection::vec(messaging_item(), 1..4).prop_map(Items::Messaging),
            proptest::collection::vec(messaging_item(), 1..4).prop_map(Items::Standby),
        ],
    )
        .prop_map(|(id, time, items)| EntrySpec { id, time, items })
}

fn body() -> impl Strategy<Value = Vec<EntrySpec>> {
    proptest::collection::vec(entry(), 1..4)
}

fn body_json(entries: &[EntrySpec]) -> String {
    let entries: Vec<Value> = entries.iter().map(EntrySpec::json).collect();
    json!({"object": "instagram", "entry": entries}).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn events_hold_the_generated_values_and_keep_them_through_serde(entries in body()) {
        let body = body_json(&entries);
        let notification = Notification::from_slice(body.as_bytes()).unwrap();
        let expected: Vec<(usize, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(e, entry)| (0..entry.len()).map(move |i| (e, i)))
            .collect();
        let events: Vec<_> = notification.events().collect();
        prop_assert_eq!(events.len(), expected.len(), "one result per generated item");
        prop_assert_eq!(notification.item_count(), expected.len());

        for (result, &(e, i)) in events.into_iter().zip(&expected) {
            let event = result.map_err(|error| TestCaseError::fail(format!("{error:?}")))?;
            entries[e].check(e, i, &event)?;

            // Queued and read back: still the generated values.
            let json = serde_json::to_string(&event).unwrap();
            let back: Event<'_> = serde_json::from_str(&json).unwrap();
            entries[e].check(e, i, &back)?;
            prop_assert_eq!(&back, &event);

            let owned = event.clone().into_owned();
            entries[e].check(e, i, &owned)?;
            prop_assert_eq!(serde_json::to_string(&owned).unwrap(), json);

            let payload = serde_json::to_string(event.payload()).unwrap();
            let payload_back: EventPayload<'_> = serde_json::from_str(&payload).unwrap();
            prop_assert_eq!(&payload_back, event.payload());
            prop_assert!(EventKind::from_name(event.kind().as_str()) == Some(event.kind()));
        }

        // The envelope itself round trips too: the same events come out of its serialization.
        let again = serde_json::to_string(&notification).unwrap();
        let reparsed = Notification::from_slice(again.as_bytes()).unwrap();
        let a: Vec<_> = notification.events().map(|r| r.unwrap().into_payload()).collect();
        let b: Vec<_> = reparsed.events().map(|r| r.unwrap().into_payload()).collect();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn ids_round_trip_and_never_lose_digits(n in any::<u64>(), s in "[0-9A-Za-z]{0,30}") {
        let number = n.to_string();
        let from_number: Id<'_> = serde_json::from_str(&number).unwrap();
        prop_assert_eq!(from_number.as_str(), n.to_string());
        let json = serde_json::to_string(&Id::from(s.as_str())).unwrap();
        let back: Id<'_> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.as_str(), s.as_str());
    }

    #[test]
    fn timestamps_round_trip_as_sent(n in any::<u64>(), as_string in any::<bool>()) {
        let json = if as_string { format!("\"{n}\"") } else { n.to_string() };
        let t: Timestamp = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(t.value(), Some(n));
        prop_assert_eq!(serde_json::to_string(&t).unwrap(), json);
    }
}
