//! `comments` and `live_comments`: a comment on the account's media or live broadcast.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::owned::impl_into_owned;

/// A comment, from the `comments` field ([`EventKind::Comment`](crate::EventKind::Comment)) or the
/// `live_comments` field ([`EventKind::LiveComment`](crate::EventKind::LiveComment)).
///
/// Instagram-Login apps receive the comment id as `id`; Meta's Facebook-Login docs name it
/// `comment_id`. Both are kept; [`effective_id`](Self::effective_id) returns whichever is present.
/// The business's own comments (and replies) come back too: `from.self_ig_scoped_id` marks them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Comment<'a> {
    /// The comment id (Instagram Login).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id<'a>>,
    /// The comment id, as Meta's Facebook-Login docs name it.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<Id<'a>>,
    /// The comment text.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<Cow<'a, str>>,
    /// Who wrote it; absent in older Test samples.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub from: Option<CommentAuthor<'a>>,
    /// The media commented on; absent in older Test samples.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub media: Option<CommentMedia<'a>>,
    /// The comment this one replies to; only on replies.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Id<'a>>,
}

impl_into_owned!(Comment {
    id,
    comment_id,
    text,
    from,
    media,
    parent_id
});

impl<'a> Comment<'a> {
    /// The comment id: `id`, or `comment_id` in the Facebook-Login shape.
    pub fn effective_id(&self) -> Option<&Id<'a>> {
        self.id.as_ref().or(self.comment_id.as_ref())
    }

    /// Whether this is a reply to another comment.
    pub fn is_reply(&self) -> bool {
        self.parent_id.is_some()
    }

    /// Whether the business wrote this comment itself (`from.self_ig_scoped_id` is present).
    pub fn is_self(&self) -> bool {
        self.from
            .as_ref()
            .is_some_and(|f| f.self_ig_scoped_id.is_some())
    }
}

/// The author of a [`Comment`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct CommentAuthor<'a> {
    /// Instagram-scoped id of the author (the account id when the business commented).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id<'a>>,
    /// The author's username.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub username: Option<Cow<'a, str>>,
    /// Present when the business itself wrote the comment: its Instagram-scoped id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub self_ig_scoped_id: Option<Id<'a>>,
}

impl_into_owned!(CommentAuthor {
    id,
    username,
    self_ig_scoped_id
});

/// The media a [`Comment`] was made on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct CommentMedia<'a> {
    /// Media id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id<'a>>,
    /// `FEED`, `REELS`, `LIVE`, `AD`, ... (an open vocabulary, kept as text).
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_product_type: Option<Cow<'a, str>>,
    /// Ad id, when the media is an ad.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub ad_id: Option<Id<'a>>,
    /// Ad title, when the media is an ad.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub ad_title: Option<Cow<'a, str>>,
    /// The organic media an ad was made from.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub original_media_id: Option<Id<'a>>,
}

impl_into_owned!(CommentMedia {
    id,
    media_product_type,
    ad_id,
    ad_title,
    original_media_id
});
