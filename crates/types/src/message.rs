//! `messages`: a direct message, an echo of one the business sent, or a story mention.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::attachment::Attachment;
use crate::id::Id;
use crate::messaging::Referral;
use crate::owned::impl_into_owned;

/// A direct message (`message` in a messaging item).
///
/// Echoes of messages the business sent have `is_echo`; a message with a `story_mention`
/// attachment is reported as [`EventKind::StoryMention`](crate::EventKind::StoryMention).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Message<'a> {
    /// Message id (base64 in live traffic).
    #[serde(borrow)]
    pub mid: Id<'a>,
    /// Text, if any.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<Cow<'a, str>>,
    /// Attachments, in order; `None` when Meta sent no `attachments` key.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment<'a>>>,
    /// Sent by the business (an echo), not received.
    #[serde(default, skip_serializing_if = "crate::de::is_false")]
    pub is_echo: bool,
    /// Sent by the business to itself (self-messaging).
    #[serde(default, skip_serializing_if = "crate::de::is_false")]
    pub is_self: bool,
    /// The message was unsent (deleted) by its sender.
    #[serde(default, skip_serializing_if = "crate::de::is_false")]
    pub is_deleted: bool,
    /// Content the API cannot deliver.
    #[serde(default, skip_serializing_if = "crate::de::is_false")]
    pub is_unsupported: bool,
    /// The quick reply the user tapped.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply<'a>>,
    /// What this message replies to: another message or a story.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo<'a>>,
    /// The ad, link or product the conversation came from (boxed: rare and large).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Box<Referral<'a>>>,
}

impl_into_owned!(Message {
    mid,
    text,
    attachments,
    is_echo,
    is_self,
    is_deleted,
    is_unsupported,
    quick_reply,
    reply_to,
    referral,
});

impl<'a> Message<'a> {
    /// The attachments (empty when there are none).
    pub fn attachments(&self) -> &[Attachment<'a>] {
        self.attachments.as_deref().unwrap_or_default()
    }

    /// Whether an attachment is a `story_mention`.
    pub fn is_story_mention(&self) -> bool {
        self.attachments().iter().any(Attachment::is_story_mention)
    }
}

/// The quick reply a user tapped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct QuickReply<'a> {
    /// The payload the business attached to the quick reply.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload: Option<Cow<'a, str>>,
}

impl_into_owned!(QuickReply { payload });

/// What a message replies to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct ReplyTo<'a> {
    /// The message replied to.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub mid: Option<Id<'a>>,
    /// The story replied to.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub story: Option<StoryRef<'a>>,
}

impl_into_owned!(ReplyTo { mid, story });

/// A story a message replies to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct StoryRef<'a> {
    /// Story media id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id<'a>>,
    /// CDN URL of the story (short-lived).
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Cow<'a, str>>,
}

impl_into_owned!(StoryRef { id, url });
