//! The operations dashboard in a real browser: an inbox seeded through the
//! library (processed events, dead letters of two kinds and two error
//! classes, failed events waiting an hour, pending events, a repeat), the
//! `inbox_receiver` example serving it, and
//! `crates/ops/tests/browser/dashboard.mjs` driving a system Chromium
//! through `playwright-core` against it.
//!
//! Needs Node.js, Chromium (`/usr/bin/chromium`, or the path in `CHROMIUM`)
//! and `npm ci --prefix crates/ops/tests/browser`; the test fails, naming
//! what to install, when one is missing. Screenshots go to
//! `target/dashboard-screenshots`.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use instagram_webhook_core::receive::{Delivery, Origin};
use instagram_webhook_core::types::Notification;
use instagram_webhook_inbox::{Error, EventId, Failure, Inbox, Job, RetryPolicy, State};
use serde_json::{Value, json};
use support::{Lines, collect, example_binary, free_port, locked};

const SECRET: &str = "dashboard-app-secret";
const VERIFY_TOKEN: &str = "dashboard-verify-token";
const OPS_TOKEN: &str = "dashboard-ops-token-0123456789abcdef";
const OPS_READ_TOKEN: &str = "dashboard-read-only-token-0123456789";
const ACCOUNT: &str = "17841400000000001";
const OTHER_ACCOUNT: &str = "17841400000000002";
/// The text the page must show as text, never run.
const SCRIPT_TEXT: &str =
    r#"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">"#;

/// How long the seeding, the start and the browser may take: generous, the
/// machine may be busy.
const PATIENCE: Duration = Duration::from_secs(120);
const BROWSER_PATIENCE: Duration = Duration::from_secs(240);

// ---------------------------------------------------------------------------
// What the browser test needs.

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace directory")
        .to_path_buf()
}

/// The browser test's directory, after checking Node.js, Chromium and
/// `playwright-core` are there.
fn browser_tests() -> (PathBuf, PathBuf) {
    let dir = workspace().join("crates/ops/tests/browser");
    let node = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    match node {
        Ok(output) if output.status.success() => {}
        _ => panic!(
            "`node` is not on PATH: install Node.js 20 or newer (apt-get install nodejs npm), \
             then run npm ci --prefix crates/ops/tests/browser"
        ),
    }
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.is_file(),
        "{} is missing: install chromium: apt-get install chromium (or set CHROMIUM to a Chromium binary)",
        chromium.display()
    );
    assert!(
        dir.join("node_modules/playwright-core/package.json")
            .is_file(),
        "playwright-core is not installed: run npm ci --prefix crates/ops/tests/browser"
    );
    (dir, chromium)
}

