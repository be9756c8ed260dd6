//! Reading, listing, counting, replaying and deleting events.

use crate::db::{Db, on_db};
use crate::error::{Error, Result};
use crate::model::{
    Activity, AttemptRecord, BulkReplay, DeliveryId, DeliveryRecord, EventDetail, EventId, Filter,
    Page, State, Stats,
};
use crate::store::{AttemptRow, DeliveryRow, EVENT_COLUMNS, EventRow, parse_state};
use crate::time::{self, from_millis};

/// The filter's conditions on `inbox_event e`, parameters `$1` to `$5`.
const FILTER: &str = "($1 IS NULL OR e.state = $1) AND ($2 IS NULL OR e.kind = $2) \
     AND ($3 IS NULL OR e.account_id = $3) AND ($4 IS NULL OR e.created_at >= $4) \
     AND ($5 IS NULL OR e.created_at < $5)";

/// The states an event can be queued again from.
const REPLAYABLE: &str = "e.state IN ('processed', 'dead_letter', 'failed')";

/// Queues an event again: now, with at least one attempt left.
const SET_REPLAYED: &str = "state = 'pending', run_at = $6, updated_at = $6, finalized_at = NULL, \
     max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END";

/// Binds a [`Filter`] as `$1` to `$5`.
macro_rules! bind_filter {
    ($query:expr, $filter:expr) => {
        $query
            .bind($filter.state.map(State::as_str))
            .bind($filter.kind.as_deref())
            .bind($filter.account_id.as_deref())
            .bind($filter.since.map(time::millis))
            .bind($filter.until.map(time::millis))
    };
}

/// What the stats queries return: counts by state and kind, duplicates,
/// rejected deliveries, the oldest pending time, dead letters by kind and
/// class.
type StatsRows = (
    Vec<(String, String, i64)>,
    i64,
    i64,
    Option<i64>,
    Vec<(String, String, i64)>,
);

/// What the recent-activity queries return: events stored in the last hour
/// and day, processed in the last hour and day; failed attempts in the last
/// hour and day.
type Lately = ((i64, i64, i64, i64), (i64, i64));

impl Db {
    /// One event with its failed attempts.
    pub(crate) async fn event(&self, id: EventId) -> Result<EventDetail> {
        let event_sql = format!(
            "SELECT {EVENT_COLUMNS} FROM inbox_event e \
             LEFT JOIN inbox_dedup d ON d.dedup_key = e.dedup_key WHERE e.id = $1"
        );
        const ATTEMPTS: &str = "SELECT attempt, worker, started_at, finished_at, error_class, \
             error FROM inbox_attempt WHERE event_id = $1 ORDER BY attempt";
        let (row, attempts): (Option<EventRow>, Vec<AttemptRow>) = on_db!(read self, pool => {
            let row = sqlx::query_as(&event_sql).bind(id.0).fetch_optional(pool).await?;
            let attempts = sqlx::query_as(ATTEMPTS).bind(id.0).fetch_all(pool).await?;
            (row, attempts)
        });
        let event = row.ok_or(Error::NotFound(id))?.into_record()?;
        Ok(EventDetail {
            event,
            attempts: attempts.into_iter().map(AttemptRecord::from).collect(),
        })
    }

