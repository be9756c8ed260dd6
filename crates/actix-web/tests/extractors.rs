//! The extractors in an application's own routes, over a real server.

use std::net::SocketAddr;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use instagram_webhook_actix_web::{Handshake, Outcome, VerifiedDelivery, WebhookError};
use instagram_webhook_conformance::{
    APP_SECRET, PATH, TestRequest, VERIFY_TOKEN, comment_delivery, harness, send_http,
    signed_bytes, signed_post,
};

/// The application's own POST handler: answers 202 with the event count.
async fn webhook(VerifiedDelivery(delivery): VerifiedDelivery) -> HttpResponse {
    HttpResponse::Accepted().body(delivery.events().len().to_string())
}

async fn subscribe(handshake: Handshake) -> Handshake {
    handshake
}

/// Starts a one-worker server on 127.0.0.1 with the routes `configure`
/// sets, on the current actix system: where it listens, and its handle.
fn start(
    configure: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
) -> (SocketAddr, ServerHandle) {
    let server = HttpServer::new(move || App::new().configure(configure.clone()))
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (address, handle)
}

fn send(request: TestRequest) -> (u16, String, usize, usize) {
    actix_web::rt::System::new().block_on(async {
        let (receiver, recorder) = harness();
        let (address, handle) = start(move |config| {
            config
                .app_data(receiver.clone())
                .route(PATH, web::get().to(subscribe))
                .route(PATH, web::post().to(webhook));
        });
        let response = send_http(address, &request).await;
        handle.stop(false).await;
        let recorded = recorder.take();
        (
            response.status,
            String::from_utf8_lossy(&response.body).into_owned(),
            recorded.deliveries.len(),
            recorded.rejected.len(),
        )
    })
}

#[test]
fn verified_delivery_reaches_the_application_handler() {
    let request = signed_post(
        APP_SECRET,
        &comment_delivery("17841400000000001", "18000000000000001", "hi"),
    );
    assert_eq!(send(request), (202, "1".to_owned(), 0, 0));
}

#[test]
fn forged_delivery_is_rejected_with_401() {
    let request = signed_post(
        "wrong",
        &comment_delivery("17841400000000001", "18000000000000001", "hi"),
    );
    let (status, _, handled, rejected) = send(request);
    assert_eq!((status, handled, rejected), (401, 0, 0));
}

#[test]
fn unparseable_verified_body_goes_to_the_hook_with_200() {
    let request = signed_post(APP_SECRET, &serde_json::json!({"entry": 5}));
    let (status, _, handled, rejected) = send(request);
    assert_eq!((status, handled, rejected), (200, 0, 1));
}

#[test]
fn handshake_extractor_answers_the_challenge_or_refuses() {
    let token: String = form_urlencoded::byte_serialize(VERIFY_TOKEN.as_bytes()).collect();
    let ok = format!("hub.mode=subscribe&hub.verify_token={token}&hub.challenge=987");
    assert_eq!(send(TestRequest::new("GET", PATH, Some(&ok))).1, "987");
    let wrong = "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=987";
    assert_eq!(send(TestRequest::new("GET", PATH, Some(wrong))).0, 403);
    assert_eq!(send(TestRequest::new("GET", PATH, None)).0, 400);
}

#[test]
fn missing_receiver_is_a_500_not_a_panic() {
    actix_web::rt::System::new().block_on(async {
        let (address, handle) = start(|config| {
            config.route(PATH, web::post().to(webhook));
        });
        let request = signed_post(APP_SECRET, &comment_delivery("1", "2", "x"));
        assert_eq!(send_http(address, &request).await.status, 500);
        handle.stop(false).await;
    });
}

/// An application's own handler, telling a forgery from an oversized body
/// from a payload that is not an envelope.
async fn classify(delivery: Result<VerifiedDelivery, WebhookError>) -> HttpResponse {
    match delivery {
        Ok(VerifiedDelivery(delivery)) => {
            HttpResponse::Ok().body(delivery.events().len().to_string())
        }
        Err(error) => HttpResponse::Accepted().body(match error.outcome() {
            Outcome::Unauthorized(reason) => format!("forged: {reason}"),
            Outcome::TooLarge => "too large".to_owned(),
            Outcome::Rejected => "not an envelope".to_owned(),
            other => format!("other: {other}"),
        }),
    }
}

#[test]
fn a_handler_matches_on_the_error_outcome() {
    let answers = actix_web::rt::System::new().block_on(async {
        let (receiver, _) = harness();
        let (address, handle) = start(move |config| {
            config
                .app_data(receiver.clone())
                .route(PATH, web::post().to(classify));
        });
        let mut forged = signed_post(
            APP_SECRET,
            &comment_delivery("17841400000000001", "18000000000000001", "hi"),
        );
        forged
            .headers
            .retain(|(name, _)| name != "x-hub-signature-256");
        let mut answers = Vec::new();
        for request in [
            signed_post(
                APP_SECRET,
                &comment_delivery("17841400000000001", "18000000000000001", "hi"),
            ),
            forged,
            signed_bytes(APP_SECRET, vec![b' '; 5 * 1024 * 1024]),
            signed_bytes(APP_SECRET, b"[1]".to_vec()),
        ] {
            let response = send_http(address, &request).await;
            answers.push((
                response.status,
                String::from_utf8_lossy(&response.body).into_owned(),
            ));
        }
        handle.stop(false).await;
        answers
    });
    assert_eq!(
        answers,
        [
            (200, "1".to_owned()),
            (202, "forged: missing X-Hub-Signature-256 header".to_owned()),
            (202, "too large".to_owned()),
            (202, "not an envelope".to_owned()),
        ]
    );
    // The error is an error with a message.
    let error =
        WebhookError::from(instagram_webhook_actix_web::core::receive::Answer::misconfigured());
    let error: &dyn std::error::Error = &error;
    assert_eq!(error.to_string(), "webhook receiver not configured");
}
