//! The conformance suite over a real axum server on 127.0.0.1.

mod server;

use instagram_webhook_conformance::{Case, PATH, conformance_tests, harness, send_http};

fn run(case: Case) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (receiver, recorder) = harness();
        let server =
            server::TestServer::start(instagram_webhook_axum::router(PATH, receiver)).await;

        let response = send_http(server.address, &case.request).await;
        case.verify(&response, &recorder.take());
    });
}

conformance_tests!(run);
