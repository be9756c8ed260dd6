//! A verified delivery as handed to the application.

use std::sync::OnceLock;

use bytes::Bytes;
use instagram_webhook_types::{EventResult, Notification};

use crate::verifier::Verified;

/// One POST from Meta, verified, and known to be an Instagram envelope.
///
/// Items are decoded only when asked: acknowledging a delivery costs the
/// signature check and one structural parse, whatever the handler does next.
///
/// - [`notification`](Self::notification) parses the envelope again (about
///   the cost of validating the JSON) and gives borrowed events, the cheapest
///   way to read them.
/// - [`events`](Self::events) decodes every item once into owned (`'static`)
///   events, kept for later calls: ready to queue or move to another task.
/// - [`body`](Self::body) is the exact bytes, to store and process later.
#[derive(Debug, Clone)]
pub struct Delivery {
    body: Bytes,
    verified: Verified,
    events: OnceLock<Vec<EventResult<'static>>>,
}

impl Delivery {
    /// A delivery whose `body` parsed as an envelope.
    pub(crate) fn new(body: Bytes, verified: Verified) -> Self {
        Self {
            body,
            verified,
            events: OnceLock::new(),
        }
    }

    /// The envelope, borrowed from the body; iterate its items with
    /// [`Notification::events`].
    pub fn notification(&self) -> Notification<'_> {
        // The receiver accepted these exact bytes as an envelope, and parsing
        // is deterministic: the empty fallback is never taken.
        Notification::from_slice(&self.body).unwrap_or_default()
    }

    /// One result per item of every entry, in order, owned. Decoded on the
    /// first call.
    pub fn events(&self) -> &[EventResult<'static>] {
        self.events
            .get_or_init(|| owned_events(&self.notification()))
    }

    /// The events, owned.
    pub fn into_events(self) -> Vec<EventResult<'static>> {
        match self.events.into_inner() {
            Some(events) => events,
            None => owned_events(&Notification::from_slice(&self.body).unwrap_or_default()),
        }
    }

    /// The exact bytes Meta sent (and signed).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Which App Secret verified the signature.
    pub fn verified(&self) -> Verified {
        self.verified
    }
}

/// Every item of `notification`, decoded and detached from the body.
fn owned_events(notification: &Notification<'_>) -> Vec<EventResult<'static>> {
    notification
        .events()
        .map(|item| {
            item.map(|event| event.into_owned())
                .map_err(|error| error.into_owned())
        })
        .collect()
}