/// `target/dashboard-screenshots`, next to the test binary's profile.
fn screenshots() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .expect("the target directory");
    let dir = target.join("dashboard-screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

/// A child process killed when dropped, so a failed assertion leaves
/// nothing behind.
struct Proc {
    name: &'static str,
    child: Child,
    stdout: Lines,
    stderr: Lines,
    readers: Vec<JoinHandle<()>>,
}

impl Proc {
    fn spawn(name: &'static str, command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{name} does not start: {error}"));
        let stdout = Lines::default();
        let stderr = Lines::default();
        let readers = vec![
            collect(child.stdout.take().expect("stdout"), Arc::clone(&stdout)),
            collect(child.stderr.take().expect("stderr"), Arc::clone(&stderr)),
        ];
        Self {
            name,
            child,
            stdout,
            stderr,
            readers,
        }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the exit (killing it past `limit`) and the last of its
    /// output; whether it exited 0.
    fn finish(&mut self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break Err(format!("{} did not finish within {limit:?}", self.name));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(error) => break Err(format!("{}: {error}", self.name)),
            }
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        match status {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!("{} exited with {status}", self.name)),
            Err(error) => Err(error),
        }
    }

    fn stdout(&self) -> Vec<String> {
        locked(&self.stdout).clone()
    }

    fn output(&self) -> String {
        format!(
            "--- {name} stdout ---\n{}\n--- {name} stderr ---\n{}",
            locked(&self.stdout).join("\n"),
            locked(&self.stderr).join("\n"),
            name = self.name,
        )
    }

    fn stderr_tail(&self, n: usize) -> String {
        let lines = locked(&self.stderr);
        let from = lines.len().saturating_sub(n);
        format!("--- {} stderr ---\n{}", self.name, lines[from..].join("\n"))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// The seed.

/// What the handler does with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Process,
    /// The dead letter at once (class `gave_up`).
    GiveUp,
    /// A plain error each attempt: the dead letter after the last (class
    /// `error`).
    Fail,
    /// Failed, next attempt in an hour.
    Wait,
}

/// One delivery of one item, what becomes of it, and its event once stored.
struct Seed {
    body: Vec<u8>,
    fate: Fate,
    key: String,
    kind: &'static str,
}

fn message(index: usize, text: &str, fate: Fate) -> Seed {
    let body = json!({
        "object": "instagram",
        "entry": [{"id": ACCOUNT, "time": 1_700_000_000_123_u64, "messaging": [{
            "sender": {"id": format!("{}", 900_000_000 + index)},
            "recipient": {"id": ACCOUNT},
            "timestamp": 1_700_000_000_000_u64 + index as u64,
            "message": {"mid": format!("mid.dashboard.{index}"), "text": text}
        }]}]
    });
    seed(body, fate, "message")
}

fn comment(account: &str, index: usize, text: &str, fate: Fate) -> Seed {
    let body = json!({
        "object": "instagram",
        "entry": [{"id": account, "time": 1_700_000_000_u64, "changes": [{
            "field": "comments",
            "value": {
                "id": format!("1786579934808{index:04}"),
                "text": text,
                "from": {"id": "232323232", "username": "test"},
                "media": {"id": "123123123", "media_product_type": "FEED"}
            }
        }]}]
    });
    seed(body, fate, "comment")
}

fn seed(body: Value, fate: Fate, kind: &'static str) -> Seed {
    let body = serde_json::to_vec(&body).expect("JSON");
    let keys: Vec<String> = Notification::from_slice(&body)
        .expect("an Instagram envelope")
        .events()
        .map(|event| event.expect("a decodable item").dedup_key().into_string())
        .collect();
    assert_eq!(keys.len(), 1);
    Seed {
        body,
        fate,
        key: keys[0].clone(),
        kind,
    }
}

/// `body` as a delivery the receiver verified.
fn delivery(body: &[u8]) -> Delivery {
    Delivery::dangerous_from_stored(
        body.to_vec().into(),
        Origin::new("/webhook", SystemTime::now(), 0),
    )
    .expect("an envelope")
}

/// The worker's handler: each event's fate, by dedup key.
async fn handle(fates: Arc<HashMap<String, Fate>>, job: Job) -> Result<(), Failure> {
    let key = job.event.dedup_key().into_string();
    match fates.get(&key).copied().unwrap_or(Fate::Process) {
        Fate::Process => Ok(()),
        Fate::GiveUp => Err(Failure::give_up(
            "Send API 400: the recipient cannot be messaged (blocked the account)",
        )),
        Fate::Fail => Err(Failure::retry(format!(
            "Graph API 500 on attempt {}: an unexpected error has occurred",
            job.attempt
        ))),
        Fate::Wait => Err(Failure::retry_after(
            Duration::from_secs(3600),
            "Graph API 429: application request limit reached",
        )),
    }
}

/// What the seeded inbox holds, for the browser test and the checks after it.
#[derive(Debug)]
struct Seeded {
    counts: BTreeMap<&'static str, u64>,
    total: u64,
    dead_by_kind: BTreeMap<&'static str, u64>,
    failed: Vec<EventId>,
    script: EventId,
    dead: EventId,
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        match check().await {
            Ok(()) => return,
            Err(state) if Instant::now() > deadline => {
                panic!("{what}: not within {PATIENCE:?}; last state: {state}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Seeds the inbox at `url`: each fate, then two pending events and a
/// repeat of a processed delivery.
async fn seed_inbox(url: &str) -> Seeded {
    let mut seeds = Vec::new();
    // The oldest: enough processed messages for a second page of 50.
    for index in 100..140 {
        seeds.push(message(
            index,
            &format!("older message {index}"),
            Fate::Process,
        ));
    }
    for index in 0..10 {
        seeds.push(message(
            index,
            &format!("message {index}: hello"),
            Fate::Process,
        ));
    }
    for index in 0..4 {
        seeds.push(comment(
            ACCOUNT,
            index,
            &format!("comment {index}"),
            Fate::Process,
        ));
    }
    for index in 4..6 {
        seeds.push(comment(
            OTHER_ACCOUNT,
            index,
            &format!("comment {index}"),
            Fate::Process,
        ));
    }
    let script = seeds.len();
    seeds.push(message(10, SCRIPT_TEXT, Fate::GiveUp));
    seeds.push(message(11, "please unsubscribe me", Fate::GiveUp));
    let dead = seeds.len();
    seeds.push(comment(
        ACCOUNT,
        6,
        "the Graph API failed on this one",
        Fate::Fail,
    ));
    seeds.push(comment(ACCOUNT, 7, "and on this one", Fate::Fail));
    seeds.push(message(12, "rate limited", Fate::Wait));
    seeds.push(message(13, "rate limited too", Fate::Wait));
    seeds.push(comment(ACCOUNT, 8, "rate limited comment", Fate::Wait));

    // One retry 50 ms after a first failure: two attempts in all.
    let inbox = Inbox::builder()
        .maintenance(None)
        .retry(RetryPolicy::new([Duration::from_millis(50)]))
        .open(url)
        .await
        .expect("the inbox opens");
    let mut ids = Vec::new();
    for seed in &seeds {
        let accepted = inbox.store(&delivery(&seed.body)).await.expect("stored");
        ids.push(accepted.events[0].expect("a new event"));
    }
    let fates: Arc<HashMap<String, Fate>> = Arc::new(
        seeds
            .iter()
            .map(|seed| (seed.key.clone(), seed.fate))
            .collect(),
    );
    let worker = inbox
        .worker(move |job: Job| handle(Arc::clone(&fates), job))
        .poll_interval(Duration::from_millis(20))
        .start();

    let expected = |fate: Fate| seeds.iter().filter(|seed| seed.fate == fate).count() as u64;
    let processed = expected(Fate::Process);
    let dead_letters = expected(Fate::GiveUp) + expected(Fate::Fail);
    let failed = expected(Fate::Wait);
    wait_until("the seeded events reach their states", || async {
        let stats = inbox.stats().await.map_err(|error| error.to_string())?;
        let done = stats.count(State::Processed) == processed
            && stats.count(State::DeadLetter) == dead_letters
            && stats.count(State::Failed) == failed
            && stats.count(State::Pending) == 0
            && stats.count(State::Processing) == 0;
        if done {
            Ok(())
        } else {
            Err(format!("{:?}", stats.by_state))
        }
    })
    .await;
    worker.shutdown().await;

    // Two events no worker took, and Meta's repeat of a processed delivery.
    for index in 14..16 {
        let seed = message(
            index,
            &format!("message {index}: still waiting"),
            Fate::Process,
        );
        let accepted = inbox.store(&delivery(&seed.body)).await.expect("stored");
        assert!(accepted.events[0].is_some());
    }
    let repeat = inbox
        .store(&delivery(&seeds[0].body))
        .await
        .expect("stored");
    assert_eq!(repeat.duplicates(), 1, "the repeat is a duplicate");

    let stats = inbox.stats().await.expect("stats");
    let mut counts = BTreeMap::new();
    for state in State::ALL {
        counts.insert(state.as_str(), stats.count(state));
    }
    assert_eq!(counts["pending"], 2);
    let mut dead_by_kind = BTreeMap::new();
    for seed in &seeds {
        if matches!(seed.fate, Fate::GiveUp | Fate::Fail) {
            *dead_by_kind.entry(seed.kind).or_default() += 1;
        }
    }
    let dead_detail = inbox.event(ids[dead]).await.expect("the dead letter");
    assert_eq!(dead_detail.event.state, State::DeadLetter);
    assert_eq!(dead_detail.attempts.len(), 2, "{dead_detail:?}");
    assert_eq!(
        inbox
            .event(ids[script])
            .await
            .expect("the script event")
            .event
            .state,
        State::DeadLetter
    );
    let failed_ids = seeds
        .iter()
        .zip(&ids)
        .filter(|(seed, _)| seed.fate == Fate::Wait)
        .map(|(_, id)| *id)
        .collect();
    inbox.close().await;
    Seeded {
        total: counts.values().sum(),
        counts,
        dead_by_kind,
        failed: failed_ids,
        script: ids[script],
        dead: ids[dead],
    }
}

// ---------------------------------------------------------------------------
// The example, and the browser.

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

/// Starts the example as a receiver (no worker) on `database`; its webhook
/// and operations URLs once `/readyz` answers 200.
async fn start_example(database: &str) -> (Proc, String, String) {
    let port = free_port();
    let ops_port = free_port();
    let mut example = Proc::spawn(
        "inbox_receiver",
        Command::new(example_binary())
            .env("INSTAGRAM_APP_SECRET", SECRET)
            .env("INSTAGRAM_VERIFY_TOKEN", VERIFY_TOKEN)
            .env("PORT", port.to_string())
            .env("OPS_PORT", ops_port.to_string())
            .env("INSTAGRAM_WEBHOOK_OPS_TOKEN", OPS_TOKEN)
            .env("INSTAGRAM_WEBHOOK_OPS_READ_TOKEN", OPS_READ_TOKEN)
            .env("INSTAGRAM_WEBHOOK_DATABASE", database)
            .env("INSTAGRAM_WEBHOOK_ROLE", "receiver")
            .env("RUST_LOG", "info"),
    );
    let ops = format!("http://127.0.0.1:{ops_port}");
    let client = client();
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(
            example.alive(),
            "the example exited before it was ready\n{}",
            example.stderr_tail(40)
        );
        if let Ok(response) = client.get(format!("{ops}/readyz")).send().await
            && response.status() == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the example's /readyz did not answer 200 in time\n{}",
            example.stderr_tail(40)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (example, format!("http://127.0.0.1:{port}/webhook"), ops)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_a_browser() {
    let started = Instant::now();
    let (browser_dir, chromium) = browser_tests();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = format!("sqlite://{}", dir.path().join("inbox.db").display());
    let seeded = seed_inbox(&database).await;
    eprintln!("dashboard: seeded {seeded:?} in {:?}", started.elapsed());

    let (mut example, webhook, ops) = start_example(&database).await;
    let expect = json!({
        "counts": seeded.counts,
        "total": seeded.total,
        "dead_by_kind": seeded.dead_by_kind,
        "script_id": seeded.script.0,
        "dead_id": seeded.dead.0,
        "dead_attempts": 2,
        "dead_class": "error",
        "account": ACCOUNT,
        "other_account": OTHER_ACCOUNT,
        "other_account_events": 2,
    });
    let screenshots = screenshots();
    let browser_started = Instant::now();
    let mut node = Proc::spawn(
        "dashboard.mjs",
        Command::new("node")
            .arg(browser_dir.join("dashboard.mjs"))
            .current_dir(&browser_dir)
            .env("OPS_URL", &ops)
            .env("OPS_TOKEN", OPS_TOKEN)
            .env("OPS_READ_TOKEN", OPS_READ_TOKEN)
            .env("WEBHOOK_URL", &webhook)
            .env("APP_SECRET", SECRET)
            .env("EXPECT", expect.to_string())
            .env("SCREENSHOTS", &screenshots)
            .env("CHROMIUM", &chromium),
    );
    let finished = tokio::task::spawn_blocking(move || {
        let result = node.finish(BROWSER_PATIENCE);
        (node, result)
    })
    .await
    .expect("the browser test's waiter");
    let (node, result) = finished;
    if let Err(error) = result {
        panic!(
            "the browser test failed: {error}\n{}\n{}",
            node.output(),
            example.stderr_tail(40)
        );
    }
    assert!(
        example.alive(),
        "the example died during the browser test\n{}",
        example.stderr_tail(40)
    );
    let browser_took = browser_started.elapsed();

    // What the browser did, as the library reads it.
    let result: Value = node
        .stdout()
        .iter()
        .find_map(|line| line.strip_prefix("RESULT "))
        .map(|line| serde_json::from_str(line).expect("the RESULT line is JSON"))
        .unwrap_or_else(|| panic!("the browser test printed no RESULT line\n{}", node.output()));
    let inbox = Inbox::builder()
        .maintenance(None)
        .open(&database)
        .await
        .expect("the inbox opens from the test");
    let retried = inbox
        .event(seeded.dead)
        .await
        .expect("the retried dead letter");
    assert_eq!(
        retried.event.state,
        State::Pending,
        "the dead letter retried from the dialog"
    );
    for id in &seeded.failed {
        let event = inbox.event(*id).await.expect("a failed event");
        assert_eq!(
            event.event.state,
            State::Pending,
            "failed event {id} after the bulk retry"
        );
    }
    let fresh = EventId(result["fresh"].as_i64().expect("the fresh event's id"));
    let fresh = inbox
        .event(fresh)
        .await
        .expect("the fresh comment is stored");
    assert_eq!(fresh.event.kind, "comment");
    let deleted = EventId(result["deleted"].as_i64().expect("the deleted event's id"));
    assert!(
        matches!(inbox.event(deleted).await, Err(Error::NotFound(_))),
        "event {deleted} was deleted from the dialog"
    );
    inbox.close().await;
    drop(example);
    eprintln!(
        "dashboard: browser test {browser_took:?}, {:?} in all; screenshots in {}",
        started.elapsed(),
        screenshots.display()
    );
}
