//! The inbox: opening it, storing deliveries, and everything a person does
//! with what it holds.

use std::sync::Arc;
use std::time::Duration;

use instagram_webhook_core::receive::{
    Delivery, Handler, HandlerError, ReceiverBuilder, RejectedHook, RejectedPayload,
};
use instagram_webhook_core::{SelectVerifier, VerifyToken};
use tokio::sync::watch;

use crate::commit::{Committer, GroupCommit};
use crate::db::{Connect, Db};
use crate::error::{Error, Result};
use crate::job::{JobHandler, Next};
use crate::maintenance::{self, Maintenance};
use crate::model::{
    BulkReplay, DeliveryId, DeliveryRecord, EventDetail, EventId, Filter, Page, State, Stats,
};
use crate::observe::{InboxObserver, Observers};
use crate::record::{NewDelivery, Recording};
use crate::retry::RetryPolicy;
use crate::store::prune::Pruned;
use crate::time;
use crate::worker::WorkerBuilder;

/// A durable inbox of Instagram webhook deliveries, on SQLite or
/// PostgreSQL. Cloning is cheap: every clone is the same inbox.
///
/// Mount it as the receiver's handler (see [`receiver`](Self::receiver)):
/// each verified delivery is stored, bytes and items, and answered 200 only
/// once the commit is durable. Start [`worker`](Self::worker)s to process
/// the events; read and replay them with the other methods.
#[derive(Debug, Clone)]
pub struct Inbox {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    db: Db,
    config: Config,
    committer: Committer,
    stored: watch::Sender<u64>,
    shutdown: watch::Sender<bool>,
}

impl Shared {
    fn is_closed(&self) -> bool {
        *self.shutdown.borrow()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// The inbox's settings, from [`InboxBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) retry: RetryPolicy,
    pub(crate) ordered: bool,
    pub(crate) keep_processed: Duration,
    pub(crate) keep_dead_letters: Duration,
    pub(crate) maintenance: Option<Maintenance>,
    pub(crate) group: GroupCommit,
    pub(crate) connect: Connect,
    pub(crate) observers: Observers,
}

impl Inbox {
    /// Opens the inbox at `url` with the default settings: `sqlite://PATH`
    /// (created if missing) or `postgres://...`. The schema is created or
    /// brought up to date.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), instagram_webhook_inbox::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("inbox.db");
    /// use instagram_webhook_inbox::Inbox;
    ///
    /// let inbox = Inbox::open(&format!("sqlite://{}", path.display())).await?;
    /// assert_eq!(inbox.stats().await?.count(instagram_webhook_inbox::State::Pending), 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// A bad URL, an unreachable database, or a schema from a newer version.
    pub async fn open(url: &str) -> Result<Self> {
        Self::builder().open(url).await
    }

    /// Settings to open an inbox with.
    pub fn builder() -> InboxBuilder {
        InboxBuilder::default()
    }

    /// A receiver builder with this inbox as its handler and its
    /// rejected-payload hook: verified envelopes and verified bodies that are
    /// not envelopes are both stored before the answer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
    /// use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
    /// use instagram_webhook_inbox::Inbox;
    ///
    /// let inbox = Inbox::open(&url).await?;
    /// let verifier = Verifier::new(AppSecret::new("app-secret")?);
    /// let receiver = inbox.receiver(verifier, VerifyToken::new("verify-token")?).build();
    /// // Mount `receiver` with the axum, actix-web or Lambda adapter.
    /// # drop(receiver);
    /// # Ok(())
    /// # }
    /// ```
    pub fn receiver(
        &self,
        verifiers: impl SelectVerifier + 'static,
        token: VerifyToken,
    ) -> ReceiverBuilder {
        instagram_webhook_core::receive::Receiver::builder(verifiers, token)
            .handler(self.clone())
            .on_rejected(self.clone())
    }

    /// A worker that hands each ready event to `handler`; configure it, then
    /// [`start`](WorkerBuilder::start) it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
    /// use instagram_webhook_inbox::{Failure, Inbox, Job};
    ///
    /// let inbox = Inbox::open(&url).await?;
    /// let worker = inbox
    ///     .worker(|job: Job| async move {
    ///         println!("{} {}", job.event.kind().as_str(), job.event.dedup_key());
    ///         Ok::<(), Failure>(())
    ///     })
    ///     .concurrency(8)
    ///     .start();
    /// worker.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn worker<H: JobHandler>(&self, handler: H) -> WorkerBuilder<H> {
        WorkerBuilder::new(self.clone(), handler)
    }

