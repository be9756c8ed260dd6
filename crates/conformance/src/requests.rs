//! The requests both suites send: signed deliveries, over the core test
//! kit ([`instagram_webhook_core::test_kit`], which builds the bytes and the
//! signature), and handshakes.

use bytes::Bytes;
use instagram_webhook_core::test_kit::SignedDelivery;
use instagram_webhook_core::{AppSecret, SIGNATURE_HEADER};
use serde::Serialize;

use crate::harness::{PATH, VERIFY_TOKEN};
use crate::wire::TestRequest;

pub use instagram_webhook_core::test_kit::comment_delivery;

/// A POST of `payload` escaped like Meta and signed with `secret`.
///
/// # Panics
/// When `secret` is empty or `payload` cannot be serialized (test input bugs).
pub fn signed_post<T: Serialize + ?Sized>(secret: &str, payload: &T) -> TestRequest {
    let delivery = SignedDelivery::new(&app_secret(secret), payload).expect("payload serializes");
    post(delivery)
}

/// A POST of exactly `body`, signed with `secret`.
///
/// # Panics
/// When `secret` is empty (a test input bug).
pub fn signed_bytes(secret: &str, body: impl Into<Bytes>) -> TestRequest {
    post(SignedDelivery::from_body(&app_secret(secret), body))
}

fn app_secret(secret: &str) -> AppSecret {
    AppSecret::new(secret).expect("non-empty secret")
}

fn post(delivery: SignedDelivery) -> TestRequest {
    let (body, signature) = delivery.into_parts();
    TestRequest::new("POST", PATH, None)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .body(body)
}

/// A GET of the receiver's path with this raw `query`.
pub(crate) fn get(query: Option<&str>) -> TestRequest {
    TestRequest::new("GET", PATH, query)
}

/// A handshake query; the values are inserted as they are (encode them
/// first when they must be).
pub(crate) fn handshake_query(mode: &str, token: &str, challenge: &str) -> String {
    format!("hub.mode={mode}&hub.verify_token={token}&hub.challenge={challenge}")
}

/// The verify token, form-urlencoded.
pub(crate) fn encoded_token() -> String {
    form_urlencoded::byte_serialize(VERIFY_TOKEN.as_bytes()).collect()
}
