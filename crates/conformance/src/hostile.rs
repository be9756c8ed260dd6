//! The hostile-input battery: requests built to break a receiver, written
//! once and run against every adapter (servers over a real socket, Lambda
//! through event JSON), each with the exact answer it must get and exactly
//! what the application may see.
//!
//! Some answers are the HTTP server's, not the receiver's: a server refuses
//! a head with too many lines (431) or with NUL bytes (400) before any
//! adapter runs, and servers differ in their timeouts. Those facts are the
//! [`ServerLimits`] an adapter's test states for its server; the checks
//! derive the expected answer from them, so every answer is still exact.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use instagram_webhook_core::AppSecret;
use instagram_webhook_core::receive::Delivery;
use instagram_webhook_core::test_kit::{sign, to_meta_json};
use instagram_webhook_types::{EventKind, EventPayload, EventResult, ItemErrorKind};

use crate::deliveries::{comment_delivery, signed_bytes};
use crate::harness::{APP_SECRET, BODY_LIMIT, PATH, Recorded};
use crate::raw_http::{LAST_CHUNK, RawConnection, chunk, head_bytes, request_bytes, send_raw};
use crate::wire::{TestRequest, TestResponse};

/// The account every delivery of the battery is for.
const ACCOUNT: &str = "17841400000000001";

/// How a case reached the receiver, and what stood in between.
#[derive(Debug, Clone, Copy)]
pub enum Transport {
    /// A real HTTP/1.1 server on 127.0.0.1, with its limits.
    Server(ServerLimits),
    /// An AWS Lambda event (API Gateway, Function URL, ALB): the whole
    /// request as JSON, decoded by `lambda_http`; no connection at all.
    Event,
}

/// What an HTTP server does before (and around) the adapter: facts about
/// the server as the adapter's test configures it.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// The most header lines (`host` included) a head may have; more is
    /// answered 431 by the server.
    pub max_header_lines: usize,
    /// How long the server waits for a complete head before answering 408;
    /// `None` when it waits as long as the client keeps the connection.
    pub head_timeout: Option<Duration>,
    /// How long the body may pause before the server fails the read (the
    /// receiver then answers 400); `None` when it waits as long as the
    /// client keeps the connection.
    pub body_timeout: Option<Duration>,
    /// Whether raw (not percent-encoded) UTF-8 bytes in the request target
    /// reach the application; if not, the server answers 400.
    pub raw_non_ascii_target: bool,
    /// Whether, after answering before the body ended, the server reads and
    /// discards the rest of the body and keeps the connection open for the
    /// next request; if not, it closes the connection.
    pub drains_unread_body: bool,
}

/// What happened on the wire.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// The answer; `None` when the connection was closed without one.
    pub response: Option<TestResponse>,
    /// The answer to a delivery sent on a second connection while this one
    /// was slow or stalled.
    pub meanwhile: Option<TestResponse>,
    /// Whether the client gave up (shut its side down) to get an outcome.
    pub client_gave_up: bool,
    /// After an answer that came before the body ended, and more body.
    pub after: Option<AfterAnswer>,
}

impl Exchange {
    /// An exchange that is just an answer (or none).
    pub fn answered(response: Option<TestResponse>) -> Self {
        Self {
            response,
            ..Self::default()
        }
    }
}

/// What the server did with a connection after answering early and
/// receiving more of the body.
#[derive(Debug, Clone)]
pub enum AfterAnswer {
    /// It closed the connection: the rest of the body was never read.
    Closed,
    /// It read and discarded the rest; the answer to a delivery sent next
    /// on the same connection.
    NextAnswer(Option<TestResponse>),
    /// It neither read on nor closed: the connection sat with full buffers.
    Stuck,
}

type Check = fn(&Transport, &Exchange, &Recorded) -> Result<(), String>;

/// How a case builds what it sends, only when it runs (some bodies are
/// megabytes).
#[derive(Debug, Clone, Copy)]
enum Build {
    /// `event`, `Err`: why no Lambda event can carry the request.
    Request {
        build: fn() -> TestRequest,
        event: Result<(), &'static str>,
    },
    Script {
        build: fn() -> Script,
        not_an_event: &'static str,
    },
}

/// Connection-level behaviours.
#[derive(Debug)]
enum Script {
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
}

/// One case of the battery.
#[derive(Debug)]
pub struct HostileCase {
    /// The case's name (also its test's name).
    pub name: &'static str,
    build: Build,
    check: Check,
}

impl HostileCase {
    fn request(name: &'static str, build: fn() -> TestRequest, check: Check) -> Self {
        Self {
            name,
            build: Build::Request {
                build,
                event: Ok(()),
            },
            check,
        }
    }

