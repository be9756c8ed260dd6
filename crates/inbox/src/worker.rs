//! Workers: claim ready events under a lease, run the handler, record how
//! each attempt ended.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::inbox::Inbox;
use crate::job::{Job, JobHandler, Next};
use crate::model::{DeliveryId, EventId};
use crate::observe::{AttemptOutcome, Observation};

use crate::store::queue::{self, Claimed};
use crate::time;

/// How long a worker's hold on an event outlasts the handler's timeout, so
/// the rescuer never takes back an event whose attempt is still running.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// Configures and starts a [`Worker`]; from [`Inbox::worker`].
#[derive(Debug)]
#[must_use = "a worker does nothing until `start` is called"]
pub struct WorkerBuilder<H> {
    inbox: Inbox,
    handler: H,
    concurrency: usize,
    timeout: Duration,
    lease_margin: Duration,
    poll_interval: Duration,
    name: Option<String>,
}

impl<H: JobHandler> WorkerBuilder<H> {
    pub(crate) fn new(inbox: Inbox, handler: H) -> Self {
        Self {
            inbox,
            handler,
            concurrency: 4,
            timeout: Duration::from_secs(60),
            lease_margin: LEASE_MARGIN,
            poll_interval: Duration::from_secs(1),
            name: None,
        }
    }

    /// Events handled at once (4 by default; at least 1).
    pub fn concurrency(mut self, events: usize) -> Self {
        self.concurrency = events.max(1);
        self
    }

    /// How long one attempt may run before it counts as failed (60 s by
    /// default). The worker holds the event for this long plus 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How much longer than the timeout the worker holds an event (30 s by
    /// default): past it, the rescuer takes the event back. Only a worker
    /// that stopped (killed, frozen) lets a lease run out, since a live one
    /// ends every attempt at its timeout.
    pub fn lease_margin(mut self, margin: Duration) -> Self {
        self.lease_margin = margin;
        self
    }

    /// How often the worker looks for ready events when nothing woke it (1 s
    /// by default). Deliveries stored by this process wake it at once; this
    /// is the floor for events stored by other processes and for retries.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The name recorded as the holder of its events (by default the
    /// process id and a random suffix). Must be unique among running
    /// workers.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Starts the worker on the current Tokio runtime.
    pub fn start(self) -> Worker {
        let name = self
            .name
            .unwrap_or_else(|| format!("worker-{}-{:08x}", std::process::id(), fastrand::u32(..)));
        let (stop, stopped) = watch::channel(false);
        let name: Arc<str> = Arc::from(name.as_str());
        let finisher = finisher(self.inbox.clone(), Arc::clone(&name));
        let inbox = self.inbox.clone();
        let run = Run {
            inbox: self.inbox,
            finisher,
            handler: Arc::new(self.handler),
            concurrency: self.concurrency,
            timeout: self.timeout,
            lease: self.timeout.saturating_add(self.lease_margin),
            poll_interval: self.poll_interval,
            name: Arc::clone(&name),
        };
        let task = tokio::spawn(run.run(stopped));
        Worker {
            inbox,
            name: name.to_string(),
            stop,
            task,
        }
    }
}

/// A running worker. Dropping it leaves it running in the background;
/// [`shutdown`](Self::shutdown) stops it.
#[derive(Debug)]
pub struct Worker {
    inbox: Inbox,
    name: String,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Its name, as recorded on the events it holds.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Stops claiming events and waits for the attempts under way to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Stops claiming events and waits up to `timeout` for the attempts
    /// under way to end; past it, abandons them and hands their events back
    /// at once (each attempt recorded as failed, class `shutdown`, the event
    /// ready again with at least one attempt left) instead of leaving them
    /// to the rescuer. Returns how many were handed back.
    ///
    /// # Errors
    /// The events could not be handed back (the database failed): the
    /// rescuer takes them back when their lease runs out.
    pub async fn shutdown_within(self, timeout: Duration) -> crate::Result<u64> {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(timeout, &mut task).await.is_ok() {
            return Ok(0);
        }
        // Aborting the run drops its attempts (each aborts its handler).
        task.abort();
        let _ = task.await;
        Ok(self.inbox.db().release(&self.name, time::now()).await?)
    }

