//! The kinds of event and their typed payloads, generated from one list.
//!
//! [`event_kinds!`] below is the only place a kind is named: the [`EventKind`] variants and
//! their docs, [`EventKind::ALL`], the `snake_case` names (printing, parsing, serde), the
//! webhook fields each kind arrives in, the table in [`EventKind`]'s docs, the
//! [`EventPayload`] variants and the decoding of `changes` values by `field` all come from it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::comment::Comment;
use crate::edit::MessageEdit;
use crate::error::{ItemErrorKind, JsonError};
use crate::insights::StoryInsights;
use crate::mention::Mention;
use crate::message::Message;
use crate::messaging::{Handover, Optin, Postback, Read, Referral};
use crate::owned::{IntoStatic, impl_into_owned};
use crate::raw::RawJson;
use crate::reaction::Reaction;

/// `"a", "b", "c"` as one literal: each item between `$open` and `$close`, `$sep` between.
macro_rules! join_lit {
    ($open:literal $close:literal $sep:literal;) => {
        ""
    };
    ($open:literal $close:literal $sep:literal; $first:literal $(, $rest:literal)*) => {
        concat!($open, $first, $close $(, $sep, $open, $rest, $close)*)
    };
}

/// Where a kind arrives, as Markdown, for the docs.
macro_rules! arrives {
    (changes [$($field:literal),*]) => {
        concat!("`changes`, field ", join_lit!("`" "`" " or "; $($field),*))
    };
    (messaging [$($field:literal),*]) => {
        concat!(
            "`messaging`/`standby` (field ",
            join_lit!("`" "`" " or "; $($field),*),
            "; also in `changes` from the Test button)"
        )
    };
    (other []) => {
        "any container, any other field or item key"
    };
}

/// Sorts the list into the `changes` kinds (decoded by `field`) and the fields whose value is
/// a messaging item, then writes the two lookups the decoder uses.
macro_rules! field_lookups {
    (@ [$($cv:ident [$($cf:literal),*])*] [$($mf:literal)*]) => {
        /// Decodes a change's `value` by its `field`, for the kinds that arrive in `changes`;
        /// `None` when the field is not one of theirs.
        ///
        /// Written so the payload is built in place: mapping the error before wrapping the
        /// payload saves a copy of it per item (measured on the 1000-update batch).
        #[inline(always)]
        pub(crate) fn decode_change<'a>(
            field: &str,
            raw: &'a RawValue,
        ) -> Option<Result<EventPayload<'a>, ItemErrorKind>> {
            Some(Ok(match field {
                $($($cf)|* => EventPayload::$cv(match serde_json::from_str(raw.get()) {
                    Ok(payload) => payload,
                    Err(e) => return Some(Err(ItemErrorKind::Invalid(JsonError::new(&e)))),
                }),)*
                _ => return None,
            }))
        }

        /// The `changes` fields whose `value` is a messaging item (App Dashboard Test-button
        /// deliveries), `standby` included.
        pub(crate) const MESSAGING_FIELDS: &[&str] = &[$($mf,)* "standby"];

        /// Every field name of the list, to share one `'static` copy instead of allocating.
        const FIELD_NAMES: &[&str] = &[$($($cf,)*)* $($mf,)* "standby"];
    };
    (@ [$($c:tt)*] [$($m:tt)*] changes $v:ident [$($f:literal),*] $($rest:tt)*) => {
        field_lookups!(@ [$($c)* $v [$($f),*]] [$($m)*] $($rest)*);
    };
    (@ [$($c:tt)*] [$($m:tt)*] messaging $v:ident [$($f:literal),*] $($rest:tt)*) => {
        field_lookups!(@ [$($c)*] [$($m)* $($f)*] $($rest)*);
    };
    (@ [$($c:tt)*] [$($m:tt)*] other $v:ident [$($f:literal),*] $($rest:tt)*) => {
        field_lookups!(@ [$($c)*] [$($m)*] $($rest)*);
    };
}

