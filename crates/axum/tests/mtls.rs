//! The webhook served by `tls::serve_mtls` on 127.0.0.1 with certificates
//! generated at test time: a signed delivery from Meta's client certificate
//! is answered 200 and reaches the handler; a client with no certificate,
//! one from an unknown CA, an expired one or one with another CN is refused
//! with a TLS alert before any HTTP, and the handler never runs.

use instagram_webhook_axum::router;
use instagram_webhook_axum::tls::{Handle, serve_mtls_with_handle};
use instagram_webhook_conformance::mtls::only_meta_reaches_the_webhook;
use instagram_webhook_conformance::{PATH, harness};
use instagram_webhook_tls::testing::Pki;

#[tokio::test]
async fn only_meta_client_certificate_reaches_the_webhook() {
    let pki = Pki::generate();
    let (receiver, recorder) = harness();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let handle = Handle::new();
    let server = tokio::spawn(serve_mtls_with_handle(
        listener,
        router(PATH, receiver),
        pki.server_config(),
        handle.clone(),
    ));

    only_meta_reaches_the_webhook(address, &pki, &recorder).await;

    handle.graceful_shutdown(None);
    server.await.unwrap().unwrap();
}