    fn request_not_event(
        name: &'static str,
        build: fn() -> TestRequest,
        reason: &'static str,
        check: Check,
    ) -> Self {
        Self {
            name,
            build: Build::Request {
                build,
                event: Err(reason),
            },
            check,
        }
    }

    fn script(
        name: &'static str,
        build: fn() -> Script,
        not_an_event: &'static str,
        check: Check,
    ) -> Self {
        Self {
            name,
            build: Build::Script {
                build,
                not_an_event,
            },
            check,
        }
    }

    /// The request a Lambda event carries for this case, or why no event
    /// can carry it (the Lambda runner then observes nothing, and declares
    /// the case in `not_run`).
    ///
    /// # Errors
    /// The reason, for cases about connections (chunked, slow, stalled
    /// bodies) or bytes a JSON event cannot represent.
    pub fn event_request(&self) -> Result<TestRequest, &'static str> {
        match self.build {
            Build::Request {
                build,
                event: Ok(()),
            } => Ok(build()),
            Build::Request {
                event: Err(reason), ..
            }
            | Build::Script {
                not_an_event: reason,
                ..
            } => Err(reason),
        }
    }

    /// Plays the case against a server listening on `address`.
    ///
    /// # Panics
    /// When the server cannot be reached, or hangs past a generous
    /// liveness bound.
    pub async fn exchange_with_server(
        &self,
        address: SocketAddr,
        limits: ServerLimits,
    ) -> Exchange {
        match self.build {
            Build::Request { build, .. } => Exchange::answered(send_raw(address, &build()).await),
            Build::Script { build, .. } => build().play(address, limits).await,
        }
    }

    /// Checks the exchange and what the application saw.
    ///
    /// # Errors
    /// Why the receiver (or its server) broke the contract.
    pub fn check(
        &self,
        transport: &Transport,
        exchange: &Exchange,
        recorded: &Recorded,
    ) -> Result<(), String> {
        (self.check)(transport, exchange, recorded)
    }
}

/// What a runner saw for one hostile case over one variant of its
/// transport.
#[derive(Debug)]
pub struct HostileObservation {
    /// The variant, for messages (`"axum"`, `"HttpApiV2"`, ...).
    pub via: String,
    /// How the case reached the receiver.
    pub transport: Transport,
    /// What happened on the wire.
    pub exchange: Exchange,
    /// What the application saw.
    pub recorded: Recorded,
}

impl HostileObservation {
    /// What was seen `via` a transport variant.
    pub fn new(
        via: impl Into<String>,
        transport: Transport,
        exchange: Exchange,
        recorded: Recorded,
    ) -> Self {
        Self {
            via: via.into(),
            transport,
            exchange,
            recorded,
        }
    }

    fn passes(&self, case: &HostileCase) -> Result<(), String> {
        case.check(&self.transport, &self.exchange, &self.recorded)
    }
}

/// A hostile-battery runner: plays a case and returns what it saw.
pub type Runner = fn(&HostileCase) -> Vec<HostileObservation>;

/// Runs the hostile case called `name` with `run` and checks every
/// observation.
///
/// # Panics
/// When the runner observed nothing, or the receiver (or its server) broke
/// the contract.
pub fn run_case(name: &str, run: Runner) {
    let case = hostile_case(name);
    let observations = run(&case);
    assert!(
        !observations.is_empty(),
        "hostile case {name}: the runner observed nothing; declare the case in `not_run` with \
         the reason if this adapter cannot run it"
    );
    for observation in &observations {
        let HostileObservation {
            via,
            transport,
            exchange,
            recorded,
        } = observation;
        let answer = exchange.response.as_ref().map_or_else(
            || "none (connection closed)".to_owned(),
            |response| {
                format!(
                    "{} {:?}",
                    response.status,
                    String::from_utf8_lossy(&response.body[..response.body.len().min(200)])
                )
            },
        );
        eprintln!("{name} via {via}: {answer}");
        if let Err(problem) = observation.passes(&case) {
            panic!(
                "hostile case {name} via {via} over {transport:?}: {problem}\n  answer: {answer}\n  handler calls: {}, rejected payloads: {}",
                recorded.deliveries.len(),
                recorded.rejected.len(),
            );
        }
    }
}

/// Checks that `declared` (the hostile cases an adapter does not run, with
/// why) is exact: each names a case once, gives a reason, and does not pass
/// when run (`run` observes nothing, or an exchange the case refuses).
///
/// # Panics
/// When a declared case is unknown, repeated, without a reason, or passes.
pub fn assert_not_run(declared: &[(&str, &str)], run: Runner) {
    let cases = all_hostile();
    crate::cases::assert_declared(
        declared,
        &cases.iter().map(|case| case.name).collect::<Vec<_>>(),
    );
    for (name, reason) in declared {
        let case = hostile_case(name);
        let observations = run(&case);
        let passes = !observations.is_empty()
            && observations
                .iter()
                .all(|observation| observation.passes(&case).is_ok());
        assert!(
            !passes,
            "hostile case {name} is declared not run here ({reason}), but it passes: remove it \
             from `not_run`"
        );
    }
}

