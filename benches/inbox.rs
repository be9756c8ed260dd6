//! The durable inbox under load, on SQLite and PostgreSQL. Prints tables; no
//! thresholds: read the ratios against the baseline measured in the same run.
//!
//! 1. Ingest over real HTTP: an axum server on loopback mounting the inbox's
//!    receiver, 32 keep-alive senders posting signed ~1 KiB messaging
//!    deliveries (each one new). Deliveries/s, p50 and p99 time-to-200, for
//!    group commit (the defaults) beside one commit per delivery
//!    (`group_commit(1, 0)`), per engine. Every answer must be 200 and the
//!    inbox must hold exactly one event per 200. A third setup, `direct`,
//!    hands the same deliveries to `Inbox::store` without HTTP: the writer's
//!    ceiling, so the share HTTP takes is visible.
//! 2. Workers with a no-op handler: events pre-stored in deliveries of 100
//!    items, then the time until every one is processed, at concurrency 8
//!    and 32, unordered and ordered.
//! 3. Memory: RSS while events pass through store and worker on SQLite, with
//!    `keep_processed(0)` and a pruner so the event table stays small.
//!
//! Sizes come from the environment:
//!
//! | variable                      | default   | what                                   |
//! |-------------------------------|-----------|----------------------------------------|
//! | `INBOX_BENCH_SECONDS`         | 10        | measured seconds per ingest setup      |
//! | `INBOX_BENCH_WARMUP`          | 2         | warm-up seconds per ingest setup       |
//! | `INBOX_BENCH_MAX_DELIVERIES`  | 1000000   | measured deliveries per ingest setup   |
//! | `INBOX_BENCH_SENDERS`         | 32        | concurrent HTTP senders                |
//! | `INBOX_BENCH_WORKER_EVENTS`   | 20000     | events per worker run                  |
//! | `INBOX_BENCH_WORKER_SECONDS`  | 120       | time limit per worker run              |
//! | `INBOX_BENCH_ANALYZE`         | 0         | 1: `ANALYZE` (PostgreSQL) after pre-storing |
//! | `INBOX_BENCH_CONVERSATIONS`   | 1000      | distinct senders (order keys) of those |
//! | `INBOX_BENCH_EVENTS`          | 1000000   | events through the memory run          |
//! | `INBOX_BENCH_PARTS`           | all three | `ingest,worker,memory`, any subset     |
//! | `INBOX_BENCH_POSTGRES`        | 1         | 0 skips PostgreSQL                     |
//! | `INBOX_BENCH_DIR`             | temp dir  | where the SQLite files go              |
//! | `INBOX_BENCH_COMMIT`          | group,baseline,direct | ingest setups per engine   |
//! | `INBOX_BENCH_GROUP`           | 256,0     | `max_batch,max_wait_ms` of the group setups |
//! | `INBOX_BENCH_CONCURRENCY`     | 8,32      | worker concurrencies                   |
//! | `INBOX_BENCH_ORDERED`         | false,true| worker orderings                       |
//! | `RUST_LOG`                    | unset     | the inbox's log lines, to stderr       |
//!
//! PostgreSQL is `DATABASE_URL`, or a throwaway cluster started from the
//! system's binaries (see `instagram-webhook-testing`). Without `--bench`
//! (`cargo test --benches`) every size is tiny: a smoke run.
//!
//! Run: `cargo bench -p instagram-webhook-benches --bench inbox`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use instagram_webhook_axum::router;
use instagram_webhook_core::receive::{Delivery, Origin};
use instagram_webhook_core::test_kit::SignedDelivery;
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
use instagram_webhook_inbox::{Failure, Inbox, InboxBuilder, Job, State, Stats};
use instagram_webhook_testing::postgres::Server;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const ACCOUNT: &str = "17841400000000001";
/// Items per pre-stored delivery (worker and memory runs).
const ITEMS_PER_DELIVERY: u64 = 100;
/// Tasks storing deliveries concurrently (worker and memory runs).
const STORERS: usize = 32;

fn main() {
    let bench = std::env::args().any(|arg| arg == "--bench");
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let sizes = Sizes::from_env(bench);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let started = Instant::now();
    runtime.block_on(run(&sizes));
    println!("\ntotal time: {:.1} s", started.elapsed().as_secs_f64());
}

