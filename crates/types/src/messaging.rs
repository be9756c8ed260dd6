//! The messaging item's envelope and its smaller payloads: postbacks, read receipts, referrals,
//! opt-ins and thread-control handovers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::owned::{IntoStatic, impl_into_owned};
use crate::time::Timestamp;

/// A sender or recipient: `{"id": ...}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Participant<'a> {
    /// Instagram-scoped id (IGSID) of a user, or the business account id.
    #[serde(borrow)]
    pub id: Id<'a>,
}

impl_into_owned!(Participant { id });

impl<'a> Participant<'a> {
    /// A participant with this id.
    pub fn new(id: impl Into<Id<'a>>) -> Self {
        Self { id: id.into() }
    }
}

/// The fields every messaging item shares, whichever event it carries.
///
/// Live `messaging_seen` bodies may have neither sender nor recipient, and `message_edit` may lack
/// the sender, so both are optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessagingHeader<'a> {
    /// Who sent it: a user, or the business account for echoes.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Participant<'a>>,
    /// Who received it.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Participant<'a>>,
    /// When it happened: milliseconds in live traffic, seconds (often as a string) from the
    /// Test button; the unit is inferred from the magnitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// Item-level `is_self` (self-messaging postbacks).
    #[serde(default, skip_serializing_if = "crate::de::is_false")]
    pub is_self: bool,
}

impl_into_owned!(MessagingHeader {
    sender,
    recipient,
    timestamp,
    is_self
});

/// A tap on an icebreaker, a generic-template button or a persistent-menu item (`postback`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Postback<'a> {
    /// Id of the message the postback created (API v11+).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub mid: Option<Id<'a>>,
    /// The button or option title.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<Cow<'a, str>>,
    /// The payload the business set on the button.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload: Option<Cow<'a, str>>,
}

impl_into_owned!(Postback {
    mid,
    title,
    payload
});

/// A read receipt (`read`): Instagram names the message read, unlike Messenger's `watermark`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Read<'a> {
    /// The last message read.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub mid: Option<Id<'a>>,
}

impl_into_owned!(Read { mid });

/// Where a conversation came from: an ig.me link, an ad, a product (`referral`).
///
/// Arrives on its own (a `messaging_referral` event, when the user was already in the
/// conversation) or inside a [`Message`](crate::Message).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Referral<'a> {
    /// The `ref` parameter of the link or ad.
    #[serde(
        rename = "ref",
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref_: Option<Cow<'a, str>>,
    /// `IGME_SOURCE_LINK`, `ADS`, `SHORTLINK`, ...
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<Cow<'a, str>>,
    /// `OPEN_THREAD`, ...
    #[serde(
        rename = "type",
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub referral_type: Option<Cow<'a, str>>,
    /// The ad clicked (click-to-Instagram-Direct ads).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub ad_id: Option<Id<'a>>,
    /// What the ad showed.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub ads_context_data: Option<AdsContextData<'a>>,
    /// The product the user asked about.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub product: Option<ReferralProduct<'a>>,
}

impl_into_owned!(Referral {
    ref_,
    source,
    referral_type,
    ad_id,
    ads_context_data,
    product
});

/// What a click-to-message ad showed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct AdsContextData<'a> {
    /// The ad's title.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub ad_title: Option<Cow<'a, str>>,
    /// The image clicked.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub photo_url: Option<Cow<'a, str>>,
    /// Thumbnail of the ad's video.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_url: Option<Cow<'a, str>>,
    /// The post the ad promoted.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<Id<'a>>,
    /// The product the ad showed.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<Id<'a>>,
}

impl_into_owned!(AdsContextData {
    ad_title,
    photo_url,
    video_url,
    post_id,
    product_id
});

/// A product a referral points at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct ReferralProduct<'a> {
    /// Product id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id<'a>>,
}

impl_into_owned!(ReferralProduct { id });

/// An opt-in (`optin`), e.g. to recurring notification messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Optin<'a> {
    /// `notification_messages`, ...
    #[serde(
        rename = "type",
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub optin_type: Option<Cow<'a, str>>,
    /// The payload the business set.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload: Option<Cow<'a, str>>,
    /// The `ref` of a plugin opt-in.
    #[serde(
        rename = "ref",
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref_: Option<Cow<'a, str>>,
    /// Topic title.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<Cow<'a, str>>,
    /// Token to send notification messages with.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_messages_token: Option<Cow<'a, str>>,
    /// `daily`, `weekly`, `monthly`.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_messages_frequency: Option<Cow<'a, str>>,
    /// The user's timezone.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_messages_timezone: Option<Cow<'a, str>>,
    /// `STOP NOTIFICATIONS` / `RESUME NOTIFICATIONS`.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_messages_status: Option<Cow<'a, str>>,
    /// When the token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expiry_timestamp: Option<Timestamp>,
    /// `REFRESHED`, `NOT_REFRESHED`.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_token_status: Option<Cow<'a, str>>,
}

impl_into_owned!(Optin {
    optin_type,
    payload,
    ref_,
    title,
    notification_messages_token,
    notification_messages_frequency,
    notification_messages_timezone,
    notification_messages_status,
    token_expiry_timestamp,
    user_token_status,
});

/// A handover-protocol event: thread control passed, taken or requested.
///
/// Serializes as Meta sends it: `{"pass_thread_control": {...}}` and so on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Handover<'a> {
    /// `pass_thread_control`: another app passed the thread to this one.
    PassThreadControl(#[serde(borrow)] ThreadControl<'a>),
    /// `take_thread_control`: the primary app took the thread.
    TakeThreadControl(#[serde(borrow)] ThreadControl<'a>),
    /// `request_thread_control`: another app asks for the thread.
    RequestThreadControl(#[serde(borrow)] ThreadControl<'a>),
}

impl<'a> Handover<'a> {
    /// The thread-control details, whichever the action.
    pub fn control(&self) -> &ThreadControl<'a> {
        match self {
            Self::PassThreadControl(c)
            | Self::TakeThreadControl(c)
            | Self::RequestThreadControl(c) => c,
        }
    }

    /// The key Meta uses: `pass_thread_control`, `take_thread_control` or `request_thread_control`.
    pub fn action(&self) -> &'static str {
        match self {
            Self::PassThreadControl(_) => "pass_thread_control",
            Self::TakeThreadControl(_) => "take_thread_control",
            Self::RequestThreadControl(_) => "request_thread_control",
        }
    }

    /// Copies every borrowed string so the value no longer borrows the request body.
    pub fn into_owned(self) -> Handover<'static> {
        self.into_static()
    }
}

impl IntoStatic for Handover<'_> {
    type Static = Handover<'static>;

    fn into_static(self) -> Self::Static {
        match self {
            Self::PassThreadControl(c) => Handover::PassThreadControl(c.into_static()),
            Self::TakeThreadControl(c) => Handover::TakeThreadControl(c.into_static()),
            Self::RequestThreadControl(c) => Handover::RequestThreadControl(c.into_static()),
        }
    }
}

/// Details of a [`Handover`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct ThreadControl<'a> {
    /// The app that owns the thread now.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub new_owner_app_id: Option<Id<'a>>,
    /// The app that owned it before.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub previous_owner_app_id: Option<Id<'a>>,
    /// The app asking for the thread.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub requested_owner_app_id: Option<Id<'a>>,
    /// Free text the other app attached.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Cow<'a, str>>,
}

impl_into_owned!(ThreadControl {
    new_owner_app_id,
    previous_owner_app_id,
    requested_owner_app_id,
    metadata
});
