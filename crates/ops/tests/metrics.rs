//! The metrics end to end: a real receiver and inbox observed by one
//! `Metrics`, a known sequence of requests and attempts, and `/metrics`
//! scraped over HTTP and read with a Prometheus text parser, each counter
//! moving by exactly what happened.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use instagram_webhook_inbox::{Inbox, Jitter, RetryPolicy, State};
use instagram_webhook_ops::{CONTENT_TYPE, Metrics, Ops, Token};
use reqwest::Method;
use serde_json::json;
use support::*;

/// A series: its metric name and labels.
type Series = (String, BTreeMap<String, String>);
/// Labels, owned by the list that builds them.
type Labels = Vec<(&'static str, &'static str)>;
/// An expected change: metric, labels, by how much.
type Moved<'a> = (&'a str, &'a [(&'a str, &'a str)], f64);

/// One scrape, read by `prometheus-parse`: every sample's value by metric
/// name and labels.
struct Scrape {
    samples: BTreeMap<Series, f64>,
    /// Each histogram's buckets: (upper bound, cumulative count).
    buckets: BTreeMap<Series, Vec<(f64, f64)>>,
    text: String,
}

impl Scrape {
    fn parse(text: String) -> Self {
        let lines = |text: &str| -> Vec<std::io::Result<String>> {
            text.lines().map(|line| Ok(line.to_owned())).collect()
        };
        let parsed = prometheus_parse::Scrape::parse(lines(&text).into_iter())
            .expect("the parser reads the text");
        // The OpenMetrics text ends in `# EOF`, which the Prometheus text
        // parser ignores as a comment: without it, the same samples.
        assert!(text.ends_with("# EOF\n"), "OpenMetrics text ends in # EOF");
        let without_eof = text.trim_end().strip_suffix("# EOF").expect("# EOF");
        let again = prometheus_parse::Scrape::parse(lines(without_eof).into_iter())
            .expect("the parser reads the text");
        assert_eq!(parsed.samples.len(), again.samples.len());
        assert!(!parsed.samples.is_empty());

        let mut samples = BTreeMap::new();
        let mut buckets = BTreeMap::new();
        for sample in parsed.samples {
            let labels: BTreeMap<String, String> = sample
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let key = (sample.metric.clone(), labels);
            let value = match sample.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                prometheus_parse::Value::Histogram(counts) => {
                    buckets.insert(key, counts.iter().map(|c| (c.less_than, c.count)).collect());
                    continue;
                }
                prometheus_parse::Value::Summary(_) => panic!("no summary is exported"),
            };
            assert!(
                samples.insert(key.clone(), value).is_none(),
                "one sample per name and labels: {key:?}"
            );
        }
        Self {
            samples,
            buckets,
            text,
        }
    }

    /// The value of `name{labels}`; 0 for a series not exported yet (a
    /// family shows a label set once it counted something).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let labels: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.samples
            .get(&(name.to_owned(), labels))
            .copied()
            .unwrap_or(0.0)
    }

    /// Whether `name{labels}` is exported.
    fn has(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        let labels: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.samples.contains_key(&(name.to_owned(), labels))
    }

    /// How much `name{labels}` moved since `before`.
    fn moved(&self, before: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels) - before.value(name, labels)
    }

    /// Every label value of `label` in series of `name`.
    /// The values of `label` over the series of `name` that counted
    /// something (series the alerts watch are exported at 0 from the start).
    fn label_values(&self, name: &str, label: &str) -> BTreeSet<String> {
        self.samples
            .iter()
            .filter(|((metric, _), value)| metric == name && **value != 0.0)
            .filter_map(|((_, labels), _)| labels.get(label).cloned())
            .collect()
    }

    /// The sum over every series of `name`.
    fn total(&self, name: &str) -> f64 {
        self.samples
            .iter()
            .filter(|((metric, _), _)| metric == name)
            .map(|(_, v)| v)
            .sum()
    }

    /// Each histogram's `+Inf` bucket is its count, its buckets never go
    /// down.
    fn assert_histograms_add_up(&self) {
        assert!(!self.buckets.is_empty() || !self.text.contains("_bucket"));
        for ((name, labels), buckets) in &self.buckets {
            assert!(
                buckets.windows(2).all(|w| w[0].1 <= w[1].1),
                "{name}{labels:?}: cumulative buckets"
            );
            let infinite = buckets
                .iter()
                .find(|(bound, _)| bound.is_infinite())
                .expect("a +Inf bucket")
                .1;
            let count = self
                .samples
                .get(&(format!("{name}_count"), labels.clone()))
                .copied()
                .unwrap_or_else(|| panic!("{name}_count{labels:?}"));
            assert_eq!(infinite, count, "{name}{labels:?}: +Inf is the count");
        }
    }
}

