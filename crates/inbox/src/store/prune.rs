//! Retention: old events, deliveries and dedup records, deleted in bounded
//! batches.

use crate::db::{Db, on_db};

/// What one pruning pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Processed events.
    pub processed: u64,
    /// Dead letters.
    pub dead_letters: u64,
    /// Deliveries no event refers to any more.
    pub deliveries: u64,
    /// Dedup records past their window.
    pub dedup_keys: u64,
}

/// The cutoffs of one pruning pass, as Unix milliseconds: what is older goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cutoffs {
    pub(crate) processed: i64,
    pub(crate) dead_letter: i64,
    pub(crate) dedup: i64,
}

/// The outer conditions repeat the inner ones: on PostgreSQL a row replayed
/// while the delete waited for it is checked again, and kept.
const EVENTS: &str = "DELETE FROM inbox_event WHERE id IN (\
     SELECT id FROM inbox_event WHERE state = $1 AND finalized_at < $2 ORDER BY id LIMIT $3) \
     AND state = $1 AND finalized_at < $2";
/// Deliveries without events: kept as long as processed events, rejected
/// ones as long as dead letters.
const DELIVERIES: &str = "DELETE FROM inbox_delivery WHERE id IN (\
     SELECT dl.id FROM inbox_delivery dl WHERE dl.received_at < $1 \
     AND (dl.rejected_reason IS NULL OR dl.received_at < $2) \
     AND NOT EXISTS (SELECT 1 FROM inbox_event e WHERE e.delivery_id = dl.id) \
     ORDER BY dl.id LIMIT $3)";
const DEDUP: &str = "DELETE FROM inbox_dedup WHERE dedup_key IN (\
     SELECT dedup_key FROM inbox_dedup WHERE first_seen < $1 LIMIT $2)";

/// Runs a bounded `DELETE` (one statement, so its own transaction) until it deletes fewer
/// than `$batch` rows; the total.
macro_rules! drain {
    ($db:expr, $batch:expr, $sql:expr $(, $arg:expr)*) => {{
        let mut total = 0_u64;
        loop {
            let n = on_db!($db, pool => sqlx::query($sql)
                $(.bind($arg))*
                .bind($batch)
                .execute(pool)
                .await?
                .rows_affected());
            total += n;
            if n < $batch.unsigned_abs() {
                break total;
            }
            tokio::task::yield_now().await;
        }
    }};
}

impl Db {
    /// Deletes at most `batch` rows of each table per transaction, until
    /// nothing older than the cutoffs is left.
    pub(crate) async fn prune(&self, cutoffs: Cutoffs, batch: i64) -> sqlx::Result<Pruned> {
        Ok(Pruned {
            processed: drain!(self, batch, EVENTS, "processed", cutoffs.processed),
            dead_letters: drain!(self, batch, EVENTS, "dead_letter", cutoffs.dead_letter),
            deliveries: drain!(
                self,
                batch,
                DELIVERIES,
                cutoffs.processed,
                cutoffs.dead_letter
            ),
            dedup_keys: drain!(self, batch, DEDUP, cutoffs.dedup),
        })
    }
}
