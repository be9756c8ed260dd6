//! A raw HTTP/1.1 client over a TCP socket, for requests no well-behaved
//! client sends: exact header bytes (invalid UTF-8, NUL), a thousand header
//! lines, a request target with raw non-ASCII bytes, chunked bodies that
//! never end, bodies written slowly, heads that stall, half-closed sockets.
//!
//! The socket is real (`tokio::net::TcpStream` to the server under test);
//! the answer is read concurrently with the writes, so a server that answers
//! before the body ends is seen doing so.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinHandle;

use crate::wire::{TestRequest, TestResponse};

/// How long a case waits for anything the server must do: a liveness bound
/// that only a hung server reaches, never a timing assertion.
pub(crate) const LIVENESS: Duration = Duration::from_secs(60);

/// Largest response head or body read; the answers under test are small.
const MAX_RESPONSE: usize = 1 << 20;

/// The bytes of `request` as one HTTP/1.1 message: the request line with
/// the path and query as they are, every header line byte for byte, a
/// `content-length` for the body (unless the request sets its own framing),
/// then the body.
pub fn request_bytes(request: &TestRequest) -> Vec<u8> {
    let mut bytes = head_bytes(
        request.method,
        request.path_and_query().as_bytes(),
        &request.headers,
    );
    let framed = request.headers.iter().any(|(name, _)| {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
    });
    if !framed && (request.method != "GET" || !request.body.is_empty()) {
        bytes.extend_from_slice(format!("content-length: {}\r\n", request.body.len()).as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(&request.body);
    bytes
}

/// The request line, `host`, and `headers`, without the blank line that
/// ends the head.
pub fn head_bytes(method: &str, target: &[u8], headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(
        64 + headers
            .iter()
            .map(|(name, value)| name.len() + value.len() + 4)
            .sum::<usize>(),
    );
    bytes.extend_from_slice(method.as_bytes());
    bytes.push(b' ');
    bytes.extend_from_slice(target);
    bytes.extend_from_slice(b" HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (name, value) in headers {
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes
}

/// One chunk of a `transfer-encoding: chunked` body.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut bytes = format!("{:x}\r\n", data.len()).into_bytes();
    bytes.extend_from_slice(data);
    bytes.extend_from_slice(b"\r\n");
    bytes
}

/// The last chunk of a chunked body.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// Sends `request` byte for byte on a fresh connection and reads the answer:
/// `None` when the server closed the connection without answering.
pub async fn send_raw(address: SocketAddr, request: &TestRequest) -> Option<TestResponse> {
    let mut connection = RawConnection::open(address).await;
    // A server may answer (431, 400) and close before reading everything:
    // the answer still counts, a failed write does not.
    let _ = connection.write(&request_bytes(request)).await;
    connection.answer().await
}

/// What the reading side saw: the first final answer, if any, and whether
/// the server closed the connection after it.
#[derive(Debug)]
struct ReadOutcome {
    answer: Option<TestResponse>,
    reader: Option<(OwnedReadHalf, Vec<u8>)>,
}

/// One TCP connection to the server under test, written by the case and
/// read by a background task.
#[derive(Debug)]
pub struct RawConnection {
    writer: Option<OwnedWriteHalf>,
    reading: Option<JoinHandle<ReadOutcome>>,
    answer: Option<Option<TestResponse>>,
    after_answer: Option<(OwnedReadHalf, Vec<u8>)>,
    written: usize,
}

impl RawConnection {
    /// Connects to `address`.
    ///
    /// # Panics
    /// When the server does not accept the connection.
    pub async fn open(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address)
            .await
            .expect("the server accepts connections");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let (reader, writer) = stream.into_split();
        Self {
            writer: Some(writer),
            reading: Some(tokio::spawn(read_answer(reader, Vec::new()))),
            answer: None,
            after_answer: None,
            written: 0,
        }
    }

    /// Writes all of `bytes`.
    ///
    /// # Errors
    /// When the server closed or reset the connection, or
    /// [`io::ErrorKind::TimedOut`] when it stopped reading for
    /// `LIVENESS` (60 s) without closing.
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let writer = self
            .writer
            .as_ref()
            .ok_or_else(|| io::Error::from(io::ErrorKind::BrokenPipe))?;
        let mut rest = bytes;
        while !rest.is_empty() {
            tokio::time::timeout(LIVENESS, writer.writable())
                .await
                .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
            match writer.try_write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    rest = &rest[n..];
                    self.written += n;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Shuts the writing side down (a half-close: the server reads end of
    /// stream, and can still answer).
    pub fn shutdown_write(&mut self) {
        // Dropping the write half shuts it down.
        self.writer = None;
    }

    /// Whether the answer has already arrived (without waiting for it).
    pub fn has_answered(&self) -> bool {
        self.answer.is_some() || self.reading.as_ref().is_some_and(JoinHandle::is_finished)
    }

    /// Waits for the server's answer: `None` when it closed the connection
    /// without one.
    ///
    /// # Panics
    /// When nothing happens within `LIVENESS` (60 s): the server hung.
    pub async fn answer(&mut self) -> Option<TestResponse> {
        if let Some(answer) = &self.answer {
            return answer.clone();
        }
        let reading = self.reading.take().expect("read once");
        let outcome = within(LIVENESS, "an answer or a closed connection", reading)
            .await
            .expect("the reader does not panic");
        self.after_answer = outcome.reader;
        self.answer = Some(outcome.answer.clone());
        outcome.answer
    }

    /// After the answer, the answer to a further request on the same
    /// connection: `None` when the server closed it instead.
    ///
    /// # Panics
    /// When nothing happens within `LIVENESS` (60 s): the server hung.
    pub async fn next_answer(&mut self) -> Option<TestResponse> {
        self.answer().await;
        let (reader, buffer) = self.after_answer.take()?;
        self.reading = Some(tokio::spawn(read_answer(reader, buffer)));
        self.answer = None;
        self.answer().await
    }

    /// Sends one whole request on this keep-alive connection and reads its
    /// answer: `None` when the server closed the connection instead.
    pub async fn request(&mut self, bytes: &[u8]) -> Option<TestResponse> {
        let first = self.answer.is_none() && self.after_answer.is_none();
        if self.write(bytes).await.is_err() {
            return None;
        }
        if first {
            self.answer().await
        } else {
            self.next_answer().await
        }
    }

    /// After the answer: waits until the server closes the connection, and
    /// says whether it did (`false`: it is still open after `LIVENESS` (60 s)).
    pub async fn closed_by_server(&mut self) -> bool {
        self.answer().await;
        let Some((reader, _)) = self.after_answer.take() else {
            return true;
        };
        tokio::time::timeout(LIVENESS, read_to_end(reader))
            .await
            .is_ok()
    }
}

/// `future`, or a panic naming what never came.
async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("no {what} within {limit:?}: the server hung"))
}

/// Reads until end of stream or an error; the bytes do not matter.
async fn read_to_end(reader: OwnedReadHalf) {
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        if reader.readable().await.is_err() {
            return;
        }
        match reader.try_read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

/// Reads more bytes into `buffer`; `false` at end of stream or on error.
async fn fill(reader: &OwnedReadHalf, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0_u8; 16 * 1024];
    loop {
        if reader.readable().await.is_err() {
            return false;
        }
        match reader.try_read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                return buffer.len() <= 2 * MAX_RESPONSE;
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return false,
        }
    }
}

