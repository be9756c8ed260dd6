//! `--exec CMD`: a command per event, the event's JSON on its stdin.
//!
//! Exit 0 is done; exit 65 (`EX_DATAERR`) gives up at once (a dead
//! letter); any other exit, a signal or the attempt's timeout is retried
//! by the inbox's policy.

use std::process::Stdio;

use instagram_webhook_inbox::{Failure, Job};
use tokio::io::AsyncWriteExt;

use super::event_json;

/// The exit code that gives up at once.
pub(crate) const GIVE_UP: i32 = 65;

/// Runs one shell command per event.
#[derive(Debug)]
pub(crate) struct Exec {
    command: String,
}

impl Exec {
    pub(crate) fn new(command: String) -> Self {
        Self { command }
    }

    pub(crate) async fn handle(&self, job: Job) -> Result<(), Failure> {
        let body = serde_json::to_vec(&event_json(&job)).map_err(Failure::give_up)?;
        let mut child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .env("IGW_EVENT_ID", job.id.0.to_string())
            .env("IGW_ATTEMPT", job.attempt.to_string())
            .env("IGW_KIND", job.event.kind().as_str())
            .stdin(Stdio::piped())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            // A timed-out attempt drops this future: the command goes with it.
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| Failure::retry(format!("cannot run `{}`: {error}", self.command)))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A command that does not read its stdin is fine.
            let _ = stdin.write_all(&body).await;
        }
        let status = child
            .wait()
            .await
            .map_err(|error| Failure::retry(format!("`{}`: {error}", self.command)))?;
        match status.code() {
            Some(0) => Ok(()),
            Some(GIVE_UP) => Err(Failure::give_up(format!(
                "`{}` exited {GIVE_UP}: giving up",
                self.command
            ))),
            Some(code) => Err(Failure::retry(format!("`{}` exited {code}", self.command))),
            None => Err(Failure::retry(format!(
                "`{}` was killed by a signal",
                self.command
            ))),
        }
    }
}