macro_rules! event_kinds {
    ($(
        $variant:ident = $name:literal: $payload:ty,
        $class:ident [$($field:literal),*],
        $summary:literal;
    )*) => {
        /// The kind of an [`Event`](crate::Event), printed, logged and serialized in `snake_case`.
        ///
        /// Parse one from its name with [`from_name`](Self::from_name) or [`str::parse`]
        /// (`"comment".parse::<EventKind>()`); [`ALL`](Self::ALL) lists them.
        ///
        /// | kind | arrives in | what |
        /// |---|---|---|
        $(#[doc = concat!("| `", $name, "` | ", arrives!($class [$($field),*]), " | ", $summary, " |")])*
        ///
        /// ```
        /// use instagram_webhook_types::EventKind;
        ///
        /// let kind: EventKind = "message_reaction".parse()?;
        /// assert_eq!(kind, EventKind::MessageReaction);
        /// assert_eq!(kind.to_string(), "message_reaction");
        /// assert_eq!(kind.fields(), ["message_reactions"]);
        /// assert_eq!(EventKind::from_name("comment"), Some(EventKind::Comment));
        /// assert!("comments".parse::<EventKind>().is_err());
        /// # Ok::<(), instagram_webhook_types::ParseEventKindError>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum EventKind {
            $(
                #[doc = concat!("`", $name, "`: ", $summary, ".")]
                #[doc = ""]
                #[doc = concat!("Arrives in ", arrives!($class [$($field),*]), ".")]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl EventKind {
            /// Every kind, in declaration order.
            pub const ALL: [Self; KIND_COUNT] = [$(Self::$variant),*];

            /// The `snake_case` name: `comment`, `live_comment`, `message_reaction`, ...
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The kind with this `snake_case` name, if any. [`FromStr`] does the same with an
            /// error that lists the names.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)*
                    _ => None,
                }
            }

            /// The webhook fields (the names an app subscribes to, and a change's `field`) this
            /// kind arrives in: `["comments"]` for [`Comment`](Self::Comment), `["messages",
            /// "message_echoes"]` for [`Message`](Self::Message), `[]` for
            /// [`Unknown`](Self::Unknown).
            pub fn fields(self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => &[$($field),*],)*
                }
            }
        }

        /// The `snake_case` names of every kind, for error messages.
        const KIND_NAMES: &str = join_lit!("" "" ", "; $($name),*);

        /// How many kinds there are.
        const KIND_COUNT: usize = [$($name),*].len();

        /// The typed content of an [`Event`](crate::Event), one variant per [`EventKind`].
        ///
        /// Messaging variants hold the inner object (`message`, `reaction`, ...); the sender,
        /// recipient and timestamp around it are on the [`Event`](crate::Event)
        /// ([`Event::messaging`](crate::Event::messaging)).
        ///
        /// Serializes as `{"kind": "<snake_case kind>", "data": <the object as Meta sends it>}`.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "data")]
        #[non_exhaustive]
        pub enum EventPayload<'a> {
            $(
                #[doc = concat!("[`EventKind::", stringify!($variant), "`]: ", $summary, ".")]
                #[serde(rename = $name)]
                $variant(#[serde(borrow)] $payload),
            )*
        }

        impl EventPayload<'_> {
            /// The kind of this payload.
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Self::$variant(_) => EventKind::$variant,)*
                }
            }
        }

        impl IntoStatic for EventPayload<'_> {
            type Static = EventPayload<'static>;

            fn into_static(self) -> Self::Static {
                match self {
                    $(Self::$variant(v) => EventPayload::$variant(v.into_static()),)*
                }
            }
        }

        field_lookups!(@ [] [] $($class $variant [$($field),*])*);
    };
}

