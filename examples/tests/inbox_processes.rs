//! The `inbox_receiver` example as real processes, over real HTTP, on real
//! databases: killed in the middle of a load (`SQLite` and `PostgreSQL`), its
//! `PostgreSQL` server stopped and started under it, and several receivers
//! and workers sharing one `PostgreSQL` database (one worker killed mid-run).
//!
//! Every test checks correctness only: what was answered 200 is stored, each
//! dedup key has one event, every event ends processed and was printed by a
//! worker. The tests run one at a time (they share two cores).

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::SignedDelivery;
use instagram_webhook_core::types::Notification;
use instagram_webhook_inbox::{EventId, EventRecord, Filter, Inbox, State};
use instagram_webhook_testing::postgres::Server;
use serde_json::{Value, json};
use support::{Lines, collect, example_binary, free_port, locked};

const SECRET: &str = "inbox-processes-app-secret";
const TOKEN: &str = "inbox-processes-verify-token";
const ACCOUNT: &str = "17841400000000001";

/// How long any wait may last: generous, as the machine may be busy.
const PATIENCE: Duration = Duration::from_secs(180);

/// The tests run one at a time: each starts several processes and a load.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ---------------------------------------------------------------------------
// Child processes.

/// A running example process; killed (SIGKILL) when dropped, so a failed
/// assertion leaves nothing behind.
struct Proc {
    name: String,
    child: Child,
    port: u16,
    stdout: Lines,
    stderr: Lines,
    readers: Vec<JoinHandle<()>>,
}