    /// Events matching `filter`, newest first, below `before`, skipping
    /// `offset`.
    pub(crate) async fn events(
        &self,
        filter: &Filter,
        before: Option<EventId>,
        offset: u64,
        limit: u32,
    ) -> Result<Page> {
        if filter.holds_nul() {
            return Ok(Page::default());
        }
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM inbox_event e \
             LEFT JOIN inbox_dedup d ON d.dedup_key = e.dedup_key \
             WHERE {FILTER} AND ($6 IS NULL OR e.id < $6) ORDER BY e.id DESC LIMIT $7 OFFSET $8"
        );
        let limit = i64::from(limit.max(1));
        let rows: Vec<EventRow> = on_db!(read self, pool => bind_filter!(sqlx::query_as(&sql), filter)
            .bind(before.map(|id| id.0))
            .bind(limit + 1)
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?);
        let mut events = rows
            .into_iter()
            .map(EventRow::into_record)
            .collect::<Result<Vec<_>>>()?;
        let next = if events.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
            events.pop();
            events.last().map(|event| event.id)
        } else {
            None
        };
        Ok(Page { events, next })
    }

    /// How many events match `filter`.
    pub(crate) async fn count(&self, filter: &Filter) -> Result<u64> {
        if filter.holds_nul() {
            return Ok(0);
        }
        let sql = format!("SELECT COUNT(*) FROM inbox_event e WHERE {FILTER}");
        let n: i64 = on_db!(read self, pool => bind_filter!(sqlx::query_scalar(&sql), filter)
            .fetch_one(pool)
            .await?);
        Ok(n.unsigned_abs())
    }

    /// One stored delivery.
    pub(crate) async fn delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>> {
        const SQL: &str = "SELECT id, received_at, path, app, secret_index, body, \
             rejected_reason, items, duplicates FROM inbox_delivery WHERE id = $1";
        let row: Option<DeliveryRow> =
            on_db!(read self, pool => sqlx::query_as(SQL).bind(id.0).fetch_optional(pool).await?);
        Ok(row.map(DeliveryRecord::from))
    }

    /// The state of event `id`, if it exists.
    async fn state(&self, id: EventId) -> Result<Option<State>> {
        const SQL: &str = "SELECT state FROM inbox_event WHERE id = $1";
        let state: Option<String> = on_db!(read self, pool => sqlx::query_scalar(SQL).bind(id.0).fetch_optional(pool).await?);
        state.as_deref().map(parse_state).transpose()
    }

    /// Queues event `id` again (River's rules): refused while a worker holds
    /// it, nothing to do while it waits, one more attempt if it had none left.
    pub(crate) async fn replay(&self, id: EventId, now: i64) -> Result<State> {
        let sql = format!(
            "UPDATE inbox_event SET {SET_REPLAYED} \
             WHERE id = $7 AND state IN ('processed', 'dead_letter', 'failed')"
        );
        // `$1` to `$5` are unused here; bound so both replays share
        // `SET_REPLAYED`'s numbering.
        let changed = on_db!(self, pool => bind_filter!(sqlx::query(&sql), Filter::default())
            .bind(now)
            .bind(id.0)
            .execute(pool)
            .await?
            .rows_affected());
        if changed == 1 {
            return Ok(State::Pending);
        }
        match self.state(id).await? {
            None => Err(Error::NotFound(id)),
            Some(State::Processing) => Err(Error::Conflict {
                id,
                state: State::Processing,
            }),
            Some(state) => Ok(state),
        }
    }

    /// Queues again every event matching `filter` that can be (at most
    /// `limit`, oldest first); counts only, for a dry run.
    pub(crate) async fn replay_matching(
        &self,
        filter: &Filter,
        limit: Option<u64>,
        dry_run: bool,
        now: i64,
    ) -> Result<BulkReplay> {
        if filter.holds_nul() {
            return Ok(BulkReplay::default());
        }
        let count_sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN {REPLAYABLE} THEN 1 ELSE 0 END), 0) \
             FROM inbox_event e WHERE {FILTER}"
        );
        let update_sql = format!(
            // The state is checked again outside the subquery: on PostgreSQL
            // a row claimed while the update waited for it is then skipped.
            "UPDATE inbox_event SET {SET_REPLAYED} WHERE id IN (\
               SELECT e.id FROM inbox_event e WHERE {FILTER} AND {REPLAYABLE} \
               ORDER BY e.id LIMIT $7) AND state IN ('processed', 'dead_letter', 'failed')"
        );
        let limit = limit.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let (matched, replayable): (i64, i64) = on_db!(read self, pool => {
            bind_filter!(sqlx::query_as(&count_sql), filter).fetch_one(pool).await?
        });
        let mut report = BulkReplay {
            matched: matched.unsigned_abs(),
            queued: 0,
            skipped: (matched - replayable.min(limit)).unsigned_abs(),
        };
        if dry_run {
            return Ok(report);
        }
        let queued = on_db!(self, pool => bind_filter!(sqlx::query(&update_sql), filter)
            .bind(now)
            .bind(limit)
            .execute(pool)
            .await?
            .rows_affected());
        report.queued = queued;
        report.skipped = report.matched.saturating_sub(queued);
        Ok(report)
    }

    /// Deletes event `id` and its attempts; its dedup record stays, so a
    /// late repeat from Meta is still a duplicate. Refused while a worker
    /// holds it.
    pub(crate) async fn delete(&self, id: EventId) -> Result<()> {
        const SQL: &str = "DELETE FROM inbox_event WHERE id = $1 AND state <> 'processing'";
        let deleted =
            on_db!(self, pool => sqlx::query(SQL).bind(id.0).execute(pool).await?.rows_affected());
        if deleted == 1 {
            return Ok(());
        }
        match self.state(id).await? {
            None => Err(Error::NotFound(id)),
            Some(state) => Err(Error::Conflict { id, state }),
        }
    }

    /// Counts over the whole inbox.
    pub(crate) async fn stats(&self, now: i64) -> Result<Stats> {
        const BY_STATE_KIND: &str = "SELECT state, kind, COUNT(*) FROM inbox_event GROUP BY state, kind ORDER BY state, kind";
        const DUPLICATES: &str =
            "SELECT CAST(COALESCE(SUM(duplicates), 0) AS BIGINT) FROM inbox_dedup";
        const REJECTED: &str =
            "SELECT COUNT(*) FROM inbox_delivery WHERE rejected_reason IS NOT NULL";
        const OLDEST: &str =
            "SELECT MIN(created_at) FROM inbox_event WHERE state IN ('pending', 'failed')";
        const DEAD: &str = "SELECT kind, COALESCE(last_error_class, 'error'), COUNT(*) \
             FROM inbox_event WHERE state = 'dead_letter' GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2";
        // `$1` an hour ago, `$2` a day ago.
        const EVENTS_LATELY: &str = "SELECT \
             COALESCE(SUM(CASE WHEN created_at >= $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'processed' AND finalized_at >= $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'processed' AND finalized_at >= $2 THEN 1 ELSE 0 END), 0) \
             FROM inbox_event WHERE created_at >= $2 OR finalized_at >= $2";
        const FAILED_LATELY: &str = "SELECT \
             COALESCE(SUM(CASE WHEN finished_at >= $1 THEN 1 ELSE 0 END), 0), COUNT(*) \
             FROM inbox_attempt WHERE finished_at >= $2";
        const HOUR: i64 = 60 * 60 * 1000;
        let (hour, day) = (now.saturating_sub(HOUR), now.saturating_sub(24 * HOUR));
        let ((by_state_kind, duplicates, rejected, oldest, dead), (events_lately, failed_lately)): (
            StatsRows,
            Lately,
        ) = on_db!(read self, pool => (
            (
                sqlx::query_as(BY_STATE_KIND).fetch_all(pool).await?,
                sqlx::query_scalar(DUPLICATES).fetch_one(pool).await?,
                sqlx::query_scalar(REJECTED).fetch_one(pool).await?,
                sqlx::query_scalar(OLDEST).fetch_one(pool).await?,
                sqlx::query_as(DEAD).fetch_all(pool).await?,
            ),
            (
                sqlx::query_as(EVENTS_LATELY).bind(hour).bind(day).fetch_one(pool).await?,
                sqlx::query_as(FAILED_LATELY).bind(hour).bind(day).fetch_one(pool).await?,
            ),
        ));
        let (received_hour, received_day, processed_hour, processed_day) = events_lately;
        let mut stats = Stats {
            by_state: State::ALL.iter().map(|state| (*state, 0)).collect(),
            duplicates: duplicates.unsigned_abs(),
            rejected_deliveries: rejected.unsigned_abs(),
            oldest_pending_age: oldest.map(|created| {
                from_millis(now)
                    .duration_since(from_millis(created))
                    .unwrap_or_default()
            }),
            dead_letters: dead
                .into_iter()
                .map(|(kind, class, n)| (kind, class, n.unsigned_abs()))
                .collect(),
            last_hour: Activity {
                received: received_hour.unsigned_abs(),
                processed: processed_hour.unsigned_abs(),
                failed: failed_lately.0.unsigned_abs(),
            },
            last_day: Activity {
                received: received_day.unsigned_abs(),
                processed: processed_day.unsigned_abs(),
                failed: failed_lately.1.unsigned_abs(),
            },
            ..Stats::default()
        };
        for (state, kind, n) in by_state_kind {
            let state = parse_state(&state)?;
            let n = n.unsigned_abs();
            if let Some(total) = stats.by_state.iter_mut().find(|(s, _)| *s == state) {
                total.1 += n;
            }
            stats.by_state_and_kind.push((state, kind, n));
        }
        Ok(stats)
    }
}
