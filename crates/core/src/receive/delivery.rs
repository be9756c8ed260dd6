//! A verified delivery as handed to the application.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use bytes::Bytes;
use instagram_webhook_types::{Error as ParseError, EventResult, Notification};

/// Where a delivery came from: what the receiver knew when it verified it.
/// Store it next to the body to rebuild the delivery later
/// ([`Delivery::dangerous_from_stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Origin {
    /// The Meta app the request was verified for, when
    /// [`AppVerifiers`](crate::AppVerifiers) chose the secret.
    pub app: Option<Arc<str>>,
    /// The request path.
    pub path: Arc<str>,
    /// When the receiver had the whole body.
    pub received_at: SystemTime,
    /// Which App Secret verified the signature (its position in the
    /// [`Verifier`](crate::Verifier)).
    pub secret_index: usize,
}

impl Origin {
    /// An origin: the path, when it was received, the secret index, and no
    /// app.
    pub fn new(path: impl Into<Arc<str>>, received_at: SystemTime, secret_index: usize) -> Self {
        Self {
            app: None,
            path: path.into(),
            received_at,
            secret_index,
        }
    }

    /// The same origin, for the Meta app `app`.
    #[must_use]
    pub fn with_app(mut self, app: impl Into<Arc<str>>) -> Self {
        self.app = Some(app.into());
        self
    }
}

/// One POST from Meta, verified, and known to be an Instagram envelope.
///
/// Items are decoded only when asked: acknowledging a delivery costs the
/// signature check and one structural parse, whatever the handler does next.
///
/// - [`notification`](Self::notification) gives borrowed events, the
///   cheapest way to read them.
/// - [`events`](Self::events) decodes every item once into owned (`'static`)
///   events, kept for later calls: ready to queue or move to another task.
/// - [`body`](Self::body) is the exact bytes, and [`origin`](Self::origin)
///   where they came from, to store and process later.
#[derive(Debug, Clone)]
pub struct Delivery {
    body: Bytes,
    origin: Origin,
    events: OnceLock<Vec<EventResult<'static>>>,
}

impl Delivery {
    /// A delivery whose `body` parsed as an envelope.
    pub(crate) fn new(body: Bytes, origin: Origin) -> Self {
        Self {
            body,
            origin,
            events: OnceLock::new(),
        }
    }

    /// Rebuilds a delivery from bytes kept earlier (by an inbox, for a
    /// replay) and where they came from. **No signature is checked**: call
    /// it only with bytes a [`Receiver`](super::Receiver) verified before
    /// they were stored.
    ///
    /// ```
    /// use std::time::SystemTime;
    ///
    /// use bytes::Bytes;
    /// use instagram_webhook_core::receive::{Delivery, Origin};
    ///
    /// let stored = Bytes::from_static(br#"{"object":"instagram","entry":[]}"#);
    /// let origin = Origin::new("/webhook", SystemTime::now(), 0);
    /// let delivery = Delivery::dangerous_from_stored(stored, origin)?;
    /// assert_eq!(delivery.path(), "/webhook");
    /// assert!(delivery.events().is_empty());
    /// # Ok::<(), instagram_webhook_core::types::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the bytes are not an Instagram envelope.
    pub fn dangerous_from_stored(body: Bytes, origin: Origin) -> Result<Self, ParseError> {
        Notification::from_slice(&body)?;
        Ok(Self::new(body, origin))
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

    /// Where the delivery came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The Meta app it was verified for, when
    /// [`AppVerifiers`](crate::AppVerifiers) chose the secret.
    pub fn app(&self) -> Option<&str> {
        self.origin.app.as_deref()
    }

    /// The request path.
    pub fn path(&self) -> &str {
        &self.origin.path
    }

    /// When the receiver had the whole body.
    pub fn received_at(&self) -> SystemTime {
        self.origin.received_at
    }

    /// Which App Secret verified the signature (its position in the
    /// [`Verifier`](crate::Verifier)): watch it during a rotation.
    pub fn secret_index(&self) -> usize {
        self.origin.secret_index
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