impl Proc {
    /// Starts the example with `role` on `database`.
    fn start(name: &str, database: &str, role: &str) -> Self {
        let port = free_port();
        let mut child = Command::new(example_binary())
            .env("INSTAGRAM_APP_SECRET", SECRET)
            .env("INSTAGRAM_VERIFY_TOKEN", TOKEN)
            .env("PORT", port.to_string())
            .env("OPS_PORT", "0")
            .env("INSTAGRAM_WEBHOOK_DATABASE", database)
            .env("INSTAGRAM_WEBHOOK_ROLE", role)
            .env("INSTAGRAM_WEBHOOK_ATTEMPT_TIMEOUT", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts");
        let stdout = Lines::default();
        let stderr = Lines::default();
        let readers = vec![
            collect(child.stdout.take().expect("stdout"), Arc::clone(&stdout)),
            collect(child.stderr.take().expect("stderr"), Arc::clone(&stderr)),
        ];
        Self {
            name: name.to_owned(),
            child,
            port,
            stdout,
            stderr,
            readers,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/webhook", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `SIG<name>` (`STOP`, `CONT`).
    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} {}", self.pid());
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL, then waits for it and for the last of its output.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    fn stdout(&self) -> Vec<String> {
        locked(&self.stdout).clone()
    }

    fn stdout_len(&self) -> usize {
        locked(&self.stdout).len()
    }

    fn stderr_has(&self, needle: &str) -> bool {
        locked(&self.stderr)
            .iter()
            .any(|line| line.contains(needle))
    }

    /// The last lines of its stderr, for failure messages.
    fn stderr_tail(&self, n: usize) -> String {
        let lines = locked(&self.stderr);
        let from = lines.len().saturating_sub(n);
        format!("--- {} stderr ---\n{}", self.name, lines[from..].join("\n"))
    }

    /// Waits until the process serves HTTP (a receiver) or says it opened
    /// the inbox (a worker).
    async fn ready(&mut self, client: &reqwest::Client) {
        let deadline = Instant::now() + PATIENCE;
        let serves = !self.name.starts_with("worker");
        loop {
            assert!(
                self.alive(),
                "{} exited before it was ready\n{}",
                self.name,
                self.stderr_tail(40)
            );
            if serves {
                let url = format!(
                    "{}?hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge=4242",
                    self.url()
                );
                if let Ok(response) = client.get(&url).send().await
                    && response.status() == 200
                {
                    return;
                }
            } else if self.stderr_has("inbox on ") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready in time\n{}",
                self.name,
                self.stderr_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One line a worker printed for a processed event.
#[derive(Debug, Clone)]
struct Printed {
    event_id: i64,
    dedup_key: String,
    attempt: i64,
}

/// The processed-event lines of a worker's stdout (a line torn by SIGKILL
/// is skipped).
fn printed(lines: &[String]) -> Vec<Printed> {
    lines
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|line| {
            Some(Printed {
                event_id: line.get("event_id")?.as_i64()?,
                dedup_key: line.get("dedup_key")?.as_str()?.to_owned(),
                attempt: line.get("attempt")?.as_i64()?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Deliveries and HTTP.

/// A signed delivery and the dedup keys of its items.
#[derive(Debug, Clone)]
struct Planned {
    delivery: SignedDelivery,
    keys: Vec<String>,
}

fn secret() -> AppSecret {
    AppSecret::new(SECRET).expect("a valid app secret")
}

/// Delivery `index` of a run tagged `tag`: `items` messages in one
/// `messaging` entry, each with its own `mid`, from one of `users` senders.
fn planned(secret: &AppSecret, tag: &str, index: usize, items: usize, users: usize) -> Planned {
    let messaging: Vec<Value> = (0..items)
        .map(|item| {
            let n = index * items + item;
            json!({
                "sender": {"id": format!("{}", 900_000_000 + n % users)},
                "recipient": {"id": ACCOUNT},
                "timestamp": 1_700_000_000_000_u64 + n as u64,
                "message": {"mid": format!("mid.{tag}.{index}.{item}"), "text": format!("message {item} of delivery {index}")}
            })
        })
        .collect();
    let body = json!({
        "object": "instagram",
        "entry": [{"id": ACCOUNT, "time": 1_700_000_000_123_u64, "messaging": messaging}]
    });
    let body = serde_json::to_vec(&body).expect("JSON");
    let keys = dedup_keys(&body);
    assert_eq!(keys.len(), items);
    Planned {
        delivery: SignedDelivery::from_body(secret, body),
        keys,
    }
}

/// The dedup keys of an envelope's items, as the library computes them.
fn dedup_keys(body: &[u8]) -> Vec<String> {
    Notification::from_slice(body)
        .expect("an Instagram envelope")
        .events()
        .map(|event| event.expect("a decodable item").dedup_key().into_string())
        .collect()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(64)
        .build()
        .expect("an HTTP client")
}

/// How a POST was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Answer {
    /// The status, or `None` when no answer came (connection refused, cut).
    status: Option<u16>,
    retry_after: bool,
}

impl Answer {
    fn ok(self) -> bool {
        self.status == Some(200)
    }
}

async fn post(client: &reqwest::Client, url: &str, delivery: &SignedDelivery) -> Answer {
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", delivery.signature())
        .body(delivery.body().clone())
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            // Read the body so the connection can be reused.
            let _ = response.bytes().await;
            Answer {
                status: Some(status),
                retry_after,
            }
        }
        Err(_) => Answer {
            status: None,
            retry_after: false,
        },
    }
}

/// Sends `plan[i]` for each `i` of `order` to `urls` (by index, round
/// robin), from `concurrency` tasks, until `stop` is set; each delivery once.
/// Returns what each sent delivery got; counts answers in `answered`.
async fn send_once(
    urls: Arc<Vec<String>>,
    plan: Arc<Vec<Planned>>,
    order: Arc<Vec<usize>>,
    concurrency: usize,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
) -> Vec<(usize, Answer)> {
    let client = client();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, urls, plan, order) = (
            client.clone(),
            Arc::clone(&urls),
            Arc::clone(&plan),
            Arc::clone(&order),
        );
        let (next, stop, answered) = (Arc::clone(&next), Arc::clone(&stop), Arc::clone(&answered));
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let Some(&index) = order.get(next.fetch_add(1, Ordering::SeqCst)) else {
                    break;
                };
                let url = &urls[index % urls.len()];
                let answer = post(&client, url, &plan[index].delivery).await;
                if answer.status.is_some() {
                    answered.fetch_add(1, Ordering::SeqCst);
                }
                outcomes.push((index, answer));
            }
            outcomes
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await.expect("a sender task"));
    }
    outcomes
}

/// Sends every `plan[i]` of `order` until it is answered 200 (at most 20
/// tries each, like Meta's redeliveries); panics for one that never is.
async fn send_until_ok(
    urls: Arc<Vec<String>>,
    plan: Arc<Vec<Planned>>,
    order: Vec<usize>,
    concurrency: usize,
) -> usize {
    let client = client();
    let order = Arc::new(order);
    let next = Arc::new(AtomicUsize::new(0));
    let retried = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, urls, plan, order) = (
            client.clone(),
            Arc::clone(&urls),
            Arc::clone(&plan),
            Arc::clone(&order),
        );
        let (next, retried) = (Arc::clone(&next), Arc::clone(&retried));
        tasks.push(tokio::spawn(async move {
            while let Some(&index) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
                let url = &urls[index % urls.len()];
                let mut tries = 0;
                loop {
                    let answer = post(&client, url, &plan[index].delivery).await;
                    if answer.ok() {
                        break;
                    }
                    tries += 1;
                    retried.fetch_add(1, Ordering::SeqCst);
                    assert!(
                        tries < 20,
                        "delivery {index} never answered 200 (last: {answer:?})"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("a sender task");
    }
    retried.load(Ordering::SeqCst)
}

// ---------------------------------------------------------------------------
// The inbox, read from the test.

async fn check_inbox(url: &str) -> Inbox {
    Inbox::builder()
        .maintenance(None)
        .open(url)
        .await
        .expect("the inbox opens from the test")
}

/// Every event, through the keyset pages.
async fn all_events(inbox: &Inbox) -> Vec<EventRecord> {
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
            None => return events,
        }
    }
}

/// Waits until `done` says so, or panics with `what` past `limit`.
async fn wait_for<F, Fut>(limit: Duration, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + limit;
    loop {
        match done().await {
            Ok(()) => return,
            Err(state) if Instant::now() > deadline => {
                panic!("{what}: not within {limit:?}; last state: {state}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// Ok once nothing is waiting, held or failed, and `expected` events (if
/// given) are processed.
async fn drained(inbox: &Inbox, expected: Option<u64>) -> Result<(), String> {
    let stats = inbox.stats().await.map_err(|error| error.to_string())?;
    let busy =
        stats.count(State::Pending) + stats.count(State::Processing) + stats.count(State::Failed);
    let processed = stats.count(State::Processed);
    if busy == 0 && expected.is_none_or(|expected| processed >= expected) {
        Ok(())
    } else {
        Err(format!("{:?}", stats.by_state))
    }
}

/// Asserts one event per dedup key, and returns them by key.
fn by_key(events: &[EventRecord]) -> HashMap<&str, &EventRecord> {
    let mut keys: HashMap<&str, &EventRecord> = HashMap::new();
    for event in events {
        if let Some(other) = keys.insert(event.dedup_key.as_str(), event) {
            panic!(
                "two events for dedup key {}: {} and {}",
                event.dedup_key, other.id, event.id
            );
        }
    }
    keys
}

async fn postgres_database() -> String {
    let server = tokio::task::spawn_blocking(Server::shared)
        .await
        .expect("the PostgreSQL server starts");
    server.database().await
}

// ---------------------------------------------------------------------------
// 1. Killed in the middle of a load.

/// Deliveries of the crash test (every tenth a repeat of an earlier one).
const CRASH_DELIVERIES: usize = 1500;
/// Answers before the SIGKILL.
const CRASH_AFTER: usize = 500;

/// 1,500 deliveries (1 to 3 messages each; every tenth an exact repeat of
/// an earlier one) from 16 concurrent senders; SIGKILL after 500 answers;
/// restart on the same database and send, like Meta, what was not answered
/// 200; wait for the queue to drain.
async fn crash(database: String) {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let secret = secret();
    let mut plan: Vec<Planned> = Vec::with_capacity(CRASH_DELIVERIES);
    for index in 0..CRASH_DELIVERIES {
        if index >= 20 && index % 10 == 7 {
            // Meta's redelivery: the same bytes as an earlier delivery.
            let original = index - 1 - (index * 13) % 19;
            let again = plan[original].clone();
            plan.push(again);
        } else {
            plan.push(planned(&secret, "crash", index, 1 + index % 3, 64));
        }
    }
    let repeats = CRASH_DELIVERIES - {
        let mut bodies: Vec<&[u8]> = plan.iter().map(|p| &p.delivery.body()[..]).collect();
        bodies.sort_unstable();
        bodies.dedup();
        bodies.len()
    };
    assert!(repeats > 100, "the plan has repeats");
    let plan = Arc::new(plan);
    let client = client();

    // First run: killed after CRASH_AFTER answers.
    let mut first = Proc::start("first run", &database, "both");
    first.ready(&client).await;
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let load = tokio::spawn(send_once(
        Arc::new(vec![first.url()]),
        Arc::clone(&plan),
        Arc::new((0..CRASH_DELIVERIES).collect()),
        16,
        Arc::clone(&stop),
        Arc::clone(&answered),
    ));
    let deadline = Instant::now() + PATIENCE;
    while answered.load(Ordering::SeqCst) < CRASH_AFTER {
        assert!(
            Instant::now() < deadline,
            "fewer than {CRASH_AFTER} answers in time\n{}",
            first.stderr_tail(40)
        );
        assert!(!load.is_finished(), "the load ended early");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    first.kill();
    stop.store(true, Ordering::SeqCst);
    let first_outcomes = load.await.expect("the first load");
    let first_lines = printed(&first.stdout());
    let acked_first: BTreeSet<usize> = first_outcomes
        .iter()
        .filter(|(_, answer)| answer.ok())
        .map(|(index, _)| *index)
        .collect();
    let statuses: BTreeMap<Option<u16>, usize> =
        first_outcomes
            .iter()
            .fold(BTreeMap::new(), |mut counts, (_, answer)| {
                *counts.entry(answer.status).or_default() += 1;
                counts
            });
    assert!(
        first_outcomes
            .iter()
            .all(|(_, answer)| answer.ok() || answer.status.is_none()),
        "before the kill every answer is 200: {statuses:?}"
    );
    assert!(acked_first.len() >= CRASH_AFTER - 16);
    eprintln!(
        "crash: first run answered {} of {} sent ({statuses:?}), printed {} events",
        acked_first.len(),
        first_outcomes.len(),
        first_lines.len()
    );

    // The killed worker's leases (twice the 1 s attempt timeout) run out;
    // the restarted process's rescuer takes them back when it starts.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut second = Proc::start("second run", &database, "both");
    second.ready(&client).await;
    let inbox = check_inbox(&database).await;

    // Every delivery answered 200 before the kill is stored, now.
    let stored = all_events(&inbox).await;
    let stored_keys = by_key(&stored);
    for &index in &acked_first {
        for key in &plan[index].keys {
            assert!(
                stored_keys.contains_key(key.as_str()),
                "delivery {index} was answered 200 before the kill but its event {key} is not stored"
            );
        }
    }

    // Like Meta: send again what was not answered 200 (and what was never sent).
    let rest: Vec<usize> = (0..CRASH_DELIVERIES)
        .filter(|index| !acked_first.contains(index))
        .collect();
    let resent = rest.len();
    let retried = send_until_ok(Arc::new(vec![second.url()]), Arc::clone(&plan), rest, 16).await;
    assert_eq!(retried, 0, "the second run answers every delivery 200");

    let all_keys: BTreeSet<&str> = plan
        .iter()
        .flat_map(|p| p.keys.iter().map(String::as_str))
        .collect();
    let expected = all_keys.len() as u64;
    wait_for(PATIENCE, "every event processed", || {
        drained(&inbox, Some(expected))
    })
    .await;

    let events = all_events(&inbox).await;
    let keys = by_key(&events);
    let event_keys: BTreeSet<&str> = keys.keys().copied().collect();
    assert_eq!(
        event_keys, all_keys,
        "exactly the planned dedup keys are stored"
    );
    for event in &events {
        assert_eq!(
            event.state,
            State::Processed,
            "event {} ({})",
            event.id,
            event.dedup_key
        );
    }

    // Every event was printed by a worker, in one run or the other, with
    // its own dedup key.
    let mut lines = Vec::new();
    wait_for(PATIENCE, "every event printed", || {
        lines = first_lines.clone();
        lines.extend(printed(&second.stdout()));
        let seen: BTreeSet<i64> = lines.iter().map(|line| line.event_id).collect();
        let missing = events.iter().filter(|e| !seen.contains(&e.id.0)).count();
        std::future::ready(if missing == 0 {
            Ok(())
        } else {
            Err(format!("{missing} events not printed"))
        })
    })
    .await;
    let by_id: HashMap<i64, &EventRecord> = events.iter().map(|e| (e.id.0, e)).collect();
    for line in &lines {
        let event = by_id
            .get(&line.event_id)
            .unwrap_or_else(|| panic!("printed event {} is not in the inbox", line.event_id));
        assert_eq!(line.dedup_key, event.dedup_key, "event {}", line.event_id);
        assert!(line.attempt >= 1 && line.attempt <= event.attempt);
    }
    let printed_twice = lines.len() - events.len();

    // Repeats are duplicates: at least the 200'd copies beyond the first,
    // at most the copies sent beyond the first.
    let mut acked_copies: HashMap<&str, u64> = HashMap::new();
    let mut sent_copies: HashMap<&str, u64> = HashMap::new();
    for (index, answer) in &first_outcomes {
        for key in &plan[*index].keys {
            *sent_copies.entry(key).or_default() += 1;
            if answer.ok() {
                *acked_copies.entry(key).or_default() += 1;
            }
        }
    }
    for index in (0..CRASH_DELIVERIES).filter(|index| !acked_first.contains(index)) {
        for key in &plan[index].keys {
            // Each was answered 200 in the second run (plus any earlier try).
            *sent_copies.entry(key).or_default() += 1;
            *acked_copies.entry(key).or_default() += 1;
        }
    }
    let mut least = 0;
    for event in &events {
        let key = event.dedup_key.as_str();
        let low = acked_copies[key] - 1;
        let high = sent_copies[key] - 1;
        let duplicates = u64::try_from(event.duplicates).expect("a count");
        assert!(
            (low..=high).contains(&duplicates),
            "event {key}: {duplicates} duplicates recorded, expected {low} to {high}"
        );
        least += low;
    }
    let stats = inbox.stats().await.expect("stats");
    assert!(least > 0, "repeats were answered 200");
    assert!(
        stats.duplicates >= least,
        "stats: {} duplicates, at least {least} expected",
        stats.duplicates
    );
    assert_eq!(stats.count(State::DeadLetter), 0);

    assert!(second.alive(), "{}", second.stderr_tail(40));
    inbox.close().await;
    eprintln!(
        "crash ({}): {} events, {repeats} planned repeats, {} duplicates recorded, \
         {resent} deliveries resent after the restart, {printed_twice} events printed twice, {:?}",
        if database.starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        },
        events.len(),
        stats.duplicates,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_load_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = format!("sqlite://{}", dir.path().join("inbox.db").display());
    crash(database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_load_postgres() {
    crash(postgres_database().await).await;
}

// ---------------------------------------------------------------------------
// 2. The PostgreSQL server stops and starts under a receiver.

/// One POST of the store-down test.
#[derive(Debug, Clone)]
struct Sent {
    index: usize,
    /// Whether it was sent after the server had stopped.
    while_down: bool,
    took: Duration,
    answer: Answer,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_down_answers_503_and_recovers() {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let server = Arc::new(
        tokio::task::spawn_blocking(Server::throwaway)
            .await
            .expect("a throwaway PostgreSQL cluster"),
    );
    let database = server.database().await;
    let client = client();
    let mut receiver = Proc::start("receiver", &database, "receiver");
    receiver.ready(&client).await;

    // Deliveries made on the fly: index `i` is one message, `mid.down.i.0`.
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let down = Arc::new(AtomicBool::new(false));
    let answered_down = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..8 {
        let (client, url) = (client.clone(), receiver.url());
        let (stop, next, answered) = (Arc::clone(&stop), Arc::clone(&next), Arc::clone(&answered));
        let (down, answered_down) = (Arc::clone(&down), Arc::clone(&answered_down));
        senders.push(tokio::spawn(async move {
            let secret = secret();
            let mut sent = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let delivery = planned(&secret, "down", index, 1, 32).delivery;
                let while_down = down.load(Ordering::SeqCst);
                let at = Instant::now();
                let answer = post(&client, &url, &delivery).await;
                answered.fetch_add(1, Ordering::SeqCst);
                if while_down {
                    answered_down.fetch_add(1, Ordering::SeqCst);
                }
                sent.push(Sent {
                    index,
                    while_down,
                    took: at.elapsed(),
                    answer,
                });
            }
            sent
        }));
    }
    let deadline = Instant::now() + PATIENCE;
    while answered.load(Ordering::SeqCst) < 300 {
        assert!(Instant::now() < deadline, "{}", receiver.stderr_tail(40));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Stop the server under the load; keep sending for at least 3 s, until
    // 8 deliveries sent after the stop are answered (an answer takes as
    // long as the store's timeout).
    let stopping = Arc::clone(&server);
    tokio::task::spawn_blocking(move || stopping.stop())
        .await
        .expect("the server stops");
    let stopped_at = Instant::now();
    down.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + PATIENCE;
    while stopped_at.elapsed() < Duration::from_secs(3) || answered_down.load(Ordering::SeqCst) < 8
    {
        assert!(
            Instant::now() < deadline,
            "too few answers while the server is down\n{}",
            receiver.stderr_tail(40)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut sent: Vec<Sent> = Vec::new();
    for sender in senders {
        sent.extend(sender.await.expect("a sender"));
    }
    let down_for = stopped_at.elapsed();
    let after_stop: Vec<&Sent> = sent.iter().filter(|s| s.while_down).collect();
    let slowest_503 = sent
        .iter()
        .filter(|s| s.answer.status == Some(503))
        .map(|s| s.took)
        .max()
        .unwrap_or_default();
    let statuses: BTreeMap<Option<u16>, usize> =
        after_stop.iter().fold(BTreeMap::new(), |mut counts, s| {
            *counts.entry(s.answer.status).or_default() += 1;
            counts
        });
    assert!(
        !after_stop.is_empty(),
        "deliveries were sent while the server was down"
    );
    for s in &after_stop {
        assert_eq!(
            s.answer.status,
            Some(503),
            "delivery {} sent while the server was down: {statuses:?}\n{}",
            s.index,
            receiver.stderr_tail(20)
        );
    }
    for s in &sent {
        if s.answer.status == Some(503) {
            assert!(s.answer.retry_after, "503 without Retry-After");
        }
        assert!(
            matches!(s.answer.status, Some(200 | 503)),
            "delivery {}: {:?}",
            s.index,
            s.answer
        );
    }
    assert!(
        receiver.alive(),
        "the receiver died with its store\n{}",
        receiver.stderr_tail(40)
    );

    // Start the server again: the same process answers 200 again.
    let starting = Arc::clone(&server);
    tokio::task::spawn_blocking(move || starting.start())
        .await
        .expect("the server starts");
    let secret = secret();
    let mut index = next.load(Ordering::SeqCst) + 1000;
    let mut recovered: Vec<usize> = Vec::new();
    let mut refused_after_start = 0;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let delivery = planned(&secret, "down", index, 1, 32).delivery;
        let answer = post(&client, &receiver.url(), &delivery).await;
        if answer.ok() {
            recovered.push(index);
            index += 1;
            break;
        }
        refused_after_start += 1;
        assert!(
            Instant::now() < deadline,
            "no 200 in time of the server's start (last: {answer:?})\n{}",
            receiver.stderr_tail(40)
        );
        index += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let recovery: Vec<usize> = (index..index + 100).collect();
    let plan: Arc<Vec<Planned>> = Arc::new(
        recovery
            .iter()
            .map(|&i| planned(&secret, "down", i, 1, 32))
            .collect(),
    );
    let retried = send_until_ok(
        Arc::new(vec![receiver.url()]),
        plan,
        (0..recovery.len()).collect(),
        8,
    )
    .await;
    recovered.extend(recovery);
    assert!(receiver.alive(), "{}", receiver.stderr_tail(40));

    // Every delivery answered 200 is stored, once.
    let inbox = check_inbox(&database).await;
    let events = all_events(&inbox).await;
    let keys = by_key(&events);
    let acked: Vec<usize> = sent
        .iter()
        .filter(|s| s.answer.ok())
        .map(|s| s.index)
        .chain(recovered.iter().copied())
        .collect();
    for &index in &acked {
        let key = &planned(&secret, "down", index, 1, 32).keys[0];
        assert!(
            keys.contains_key(key.as_str()),
            "delivery {index} was answered 200 but is not stored"
        );
    }
    assert!(events.len() <= sent.len() + refused_after_start + recovered.len());
    inbox.close().await;
    eprintln!(
        "store down: {} sent before and during the outage ({} after the stop: {statuses:?}, \
         down for {down_for:?}, slowest 503 {slowest_503:?}), {refused_after_start} refused after the start, {} stored, \
         {retried} retries after recovery, {:?}",
        sent.len(),
        after_stop.len(),
        events.len(),
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// 3. Two receivers and three workers on one PostgreSQL database.

const DELIVERIES: usize = 1000;
const ITEMS: usize = 10;
const EVENTS: u64 = (DELIVERIES * ITEMS) as u64;

struct Cluster {
    database: String,
    receivers: Vec<Proc>,
    workers: Vec<Proc>,
    plan: Arc<Vec<Planned>>,
}

/// Two receivers and three workers on a fresh database, ready.
async fn cluster(tag: &str) -> Cluster {
    let database = postgres_database().await;
    let client = client();
    let mut receivers: Vec<Proc> = (1..=2)
        .map(|n| Proc::start(&format!("receiver {n}"), &database, "receiver"))
        .collect();
    let mut workers: Vec<Proc> = (1..=3)
        .map(|n| Proc::start(&format!("worker {n}"), &database, "worker"))
        .collect();
    for process in receivers.iter_mut().chain(workers.iter_mut()) {
        process.ready(&client).await;
    }
    let secret = secret();
    let plan = Arc::new(
        (0..DELIVERIES)
            .map(|index| planned(&secret, tag, index, ITEMS, 500))
            .collect(),
    );
    Cluster {
        database,
        receivers,
        workers,
        plan,
    }
}

impl Cluster {
    /// Sends every delivery, half to each receiver, until answered 200.
    fn send(&self) -> tokio::task::JoinHandle<usize> {
        let urls = Arc::new(self.receivers.iter().map(Proc::url).collect::<Vec<_>>());
        tokio::spawn(send_until_ok(
            urls,
            Arc::clone(&self.plan),
            (0..DELIVERIES).collect(),
            16,
        ))
    }

    fn tails(&self) -> String {
        self.receivers
            .iter()
            .chain(&self.workers)
            .map(|p| p.stderr_tail(15))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Checks every planned dedup key has its one event, all processed.
    fn check_events(&self, events: &[EventRecord]) {
        assert_eq!(events.len() as u64, EVENTS);
        let keys = by_key(events);
        for planned in self.plan.iter() {
            for key in &planned.keys {
                assert!(keys.contains_key(key.as_str()), "{key} is not stored");
            }
        }
        for event in events {
            assert_eq!(event.state, State::Processed, "event {}", event.id);
        }
    }

    /// Every printed line, by event id.
    fn printed_by_id(&self) -> HashMap<i64, Vec<(usize, Printed)>> {
        let mut by_id: HashMap<i64, Vec<(usize, Printed)>> = HashMap::new();
        for (n, worker) in self.workers.iter().enumerate() {
            for line in printed(&worker.stdout()) {
                by_id.entry(line.event_id).or_default().push((n, line));
            }
        }
        by_id
    }
}

async fn all_printed(cluster: &Cluster, events: &[EventRecord]) {
    wait_for(PATIENCE, "every event printed", || {
        let printed = cluster.printed_by_id();
        let missing = events
            .iter()
            .filter(|e| !printed.contains_key(&e.id.0))
            .count();
        std::future::ready(if missing == 0 {
            Ok(())
        } else {
            Err(format!("{missing} events not printed"))
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_each_event_once() {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let mut cluster = cluster("several").await;
    let inbox = check_inbox(&cluster.database).await;
    eprintln!("several processes: ready after {:?}", started.elapsed());
    let retried = cluster.send().await.expect("the load");
    eprintln!("several processes: sent after {:?}", started.elapsed());
    wait_for(PATIENCE, "10,000 events processed", || {
        drained(&inbox, Some(EVENTS))
    })
    .await;
    eprintln!("several processes: drained after {:?}", started.elapsed());
    let events = all_events(&inbox).await;
    cluster.check_events(&events);
    all_printed(&cluster, &events).await;
    for worker in &mut cluster.workers {
        assert!(worker.alive(), "{}", worker.stderr_tail(20));
        worker.kill();
    }
    let by_id: HashMap<i64, &EventRecord> = events.iter().map(|e| (e.id.0, e)).collect();
    let printed = cluster.printed_by_id();
    for (id, lines) in &printed {
        assert_eq!(
            lines.len(),
            1,
            "event {id} printed {} times: {lines:?}\n{}",
            lines.len(),
            cluster.tails()
        );
        let (_, line) = &lines[0];
        let event = by_id
            .get(id)
            .unwrap_or_else(|| panic!("printed event {id} is not in the inbox"));
        assert_eq!(line.dedup_key, event.dedup_key);
        assert_eq!(line.attempt, 1, "event {id}");
        assert_eq!(event.attempt, 1, "event {id}");
    }
    assert_eq!(printed.len() as u64, EVENTS);
    let per_worker: Vec<usize> = cluster.workers.iter().map(Proc::stdout_len).collect();
    assert_eq!(per_worker.iter().sum::<usize>() as u64, EVENTS);
    inbox.close().await;
    eprintln!(
        "several processes: {EVENTS} events, {retried} deliveries retried, \
         lines per worker {per_worker:?}, {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_worker_killed() {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let mut cluster = cluster("killed").await;
    // The rescuer: this process's inbox, every 200 ms.
    let rescuer = Inbox::builder()
        .maintenance(Some((Duration::from_millis(200), Duration::from_secs(600))))
        .open(&cluster.database)
        .await
        .expect("the rescuer's inbox opens");
    let load = cluster.send();

    // Kill the first worker once it is well into its share, at a moment it
    // holds events. To know what it holds when it dies, freeze it first
    // (SIGSTOP), let its statements under way land, read what the inbox
    // says it holds, then SIGKILL it; if it held nothing, thaw it and retry.
    let victim_pid = cluster.workers[0].pid();
    let holder = format!("worker-{victim_pid}-");
    let processing = Filter::new().state(State::Processing);
    let deadline = Instant::now() + PATIENCE;
    let held_at_kill: BTreeSet<EventId> = loop {
        assert!(
            Instant::now() < deadline,
            "the first worker printed fewer than 300 events, or never held one\n{}",
            cluster.tails()
        );
        if cluster.workers[0].stdout_len() >= 300 {
            cluster.workers[0].signal("STOP");
            tokio::time::sleep(Duration::from_millis(500)).await;
            let page = rescuer
                .events(&processing, None, 100)
                .await
                .expect("the events held");
            let held: BTreeSet<EventId> = page
                .events
                .iter()
                .filter(|e| {
                    e.locked_by
                        .as_deref()
                        .is_some_and(|w| w.starts_with(&holder))
                })
                .map(|e| e.id)
                .collect();
            if !held.is_empty() {
                cluster.workers[0].kill();
                break held;
            }
            cluster.workers[0].signal("CONT");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let victim_lines = cluster.workers[0].stdout_len();
    eprintln!("worker killed: killed after {:?}", started.elapsed());
    let retried = load.await.expect("the load");
    eprintln!("worker killed: sent after {:?}", started.elapsed());
    wait_for(PATIENCE, "10,000 events processed", || {
        drained(&rescuer, Some(EVENTS))
    })
    .await;
    eprintln!("worker killed: drained after {:?}", started.elapsed());
    let events = all_events(&rescuer).await;
    cluster.check_events(&events);
    all_printed(&cluster, &events).await;
    for worker in &mut cluster.workers[1..] {
        assert!(worker.alive(), "{}", worker.stderr_tail(20));
    }

    // What the killed worker held was taken back by the rescuer.
    let mut rescued = BTreeSet::new();
    let mut lost_by_live = Vec::new();
    for event in events
        .iter()
        .filter(|e| e.last_error_class.is_some() || e.attempt > 1)
    {
        let detail = rescuer.event(event.id).await.expect("an event");
        for attempt in &detail.attempts {
            assert_eq!(
                attempt.error_class, "lease_expired",
                "event {}: {attempt:?}",
                event.id
            );
            if attempt.worker.starts_with(&holder) {
                rescued.insert(event.id);
            } else {
                lost_by_live.push((event.id, attempt.worker.clone()));
            }
        }
    }
    let printed = cluster.printed_by_id();
    // Each event it held when it died was taken back (or, if its last
    // statement landed late, processed by it).
    for id in &held_at_kill {
        let done_by_victim = printed
            .get(&id.0)
            .is_some_and(|lines| lines.iter().any(|(worker, _)| *worker == 0));
        assert!(
            rescued.contains(id) || done_by_victim,
            "event {id} was held by the killed worker and not taken back"
        );
    }
    assert!(
        !rescued.is_empty(),
        "nothing was taken back from the killed worker (it held {held_at_kill:?})"
    );
    let by_id: HashMap<i64, &EventRecord> = events.iter().map(|e| (e.id.0, e)).collect();
    let mut repeated = 0;
    for (id, lines) in &printed {
        let event = by_id
            .get(id)
            .unwrap_or_else(|| panic!("printed event {id} is not in the inbox"));
        for (_, line) in lines {
            assert_eq!(line.dedup_key, event.dedup_key);
        }
        if lines.len() > 1 {
            repeated += 1;
            assert!(
                rescued.contains(&EventId(*id)),
                "event {id} printed {} times but the killed worker did not hold it: {lines:?}",
                lines.len()
            );
            assert!(
                lines.iter().any(|(worker, _)| *worker == 0),
                "event {id} repeated by live workers only: {lines:?}"
            );
        }
    }
    assert_eq!(printed.len() as u64, EVENTS);
    assert!(
        lost_by_live.is_empty(),
        "live workers lost leases: {lost_by_live:?}"
    );
    rescuer.close().await;
    eprintln!(
        "worker killed: {EVENTS} events, the killed worker printed {victim_lines} \
         and held {} when it died, \
         {} rescued from it, {repeated} printed twice, {retried} deliveries retried, {:?}",
        held_at_kill.len(),
        rescued.len(),
        started.elapsed()
    );
}
