//! `mentions`: the account was @mentioned in a caption or a comment.

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::owned::impl_into_owned;

/// An @mention of the account, from the `mentions` field.
///
/// A mention in a comment carries `comment_id`; a mention in a media caption does not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Mention<'a> {
    /// The media whose caption or comment mentions the account.
    #[serde(borrow)]
    pub media_id: Id<'a>,
    /// The comment that mentions the account; absent for caption mentions.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<Id<'a>>,
}

impl_into_owned!(Mention {
    media_id,
    comment_id
});
