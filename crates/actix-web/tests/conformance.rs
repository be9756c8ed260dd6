//! The conformance suite over a real actix-web server on 127.0.0.1.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_conformance::{Case, PATH, conformance_tests, harness, send_http};

fn run(case: Case) {
    actix_web::rt::System::new().block_on(async {
        let (receiver, recorder) = harness();
        let server = HttpServer::new(move || {
            App::new().service(WebhookService::new(PATH, receiver.clone()))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        let response = send_http(address, &case.request).await;
        case.verify(&response, &recorder.take());
        handle.stop(false).await;
    });
}

conformance_tests!(run);
