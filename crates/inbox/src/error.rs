//! What can go wrong with the inbox.

use crate::model::{EventId, State};

/// An inbox operation that did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL is neither `sqlite:` nor `postgres:`/`postgresql:`,
    /// or does not parse.
    #[error("bad inbox database URL: {0}")]
    BadUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the inbox database: {0}")]
    Unreachable(#[source] sqlx::Error),
    /// The database holds a schema written by a newer version of this
    /// crate; upgrade before opening it.
    #[error(
        "the inbox database has schema version {found}, newer than the {supported} this version knows; upgrade instagram-webhook-inbox"
    )]
    SchemaTooNew {
        /// The newest version found in the database.
        found: i64,
        /// The newest version this crate applies.
        supported: i64,
    },
    /// Applying the embedded migrations failed.
    #[error("cannot apply the inbox schema: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A statement failed (the server went away, the disk is full, a lock
    /// was held past the timeout). Nothing was changed; try again later.
    #[error("inbox database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A delivery could not be stored (the database is down, the disk is
    /// full, a lock was held too long): answer 5xx so Meta sends it again.
    #[error("the inbox could not store the delivery: {0}")]
    Unavailable(String),
    /// No event has this id (never stored, deleted or pruned).
    #[error("no event {0}")]
    NotFound(EventId),
    /// The event is in a state the operation refuses: a worker holds it
    /// (`processing`), so it cannot be queued again or deleted now.
    #[error("event {id} is {state}: try again when its attempt has ended")]
    Conflict {
        /// The event.
        id: EventId,
        /// Its state.
        state: State,
    },
    /// The inbox has been closed; it takes no more deliveries.
    #[error("the inbox is closed")]
    Closed,
    /// A stored value could not be read back (a row written by hand, or a
    /// corrupted database).
    #[error("corrupt inbox row: {0}")]
    Corrupt(String),
}

impl Error {
    /// Whether trying again later can help: the database was unreachable,
    /// locked or failing, or the inbox is shutting down.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable(_) | Self::Database(_) | Self::Unavailable(_) | Self::Closed
        )
    }
}

/// The inbox's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
