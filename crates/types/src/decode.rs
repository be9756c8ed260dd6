//! Private: decoding one item (a change's `value` or a messaging item) into a typed payload.

use std::borrow::Cow;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::edit::MessageEdit;
use crate::error::{ItemErrorKind, JsonError};
use crate::kind::{self, EventPayload, UnknownEvent};
use crate::location::Container;
use crate::message::Message;
use crate::messaging::{Handover, MessagingHeader, Optin, Postback, Read, Referral, ThreadControl};
use crate::raw::RawJson;
use crate::reaction::Reaction;

#[cfg(not(feature = "strict"))]
use serde::de::IgnoredAny;

/// A decoded item.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub(crate) header: Option<MessagingHeader<'a>>,
    pub(crate) payload: EventPayload<'a>,
}

fn invalid(e: &serde_json::Error) -> ItemErrorKind {
    ItemErrorKind::Invalid(JsonError::new(e))
}

/// Decodes one item. `field` is the change's `field` for items of `changes`.
pub(crate) fn item<'a>(
    container: Container,
    field: Option<&Cow<'a, str>>,
    raw: &'a RawValue,
) -> Result<Decoded<'a>, ItemErrorKind> {
    let field = match (container, field) {
        (Container::Changes, None) => return Err(ItemErrorKind::MissingField),
        (Container::Changes, Some(_)) if raw.get() == "null" => {
            return Err(ItemErrorKind::MissingValue);
        }
        (Container::Changes, Some(field)) => field,
        (Container::Messaging | Container::Standby, _) => return messaging_item(raw, None),
    };
    let payload = match kind::decode_change(field, raw) {
        Some(decoded) => decoded?,
        None if kind::MESSAGING_FIELDS.contains(&&**field) => {
            return messaging_item(raw, Some(field));
        }
        None => EventPayload::Unknown(UnknownEvent {
            field: field.clone(),
            raw: RawJson::Borrowed(raw),
        }),
    };
    Ok(Decoded {
        header: None,
        payload,
    })
}

/// Every key a messaging item may have: a repeated one is an error (JSON
/// does not say which copy wins), and with the `strict` feature any other
/// key is one too.
const ITEM_KEYS: &[&str] = &[
    "sender",
    "recipient",
    "timestamp",
    "is_self",
    "message",
    "message_edit",
    "reaction",
    "postback",
    "read",
    "referral",
    "optin",
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
];

/// What one pass over a messaging item found.
struct Item<'a> {
    header: MessagingHeader<'a>,
    /// The event, with its precedence (lower wins) when an item has several event keys.
    event: Option<(u8, EventPayload<'a>)>,
    /// The first key that is neither header nor a known event.
    unknown_key: Option<Cow<'a, str>>,
}

impl<'a> Item<'a> {
    fn offer(&mut self, rank: u8, payload: Option<EventPayload<'a>>) {
        if let Some(payload) = payload
            && self.event.as_ref().is_none_or(|(r, _)| rank < *r)
        {
            self.event = Some((rank, payload));
        }
    }
}

/// Decodes a messaging item in one pass, straight into the payload of its event key (the item
/// has one of `message`, `reaction`, `postback`, ...), without buffering the others.
struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a messaging item object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut item = Item {
            header: MessagingHeader::default(),
            event: None,
            unknown_key: None,
        };
        let mut seen: u16 = 0;
        while let Some(KeyStr(key)) = map.next_key()? {
            if let Some(index) = ITEM_KEYS.iter().position(|known| *known == key) {
                let bit = 1_u16 << index;
                if seen & bit != 0 {
                    return Err(serde::de::Error::duplicate_field(ITEM_KEYS[index]));
                }
                seen |= bit;
            }
            match &*key {
                "sender" => item.header.sender = map.next_value()?,
                "recipient" => item.header.recipient = map.next_value()?,
                "timestamp" => item.header.timestamp = map.next_value()?,
                "is_self" => {
                    item.header.is_self = map.next_value::<Option<bool>>()?.unwrap_or_default();
                }
                "message" => {
                    let message = map.next_value::<Option<Message<'de>>>()?;
                    item.offer(
                        0,
                        message.map(|m| {
                            if m.is_story_mention() {
                                EventPayload::StoryMention(m)
                            } else {
                                EventPayload::Message(m)
                            }
                        }),
                    );
                }
                "message_edit" => {
                    let edit = map.next_value::<Option<MessageEdit<'de>>>()?;
                    item.offer(1, edit.map(EventPayload::MessageEdit));
                }
                "reaction" => {
                    let reaction = map.next_value::<Option<Reaction<'de>>>()?;
                    item.offer(2, reaction.map(EventPayload::MessageReaction));
                }
                "postback" => {
                    let postback = map.next_value::<Option<Postback<'de>>>()?;
                    item.offer(3, postback.map(EventPayload::MessagingPostback));
                }
                "read" => {
                    let read = map.next_value::<Option<Read<'de>>>()?;
                    item.offer(4, read.map(EventPayload::MessagingSeen));
                }
                "referral" => {
                    let referral = map.next_value::<Option<Box<Referral<'de>>>>()?;
                    item.offer(5, referral.map(EventPayload::MessagingReferral));
                }
                "optin" => {
                    let optin = map.next_value::<Option<Box<Optin<'de>>>>()?;
                    item.offer(6, optin.map(EventPayload::MessagingOptin));
                }
                "pass_thread_control" => {
                    let control = map.next_value::<Option<ThreadControl<'de>>>()?;
                    item.offer(
                        7,
                        control.map(|c| {
                            EventPayload::MessagingHandover(Handover::PassThreadControl(c))
                        }),
                    );
                }
                "take_thread_control" => {
                    let control = map.next_value::<Option<ThreadControl<'de>>>()?;
                    item.offer(
                        8,
                        control.map(|c| {
                            EventPayload::MessagingHandover(Handover::TakeThreadControl(c))
                        }),
                    );
                }
                "request_thread_control" => {
                    let control = map.next_value::<Option<ThreadControl<'de>>>()?;
                    item.offer(
                        9,
                        control.map(|c| {
                            EventPayload::MessagingHandover(Handover::RequestThreadControl(c))
                        }),
                    );
                }
                _ => {
                    #[cfg(feature = "strict")]
                    return Err(serde::de::Error::unknown_field(&key, ITEM_KEYS));
                    #[cfg(not(feature = "strict"))]
                    {
                        map.next_value::<IgnoredAny>()?;
                        if item.unknown_key.is_none() {
                            item.unknown_key = Some(key);
                        }
                    }
                }
            }
        }
        Ok(item)
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct KeyStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for KeyStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(crate::de::CowStrVisitor).map(KeyStr)
    }
}

fn messaging_item<'a>(
    raw: &'a RawValue,
    change_field: Option<&Cow<'a, str>>,
) -> Result<Decoded<'a>, ItemErrorKind> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let item = de
        .deserialize_map(ItemVisitor)
        .and_then(|item| de.end().map(|()| item))
        .map_err(|e| invalid(&e))?;
    let payload = match item.event {
        Some((_, payload)) => payload,
        None => {
            let field = change_field
                .cloned()
                .or(item.unknown_key)
                .ok_or(ItemErrorKind::NoEvent)?;
            EventPayload::Unknown(UnknownEvent {
                field,
                raw: RawJson::Borrowed(raw),
            })
        }
    };
    Ok(Decoded {
        header: Some(item.header),
        payload,
    })
}
