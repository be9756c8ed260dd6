//! What the inbox stores, as read back: ids, states, events, attempts,
//! deliveries, and the filters and pages that list them.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// An event's id: one item of a delivery, a unit of work. Ids grow in
    /// the order events were stored.
    EventId
);
id_type!(
    /// A delivery's id: one POST from Meta, its bytes as received.
    DeliveryId
);

/// Where an event is in its life.
///
/// `pending` → `processing` → `processed`; a failed attempt goes to
/// `failed` (a retry is scheduled) and back to `processing`, or to
/// `dead_letter` when no attempt is left (or the handler gave up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for its first attempt (or queued again by a replay).
    Pending,
    /// A worker holds it, until its lease ends.
    Processing,
    /// The handler succeeded.
    Processed,
    /// The last attempt failed; the next is scheduled.
    Failed,
    /// Out of attempts, given up by the handler, or an item that could not
    /// be decoded: waits for a person (or a replay).
    DeadLetter,
}

impl State {
    /// Every state, in the order of an event's life.
    pub const ALL: [State; 5] = [
        Self::Pending,
        Self::Processing,
        Self::Processed,
        Self::Failed,
        Self::DeadLetter,
    ];

    /// The name stored and shown: `pending`, `processing`, `processed`,
    /// `failed`, `dead_letter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Processed => "processed",
            Self::Failed => "failed",
            Self::DeadLetter => "dead_letter",
        }
    }

    /// Whether the event is done with (`processed` or `dead_letter`).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Processed | Self::DeadLetter)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a [`State`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown event state `{0}` (expected pending, processing, processed, failed or dead_letter)"
)]
pub struct ParseStateError(String);

impl FromStr for State {
    type Err = ParseStateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| ParseStateError(s.to_owned()))
    }
}

/// One stored event, as [`Inbox::event`](crate::Inbox::event) and
/// [`Inbox::events`](crate::Inbox::events) read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EventRecord {
    /// Its id.
    pub id: EventId,
    /// The delivery it came in.
    pub delivery_id: DeliveryId,
    /// Its kind (`comment`, `message`, ...; `undecodable` for an item that
    /// could not be decoded).
    pub kind: String,
    /// The Instagram account (`entry.id`).
    pub account_id: String,
    /// Its dedup key.
    pub dedup_key: String,
    /// The key whose events are handed over one at a time, in order; `None`
    /// when the kind has none or ordering is off.
    pub order_key: Option<String>,
    /// `changes`, `messaging` or `standby`.
    pub container: String,
    /// Index of its entry in the delivery.
    pub entry_index: i64,
    /// Index of the item in its entry's container.
    pub item_index: i64,
    /// The item as stored: the event's serialization (for an undecodable
    /// item, its error's), with the raw item exactly as Meta sent it; read
    /// it with [`item::decode`](crate::item::decode).
    pub item: String,
    /// Its state.
    pub state: State,
    /// Attempts started so far.
    pub attempt: i64,
    /// Attempts it may have before the dead letter.
    pub max_attempts: i64,
    /// When it may next be attempted (pending and failed events).
    pub run_at: SystemTime,
    /// The worker holding it (processing events).
    pub locked_by: Option<String>,
    /// When that worker's lease ends.
    pub locked_until: Option<SystemTime>,
    /// The last failure's message.
    pub last_error: Option<String>,
    /// The last failure's class: `error`, `panic`, `timeout`,
    /// `lease_expired`, `gave_up`, `decode`.
    pub last_error_class: Option<String>,
    /// When it was stored.
    pub created_at: SystemTime,
    /// When it last changed.
    pub updated_at: SystemTime,
    /// When it became `processed` or `dead_letter`.
    pub finalized_at: Option<SystemTime>,
    /// How many times Meta delivered it again within the dedup window.
    pub duplicates: i64,
}

/// One failed attempt of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AttemptRecord {
    /// Which attempt (1 for the first).
    pub attempt: i64,
    /// The worker that made it (`rescuer` for a lease that expired).
    pub worker: String,
    /// When it started.
    pub started_at: SystemTime,
    /// When it ended.
    pub finished_at: SystemTime,
    /// Its class (see [`EventRecord::last_error_class`]).
    pub error_class: String,
    /// Its message.
    pub error: String,
}

impl AttemptRecord {
    /// How long it ran.
    pub fn duration(&self) -> std::time::Duration {
        self.finished_at
            .duration_since(self.started_at)
            .unwrap_or_default()
    }
}