/// GETs `/metrics` at `base` with `token`; the answer, read whole.
async fn get_metrics(client: &reqwest::Client, base: &str, token: Option<&str>) -> Answer {
    let mut request = client.get(format!("{base}/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the surface answers");
    let answer = Answer::read(String::from("GET /metrics"), response).await;
    answer.assert_keeps_secrets();
    answer
}

/// A scrape of `base` with `token`, parsed.
async fn scrape(client: &reqwest::Client, base: &str, token: Option<&str>) -> Scrape {
    let answer = get_metrics(client, base, token).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    let scrape = Scrape::parse(answer.text().to_owned());
    scrape.assert_histograms_add_up();
    scrape
}

/// POSTs `body` with `signature` (or none); the status.
async fn post_raw(
    client: &reqwest::Client,
    webhook: &str,
    body: Vec<u8>,
    signature: Option<&str>,
) -> u16 {
    let mut request = client
        .post(webhook)
        .header("content-type", "application/json")
        .body(body);
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request
        .send()
        .await
        .expect("the receiver answers")
        .status()
        .as_u16()
}

/// The receiver, the inbox and the surface, all observed by one `Metrics`.
struct Observed {
    metrics: Metrics,
    inbox: Inbox,
    webhook: String,
    base: String,
    client: reqwest::Client,
}

impl Observed {
    async fn start(db: &Db, policy: RetryPolicy) -> Self {
        let metrics = Metrics::new();
        let inbox = db
            .open(quiet().retry(policy).observe(metrics.clone()))
            .await;
        let webhook = serve_webhook(receiver(&inbox).observe(metrics.clone())).await;
        let ops = Ops::new(inbox.clone(), Token::new(WRITE_TOKEN).unwrap())
            .read_only_token(Token::new(READ_TOKEN).unwrap())
            .metrics(metrics.clone());
        let base = serve_ops(ops).await;
        Self {
            metrics,
            inbox,
            webhook,
            base,
            client: reqwest::Client::new(),
        }
    }

    async fn scrape(&self) -> Scrape {
        scrape(&self.client, &self.base, Some(WRITE_TOKEN)).await
    }

    async fn deliver(&self, body: bytes::Bytes) -> u16 {
        post_signed(&self.client, &self.webhook, body).await
    }
}

const DELIVERIES: &str = "igw_deliveries_total";
const RECEIVED: &str = "igw_events_received_total";
const DUPLICATES: &str = "igw_duplicates_total";
const ATTEMPTS: &str = "igw_processing_seconds_count";
const FAILURES: &str = "igw_failures_total";
const RETRIES: &str = "igw_retries_total";
const DEAD_LETTERS: &str = "igw_dead_letters_total";
const RESCUED: &str = "igw_rescued_total";
const DEPTH: &str = "igw_queue_depth";
const OLDEST: &str = "igw_oldest_pending_age_seconds";
const UP: &str = "igw_inbox_up";
const STORE_COUNT: &str = "igw_store_seconds_count";

/// Asserts each `(name, labels, n)` moved by exactly `n` since `before`.
fn assert_moved(after: &Scrape, before: &Scrape, expected: &[Moved<'_>]) {
    for (name, labels, n) in expected {
        assert_eq!(
            after.moved(before, name, labels),
            *n,
            "{name}{labels:?} moved by {n}\n{}",
            after.text
        );
    }
}

/// Asserts the queue's gauges: depth by state, as the inbox counts them.
fn assert_depth(scrape: &Scrape, expected: &[(&str, f64)]) {
    for state in State::ALL {
        let want = expected
            .iter()
            .find(|(s, _)| *s == state.as_str())
            .map_or(0.0, |(_, n)| *n);
        assert!(scrape.has(DEPTH, &[("state", state.as_str())]), "{state}");
        assert_eq!(
            scrape.value(DEPTH, &[("state", state.as_str())]),
            want,
            "igw_queue_depth{{state=\"{state}\"}}"
        );
    }
}

async fn counts_every_outcome(db: Db) {
    // Two attempts each, the retry at once.
    let observed = Observed::start(
        &db,
        RetryPolicy::new([Duration::ZERO]).jitter(Jitter::none()),
    )
    .await;
    let (client, webhook, inbox) = (&observed.client, &observed.webhook, &observed.inbox);
    let start = observed.scrape().await;
    assert_eq!(start.value(UP, &[]), 1.0);
    assert_eq!(start.value(OLDEST, &[]), 0.0);
    assert_depth(&start, &[]);
    // The handshake, answered and refused.
    let answer = client
        .get(format!(
            "{webhook}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "1158201444");
    let refused = client
        .get(format!(
            "{webhook}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // Signed deliveries: four comments, then three messages in one.
    let first = comment(ACCOUNT, "18114683101754675", "17880990537428645", "Link");
    for body in [
        first.clone(),
        comment(
            ACCOUNT,
            "18114683101754676",
            "17880990537428646",
            "Nice reel",
        ),
        comment(ACCOUNT, "18114683101754677", "17880990537428647", "[fail]"),
        comment(
            ACCOUNT,
            "18114683101754678",
            "17880990537428648",
            "[give-up]",
        ),
        messaging(
            ACCOUNT,
            vec![
                message(ACCOUNT, "489760440872775", "mid-ok", "Olá 🥰"),
                message(ACCOUNT, "489760440872776", "mid-flaky", "[flaky]"),
                message(ACCOUNT, "489760440872777", "mid-boom", "[panic]"),
            ],
        ),
        // Meta sends the first again: handled, a duplicate.
        first.clone(),
        // Verified, not an envelope: rejected (kept).
        bytes::Bytes::from_static(br#"{"object":"page","entry":"not a list"}"#),
    ] {
        assert_eq!(observed.deliver(body).await, 200);
    }
    // A forgery, and no signature at all.
    let forged = instagram_webhook_core::test_kit::SignedDelivery::from_body(
        &instagram_webhook_core::AppSecret::new("a-secret-someone-guessed").unwrap(),
        first.clone(),
    );
    assert_eq!(
        post_raw(client, webhook, first.to_vec(), Some(forged.signature())).await,
        401
    );
    assert_eq!(post_raw(client, webhook, first.to_vec(), None).await, 401);
    // Over the receiver's body limit, though signed.
    let mut large = br#"{"object":"instagram","entry":[],"padding":""#.to_vec();
    large.resize(BODY_LIMIT + 1, b'x');
    assert_eq!(observed.deliver(large.into()).await, 413);

    let stored = observed.scrape().await;
    let comment_kind: &[(&str, &str)] = &[("kind", "comment")];
    let message_kind: &[(&str, &str)] = &[("kind", "message")];
    assert_moved(
        &stored,
        &start,
        &[
            (DELIVERIES, &[("outcome", "handshake_answered")], 1.0),
            (DELIVERIES, &[("outcome", "handshake_refused")], 1.0),
            (DELIVERIES, &[("outcome", "handled")], 6.0),
            (DELIVERIES, &[("outcome", "rejected")], 1.0),
            (DELIVERIES, &[("outcome", "unauthorized")], 2.0),
            (DELIVERIES, &[("outcome", "too_large")], 1.0),
            (DELIVERIES, &[("outcome", "unavailable")], 0.0),
            (RECEIVED, comment_kind, 4.0),
            (RECEIVED, message_kind, 3.0),
            (DUPLICATES, comment_kind, 1.0),
            (DUPLICATES, message_kind, 0.0),
            (STORE_COUNT, &[], 7.0),
            (ATTEMPTS, comment_kind, 0.0),
        ],
    );
    assert_eq!(
        stored.label_values(DELIVERIES, "outcome"),
        [
            "handled",
            "handshake_answered",
            "handshake_refused",
            "rejected",
            "too_large",
            "unauthorized"
        ]
        .map(String::from)
        .into(),
        "no other outcome"
    );
    assert_eq!(stored.total(ATTEMPTS), 0.0, "no attempt yet");
    assert_depth(&stored, &[("pending", 7.0)]);
    assert_eq!(stored.value(UP, &[]), 1.0);
    // The oldest waiting event ages, read at each scrape.
    assert!(stored.value(OLDEST, &[]) >= 0.0);
    eventually("the oldest pending event to age", || async {
        observed.scrape().await.value(OLDEST, &[]) > 0.0
    })
    .await;

    // A worker: successes, retries (an error, a panic), dead letters (out of
    // attempts, given up).
    let worker = worker(inbox, "worker-metrics");
    settled(inbox).await;
    eventually("every attempt counted", || async {
        observed.scrape().await.total(ATTEMPTS) == 10.0
    })
    .await;
    worker.shutdown().await;
    let processed = observed.scrape().await;
    let labels = |kind: &'static str, outcome: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![("kind", kind), ("outcome", outcome)]
    };
    let classes = |kind: &'static str, class: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![("kind", kind), ("class", class)]
    };
    let expected: Vec<(&str, Labels, f64)> = vec![
        (ATTEMPTS, labels("comment", "processed"), 2.0),
        (ATTEMPTS, labels("comment", "retrying"), 1.0),
        (ATTEMPTS, labels("comment", "dead_letter"), 2.0),
        (ATTEMPTS, labels("message", "processed"), 3.0),
        (ATTEMPTS, labels("message", "retrying"), 2.0),
        (ATTEMPTS, labels("message", "dead_letter"), 0.0),
        (FAILURES, classes("comment", "error"), 2.0),
        (FAILURES, classes("comment", "gave_up"), 1.0),
        (FAILURES, classes("message", "error"), 1.0),
        (FAILURES, classes("message", "panic"), 1.0),
        (FAILURES, classes("message", "gave_up"), 0.0),
        (RETRIES, vec![("kind", "comment")], 1.0),
        (RETRIES, vec![("kind", "message")], 2.0),
        (DEAD_LETTERS, vec![("kind", "comment")], 2.0),
        (DEAD_LETTERS, vec![("kind", "message")], 0.0),
        (RESCUED, vec![], 0.0),
        (DELIVERIES, vec![("outcome", "handled")], 0.0),
    ];
    let expected: Vec<Moved<'_>> = expected
        .iter()
        .map(|(name, labels, n)| (*name, labels.as_slice(), *n))
        .collect();
    assert_moved(&processed, &stored, &expected);
    assert_eq!(processed.total(FAILURES), 5.0, "no other failure");
    assert_eq!(processed.total(RETRIES), 3.0);
    assert_eq!(processed.total(DEAD_LETTERS), 2.0);
    assert_depth(&processed, &[("processed", 5.0), ("dead_letter", 2.0)]);
    assert_eq!(processed.value(OLDEST, &[]), 0.0, "nothing waits");
    assert!(
        processed.value(
            "igw_processing_seconds_sum",
            &labels("comment", "processed")
        ) >= 0.0
    );

    // A rescued lease: a worker that stops, as a crash would, holding an
    // event; the rescuer takes it back once its lease ran out.
    assert_eq!(observed.deliver(hanging()).await, 200);
    let held = observed_newest(inbox).await;
    let crashing = inbox
        .worker(scripted)
        .name("worker-crashing")
        .timeout(Duration::from_secs(3))
        .lease_margin(Duration::ZERO)
        .poll_interval(Duration::from_millis(10))
        .start();
    until_state(inbox, held, State::Processing).await;
    crashing.abort();
    eventually("the rescuer to take the event back", || async {
        inbox.rescue().await.expect("rescue") > 0
    })
    .await;
    assert_eq!(inbox.rescue().await.unwrap(), 0, "taken back once");
    let after_rescue = observed.scrape().await;
    assert_moved(
        &after_rescue,
        &processed,
        &[
            (RESCUED, &[], 1.0),
            (
                FAILURES,
                &[("kind", "message"), ("class", "lease_expired")],
                1.0,
            ),
            (RETRIES, message_kind, 1.0),
            (
                ATTEMPTS,
                &[("kind", "message"), ("outcome", "retrying")],
                1.0,
            ),
            (RECEIVED, message_kind, 1.0),
            (DELIVERIES, &[("outcome", "handled")], 1.0),
            (DEAD_LETTERS, message_kind, 0.0),
        ],
    );
    assert_eq!(
        after_rescue.total(FAILURES) - processed.total(FAILURES),
        1.0
    );
    // Every family is described and typed, now that each has a series.
    for family in [
        "igw_deliveries",
        "igw_store_seconds",
        "igw_events_received",
        "igw_duplicates",
        "igw_processing_seconds",
        "igw_failures",
        "igw_retries",
        "igw_dead_letters",
        "igw_rescued",
        "igw_queue_depth",
        "igw_oldest_pending_age_seconds",
        "igw_inbox_up",
    ] {
        assert!(
            after_rescue.text.contains(&format!("# HELP {family} ")),
            "{family} is described"
        );
    }
    for (family, kind) in [
        ("igw_deliveries", "counter"),
        ("igw_processing_seconds", "histogram"),
        ("igw_store_seconds", "histogram"),
        ("igw_queue_depth", "gauge"),
        ("igw_inbox_up", "gauge"),
    ] {
        assert!(
            after_rescue
                .text
                .contains(&format!("# TYPE {family} {kind}\n")),
            "{family} is a {kind}"
        );
    }

    assert_depth(
        &after_rescue,
        &[("processed", 5.0), ("dead_letter", 2.0), ("failed", 1.0)],
    );
    eventually("the failed event to count as waiting", || async {
        observed.scrape().await.value(OLDEST, &[]) > 0.0
    })
    .await;

    // Who may scrape: a token (the read-only one too), or anyone once
    // opened.
    let denied = get_metrics(client, &observed.base, None).await;
    denied.assert_error(401, "unauthorized", None);
    let wrong = get_metrics(client, &observed.base, Some("not-the-ops-token-at-all")).await;
    wrong.assert_error(401, "unauthorized", None);
    let read = scrape(client, &observed.base, Some(READ_TOKEN)).await;
    assert_eq!(read.value(RESCUED, &[]), after_rescue.value(RESCUED, &[]));
    let open = serve_ops(
        Ops::new(inbox.clone(), Token::new(WRITE_TOKEN).unwrap())
            .metrics(observed.metrics.clone())
            .open_metrics(true),
    )
    .await;
    let anyone = scrape(client, &open, None).await;
    for (name, labels) in [
        (DELIVERIES, vec![("outcome", "handled")]),
        (RECEIVED, vec![("kind", "message")]),
        (RESCUED, vec![]),
    ] {
        assert_eq!(
            anyone.value(name, &labels),
            after_rescue.value(name, &labels),
            "the same metrics"
        );
    }
    let api = client
        .get(format!("{open}/api/access"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401, "opening the metrics opens nothing else");

    // The store gone: Meta is told to come back (503), and the scrape says
    // the inbox is down, its gauges left as they were.
    inbox.close().await;
    let again = comment(ACCOUNT, "18114683101754679", "17880990537428649", "late");
    assert_eq!(observed.deliver(again).await, 503);
    let down = observed.scrape().await;
    assert_eq!(down.value(UP, &[]), 0.0);
    assert_moved(
        &down,
        &after_rescue,
        &[
            (DELIVERIES, &[("outcome", "unavailable")], 1.0),
            (DELIVERIES, &[("outcome", "handled")], 0.0),
            (RECEIVED, comment_kind, 0.0),
            (STORE_COUNT, &[], 1.0),
        ],
    );
    assert_depth(
        &down,
        &[("processed", 5.0), ("dead_letter", 2.0), ("failed", 1.0)],
    );
    // The metrics still carry no event content.
    for content in ["Olá", "Link", "17880990537428645", ACCOUNT, "mid-ok"] {
        assert!(!down.text.contains(content), "{content} in the metrics");
    }
}

/// An undecodable item is stored as a dead letter at once: the dead-letter
/// counter (and the README's alert on it) must see it too.
async fn counts_an_undecodable_item_as_a_dead_letter(db: Db) {
    let observed = Observed::start(&db, RetryPolicy::default()).await;
    let before = observed.scrape().await;
    let body = meta(
        &json!({"object": "instagram", "entry": [{"id": ACCOUNT, "time": 1_778_494_689_u64,
        "changes": [{"value": {"id": "17880990537428649"}}]}]}),
    );
    assert_eq!(observed.deliver(body).await, 200);
    let after = observed.scrape().await;
    let undecodable: &[(&str, &str)] = &[("kind", "undecodable")];
    assert_depth(&after, &[("dead_letter", 1.0)]);
    assert_moved(
        &after,
        &before,
        &[
            (DELIVERIES, &[("outcome", "handled")], 1.0),
            (RECEIVED, undecodable, 1.0),
            (DEAD_LETTERS, undecodable, 1.0),
        ],
    );
}

/// The series the README's alerts watch exist, at 0, before anything
/// happens: Prometheus' `increase()` needs a sample before the first
/// increment, or the first store failure, forgery or dead letter after a
/// start is never alerted on.
async fn exports_the_alerted_series_before_they_count(db: Db) {
    let observed = Observed::start(&db, RetryPolicy::default()).await;
    let start = observed.scrape().await;
    for (name, labels) in [
        (DELIVERIES, [("outcome", "unavailable")]),
        (DELIVERIES, [("outcome", "unauthorized")]),
        (DEAD_LETTERS, [("kind", "comment")]),
        (DEAD_LETTERS, [("kind", "message")]),
        (DEAD_LETTERS, [("kind", "undecodable")]),
    ] {
        assert!(
            start.has(name, &labels),
            "{name}{labels:?} exported at 0 from the start\n{}",
            start.text
        );
        assert_eq!(start.value(name, &labels), 0.0);
    }
}

/// The newest event's id.
async fn observed_newest(inbox: &Inbox) -> i64 {
    let page = inbox
        .events(&instagram_webhook_inbox::Filter::new(), None, 1)
        .await
        .expect("a page");
    page.events[0].id.0
}

fn hanging() -> bytes::Bytes {
    messaging(
        ACCOUNT,
        vec![message(ACCOUNT, "489760440872799", "mid-hang", "[hang]")],
    )
}

/// The API's own requests do not count as webhook deliveries.
async fn counts_nothing_for_the_surface_itself(db: Db) {
    let observed = Observed::start(&db, RetryPolicy::default()).await;
    let before = observed.scrape().await;
    let s = &observed;
    for path in [
        "/api/webhook-events",
        "/api/webhook-events/stats",
        "/healthz",
    ] {
        let response = s
            .client
            .request(Method::GET, format!("{}{path}", s.base))
            .bearer_auth(WRITE_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    let after = observed.scrape().await;
    assert_eq!(after.total(DELIVERIES), before.total(DELIVERIES));
    assert_eq!(after.value(UP, &[]), 1.0);
}

on_both_engines!(
    counts_every_outcome,
    counts_an_undecodable_item_as_a_dead_letter,
    counts_nothing_for_the_surface_itself,
    exports_the_alerted_series_before_they_count,
);