/// What to run, and how much of it.
#[derive(Debug)]
struct Sizes {
    seconds: f64,
    warmup: f64,
    max_deliveries: u64,
    senders: usize,
    worker_events: u64,
    worker_seconds: f64,
    analyze: bool,
    conversations: u64,
    memory_events: u64,
    parts: Vec<String>,
    commit: Vec<String>,
    group: (usize, Duration),
    concurrency: Vec<usize>,
    ordered: Vec<bool>,
    postgres: bool,
    dir: Option<String>,
}

impl Sizes {
    fn from_env(bench: bool) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let num = |name: &str, bench_default: f64, smoke: f64| -> f64 {
            var(name).map_or(if bench { bench_default } else { smoke }, |v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name}={v}: expected a number"))
            })
        };
        Self {
            seconds: num("INBOX_BENCH_SECONDS", 10.0, 0.5),
            warmup: num("INBOX_BENCH_WARMUP", 2.0, 0.2),
            max_deliveries: num("INBOX_BENCH_MAX_DELIVERIES", 1e6, 1e6) as u64,
            senders: num("INBOX_BENCH_SENDERS", 32.0, 32.0) as usize,
            worker_events: round_up(num("INBOX_BENCH_WORKER_EVENTS", 20_000.0, 1000.0) as u64),
            worker_seconds: num("INBOX_BENCH_WORKER_SECONDS", 120.0, 30.0),
            analyze: var("INBOX_BENCH_ANALYZE").is_some_and(|v| v != "0"),
            conversations: (num("INBOX_BENCH_CONVERSATIONS", 1000.0, 1000.0) as u64).max(1),
            memory_events: round_up(num("INBOX_BENCH_EVENTS", 1e6, 5000.0) as u64),
            parts: var("INBOX_BENCH_PARTS")
                .unwrap_or_else(|| "ingest,worker,memory".into())
                .split(',')
                .map(|p| p.trim().to_owned())
                .collect(),
            commit: list(var("INBOX_BENCH_COMMIT"), "group,baseline,direct"),
            group: {
                let group: Vec<f64> = list(var("INBOX_BENCH_GROUP"), "256,0");
                assert_eq!(group.len(), 2, "INBOX_BENCH_GROUP: max_batch,max_wait_ms");
                (
                    group[0] as usize,
                    Duration::from_secs_f64(group[1] / 1000.0),
                )
            },
            concurrency: list(var("INBOX_BENCH_CONCURRENCY"), "8,32"),
            ordered: list(var("INBOX_BENCH_ORDERED"), "false,true"),
            postgres: var("INBOX_BENCH_POSTGRES").is_none_or(|v| v != "0"),
            dir: var("INBOX_BENCH_DIR"),
        }
    }

    fn part(&self, name: &str) -> bool {
        self.parts.iter().any(|p| p == name)
    }
}

/// A comma-separated list.
fn list<T: std::str::FromStr>(value: Option<String>, default: &str) -> Vec<T> {
    value
        .as_deref()
        .unwrap_or(default)
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("`{v}`: not a valid value"))
        })
        .collect()
}

/// `n` rounded up to whole deliveries.
fn round_up(n: u64) -> u64 {
    n.div_ceil(ITEMS_PER_DELIVERY).max(1) * ITEMS_PER_DELIVERY
}

async fn run(sizes: &Sizes) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("inbox bench: {cores} cores; {sizes:?}");
    let mut engines = vec![Engine::Sqlite];
    if sizes.postgres {
        engines.push(Engine::Postgres);
    }
    if sizes.part("ingest") {
        ingest(sizes, &engines).await;
    }
    if sizes.part("worker") {
        workers(sizes, &engines).await;
    }
    if sizes.part("memory") {
        memory(sizes).await;
    }
}

// ---------------------------------------------------------------------------
// Databases.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A fresh database: a SQLite file in a temporary directory, or a new
/// database on the PostgreSQL server.
struct Database {
    url: String,
    dir: Option<tempfile::TempDir>,
}

