//! What the binary's end-to-end tests share: the binary as a process (a
//! one-shot command, or `serve` running in the background), free loopback
//! ports, a local HTTP server that records what it is sent, polling with a
//! deadline, the inbox read from the test, and an independent Standard
//! Webhooks check.
//!
//! Nothing here imitates the binary: every test runs the real
//! `instagram-webhook` built by Cargo, over real HTTP on 127.0.0.1, on real
//! databases.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use instagram_webhook_core::{AppSecret, Verifier};
use instagram_webhook_inbox::{EventRecord, Filter, Inbox, State};
use serde_json::Value;
use sha2::Sha256;

/// The App Secret every test signs and verifies with.
pub const SECRET: &str = "cli-e2e-app-secret";
/// The verify token of the handshake.
pub const VERIFY_TOKEN: &str = "cli-e2e-verify-token";
/// The operations surface's token (16 characters or more).
pub const OPS_TOKEN: &str = "cli-e2e-operations-token-0123456789";
/// The Standard Webhooks key `--forward-to` signs with, before base64.
pub const FORWARD_KEY: &[u8] = b"cli-e2e-forward-key-of-32-bytes!";

/// How long any wait may last: generous, as two cores may be busy.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The environment the binary reads, removed from every child so the
/// developer's own settings never leak into a test.
const READ_FROM_ENV: [&str; 7] = [
    "INSTAGRAM_APP_SECRET",
    "INSTAGRAM_VERIFY_TOKEN",
    "INSTAGRAM_WEBHOOK_DATABASE",
    "INSTAGRAM_WEBHOOK_OPS_TOKEN",
    "INSTAGRAM_WEBHOOK_FORWARD_SECRET",
    "INSTAGRAM_ACCESS_TOKEN",
    "RUST_LOG",
];

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_instagram-webhook")
}

/// `--forward-secret`'s value for [`FORWARD_KEY`].
pub fn forward_secret() -> String {
    format!("whsec_{}", STANDARD.encode(FORWARD_KEY))
}

/// The App Secret as the library takes it.
pub fn app_secret() -> AppSecret {
    AppSecret::new(SECRET).expect("a valid App Secret")
}

/// A free loopback port (bound, then released for the binary to bind).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// `sqlite://` URL of a new inbox file in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("inbox.db").display())
}

/// A new, empty database on the shared PostgreSQL server.
pub async fn postgres_url() -> String {
    let server = tokio::task::spawn_blocking(instagram_webhook_testing::postgres::Server::shared)
        .await
        .expect("the PostgreSQL server starts");
    server.database().await
}

/// An HTTP client for the tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

fn command() -> Command {
    let mut command = Command::new(bin());
    for name in READ_FROM_ENV {
        command.env_remove(name);
    }
    // A panic would print its backtrace: the checks below would see it.
    command.env("RUST_BACKTRACE", "1").env("NO_COLOR", "1");
    command
}

// ---------------------------------------------------------------------------
// One-shot commands.

/// A command line of the binary, to run once.
#[derive(Debug)]
pub struct Run {
    command: Command,
    line: String,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

/// `instagram-webhook ARGS...`.
pub fn cli<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = command();
    let mut line = String::from("instagram-webhook");
    for arg in args {
        line.push(' ');
        line.push_str(&arg.as_ref().to_string_lossy());
        command.arg(arg);
    }
    Run {
        command,
        line,
        stdin: None,
        timeout: PATIENCE,
    }
}

