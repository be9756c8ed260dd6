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
/// The envelope is parsed once, by the receiver, and kept; items are
/// decoded only when asked: acknowledging a delivery costs the signature
/// check and one structural parse, whatever the handler does next. Cloning
/// is cheap (a reference count).
///
/// - [`notification`](Self::notification) gives the parsed envelope, whose
///   [`events`](Notification::events) borrow it: the cheapest way to read
///   them.
/// - [`events`](Self::events) decodes every item once into owned (`'static`)
///   events, kept for later calls: ready to queue or move to another task.
/// - [`body`](Self::body) is the exact bytes, and [`origin`](Self::origin)
///   where they came from, to store and process later.
#[derive(Debug, Clone)]
pub struct Delivery {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    body: Bytes,
    origin: Origin,
    notification: Notification<'static>,
    events: OnceLock<Vec<EventResult<'static>>>,
}

impl Delivery {
    /// A delivery of `body`, parsed as `notification`.
    pub(crate) fn new(body: Bytes, origin: Origin, notification: Notification<'static>) -> Self {
        Self {
            inner: Arc::new(Inner {
                body,
                origin,
                notification,
                events: OnceLock::new(),
            }),
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
        let notification = Notification::from_slice(&body)?.into_owned();
        Ok(Self::new(body, origin, notification))
    }

    /// The envelope, parsed once by the receiver; iterate its items with
    /// [`Notification::events`].
    pub fn notification(&self) -> &Notification<'static> {
        &self.inner.notification
    }

    /// One result per item of every entry, in order, owned. Decoded on the
    /// first call.
    pub fn events(&self) -> &[EventResult<'static>] {
        self.inner
            .events
            .get_or_init(|| owned_events(&self.inner.notification))
    }

    /// The events, owned.
    pub fn into_events(self) -> Vec<EventResult<'static>> {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner
                .events
                .into_inner()
                .unwrap_or_else(|| owned_events(&inner.notification)),
            Err(shared) => shared
                .events
                .get_or_init(|| owned_events(&shared.notification))
                .clone(),
        }
    }

    /// The exact bytes Meta sent (and signed).
    pub fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// Where the delivery came from.
    pub fn origin(&self) -> &Origin {
        &self.inner.origin
    }

    /// The Meta app it was verified for, when
    /// [`AppVerifiers`](crate::AppVerifiers) chose the secret.
    pub fn app(&self) -> Option<&str> {
        self.inner.origin.app.as_deref()
    }

    /// The request path.
    pub fn path(&self) -> &str {
        &self.inner.origin.path
    }

    /// When the receiver had the whole body.
    pub fn received_at(&self) -> SystemTime {
        self.inner.origin.received_at
    }

    /// Which App Secret verified the signature (its position in the
    /// [`Verifier`](crate::Verifier)): watch it during a rotation.
    pub fn secret_index(&self) -> usize {
        self.inner.origin.secret_index
    }
}

/// Every item of `notification`, decoded and detached from it.
fn owned_events(notification: &Notification<'_>) -> Vec<EventResult<'static>> {
    notification
        .events()
        .map(|item| {
            item.map(|event| event.into_owned())
                .map_err(|error| error.into_owned())
        })
        .collect()
}