impl Database {
    async fn new(engine: Engine, sizes: &Sizes) -> Self {
        match engine {
            Engine::Sqlite => {
                let mut builder = tempfile::Builder::new();
                builder.prefix("inbox-bench-");
                let dir = match &sizes.dir {
                    Some(parent) => builder.tempdir_in(parent),
                    None => builder.tempdir(),
                }
                .expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
                Self {
                    url,
                    dir: Some(dir),
                }
            }
            Engine::Postgres => {
                let server = tokio::task::spawn_blocking(Server::shared)
                    .await
                    .expect("the PostgreSQL server starts");
                Self {
                    url: server.database().await,
                    dir: None,
                }
            }
        }
    }

    async fn open(&self, builder: InboxBuilder) -> Inbox {
        builder.open(&self.url).await.expect("the inbox opens")
    }

    /// Bytes of the SQLite files (database and WAL).
    fn sqlite_bytes(&self) -> Option<u64> {
        let dir = self.dir.as_ref()?;
        let files = std::fs::read_dir(dir.path()).ok()?;
        Some(
            files
                .flatten()
                .filter_map(|f| f.metadata().ok())
                .map(|m| m.len())
                .sum(),
        )
    }

    /// Commits as the events' `created_at` shows them: the writer stamps
    /// every event of one batch with the same millisecond, so there are at
    /// least this many commits (two batches in one millisecond merge):
    /// `(events, distinct stamps, largest group)`. Run after the inbox is
    /// closed.
    async fn commit_groups(&self) -> (i64, i64, i64) {
        const SQL: &str = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT), COUNT(*), \
             CAST(COALESCE(MAX(n), 0) AS BIGINT) \
             FROM (SELECT created_at, COUNT(*) AS n FROM inbox_event GROUP BY created_at) g";
        if self.url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.url).await.expect("sqlite");
            let row = sqlx::query_as(SQL).fetch_one(&pool).await.expect("groups");
            pool.close().await;
            row
        } else {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("postgres");
            let row = sqlx::query_as(SQL).fetch_one(&pool).await.expect("groups");
            pool.close().await;
            row
        }
    }

    /// Refreshes PostgreSQL's planner statistics of the events table, as
    /// autovacuum (or the inbox's maintenance task) would some time later.
    async fn analyze(&self) {
        if self.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.url).await.expect("postgres");
            sqlx::query("ANALYZE inbox_event")
                .execute(&pool)
                .await
                .expect("analyze");
            pool.close().await;
        }
    }

    /// Transactions committed in this PostgreSQL database, as the server
    /// counts them (exact once the inbox's connections are closed).
    async fn postgres_commits(&self) -> Option<i64> {
        if !self.url.starts_with("postgres") {
            return None;
        }
        // Backends flush their counters when they exit; give them a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pool = sqlx::PgPool::connect(&self.url).await.expect("postgres");
        let commits = sqlx::query_scalar(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
        )
        .fetch_one(&pool)
        .await
        .expect("pg_stat_database");
        pool.close().await;
        Some(commits)
    }
}

fn total(stats: &Stats) -> u64 {
    stats.by_state.iter().map(|(_, n)| n).sum()
}

// ---------------------------------------------------------------------------
// Bodies.

/// A messaging item: a text message from `sender` with id `mid`.
fn item(sender: u64, mid: &str, text: &str) -> String {
    format!(
        r#"{{"sender":{{"id":"{sender}"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1700000000000,"message":{{"mid":"{mid}","text":"{text}"}}}}"#
    )
}

/// A delivery of `items` in one messaging entry.
fn envelope(items: &[String]) -> Bytes {
    Bytes::from(format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1700000000123,"messaging":[{}]}}]}}"#,
        items.join(",")
    ))
}

/// A 1 KiB delivery of one message.
fn kib_delivery(sender: u64, mid: &str) -> Bytes {
    let bare = envelope(&[item(sender, mid, "")]).len();
    let text = "x".repeat(1024_usize.saturating_sub(bare));
    envelope(&[item(sender, mid, &text)])
}

/// Delivery `n` of [`ITEMS_PER_DELIVERY`] messages, each new, spread over
/// `conversations` senders.
fn batch_delivery(run: &str, n: u64, conversations: u64) -> Delivery {
    let items: Vec<String> = (0..ITEMS_PER_DELIVERY)
        .map(|i| {
            let k = n * ITEMS_PER_DELIVERY + i;
            item(
                1000 + k % conversations,
                &format!("{run}-{k}"),
                "hello from the bench",
            )
        })
        .collect();
    Delivery::dangerous_from_stored(
        envelope(&items),
        Origin::new("/webhook", SystemTime::now(), 0),
    )
    .expect("an envelope")
}