impl Run {
    /// Feeds `bytes` on stdin (otherwise stdin is empty).
    #[must_use]
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Sets an environment variable.
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// How long it may run before the test fails (and it is killed).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs it to its end.
    pub async fn run(self) -> Output {
        use tokio::io::AsyncWriteExt;

        let Self {
            command,
            line,
            stdin,
            timeout,
        } = self;
        let mut command = tokio::process::Command::from(command);
        command
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("`{line}` does not start: {error}"));
        if let Some(bytes) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            tokio::spawn(async move {
                let _ = pipe.write_all(&bytes).await;
            });
        }
        let output = tokio::time::timeout(timeout, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("`{line}` did not exit within {timeout:?}"))
            .unwrap_or_else(|error| panic!("`{line}`: {error}"));
        Output {
            line,
            status: output.status,
            stdout: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// How a command ended.
#[derive(Debug)]
pub struct Output {
    /// The command line, for messages.
    pub line: String,
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Output {
    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Stdout as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stdout's non-empty lines.
    pub fn lines(&self) -> Vec<String> {
        self.stdout()
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Everything, for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "`{}` exited {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.line,
            self.code(),
            self.stdout(),
            self.stderr
        )
    }

    /// Asserts exit code `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code(), Some(code), "{}", self.describe());
        self.no_panic();
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        self.expect_code(0)
    }

    /// Asserts exit code 0 and parses stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        self.success();
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error})\n{}", self.describe()))
    }

    /// Asserts no panic and no backtrace on stderr.
    #[track_caller]
    pub fn no_panic(&self) -> &Self {
        for sign in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
            assert!(!self.stderr.contains(sign), "{sign}: {}", self.describe());
        }
        self
    }

    /// Asserts the binary's own bad-input error: exit code 2 and exactly one
    /// line on stderr, `instagram-webhook: ...`, naming each of `names`
    /// (case-insensitively).
    #[track_caller]
    pub fn bad_input(&self, names: &[&str]) -> &Self {
        self.expect_code(2);
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "one line on stderr, not {}\n{}",
            lines.len(),
            self.describe()
        );
        let line = lines[0];
        assert!(
            line.starts_with("instagram-webhook: "),
            "the line starts `instagram-webhook: `\n{}",
            self.describe()
        );
        for name in names {
            assert!(
                line.to_lowercase().contains(&name.to_lowercase()),
                "the error names `{name}`\n{}",
                self.describe()
            );
        }
        self
    }
}

// ---------------------------------------------------------------------------
// `serve` in the background.

type Lines = Arc<Mutex<Vec<String>>>;

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads `pipe` line by line into `into`, on a thread of its own.
fn collect(pipe: impl Read + Send + 'static, into: Lines) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            locked(&into).push(line);
        }
    })
}

/// `instagram-webhook serve` running on free loopback ports; killed
/// (SIGKILL) when dropped, so a failed assertion leaves nothing behind.
#[derive(Debug)]
pub struct Serve {
    child: Child,
    pub port: u16,
    pub ops_port: u16,
    pub database: String,
    stdout: Lines,
    stderr: Lines,
    readers: Vec<JoinHandle<()>>,
    exited: Option<ExitStatus>,
}

impl Serve {
    /// Starts `serve` on `database` with the tests' secret, verify token
    /// and operations token, and `extra` flags; returns once both its
    /// webhook and its operations surface answer.
    pub async fn start(database: &str, extra: &[&str]) -> Self {
        let client = client();
        let mut last = String::new();
        // A port freed by `free_port` may be taken again before the binary
        // binds it: then start again on others.
        for _ in 0..3 {
            let mut serve = Self::spawn(database, extra);
            match serve.ready(&client).await {
                Ok(()) => return serve,
                Err(stderr) if stderr.contains("cannot listen") => last = stderr,
                Err(stderr) => panic!("serve did not start\n{stderr}"),
            }
        }
        panic!("serve found no free port\n{last}")
    }

    fn spawn(database: &str, extra: &[&str]) -> Self {
        let port = free_port();
        let ops_port = free_port();
        let mut command = command();
        command
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--ops-listen", &format!("127.0.0.1:{ops_port}")])
            .args(["--database", database])
            .args(["--secret", SECRET])
            .args(["--verify-token", VERIFY_TOKEN])
            .args(["--ops-token", OPS_TOKEN])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("serve starts");
        let stdout = Lines::default();
        let stderr = Lines::default();
        let readers = vec![
            collect(child.stdout.take().expect("stdout"), Arc::clone(&stdout)),
            collect(child.stderr.take().expect("stderr"), Arc::clone(&stderr)),
        ];
        Self {
            child,
            port,
            ops_port,
            database: database.to_owned(),
            stdout,
            stderr,
            readers,
            exited: None,
        }
    }

