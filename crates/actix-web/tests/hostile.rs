//! The hostile-input battery over a real actix-web server on 127.0.0.1,
//! against every entry point of the crate: `WebhookService`, and an
//! application built from the extractors (with the receiver as app data and
//! as `web::Data`).

mod apps;

use std::time::Duration;

use apps::App;
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_conformance::{
    HostileCase, HostileObservation, PATH, ServerLimits, Transport, harness,
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

fn observe(app: App, case: &HostileCase) -> Vec<HostileObservation> {
    actix_web::rt::System::new().block_on(async {
        let (receiver, recorder) = harness();
        let (address, handle) = app.start(receiver, recorder.clone(), Some(HEAD_TIMEOUT));
        let exchange = case.exchange_with_server(address, LIMITS).await;
        handle.stop(false).await;
        vec![HostileObservation::new(
            app.via(),
            Transport::Server(LIMITS),
            exchange,
            recorder.take(),
        )]
    })
}

mod service {
    use super::*;

    fn run(case: &HostileCase) -> Vec<HostileObservation> {
        observe(App::Service, case)
    }

    instagram_webhook_conformance::hostile_tests!(run);
}

mod extractors {
    use super::*;

    fn run(case: &HostileCase) -> Vec<HostileObservation> {
        observe(App::Extractors, case)
    }

    instagram_webhook_conformance::hostile_tests!(run);
}

mod extractors_web_data {
    use super::*;

    fn run(case: &HostileCase) -> Vec<HostileObservation> {
        observe(App::ExtractorsWebData, case)
    }

    instagram_webhook_conformance::hostile_tests!(run);
}

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
