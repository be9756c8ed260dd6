//! The conformance suite over a real axum server on 127.0.0.1.

use instagram_webhook_conformance::{Case, PATH, conformance_tests, harness, send_http};

fn run(case: Case) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (receiver, recorder) = harness();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let app = instagram_webhook_axum::router(PATH, receiver);
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let response = send_http(address, &case.request).await;
        case.verify(&response, &recorder.take());
        server.abort();
    });
}

conformance_tests!(run);