    /// Waits until the handshake is answered and the operations surface is
    /// up; `Err` with its stderr if it exits first.
    async fn ready(&mut self, client: &reqwest::Client) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        let handshake = format!(
            "{}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=ready",
            self.url()
        );
        let health = format!("{}/healthz", self.ops_url());
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.exited = Some(status);
                self.join_readers();
                return Err(format!("serve exited {status}\n{}", self.stderr_tail(40)));
            }
            let webhook = client.get(&handshake).send().await;
            let ops = client.get(&health).send().await;
            if matches!((&webhook, &ops), (Ok(w), Ok(o)) if w.status() == 200 && o.status() == 200)
            {
                return Ok(());
            }
            assert!(
                Instant::now() < deadline,
                "serve not ready within {PATIENCE:?}\n{}",
                self.stderr_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The webhook's URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/webhook", self.port)
    }

    /// The operations surface's URL.
    pub fn ops_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ops_port)
    }

    /// Stdout's lines so far.
    pub fn stdout(&self) -> Vec<String> {
        locked(&self.stdout).clone()
    }

    /// Stdout's JSON lines so far (what `--print` printed).
    pub fn printed(&self) -> Vec<Value> {
        self.stdout()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .collect()
    }

    /// Stderr's lines so far.
    pub fn stderr(&self) -> Vec<String> {
        locked(&self.stderr).clone()
    }

    /// The last lines of stderr, for failure messages.
    pub fn stderr_tail(&self, n: usize) -> String {
        let lines = locked(&self.stderr);
        let from = lines.len().saturating_sub(n);
        format!("--- serve stderr ---\n{}", lines[from..].join("\n"))
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {}", self.child.id());
    }

    /// Waits for it to exit (after [`terminate`](Self::terminate)), and for
    /// the last of its output.
    pub async fn wait(&mut self) -> ExitStatus {
        if let Some(status) = self.exited {
            return status;
        }
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("serve's status") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not exit within {PATIENCE:?}\n{}",
                self.stderr_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        self.exited = Some(status);
        self.join_readers();
        status
    }

    /// SIGTERM, and asserts it exits 0.
    pub async fn stop(&mut self) {
        self.terminate();
        let status = self.wait().await;
        assert_eq!(
            status.code(),
            Some(0),
            "serve exits 0 on SIGTERM\n{}",
            self.stderr_tail(40)
        );
    }

    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------
// A local HTTP server: your application, or a replay's target.

/// A request the local server got.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Lowercase names; the last value of a repeated header.
    pub headers: HashMap<String, String>,
    pub body: Bytes,
}

impl Request {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "the request's body is not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// What the local server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// An empty answer with `status`.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
        }
    }

    /// With a header.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

type Respond = dyn Fn(&Request, usize) -> Reply + Send + Sync;

#[derive(Clone)]
struct Shared {
    requests: Arc<Mutex<Vec<Request>>>,
    respond: Arc<Respond>,
}

/// An HTTP server on a loopback port that records every request and
/// answers what `respond` says (given the request and how many came
/// before it); stopped when dropped.
#[derive(Debug)]
pub struct Receiver {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts it, on a port of its own.
    pub async fn start(respond: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            requests: Arc::clone(&requests),
            respond: Arc::new(respond),
        };
        let app = axum::Router::new().fallback(record).with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/hooks"),
            requests,
            task,
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        locked(&self.requests).clone()
    }

    /// Waits until `n` requests came; returns them all.
    pub async fn wait_for(&self, n: usize, what: &str) -> Vec<Request> {
        wait_for(what, async || {
            let requests = self.requests();
            if requests.len() >= n {
                Ok(requests)
            } else {
                Err(format!("{} of {n} requests", requests.len()))
            }
        })
        .await
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Request {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let reply = {
        let mut requests = locked(&shared.requests);
        let reply = (shared.respond)(&request, requests.len());
        requests.push(request);
        reply
    };
    let mut response = Response::builder().status(reply.status);
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::empty()).expect("a response")
}

