//! Every statement the inbox runs, on either engine.
//!
//! - `accept`: a batch of deliveries and their items, in one transaction.
//! - `queue`: claiming, finishing and rescuing events.
//! - `manage`: reading, listing, counting, replaying and deleting.
//! - `prune`: retention.

pub(crate) mod accept;
pub(crate) mod manage;
pub(crate) mod prune;
pub(crate) mod queue;

use crate::error::{Error, Result};
use crate::model::{AttemptRecord, DeliveryId, DeliveryRecord, EventId, EventRecord, State};
use crate::time::from_millis;

/// The columns of [`EventRow`], for `SELECT`s from `inbox_event e` joined
/// to `inbox_dedup d`.
pub(crate) const EVENT_COLUMNS: &str = "e.id, e.delivery_id, e.kind, e.account_id, e.dedup_key, \
     e.order_key, e.container, e.entry_index, e.item_index, e.item, e.state, e.attempt, \
     e.max_attempts, e.run_at, e.locked_by, e.locked_until, e.last_error, e.last_error_class, \
     e.created_at, e.updated_at, e.finalized_at, COALESCE(d.duplicates, 0) AS duplicates";

/// One `inbox_event` row, as selected with [`EVENT_COLUMNS`].
#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: i64,
    delivery_id: i64,
    kind: String,
    account_id: String,
    dedup_key: String,
    order_key: Option<String>,
    container: String,
    entry_index: i64,
    item_index: i64,
    item: String,
    state: String,
    attempt: i64,
    max_attempts: i64,
    run_at: i64,
    locked_by: Option<String>,
    locked_until: Option<i64>,
    last_error: Option<String>,
    last_error_class: Option<String>,
    created_at: i64,
    updated_at: i64,
    finalized_at: Option<i64>,
    duplicates: i64,
}

impl EventRow {
    pub(crate) fn into_record(self) -> Result<EventRecord> {
        Ok(EventRecord {
            id: EventId(self.id),
            delivery_id: DeliveryId(self.delivery_id),
            kind: self.kind,
            account_id: self.account_id,
            dedup_key: self.dedup_key,
            order_key: self.order_key,
            container: self.container,
            entry_index: self.entry_index,
            item_index: self.item_index,
            item: self.item,
            state: parse_state(&self.state)?,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            run_at: from_millis(self.run_at),
            locked_by: self.locked_by,
            locked_until: self.locked_until.map(from_millis),
            last_error: self.last_error,
            last_error_class: self.last_error_class,
            created_at: from_millis(self.created_at),
            updated_at: from_millis(self.updated_at),
            finalized_at: self.finalized_at.map(from_millis),
            duplicates: self.duplicates,
        })
    }
}

/// One `inbox_attempt` row.
#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    attempt: i64,
    worker: String,
    started_at: i64,
    finished_at: i64,
    error_class: String,
    error: String,
}

impl From<AttemptRow> for AttemptRecord {
    fn from(row: AttemptRow) -> Self {
        Self {
            attempt: row.attempt,
            worker: row.worker,
            started_at: from_millis(row.started_at),
            finished_at: from_millis(row.finished_at),
            error_class: row.error_class,
            error: row.error,
        }
    }
}

/// One `inbox_delivery` row.
#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: i64,
    received_at: i64,
    path: String,
    app: Option<String>,
    secret_index: i64,
    body: Vec<u8>,
    rejected_reason: Option<String>,
    items: i64,
    duplicates: i64,
}

impl From<DeliveryRow> for DeliveryRecord {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: DeliveryId(row.id),
            received_at: from_millis(row.received_at),
            path: row.path,
            app: row.app,
            secret_index: row.secret_index,
            body: row.body,
            rejected_reason: row.rejected_reason,
            items: row.items,
            duplicates: row.duplicates,
        }
    }
}

pub(crate) fn parse_state(state: &str) -> Result<State> {
    state
        .parse()
        .map_err(|error: crate::model::ParseStateError| Error::Corrupt(error.to_string()))
}

#[cfg(test)]
mod machine_tests;