/// Reads responses until a final (non-1xx) one is complete.
async fn read_answer(reader: OwnedReadHalf, mut buffer: Vec<u8>) -> ReadOutcome {
    loop {
        match parse_response(&buffer) {
            Parsed::Complete(response, used) if response.status >= 200 => {
                buffer.drain(..used);
                return ReadOutcome {
                    answer: Some(response),
                    reader: Some((reader, buffer)),
                };
            }
            Parsed::Complete(_, used) => {
                buffer.drain(..used);
            }
            Parsed::Partial => {
                if !fill(&reader, &mut buffer).await {
                    return ReadOutcome {
                        answer: None,
                        reader: None,
                    };
                }
            }
            Parsed::UntilClose(status, headers, start) => {
                while fill(&reader, &mut buffer).await {}
                return ReadOutcome {
                    answer: Some(TestResponse {
                        status,
                        headers,
                        body: Bytes::copy_from_slice(&buffer[start..]),
                    }),
                    reader: None,
                };
            }
            Parsed::Invalid => {
                return ReadOutcome {
                    answer: None,
                    reader: None,
                };
            }
        }
    }
}

enum Parsed {
    /// A whole response and the bytes it took.
    Complete(TestResponse, usize),
    /// A response whose body runs until the connection closes.
    UntilClose(u16, Vec<(String, String)>, usize),
    Partial,
    Invalid,
}