event_kinds! {
    Comment = "comment": Comment<'a>,
        changes ["comments"],
        "a comment on the account's media";
    LiveComment = "live_comment": Comment<'a>,
        changes ["live_comments"],
        "a comment on a live broadcast";
    Mention = "mention": Mention<'a>,
        changes ["mentions"],
        "an @mention of the account in a caption or a comment";
    StoryMention = "story_mention": Message<'a>,
        messaging ["messages"],
        "a message whose attachment is a `story_mention` (the sender mentioned the account in their story)";
    Message = "message": Message<'a>,
        messaging ["messages", "message_echoes"],
        "a direct message, or the echo of one the business sent (item key `message`)";
    MessageReaction = "message_reaction": Reaction<'a>,
        messaging ["message_reactions"],
        "a reaction added to or removed from a message (item key `reaction`)";
    MessagingPostback = "messaging_postback": Postback<'a>,
        messaging ["messaging_postbacks"],
        "a tap on an icebreaker, a button or a persistent-menu item (item key `postback`)";
    MessagingSeen = "messaging_seen": Read<'a>,
        messaging ["messaging_seen"],
        "a read receipt (item key `read`)";
    StoryInsights = "story_insights": StoryInsights<'a>,
        changes ["story_insights"],
        "metrics of a story that just expired";
    MessageEdit = "message_edit": MessageEdit<'a>,
        messaging ["message_edit"],
        "an edited message (item key `message_edit`)";
    MessagingReferral = "messaging_referral": Box<Referral<'a>>,
        messaging ["messaging_referral", "messaging_referrals"],
        "a referral (ig.me link, ad, product) in an existing thread (item key `referral` outside a message; boxed: large and rare)";
    MessagingOptin = "messaging_optin": Box<Optin<'a>>,
        messaging ["messaging_optins"],
        "an opt-in, e.g. to notification messages (item key `optin`; boxed: large and rare)";
    MessagingHandover = "messaging_handover": Handover<'a>,
        messaging ["messaging_handover"],
        "thread control passed, taken or requested (item key `pass_thread_control`, `take_thread_control` or `request_thread_control`)";
    Unknown = "unknown": UnknownEvent<'a>,
        other [],
        "anything else; the field name and the raw JSON are kept";
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = ParseEventKindError;

    /// Parses a `snake_case` kind name (`comment`, `message_reaction`, ...), as a command line
    /// takes it (`--kind comment`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name).ok_or_else(|| ParseEventKindError {
            name: name.to_owned(),
        })
    }
}

/// A name that is no [`EventKind`]'s; the message lists the valid names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown event kind `{name}` (expected one of: {})", KIND_NAMES)]
pub struct ParseEventKindError {
    name: String,
}

impl ParseEventKindError {
    /// The name that was given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl EventPayload<'_> {
    /// Copies every borrowed string so the value no longer borrows the request body.
    pub fn into_owned(self) -> EventPayload<'static> {
        self.into_static()
    }
}

/// A `'static` copy of a field name (a change's `field`, `object`): the shared name when it
/// is one of the list's (no allocation), an owned copy otherwise. Used by the `into_owned`
/// of notifications and events.
pub(crate) fn static_field(field: Cow<'_, str>) -> Cow<'static, str> {
    match FIELD_NAMES.iter().find(|known| **known == field) {
        Some(known) => Cow::Borrowed(*known),
        None => Cow::Owned(field.into_owned()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_serializes_as_itself() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.as_str()), Some(kind));
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), kind);
        }
        let mut sorted = EventKind::ALL;
        sorted.sort();
        assert_eq!(sorted, EventKind::ALL, "ALL is in declaration order");
    }

    #[test]
    fn a_wrong_name_lists_the_right_ones() {
        let error = "comments".parse::<EventKind>().unwrap_err();
        assert_eq!(error.name(), "comments");
        let message = error.to_string();
        assert!(message.starts_with("unknown event kind `comments` (expected one of: comment, "));
        for kind in EventKind::ALL {
            assert!(message.contains(kind.as_str()), "{message}");
        }
        assert!(message.ends_with("unknown)"), "{message}");
    }

    #[test]
    fn the_readme_names_every_kind() {
        let readme = include_str!("../README.md");
        for kind in EventKind::ALL {
            assert!(
                readme.contains(&format!("`{kind}`")),
                "README misses `{kind}`"
            );
        }
    }

    #[test]
    fn fields_are_the_lookups() {
        for kind in EventKind::ALL {
            for field in kind.fields() {
                assert!(FIELD_NAMES.contains(field));
                assert_eq!(static_field(Cow::Owned((*field).to_owned())), *field);
                let is_change = matches!(
                    kind,
                    EventKind::Comment
                        | EventKind::LiveComment
                        | EventKind::Mention
                        | EventKind::StoryInsights
                );
                assert_eq!(MESSAGING_FIELDS.contains(field), !is_change, "{field}");
                let raw = RawValue::from_string("{}".to_owned()).unwrap();
                assert_eq!(decode_change(field, &raw).is_some(), is_change, "{field}");
            }
        }
        assert!(matches!(
            static_field(Cow::Borrowed("brand_new")),
            Cow::Owned(_)
        ));
        assert_eq!(EventKind::Unknown.fields(), [] as [&str; 0]);
    }
}