/// Stores deliveries `0..deliveries` from [`STORERS`] tasks; each must be
/// new.
async fn store_all(inbox: &Inbox, run: &str, deliveries: u64, conversations: u64) {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..STORERS {
        let (inbox, next, run) = (inbox.clone(), Arc::clone(&next), run.to_owned());
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= deliveries {
                    break;
                }
                store_one(&inbox, &run, n, conversations).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a storer");
    }
}

async fn store_one(inbox: &Inbox, run: &str, n: u64, conversations: u64) {
    let delivery = batch_delivery(run, n, conversations);
    let accepted = inbox.store(&delivery).await.expect("stored");
    assert_eq!(accepted.events.len() as u64, ITEMS_PER_DELIVERY);
    assert_eq!(accepted.duplicates(), 0, "every item is new");
}

// ---------------------------------------------------------------------------
// 1. Ingest over HTTP.

/// How deliveries reach the inbox in one ingest run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    /// Over HTTP, group commit with the defaults (256 deliveries, no wait).
    Group,
    /// Over HTTP, one commit per delivery: `group_commit(1, 0)`.
    Baseline,
    /// `Inbox::store` from the senders' tasks, no HTTP, group commit with the
    /// defaults: the writer's ceiling.
    Direct,
}

impl Setup {
    fn parse(name: &str) -> Self {
        match name {
            "group" => Self::Group,
            "baseline" => Self::Baseline,
            "direct" => Self::Direct,
            other => panic!("INBOX_BENCH_COMMIT: `{other}` is not group, baseline or direct"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Group => "group commit (256, 0)",
            Self::Baseline => "baseline (1, 0)",
            Self::Direct => "store(), no HTTP (256, 0)",
        }
    }
}

struct Ingest {
    label: String,
    engine: Engine,
    setup: Setup,
    deliveries: u64,
    measured: u64,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    /// Deliveries per commit, from the events' stamps (an upper bound).
    stamp_batch: f64,
    largest_stamp: i64,
    /// Deliveries per commit, from PostgreSQL's commit counter.
    pg_batch: Option<f64>,
    /// This process's CPU time (server, senders, SQLite) per delivery.
    cpu_per_delivery: Duration,
}

async fn ingest(sizes: &Sizes, engines: &[Engine]) {
    let mut results = Vec::new();
    for &engine in engines {
        for setup in &sizes.commit {
            let result = ingest_one(sizes, engine, Setup::parse(setup)).await;
            println!(
                "  done: {:<34} {:>7.0}/s  ({} stored)",
                result.label, result.per_second, result.deliveries
            );
            results.push(result);
        }
    }
    println!(
        "\n1. Ingest: {} concurrent senders (keep-alive HTTP/1.1 unless `no HTTP`), signed ~1 KiB \
         messaging deliveries, each new; {:.1} s measured after {:.1} s warm-up",
        sizes.senders, sizes.seconds, sizes.warmup
    );
    println!(
        "{:<36} {:>9} {:>9} {:>8} {:>8} {:>12} {:>9} {:>7} {:>9}",
        "setup",
        "measured",
        "deliv/s",
        "p50 ms",
        "p99 ms",
        "batch(stamp)",
        "batch(pg)",
        "max grp",
        "cpu us/dl"
    );
    for r in &results {
        println!(
            "{:<36} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>12.1} {:>9} {:>7} {:>9.0}",
            r.label,
            r.measured,
            r.per_second,
            ms(r.p50),
            ms(r.p99),
            r.stamp_batch,
            r.pg_batch.map_or_else(|| "-".into(), |b| format!("{b:.1}")),
            r.largest_stamp,
            r.cpu_per_delivery.as_secs_f64() * 1e6
        );
    }
    for &engine in engines {
        let find = |setup| {
            results
                .iter()
                .find(|r| r.engine == engine && r.setup == setup)
        };
        if let (Some(g), Some(b)) = (find(Setup::Group), find(Setup::Baseline)) {
            println!(
                "{:<36} throughput x{:.2}, p50 x{:.2}, p99 x{:.2} (group / baseline)",
                format!("{} ratio", engine.name()),
                g.per_second / b.per_second,
                ms(g.p50) / ms(b.p50),
                ms(g.p99) / ms(b.p99)
            );
        }
        if let (Some(g), Some(d)) = (find(Setup::Group), find(Setup::Direct)) {
            println!(
                "{:<36} throughput x{:.2} (HTTP group / store() without HTTP)",
                format!("{} HTTP share", engine.name()),
                g.per_second / d.per_second,
            );
        }
    }
    println!(
        "batch(stamp): events / distinct created_at ms, an upper bound of deliveries per commit \
         (the writer stamps a batch with one ms); batch(pg): deliveries / \
         pg_stat_database.xact_commit (which also counts a few dozen migration and stats \
         transactions); max grp: most events stamped in one ms; cpu us/dl: this process's CPU \
         time (server, senders, SQLite; not the PostgreSQL server) per delivery, warm-up included."
    );
}

async fn ingest_one(sizes: &Sizes, engine: Engine, setup: Setup) -> Ingest {
    let label = match (setup, sizes.group) {
        (Setup::Baseline, _) | (_, (256, Duration::ZERO)) => {
            format!("{} {}", engine.name(), setup.label())
        }
        (Setup::Group, (batch, wait)) => {
            format!("{} group commit ({batch}, {wait:?})", engine.name())
        }
        (Setup::Direct, (batch, wait)) => {
            format!("{} store(), no HTTP ({batch}, {wait:?})", engine.name())
        }
    };
    let db = Database::new(engine, sizes).await;
    let (max_batch, max_wait) = match setup {
        Setup::Baseline => (1, Duration::ZERO),
        Setup::Group | Setup::Direct => sizes.group,
    };
    let builder = Inbox::builder()
        .maintenance(None)
        .group_commit(max_batch, max_wait);
    let inbox = db.open(builder).await;
    let secret = AppSecret::new(SECRET).expect("non-empty");
    let mut server = None;
    let target = if setup == Setup::Direct {
        Target::Store(inbox.clone())
    } else {
        let receiver = inbox
            .receiver(
                Verifier::new(secret.clone()),
                VerifyToken::new("token").expect("non-empty"),
            )
            .build();
        let app: axum::Router = router("/webhook", receiver);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}/webhook", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        server = Some((stop, task));
        Target::Http(url)
    };

