//! The framework-free receive pipeline that adapters drive.
//!
//! An adapter builds a [`RequestHead`] from its request, wraps its body as a
//! [`BodyStream`], calls [`Receiver::serve`] (or [`Receiver::receive`] for an
//! extractor), and copies the [`Answer`] into its response. Every decision is
//! taken here, once; every request ends in one [`Outcome`], which the
//! answer carries and every [`Observer`] is told.

mod answer;
mod body;
mod delivery;
mod freshness;
mod handler;
mod head;
#[cfg(feature = "tracing")]
mod log;
mod observe;
mod outcome;
mod receiver;

pub use answer::{ALLOWED_METHODS, Answer, RETRY_AFTER_SECONDS};
pub use body::{
    BodyReadError, BodyStream, DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT, DEFAULT_BUFFER_LIMIT,
};
pub use delivery::{Delivery, Origin};
pub use freshness::DEFAULT_REPLAY_WINDOW;
pub use handler::{Handler, HandlerError, HookOutput, RejectedHook, RejectedPayload};
pub use head::RequestHead;
#[cfg(feature = "tracing")]
pub use log::TracingObserver;
pub use observe::{EventCounts, Observer, Report, Timings};
pub use outcome::Outcome;
pub use receiver::{Receiver, ReceiverBuilder};
