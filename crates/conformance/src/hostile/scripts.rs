//! The connection scripts: what the `connection` cases (and one `query`
//! case) do on a raw socket, beyond sending one request.

use std::io;

use futures_util::future::join_all;
use std::net::SocketAddr;
use std::time::Duration;

use super::{AfterAnswer, Exchange, ServerLimits, comment_body, padded_comment, signed};
use crate::harness::{BODY_LIMIT, BUFFER_LIMIT};
use crate::raw_http::{LAST_CHUNK, RawConnection, chunk, head_bytes, request_bytes, send_raw};
use crate::wire::{TestRequest, TestResponse};

/// Connection-level behaviours.
#[derive(Debug)]
pub(super) enum Script {
    /// Exact bytes, written at once.
    Bytes(Vec<u8>),
    /// A request whose body goes `transfer-encoding: chunked` (no
    /// `content-length`), properly ended.
    Chunked(TestRequest),
    /// Chunks past the limit and no end; then more.
    ChunkedPastLimit,
    /// A delivery written a few bytes at a time.
    Slow(TestRequest),
    /// A head that stops halfway.
    StalledHead,
    /// A whole head, half the body, then nothing.
    StalledBody(TestRequest),
    /// The head alone, whose `content-length` is over the limit; no body
    /// byte is ever sent, so only an answer decided from the head arrives.
    HeadOnly(TestRequest),
    /// A head declaring a body under the limit, then [`TRICKLE`] bytes at a
    /// time, never the whole body, until the server answers.
    Trickle,
    /// Bodies that each send [`HELD`] bytes at once and then trickle, until
    /// they hold the buffer bound; a delivery meanwhile; then, once they are
    /// answered, one more.
    ManyTrickles,
}

impl Script {
    pub(super) async fn play(&self, address: SocketAddr, limits: ServerLimits) -> Exchange {
        match self {
            Self::Bytes(bytes) => {
                let mut connection = RawConnection::open(address).await;
                let _ = connection.write(bytes).await;
                Exchange::answered(connection.answer().await)
            }
            Self::Chunked(request) => {
                let mut connection = RawConnection::open(address).await;
                let _ = connection.write(&chunked_head(request)).await;
                for piece in request.body.chunks(CHUNK) {
                    if connection.write(&chunk(piece)).await.is_err() {
                        break;
                    }
                }
                let _ = connection.write(LAST_CHUNK).await;
                Exchange::answered(connection.answer().await)
            }
            Self::ChunkedPastLimit => chunked_past_limit(address).await,
            Self::Slow(request) => slow_body(address, request).await,
            Self::StalledHead => stalled(address, STALLED_HEAD, limits.head_timeout).await,
            Self::StalledBody(request) => {
                let bytes = request_bytes(request);
                let cut = bytes.len() - request.body.len() / 2;
                stalled(address, &bytes[..cut], limits.body_timeout).await
            }
            Self::Trickle => {
                let mut connection = trickling(address, 0).await;
                let response = trickle_until_answered(&mut connection).await;
                let after = if connection.closed_by_server().await {
                    AfterAnswer::Closed
                } else {
                    AfterAnswer::Stuck
                };
                Exchange {
                    response,
                    after: Some(after),
                    ..Exchange::default()
                }
            }
            Self::ManyTrickles => many_trickles(address).await,
            Self::HeadOnly(request) => {
                let bytes = request_bytes(request);
                let mut connection = RawConnection::open(address).await;
                let _ = connection
                    .write(&bytes[..bytes.len() - request.body.len()])
                    .await;
                // `answer` waits up to `LIVENESS`: a server that waits for
                // the body it was promised never answers.
                Exchange::answered(connection.answer().await)
            }
        }
    }
}

/// The size of the chunks chunked bodies are sent in.
const CHUNK: usize = 64 * 1024;