    let cpu_before = cpu_time();
    let start = Instant::now();
    let window = Arc::new(Window {
        measure_from: start + Duration::from_secs_f64(sizes.warmup),
        until: start + Duration::from_secs_f64(sizes.warmup + sizes.seconds),
        budget: AtomicU64::new(sizes.max_deliveries),
    });
    let mut senders = tokio::task::JoinSet::new();
    for id in 0..sizes.senders as u64 {
        let (window, target, secret) = (Arc::clone(&window), target.clone(), secret.clone());
        senders.spawn(send(id, window, target, secret));
    }
    let mut ok = 0;
    let mut latencies = Vec::new();
    let mut last = window.measure_from;
    while let Some(sent) = senders.join_next().await {
        let sent = sent.expect("a sender");
        ok += sent.ok;
        latencies.extend(sent.latencies);
        last = last.max(sent.last);
    }
    if let Some((stop, task)) = server {
        let _ = stop.send(());
        task.await.expect("the server task").expect("the server");
    }
    let cpu = cpu_time().saturating_sub(cpu_before);
    drop(target);

    let stats = inbox.stats().await.expect("stats");
    assert_eq!(
        total(&stats),
        ok,
        "{label}: the inbox holds one event per 200"
    );
    assert_eq!(stats.count(State::Pending), ok);
    inbox.close().await;
    drop(inbox);
    let (events, stamps, largest) = db.commit_groups().await;
    let pg_batch = db
        .postgres_commits()
        .await
        .map(|commits| ok as f64 / commits.max(1) as f64);

