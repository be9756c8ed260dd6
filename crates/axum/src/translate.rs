//! Translation between axum's request and response types and the core's.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::BodyExt;
use instagram_webhook_core::receive::{Answer, BodyReadError, BodyStream, RequestHead};

/// The core's view of a request head, with the peer address when the
/// server was started with `into_make_service_with_connect_info`.
pub(crate) fn head(parts: &Parts) -> RequestHead<'_> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let mut head = RequestHead::new(parts.method.as_str(), parts.uri.path(), parts.uri.query())
        .with_peer(peer);
    for (name, value) in &parts.headers {
        head.header(name.as_str(), value.as_bytes());
    }
    head
}

/// axum's request body as the core reads it.
pub(crate) struct AxumBody(pub(crate) Body);

impl BodyStream for AxumBody {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, BodyReadError>> {
        loop {
            match self.0.frame().await? {
                Ok(frame) => {
                    // Trailers carry no body bytes.
                    if let Ok(data) = frame.into_data() {
                        return Some(Ok(data));
                    }
                }
                Err(_) => return Some(Err(BodyReadError)),
            }
        }
    }
}

/// An axum response carrying exactly the core's answer.
pub(crate) fn response(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body().clone()));
    *response.status_mut() = answer.status();
    let headers = response.headers_mut();
    for (name, value) in answer.headers() {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}