    /// Stores a verified delivery: its bytes, and one event per item not
    /// seen within the dedup window. Returns once the commit is durable.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the store could not commit: answer 5xx.
    pub async fn store(&self, delivery: &Delivery) -> Result<Accepted> {
        let new = self.recording().delivery(delivery);
        self.commit(new).await
    }

    /// Stores a verified body that is not an Instagram envelope, with its
    /// reason.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the store could not commit: answer 5xx.
    pub async fn store_rejected(&self, payload: &RejectedPayload) -> Result<Accepted> {
        let new = self.recording().rejected(payload);
        self.commit(new).await
    }

    async fn commit(&self, new: NewDelivery) -> Result<Accepted> {
        if self.shared.is_closed() {
            return Err(Error::Closed);
        }
        let stored = self
            .shared
            .committer
            .store(new)
            .await
            .map_err(Error::Unavailable)?;
        Ok(Accepted {
            delivery: stored.delivery,
            events: stored.events,
        })
    }

    fn recording(&self) -> Recording<'_> {
        Recording {
            retry: &self.shared.config.retry,
            ordered: self.shared.config.ordered,
        }
    }

    /// One event with its failed attempts.
    ///
    /// # Errors
    /// [`Error::NotFound`], or a database error.
    pub async fn event(&self, id: EventId) -> Result<EventDetail> {
        self.db().event(id).await
    }

    /// Events matching `filter`, newest first, at most `limit` (at least
    /// 1); pass the page's [`next`](Page::next) as `before` for the next.
    ///
    /// # Errors
    /// A database error.
    pub async fn events(
        &self,
        filter: &Filter,
        before: Option<EventId>,
        limit: u32,
    ) -> Result<Page> {
        self.db().events(filter, before, 0, limit).await
    }

    /// Events matching `filter`, newest first, below `before` (if given),
    /// skipping the first `offset`, at most `limit` (at least 1). Unlike the
    /// pages of [`events`](Self::events), which stay put, an offset shifts
    /// as events arrive: prefer `events` for walking the list.
    ///
    /// # Errors
    /// A database error.
    pub async fn events_skipping(
        &self,
        filter: &Filter,
        before: Option<EventId>,
        offset: u64,
        limit: u32,
    ) -> Result<Page> {
        self.db().events(filter, before, offset, limit).await
    }

    /// How many events match `filter`.
    ///
    /// # Errors
    /// A database error.
    pub async fn count(&self, filter: &Filter) -> Result<u64> {
        self.db().count(filter).await
    }

    /// A stored delivery, with its exact bytes.
    ///
    /// # Errors
    /// A database error.
    pub async fn delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>> {
        self.db().delivery(id).await
    }

    /// Queues an event again, now: a processed event, a dead letter (which
    /// gets one more attempt if it had none left) or a failed one waiting
    /// for its retry. Nothing to do for a pending event. Returns the state
    /// it is in.
    ///
    /// # Errors
    /// [`Error::Conflict`] while a worker holds it, [`Error::NotFound`], or
    /// a database error.
    pub async fn replay(&self, id: EventId) -> Result<State> {
        let state = self.db().replay(id, time::now()).await?;
        self.wake();
        Ok(state)
    }

    /// Queues again every event matching `filter` that can be (processed,
    /// dead letter, failed), at most `limit`, oldest first; counts what it
    /// skipped (held by a worker, or already waiting).
    ///
    /// # Errors
    /// A database error.
    pub async fn replay_matching(&self, filter: &Filter, limit: Option<u64>) -> Result<BulkReplay> {
        let report = self
            .db()
            .replay_matching(filter, limit, false, time::now())
            .await?;
        self.wake();
        Ok(report)
    }

    /// What [`replay_matching`](Self::replay_matching) would do, without
    /// doing it.
    ///
    /// # Errors
    /// A database error.
    pub async fn replay_matching_dry_run(
        &self,
        filter: &Filter,
        limit: Option<u64>,
    ) -> Result<BulkReplay> {
        self.db()
            .replay_matching(filter, limit, true, time::now())
            .await
    }

    /// Deletes an event and its attempts. Its dedup record stays, so a late
    /// repeat from Meta is still recognised as a duplicate.
    ///
    /// # Errors
    /// [`Error::Conflict`] while a worker holds it, [`Error::NotFound`], or
    /// a database error.
    pub async fn delete(&self, id: EventId) -> Result<()> {
        self.db().delete(id).await
    }

    /// Counts by state and kind, duplicates, the oldest pending age, dead
    /// letters by kind and error class.
    ///
    /// # Errors
    /// A database error.
    pub async fn stats(&self) -> Result<Stats> {
        self.db().stats(time::now()).await
    }

    /// Deletes, now, what is past its retention (the background task does
    /// this on its interval).
    ///
    /// # Errors
    /// A database error.
    pub async fn prune(&self) -> Result<Pruned> {
        Ok(maintenance::prune(self.db(), &self.shared.config).await?)
    }

    /// Takes back, now, the events whose lease expired (the background task
    /// does this on its interval): each counts as a failed attempt. Returns
    /// how many.
    ///
    /// # Errors
    /// A database error.
    pub async fn rescue(&self) -> Result<usize> {
        Ok(maintenance::rescue(self.db(), &self.shared.config).await?)
    }

    /// Checks the database answers.
    ///
    /// # Errors
    /// A database error.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db().ping().await?)
    }

    /// `sqlite` or `postgres`.
    pub fn engine(&self) -> &'static str {
        self.db().engine()
    }

    /// Stops the background tasks and the workers, and closes the database
    /// connections: every clone of the inbox stops working (storing answers
    /// [`Error::Closed`]).
    pub async fn close(&self) {
        let _ = self.shared.shutdown.send(true);
        self.db().close().await;
    }

    /// Whether [`close`](Self::close) was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    pub(crate) fn db(&self) -> &Db {
        &self.shared.db
    }

    pub(crate) fn observers(&self) -> &Observers {
        &self.shared.config.observers
    }

    /// Changes after every commit that queued events (and every replay).
    pub(crate) fn stored_generations(&self) -> watch::Receiver<u64> {
        self.shared.stored.subscribe()
    }

    fn wake(&self) {
        self.shared
            .stored
            .send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// When a failed attempt is retried: `None` for the dead letter.
    pub(crate) fn retry_at(
        &self,
        kind: &str,
        attempt: i64,
        max_attempts: i64,
        finished_at: i64,
        next: Next,
    ) -> Option<i64> {
        retry_at(
            &self.shared.config.retry,
            kind,
            attempt,
            max_attempts,
            finished_at,
            next,
        )
    }
}

