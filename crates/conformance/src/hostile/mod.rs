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
//!
//! The cases are written by what they attack, one file each, in the order
//! [`all_hostile`] lists them: the signature header (`signature`), the
//! handshake query (`query`), the body and its JSON (`body`), and the
//! connection (`connection`, played by the scripts of `scripts`).

mod body;
mod connection;
mod query;
mod scripts;
mod signature;

use std::net::SocketAddr;
use std::time::Duration;

use crate::checks::{assert_declared, assert_lists_every_case, preview};
use crate::harness::{APP_SECRET, Recorded};
use crate::raw_http::send_raw;
use crate::requests::{comment_delivery, signed_bytes};
use crate::wire::{TestRequest, TestResponse};

use scripts::Script;

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
    /// The answers on the other connections a case opened, in order.
    pub others: Vec<Option<TestResponse>>,
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
            |response| format!("{} {:?}", response.status, preview(&response.body)),
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
    assert_declared(
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

/// Every case, in order.
pub fn all_hostile() -> Vec<HostileCase> {
    [
        signature::cases(),
        query::cases(),
        body::cases(),
        connection::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
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
    let cases: Vec<&str> = all_hostile().iter().map(|case| case.name).collect();
    assert_lists_every_case(listed, &cases, "hostile_tests! must list every case once");
}

// ---------------------------------------------------------------------------
// Building requests, for every section.

/// A POST of exactly `body`, validly signed.
fn signed(body: Vec<u8>) -> TestRequest {
    signed_bytes(APP_SECRET, body)
}

/// A one-comment delivery, escaped like Meta.
fn comment_body(comment_id: &str, text: &str) -> Vec<u8> {
    comment_delivery(ACCOUNT, comment_id, text).to_bytes()
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

// ---------------------------------------------------------------------------
// Checking what happened on the wire (the rest is in `crate::checks`).

fn answer(exchange: &Exchange) -> Result<&TestResponse, String> {
    exchange
        .response
        .as_ref()
        .ok_or_else(|| "expected an answer, the connection was closed without one".to_owned())
}

fn status(exchange: &Exchange, expected: u16) -> Result<(), String> {
    crate::checks::status(answer(exchange)?, expected)
}

fn limits(transport: &Transport) -> Result<&ServerLimits, String> {
    match transport {
        Transport::Server(limits) => Ok(limits),
        Transport::Event => Err("this case runs on servers only".to_owned()),
    }
}
