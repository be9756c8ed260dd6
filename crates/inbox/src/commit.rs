//! Group commit: one writer task takes every delivery waiting, stores them
//! in one transaction (one fsync on SQLite), then answers each.

use std::time::Duration;

use sqlx::error::DatabaseError;
use sqlx::postgres::PgDatabaseError;
use tokio::sync::{mpsc, oneshot, watch};

use crate::db::Db;
use crate::observe::{Observation, Observers};
use crate::record::NewDelivery;
use crate::store::accept::Stored;
use crate::time;

/// How deliveries are grouped into commits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupCommit {
    /// Deliveries in one commit, at most.
    pub(crate) max_batch: usize,
    /// How long the writer waits for more deliveries once it has one, when
    /// fewer than `max_batch` are waiting. Zero: it takes what is there.
    pub(crate) max_wait: Duration,
    /// The dedup window.
    pub(crate) dedup_window: Duration,
    /// How long one commit may take before its deliveries are answered as
    /// not stored (a server that stopped answering without closing the
    /// connection). The commit may still land; Meta's retry is then a
    /// duplicate.
    pub(crate) timeout: Duration,
}

type Reply = oneshot::Sender<Result<Stored, String>>;

/// The sending side: hands deliveries to the writer.
#[derive(Debug, Clone)]
pub(crate) struct Committer {
    queue: mpsc::Sender<(NewDelivery, Reply)>,
}

impl Committer {
    /// Starts the writer task on `db`; `stored` is bumped after each commit
    /// that queued events.
    pub(crate) fn start(
        db: Db,
        config: GroupCommit,
        stored: watch::Sender<u64>,
        observers: Observers,
    ) -> Self {
        let (queue, receiver) = mpsc::channel(config.max_batch.max(1) * 4);
        let written = Written { stored, observers };
        tokio::spawn(write(db, config, receiver, written));
        Self { queue }
    }

    /// Stores `delivery`; returns once it is durable, or with why not.
    pub(crate) async fn store(&self, delivery: NewDelivery) -> Result<Stored, String> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((delivery, reply))
            .await
            .map_err(|_| String::from("the inbox is closed"))?;
        answer
            .await
            .unwrap_or_else(|_| Err(String::from("the inbox writer stopped")))
    }
}

async fn write(
    db: Db,
    config: GroupCommit,
    mut receiver: mpsc::Receiver<(NewDelivery, Reply)>,
    written: Written,
) {
    let max_batch = config.max_batch.max(1);
    let mut batch = Vec::with_capacity(max_batch);
    let mut replies = Vec::with_capacity(max_batch);
    while let Some((delivery, reply)) = receiver.recv().await {
        batch.push(delivery);
        replies.push(reply);
        gather(
            &mut receiver,
            &mut batch,
            &mut replies,
            max_batch,
            config.max_wait,
        )
        .await;

        let failed = match commit(&db, &config, &batch).await {
            Ok(results) => {
                written.answer(&batch, replies.drain(..), results);
                None
            }
            // A statement refused for what it was given (not a lost
            // connection, a server shutting down or a timeout) may be one
            // delivery's fault: store each on its own, so only that one is
            // refused.
            Err(Failed::Refused(_)) if batch.len() > 1 => {
                one_by_one(&db, &config, &batch, &mut replies, &written).await;
                None
            }
            Err(failed) => Some(failed.to_string()),
        };
        if let Some(message) = failed {
            log_refused(replies.len(), &message);
            for reply in replies.drain(..) {
                let _ = reply.send(Err(message.clone()));
            }
        }
        batch.clear();
    }
}

/// Stores each delivery of `batch` in its own transaction, so that only
/// the one the database refuses is refused. Once a commit fails for another
/// reason (the store went away), the rest are answered with that failure
/// at once instead of each waiting out its own timeout.
async fn one_by_one(
    db: &Db,
    config: &GroupCommit,
    batch: &[NewDelivery],
    replies: &mut Vec<Reply>,
    written: &Written,
) {
    let mut replies = replies.drain(..);
    for delivery in batch {
        let Some(reply) = replies.next() else { return };
        match commit(db, config, std::slice::from_ref(delivery)).await {
            Ok(results) => {
                written.answer(
                    std::slice::from_ref(delivery),
                    std::iter::once(reply),
                    results,
                );
            }
            Err(failed @ Failed::Refused(_)) => {
                let message = failed.to_string();
                log_refused(1, &message);
                let _ = reply.send(Err(message));
            }
            Err(failed) => {
                let message = failed.to_string();
                let rest: Vec<Reply> = std::iter::once(reply).chain(replies.by_ref()).collect();
                log_refused(rest.len(), &message);
                for reply in rest {
                    let _ = reply.send(Err(message.clone()));
                }
                return;
            }
        }
    }
}

