//! The framework-free receive pipeline that adapters drive.
//!
//! An adapter builds a [`RequestHead`] from its request, calls
//! [`Receiver::start`], reads the body into the [`BodyCollector`] it gets
//! (which enforces the limit), calls [`Receiver::finish`], and copies the
//! [`Answer`] into its response. Every decision is taken here, once.

mod answer;
mod body;
mod delivery;
mod handler;
mod head;
mod observe;
mod receiver;

pub use answer::{ALLOWED_METHODS, Answer};
pub use body::{BodyCollector, DEFAULT_BODY_LIMIT};
pub use delivery::Delivery;
pub use handler::{Handler, HandlerError, RejectedHook, RejectedPayload};
pub use head::RequestHead;
pub use receiver::{Receiver, ReceiverBuilder, Start};
