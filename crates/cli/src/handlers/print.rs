//! `--print`: one JSON line per processed event on stdout.

use std::io::Write;

use instagram_webhook_inbox::{Failure, Job};

/// Prints `{"kind", "account_id", "dedup_key", "container", "event_id",
/// "attempt", "delivery_id"}` per event, as the example receivers do.
#[derive(Debug, Default)]
pub(crate) struct Print;

impl Print {
    pub(crate) async fn handle(&self, job: Job) -> Result<(), Failure> {
        let line = job.summary();
        let mut out = std::io::stdout().lock();
        // A closed stdout is a failed attempt: the event is retried, not lost.
        writeln!(out, "{line}")?;
        out.flush()?;
        Ok(())
    }
}
