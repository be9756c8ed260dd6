//! The extractors in an application's own routes, over a real server.

mod server;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use instagram_webhook_axum::{Handshake, VerifiedDelivery};
use instagram_webhook_conformance::{
    APP_SECRET, PATH, TestRequest, VERIFY_TOKEN, comment_delivery, harness, send_http, signed_post,
};

/// The application's own POST handler: answers 202 with the event count.
async fn webhook(VerifiedDelivery(delivery): VerifiedDelivery) -> (StatusCode, String) {
    (StatusCode::ACCEPTED, delivery.events().len().to_string())
}

async fn subscribe(handshake: Handshake) -> Handshake {
    handshake
}

async fn send(request: TestRequest) -> (u16, String, usize, usize) {
    let (receiver, recorder) = harness();
    let app = Router::new()
        .route(PATH, get(subscribe).post(webhook))
        .with_state(receiver);
    let server = server::TestServer::start(app).await;
    let response = send_http(server.address, &request).await;
    drop(server);
    let recorded = recorder.take();
    (
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
        recorded.deliveries.len(),
        recorded.rejected.len(),
    )
}

#[tokio::test]
async fn verified_delivery_reaches_the_application_handler() {
    let request = signed_post(
        APP_SECRET,
        &comment_delivery("17841400000000001", "18000000000000001", "hi"),
    );
    // The receiver's own handler is not called: the route's handler answers.
    assert_eq!(send(request).await, (202, "1".to_owned(), 0, 0));
}

#[tokio::test]
async fn forged_delivery_is_rejected_with_401() {
    let request = signed_post(
        "wrong",
        &comment_delivery("17841400000000001", "18000000000000001", "hi"),
    );
    let (status, _, handled, rejected) = send(request).await;
    assert_eq!((status, handled, rejected), (401, 0, 0));
}

#[tokio::test]
async fn unparseable_verified_body_goes_to_the_hook_with_200() {
    let request = signed_post(APP_SECRET, &serde_json::json!({"entry": 5}));
    let (status, _, handled, rejected) = send(request).await;
    assert_eq!((status, handled, rejected), (200, 0, 1));
}

#[tokio::test]
async fn handshake_extractor_answers_the_challenge_or_refuses() {
    let token: String = form_urlencoded::byte_serialize(VERIFY_TOKEN.as_bytes()).collect();
    let ok = format!("hub.mode=subscribe&hub.verify_token={token}&hub.challenge=987");
    assert_eq!(send(TestRequest::new("GET", PATH, Some(&ok))).await.0, 200);
    assert_eq!(
        send(TestRequest::new("GET", PATH, Some(&ok))).await.1,
        "987"
    );
    let wrong = "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=987";
    assert_eq!(
        send(TestRequest::new("GET", PATH, Some(wrong))).await.0,
        403
    );
    assert_eq!(send(TestRequest::new("GET", PATH, None)).await.0, 400);
}
