//! The webhook served by actix-web's rustls listener with the configuration
//! of `instagram-webhook-tls` (through `tls::actix_config`) on 127.0.0.1,
//! with certificates generated at test time: a signed delivery from Meta's
//! client certificate is answered 200 and reaches the handler; a client with
//! no certificate, one from an unknown CA, an expired one or one with
//! another CN is refused with a TLS alert before any HTTP, and the handler
//! never runs.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_actix_web::tls::actix_config;
use instagram_webhook_conformance::mtls::only_meta_reaches_the_webhook;
use instagram_webhook_conformance::{PATH, harness};
use instagram_webhook_tls::testing::Pki;

#[test]
fn only_meta_client_certificate_reaches_the_webhook() {
    actix_web::rt::System::new().block_on(async {
        let pki = Pki::generate();
        let (receiver, recorder) = harness();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = HttpServer::new(move || {
            App::new().service(WebhookService::new(PATH, receiver.clone()))
        })
        .workers(1)
        .listen_rustls_0_23(listener, actix_config(&pki.server_config()))
        .expect("listen")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        only_meta_reaches_the_webhook(address, &pki, &recorder).await;

        handle.stop(true).await;
    });
}
