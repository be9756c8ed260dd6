//! Private: decoding one item (a change's `value` or a messaging item) into a typed payload.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::comment::Comment;
use crate::edit::MessageEdit;
use crate::error::{ItemErrorKind, JsonError};
use crate::event::{EventPayload, UnknownEvent};
use crate::insights::StoryInsights;
use crate::mention::Mention;
use crate::message::Message;
use crate::messaging::{
    Handover, MessagingHeader, Optin, Participant, Postback, Read, Referral, ThreadControl,
};
use crate::notification::Container;
use crate::raw::RawJson;
use crate::reaction::Reaction;
use crate::time::Timestamp;

/// A decoded item.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub(crate) header: Option<MessagingHeader<'a>>,
    pub(crate) payload: EventPayload<'a>,
}

/// The `changes` fields whose `value` is a messaging item (App Dashboard Test-button deliveries).
fn is_messaging_field(field: &str) -> bool {
    matches!(
        field,
        "messages"
            | "message_echoes"
            | "message_reactions"
            | "message_edit"
            | "messaging_postbacks"
            | "messaging_seen"
            | "messaging_referral"
            | "messaging_referrals"
            | "messaging_optins"
            | "messaging_handover"
            | "standby"
    )
}

fn parse<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Result<T, ItemErrorKind> {
    serde_json::from_str(raw.get()).map_err(|e| ItemErrorKind::Invalid(JsonError::new(&e)))
}

fn changes_only(payload: EventPayload<'_>) -> Decoded<'_> {
    Decoded {
        header: None,
        payload,
    }
}

/// Decodes one item. `field` is the change's `field` for items of `changes`.
pub(crate) fn item<'a>(
    container: Container,
    field: Option<&Cow<'a, str>>,
    raw: &'a RawValue,
) -> Result<Decoded<'a>, ItemErrorKind> {
    let Some(field) = field.filter(|_| container == Container::Changes) else {
        return messaging_item(raw, None);
    };
    Ok(match &**field {
        "comments" => changes_only(EventPayload::Comment(parse::<Comment<'a>>(raw)?)),
        "live_comments" => changes_only(EventPayload::LiveComment(parse::<Comment<'a>>(raw)?)),
        "mentions" => changes_only(EventPayload::Mention(parse::<Mention<'a>>(raw)?)),
        "story_insights" => changes_only(EventPayload::StoryInsights(parse::<StoryInsights<'a>>(
            raw,
        )?)),
        f if is_messaging_field(f) => return messaging_item(raw, Some(field)),
        _ => changes_only(EventPayload::Unknown(UnknownEvent {
            field: field.clone(),
            raw: RawJson::Borrowed(raw),
        })),
    })
}

/// A messaging item as Meta sends it: the header plus one event key.
#[derive(Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
struct WireItem<'a> {
    #[serde(default, borrow)]
    sender: Option<Participant<'a>>,
    #[serde(default, borrow)]
    recipient: Option<Participant<'a>>,
    #[serde(default)]
    timestamp: Option<Timestamp>,
    #[serde(default)]
    is_self: bool,
    #[serde(default, borrow)]
    message: Option<Message<'a>>,
    #[serde(default, borrow)]
    message_edit: Option<MessageEdit<'a>>,
    #[serde(default, borrow)]
    reaction: Option<Reaction<'a>>,
    #[serde(default, borrow)]
    postback: Option<Postback<'a>>,
    #[serde(default, borrow)]
    read: Option<Read<'a>>,
    #[serde(default, borrow)]
    referral: Option<Referral<'a>>,
    #[serde(default, borrow)]
    optin: Option<Optin<'a>>,
    #[serde(default, borrow)]
    pass_thread_control: Option<ThreadControl<'a>>,
    #[serde(default, borrow)]
    take_thread_control: Option<ThreadControl<'a>>,
    #[serde(default, borrow)]
    request_thread_control: Option<ThreadControl<'a>>,
}

fn messaging_item<'a>(
    raw: &'a RawValue,
    change_field: Option<&Cow<'a, str>>,
) -> Result<Decoded<'a>, ItemErrorKind> {
    let wire: WireItem<'a> = parse(raw)?;
    let header = MessagingHeader {
        sender: wire.sender,
        recipient: wire.recipient,
        timestamp: wire.timestamp,
        is_self: wire.is_self,
    };
    let payload = if let Some(message) = wire.message {
        if message.is_story_mention() {
            EventPayload::StoryMention(message)
        } else {
            EventPayload::Message(message)
        }
    } else if let Some(edit) = wire.message_edit {
        EventPayload::MessageEdit(edit)
    } else if let Some(reaction) = wire.reaction {
        EventPayload::MessageReaction(reaction)
    } else if let Some(postback) = wire.postback {
        EventPayload::MessagingPostback(postback)
    } else if let Some(read) = wire.read {
        EventPayload::MessagingSeen(read)
    } else if let Some(referral) = wire.referral {
        EventPayload::MessagingReferral(referral)
    } else if let Some(optin) = wire.optin {
        EventPayload::MessagingOptin(optin)
    } else if let Some(control) = wire.pass_thread_control {
        EventPayload::MessagingHandover(Handover::PassThreadControl(control))
    } else if let Some(control) = wire.take_thread_control {
        EventPayload::MessagingHandover(Handover::TakeThreadControl(control))
    } else if let Some(control) = wire.request_thread_control {
        EventPayload::MessagingHandover(Handover::RequestThreadControl(control))
    } else {
        let field = match change_field {
            Some(field) => field.clone(),
            None => first_event_key(raw).ok_or(ItemErrorKind::NoEvent)?,
        };
        EventPayload::Unknown(UnknownEvent {
            field,
            raw: RawJson::Borrowed(raw),
        })
    };
    Ok(Decoded {
        header: Some(header),
        payload,
    })
}

/// The first key of a messaging item that is not part of the header: the name of an event
/// this version does not know.
fn first_event_key(raw: &RawValue) -> Option<Cow<'_, str>> {
    struct FirstKey;

    impl<'de> Visitor<'de> for FirstKey {
        type Value = Option<Cow<'de, str>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<KeyStr<'de>>()? {
                map.next_value::<IgnoredAny>()?;
                if found.is_none()
                    && !matches!(&*key.0, "sender" | "recipient" | "timestamp" | "is_self")
                {
                    found = Some(key.0);
                }
            }
            Ok(found)
        }
    }

    struct KeyStr<'a>(Cow<'a, str>);

    impl<'de> Deserialize<'de> for KeyStr<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(crate::de::CowStrVisitor).map(KeyStr)
        }
    }

    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_map(&mut de, FirstKey)
        .ok()
        .flatten()
}
