//! What the API answers: the inbox's records as JSON, with times in RFC
//! 3339 and every shape in the OpenAPI document.

use instagram_webhook_inbox::{
    Activity, AttemptRecord, BulkReplay, DeliveryRecord, EventDetail, EventRecord, State, Stats,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::times::format;

/// An event's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StateView {
    /// Waiting for its first attempt.
    Pending,
    /// A worker holds it.
    Processing,
    /// Done.
    Processed,
    /// An attempt failed; waiting for its retry.
    Failed,
    /// No attempt left, or the handler gave up.
    DeadLetter,
}

impl From<State> for StateView {
    fn from(state: State) -> Self {
        match state {
            State::Pending => Self::Pending,
            State::Processing => Self::Processing,
            State::Processed => Self::Processed,
            State::Failed => Self::Failed,
            _ => Self::DeadLetter,
        }
    }
}

impl From<StateView> for State {
    fn from(state: StateView) -> Self {
        match state {
            StateView::Pending => Self::Pending,
            StateView::Processing => Self::Processing,
            StateView::Processed => Self::Processed,
            StateView::Failed => Self::Failed,
            StateView::DeadLetter => Self::DeadLetter,
        }
    }
}

/// One event, without its item.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventSummary {
    id: i64,
    delivery_id: i64,
    /// `comment`, `message`, `undecodable`, ...
    kind: String,
    account_id: String,
    dedup_key: String,
    /// `changes`, `messaging` or `standby`.
    container: String,
    state: StateView,
    attempt: i64,
    max_attempts: i64,
    /// When it is (or was) next due.
    #[schema(format = DateTime)]
    run_at: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(format = DateTime)]
    finalized_at: Option<String>,
    /// The worker holding it, while processing.
    locked_by: Option<String>,
    last_error: Option<String>,
    last_error_class: Option<String>,
    /// Repeats of its dedup key recorded as duplicates.
    duplicates: i64,
}

impl From<&EventRecord> for EventSummary {
    fn from(event: &EventRecord) -> Self {
        Self {
            id: event.id.0,
            delivery_id: event.delivery_id.0,
            kind: event.kind.clone(),
            account_id: event.account_id.clone(),
            dedup_key: event.dedup_key.clone(),
            container: event.container.clone(),
            state: event.state.into(),
            attempt: event.attempt,
            max_attempts: event.max_attempts,
            run_at: format(event.run_at),
            created_at: format(event.created_at),
            updated_at: format(event.updated_at),
            finalized_at: event.finalized_at.map(format),
            locked_by: event.locked_by.clone(),
            last_error: event.last_error.clone(),
            last_error_class: event.last_error_class.clone(),
            duplicates: event.duplicates,
        }
    }
}

/// A page of events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventList {
    pub(crate) events: Vec<EventSummary>,
    /// Events matching the filter, on every page.
    pub(crate) total: u64,
    pub(crate) limit: u32,
    pub(crate) offset: u64,
    /// Pass as `before` for the next (older) page; `null` on the last.
    pub(crate) next: Option<i64>,
}

/// One failed attempt.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AttemptView {
    attempt: i64,
    worker: String,
    #[schema(format = DateTime)]
    started_at: String,
    #[schema(format = DateTime)]
    finished_at: String,
    duration_ms: u64,
    /// `error`, `gave_up`, `panic`, `timeout`, `decode`, `lease_expired`.
    error_class: String,
    error: String,
}

impl From<&AttemptRecord> for AttemptView {
    fn from(attempt: &AttemptRecord) -> Self {
        Self {
            attempt: attempt.attempt,
            worker: attempt.worker.clone(),
            started_at: format(attempt.started_at),
            finished_at: format(attempt.finished_at),
            duration_ms: u64::try_from(attempt.duration().as_millis()).unwrap_or(u64::MAX),
            error_class: attempt.error_class.clone(),
            error: attempt.error.clone(),
        }
    }
}

/// What came with a delivery (its bytes are at `raw_url`).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryView {
    id: i64,
    #[schema(format = DateTime)]
    received_at: String,
    /// The request path it was received on.
    path: String,
    /// The Meta app it was verified for, when several are configured.
    app: Option<String>,
    /// Which App Secret verified it (0: the current one).
    secret_index: i64,
    items: i64,
    duplicates: i64,
    /// Why it is not an Instagram envelope, when it is not.
    rejected_reason: Option<String>,
    /// Its size in bytes.
    size: u64,
}