impl Script {
    async fn play(&self, address: SocketAddr, limits: ServerLimits) -> Exchange {
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
const MORE_AFTER_ANSWER: usize = 16 * 1024 * 1024;

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
        after: None,
    }
}

/// The comment id of the delivery sent on another connection meanwhile.
const MEANWHILE_COMMENT: &str = "18000000000000900";
/// The comment id of the delivery sent after a drained body.
const FOLLOW_UP_COMMENT: &str = "18000000000000901";

async fn send_meanwhile(address: SocketAddr) -> Option<TestResponse> {
    send_raw(
        address,
        &signed(comment_body(MEANWHILE_COMMENT, "meanwhile")),
    )
    .await
}

// ---------------------------------------------------------------------------
// Building requests.

fn secret() -> AppSecret {
    AppSecret::new(APP_SECRET).expect("constant secret")
}

/// The valid `X-Hub-Signature-256` value for `body`.
fn signature(body: &[u8]) -> String {
    sign(&secret(), body)
}

/// A POST of exactly `body`, validly signed.
fn signed(body: Vec<u8>) -> TestRequest {
    signed_bytes(APP_SECRET, body)
}

/// A well-formed signature that matches no secret.
fn forged() -> String {
    format!("sha256={}", "0".repeat(64))
}

/// A POST of `body` with these `x-hub-signature-256` lines.
fn post_with_signatures(body: Vec<u8>, values: impl IntoIterator<Item = Vec<u8>>) -> TestRequest {
    let mut request =
        TestRequest::new("POST", PATH, None).header("content-type", "application/json");
    for value in values {
        request = request.header("x-hub-signature-256", value);
    }
    request.body(body)
}

/// A one-comment delivery, escaped like Meta.
fn comment_body(comment_id: &str, text: &str) -> Vec<u8> {
    to_meta_json(&comment_delivery(ACCOUNT, comment_id, text)).expect("JSON value serializes")
}

/// The comment id of the delivery padded to a given size.
const PADDED_COMMENT: &str = "18000000000000800";

/// A one-comment delivery padded with trailing spaces (still valid JSON)
/// to exactly `size` bytes.
fn padded_comment(size: usize) -> Vec<u8> {
    let mut body = comment_body(PADDED_COMMENT, "padded");
    body.resize(size, b' ');
    body
}

fn handshake(query: &str) -> TestRequest {
    TestRequest::new("GET", PATH, Some(query))
}

/// A handshake query with `challenge` (inserted as is) and the right token.
fn handshake_query(token: &str, challenge: &str) -> String {
    format!("hub.mode=subscribe&hub.verify_token={token}&hub.challenge={challenge}")
}

fn encoded_token() -> String {
    form_urlencoded::byte_serialize(crate::VERIFY_TOKEN.as_bytes()).collect()
}

/// An envelope for `ACCOUNT` with these raw `changes` items.
fn changes_envelope(changes: &[&str]) -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{}]}}]}}"#,
        changes.join(",")
    )
    .into_bytes()
}

/// A valid comment as a raw `changes` item.
fn comment_change(comment_id: &str) -> String {
    format!(
        r#"{{"field":"comments","value":{{"id":"{comment_id}","text":"fine","from":{{"id":"17841401234567890","username":"fan"}}}}}}"#
    )
}

const DEPTH: usize = 100_000;

/// `[[[...]]]`, `DEPTH` levels deep.
fn deep_array() -> String {
    let mut deep = "[".repeat(DEPTH);
    deep.push_str(&"]".repeat(DEPTH));
    deep
}

/// A number with 10,000 digits.
fn long_number() -> String {
    let mut digits = "9".repeat(10_000);
    digits.replace_range(..1, "1");
    digits
}

const EMPTY_OBJECTS: usize = 1_000_000;

fn million_empty_objects() -> Vec<u8> {
    let mut items = String::with_capacity(3 * EMPTY_OBJECTS);
    for index in 0..EMPTY_OBJECTS {
        if index > 0 {
            items.push(',');
        }
        items.push_str("{}");
    }
    changes_envelope(&[&items])
}

fn deep_items_body() -> Vec<u8> {
    let deep = deep_array();
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{{"field":"comments","value":{deep}}},{{"field":"hostile_depth","value":{deep}}},{}],"messaging":[{{"sender":{{"id":"42"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1756217841000,"hostile_depth":{deep}}}]}}]}}"#,
        comment_change("18000000000000201")
    )
    .into_bytes()
}