/// When a failed attempt is retried: `None` for the dead letter.
pub(crate) fn retry_at(
    policy: &RetryPolicy,
    kind: &str,
    attempt: i64,
    max_attempts: i64,
    finished_at: i64,
    next: Next,
) -> Option<i64> {
    if attempt >= max_attempts {
        return None;
    }
    let delay = match next {
        Next::GiveUp => return None,
        Next::Retry => policy.next_delay(kind, attempt),
        Next::RetryAfter(delay) => delay.min(Duration::from_secs(24 * 60 * 60)),
    };
    Some(finished_at.saturating_add(time::duration_ms(delay)))
}

/// What became of a stored delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The delivery's id.
    pub delivery: DeliveryId,
    /// Per item, in order: its new event, or `None` for a duplicate of an
    /// event stored earlier.
    pub events: Vec<Option<EventId>>,
}

impl Accepted {
    /// How many items were duplicates.
    pub fn duplicates(&self) -> usize {
        self.events.iter().filter(|event| event.is_none()).count()
    }
}

impl Handler for Inbox {
    /// Stores the delivery; a store failure is answered 503 with
    /// `Retry-After`, so Meta sends it again.
    async fn handle(&self, delivery: Delivery) -> Result<(), HandlerError> {
        self.store(&delivery)
            .await
            .map(drop)
            .map_err(HandlerError::unavailable)
    }
}

impl RejectedHook for Inbox {
    /// Stores the rejected body with its reason; a store failure is
    /// answered 503 with `Retry-After`.
    async fn rejected(&self, payload: RejectedPayload) -> Result<(), HandlerError> {
        self.store_rejected(&payload)
            .await
            .map(drop)
            .map_err(HandlerError::unavailable)
    }
}

/// Settings for [`Inbox::builder`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), instagram_webhook_inbox::Error> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
/// use std::time::Duration;
///
/// use instagram_webhook_inbox::{Inbox, RetryPolicy};
///
/// let inbox = Inbox::builder()
///     .retry(RetryPolicy::new([1, 10, 60, 600].map(Duration::from_secs)))
///     .dedup_window(Duration::from_secs(14 * 24 * 3600))
///     .keep_processed(Duration::from_secs(3 * 24 * 3600))
///     .open(&url)
///     .await?;
/// # drop(inbox);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "the builder does nothing until `open` is called"]
pub struct InboxBuilder {
    config: Config,
}

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