impl From<&DeliveryRecord> for DeliveryView {
    fn from(delivery: &DeliveryRecord) -> Self {
        Self {
            id: delivery.id.0,
            received_at: format(delivery.received_at),
            path: delivery.path.clone(),
            app: delivery.app.clone(),
            secret_index: delivery.secret_index,
            items: delivery.items,
            duplicates: delivery.duplicates,
            rejected_reason: delivery.rejected_reason.clone(),
            size: u64::try_from(delivery.body.len()).unwrap_or(u64::MAX),
        }
    }
}

/// One event with its item, its failed attempts and its delivery.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventView {
    #[serde(flatten)]
    summary: EventSummary,
    /// The item as stored: the event's JSON (or, for an item that did not
    /// decode, the error and the item's raw JSON).
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    attempts: Vec<AttemptView>,
    /// `null` once retention removed it.
    delivery: Option<DeliveryView>,
    /// Where the delivery's exact bytes are.
    raw_url: String,
}

impl EventView {
    pub(crate) fn new(detail: &EventDetail, delivery: Option<&DeliveryRecord>) -> Self {
        let event = &detail.event;
        Self {
            summary: EventSummary::from(event),
            payload: serde_json::from_str(&event.item)
                .unwrap_or_else(|_| serde_json::Value::String(event.item.clone())),
            attempts: detail.attempts.iter().map(AttemptView::from).collect(),
            delivery: delivery.map(DeliveryView::from),
            raw_url: format!("/api/deliveries/{}/raw", event.delivery_id.0),
        }
    }
}

/// Events by state and kind.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KindCount {
    state: StateView,
    kind: String,
    count: u64,
}

/// Dead letters of one kind and error class.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeadLetterGroup {
    kind: String,
    error_class: String,
    count: u64,
}

/// What happened within a window.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ActivityView {
    /// Events stored (duplicates not included).
    received: u64,
    /// Events processed.
    processed: u64,
    /// Failed attempts.
    failed: u64,
}

impl From<Activity> for ActivityView {
    fn from(activity: Activity) -> Self {
        Self {
            received: activity.received,
            processed: activity.processed,
            failed: activity.failed,
        }
    }
}

/// Counts over the whole inbox.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatsView {
    /// Events in every state.
    total: u64,
    pending: u64,
    processing: u64,
    processed: u64,
    failed: u64,
    dead_letter: u64,
    /// Repeats recorded as duplicates.
    duplicates: u64,
    /// Deliveries kept that were not Instagram envelopes.
    rejected_deliveries: u64,
    /// Age of the oldest event waiting (pending or failed).
    oldest_pending_age_seconds: Option<f64>,
    by_kind: Vec<KindCount>,
    /// Most first.
    dead_letters: Vec<DeadLetterGroup>,
    last_hour: ActivityView,
    last_day: ActivityView,
}

impl From<&Stats> for StatsView {
    fn from(stats: &Stats) -> Self {
        Self {
            total: stats.by_state.iter().map(|(_, n)| n).sum(),
            pending: stats.count(State::Pending),
            processing: stats.count(State::Processing),
            processed: stats.count(State::Processed),
            failed: stats.count(State::Failed),
            dead_letter: stats.count(State::DeadLetter),
            duplicates: stats.duplicates,
            rejected_deliveries: stats.rejected_deliveries,
            oldest_pending_age_seconds: stats.oldest_pending_age.map(|age| age.as_secs_f64()),
            by_kind: stats
                .by_state_and_kind
                .iter()
                .map(|(state, kind, count)| KindCount {
                    state: (*state).into(),
                    kind: kind.clone(),
                    count: *count,
                })
                .collect(),
            dead_letters: stats
                .dead_letters
                .iter()
                .map(|(kind, class, count)| DeadLetterGroup {
                    kind: kind.clone(),
                    error_class: class.clone(),
                    count: *count,
                })
                .collect(),
            last_hour: stats.last_hour.into(),
            last_day: stats.last_day.into(),
        }
    }
}

/// An event queued again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Retried {
    pub(crate) message: String,
    pub(crate) event: EventSummary,
}

/// What a bulk retry did, or would do.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BulkRetried {
    /// Events matching the filter.
    matched: u64,
    /// Events queued again (0 for a dry run).
    queued: u64,
    /// Matching events not queued: a worker holds them, they already wait,
    /// or they are past the limit.
    skipped: u64,
    dry_run: bool,
}

impl BulkRetried {
    pub(crate) fn new(report: BulkReplay, dry_run: bool) -> Self {
        Self {
            matched: report.matched,
            queued: report.queued,
            skipped: report.skipped,
            dry_run,
        }
    }
}

/// A plain acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Message {
    pub(crate) message: String,
}

/// What the presented token allows.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccessView {
    /// `write` (the operations token) or `read` (the read-only token).
    pub(crate) access: &'static str,
}
