//! `message_reactions`: a reaction added to or removed from a message.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::Id;
use crate::owned::{IntoStatic, impl_into_owned};

/// A reaction to a message (`reaction` in a messaging item).
///
/// On `unreact` Meta omits `reaction` and `emoji`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "strict", serde(deny_unknown_fields))]
#[non_exhaustive]
pub struct Reaction<'a> {
    /// The message reacted to.
    #[serde(borrow)]
    pub mid: Id<'a>,
    /// Reaction added or removed.
    #[serde(borrow)]
    pub action: ReactionAction<'a>,
    /// The reaction name (`love`, `like`, `laugh`, `wow`, `sad`, `angry`, `other`...); absent on unreact.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub reaction: Option<Cow<'a, str>>,
    /// The emoji; absent on unreact.
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::de::opt_str",
        skip_serializing_if = "Option::is_none"
    )]
    pub emoji: Option<Cow<'a, str>>,
}

impl_into_owned!(Reaction {
    mid,
    action,
    reaction,
    emoji
});

/// Whether a reaction was added or removed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReactionAction<'a> {
    /// `react`: a reaction was added.
    React,
    /// `unreact`: a reaction was removed.
    Unreact,
    /// Any other value, kept as sent.
    Other(Cow<'a, str>),
}

impl ReactionAction<'_> {
    /// The value as Meta sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::React => "react",
            Self::Unreact => "unreact",
            Self::Other(s) => s,
        }
    }
}

impl IntoStatic for ReactionAction<'_> {
    type Static = ReactionAction<'static>;

    fn into_static(self) -> Self::Static {
        match self {
            Self::React => ReactionAction::React,
            Self::Unreact => ReactionAction::Unreact,
            Self::Other(s) => ReactionAction::Other(s.into_static()),
        }
    }
}

impl fmt::Display for ReactionAction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReactionAction<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ReactionAction<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = deserializer.deserialize_str(crate::de::CowStrVisitor)?;
        Ok(match &*s {
            "react" => Self::React,
            "unreact" => Self::Unreact,
            _ => Self::Other(s),
        })
    }
}
