//! Translation between `lambda_http`'s request and response types and the core's.

use instagram_webhook_core::receive::{Answer, RequestHead};
use lambda_http::http::request::Parts;
use lambda_http::{Body, Response};

/// The core's view of a request head. `lambda_http` has already rebuilt the
/// query string of every trigger type (REST `multiValueQueryStringParameters`,
/// HTTP API `rawQueryString`, ALB) into the URI, percent-encoded.
pub(crate) fn head(parts: &Parts) -> RequestHead<'_> {
    let mut head = RequestHead::new(parts.method.as_str(), parts.uri.path(), parts.uri.query());
    for (name, value) in &parts.headers {
        head.header(name.as_str(), value.as_bytes());
    }
    head
}

/// The body bytes; `lambda_http` has already decoded base64 bodies.
pub(crate) fn body(body: Body) -> bytes::Bytes {
    match body {
        Body::Text(text) => text.into(),
        Body::Binary(bytes) => bytes.into(),
        _ => bytes::Bytes::new(),
    }
}

/// A `lambda_http` response carrying exactly the core's answer.
pub(crate) fn response(answer: Answer) -> Response<Body> {
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    let body = match String::from_utf8(answer.into_body().to_vec()) {
        Ok(text) => Body::Text(text),
        Err(bytes) => Body::Binary(bytes.into_bytes()),
    };
    response
        .body(body)
        .unwrap_or_else(|_| Response::new(Body::Empty))
}
