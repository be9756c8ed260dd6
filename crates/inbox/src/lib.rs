#![doc = include_str!("../README.md")]

mod commit;
mod db;
mod error;
mod inbox;
pub mod item;
mod job;
mod maintenance;
mod model;
mod observe;
pub(crate) mod record;
mod retry;
mod store;
mod time;
mod worker;

pub use error::{Error, Result};
pub use inbox::{Accepted, Inbox, InboxBuilder};
pub use job::{Failure, Job, JobHandler};
pub use model::{
    Activity, AttemptRecord, BulkReplay, DeliveryId, DeliveryRecord, EventDetail, EventId,
    EventRecord, Filter, Page, ParseStateError, State, Stats,
};
pub use observe::{AttemptOutcome, InboxObserver, Observation};
pub use record::UNDECODABLE;
pub use retry::{Jitter, RetryPolicy};
pub use store::prune::Pruned;
pub use worker::{Worker, WorkerBuilder};

pub use instagram_webhook_core as core;
