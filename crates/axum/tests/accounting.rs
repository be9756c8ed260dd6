//! 10,000 deliveries (mixed kinds, some batched, some unparseable, some
//! forged, some the handler fails) sent 48 at a time through a real axum
//! server on 127.0.0.1: each answered as it must be (200, 401, 500), every
//! event of a genuine delivery reaches the handler exactly once with the kind
//! it was sent as, nothing forged reaches the application, every unparseable
//! body reaches the rejected-payload hook byte for byte.

mod server;

use instagram_webhook_conformance::{
    ACCOUNTING_DELIVERIES, IN_FLIGHT, PATH, accounting_plan, harness, send_all,
};

#[test]
fn every_delivery_is_accounted_for() {
    let plan = accounting_plan(ACCOUNTING_DELIVERIES);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (statuses, recorded) = runtime.block_on(async {
        let (receiver, recorder) = harness();
        let server =
            server::TestServer::start(instagram_webhook_axum::router(PATH, receiver)).await;

        let statuses = send_all(server.address, &plan.requests, IN_FLIGHT).await;
        drop(server);
        (statuses, recorder.take())
    });
    plan.account(&statuses, &recorded);
    eprintln!(
        "{} deliveries, {} events accounted for",
        statuses.len(),
        plan.event_count()
    );
}