fn long_numbers_body() -> Vec<u8> {
    let number = long_number();
    changes_envelope(&[
        &format!(r#"{{"field":"comments","value":{{"id":{number},"text":"x"}}}}"#),
        &format!(r#"{{"field":"hostile_number","value":{number}}}"#),
        &comment_change("18000000000000301"),
    ])
}

fn long_number_in_envelope() -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":{},"changes":[{}]}}]}}"#,
        long_number(),
        comment_change("18000000000000302")
    )
    .into_bytes()
}

fn duplicate_entry_body() -> Vec<u8> {
    let one = format!(
        r#"[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{}]}}]"#,
        comment_change("18000000000000401")
    );
    let two = format!(
        r#"[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{}]}}]"#,
        comment_change("18000000000000402")
    );
    format!(r#"{{"object":"instagram","entry":{one},"entry":{two}}}"#).into_bytes()
}

fn duplicate_change_keys_body() -> Vec<u8> {
    changes_envelope(&[
        r#"{"field":"comments","value":{"id":"18000000000000403","text":"first","id":"18000000000000404"}}"#,
        &comment_change("18000000000000405"),
    ])
}

fn duplicate_messaging_keys_body() -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1756217841000,"messaging":[{{"sender":{{"id":"41"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1756217841000,"message":{{"mid":"m-first","text":"a"}},"sender":{{"id":"42"}},"message":{{"mid":"m-second","text":"b"}}}},{{"sender":{{"id":"43"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1756217841001,"message":{{"mid":"m-fine","text":"c"}}}}]}}]}}"#
    )
    .into_bytes()
}

const NUL_BODY: &[u8] = b"{\"object\":\"instagram\",\"entry\":[{\"id\":\"17841400000000001\",\"time\":1756217841,\"changes\":[{\"field\":\"comments\",\"value\":{\"id\":\"18000000000000501\",\"text\":\"a\0b\"}}]}]}\0";

// ---------------------------------------------------------------------------
// Checking.

fn answer(exchange: &Exchange) -> Result<&TestResponse, String> {
    exchange
        .response
        .as_ref()
        .ok_or_else(|| "expected an answer, the connection was closed without one".to_owned())
}

fn status(exchange: &Exchange, expected: u16) -> Result<(), String> {
    let status = answer(exchange)?.status;
    ensure(
        status == expected,
        &format!("expected status {expected}, got {status}"),
    )
}

fn ensure(condition: bool, problem: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(problem.to_owned())
    }
}

fn nothing_handed_over(recorded: &Recorded) -> Result<(), String> {
    ensure(
        recorded.deliveries.is_empty() && recorded.rejected.is_empty(),
        "the application must not see this request",
    )
}

fn handled_once(recorded: &Recorded) -> Result<&Delivery, String> {
    ensure(
        recorded.deliveries.len() == 1 && recorded.rejected.is_empty(),
        "expected exactly one delivery to the handler and no rejected payload",
    )?;
    Ok(&recorded.deliveries[0])
}

/// Exactly one delivery, of exactly `body`.
fn handled_exactly<'r>(recorded: &'r Recorded, body: &[u8]) -> Result<&'r Delivery, String> {
    let delivery = handled_once(recorded)?;
    ensure(
        delivery.body().as_ref() == body,
        "the handler must get the exact bytes sent",
    )?;
    Ok(delivery)
}

/// Exactly one rejected payload, of exactly `body`, with a reason, and no
/// delivery.
fn rejected_exactly(recorded: &Recorded, body: &[u8]) -> Result<(), String> {
    ensure(
        recorded.deliveries.is_empty(),
        "the handler must not be called",
    )?;
    ensure(
        recorded.rejected.len() == 1,
        "expected one rejected payload",
    )?;
    ensure(
        recorded.rejected[0].body().as_ref() == body,
        "the rejected-payload hook must get the exact bytes sent",
    )?;
    ensure(
        !recorded.rejected[0].reason().is_empty(),
        "a rejected payload has a reason",
    )
}

/// The only event of the only delivery is the comment `comment_id`.
fn one_comment(recorded: &Recorded, comment_id: &str) -> Result<(), String> {
    let delivery = handled_once(recorded)?;
    ensure(delivery.events().len() == 1, "one event")?;
    is_comment(&delivery.events()[0], comment_id)
}

fn is_comment(result: &EventResult<'static>, comment_id: &str) -> Result<(), String> {
    let event = result.as_ref().map_err(ToString::to_string)?;
    let EventPayload::Comment(comment) = event.payload() else {
        return Err(format!("expected a comment, got {}", event.kind().as_str()));
    };
    ensure(
        comment.id.as_ref().is_some_and(|id| id == comment_id),
        &format!("expected comment {comment_id}"),
    )
}

