//! Test support: real databases for the inbox's tests.
//!
//! [`postgres::Server`] gives each test a fresh database on a real
//! PostgreSQL server: the one `DATABASE_URL` names, or else a throwaway
//! cluster started from the system's binaries (`initdb`, `pg_ctl`). Without
//! either it fails, naming the package to install. Never a mock, never a
//! silent skip.

pub mod postgres;
