//! Where an item sits in a notification: its container and its position.
//!
//! A leaf: depends on nothing but [`TimeUnit`] and the `into_owned` machinery.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::owned::IntoStatic;
use crate::time::TimeUnit;

/// Which array of the entry an item came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Container {
    /// `entry[].changes[]`: comments, mentions, story insights, and Test-button deliveries of
    /// messaging fields.
    Changes,
    /// `entry[].messaging[]`: messaging events for threads this app owns.
    Messaging,
    /// `entry[].standby[]`: messaging events for threads another app owns (handover protocol).
    Standby,
}

impl Container {
    /// `changes`, `messaging` or `standby`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Changes => "changes",
            Self::Messaging => "messaging",
            Self::Standby => "standby",
        }
    }

    /// The unit of `entry.time` for entries of this container.
    pub fn entry_time_unit(self) -> TimeUnit {
        match self {
            Self::Changes => TimeUnit::Seconds,
            Self::Messaging | Self::Standby => TimeUnit::Milliseconds,
        }
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl IntoStatic for Container {
    type Static = Self;

    fn into_static(self) -> Self {
        self
    }
}

/// Where an item sits in the notification: entry index and index within its container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Position {
    /// Index in `entry[]`.
    pub entry: usize,
    /// Index in the entry's `changes[]`, `messaging[]` or `standby[]`.
    pub item: usize,
}

impl Position {
    /// A position.
    pub fn new(entry: usize, item: usize) -> Self {
        Self { entry, item }
    }
}

impl IntoStatic for Position {
    type Static = Self;

    fn into_static(self) -> Self {
        self
    }
}
