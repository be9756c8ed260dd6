//! Translation between actix-web's request and response types and the core's.
//!
//! actix-web 4 is built on `http` 0.2; the core uses `http` 1. Only plain
//! strings, bytes and numbers cross between them.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use instagram_webhook_core::receive::{Answer, BodyReadError, BodyStream, RequestHead};

/// The core's view of a request head.
pub(crate) fn head(request: &HttpRequest) -> RequestHead<'_> {
    let query = Some(request.query_string()).filter(|query| !query.is_empty());
    let peer = request.peer_addr().map(|address| address.ip());
    let mut head =
        RequestHead::new(request.method().as_str(), request.path(), query).with_peer(peer);
    for (name, value) in request.headers() {
        head.header(name.as_str(), value.as_bytes());
    }
    head
}

/// actix-web's payload stream as the core reads it.
pub(crate) struct ActixBody<S>(pub(crate) S);

impl<S, E> BodyStream for ActixBody<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    async fn next_chunk(&mut self) -> Option<Result<Bytes, BodyReadError>> {
        self.0
            .next()
            .await
            .map(|chunk| chunk.map_err(|_| BodyReadError))
    }
}

/// An actix-web response carrying exactly the core's answer.
pub(crate) fn response(answer: &Answer) -> HttpResponse {
    let status =
        StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in answer.headers() {
        response.insert_header((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    response.body(answer.body().clone())
}