/// Why a commit did not happen.
#[derive(Debug, thiserror::Error)]
enum Failed {
    /// The database refused a statement for what it was given.
    #[error("{0}")]
    Refused(sqlx::Error),
    /// The connection failed, no connection could be had, or the server
    /// failed the statement for a reason of its own (shutting down, locked,
    /// out of disk).
    #[error("{0}")]
    Unreachable(sqlx::Error),
    /// No answer within the commit timeout.
    #[error("the database did not commit within {0:?}")]
    TimedOut(Duration),
}

/// Stores `batch` in one transaction, within the commit timeout.
async fn commit(
    db: &Db,
    config: &GroupCommit,
    batch: &[NewDelivery],
) -> Result<Vec<Stored>, Failed> {
    let now = time::now();
    let cutoff = now.saturating_sub(time::duration_ms(config.dedup_window));
    match tokio::time::timeout(config.timeout, db.accept(batch, now, cutoff)).await {
        Ok(Ok(results)) => Ok(results),
        Ok(Err(sqlx::Error::Database(error))) if blames_the_data(error.as_ref()) => {
            Err(Failed::Refused(sqlx::Error::Database(error)))
        }
        Ok(Err(error)) => Err(Failed::Unreachable(error)),
        Err(_) => Err(Failed::TimedOut(config.timeout)),
    }
}

/// Whether the database refused a statement for what it was given (a value
/// out of range or too big, a constraint), which can be one delivery's
/// fault. Anything else (the server shutting down, a lock held too long, a
/// full disk, a read-only file) is the store's, and the whole batch's.
fn blames_the_data(error: &dyn DatabaseError) -> bool {
    if let Some(error) = error.try_downcast_ref::<PgDatabaseError>() {
        // SQLSTATE classes: data exception, integrity constraint violation,
        // program limit exceeded.
        return matches!(error.code().get(..2), Some("22" | "23" | "54"));
    }
    // SQLite: the primary result code is the extended code's low byte.
    // SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE.
    let primary = error
        .code()
        .and_then(|code| code.parse::<i32>().ok())
        .map(|code| code & 0xff);
    matches!(primary, Some(18 | 19 | 20 | 25))
}

/// Who hears of a commit: the workers (woken when events were queued) and
/// the observers.
struct Written {
    stored: watch::Sender<u64>,
    observers: Observers,
}

impl Written {
    /// Answers the stored `deliveries`, tells the observers of their items,
    /// and wakes the workers when events were queued.
    fn answer(
        &self,
        deliveries: &[NewDelivery],
        replies: impl Iterator<Item = Reply>,
        results: Vec<Stored>,
    ) {
        if results.iter().any(|r| r.events.iter().any(Option::is_some)) {
            self.stored
                .send_modify(|generation| *generation = generation.wrapping_add(1));
        }
        if !self.observers.is_empty() {
            for (delivery, result) in deliveries.iter().zip(&results) {
                for (item, event) in delivery.items.iter().zip(&result.events) {
                    self.observers.emit(&Observation::Stored {
                        kind: &item.kind,
                        duplicate: event.is_none(),
                        dead_letter: event.is_some() && item.undecodable.is_some(),
                    });
                }
            }
        }
        for (reply, result) in replies.zip(results) {
            let _ = reply.send(Ok(result));
        }
    }
}

/// The log line of deliveries that could not be stored.
fn log_refused(_deliveries: usize, _message: &str) {
    #[cfg(feature = "tracing")]
    tracing::error!(
        deliveries = _deliveries,
        error = %_message,
        "inbox: cannot store deliveries; answering 503 so Meta sends them again"
    );
}

/// Adds what is waiting (and, within `max_wait`, what arrives) to the batch.
async fn gather(
    receiver: &mut mpsc::Receiver<(NewDelivery, Reply)>,
    batch: &mut Vec<NewDelivery>,
    replies: &mut Vec<Reply>,
    max_batch: usize,
    max_wait: Duration,
) {
    let deadline = tokio::time::Instant::now() + max_wait;
    while batch.len() < max_batch {
        let next = match receiver.try_recv() {
            Ok(next) => next,
            Err(mpsc::error::TryRecvError::Disconnected) => return,
            Err(mpsc::error::TryRecvError::Empty) if max_wait.is_zero() => return,
            Err(mpsc::error::TryRecvError::Empty) => {
                match tokio::time::timeout_at(deadline, receiver.recv()).await {
                    Ok(Some(next)) => next,
                    Ok(None) | Err(_) => return,
                }
            }
        };
        batch.push(next.0);
        replies.push(next.1);
    }
}
