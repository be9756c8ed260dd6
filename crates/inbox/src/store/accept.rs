//! Writing accepted deliveries: one transaction for a batch, dedup first.

use std::collections::HashMap;

use sqlx::Executor as _;

use crate::db::{BeginWrite as _, Db, on_db};
use crate::model::{DeliveryId, EventId};
use crate::record::{NewDelivery, NewItem};

/// Claims dedup keys: a new key gets a row with `duplicates = 0`; a key
/// seen within the window counts one more duplicate; a key seen before the
/// window starts over, as new. Followed by the rows' `VALUES` and
/// [`UPSERT_DEDUP_TAIL`].
const UPSERT_DEDUP: &str =
    "INSERT INTO inbox_dedup (dedup_key, first_seen, last_seen, duplicates) ";

/// The conflict clause of [`UPSERT_DEDUP`], around the cutoff (bound twice).
const UPSERT_DEDUP_TAIL: [&str; 3] = [
    " ON CONFLICT (dedup_key) DO UPDATE SET \
       duplicates = CASE WHEN inbox_dedup.first_seen < ",
    " THEN 0 ELSE inbox_dedup.duplicates + 1 END, \
       first_seen = CASE WHEN inbox_dedup.first_seen < ",
    " THEN excluded.first_seen ELSE inbox_dedup.first_seen END, \
       last_seen = excluded.last_seen \
     RETURNING dedup_key, duplicates",
];

/// A key repeated within one batch: every copy after the first is a
/// duplicate of it.
const REPEATED_IN_BATCH: &str =
    "UPDATE inbox_dedup SET duplicates = duplicates + $1, last_seen = $2 WHERE dedup_key = $3";

const INSERT_DELIVERY: &str = "INSERT INTO inbox_delivery \
     (received_at, path, app, secret_index, body, rejected_reason, items, duplicates) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

/// Followed by the rows' `VALUES` and `RETURNING id`.
const INSERT_EVENTS: &str = "INSERT INTO inbox_event \
     (delivery_id, kind, account_id, dedup_key, order_key, container, entry_index, item_index, \
      item, state, attempt, max_attempts, run_at, last_error, last_error_class, created_at, \
      updated_at, finalized_at) ";

/// Rows per multi-row statement: well under both engines' limit on bound
/// parameters (17 per event row).
const CHUNK: usize = 500;

/// What became of one delivery of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub(crate) delivery: DeliveryId,
    /// Per item, in order: the new event, or `None` for a duplicate.
    pub(crate) events: Vec<Option<EventId>>,
}

