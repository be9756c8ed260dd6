//! An adapter's mTLS listener, checked over real TLS with certificates
//! generated at test time: only Meta's client certificate reaches the
//! webhook.

use std::net::SocketAddr;

use bytes::Bytes;
use http::Uri;
use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::comment_delivery;
use instagram_webhook_tls::testing::{self, Pki, Refused};

use crate::harness::{APP_SECRET, PATH, Recorder};

const ACCOUNT: &str = "17841400000000001";

fn signed_delivery() -> http::Request<Bytes> {
    let secret = AppSecret::new(APP_SECRET).expect("constant secret");
    let mut request = comment_delivery(ACCOUNT, "18000000000000001", "hi")
        .sign(&secret)
        .to_request(Uri::from_static(PATH));
    request
        .headers_mut()
        .insert("host", http::HeaderValue::from_static(testing::SERVER_NAME));
    request
}

/// Checks a server on `address` that serves [`harness`](crate::harness)'s
/// receiver at [`PATH`] on `pki.server_config()`: a signed delivery from
/// Meta's client certificate is answered 200 and handled once; a client with
/// no certificate, one from an unknown CA, an expired one or one with
/// another CN is refused with its TLS alert before any HTTP, and nothing
/// reaches the application.
///
/// # Panics
/// When the server does not behave so.
pub async fn only_meta_reaches_the_webhook(address: SocketAddr, pki: &Pki, recorder: &Recorder) {
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
        // the alert, or a reset if it reached the server after its last read.
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
}