    /// Stops at once, as a crash would: attempts under way are abandoned
    /// unrecorded, and their events wait for the rescuer to take them back
    /// when their lease runs out.
    pub fn abort(self) {
        self.task.abort();
    }
}

struct Run<H> {
    inbox: Inbox,
    finisher: mpsc::UnboundedSender<Finished>,
    handler: Arc<H>,
    concurrency: usize,
    timeout: Duration,
    lease: Duration,
    poll_interval: Duration,
    name: Arc<str>,
}

impl<H: JobHandler> Run<H> {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let this = Arc::new(self);
        let mut stored = this.inbox.stored_generations();
        let mut in_flight = JoinSet::new();
        // A dropped `Worker` can no longer stop it: it runs on, and the
        // branch that waited for the signal is turned off.
        let mut stoppable = true;
        loop {
            if *stopped.borrow() || this.inbox.is_closed() {
                break;
            }
            // Every attempt that ended frees its slot: claim for all of them
            // at once.
            while in_flight.try_join_next().is_some() {}
            let free = this.concurrency.saturating_sub(in_flight.len());
            let mut full = false;
            if free > 0 {
                let now = time::now();
                let lease = time::duration_ms(this.lease);
                match this
                    .inbox
                    .db()
                    .claim(
                        &this.name,
                        i64::try_from(free).unwrap_or(i64::MAX),
                        now,
                        now.saturating_add(lease),
                    )
                    .await
                {
                    Ok(claimed) => {
                        full = claimed.len() == free;
                        for claimed in claimed {
                            in_flight.spawn(Arc::clone(&this).attempt(claimed));
                        }
                    }
                    Err(_error) => {
                        #[cfg(feature = "tracing")]
                        tracing::warn!(worker = %this.name, error = %_error, "inbox: cannot claim events");
                    }
                }
            }
            if full && in_flight.len() < this.concurrency {
                continue;
            }
            tokio::select! {
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                _ = stored.changed() => {}
                () = tokio::time::sleep(this.poll_interval) => {}
                changed = stopped.changed(), if stoppable => stoppable = changed.is_ok(),
            }
        }
        while in_flight.join_next().await.is_some() {}
    }

    /// One attempt at a claimed event, recorded.
    async fn attempt(self: Arc<Self>, claimed: Claimed) {
        let started_at = time::now();
        let event = match crate::item::decode(&claimed.item) {
            Ok(event) => event,
            Err(error) => {
                let message = format!("the stored item does not decode: {error}");
                self.failed(&claimed, started_at, "decode", &message, Next::GiveUp)
                    .await;
                return;
            }
        };
        let job = Job {
            event,
            id: EventId(claimed.id),
            delivery_id: DeliveryId(claimed.delivery_id),
            attempt: claimed.attempt,
            max_attempts: claimed.max_attempts,
        };
        let handler = Arc::clone(&self.handler);
        // Aborted with this attempt (a timeout, `Worker::abort`), never left
        // running detached.
        let mut task = AbortOnDrop(tokio::spawn(async move { handler.handle(job).await }));
        match tokio::time::timeout(self.timeout, &mut task.0).await {
            Ok(Ok(Ok(()))) => self.completed(&claimed, started_at).await,
            Ok(Ok(Err(failure))) => {
                let class = if failure.next() == Next::GiveUp {
                    "gave_up"
                } else {
                    "error"
                };
                self.failed(
                    &claimed,
                    started_at,
                    class,
                    &failure.to_string(),
                    failure.next(),
                )
                .await;
            }
            Ok(Err(join)) => {
                let message = if join.is_panic() {
                    format!(
                        "the handler panicked: {}",
                        panic_message(&join.into_panic())
                    )
                } else {
                    String::from("the handler was cancelled")
                };
                self.failed(&claimed, started_at, "panic", &message, Next::Retry)
                    .await;
            }
            Err(_) => {
                task.0.abort();
                let message = format!("the handler ran past its {:?} timeout", self.timeout);
                self.failed(&claimed, started_at, "timeout", &message, Next::Retry)
                    .await;
            }
        }
    }

    async fn completed(&self, claimed: &Claimed, started_at: i64) {
        let (reply, recorded) = oneshot::channel();
        let sent = self.finisher.send(Finished {
            id: claimed.id,
            attempt: claimed.attempt,
            kind: claimed.kind.clone(),
            started_at,
            reply,
        });
        // Waiting holds the slot until the record is durable.
        if sent.is_ok() {
            let _ = recorded.await;
        }
    }

    async fn failed(
        &self,
        claimed: &Claimed,
        started_at: i64,
        class: &str,
        error: &str,
        next: Next,
    ) {
        let finished_at = time::now();
        let retry_at = self.inbox.retry_at(
            &claimed.kind,
            claimed.attempt,
            claimed.max_attempts,
            finished_at,
            next,
        );
        let failure = queue::Failure {
            id: claimed.id,
            attempt: claimed.attempt,
            worker: Some(&self.name),
            recorded_as: &self.name,
            started_at,
            finished_at,
            class,
            error,
            retry_at,
        };
        match self.inbox.db().fail(&failure).await {
            Ok(true) => self.inbox.observers().emit(&Observation::AttemptEnded {
                kind: &claimed.kind,
                outcome: if retry_at.is_some() {
                    AttemptOutcome::Retrying
                } else {
                    AttemptOutcome::DeadLetter
                },
                error_class: Some(class),
                duration: time::between(started_at, finished_at),
                rescued: false,
            }),
            // The lease was lost: the rescuer recorded the attempt.
            Ok(false) => {}
            Err(_error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(worker = %self.name, event = claimed.id, error = %_error,
                    "inbox: cannot record a failed attempt; it will be retried when its lease expires");
            }
        }
    }
}

