//! The two engines behind one type: opening, the schema, and the macro that
//! runs the same statements on either.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How to reach the database, from [`InboxBuilder`](crate::InboxBuilder).
#[derive(Clone, Debug)]
pub(crate) struct Connect {
    /// Connections in the pool.
    pub(crate) max_connections: u32,
    /// How long to wait for a connection (or, on SQLite, a lock) before
    /// the operation fails.
    pub(crate) timeout: Duration,
}

/// A pool on one of the engines. Statements are written once, with `$n`
/// placeholders (which SQLite also reads), and run through [`on_db!`].
///
/// SQLite takes one writer at a time: its writes go through a pool of one
/// connection, so writers of this process queue in order instead of
/// sleeping in SQLite's busy handler; reads use the other pool (WAL lets
/// them run beside the writer).
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the engine's pool for writing (or,
/// with `read`, for reading only): the body is compiled once per engine.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { write: $pool, .. } => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
    (read $db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { read: $pool, .. } => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

impl Db {
    /// Opens `url` and brings its schema up to date.
    pub(crate) async fn open(url: &str, connect: &Connect) -> Result<Self> {
        let db = if url.starts_with("sqlite:") {
            let options = sqlite_options(url, connect)?;
            // The writer first: it creates the file and turns WAL on.
            let write = open_sqlite(options.clone(), 1, connect).await?;
            let read = open_sqlite(options, connect.max_connections, connect).await?;
            Self::Sqlite { write, read }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Self::Postgres(open_postgres(url, connect).await?)
        } else {
            return Err(Error::BadUrl(format!(
                "`{}`: expected sqlite://PATH or postgres://...",
                redact(url)
            )));
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the embedded migrations; refuses a schema from a newer
    /// version.
    async fn migrate(&self) -> Result<()> {
        let migrator = match self {
            Self::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Self::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let result = on_db!(self, pool => migrator.run(pool).await);
        result.map_err(|error| match error {
            MigrateError::VersionMissing(found) => Error::SchemaTooNew {
                found,
                supported: migrator.iter().map(|m| m.version).max().unwrap_or(0),
            },
            MigrateError::Execute(error) if is_connection(&error) => Error::Unreachable(error),
            other => Error::Migrate(other),
        })
    }

    /// `sqlite` or `postgres`.
    pub(crate) fn engine(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        on_db!(self, pool => pool.close().await);
        on_db!(read self, pool => pool.close().await);
    }
}

/// Durable settings on every connection: WAL, and an fsync at each commit
/// (`synchronous=FULL`), so a committed delivery survives a power cut.
fn sqlite_options(url: &str, connect: &Connect) -> Result<SqliteConnectOptions> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(Error::BadUrl(
            "an in-memory SQLite database cannot keep events: name a file, sqlite://inbox.db"
                .into(),
        ));
    }
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(|error| Error::BadUrl(format!("`{url}`: {error}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // A multi-row statement's rollback record stays in memory instead of
        // spilling to a temporary file.
        .pragma("temp_store", "memory")
        .busy_timeout(connect.timeout))
}

async fn open_sqlite(
    options: SqliteConnectOptions,
    connections: u32,
    connect: &Connect,
) -> Result<SqlitePool> {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(connect.timeout)
        .connect_with(options)
        .await
        .map_err(Error::Unreachable)
}

async fn open_postgres(url: &str, connect: &Connect) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|error| Error::BadUrl(format!("`{}`: {error}", redact(url))))?;
    match PgPoolOptions::new()
        .max_connections(connect.max_connections)
        .acquire_timeout(connect.timeout)
        .connect_with(options.clone())
        .await
    {
        Ok(pool) => Ok(pool),
        // The pool says only that it waited; one direct attempt says why
        // (connection refused, authentication failed, no such database).
        Err(sqlx::Error::PoolTimedOut) => {
            let direct =
                tokio::time::timeout(connect.timeout, PgConnection::connect_with(&options));
            Err(Error::Unreachable(match direct.await {
                Ok(Err(cause)) => cause,
                _ => sqlx::Error::PoolTimedOut,
            }))
        }
        Err(error) => Err(Error::Unreachable(error)),
    }
}

/// Whether `error` means the server could not be reached.
fn is_connection(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
    )
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{user}:***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so a writer
/// takes the lock up front (and waits for it within the busy timeout)
/// instead of failing when it upgrades from a read.
pub(crate) trait BeginWrite {
    /// The engine.
    type Database: sqlx::Database;

    /// A transaction that will write.
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Self::Database>>;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;

    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;

    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Postgres>> {
        self.begin().await
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/inbox"),
            "postgres://app:***@db:5432/inbox"
        );
        assert_eq!(redact("sqlite://inbox.db"), "sqlite://inbox.db");
    }
}
