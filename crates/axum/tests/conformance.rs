//! The conformance suite over a real axum server on 127.0.0.1, against both
//! entry points of the crate: `router()`, and an application built from the
//! extractors.

mod apps;
mod server;

use apps::App;
use instagram_webhook_conformance::{Observation, TestRequest, harness, send_http};
use server::TestServer;

fn observe(app: App, request: &TestRequest) -> Vec<Observation> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (receiver, recorder) = harness();
        let server = TestServer::start(app.build(receiver, recorder.clone())).await;
        let response = send_http(server.address, request).await;
        vec![Observation::new(app.via(), response, recorder.take())]
    })
}

mod router {
    use super::*;

    fn run(request: &TestRequest) -> Vec<Observation> {
        observe(App::Router, request)
    }

    instagram_webhook_conformance::conformance_tests!(run);
}

mod extractors {
    use super::*;

    fn run(request: &TestRequest) -> Vec<Observation> {
        observe(App::Extractors, request)
    }

    instagram_webhook_conformance::conformance_tests!(
        run,
        not_run {
            put_not_allowed: "the application's own method router answers other methods: axum's \
            405 has `Allow: GET,HEAD,POST`",
        }
    );
}
