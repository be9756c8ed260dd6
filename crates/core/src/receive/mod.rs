//! The framework-free receive pipeline that adapters drive.
//!
//! An adapter builds a [`RequestHead`] from its request, wraps its body as a
//! [`BodyStream`], calls [`Receiver::serve`] (or [`Receiver::receive`] for an
//! extractor), and copies the [`Answer`] into its response. Every decision is
//! taken here, once; [`Receiver::start`], [`BodyCollector`] and
//! [`Receiver::finish`] are the same steps one by one.

mod answer;
mod body;
mod delivery;
mod handler;
mod head;
mod observe;
mod receiver;

pub use answer::{ALLOWED_METHODS, Answer};
pub use body::{BodyCollector, BodyReadError, BodyStream, DEFAULT_BODY_LIMIT};
pub use delivery::Delivery;
pub use handler::{Handler, HandlerError, RejectedHook, RejectedPayload};
pub use head::RequestHead;
pub use receiver::{Receiver, ReceiverBuilder, Start};
