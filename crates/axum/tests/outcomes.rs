//! Every way a request can end, observed through a custom observer over a
//! real axum server on 127.0.0.1; and a rejection's outcome matched on in a
//! handler the application wrote.

mod server;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use instagram_webhook_axum::{
    AppSecret, Delivery, HandlerError, Outcome, Receiver, ReceiverBuilder, Report,
    VerifiedDelivery, Verifier, VerifyToken, WebhookRejection, router,
};
use instagram_webhook_conformance::{
    APP_SECRET, PATH, RawConnection, TestRequest, comment_delivery, request_bytes, send_http,
    signed_bytes, signed_post,
};
use server::TestServer;

const TOKEN: &str = "outcomes-verify-token";
/// Deliveries for this account make the handler fail.
const FAILING: &str = "17841400000000500";
/// Deliveries for this account find the handler's store unavailable.
const UNAVAILABLE: &str = "17841400000000503";

/// What the observer saw: each request's outcome, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Outcome>>>);

impl Seen {
    fn names(&self) -> BTreeSet<&'static str> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(Outcome::as_str)
            .collect()
    }
}

fn builder(seen: &Seen) -> ReceiverBuilder {
    let seen = seen.clone();
    Receiver::builder(
        Verifier::new(AppSecret::new(APP_SECRET).unwrap()),
        VerifyToken::new(TOKEN).unwrap(),
    )
    .observe(move |report: &Report<'_>| {
        seen.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(report.outcome());
    })
    .body_timeout(Some(Duration::from_secs(1)))
    .buffer_limit(1000)
}

fn with_handler(seen: &Seen) -> Receiver {
    builder(seen)
        .handler(|delivery: Delivery| async move {
            let account = |id: &str| {
                delivery
                    .events()
                    .iter()
                    .flatten()
                    .any(|event| event.account_id().as_str() == id)
            };
            if account(FAILING) {
                Err(HandlerError::from("the application failed"))
            } else if account(UNAVAILABLE) {
                Err(HandlerError::unavailable("the store is down"))
            } else {
                Ok(())
            }
        })
        .build()
}

fn delivery(account: &str) -> TestRequest {
    signed_post(
        APP_SECRET,
        &comment_delivery(account, "18000000000000001", "hi"),
    )
}

fn handshake(token: &str) -> TestRequest {
    let query = format!("hub.mode=subscribe&hub.verify_token={token}&hub.challenge=42");
    TestRequest::new("GET", PATH, Some(&query))
}

/// The head and the first `sent` bytes of a delivery declaring
/// `declared` bytes, on a connection left open.
async fn partial(server: &TestServer, declared: usize, sent: usize) -> RawConnection {
    let mut request = signed_bytes(APP_SECRET, vec![b' '; declared]);
    request = request.header("content-length", declared.to_string());
    let bytes = request_bytes(&request);
    let head = bytes.len() - declared;
    let mut connection = RawConnection::open(server.address).await;
    connection.write(&bytes[..head + sent]).await.unwrap();
    connection
}

