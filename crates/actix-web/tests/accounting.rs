//! 10,000 deliveries (mixed kinds, some batched, some unparseable, some
//! forged, some the handler fails) sent 48 at a time through a real actix-web
//! server on 127.0.0.1: each answered as it must be (200, 401, 500), every
//! event of a genuine delivery reaches the handler exactly once with the kind
//! it was sent as, nothing forged reaches the application, every unparseable
//! body reaches the rejected-payload hook byte for byte.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_conformance::{
    ACCOUNTING_DELIVERIES, IN_FLIGHT, PATH, accounting_plan, harness, send_all,
};

#[test]
fn every_delivery_is_accounted_for() {
    let plan = accounting_plan(ACCOUNTING_DELIVERIES);
    let (statuses, recorded) = actix_web::rt::System::new().block_on(async {
        let (receiver, recorder) = harness();
        let server = HttpServer::new(move || {
            App::new().service(WebhookService::new(PATH, receiver.clone()))
        })
        .workers(2)
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        let statuses = send_all(address, &plan.requests, IN_FLIGHT).await;
        handle.stop(true).await;
        (statuses, recorder.take())
    });
    plan.account(&statuses, &recorded);
    eprintln!(
        "{} deliveries, {} events accounted for",
        statuses.len(),
        plan.event_count()
    );
}
