//! Message attachments: an open vocabulary Meta extends without notice.

use std::borrow::Cow;

use serde::de::Error as _;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::owned::{IntoStatic, impl_into_owned};
use crate::raw::RawJson;

/// The payload of an attachment of a known type.
///
/// One struct serves every known type; each type fills the fields it uses (`url` for media,
/// `ig_post_media_id` + `title` + `url` for post shares, `reel_video_id` for reels,
/// `story_media_id` + `story_media_url` for story shares). `like_heart` sends `{}`: every field
/// is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct AttachmentPayload<'a> {
    /// CDN URL of the media (short-lived), or a web permalink for some reel shares.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Cow<'a, str>>,
    /// Title or caption of a shared post or reel.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<Cow<'a, str>>,
    /// Media id of a shared post (`share` since 2025, `ig_post`).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub ig_post_media_id: Option<crate::Id<'a>>,
    /// Video id of a shared reel (`ig_reel`).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub reel_video_id: Option<crate::Id<'a>>,
    /// Media id of a shared story (`ig_story`).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub story_media_id: Option<crate::Id<'a>>,
    /// CDN URL of a shared story (`ig_story`).
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub story_media_url: Option<Cow<'a, str>>,
}

impl_into_owned!(AttachmentPayload {
    url,
    title,
    ig_post_media_id,
    reel_video_id,
    story_media_id,
    story_media_url
});

macro_rules! attachments {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// One attachment of a message: `{"type": ..., "payload": ...}`.
        ///
        /// The known types have a variant each, with the payload decoded (`None` when Meta
        /// sent no payload, as for `ephemeral`). Any other type becomes [`Attachment::Other`],
        /// which keeps the type name and the raw payload, so a new type Meta introduces is
        /// neither an error nor lost.
        ///
        /// ```
        /// use instagram_webhook_types::Attachment;
        ///
        /// let a: Attachment<'_> = serde_json::from_str(r#"{"type":"image","payload":{"url":"https://x"}}"#).unwrap();
        /// assert_eq!(a.type_name(), "image");
        /// assert_eq!(a.url(), Some("https://x"));
        ///
        /// let a: Attachment<'_> = serde_json::from_str(r#"{"type":"hologram","payload":{"z":1}}"#).unwrap();
        /// assert!(matches!(a, Attachment::Other { .. }));
        /// assert_eq!(a.type_name(), "hologram");
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Attachment<'a> {
            $($(#[$doc])* $variant(Option<AttachmentPayload<'a>>),)*
            /// A type this version does not know, with its raw payload.
            Other {
                /// The `type` as sent.
                type_name: Cow<'a, str>,
                /// The `payload` as sent, if any.
                payload: Option<RawJson<'a>>,
            },
        }

        impl<'a> Attachment<'a> {
            /// The `type` as Meta names it (`image`, `ig_reel`, `story_mention`, ...).
            pub fn type_name(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $name,)*
                    Self::Other { type_name, .. } => type_name,
                }
            }

            /// The decoded payload of a known type; `None` if absent or for [`Attachment::Other`].
            pub fn payload(&self) -> Option<&AttachmentPayload<'a>> {
                match self {
                    $(Self::$variant(p) => p.as_ref(),)*
                    Self::Other { .. } => None,
                }
            }

            fn from_wire(type_name: Cow<'a, str>, payload: Option<&'a RawValue>) -> Result<Self, serde_json::Error> {
                let decode = |p: Option<&'a RawValue>| -> Result<Option<AttachmentPayload<'a>>, serde_json::Error> {
                    p.map(|raw| serde_json::from_str(raw.get())).transpose()
                };
                Ok(match &*type_name {
                    $($name => Self::$variant(decode(payload)?),)*
                    _ => Self::Other { type_name, payload: payload.map(RawJson::Borrowed) },
                })
            }
        }

        impl IntoStatic for Attachment<'_> {
            type Static = Attachment<'static>;

            fn into_static(self) -> Self::Static {
                match self {
                    $(Self::$variant(p) => Attachment::$variant(p.into_static()),)*
                    Self::Other { type_name, payload } => Attachment::Other {
                        type_name: type_name.into_static(),
                        payload: payload.into_static(),
                    },
                }
            }
        }
    };
}

attachments! {
    /// A photo.
    Image = "image",
    /// A video.
    Video = "video",
    /// A voice note or audio file.
    Audio = "audio",
    /// A file (PDF, ...).
    File = "file",
    /// A shared post (legacy shape: `payload{url}`; since 2025 also `ig_post_media_id`, `title`).
    Share = "share",
    /// A shared post, the type replacing `share` (`payload{ig_post_media_id, title, url}`).
    IgPost = "ig_post",
    /// A shared reel (`payload{reel_video_id?, title?, url}`).
    IgReel = "ig_reel",
    /// A shared reel, older name.
    Reel = "reel",
    /// A shared story (`payload{story_media_id, story_media_url}`).
    IgStory = "ig_story",
    /// The sender mentioned the account in their story (`payload{url}`); makes the message a
    /// [`EventKind::StoryMention`](crate::EventKind::StoryMention).
    StoryMention = "story_mention",
    /// A disappearing photo or video; Meta sends no payload.
    Ephemeral = "ephemeral",
    /// A heart sticker; Meta sends an empty payload `{}`.
    LikeHeart = "like_heart",
    /// Content the API cannot deliver (`payload{url}` at most).
    UnsupportedType = "unsupported_type",
}

impl Attachment<'_> {
    /// The payload's `url`, if the payload has one.
    pub fn url(&self) -> Option<&str> {
        self.payload().and_then(|p| p.url.as_deref())
    }

    /// Whether this attachment is a story mention.
    pub fn is_story_mention(&self) -> bool {
        matches!(self, Self::StoryMention(_))
    }

    /// Copies every borrowed string so the value no longer borrows the request body.
    pub fn into_owned(self) -> Attachment<'static> {
        self.into_static()
    }
}

#[derive(Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
struct WireAttachment<'a> {
    #[serde(rename = "type", borrow)]
    type_name: Cow<'a, str>,
    #[serde(default, borrow)]
    payload: Option<&'a RawValue>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Attachment<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireAttachment::deserialize(deserializer)?;
        Attachment::from_wire(wire.type_name, wire.payload).map_err(D::Error::custom)
    }
}

impl Serialize for Attachment<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Attachment", 2)?;
        s.serialize_field("type", self.type_name())?;
        match self {
            Self::Other {
                payload: Some(raw), ..
            } => s.serialize_field("payload", raw)?,
            Self::Other { payload: None, .. } => s.skip_field("payload")?,
            _ => match self.payload() {
                Some(p) => s.serialize_field("payload", p)?,
                None => s.skip_field("payload")?,
            },
        }
        s.end()
    }
}
