//! The application's side of the pipeline: the delivery handler and the
//! rejected-payload hook.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

use super::delivery::{Delivery, Origin};
use super::outcome::Outcome;

/// A boxed, sendable future, as stored by [`Receiver`](super::Receiver).
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why the application could not take a delivery. The pipeline answers 500
/// ([`Outcome::HandlerFailed`]), or 503 with `Retry-After` for
/// [`HandlerError::unavailable`] ([`Outcome::Unavailable`]), so Meta
/// delivers it again later (use [`Event::dedup_key`] to drop repeats).
///
/// Any error type converts into it with `?` or `.into()`.
///
/// [`Event::dedup_key`]: instagram_webhook_types::Event::dedup_key
pub struct HandlerError {
    error: Box<dyn StdError + Send + Sync>,
    unavailable: bool,
}

impl HandlerError {
    /// The application's store is unavailable for now (its database is
    /// down, say): answered 503 with `Retry-After` instead of 500.
    pub fn unavailable(error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            error: error.into(),
            unavailable: true,
        }
    }

    /// Whether it was made by [`HandlerError::unavailable`].
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }

    /// How the request ends with this error.
    pub fn outcome(&self) -> Outcome {
        if self.unavailable {
            Outcome::Unavailable
        } else {
            Outcome::HandlerFailed
        }
    }

    /// The application's error.
    pub fn into_inner(self) -> Box<dyn StdError + Send + Sync> {
        self.error
    }
}

impl<E: Into<Box<dyn StdError + Send + Sync>>> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self {
            error: error.into(),
            unavailable: false,
        }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("error", &self.error)
            .field("unavailable", &self.unavailable)
            .finish()
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// Receives every verified, parsed delivery.
///
/// Implemented for every `Fn(Delivery) -> impl Future<Output = Result<(), E>>`
/// whose error converts into [`HandlerError`], so an async closure works:
///
/// ```
/// use instagram_webhook_core::receive::{Delivery, Handler};
///
/// fn assert_handler(_: impl Handler) {}
/// assert_handler(|delivery: Delivery| async move {
///     for event in delivery.events().iter().flatten() {
///         println!("{} {}", event.kind().as_str(), event.dedup_key());
///     }
///     Ok::<(), std::io::Error>(())
/// });
/// ```
///
/// Return quickly: Meta expects an answer within seconds. Hand the events to
/// a queue or a store and process them elsewhere. Return an error only when
/// the delivery could not be stored: the answer is then 500 and Meta retries.
pub trait Handler: Send + Sync + 'static {
    /// Takes one delivery.
    fn handle(&self, delivery: Delivery) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

impl<F, Fut, E> Handler for F
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Into<HandlerError>,
{
    async fn handle(&self, delivery: Delivery) -> Result<(), HandlerError> {
        self(delivery).await.map_err(Into::into)
    }
}

/// A verified body that is not an Instagram envelope (not JSON, or not the
/// `{"object", "entry": [...]}` shape). Retrying cannot help, so the answer
/// is 200, and the bytes are handed here so nothing is lost.
#[derive(Debug, Clone)]
pub struct RejectedPayload {
    body: Bytes,
    reason: String,
    origin: Origin,
}

impl RejectedPayload {
    pub(crate) fn new(body: Bytes, reason: String, origin: Origin) -> Self {
        Self {
            body,
            reason,
            origin,
        }
    }

    /// The exact bytes received (and verified).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Why the body was not accepted: the error class and position, never
    /// any of the body's content.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Where the body came from, as for a [`Delivery`].
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// Receives every verified body that could not be parsed.
///
/// Implemented for every `Fn(RejectedPayload) -> impl Future<Output = O>`
/// where `O` is `()` (the hook cannot fail) or `Result<(), E>` with `E`
/// converting into [`HandlerError`]: a hook that stores the bytes returns
/// its store's error, and the answer is then 500 (or 503 for
/// [`HandlerError::unavailable`]) instead of 200, so Meta sends the body
/// again. The default hook only logs (with the `tracing` feature); set one
/// with [`ReceiverBuilder::on_rejected`](super::ReceiverBuilder::on_rejected)
/// to keep the bytes.
///
/// ```
/// use instagram_webhook_core::receive::{HandlerError, RejectedHook, RejectedPayload};
///
/// fn assert_hook(_: impl RejectedHook) {}
/// assert_hook(|payload: RejectedPayload| async move {
///     eprintln!("kept {} bytes: {}", payload.body().len(), payload.reason());
/// });
/// assert_hook(|_: RejectedPayload| async move {
///     Err::<(), _>(HandlerError::unavailable("the store is down"))
/// });
/// ```
pub trait RejectedHook: Send + Sync + 'static {
    /// Takes one rejected payload.
    fn rejected(
        &self,
        payload: RejectedPayload,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

impl<F, Fut> RejectedHook for F
where
    F: Fn(RejectedPayload) -> Fut + Send + Sync + 'static,
    Fut: Future + Send,
    Fut::Output: HookOutput,
{
    async fn rejected(&self, payload: RejectedPayload) -> Result<(), HandlerError> {
        self(payload).await.into_result()
    }
}

/// What a [`RejectedHook`] closure may return: `()`, or `Result<(), E>`
/// with `E` converting into [`HandlerError`].
pub trait HookOutput {
    /// The hook's result.
    ///
    /// # Errors
    /// When the hook could not keep the payload.
    fn into_result(self) -> Result<(), HandlerError>;
}

impl HookOutput for () {
    fn into_result(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl<E: Into<HandlerError>> HookOutput for Result<(), E> {
    fn into_result(self) -> Result<(), HandlerError> {
        self.map_err(Into::into)
    }
}

/// The default rejected-payload hook: the pipeline has already logged it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeepNothing;

impl RejectedHook for KeepNothing {
    async fn rejected(&self, _payload: RejectedPayload) -> Result<(), HandlerError> {
        Ok(())
    }
}

/// [`Handler`] behind a pointer, for storage in the receiver.
pub(crate) trait DynHandler: Send + Sync {
    fn handle(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), HandlerError>>;
}

impl<H: Handler> DynHandler for H {
    fn handle(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), HandlerError>> {
        Box::pin(Handler::handle(self, delivery))
    }
}

/// [`RejectedHook`] behind a pointer, for storage in the receiver.
pub(crate) trait DynRejectedHook: Send + Sync {
    fn rejected(&self, payload: RejectedPayload) -> BoxFuture<'_, Result<(), HandlerError>>;
}

impl<R: RejectedHook> DynRejectedHook for R {
    fn rejected(&self, payload: RejectedPayload) -> BoxFuture<'_, Result<(), HandlerError>> {
        Box::pin(RejectedHook::rejected(self, payload))
    }
}