/// The head of `request` with `transfer-encoding: chunked` instead of a
/// length.
fn chunked_head(request: &TestRequest) -> Vec<u8> {
    let mut headers = request.headers.clone();
    headers.push(("transfer-encoding".to_owned(), b"chunked".to_vec()));
    let mut head = head_bytes(
        request.method,
        request.path_and_query().as_bytes(),
        &headers,
    );
    head.extend_from_slice(b"\r\n");
    head
}

/// How much more is sent after an early 413.
pub(super) const MORE_AFTER_ANSWER: usize = 16 * 1024 * 1024;

/// Chunks adding up to one byte over the limit, never ended: any answer
/// came before the body did. Then more chunks: the server must close the
/// connection or throw them away (and then serve the next request).
async fn chunked_past_limit(address: SocketAddr) -> Exchange {
    let mut connection = RawConnection::open(address).await;
    let request = signed(padded_comment(BODY_LIMIT + 1));
    let _ = connection.write(&chunked_head(&request)).await;
    let piece = chunk(&[b' '; CHUNK]);
    for _ in 0..BODY_LIMIT / CHUNK {
        if connection.write(&piece).await.is_err() {
            break;
        }
    }
    let _ = connection
        .write(&chunk(&[b' '; 1 + BODY_LIMIT % CHUNK]))
        .await;
    let response = connection.answer().await;
    if response.is_none() {
        return Exchange::answered(None);
    }
    let mut sent = 0;
    let mut failed = None;
    while sent < MORE_AFTER_ANSWER {
        if let Err(error) = connection.write(&piece).await {
            failed = Some(error.kind());
            break;
        }
        sent += CHUNK;
    }
    let after = if failed == Some(io::ErrorKind::TimedOut) {
        AfterAnswer::Stuck
    } else if failed.is_some() {
        AfterAnswer::Closed
    } else {
        let _ = connection.write(LAST_CHUNK).await;
        let next = request_bytes(&signed(comment_body(FOLLOW_UP_COMMENT, "next")));
        if connection.write(&next).await.is_err() {
            AfterAnswer::Closed
        } else {
            match connection.next_answer().await {
                Some(answer) => AfterAnswer::NextAnswer(Some(answer)),
                None => AfterAnswer::Closed,
            }
        }
    };
    Exchange {
        response,
        after: Some(after),
        ..Exchange::default()
    }
}

/// Pieces a slow body is written in, and the pause between them.
const SLOW_PIECES: usize = 8;
const SLOW_PAUSE: Duration = Duration::from_millis(50);

/// The head at once, then the body in pieces with pauses; after the first
/// piece, another delivery on another connection must be answered.
async fn slow_body(address: SocketAddr, request: &TestRequest) -> Exchange {
    let mut connection = RawConnection::open(address).await;
    let bytes = request_bytes(request);
    let head_len = bytes.len() - request.body.len();
    let _ = connection.write(&bytes[..head_len]).await;
    let mut meanwhile = None;
    for (index, piece) in request
        .body
        .chunks(request.body.len().div_ceil(SLOW_PIECES))
        .enumerate()
    {
        if index > 0 {
            tokio::time::sleep(SLOW_PAUSE).await;
        }
        if connection.write(piece).await.is_err() {
            break;
        }
        if index == 0 {
            meanwhile = send_meanwhile(address).await;
        }
    }
    Exchange {
        response: connection.answer().await,
        meanwhile,
        ..Exchange::default()
    }
}

/// A head cut in the middle of a header line.
const STALLED_HEAD: &[u8] = b"POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: applica";