/// An event with its failed attempts, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EventDetail {
    /// The event.
    #[serde(flatten)]
    pub event: EventRecord,
    /// Its failed attempts.
    pub attempts: Vec<AttemptRecord>,
}

/// One stored delivery: the exact bytes of a POST and where they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryRecord {
    /// Its id.
    pub id: DeliveryId,
    /// When the receiver had the whole body.
    pub received_at: SystemTime,
    /// The request path.
    pub path: String,
    /// The Meta app it was verified for, if any.
    pub app: Option<String>,
    /// Which App Secret verified it.
    pub secret_index: i64,
    /// The exact bytes.
    pub body: Vec<u8>,
    /// Why it was not an Instagram envelope, for a rejected delivery.
    pub rejected_reason: Option<String>,
    /// How many items it had.
    pub items: i64,
    /// How many of them were duplicates.
    pub duplicates: i64,
}

/// Which events to list, count, or queue again. Every field narrows; the
/// default matches every event. A kind or account holding a NUL character
/// matches nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Filter {
    /// Only events in this state.
    pub state: Option<State>,
    /// Only events of this kind (`comment`, `message`, ...).
    pub kind: Option<String>,
    /// Only events of this account.
    pub account_id: Option<String>,
    /// Only events stored at or after this time.
    #[serde(with = "opt_millis", default)]
    pub since: Option<SystemTime>,
    /// Only events stored before this time.
    #[serde(with = "opt_millis", default)]
    pub until: Option<SystemTime>,
}

impl Filter {
    /// Every event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only events in `state`.
    #[must_use]
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// Only events of `kind`.
    #[must_use]
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Only events of `account_id`.
    #[must_use]
    pub fn account(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// Whether a text field holds a NUL character: such a filter matches
    /// nothing (PostgreSQL's text cannot hold one), on both engines.
    pub(crate) fn holds_nul(&self) -> bool {
        [&self.kind, &self.account_id]
            .into_iter()
            .flatten()
            .any(|text| text.contains('\0'))
    }

    /// Only events stored in `[since, until)`.
    #[must_use]
    pub fn stored_between(mut self, since: Option<SystemTime>, until: Option<SystemTime>) -> Self {
        self.since = since;
        self.until = until;
        self
    }
}

mod opt_millis {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        time: &Option<SystemTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => serializer.serialize_some(&crate::time::millis(*time)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<SystemTime>, D::Error> {
        Ok(Option::<i64>::deserialize(deserializer)?.map(crate::time::from_millis))
    }
}

/// One page of a listing, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Page {
    /// The events, newest first.
    pub events: Vec<EventRecord>,
    /// Pass as `before` for the next page; `None` on the last page.
    pub next: Option<EventId>,
}

/// What a bulk replay did (or, for a dry run, would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BulkReplay {
    /// Events that match the filter (queued or not).
    pub matched: u64,
    /// Events queued again (0 for a dry run).
    pub queued: u64,
    /// Events that match but were skipped: a worker holds them, or they are
    /// already waiting.
    pub skipped: u64,
}

/// Counts over the whole inbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Events by state and kind: `(state, kind, count)`.
    pub by_state_and_kind: Vec<(State, String, u64)>,
    /// Events by state (every state, zero included).
    pub by_state: Vec<(State, u64)>,
    /// Repeats recorded as duplicates, within the dedup records kept.
    pub duplicates: u64,
    /// Deliveries kept that were not Instagram envelopes.
    pub rejected_deliveries: u64,
    /// Age of the oldest event still waiting (pending or failed).
    pub oldest_pending_age: Option<std::time::Duration>,
    /// Dead letters grouped by kind and error class: `(kind, class, count)`.
    pub dead_letters: Vec<(String, String, u64)>,
    /// What happened in the last hour.
    pub last_hour: Activity,
    /// What happened in the last 24 hours.
    pub last_day: Activity,
}

/// What happened within a recent window (of what retention kept).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Activity {
    /// Events stored (duplicates not included).
    pub received: u64,
    /// Events whose processing succeeded.
    pub processed: u64,
    /// Failed attempts.
    pub failed: u64,
}

impl Stats {
    /// Events in `state`.
    pub fn count(&self, state: State) -> u64 {
        self.by_state
            .iter()
            .find(|(s, _)| *s == state)
            .map_or(0, |(_, n)| *n)
    }
}