/// A handler's task, aborted when dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An attempt that succeeded, for the finisher to record.
struct Finished {
    id: i64,
    attempt: i64,
    kind: String,
    started_at: i64,
    reply: oneshot::Sender<()>,
}

/// Starts the task that records a worker's successes: every success waiting
/// goes into one transaction (one commit), like deliveries at accept.
fn finisher(inbox: Inbox, worker: Arc<str>) -> mpsc::UnboundedSender<Finished> {
    let (sender, mut receiver) = mpsc::unbounded_channel::<Finished>();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while let Some(first) = receiver.recv().await {
            batch.push(first);
            while batch.len() < 512 {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let held: Vec<(i64, i64)> = batch.iter().map(|f| (f.id, f.attempt)).collect();
            let now = time::now();
            match inbox.db().complete_all(&held, &worker, now).await {
                Ok(done) => {
                    for (finished, _) in batch.iter().zip(&done).filter(|(_, done)| **done) {
                        inbox.observers().emit(&Observation::AttemptEnded {
                            kind: &finished.kind,
                            outcome: AttemptOutcome::Processed,
                            error_class: None,
                            duration: time::between(finished.started_at, now),
                            rescued: false,
                        });
                    }
                    let _lost = done.iter().filter(|done| !**done).count();
                    #[cfg(feature = "tracing")]
                    if _lost > 0 {
                        tracing::warn!(
                            worker = %worker,
                            events = _lost,
                            "inbox: lease lost before the attempt was recorded; the events were already taken back"
                        );
                    }
                }
                Err(_error) => {
                    #[cfg(feature = "tracing")]
                    tracing::warn!(worker = %worker, events = held.len(), error = %_error,
                        "inbox: cannot record processed events; they will be retried when their lease expires");
                }
            }
            for finished in batch.drain(..) {
                let _ = finished.reply.send(());
            }
        }
    });
    sender
}

/// The text of a panic's payload.
fn panic_message(payload: &Box<dyn Any + Send>) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