impl Default for InboxBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                retry: RetryPolicy::default(),
                ordered: true,
                keep_processed: 7 * DAY,
                keep_dead_letters: 30 * DAY,
                maintenance: Some(Maintenance::default()),
                group: GroupCommit {
                    max_batch: 256,
                    max_wait: Duration::ZERO,
                    dedup_window: 7 * DAY,
                    timeout: Duration::from_secs(10),
                },
                connect: Connect {
                    max_connections: 8,
                    timeout: Duration::from_secs(5),
                },
                observers: Observers::default(),
            },
        }
    }
}

impl InboxBuilder {
    /// When failed events are retried (default `[1 s, 5 s, 30 s]`, ±10 %).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// Whether events of one conversation (messaging: account and the other
    /// participant) or of one media's comments are handed over one at a
    /// time, in the order they were stored (on by default).
    ///
    /// The trade-off: an event that keeps failing holds back the later
    /// events of its key until it succeeds or reaches the dead letter.
    /// Events of other keys are not held back.
    pub fn ordered(mut self, ordered: bool) -> Self {
        self.config.ordered = ordered;
        self
    }

    /// How long a dedup key is remembered: a repeat within it is recorded as
    /// a duplicate and not queued (7 days by default; at least 36 hours, the
    /// time Meta keeps retrying).
    pub fn dedup_window(mut self, window: Duration) -> Self {
        let window = window.max(Duration::from_secs(36 * 60 * 60));
        self.config.group.dedup_window = window;
        self
    }

    /// How long processed events (and deliveries no event refers to) are
    /// kept (7 days by default).
    pub fn keep_processed(mut self, age: Duration) -> Self {
        self.config.keep_processed = age;
        self
    }

    /// How long dead letters (and rejected deliveries) are kept (30 days by
    /// default).
    pub fn keep_dead_letters(mut self, age: Duration) -> Self {
        self.config.keep_dead_letters = age;
        self
    }

    /// How often the background task rescues expired leases (30 s by
    /// default; on PostgreSQL it refreshes the events table's planner
    /// statistics at the same time) and prunes (10 min by default); `None`
    /// runs no background task (call [`Inbox::rescue`] and [`Inbox::prune`]
    /// yourself).
    pub fn maintenance(mut self, every: Option<(Duration, Duration)>) -> Self {
        self.config.maintenance = every.map(|(rescue, prune)| Maintenance {
            rescue_every: rescue,
            prune_every: prune,
            ..Maintenance::default()
        });
        self
    }

    /// Group commit: at most `max_batch` deliveries per commit (256 by
    /// default), and how long the writer waits for more once it has one
    /// (zero by default: it takes what arrived during the previous commit).
    ///
    /// `max_batch` is kept within 1 to 4096, `max_wait` under a second.
    pub fn group_commit(mut self, max_batch: usize, max_wait: Duration) -> Self {
        self.config.group.max_batch = max_batch.clamp(1, 4096);
        self.config.group.max_wait = max_wait.min(Duration::from_secs(1));
        self
    }

    /// Database connections (8 by default), and how long an operation waits
    /// for one, or for a lock, before it fails (5 s by default). A commit of
    /// deliveries may take twice that before they are answered 503.
    pub fn connections(mut self, max: u32, timeout: Duration) -> Self {
        self.config.connect = Connect {
            max_connections: max.max(1),
            timeout,
        };
        self.config.group.timeout = timeout.saturating_mul(2);
        self
    }

    /// Adds an observer, told of every item stored and every attempt that
    /// ended (see [`InboxObserver`]); the operations surface's metrics are
    /// one.
    pub fn observe(mut self, observer: impl InboxObserver) -> Self {
        self.config.observers.push(Arc::new(observer));
        self
    }

    /// Opens the inbox at `url` (see [`Inbox::open`]).
    ///
    /// # Errors
    /// A bad URL, an unreachable database, or a schema from a newer version.
    pub async fn open(self, url: &str) -> Result<Inbox> {
        let db = Db::open(url, &self.config.connect).await?;
        let (stored, _) = watch::channel(0);
        let (shutdown, stopped) = watch::channel(false);
        let committer = Committer::start(
            db.clone(),
            self.config.group,
            stored.clone(),
            self.config.observers.clone(),
        );
        if let Some(every) = self.config.maintenance {
            maintenance::start(db.clone(), self.config.clone(), every, stopped);
        }
        Ok(Inbox {
            shared: Arc::new(Shared {
                db,
                config: self.config,
                committer,
                stored,
                shutdown,
            }),
        })
    }
}