fn is_unknown(result: &EventResult<'static>, field: &str, raw: &str) -> Result<(), String> {
    let event = result.as_ref().map_err(ToString::to_string)?;
    ensure(event.kind() == EventKind::Unknown, "an unknown event")?;
    ensure(event.field() == Some(field), "the field name is kept")?;
    ensure(
        event.raw().get() == raw,
        "the raw JSON is kept byte for byte",
    )
}

fn is_item_error(result: &EventResult<'static>, entry: usize, item: usize) -> Result<(), String> {
    match result {
        Ok(event) => Err(format!(
            "expected an item error at entry {entry} item {item}, got a {} event",
            event.kind().as_str()
        )),
        Err(error) => ensure(
            error.position.entry == entry && error.position.item == item,
            "the item error is in the item's place",
        ),
    }
}

/// Only the delivery sent meanwhile reached the handler, and it was
/// answered 200.
fn only_meanwhile(exchange: &Exchange, recorded: &Recorded) -> Result<(), String> {
    ensure(
        exchange
            .meanwhile
            .as_ref()
            .is_some_and(|meanwhile| meanwhile.status == 200),
        "a delivery on another connection must be answered 200 meanwhile",
    )?;
    one_comment(recorded, MEANWHILE_COMMENT)
}

fn limits(transport: &Transport) -> Result<&ServerLimits, String> {
    match transport {
        Transport::Server(limits) => Ok(limits),
        Transport::Event => Err("this case runs on servers only".to_owned()),
    }
}

/// Lines of `signature_headers_*` requests besides the signatures: `host`,
/// `content-type`, `content-length`.
const OTHER_LINES: usize = 3;
const MANY_SIGNATURES: usize = 64;
const THOUSAND_SIGNATURES: usize = 1000;

fn many_signatures(count: usize, comment_id: &str) -> TestRequest {
    let body = comment_body(comment_id, "many signatures");
    let valid = signature(&body).into_bytes();
    post_with_signatures(
        body,
        std::iter::repeat_with(|| forged().into_bytes())
            .take(count - 1)
            .chain([valid]),
    )
}

fn folded_signatures() -> TestRequest {
    let body = comment_body("18000000000000102", "folded");
    let mut value = String::new();
    while value.len() < 100 * 1024 {
        value.push_str(&forged());
        value.push(',');
    }
    value.push_str(&signature(&body));
    post_with_signatures(body, [value.into_bytes()])
}

/// A signature with its hex digest changed by `edit`.
fn edited_signature(comment_id: &str, edit: fn(&str) -> String) -> TestRequest {
    let body = comment_body(comment_id, "edited signature");
    let valid = signature(&body);
    let digest = valid.strip_prefix("sha256=").expect("prefix");
    post_with_signatures(body, [format!("sha256={}", edit(digest)).into_bytes()])
}

fn unauthorized(_: &Transport, exchange: &Exchange, recorded: &Recorded) -> Result<(), String> {
    status(exchange, 401)?;
    nothing_handed_over(recorded)
}

fn refused_by_server(
    transport: &Transport,
    exchange: &Exchange,
    recorded: &Recorded,
) -> Result<(), String> {
    limits(transport)?;
    status(exchange, 400)?;
    nothing_handed_over(recorded)
}

/// Why Lambda skips the connection-level cases.
const NO_CONNECTION: &str = "a Lambda event has no connection: API Gateway, the Function URL or \
     the ALB reads the whole request, under its own limits and timeouts, before the function runs";
const NO_TRANSFER_CODING: &str = "a Lambda event carries the body whole, with no transfer coding; \
     body_exactly_at_limit and body_one_over_limit cover its limit";

