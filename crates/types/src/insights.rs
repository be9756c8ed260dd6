//! `story_insights`: metrics of a story, sent when it expires.

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::owned::impl_into_owned;

/// Metrics of a story that just expired, from the `story_insights` field.
///
/// Every metric is optional and signed: Meta reports `-1` when fewer than 5 people did the
/// thing. Metrics Meta adds later are not fields here yet; they stay readable in the event's
/// raw JSON ([`Event::raw`](crate::Event::raw)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct StoryInsights<'a> {
    /// The story's media id.
    #[serde(borrow)]
    pub media_id: Id<'a>,
    /// Times the story was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impressions: Option<i64>,
    /// Accounts that saw the story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<i64>,
    /// Taps to the next story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taps_forward: Option<i64>,
    /// Taps back to the previous story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taps_back: Option<i64>,
    /// Times someone left the story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exits: Option<i64>,
    /// Replies to the story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<i64>,
}

impl_into_owned!(StoryInsights {
    media_id,
    impressions,
    reach,
    taps_forward,
    taps_back,
    exits,
    replies
});
