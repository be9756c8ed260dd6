//! The queue: claiming ready events under a lease, recording how their
//! attempt ended, and rescuing events whose lease expired. Every change is
//! fenced by the state, attempt and holder it expects.

use crate::db::{BeginWrite as _, Db, on_db};

/// The events a claim may take: ready, and (for ordered events) neither an
/// event of their key in a handler, nor an earlier one still unfinished. (A
/// replayed event can be earlier than one that runs: it waits for it.) The
/// subquery repeats the order index's predicate so both engines use it; on
/// SQLite the claim names the ready index, which its planner otherwise
/// passes over for the state index and a sort.
const READY: &str = "e.state IN ('pending', 'failed') AND e.run_at <= $3 \
     AND (e.order_key IS NULL OR NOT EXISTS (\
       SELECT 1 FROM inbox_event p WHERE p.order_key = e.order_key \
       AND p.state IN ('pending', 'processing', 'failed') AND p.id <> e.id \
       AND (p.state = 'processing' OR p.id < e.id)))";

const SET_CLAIMED: &str = "state = 'processing', attempt = attempt + 1, locked_by = $1, \
     locked_until = $2, updated_at = $3";

const CLAIMED_COLUMNS: &str = "id, delivery_id, kind, item, attempt, max_attempts";

/// An event a worker holds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Claimed {
    pub(crate) id: i64,
    pub(crate) delivery_id: i64,
    pub(crate) kind: String,
    pub(crate) item: String,
    pub(crate) attempt: i64,
    pub(crate) max_attempts: i64,
}

/// How a failed attempt ends.
#[derive(Debug, Clone)]
pub(crate) struct Failure<'a> {
    pub(crate) id: i64,
    pub(crate) attempt: i64,
    /// The holder expected (`None` for the rescuer, which fences on the
    /// expired lease instead).
    pub(crate) worker: Option<&'a str>,
    /// Who is recorded as having made the attempt.
    pub(crate) recorded_as: &'a str,
    pub(crate) started_at: i64,
    pub(crate) finished_at: i64,
    pub(crate) class: &'a str,
    pub(crate) error: &'a str,
    /// When to try again; `None` for the dead letter.
    pub(crate) retry_at: Option<i64>,
}

/// An event whose lease has expired.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Expired {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) attempt: i64,
    pub(crate) max_attempts: i64,
    pub(crate) locked_by: Option<String>,
    pub(crate) updated_at: i64,
}

