//! Sending a case over real HTTP.

use std::net::SocketAddr;

use crate::wire::{TestRequest, TestResponse};

/// Sends `request` to a server on `address` with a real HTTP/1.1 client and
/// returns its answer.
///
/// # Panics
/// When the server cannot be reached or answers with no response at all:
/// every case expects an answer.
pub async fn send_http(address: SocketAddr, request: &TestRequest) -> TestResponse {
    let url = format!("http://{address}{}", request.path_and_query());
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("valid method");
    let mut builder = reqwest::Client::new().request(method, url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_slice());
    }
    let response = builder
        .body(request.body.clone())
        .send()
        .await
        .expect("the server answers every request");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.bytes().await.expect("the answer has a body");
    TestResponse {
        status,
        headers,
        body,
    }
}