/// Writes `prefix` and stops; another delivery on another connection must
/// be answered meanwhile. With a `timeout` the server answers on its own;
/// without one the client gives up (shuts its side down) to see what the
/// server does then.
async fn stalled(address: SocketAddr, prefix: &[u8], timeout: Option<Duration>) -> Exchange {
    let mut connection = RawConnection::open(address).await;
    let _ = connection.write(prefix).await;
    let meanwhile = send_meanwhile(address).await;
    // With a timeout, the answer comes on its own (`answer` waits up to
    // `LIVENESS`, far longer than any timeout under test).
    let client_gave_up = timeout.is_none();
    if client_gave_up {
        connection.shutdown_write();
    }
    Exchange {
        response: connection.answer().await,
        meanwhile,
        client_gave_up,
        ..Exchange::default()
    }
}

/// The comment id of the delivery sent on another connection meanwhile.
pub(super) const MEANWHILE_COMMENT: &str = "18000000000000900";
/// The comment id of the delivery sent after a drained body.
pub(super) const FOLLOW_UP_COMMENT: &str = "18000000000000901";

async fn send_meanwhile(address: SocketAddr) -> Option<TestResponse> {
    send_raw(
        address,
        &signed(comment_body(MEANWHILE_COMMENT, "meanwhile")),
    )
    .await
}

/// What a trickling body declares: under the limit, never all sent.
pub(super) const DECLARED: usize = BODY_LIMIT - 1024;
/// The bytes a trickling body sends at a time, and the pause between them
/// (shorter than any server's own body timeout under test).
const TRICKLE: usize = 1024;
const TRICKLE_PAUSE: Duration = Duration::from_millis(250);
/// What each of the [`Script::ManyTrickles`] bodies sends at once: nearly
/// all of it, so that a few of them reach the buffer bound before any
/// server's own body timeout strikes the first.
const HELD: usize = DECLARED - 64 * 1024;
/// How many trickles at most are sent before giving up on an answer: a
/// liveness bound far past the receiver's deadline.
const MAX_TRICKLES: usize = 240;

/// A connection with the head of a [`DECLARED`]-byte signed delivery and
/// its first `held` body bytes written.
async fn trickling(address: SocketAddr, held: usize) -> RawConnection {
    let request = signed(padded_comment(DECLARED));
    let bytes = request_bytes(&request);
    let head = bytes.len() - request.body.len();
    let mut connection = RawConnection::open(address).await;
    let _ = connection.write(&bytes[..head + held]).await;
    connection
}

/// Sends [`TRICKLE`] more bytes every [`TRICKLE_PAUSE`] until an answer
/// comes (or the connection fails); the answer.
async fn trickle_until_answered(connection: &mut RawConnection) -> Option<TestResponse> {
    let piece = [b' '; TRICKLE];
    for _ in 0..MAX_TRICKLES {
        if connection.has_answered() || connection.write(&piece).await.is_err() {
            break;
        }
        tokio::time::sleep(TRICKLE_PAUSE).await;
    }
    connection.answer().await
}

/// Bodies of [`HELD`] bytes each, trickling on, until a delivery sent
/// meanwhile is refused for load (or as many as fit the bound twice over
/// are open); then each trickle's answer, and one delivery more.
async fn many_trickles(address: SocketAddr) -> Exchange {
    let most = BUFFER_LIMIT / HELD + 2;
    let mut trickles = Vec::new();
    let mut meanwhile = None;
    for _ in 0..most {
        trickles.push(trickling(address, HELD).await);
        // The server charges what it has read; give it the time to read.
        tokio::time::sleep(TRICKLE_PAUSE).await;
        let answer = send_raw(
            address,
            &signed(comment_body(MEANWHILE_COMMENT, "meanwhile")),
        )
        .await;
        let refused = answer.as_ref().is_some_and(|answer| answer.status == 503);
        meanwhile = answer;
        if refused {
            break;
        }
    }
    // They trickle on at once, each until its answer.
    let answers = join_all(trickles.iter_mut().map(trickle_until_answered)).await;
    let next = send_raw(address, &signed(comment_body(FOLLOW_UP_COMMENT, "next"))).await;
    Exchange {
        response: next,
        meanwhile,
        others: answers,
        ..Exchange::default()
    }
}