impl Db {
    /// Claims up to `limit` ready events for `worker` until `lease_until`,
    /// oldest first.
    pub(crate) async fn claim(
        &self,
        worker: &str,
        limit: i64,
        now: i64,
        lease_until: i64,
    ) -> sqlx::Result<Vec<Claimed>> {
        let sql = match self {
            Self::Sqlite { .. } => format!(
                "UPDATE inbox_event SET {SET_CLAIMED} WHERE id IN (\
                   SELECT e.id FROM inbox_event e INDEXED BY inbox_event_ready WHERE {READY} \
                   ORDER BY e.run_at, e.id LIMIT $4) \
                 RETURNING {CLAIMED_COLUMNS}"
            ),
            Self::Postgres(_) => format!(
                "WITH c AS (SELECT e.id FROM inbox_event e WHERE {READY} \
                   ORDER BY e.run_at, e.id LIMIT $4 FOR UPDATE SKIP LOCKED) \
                 UPDATE inbox_event SET {SET_CLAIMED} FROM c WHERE inbox_event.id = c.id \
                 RETURNING {}",
                CLAIMED_COLUMNS
                    .split(", ")
                    .map(|c| format!("inbox_event.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        // One statement: atomic on its own.
        let mut claimed: Vec<Claimed> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?);
        claimed.sort_unstable_by_key(|c| c.id);
        Ok(claimed)
    }

    /// Marks a held event processed; `false` when the worker no longer held
    /// it (its lease expired and the event moved on).
    #[cfg(test)]
    pub(crate) async fn complete(
        &self,
        id: i64,
        attempt: i64,
        worker: &str,
        now: i64,
    ) -> sqlx::Result<bool> {
        Ok(self.complete_all(&[(id, attempt)], worker, now).await?[0])
    }

    /// Marks held events (`(id, attempt)`) processed in one transaction: one
    /// commit for all. Per event, `false` when the worker no longer held it.
    pub(crate) async fn complete_all(
        &self,
        held: &[(i64, i64)],
        worker: &str,
        now: i64,
    ) -> sqlx::Result<Vec<bool>> {
        const SQL: &str = "UPDATE inbox_event SET state = 'processed', finalized_at = $1, \
             updated_at = $1, locked_by = NULL, locked_until = NULL \
             WHERE id = $2 AND state = 'processing' AND attempt = $3 AND locked_by = $4";
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut done = Vec::with_capacity(held.len());
            for (id, attempt) in held {
                let n = sqlx::query(SQL)
                    .bind(now)
                    .bind(id)
                    .bind(attempt)
                    .bind(worker)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                done.push(n == 1);
            }
            tx.commit().await?;
            Ok(done)
        })
    }

    /// Records a failed attempt and moves the event on (to `failed` with
    /// its next run, or to `dead_letter`); `false` when the fence did not
    /// hold and nothing was written.
    pub(crate) async fn fail(&self, failure: &Failure<'_>) -> sqlx::Result<bool> {
        const SQL: &str = "UPDATE inbox_event SET state = $1, run_at = COALESCE($2, run_at), \
             finalized_at = $3, updated_at = $4, locked_by = NULL, locked_until = NULL, \
             last_error = $5, last_error_class = $6 \
             WHERE id = $7 AND state = 'processing' AND attempt = $8 \
             AND (locked_by = $9 OR ($9 IS NULL AND locked_until < $4))";
        const ATTEMPT: &str = "INSERT INTO inbox_attempt \
             (event_id, attempt, worker, started_at, finished_at, error_class, error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let (state, finalized) = match failure.retry_at {
            Some(_) => ("failed", None),
            None => ("dead_letter", Some(failure.finished_at)),
        };
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let moved = sqlx::query(SQL)
                .bind(state)
                .bind(failure.retry_at)
                .bind(finalized)
                .bind(failure.finished_at)
                .bind(failure.error)
                .bind(failure.class)
                .bind(failure.id)
                .bind(failure.attempt)
                .bind(failure.worker)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            sqlx::query(ATTEMPT)
                .bind(failure.id)
                .bind(failure.attempt)
                .bind(failure.recorded_as)
                .bind(failure.started_at)
                .bind(failure.finished_at)
                .bind(failure.class)
                .bind(failure.error)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Refreshes the planner's statistics of the events table (PostgreSQL):
    /// a table filled faster than autovacuum analyzes it would otherwise be
    /// claimed from with a scan of every pending row. Nothing on SQLite,
    /// whose claim names its index.
    ///
    /// Only when a tenth of the table (at least 1000 rows) changed since the
    /// last analysis, and never waiting for a lock: an autovacuum of the
    /// table holds the one `ANALYZE` needs, and must not be cancelled.
    pub(crate) async fn analyze(&self) -> sqlx::Result<()> {
        const STALE: &str = "SELECT COALESCE(n_mod_since_analyze > GREATEST(1000, n_live_tup / 10), \
             FALSE) FROM pg_stat_user_tables WHERE relname = 'inbox_event'";
        let Self::Postgres(pool) = self else {
            return Ok(());
        };
        let stale: Option<bool> = sqlx::query_scalar(STALE).fetch_optional(pool).await?;
        if stale != Some(true) {
            return Ok(());
        }
        let mut tx = pool.begin().await?;
        sqlx::query("SET LOCAL lock_timeout = '100ms'")
            .execute(&mut *tx)
            .await?;
        match sqlx::query("ANALYZE inbox_event").execute(&mut *tx).await {
            Ok(_) => tx.commit().await,
            // `lock_not_available`: a vacuum holds the table; next time.
            Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("55P03") => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Hands back every event `worker` holds (its attempts were abandoned
    /// at shutdown): each attempt is recorded as failed, class `shutdown`,
    /// and the event is ready again at once, with one more attempt if it
    /// had none left (shutting down is not the event's fault). How many.
    pub(crate) async fn release(&self, worker: &str, now: i64) -> sqlx::Result<u64> {
        const ATTEMPTS: &str = "INSERT INTO inbox_attempt \
             (event_id, attempt, worker, started_at, finished_at, error_class, error) \
             SELECT id, attempt, $1, updated_at, $2, 'shutdown', \
             'the worker shut down before the attempt ended' \
             FROM inbox_event WHERE state = 'processing' AND locked_by = $1";
        const RELEASE: &str = "UPDATE inbox_event SET state = 'failed', run_at = $2, \
             updated_at = $2, locked_by = NULL, locked_until = NULL, \
             last_error = 'the worker shut down before the attempt ended', \
             last_error_class = 'shutdown', \
             max_attempts = CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END \
             WHERE state = 'processing' AND locked_by = $1";
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(ATTEMPTS).bind(worker).bind(now).execute(&mut *tx).await?;
            let released = sqlx::query(RELEASE)
                .bind(worker)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(released)
        })
    }

    /// Events held past their lease, up to `limit`.
    pub(crate) async fn expired(&self, now: i64, limit: i64) -> sqlx::Result<Vec<Expired>> {
        const SQL: &str = "SELECT id, kind, attempt, max_attempts, locked_by, updated_at \
             FROM inbox_event WHERE state = 'processing' AND locked_until < $1 \
             ORDER BY locked_until LIMIT $2";
        on_db!(read self, pool => sqlx::query_as(SQL).bind(now).bind(limit).fetch_all(pool).await)
    }
}
