//! The two applications the suites run against: the crate's `router()`, and
//! one an application builds from the extractors.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::get;
use instagram_webhook_axum::{Handshake, Receiver, VerifiedDelivery};
use instagram_webhook_conformance::{PATH, Recorder};

/// Which public entry point of the crate serves the suite's receiver.
#[derive(Debug, Clone, Copy)]
pub(crate) enum App {
    /// `instagram_webhook_axum::router(PATH, receiver)`.
    Router,
    /// The application's own routes with the `Handshake` and
    /// `VerifiedDelivery` extractors, doing what the receiver's handler does.
    Extractors,
}

impl App {
    /// The application, serving `receiver` on [`PATH`].
    pub(crate) fn build(self, receiver: Receiver, recorder: Recorder) -> Router {
        match self {
            Self::Router => instagram_webhook_axum::router(PATH, receiver),
            Self::Extractors => Router::new()
                .route(PATH, get(subscribe).post(webhook))
                .with_state(AppState { receiver, recorder }),
        }
    }

    /// The name observations are reported under.
    pub(crate) fn via(self) -> &'static str {
        match self {
            Self::Router => "axum router()",
            Self::Extractors => "axum extractors",
        }
    }
}

/// The state of the extractor application.
#[derive(Clone)]
struct AppState {
    receiver: Receiver,
    recorder: Recorder,
}

impl FromRef<AppState> for Receiver {
    fn from_ref(state: &AppState) -> Self {
        state.receiver.clone()
    }
}

async fn subscribe(handshake: Handshake) -> Handshake {
    handshake
}

/// The application's own POST handler: hands the delivery on as the
/// receiver's handler would, and answers as the contract says.
async fn webhook(
    State(state): State<AppState>,
    VerifiedDelivery(delivery): VerifiedDelivery,
) -> (StatusCode, &'static str) {
    match state.recorder.handle(delivery) {
        Ok(()) => (StatusCode::OK, "EVENT_RECEIVED"),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "handler failed"),
    }
}
