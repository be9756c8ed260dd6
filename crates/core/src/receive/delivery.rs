//! A verified delivery as handed to the application.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use bytes::Bytes;
use instagram_webhook_types::{Error as ParseError, EventResult, Notification};
use yoke::{Yoke, Yokeable};

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
/// The envelope is parsed once, by the receiver, and kept, borrowing the
/// body (nothing of it is copied); items are decoded only when asked:
/// acknowledging a delivery costs the signature check and one structural
/// parse, whatever the handler does next. Cloning is cheap (a reference
/// count).
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
    /// The envelope, borrowing the body it was parsed from (the cart).
    parsed: Yoke<Parsed<'static>, Box<Bytes>>,
    origin: Origin,
    events: OnceLock<Vec<EventResult<'static>>>,
}

/// The parsed envelope, in the form a [`Yoke`] keeps beside its body.
#[derive(Debug, Yokeable)]
struct Parsed<'a>(Notification<'a>);

/// A body that is not an Instagram envelope, handed back with its origin.
pub(crate) struct NotAnEnvelope {
    pub(crate) error: ParseError,
    pub(crate) body: Bytes,
    pub(crate) origin: Origin,
}

impl Delivery {
    /// Parses `body` into a delivery, or hands it back with the error.
    pub(crate) fn parse(body: Bytes, origin: Origin) -> Result<Self, NotAnEnvelope> {
        // The cart is a cheap copy of the handle (a reference count), so the
        // body is still here when parsing fails.
        let parsed = Yoke::try_attach_to_cart(Box::new(body.clone()), |body: &Bytes| {
            Notification::from_slice(body).map(Parsed)
        });
        match parsed {
            Ok(parsed) => Ok(Self {
                inner: Arc::new(Inner {
                    parsed,
                    origin,
                    events: OnceLock::new(),
                }),
            }),
            Err(error) => Err(NotAnEnvelope {
                error,
                body,
                origin,
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
        Self::parse(body, origin).map_err(|refused| refused.error)
    }

    /// The envelope, parsed once by the receiver (it borrows the body);
    /// iterate its items with [`Notification::events`].
    pub fn notification(&self) -> &Notification<'_> {
        self.inner.notification()
    }

    /// One result per item of every entry, in order, owned. Decoded on the
    /// first call.
    pub fn events(&self) -> &[EventResult<'static>] {
        self.inner
            .events
            .get_or_init(|| owned_events(self.inner.notification()))
    }

    /// The events, owned.
    pub fn into_events(self) -> Vec<EventResult<'static>> {
        match Arc::try_unwrap(self.inner) {
            Ok(Inner { parsed, events, .. }) => events
                .into_inner()
                .unwrap_or_else(|| owned_events(&parsed.get().0)),
            Err(shared) => shared
                .events
                .get_or_init(|| owned_events(shared.notification()))
                .clone(),
        }
    }

    /// The exact bytes Meta sent (and signed).
    pub fn body(&self) -> &Bytes {
        self.inner.parsed.backing_cart()
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

impl Inner {
    fn notification(&self) -> &Notification<'_> {
        &self.parsed.get().0
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
