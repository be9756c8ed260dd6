//! Reading a request body under the configured limit.

use bytes::{Bytes, BytesMut};

use super::answer::Answer;

/// The default body limit: 4 MiB, room for a batch of 1000 updates.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Collects a request body chunk by chunk and refuses it as soon as it grows
/// past the limit, so an oversized body is never buffered whole.
///
/// ```
/// use instagram_webhook_core::receive::BodyCollector;
///
/// let mut body = BodyCollector::new(8);
/// body.push(b"1234").unwrap();
/// body.push(b"5678").unwrap();
/// assert!(body.push(b"9").is_err()); // 413
/// ```
#[derive(Debug)]
pub struct BodyCollector {
    limit: usize,
    buffer: BytesMut,
}

impl BodyCollector {
    /// An empty collector accepting at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            buffer: BytesMut::new(),
        }
    }

    /// Appends a chunk.
    ///
    /// # Errors
    /// The 413 [`Answer`] when the body would exceed the limit; the chunk is
    /// not copied and reading should stop.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Answer> {
        if chunk.len() > self.limit - self.buffer.len() {
            return Err(Answer::payload_too_large());
        }
        self.buffer.extend_from_slice(chunk);
        Ok(())
    }

    /// Gives up on a body whose reading failed (the connection dropped, or a
    /// read timeout struck): the 400 [`Answer`] to send, if anyone listens.
    pub fn abort(self) -> Answer {
        Answer::unreadable_body()
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        self.buffer.freeze()
    }
}