    latencies.sort_unstable();
    let measured = latencies.len() as u64;
    let seconds = last.duration_since(window.measure_from).as_secs_f64();
    Ingest {
        label,
        engine,
        setup,
        deliveries: ok,
        measured,
        per_second: measured as f64 / seconds.max(1e-9),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        stamp_batch: events as f64 / stamps.max(1) as f64,
        largest_stamp: largest,
        pg_batch,
        cpu_per_delivery: cpu / u32::try_from(ok.max(1)).unwrap_or(u32::MAX),
    }
}

/// Where a sender's deliveries go.
#[derive(Clone)]
enum Target {
    /// Posted to this URL.
    Http(String),
    /// Handed to `Inbox::store` directly.
    Store(Inbox),
}

/// When the senders measure, and how many more they may send.
struct Window {
    measure_from: Instant,
    until: Instant,
    budget: AtomicU64,
}

struct Sent {
    ok: u64,
    latencies: Vec<Duration>,
    last: Instant,
}

/// One sender (over its own keep-alive connection, for HTTP) posting
/// deliveries one after the other until the window closes.
async fn send(id: u64, window: Arc<Window>, target: Target, secret: AppSecret) -> Sent {
    let client = reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .build()
        .expect("an HTTP client");
    let mut sent = Sent {
        ok: 0,
        latencies: Vec::new(),
        last: window.measure_from,
    };
    for seq in 0_u64.. {
        let started = Instant::now();
        if started >= window.until {
            break;
        }
        let measured = started >= window.measure_from;
        if measured
            && window
                .budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_err()
        {
            break;
        }
        let body = kib_delivery(1000 + id, &format!("mid-{id}-{seq}"));
        let (body, signature) = SignedDelivery::from_body(&secret, body).into_parts();
        match &target {
            Target::Http(url) => {
                let answer = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", signature)
                    .body(body)
                    .send()
                    .await
                    .expect("the server answers");
                let status = answer.status();
                let text = answer.bytes().await.expect("the answer's body");
                assert_eq!(status, 200, "every delivery is answered 200: {text:?}");
            }
            Target::Store(inbox) => {
                let delivery = Delivery::dangerous_from_stored(
                    body,
                    Origin::new("/webhook", SystemTime::now(), 0),
                )
                .expect("an envelope");
                let accepted = inbox.store(&delivery).await.expect("stored");
                assert_eq!(accepted.duplicates(), 0, "every delivery is new");
            }
        }
        sent.ok += 1;
        if measured {
            let now = Instant::now();
            sent.latencies.push(now - started);
            sent.last = now;
        }
    }
    sent
}

/// CPU time this process has used (every thread, user and system), from
/// `/proc/self/stat` (in clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime: fields 14 and 15, so 11 and 12 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// ---------------------------------------------------------------------------
// 2. Workers.

struct WorkerRun {
    engine: Engine,
    ordered: bool,
    concurrency: usize,
    events: u64,
    /// Events handled within the time limit (all of them when `finished`).
    processed: u64,
    finished: bool,
    store_seconds: f64,
    seconds: f64,
}

impl WorkerRun {
    fn per_second(&self) -> f64 {
        self.processed as f64 / self.seconds
    }
}

async fn workers(sizes: &Sizes, engines: &[Engine]) {
    let mut results = Vec::new();
    for &engine in engines {
        for &ordered in &sizes.ordered {
            for &concurrency in &sizes.concurrency {
                let result = worker_one(sizes, engine, ordered, concurrency).await;
                println!(
                    "  done: {} ordered={} concurrency={}: {:.0} events/s{}",
                    engine.name(),
                    ordered,
                    concurrency,
                    result.per_second(),
                    if result.finished {
                        ""
                    } else {
                        " (out of time)"
                    }
                );
                results.push(result);
            }
        }
    }
    println!(
        "\n2. Workers, no-op handler: {} events pre-stored in deliveries of {} items from {} \
         senders (so {} order keys), then the time until all are processed (at most {:.0} s); \
         PostgreSQL statistics: {}",
        sizes.worker_events,
        ITEMS_PER_DELIVERY,
        sizes.conversations,
        sizes.conversations,
        sizes.worker_seconds,
        if sizes.analyze {
            "ANALYZE after pre-storing"
        } else {
            "as autovacuum left them (maintenance off)"
        }
    );
    println!(
        "{:<10} {:>8} {:>12} {:>9} {:>10} {:>10} {:>10} {:>13} {:>11}",
        "engine",
        "ordered",
        "concurrency",
        "events",
        "processed",
        "seconds",
        "events/s",
        "vs unordered",
        "store ev/s"
    );
    for r in &results {
        let unordered = results
            .iter()
            .find(|u| u.engine == r.engine && !u.ordered && u.concurrency == r.concurrency)
            .map_or(f64::NAN, |u| r.per_second() / u.per_second());
        println!(
            "{:<10} {:>8} {:>12} {:>9} {:>10} {:>10.2} {:>10.0} {:>13.3} {:>11.0}",
            r.engine.name(),
            r.ordered,
            r.concurrency,
            r.events,
            if r.finished {
                r.processed.to_string()
            } else {
                format!("{}*", r.processed)
            },
            r.seconds,
            r.per_second(),
            unordered,
            r.events as f64 / r.store_seconds
        );
    }
    if results.iter().any(|r| !r.finished) {
        println!("*: out of time; events/s is what was processed within the limit");
    }
}