/// Parses one HTTP/1.1 response from the start of `buffer`.
fn parse_response(buffer: &[u8]) -> Parsed {
    let Some(head_end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") else {
        return if buffer.len() > MAX_RESPONSE {
            Parsed::Invalid
        } else {
            Parsed::Partial
        };
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok());
    let Some(status) = status else {
        return Parsed::Invalid;
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let body_start = head_end + 4;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if status < 200 || status == 204 || status == 304 {
        return Parsed::Complete(
            TestResponse {
                status,
                headers,
                body: Bytes::new(),
            },
            body_start,
        );
    }
    if header("transfer-encoding").is_some_and(|value| value.eq_ignore_ascii_case("chunked")) {
        return match dechunk(&buffer[body_start..]) {
            Some((body, used)) => Parsed::Complete(
                TestResponse {
                    status,
                    headers,
                    body,
                },
                body_start + used,
            ),
            None => Parsed::Partial,
        };
    }
    match header("content-length").map(str::parse::<usize>) {
        Some(Ok(length)) if length > MAX_RESPONSE => Parsed::Invalid,
        Some(Ok(length)) if buffer.len() >= body_start + length => Parsed::Complete(
            TestResponse {
                status,
                headers,
                body: Bytes::copy_from_slice(&buffer[body_start..body_start + length]),
            },
            body_start + length,
        ),
        Some(Ok(_)) => Parsed::Partial,
        Some(Err(_)) => Parsed::Invalid,
        None => Parsed::UntilClose(status, headers, body_start),
    }
}

/// Decodes a complete chunked body: the bytes and how much input it took.
fn dechunk(mut input: &[u8]) -> Option<(Bytes, usize)> {
    let total = input.len();
    let mut body = Vec::new();
    loop {
        let line_end = input.windows(2).position(|window| window == b"\r\n")?;
        let size = std::str::from_utf8(&input[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        input = &input[line_end + 2..];
        if size == 0 {
            // No trailers are expected: the body ends with an empty line.
            input = input.strip_prefix(b"\r\n")?;
            return Some((Bytes::from(body), total - input.len()));
        }
        if input.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&input[..size]);
        input = &input[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_and_chunked_answers() {
        let fixed = b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 3\r\n\r\nabcHTTP";
        let Parsed::Complete(response, used) = parse_response(fixed) else {
            panic!("complete");
        };
        assert_eq!(
            (response.status, response.body.as_ref(), used),
            (413, b"abc".as_slice(), fixed.len() - 4)
        );

        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let Parsed::Complete(response, used) = parse_response(chunked) else {
            panic!("complete");
        };
        assert_eq!(
            (response.body.as_ref(), used),
            (b"abcde".as_slice(), chunked.len())
        );
        assert!(matches!(parse_response(&chunked[..60]), Parsed::Partial));
        assert!(matches!(
            parse_response(b"HTTP/1.1 100 Continue\r\n\r\n"),
            Parsed::Complete(TestResponse { status: 100, .. }, 25)
        ));
    }

    #[test]
    fn writes_requests_byte_for_byte() {
        let request = TestRequest::new("POST", "/w", Some("a=%FF"))
            .header("x-bytes", vec![0xff, 0x00, b'a'])
            .body("{}");
        assert_eq!(
            request_bytes(&request),
            b"POST /w?a=%FF HTTP/1.1\r\nhost: 127.0.0.1\r\nx-bytes: \xff\x00a\r\ncontent-length: 2\r\n\r\n{}"
        );
        assert_eq!(chunk(b"hello"), b"5\r\nhello\r\n");
    }
}