#[tokio::test]
async fn an_observer_sees_every_outcome() {
    let seen = Seen::default();
    let server = TestServer::start(router(PATH, with_handler(&seen))).await;
    let status = |request: TestRequest| {
        let address = server.address;
        async move { send_http(address, &request).await.status }
    };

    assert_eq!(status(handshake(TOKEN)).await, 200);
    assert_eq!(status(handshake("wrong")).await, 403);
    assert_eq!(status(delivery("17841400000000001")).await, 200);
    assert_eq!(status(delivery(FAILING)).await, 500);
    assert_eq!(status(delivery(UNAVAILABLE)).await, 503);
    let mut forged = delivery("17841400000000001");
    forged
        .headers
        .retain(|(name, _)| name != "x-hub-signature-256");
    assert_eq!(status(forged).await, 401);
    assert_eq!(
        status(signed_bytes(APP_SECRET, b"not json".to_vec())).await,
        200
    );
    assert_eq!(
        status(signed_bytes(APP_SECRET, vec![b' '; 5 * 1024 * 1024])).await,
        413
    );
    assert_eq!(status(TestRequest::new("PUT", PATH, None)).await, 405);

    // A body that stops: unreadable once the client gives up.
    let mut gave_up = partial(&server, 500, 10).await;
    gave_up.shutdown_write();
    assert_eq!(
        gave_up.answer().await.map(|answer| answer.status),
        Some(400)
    );

    // A body holding the buffer bound (1000 bytes) leaves no room for a new
    // one, until its deadline (1 s) strikes.
    let mut held = partial(&server, 4000, 1500).await;
    let mut overloaded = false;
    for _ in 0..200 {
        if status(delivery("17841400000000001")).await == 503 {
            overloaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(overloaded, "a POST is refused while the bound is reached");
    let late = held.answer().await.expect("an answer");
    assert_eq!(late.status, 408);
    assert_eq!(late.header("connection"), Some("close"));
    assert_eq!(
        status(delivery("17841400000000001")).await,
        200,
        "room again"
    );

    // A receiver without a handler, served by `router()`.
    let misconfigured = TestServer::start(router(PATH, builder(&seen).build())).await;
    assert_eq!(
        send_http(misconfigured.address, &delivery("17841400000000001"))
            .await
            .status,
        500
    );

    // The extractor hands the delivery to the application.
    let app = Router::new()
        .route(PATH, post(accept))
        .with_state(builder(&seen).build());
    let extracting = TestServer::start(app).await;
    assert_eq!(
        send_http(extracting.address, &delivery("17841400000000001"))
            .await
            .status,
        202
    );

    assert_eq!(
        seen.names(),
        BTreeSet::from([
            "accepted",
            "body_timeout",
            "handled",
            "handler_failed",
            "handshake_answered",
            "handshake_refused",
            "method_not_allowed",
            "misconfigured",
            "overloaded",
            "rejected",
            "too_large",
            "unauthorized",
            "unavailable",
            "unreadable_body",
        ]),
        "every outcome, observed"
    );
}

async fn accept(VerifiedDelivery(_): VerifiedDelivery) -> StatusCode {
    StatusCode::ACCEPTED
}

/// An application's own handler, telling a forgery from an oversized body
/// from a payload that is not an envelope.
async fn classify(delivery: Result<VerifiedDelivery, WebhookRejection>) -> (StatusCode, String) {
    match delivery {
        Ok(VerifiedDelivery(delivery)) => (StatusCode::OK, delivery.events().len().to_string()),
        Err(rejection) => {
            let label = match rejection.outcome() {
                Outcome::Unauthorized(error) => format!("forged: {error}"),
                Outcome::TooLarge => "too large".to_owned(),
                Outcome::Rejected => "not an envelope".to_owned(),
                other => format!("other: {other}"),
            };
            (StatusCode::ACCEPTED, label)
        }
    }
}

#[tokio::test]
async fn a_handler_matches_on_the_rejection_outcome() {
    let app = Router::new()
        .route(PATH, post(classify))
        .with_state(builder(&Seen::default()).build());
    let server = TestServer::start(app).await;
    let body = |request: TestRequest| {
        let address = server.address;
        async move {
            let response = send_http(address, &request).await;
            (
                response.status,
                String::from_utf8_lossy(&response.body).into_owned(),
            )
        }
    };
    assert_eq!(
        body(delivery("17841400000000001")).await,
        (200, "1".to_owned())
    );
    let mut forged = delivery("17841400000000001");
    forged
        .headers
        .retain(|(name, _)| name != "x-hub-signature-256");
    assert_eq!(
        body(forged).await,
        (202, "forged: missing X-Hub-Signature-256 header".to_owned())
    );
    assert_eq!(
        body(signed_bytes(APP_SECRET, vec![b' '; 5 * 1024 * 1024])).await,
        (202, "too large".to_owned())
    );
    assert_eq!(
        body(signed_bytes(APP_SECRET, b"[1]".to_vec())).await,
        (202, "not an envelope".to_owned())
    );
    // The rejection is an error with a message, like axum's own.
    let rejection =
        WebhookRejection::from(instagram_webhook_axum::core::receive::Answer::misconfigured());
    let error: &dyn std::error::Error = &rejection;
    assert_eq!(error.to_string(), "webhook receiver not configured");
}
