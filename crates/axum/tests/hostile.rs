//! The hostile-input battery over a real axum server on 127.0.0.1, against
//! both entry points of the crate: `router()`, and an application built from
//! the extractors.
//!
//! The server is `axum::serve`, as the crate docs show, with the one layer
//! the README recommends against slow bodies:
//! `tower_http::timeout::RequestBodyTimeoutLayer`. `axum::serve` itself
//! sets no timeout at all (no timer is given to hyper, so hyper's 30 s
//! header-read timeout is inert).

mod apps;
mod server;

use std::time::Duration;

use apps::App;
use instagram_webhook_conformance::{
    HostileCase, HostileObservation, ServerLimits, Transport, harness,
};
use server::TestServer;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// The longest pause allowed between two pieces of a request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(2);

/// hyper 1's HTTP/1 defaults as `axum::serve` uses them, and the layer above.
const LIMITS: ServerLimits = ServerLimits {
    // hyper: `http1::Builder::max_headers`, default 100; more is 431.
    max_header_lines: 100,
    // hyper's `header_read_timeout` needs a timer, and `axum::serve` gives none.
    head_timeout: None,
    body_timeout: Some(BODY_TIMEOUT),
    // hyper and `http::Uri` accept UTF-8 bytes in the query.
    raw_non_ascii_target: true,
    // hyper closes a connection whose request body was not read to the end.
    drains_unread_body: false,
};

fn observe(app: App, case: &HostileCase) -> Vec<HostileObservation> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (receiver, recorder) = harness();
        let server = TestServer::start(
            app.build(receiver, recorder.clone())
                .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT)),
        )
        .await;
        let exchange = case.exchange_with_server(server.address, LIMITS).await;
        vec![HostileObservation::new(
            app.via(),
            Transport::Server(LIMITS),
            exchange,
            recorder.take(),
        )]
    })
}

mod router {
    use super::*;

    fn run(case: &HostileCase) -> Vec<HostileObservation> {
        observe(App::Router, case)
    }

    instagram_webhook_conformance::hostile_tests!(run);
}

mod extractors {
    use super::*;

    fn run(case: &HostileCase) -> Vec<HostileObservation> {
        observe(App::Extractors, case)
    }

    instagram_webhook_conformance::hostile_tests!(run);
}