impl Db {
    /// Stores `batch` in one transaction: every delivery and its new items,
    /// or nothing. Dedup keys are claimed in key order (so concurrent
    /// batches on PostgreSQL cannot deadlock) and, for one key, in batch
    /// order (so the first delivery keeps its event).
    pub(crate) async fn accept(
        &self,
        batch: &[NewDelivery],
        now: i64,
        dedup_cutoff: i64,
    ) -> sqlx::Result<Vec<Stored>> {
        // Every item's key, in key order and, for one key, in batch order.
        let mut keys: Vec<(&str, usize, usize)> = batch
            .iter()
            .enumerate()
            .flat_map(|(d, delivery)| {
                delivery
                    .items
                    .iter()
                    .enumerate()
                    .map(move |(i, item)| (item.dedup_key.as_str(), d, i))
            })
            .collect();
        keys.sort_unstable();
        let mut distinct: Vec<&str> = keys.iter().map(|(key, _, _)| *key).collect();
        distinct.dedup();

        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;

            // Dedup: one statement per chunk of distinct keys.
            let mut duplicates_before: HashMap<String, i64> = HashMap::with_capacity(distinct.len());
            for chunk in distinct.chunks(CHUNK) {
                let mut query = sqlx::QueryBuilder::new(UPSERT_DEDUP);
                query.push_values(chunk, |mut row, key| {
                    row.push_bind(*key).push_bind(now).push_bind(now).push("0");
                });
                query.push(UPSERT_DEDUP_TAIL[0]).push_bind(dedup_cutoff);
                query.push(UPSERT_DEDUP_TAIL[1]).push_bind(dedup_cutoff);
                query.push(UPSERT_DEDUP_TAIL[2]);
                let rows: Vec<(String, i64)> = query.build_query_as().fetch_all(&mut *tx).await?;
                duplicates_before.extend(rows);
            }
            let mut fresh: Vec<Vec<bool>> =
                batch.iter().map(|d| vec![false; d.items.len()]).collect();
            for group in keys.chunk_by(|a, b| a.0 == b.0) {
                let (key, d, i) = group[0];
                fresh[d][i] = duplicates_before.get(key) == Some(&0);
                if group.len() > 1 {
                    sqlx::query(REPEATED_IN_BATCH)
                        .bind(i64::try_from(group.len() - 1).unwrap_or(i64::MAX))
                        .bind(now)
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                }
            }

            // Deliveries, then their new items in delivery order (ids grow
            // in the order of the rows).
            let mut delivery_ids = Vec::with_capacity(batch.len());
            for (delivery, fresh) in batch.iter().zip(&fresh) {
                let duplicates = fresh.iter().filter(|new| !**new).count();
                let id: i64 = sqlx::query_scalar(INSERT_DELIVERY)
                    .bind(delivery.received_at)
                    .bind(&delivery.path)
                    .bind(&delivery.app)
                    .bind(delivery.secret_index)
                    .bind(&delivery.body[..])
                    .bind(&delivery.rejected_reason)
                    .bind(count(delivery.items.len()))
                    .bind(count(duplicates))
                    .fetch_one(&mut *tx)
                    .await?;
                delivery_ids.push(id);
            }
            let new: Vec<(i64, &NewItem)> = batch
                .iter()
                .zip(&fresh)
                .zip(&delivery_ids)
                .flat_map(|((delivery, fresh), id)| {
                    delivery
                        .items
                        .iter()
                        .zip(fresh)
                        .filter(|(_, fresh)| **fresh)
                        .map(move |(item, _)| (*id, item))
                })
                .collect();
            let mut event_ids = Vec::with_capacity(new.len());
            for chunk in new.chunks(CHUNK) {
                let mut query = sqlx::QueryBuilder::new(INSERT_EVENTS);
                query.push_values(chunk, |mut row, (delivery_id, item)| {
                    let (state, class, finalized) = match &item.undecodable {
                        Some(_) => ("dead_letter", Some("decode"), Some(now)),
                        None => ("pending", None, None),
                    };
                    row.push_bind(*delivery_id)
                        .push_bind(&*item.kind)
                        .push_bind(&item.account_id)
                        .push_bind(&item.dedup_key)
                        .push_bind(&item.order_key)
                        .push_bind(item.container)
                        .push_bind(item.entry_index)
                        .push_bind(item.item_index)
                        .push_bind(&item.item)
                        .push_bind(state)
                        .push("0")
                        .push_bind(item.max_attempts)
                        .push_bind(now)
                        .push_bind(&item.undecodable)
                        .push_bind(class)
                        .push_bind(now)
                        .push_bind(now)
                        .push_bind(finalized);
                });
                query.push(" RETURNING id");
                let mut ids: Vec<i64> = query.build_query_scalar().fetch_all(&mut *tx).await?;
                ids.sort_unstable();
                event_ids.extend(ids);
            }
            tx.commit().await?;

            let mut event_ids = event_ids.into_iter();
            Ok(fresh
                .iter()
                .zip(delivery_ids)
                .map(|(fresh, id)| Stored {
                    delivery: DeliveryId(id),
                    events: fresh
                        .iter()
                        .map(|new| new.then(|| event_ids.next().map(EventId)).flatten())
                        .collect(),
                })
                .collect())
        })
    }

    /// Checks the database answers: a round trip.
    pub(crate) async fn ping(&self) -> sqlx::Result<()> {
        on_db!(read self, pool => pool.execute("SELECT 1").await.map(drop))
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