async fn worker_one(sizes: &Sizes, engine: Engine, ordered: bool, concurrency: usize) -> WorkerRun {
    let db = Database::new(engine, sizes).await;
    let inbox = db
        .open(Inbox::builder().maintenance(None).ordered(ordered))
        .await;
    let events = sizes.worker_events;
    let storing = Instant::now();
    store_all(
        &inbox,
        "w",
        events / ITEMS_PER_DELIVERY,
        sizes.conversations,
    )
    .await;
    let store_seconds = storing.elapsed().as_secs_f64();
    if sizes.analyze {
        db.analyze().await;
    }
    assert_eq!(
        inbox.stats().await.expect("stats").count(State::Pending),
        events
    );

    let handled = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&handled);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(sizes.worker_seconds);
    let worker = inbox
        .worker(move |_job: Job| {
            counter.fetch_add(1, Ordering::Relaxed);
            async { Ok::<(), Failure>(()) }
        })
        .concurrency(concurrency)
        .start();
    while handled.load(Ordering::Relaxed) < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let finished = handled.load(Ordering::Relaxed) >= events;
    if finished {
        while inbox.stats().await.expect("stats").count(State::Processed) < events {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    // Out of time: what was handled by now is the measure.
    let processed = handled.load(Ordering::Relaxed);
    worker.shutdown().await;
    let stats = inbox.stats().await.expect("stats");
    let handled = handled.load(Ordering::Relaxed);
    assert_eq!(
        stats.count(State::Processed),
        handled,
        "each handled event recorded"
    );
    assert_eq!(
        stats.count(State::Processed) + stats.count(State::Pending),
        events
    );
    if finished {
        assert_eq!(handled, events, "each event handled once");
    }
    inbox.close().await;
    WorkerRun {
        engine,
        ordered,
        concurrency,
        events,
        processed,
        finished,
        store_seconds,
        seconds,
    }
}

// ---------------------------------------------------------------------------
// 3. Memory.

/// This process's resident set, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn memory(sizes: &Sizes) {
    const CONCURRENCY: usize = 32;
    /// Events stored but not yet handled, at most (the producer waits).
    const AHEAD: u64 = 20_000;
    let events = sizes.memory_events;
    let db = Database::new(Engine::Sqlite, sizes).await;
    let inbox = db
        .open(
            Inbox::builder()
                .maintenance(None)
                .ordered(false)
                .keep_processed(Duration::ZERO),
        )
        .await;
    let handled = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let rss_start = rss_kib();

    // The producer: deliveries of 100 items, never more than AHEAD ahead.
    let next = Arc::new(AtomicU64::new(0));
    let mut producers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (inbox, next, handled) = (inbox.clone(), Arc::clone(&next), Arc::clone(&handled));
        producers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= events / ITEMS_PER_DELIVERY {
                    break;
                }
                while n * ITEMS_PER_DELIVERY > handled.load(Ordering::Relaxed) + AHEAD {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                store_one(&inbox, "m", n, 1000).await;
            }
        });
    }
    // The pruner: processed events (kept for zero seconds) and their deliveries.
    let pruned = Arc::new(AtomicU64::new(0));
    let pruner = {
        let (inbox, pruned, done) = (inbox.clone(), Arc::clone(&pruned), Arc::clone(&done));
        tokio::spawn(async move {
            let mut deliveries = 0;
            while !done.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let p = inbox.prune().await.expect("prune");
                pruned.fetch_add(p.processed, Ordering::Relaxed);
                deliveries += p.deliveries;
            }
            deliveries
        })
    };
    let counter = Arc::clone(&handled);
    let worker = inbox
        .worker(move |_job: Job| {
            counter.fetch_add(1, Ordering::Relaxed);
            async { Ok::<(), Failure>(()) }
        })
        .concurrency(CONCURRENCY)
        .start();

    // Samples of (events handled, RSS) every 100 ms.
    let mut samples = vec![(0_u64, rss_start, 0.0_f64)];
    let mut printed = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let n = handled.load(Ordering::Relaxed);
        samples.push((n, rss_kib(), start.elapsed().as_secs_f64()));
        let tenth = n * 10 / events;
        if tenth > printed {
            printed = tenth;
            println!(
                "  memory: {:>3}% handled, RSS {:.1} MiB, {:.0} s",
                tenth * 10,
                rss_kib() as f64 / 1024.0,
                start.elapsed().as_secs_f64()
            );
        }
        if n >= events {
            break;
        }
    }
    while let Some(p) = producers.join_next().await {
        p.expect("a producer");
    }
    done.store(true, Ordering::Relaxed);
    let pruned_deliveries = pruner.await.expect("the pruner");
    // The last completions are recorded just after their handler returns.
    loop {
        let stats = inbox.stats().await.expect("stats");
        if stats.count(State::Processed) + pruned.load(Ordering::Relaxed) >= events {
            assert_eq!(total(&stats), stats.count(State::Processed));
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = start.elapsed().as_secs_f64();
    worker.shutdown().await;
    let rss_end = rss_kib();
    samples.push((events, rss_end, seconds));
    let last_prune = inbox.prune().await.expect("prune");
    let db_bytes = db.sqlite_bytes().unwrap_or(0);
    inbox.close().await;

    let last = samples[samples.len() - 1];
    // The first sample past `fraction` of the events; 100 % is the last one,
    // taken once every event is recorded and the worker stopped.
    let at = |fraction: f64| {
        let target = (events as f64 * fraction) as u64;
        if fraction >= 1.0 {
            return last;
        }
        samples
            .iter()
            .find(|(n, _, _)| *n >= target)
            .copied()
            .unwrap_or(last)
    };
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
    println!(
        "\n3. Memory: {events} events stored (deliveries of {ITEMS_PER_DELIVERY}, 8 storers, at most \
         {AHEAD} ahead) and processed (worker concurrency {CONCURRENCY}, unordered) on SQLite, \
         keep_processed(0) and prune every 0.5 s"
    );
    println!(
        "{:<16} {:>10} {:>10} {:>10}",
        "point", "handled", "RSS MiB", "seconds"
    );
    println!(
        "{:<16} {:>10} {:>10.1} {:>10.1}",
        "start",
        0,
        rss_start as f64 / 1024.0,
        0.0
    );
    for (name, fraction) in [
        ("10% (warm)", 0.10),
        ("25%", 0.25),
        ("50%", 0.50),
        ("75%", 0.75),
        ("100%", 1.0),
    ] {
        let (n, rss, s) = at(fraction);
        println!("{name:<16} {n:>10} {:>10.1} {s:>10.1}", rss as f64 / 1024.0);
    }
    let warm = at(0.10).1;
    println!(
        "RSS last / first-after-warm-up (10%): x{:.3}; peak {:.1} MiB; {} samples; \
         {:.0} events/s through store + worker",
        rss_end as f64 / warm.max(1) as f64,
        peak as f64 / 1024.0,
        samples.len(),
        events as f64 / seconds
    );
    println!(
        "pruned during the run: {} processed events, {} deliveries (last pass: {:?}); \
         SQLite files at the end: {:.1} MiB (dedup keys stay for the 36 h+ dedup window)",
        pruned.load(Ordering::Relaxed),
        pruned_deliveries,
        last_prune,
        db_bytes as f64 / (1024.0 * 1024.0)
    );
}
