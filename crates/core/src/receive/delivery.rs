//! A verified, parsed delivery as handed to the application.

use bytes::Bytes;
use instagram_webhook_types::{EventResult, Notification};

use crate::verifier::Verified;

/// One POST from Meta, verified and parsed: every item's event (or the error
/// that item gave, next to its good neighbours), and the exact bytes.
///
/// Events are owned (`'static`), so they can be queued or moved to another
/// task as they are.
#[derive(Debug, Clone)]
pub struct Delivery {
    body: Bytes,
    events: Vec<EventResult<'static>>,
    verified: Verified,
}

impl Delivery {
    /// Decodes every item of `notification`, parsed from `body`.
    pub(crate) fn new(body: Bytes, notification: &Notification<'_>, verified: Verified) -> Self {
        let events = notification
            .events()
            .map(|item| {
                item.map(|event| event.into_owned())
                    .map_err(|error| error.into_owned())
            })
            .collect();
        Self {
            body,
            events,
            verified,
        }
    }

    /// One result per item of every entry, in order.
    pub fn events(&self) -> &[EventResult<'static>] {
        &self.events
    }

    /// The events, owned.
    pub fn into_events(self) -> Vec<EventResult<'static>> {
        self.events
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
