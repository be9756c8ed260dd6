//! Reading a request body under the configured limit.

use std::future::Future;

use bytes::{Bytes, BytesMut};

use super::answer::Answer;

/// The default body limit: 4 MiB, room for a batch of 1000 updates.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Collects a request body chunk by chunk and refuses it as soon as it grows
/// past the limit, so an oversized body is never buffered whole. A body that
/// arrives in one chunk is kept as it is, without a copy.
///
/// ```
/// use bytes::Bytes;
/// use instagram_webhook_core::receive::BodyCollector;
///
/// let mut body = BodyCollector::new(8);
/// body.push(Bytes::from_static(b"1234")).unwrap();
/// body.push(Bytes::from_static(b"5678")).unwrap();
/// assert!(body.push(Bytes::from_static(b"9")).is_err()); // 413
/// ```
#[derive(Debug)]
pub struct BodyCollector {
    limit: usize,
    len: usize,
    first: Bytes,
    rest: BytesMut,
}

impl BodyCollector {
    /// An empty collector accepting at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            len: 0,
            first: Bytes::new(),
            rest: BytesMut::new(),
        }
    }

    /// Appends a chunk.
    ///
    /// # Errors
    /// The 413 [`Answer`] when the body would exceed the limit; the chunk is
    /// not kept and reading should stop.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), Answer> {
        if chunk.len() > self.limit - self.len {
            return Err(Answer::payload_too_large());
        }
        self.len += chunk.len();
        if self.first.is_empty() && self.rest.is_empty() {
            self.first = chunk;
        } else {
            if self.rest.is_empty() {
                self.rest
                    .extend_from_slice(&std::mem::take(&mut self.first));
            }
            self.rest.extend_from_slice(&chunk);
        }
        Ok(())
    }

    /// Gives up on a body whose reading failed (the connection dropped, or a
    /// read timeout struck): the 400 [`Answer`] to send, if anyone listens.
    pub fn abort(self) -> Answer {
        Answer::unreadable_body()
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        if self.rest.is_empty() {
            self.first
        } else {
            self.rest.freeze()
        }
    }
}

/// Reading the body failed: the client went away, or a read timeout struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyReadError;

/// A request body as a framework delivers it: chunk by chunk.
///
/// Adapters implement it for their body type; the receiver reads it under
/// the limit ([`Receiver::serve`](super::Receiver::serve)). `Bytes` is a
/// body of one chunk.
pub trait BodyStream {
    /// The next chunk; `None` at the end of the body.
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<Bytes, BodyReadError>>>;
}

impl BodyStream for Bytes {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, BodyReadError>> {
        (!self.is_empty()).then(|| Ok(std::mem::take(self)))
    }
}

impl BodyCollector {
    /// Reads `body` to its end, stopping at the first chunk past the limit.
    ///
    /// # Errors
    /// The 413 [`Answer`] past the limit, or the 400 one when reading failed.
    pub async fn read(mut self, mut body: impl BodyStream) -> Result<Bytes, Answer> {
        while let Some(chunk) = body.next_chunk().await {
            match chunk {
                Ok(chunk) => self.push(chunk)?,
                Err(BodyReadError) => return Err(self.abort()),
            }
        }
        Ok(self.finish())
    }
}
