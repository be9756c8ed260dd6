//! 10,000 signed deliveries (mixed kinds, some batched, some unparseable)
//! sent 48 at a time through a real axum server on 127.0.0.1: every event
//! reaches the handler exactly once, every unparseable body reaches the
//! rejected-payload hook byte for byte, every request is answered.

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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let app = instagram_webhook_axum::router(PATH, receiver);
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let statuses = send_all(address, &plan.requests, IN_FLIGHT).await;
        server.abort();
        (statuses, recorder.take())
    });
    plan.account(&statuses, &recorded);
    eprintln!(
        "{} deliveries, {} events accounted for",
        statuses.len(),
        plan.event_count()
    );
}
