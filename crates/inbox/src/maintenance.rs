//! The background task: rescuing expired leases, pruning old rows.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::Db;
use crate::inbox::{Config, retry_at};
use crate::job::Next;
use crate::observe::{AttemptOutcome, Observation};
use crate::store::prune::{Cutoffs, Pruned};
use crate::store::queue::Failure;
use crate::time;

/// The name recorded for attempts the rescuer ends.
const RESCUER: &str = "rescuer";

/// How often the background task runs each job.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Maintenance {
    pub(crate) rescue_every: Duration,
    pub(crate) prune_every: Duration,
    /// Rows deleted per transaction.
    pub(crate) prune_batch: i64,
}

impl Default for Maintenance {
    fn default() -> Self {
        Self {
            rescue_every: Duration::from_secs(30),
            prune_every: Duration::from_secs(600),
            prune_batch: 1000,
        }
    }
}

/// Starts the background task; it ends when `stopped` turns true.
pub(crate) fn start(
    db: Db,
    config: Config,
    every: Maintenance,
    mut stopped: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        let mut rescue = tokio::time::interval(bounded(every.rescue_every));
        let mut prune = tokio::time::interval(bounded(every.prune_every));
        rescue.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = rescue.tick() => {
                    if let Err(_error) = self::rescue(&db, &config).await {
                        #[cfg(feature = "tracing")]
                        tracing::warn!(error = %_error, "inbox: cannot rescue expired leases");
                    }
                    if let Err(_error) = db.analyze().await {
                        #[cfg(feature = "tracing")]
                        tracing::warn!(error = %_error, "inbox: cannot refresh the planner's statistics");
                    }
                }
                _ = prune.tick() => {
                    if let Err(_error) = self::prune(&db, &config).await {
                        #[cfg(feature = "tracing")]
                        tracing::warn!(error = %_error, "inbox: cannot prune");
                    }
                }
                changed = stopped.changed() => {
                    if changed.is_err() || *stopped.borrow() {
                        return;
                    }
                }
            }
        }
    });
}

/// An interval between 1 ms and a year (a longer one would overflow the
/// clock).
fn bounded(every: Duration) -> Duration {
    every.clamp(
        Duration::from_millis(1),
        Duration::from_secs(365 * 24 * 3600),
    )
}

/// Ends every attempt whose lease expired as a failed attempt; how many.
pub(crate) async fn rescue(db: &Db, config: &Config) -> sqlx::Result<usize> {
    let mut rescued = 0;
    loop {
        let now = time::now();
        let expired = db.expired(now, 100).await?;
        let found = expired.len();
        for event in expired {
            let holder = event.locked_by.as_deref().unwrap_or(RESCUER);
            let message =
                format!("the lease of worker `{holder}` expired before the attempt ended");
            let failure = Failure {
                id: event.id,
                attempt: event.attempt,
                worker: None,
                recorded_as: holder,
                started_at: event.updated_at,
                finished_at: now,
                class: "lease_expired",
                error: &message,
                retry_at: retry_at(
                    &config.retry,
                    &event.kind,
                    event.attempt,
                    event.max_attempts,
                    now,
                    Next::Retry,
                ),
            };
            if db.fail(&failure).await? {
                rescued += 1;
                config.observers.emit(&Observation::AttemptEnded {
                    kind: &event.kind,
                    outcome: if failure.retry_at.is_some() {
                        AttemptOutcome::Retrying
                    } else {
                        AttemptOutcome::DeadLetter
                    },
                    error_class: Some(failure.class),
                    duration: time::between(event.updated_at, now),
                    rescued: true,
                });
            }
        }
        if found < 100 {
            break;
        }
    }
    #[cfg(feature = "tracing")]
    if rescued > 0 {
        tracing::warn!(
            events = rescued,
            "inbox: took back events whose worker lease expired"
        );
    }
    Ok(rescued)
}

/// Deletes what is past its retention.
pub(crate) async fn prune(db: &Db, config: &Config) -> sqlx::Result<Pruned> {
    let now = time::now();
    let before = |age: Duration| now.saturating_sub(time::duration_ms(age));
    let cutoffs = Cutoffs {
        processed: before(config.keep_processed),
        dead_letter: before(config.keep_dead_letters),
        dedup: before(config.group.dedup_window),
    };
    let batch = config
        .maintenance
        .map_or(Maintenance::default().prune_batch, |m| m.prune_batch);
    db.prune(cutoffs, batch).await
}
