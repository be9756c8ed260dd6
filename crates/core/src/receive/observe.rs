//! What the pipeline reports about each request, with the `tracing` feature.
//!
//! One place for every log line, so none of them can leak what must stay
//! private: no body, no signature, no MAC, no secret, no verify token.
//! Without the feature every function here compiles to nothing.

use super::answer::Answer;
use super::delivery::Delivery;
use super::handler::HandlerError;
use crate::handshake::HandshakeError;
use crate::signature::SignatureError;

/// The reason given for a body that is not an envelope: the error class and
/// position only (`serde_json`'s messages may quote the body).
pub(super) fn rejected_reason(error: &serde_json::Error) -> String {
    let class = match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "JSON is not an Instagram webhook envelope",
        serde_json::error::Category::Eof => "JSON ends early",
    };
    format!("{class} (line {}, column {})", error.line(), error.column())
}

#[cfg(feature = "tracing")]
mod enabled {
    use std::collections::BTreeSet;
    use std::future::Future;

    use tracing::Instrument;

    use super::{Answer, Delivery, HandlerError, HandshakeError, SignatureError};

    pub(crate) type Span = tracing::Span;

    /// The target of every span and event, whatever the module layout.
    const TARGET: &str = "instagram_webhook";

    pub(crate) fn delivery_span(delivery: &Delivery) -> Span {
        let mut events = 0_usize;
        let mut item_errors = 0_usize;
        let mut kinds = BTreeSet::new();
        for item in delivery.notification().events() {
            match item {
                Ok(event) => {
                    events += 1;
                    kinds.insert(event.kind().as_str());
                }
                Err(_) => item_errors += 1,
            }
        }
        let kinds: Vec<&str> = kinds.into_iter().collect();
        tracing::info_span!(
            target: TARGET,
            "instagram_webhook.delivery",
            events,
            item_errors,
            kinds = %kinds.join(","),
            bytes = delivery.body().len(),
            secret_index = delivery.verified().secret_index(),
            outcome = tracing::field::Empty,
        )
    }

    pub(crate) async fn instrument<T>(span: Span, future: impl Future<Output = T>) -> T {
        future.instrument(span).await
    }

    pub(crate) fn handled() {
        tracing::Span::current().record("outcome", "handled");
        tracing::info!(target: TARGET, "delivery handled");
    }

    pub(crate) fn handler_failed(error: &HandlerError) {
        tracing::Span::current().record("outcome", "handler_failed");
        tracing::error!(target: TARGET, error = %error, "handler failed; answering 500 so Meta retries");
    }

    pub(crate) fn forged(error: SignatureError) {
        tracing::warn!(target: TARGET, outcome = "unauthorized", reason = %error, "signature check failed");
    }

    pub(crate) fn rejected(reason: &str, bytes: usize) {
        tracing::warn!(target: TARGET,
            outcome = "rejected",
            reason,
            bytes,
            "verified body is not an Instagram envelope"
        );
    }

    pub(crate) fn too_large() {
        tracing::warn!(target: TARGET, outcome = "too_large", "body over the limit");
    }

    pub(crate) fn too_large_or_unread(answer: &Answer) {
        if answer.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large();
        } else {
            tracing::warn!(target: TARGET, outcome = "unreadable_body", "reading the body failed");
        }
    }

    pub(crate) fn handshake(error: Option<HandshakeError>) {
        match error {
            None => {
                tracing::info!(target: TARGET, outcome = "handshake", "verification handshake answered");
            }
            Some(error) => {
                tracing::warn!(target: TARGET, outcome = "handshake_refused", reason = %error, "handshake refused");
            }
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod enabled {
    use std::future::Future;

    use super::{Answer, Delivery, HandlerError, HandshakeError, SignatureError};

    pub(crate) struct Span;

    pub(crate) fn delivery_span(_: &Delivery) -> Span {
        Span
    }

    pub(crate) async fn instrument<T>(_: Span, future: impl Future<Output = T>) -> T {
        future.await
    }

    pub(crate) fn handled() {}

    pub(crate) fn handler_failed(_: &HandlerError) {}

    pub(crate) fn forged(_: SignatureError) {}

    pub(crate) fn rejected(_: &str, _: usize) {}

    pub(crate) fn too_large() {}

    pub(crate) fn too_large_or_unread(_: &Answer) {}

    pub(crate) fn handshake(_: Option<HandshakeError>) {}
}

pub(super) use enabled::{
    delivery_span, forged, handled, handler_failed, handshake, instrument, rejected, too_large,
    too_large_or_unread,
};
