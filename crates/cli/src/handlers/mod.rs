//! What a processed event is handed to: stdout, your application over
//! HTTP, or a command.

mod exec;
pub(crate) mod forward;
mod print;

use instagram_webhook_inbox::{Failure, Job, JobHandler};
use serde_json::{Value, json};

pub(crate) use exec::Exec;
pub(crate) use forward::Forward;
pub(crate) use print::Print;

/// The event as JSON, as every handler gives it: the inbox's metadata and
/// the typed event.
pub(crate) fn event_json(job: &Job) -> Value {
    let mut json = job.summary();
    json["max_attempts"] = json!(job.max_attempts);
    json["event"] = serde_json::to_value(&job.event).unwrap_or(Value::Null);
    json
}

/// One of the handlers, chosen by flags.
#[derive(Debug)]
pub(crate) enum Handler {
    Print(Print),
    Forward(Forward),
    Exec(Exec),
}

impl JobHandler for Handler {
    async fn handle(&self, job: Job) -> Result<(), Failure> {
        match self {
            Self::Print(print) => print.handle(job).await,
            Self::Forward(forward) => forward.handle(job).await,
            Self::Exec(exec) => exec.handle(job).await,
        }
    }
}
