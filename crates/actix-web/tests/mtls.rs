//! The webhook served by actix-web's rustls listener with the configuration
//! of `instagram-webhook-tls` (through `tls::actix_config`) on 127.0.0.1,
//! with certificates generated at test time: a signed delivery from Meta's
//! client certificate is answered 200 and reaches the handler; a client with
//! no certificate, one from an unknown CA, an expired one or one with
//! another CN is refused with a TLS alert before any HTTP, and the handler
//! never runs.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::core::http::Uri;
use instagram_webhook_actix_web::core::test_kit::comment_delivery;
use instagram_webhook_actix_web::tls::actix_config;
use instagram_webhook_actix_web::{AppSecret, WebhookService};
use instagram_webhook_conformance::{APP_SECRET, PATH, harness};
use instagram_webhook_tls::testing::{self, Pki, Refused};

const ACCOUNT: &str = "17841400000000001";
const COMMENT: &str = "18000000000000001";

fn signed_delivery() -> instagram_webhook_actix_web::core::http::Request<bytes::Bytes> {
    let secret = AppSecret::new(APP_SECRET).unwrap();
    let mut request = comment_delivery(ACCOUNT, COMMENT, "hi")
        .sign(&secret)
        .to_request(Uri::from_static(PATH));
    request
        .headers_mut()
        .insert("host", "localhost".parse().unwrap());
    request
}

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

        let response = testing::send(
            address,
            pki.client(Some(&pki.meta_client)),
            signed_delivery(),
        )
        .await
        .expect("an HTTP answer");
        assert_eq!(response.status(), 200);
        let recorded = recorder.take();
        assert_eq!(recorded.deliveries.len(), 1, "the handler got the delivery");
        let event = recorded.deliveries[0]
            .events()
            .iter()
            .flatten()
            .next()
            .expect("one event");
        assert_eq!(event.account_id().as_str(), ACCOUNT);

        for refusal in pki.refusals() {
            let client = pki.client(refusal.identity);
            match testing::refusal(address, client.clone()).await {
                Refused::Alert(alert) => assert_eq!(alert, refusal.alert, "{}", refusal.name),
                other => panic!(
                    "{}: expected {:?}, got {other:?}",
                    refusal.name, refusal.alert
                ),
            }
            // A delivery sent right after the handshake gets no HTTP answer:
            // the alert, or a reset if it reached the server after its last
            // read.
            let error = testing::send(address, client, signed_delivery())
                .await
                .expect_err(refusal.name);
            if let Some(alert) = testing::alert_of(&error) {
                assert_eq!(alert, refusal.alert, "{}", refusal.name);
            }
        }
        let recorded = recorder.take();
        assert!(
            recorded.deliveries.is_empty(),
            "a refused client reached the handler"
        );
        assert!(recorded.rejected.is_empty());

        handle.stop(true).await;
    });
}
