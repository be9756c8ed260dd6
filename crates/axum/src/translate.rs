//! Translation between axum's request and response types and the core's.

use axum::body::Body;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use instagram_webhook_core::receive::{Answer, BodyCollector, RequestHead};

/// The core's view of a request head.
pub(crate) fn head(parts: &Parts) -> RequestHead<'_> {
    let mut head = RequestHead::new(parts.method.as_str(), parts.uri.path(), parts.uri.query());
    for (name, value) in &parts.headers {
        head.header(name.as_str(), value.as_bytes());
    }
    head
}

/// Reads `body` into `collector`, stopping as soon as the limit is passed.
pub(crate) async fn read_body(
    mut body: Body,
    mut collector: BodyCollector,
) -> Result<bytes::Bytes, Answer> {
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(collector.abort());
        };
        if let Some(chunk) = frame.data_ref() {
            collector.push(chunk)?;
        }
    }
    Ok(collector.finish())
}

/// An axum response carrying exactly the core's answer.
pub(crate) fn response(answer: Answer) -> Response {
    let status = answer.status();
    let headers: Vec<(&'static str, &'static str)> = answer.headers().collect();
    let mut response = (status, answer.into_body()).into_response();
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(name, axum::http::HeaderValue::from_static(value));
    }
    response
}
