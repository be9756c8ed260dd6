//! Reading a request body: under the size limit, within the deadline, and
//! charged to the bound on bytes buffered across in-flight bodies.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::outcome::Outcome;

/// The default body limit: 4 MiB, room for a batch of 1000 updates.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The default deadline for a whole body to arrive: 20 seconds, about
/// Meta's own delivery timeout.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(20);

/// The default bound on bytes buffered across all bodies being read: 64 MiB
/// (sixteen bodies at the default limit).
pub const DEFAULT_BUFFER_LIMIT: usize = 64 * 1024 * 1024;

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

/// The bytes buffered by the bodies being read, and their bound.
#[derive(Debug)]
pub(crate) struct Buffers {
    used: AtomicUsize,
    limit: usize,
}

impl Buffers {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            used: AtomicUsize::new(0),
            limit,
        }
    }

    /// The bound, in bytes.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// A charge for a new body, or `None` when the bound is reached.
    pub(crate) fn charge(&self) -> Option<Charge<'_>> {
        (self.used.load(Ordering::Relaxed) < self.limit).then_some(Charge {
            buffers: self,
            bytes: 0,
        })
    }
}

/// The bytes one body holds, given back when it is dropped (at the end of
/// the request).
#[derive(Debug)]
pub(crate) struct Charge<'a> {
    buffers: &'a Buffers,
    bytes: usize,
}

impl Charge<'_> {
    fn add(&mut self, bytes: usize) {
        self.bytes += bytes;
        self.buffers.used.fetch_add(bytes, Ordering::Relaxed);
    }
}

impl Drop for Charge<'_> {
    fn drop(&mut self) {
        self.buffers.used.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Collects a request body chunk by chunk and refuses it as soon as it grows
/// past the limit, so an oversized body is never buffered whole. A body that
/// arrives in one chunk is kept as it is, without a copy.
#[derive(Debug)]
pub(crate) struct BodyCollector {
    limit: usize,
    len: usize,
    first: Bytes,
    rest: BytesMut,
}

impl BodyCollector {
    /// An empty collector accepting at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            len: 0,
            first: Bytes::new(),
            rest: BytesMut::new(),
        }
    }

    /// Appends a chunk; [`Outcome::TooLarge`] when the body would exceed
    /// the limit (the chunk is not kept, and reading should stop).
    pub(crate) fn push(&mut self, chunk: Bytes) -> Result<(), Outcome> {
        if chunk.len() > self.limit - self.len {
            return Err(Outcome::TooLarge);
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

    /// The whole body.
    pub(crate) fn finish(self) -> Bytes {
        if self.rest.is_empty() {
            self.first
        } else {
            self.rest.freeze()
        }
    }

    /// Reads `body` to its end within `deadline` (none: no deadline),
    /// stopping at the first chunk past the limit, and charges what it
    /// keeps to `charge`. A body already in memory is read at once, without
    /// the timer (so without needing a runtime that has one).
    ///
    /// # Errors
    /// [`Outcome::TooLarge`], [`Outcome::UnreadableBody`] or
    /// [`Outcome::BodyTimeout`].
    pub(crate) async fn read(
        self,
        body: impl BodyStream,
        deadline: Option<Duration>,
        charge: &mut Charge<'_>,
    ) -> Result<Bytes, Outcome> {
        let mut read = pin!(self.read_all(body, charge));
        if let Poll::Ready(read) = poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await {
            return read;
        }
        match deadline {
            None => read.await,
            Some(deadline) => tokio::time::timeout(deadline, read)
                .await
                .unwrap_or(Err(Outcome::BodyTimeout)),
        }
    }

    async fn read_all(
        mut self,
        mut body: impl BodyStream,
        charge: &mut Charge<'_>,
    ) -> Result<Bytes, Outcome> {
        while let Some(chunk) = body.next_chunk().await {
            let chunk = chunk.map_err(|BodyReadError| Outcome::UnreadableBody)?;
            let len = chunk.len();
            self.push(chunk)?;
            charge.add(len);
        }
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Chunks of a body, as a framework might cut it.
    fn chunks() -> impl Strategy<Value = Vec<Vec<u8>>> {
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..16)
    }

    struct Chunks(std::vec::IntoIter<Vec<u8>>);

    impl BodyStream for Chunks {
        async fn next_chunk(&mut self) -> Option<Result<Bytes, BodyReadError>> {
            self.0.next().map(|chunk| Ok(Bytes::from(chunk)))
        }
    }

    fn read(chunks: Vec<Vec<u8>>, limit: usize, buffers: &Buffers) -> Result<Bytes, Outcome> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let mut charge = buffers.charge().expect("room");
        runtime.block_on(BodyCollector::new(limit).read(
            Chunks(chunks.into_iter()),
            Some(Duration::from_secs(60)),
            &mut charge,
        ))
    }

    proptest! {
        /// The body is kept byte for byte exactly when it fits the limit,
        /// and its charge is given back when the request ends.
        #[test]
        fn keeps_exactly_the_bytes_under_the_limit(chunks in chunks(), limit in 0_usize..600) {
            let whole: Vec<u8> = chunks.concat();
            let buffers = Buffers::new(usize::MAX);
            let read = read(chunks, limit, &buffers);
            if whole.len() <= limit {
                let read = read.expect("fits");
                prop_assert_eq!(read.as_ref(), whole.as_slice());
            } else {
                prop_assert_eq!(read, Err(Outcome::TooLarge));
            }
            prop_assert_eq!(buffers.used.load(Ordering::Relaxed), 0);
        }
    }

    #[test]
    fn a_body_that_never_ends_times_out() {
        struct Never;
        impl BodyStream for Never {
            async fn next_chunk(&mut self) -> Option<Result<Bytes, BodyReadError>> {
                std::future::pending().await
            }
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("runtime");
        let buffers = Buffers::new(1);
        let mut charge = buffers.charge().expect("room");
        let read = runtime.block_on(BodyCollector::new(10).read(
            Never,
            Some(Duration::from_secs(20)),
            &mut charge,
        ));
        assert_eq!(read, Err(Outcome::BodyTimeout));
    }

    #[test]
    fn no_new_body_once_the_bound_is_reached() {
        let buffers = Buffers::new(10);
        let mut first = buffers.charge().expect("room");
        first.add(10);
        assert!(buffers.charge().is_none(), "the bound is reached");
        drop(first);
        assert!(buffers.charge().is_some(), "given back at the end");
    }
}