/// Every case, in order.
#[allow(clippy::too_many_lines)]
pub fn all_hostile() -> Vec<HostileCase> {
    vec![
        // --- The signature header. ---
        HostileCase::request(
            "signature_header_100kb",
            || {
                post_with_signatures(
                    comment_body("18000000000000101", "x"),
                    [format!("sha256={}", "f".repeat(100 * 1024 - 7)).into_bytes()],
                )
            },
            unauthorized,
        ),
        HostileCase::request(
            "signature_header_100kb_folded_valid_last",
            folded_signatures,
            |_, exchange, recorded| {
                status(exchange, 200)?;
                one_comment(recorded, "18000000000000102")
            },
        ),
        HostileCase::request(
            "signature_headers_1000_valid_last",
            || many_signatures(THOUSAND_SIGNATURES, "18000000000000103"),
            |transport, exchange, recorded| match transport {
                Transport::Server(limits)
                    if THOUSAND_SIGNATURES + OTHER_LINES > limits.max_header_lines =>
                {
                    status(exchange, 431)?;
                    nothing_handed_over(recorded)
                }
                _ => {
                    status(exchange, 200)?;
                    one_comment(recorded, "18000000000000103")
                }
            },
        ),
        HostileCase::request(
            "signature_headers_64_valid_last",
            || many_signatures(MANY_SIGNATURES, "18000000000000104"),
            |transport, exchange, recorded| {
                if let Transport::Server(limits) = transport {
                    ensure(
                        MANY_SIGNATURES + OTHER_LINES <= limits.max_header_lines,
                        "the case must stay under the server's header-line limit",
                    )?;
                }
                status(exchange, 200)?;
                one_comment(recorded, "18000000000000104")
            },
        ),
        HostileCase::request(
            "signature_non_ascii",
            || {
                post_with_signatures(
                    comment_body("18000000000000105", "x"),
                    [format!("sha256={}", "é".repeat(32)).into_bytes()],
                )
            },
            unauthorized,
        ),
        HostileCase::request_not_event(
            "signature_invalid_utf8",
            || {
                post_with_signatures(
                    comment_body("18000000000000106", "x"),
                    [{
                        let mut value = b"sha256=".to_vec();
                        value.extend_from_slice(&[0xff; 32]);
                        value.extend_from_slice(&[0xc3; 32]);
                        value
                    }],
                )
            },
            "an event carries header values as JSON strings: invalid UTF-8 cannot be represented",
            unauthorized,
        ),
        HostileCase::request(
            "signature_nul_byte",
            || {
                let body = comment_body("18000000000000107", "x");
                let mut value = signature(&body).into_bytes();
                value[40] = 0;
                post_with_signatures(body, [value])
            },
            |transport, exchange, recorded| {
                match transport {
                    // HTTP forbids NUL in a field value: the server refuses the head.
                    Transport::Server(_) => status(exchange, 400)?,
                    // What the receiver answers if an event brings it; today
                    // lambda_http refuses such events (its runner asserts so).
                    Transport::Event => status(exchange, 401)?,
                }
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "signature_63_hex",
            || edited_signature("18000000000000108", |digest| digest[..63].to_owned()),
            unauthorized,
        ),
        HostileCase::request(
            "signature_65_hex",
            || edited_signature("18000000000000109", |digest| format!("{digest}0")),
            unauthorized,
        ),
        HostileCase::request(
            "signature_64_non_hex",
            || {
                edited_signature("18000000000000110", |digest| {
                    digest
                        .chars()
                        .map(|c| if c.is_ascii_digit() { 'x' } else { 'z' })
                        .collect()
                })
            },
            unauthorized,
        ),
        HostileCase::request(
            "signature_uppercase_hex",
            || edited_signature("18000000000000111", str::to_ascii_uppercase),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                one_comment(recorded, "18000000000000111")
            },
        ),
        HostileCase::request(
            "empty_body_signed",
            || post_with_signatures(Vec::new(), [signature(b"").into_bytes()]),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, b"")
            },
        ),
        // --- The query. ---
        HostileCase::request(
            "query_non_ascii_percent_encoded",
            || {
                handshake(&handshake_query(
                    &encoded_token(),
                    "%F0%9F%91%8D%C3%A9%E2%80%94",
                ))
            },
            |_, exchange, recorded| {
                status(exchange, 200)?;
                ensure(
                    answer(exchange)?.body.as_ref() == "👍é—".as_bytes(),
                    "the challenge, decoded, byte for byte",
                )?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_invalid_utf8_percent_encoded_challenge",
            || handshake(&handshake_query(&encoded_token(), "%FF%FE%C3")),
            |_, exchange, recorded| {
                status(exchange, 400)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_invalid_utf8_percent_encoded_token",
            || handshake(&handshake_query("%FF%FE", "1")),
            |_, exchange, recorded| {
                status(exchange, 403)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_nul_percent_encoded",
            || handshake(&handshake_query(&encoded_token(), "1%002")),
            |_, exchange, recorded| {
                status(exchange, 400)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_raw_non_ascii",
            || handshake(&handshake_query(&encoded_token(), "é👍")),
            |transport, exchange, recorded| {
                nothing_handed_over(recorded)?;
                match transport {
                    Transport::Server(limits) if !limits.raw_non_ascii_target => {
                        status(exchange, 400)
                    }
                    _ => {
                        status(exchange, 200)?;
                        ensure(
                            answer(exchange)?.body.as_ref() == "é👍".as_bytes(),
                            "the raw challenge, byte for byte",
                        )
                    }
                }
            },
        ),
        HostileCase::script(
            "query_raw_invalid_utf8",
            || {
                Script::Bytes({
                    let target = format!("{PATH}?{}", handshake_query(&encoded_token(), "a"));
                    let mut target = target.into_bytes();
                    target.extend_from_slice(&[0xff, 0xfe]);
                    let mut bytes = head_bytes("GET", &target, &[]);
                    bytes.extend_from_slice(b"\r\n");
                    bytes
                })
            },
            "an event carries the query as JSON strings: invalid UTF-8 cannot be represented",
            refused_by_server,
        ),
        HostileCase::request(
            "query_raw_nul",
            || handshake(&handshake_query(&encoded_token(), "1\u{0}2")),
            // A server refuses a NUL byte in the request target; an event
            // hands it over decoded, and a control character is never reflected.
            |_, exchange, recorded| {
                status(exchange, 400)?;
                nothing_handed_over(recorded)
            },
        ),
        // --- The body. ---
        HostileCase::request(
            "body_nul_bytes",
            || signed(NUL_BODY.to_vec()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, NUL_BODY)
            },
        ),
        HostileCase::request(
            "body_nul_escaped",
            || signed(comment_body("18000000000000502", "a\u{0}b")),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery =
                    handled_exactly(recorded, &comment_body("18000000000000502", "a\u{0}b"))?;
                let event = delivery.events()[0].as_ref().map_err(ToString::to_string)?;
                let EventPayload::Comment(comment) = event.payload() else {
                    return Err("a comment".to_owned());
                };
                ensure(
                    comment.text.as_deref() == Some("a\u{0}b"),
                    "the escaped NUL is decoded",
                )
            },
        ),
        HostileCase::request(
            "json_nested_100000",
            || signed(deep_array().into_bytes()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, deep_array().as_bytes())
            },
        ),
        HostileCase::request(
            "json_nested_100000_in_items",
            || signed(deep_items_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &deep_items_body())?;
                let events = delivery.events();
                ensure(events.len() == 4, "four results, one per item")?;
                is_item_error(&events[0], 0, 0)?;
                is_unknown(&events[1], "hostile_depth", &deep_array())?;
                is_comment(&events[2], "18000000000000201")?;
                let event = events[3].as_ref().map_err(ToString::to_string)?;
                let EventPayload::Unknown(unknown) = event.payload() else {
                    return Err(format!(
                        "the messaging item with a deep unknown key is an unknown event, got {}",
                        event.kind().as_str()
                    ));
                };
                ensure(
                    unknown.field == "hostile_depth" && unknown.raw.get().contains(&deep_array()),
                    "named by its unknown key, with its raw JSON",
                )
            },
        ),
        HostileCase::request(
            "array_1000000_empty_objects",
            || signed(million_empty_objects()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_once(recorded)?;
                ensure(
                    delivery.body().len() < BODY_LIMIT,
                    "the body is under the limit",
                )?;
                let events = delivery.events();
                ensure(
                    events.len() == EMPTY_OBJECTS,
                    &format!("{EMPTY_OBJECTS} results, got {}", events.len()),
                )?;
                for (index, result) in events.iter().enumerate() {
                    match result {
                        Err(error)
                            if error.position.item == index
                                && error.kind == ItemErrorKind::MissingValue => {}
                        _ => return Err(format!("item {index}: expected a missing-value error")),
                    }
                }
                Ok(())
            },
        ),
        HostileCase::request(
            "number_10000_digits",
            || signed(long_numbers_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &long_numbers_body())?;
                let events = delivery.events();
                ensure(events.len() == 3, "three results, one per item")?;
                is_item_error(&events[0], 0, 0)?;
                is_unknown(&events[1], "hostile_number", &long_number())?;
                is_comment(&events[2], "18000000000000301")
            },
        ),
        HostileCase::request(
            "number_10000_digits_in_envelope",
            || signed(long_number_in_envelope()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, &long_number_in_envelope())
            },
        ),
        HostileCase::request(
            "duplicate_keys_in_envelope",
            || signed(duplicate_entry_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, &duplicate_entry_body())
            },
        ),
        HostileCase::request(
            "duplicate_keys_in_change",
            || signed(duplicate_change_keys_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &duplicate_change_keys_body())?;
                let events = delivery.events();
                ensure(events.len() == 2, "two results, one per item")?;
                is_item_error(&events[0], 0, 0)?;
                is_comment(&events[1], "18000000000000405")
            },
        ),
        HostileCase::request(
            "duplicate_keys_in_messaging_item",
            || signed(duplicate_messaging_keys_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &duplicate_messaging_keys_body())?;
                let events = delivery.events();
                ensure(events.len() == 2, "two results, one per item")?;
                // Like a duplicate key in a change's value (and in the envelope): an
                // ambiguous item is an error, not a guess at which value was meant.
                is_item_error(&events[0], 0, 0)?;
                let event = events[1].as_ref().map_err(ToString::to_string)?;
                ensure(
                    event.kind() == EventKind::Message,
                    "the neighbour is a message",
                )
            },
        ),
        HostileCase::request(
            "body_exactly_at_limit",
            || signed(padded_comment(BODY_LIMIT)),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                handled_exactly(recorded, &padded_comment(BODY_LIMIT))?;
                one_comment(recorded, PADDED_COMMENT)
            },
        ),
        HostileCase::request(
            "body_one_over_limit",
            || signed(padded_comment(BODY_LIMIT + 1)),
            |_, exchange, recorded| {
                status(exchange, 413)?;
                nothing_handed_over(recorded)
            },
        ),
        // --- The connection. ---
        HostileCase::script(
            "head_only_over_limit",
            || Script::HeadOnly(signed(padded_comment(BODY_LIMIT + 1))),
            NO_CONNECTION,
            |_, exchange, recorded| {
                // 413 from the declared length alone, before any body byte.
                status(exchange, 413)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::script(
            "chunked_exactly_at_limit",
            || Script::Chunked(signed(padded_comment(BODY_LIMIT))),
            NO_TRANSFER_CODING,
            |_, exchange, recorded| {
                status(exchange, 200)?;
                handled_exactly(recorded, &padded_comment(BODY_LIMIT))?;
                one_comment(recorded, PADDED_COMMENT)
            },
        ),
        HostileCase::script(
            "chunked_one_over_limit",
            || Script::Chunked(signed(padded_comment(BODY_LIMIT + 1))),
            NO_TRANSFER_CODING,
            |_, exchange, recorded| {
                status(exchange, 413)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::script(
            "chunked_past_limit_unending",
            || Script::ChunkedPastLimit,
            NO_TRANSFER_CODING,
            |transport, exchange, recorded| {
                let limits = limits(transport)?;
                // The body never ended: a 413 at all means the server stopped at the limit.
                status(exchange, 413)?;
                match (&exchange.after, limits.drains_unread_body) {
                    (Some(AfterAnswer::Closed), false) => nothing_handed_over(recorded),
                    (Some(AfterAnswer::NextAnswer(Some(next))), true) => {
                        ensure(next.status == 200, "the next request is answered 200")?;
                        one_comment(recorded, FOLLOW_UP_COMMENT)
                    }
                    (after, drains) => Err(format!(
                        "after the 413 and {MORE_AFTER_ANSWER} more bytes: {after:?}, \
                         but the server {} unread bodies",
                        if drains { "drains" } else { "closes on" }
                    )),
                }
            },
        ),
        HostileCase::script(
            "slow_body",
            || Script::Slow(signed(comment_body("18000000000000601", "slow"))),
            NO_CONNECTION,
            |_, exchange, recorded| {
                status(exchange, 200)?;
                ensure(
                    exchange
                        .meanwhile
                        .as_ref()
                        .is_some_and(|meanwhile| meanwhile.status == 200),
                    "a delivery on another connection is answered while the slow one trickles",
                )?;
                ensure(
                    recorded.deliveries.len() == 2 && recorded.rejected.is_empty(),
                    "both deliveries reach the handler",
                )?;
                let slow = comment_body("18000000000000601", "slow");
                ensure(
                    recorded
                        .deliveries
                        .iter()
                        .any(|delivery| delivery.body().as_ref() == slow.as_slice()),
                    "the slow body arrives byte for byte",
                )
            },
        ),
        HostileCase::script(
            "stalled_head",
            || Script::StalledHead,
            NO_CONNECTION,
            |transport, exchange, recorded| {
                let limits = limits(transport)?;
                only_meanwhile(exchange, recorded)?;
                if limits.head_timeout.is_some() {
                    ensure(!exchange.client_gave_up, "the server's timeout decides")?;
                    status(exchange, 408)
                } else {
                    ensure(exchange.client_gave_up, "only the client can end it")?;
                    ensure(
                        exchange.response.is_none(),
                        "a head cut short gets no answer",
                    )
                }
            },
        ),
        HostileCase::script(
            "stalled_body",
            || Script::StalledBody(signed(comment_body("18000000000000602", "stalled"))),
            NO_CONNECTION,
            |transport, exchange, recorded| {
                let limits = limits(transport)?;
                only_meanwhile(exchange, recorded)?;
                ensure(
                    exchange.client_gave_up == limits.body_timeout.is_none(),
                    "with a body timeout the server answers on its own",
                )?;
                status(exchange, 400)?;
                ensure(
                    answer(exchange)?.body.as_ref() == b"could not read body",
                    "the receiver's answer to an unreadable body",
                )
            },
        ),
    ]
}

/// The hostile case called `name`.
///
/// # Panics
/// When there is no such case.
pub fn hostile_case(name: &str) -> HostileCase {
    all_hostile()
        .into_iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("no hostile case named {name}"))
}

/// Checks that `listed` names every hostile case exactly once.
///
/// # Panics
/// When a case is missing from `listed` or listed twice.
pub fn assert_complete(listed: &[&str]) {
    let mut cases: Vec<&str> = all_hostile().iter().map(|case| case.name).collect();
    let mut listed = listed.to_vec();
    listed.sort_unstable();
    cases.sort_unstable();
    assert_eq!(listed, cases, "hostile_tests! must list every case once");
}
