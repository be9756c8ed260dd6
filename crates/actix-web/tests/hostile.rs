//! The hostile-input battery over a real actix-web server on 127.0.0.1.

use std::time::Duration;

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_conformance::{
    HostileCase, PATH, ServerLimits, Transport, harness, hostile_tests,
};

/// `HttpServer::client_request_timeout`: how long the head of a
/// connection's first request may take (408 after it). The default is 5 s;
/// the test sets a shorter one to stay quick.
const HEAD_TIMEOUT: Duration = Duration::from_secs(2);

/// actix-http 3's HTTP/1 limits.
const LIMITS: ServerLimits = ServerLimits {
    // actix-http's h1 decoder parses at most 96 header lines; more is 431.
    max_header_lines: 96,
    head_timeout: Some(HEAD_TIMEOUT),
    // actix-web has no timeout on reading a request body.
    body_timeout: None,
    // `http::Uri` 0.2 refuses non-ASCII bytes in the request target: 400.
    raw_non_ascii_target: false,
    // actix-http reads and discards the rest of a chunked body nobody
    // reads, and keeps the connection.
    drains_unread_body: true,
};

fn run(case: HostileCase) {
    actix_web::rt::System::new().block_on(async {
        let (receiver, recorder) = harness();
        let server = HttpServer::new(move || {
            App::new().service(WebhookService::new(PATH, receiver.clone()))
        })
        .workers(1)
        .client_request_timeout(HEAD_TIMEOUT)
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        let exchange = case.exchange_with_server(address, LIMITS).await;
        case.verify(&Transport::Server(LIMITS), &exchange, &recorder.take());
        handle.stop(false).await;
    });
}

hostile_tests!(run);

/// The service holds the receiver, and with it the secrets: its `Debug`
/// (the only adapter type that has one and holds them) is redacted too.
#[test]
fn webhook_service_debug_is_redacted() {
    let (receiver, _) = harness();
    let service = WebhookService::new(PATH, receiver);
    for text in [format!("{service:?}"), format!("{service:#?}")] {
        assert!(text.contains("[redacted]"), "{text}");
        for secret in [
            instagram_webhook_conformance::APP_SECRET,
            instagram_webhook_conformance::OLD_APP_SECRET,
            instagram_webhook_conformance::VERIFY_TOKEN,
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