// ---------------------------------------------------------------------------
// Checks.

/// Polls `check` every 50 ms until it is `Ok`; panics with `what` and the
/// last state past [`PATIENCE`].
pub async fn wait_for<T>(what: &str, mut check: impl AsyncFnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(state) if Instant::now() > deadline => {
                panic!("{what}: not within {PATIENCE:?}; last state: {state}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Checks a request against the Standard Webhooks specification, on its
/// own: `webhook-signature` holds `v1,` and the base64 HMAC-SHA256, under
/// `key`, of `{webhook-id}.{webhook-timestamp}.{body}`; the timestamp is
/// within the specification's five minutes of now.
pub fn verify_standard_webhook(key: &[u8], request: &Request) -> Result<(), String> {
    let id = request.header("webhook-id").ok_or("no webhook-id")?;
    let timestamp = request
        .header("webhook-timestamp")
        .ok_or("no webhook-timestamp")?;
    let signatures = request
        .header("webhook-signature")
        .ok_or("no webhook-signature")?;
    if id.is_empty() {
        return Err("an empty webhook-id".into());
    }
    let seconds: u64 = timestamp
        .parse()
        .map_err(|_| format!("webhook-timestamp `{timestamp}` is not integer seconds"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    if now.abs_diff(seconds) > 300 {
        return Err(format!(
            "webhook-timestamp {seconds} is not within 5 minutes of {now}"
        ));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key size");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&request.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    if signatures.split(' ').any(|value| value == expected) {
        Ok(())
    } else {
        Err(format!(
            "webhook-signature `{signatures}` is not `{expected}`"
        ))
    }
}

/// Whether `signature` is a valid `X-Hub-Signature-256` of `body` under
/// [`SECRET`], by the library's verifier.
pub fn meta_signature_valid(signature: &str, body: &[u8]) -> bool {
    Verifier::new(app_secret())
        .verify([signature.as_bytes()], body)
        .is_ok()
}

// ---------------------------------------------------------------------------
// The inbox, read from the test.

/// Opens the inbox at `url` (without its maintenance tasks).
pub async fn open_inbox(url: &str) -> Inbox {
    Inbox::builder()
        .maintenance(None)
        .open(url)
        .await
        .unwrap_or_else(|error| panic!("the inbox at {url} opens from the test: {error}"))
}

/// Every event, oldest first.
pub async fn all_events(inbox: &Inbox) -> Vec<EventRecord> {
    let mut events = Vec::new();
    let mut before = None;
    loop {
        let page = inbox
            .events(&Filter::new(), before, 500)
            .await
            .expect("a page of events");
        events.extend(page.events);
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    events.sort_by_key(|event| event.id.0);
    events
}

/// `id: kind state attempt` of each event, for messages.
pub fn summary(events: &[EventRecord]) -> String {
    events
        .iter()
        .map(|event| {
            format!(
                "{}: {} {:?} attempt {}",
                event.id.0, event.kind, event.state, event.attempt
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Waits until the inbox holds `count` events and `settled` holds for
/// each; returns them.
pub async fn wait_events(
    inbox: &Inbox,
    count: usize,
    what: &str,
    settled: impl Fn(&EventRecord) -> bool,
) -> Vec<EventRecord> {
    wait_for(what, async || {
        let events = all_events(inbox).await;
        if events.len() == count && events.iter().all(&settled) {
            Ok(events)
        } else {
            Err(summary(&events))
        }
    })
    .await
}

/// Waits until the inbox holds `count` events, each in a final state
/// (processed or dead letter).
pub async fn wait_settled(inbox: &Inbox, count: usize) -> Vec<EventRecord> {
    wait_events(inbox, count, "every event settled", |event| {
        matches!(event.state, State::Processed | State::DeadLetter)
    })
    .await
}
