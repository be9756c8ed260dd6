//! `instagram-webhook serve` as a process: every kind `send` knows
//! received and printed once; Meta's handshake; events forwarded to a local
//! application (retried, given up, queued again, `Retry-After`) signed the
//! Standard Webhooks way; `--exec` (the event on stdin, exit 65 gives up,
//! another exit retries); `--replay-window`; SIGTERM in the middle of a load.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use instagram_webhook_core::test_kit::{SAMPLE_KINDS, SignedDelivery, sample_at};
use instagram_webhook_core::types::Notification;
use instagram_webhook_inbox::State;
use serde_json::Value;
use support::{
    FORWARD_KEY, Receiver, Reply, SECRET, Serve, VERIFY_TOKEN, all_events, app_secret, cli, client,
    forward_secret, open_inbox, sqlite_url, summary, verify_standard_webhook, wait_events,
    wait_for, wait_settled,
};

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(0))
}

/// `send --url URL --kind KIND`, asserting the answer was 200.
async fn send(url: &str, kind: &str) {
    let out = cli(["send", "--url", url, "--kind", kind, "--secret", SECRET])
        .run()
        .await;
    out.success();
    assert!(
        out.stdout().starts_with("200 "),
        "the delivery of {kind} is answered 200\n{}",
        out.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_is_answered_200_and_printed_once_with_its_kind() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = sqlite_url(dir.path());
    let mut serve = Serve::start(&database, &["--print"]).await;

    let kinds = cli(["send", "--kind", "list"]).run().await;
    let kinds = kinds.success().lines();
    assert!(
        kinds.len() >= 10 && kinds.iter().any(|kind| kind == "comment"),
        "`send --kind list` lists the kinds: {kinds:?}"
    );
    for kind in &kinds {
        send(&serve.url(), kind).await;
    }

    let inbox = open_inbox(&database).await;
    let events = wait_events(&inbox, kinds.len(), "every event processed", |event| {
        event.state == State::Processed
    })
    .await;
    let stored: BTreeSet<&str> = events.iter().map(|event| event.kind.as_str()).collect();
    let sent: BTreeSet<&str> = kinds.iter().map(String::as_str).collect();
    assert_eq!(stored, sent, "one event of each kind is stored");

    wait_for("a line per event on stdout", async || {
        let printed = serve.printed().len();
        if printed >= events.len() {
            Ok(())
        } else {
            Err(format!("{printed} lines of {}", events.len()))
        }
    })
    .await;
    serve.stop().await;
    let printed = serve.printed();
    assert_eq!(
        printed.len(),
        events.len(),
        "each event printed once: {printed:#?}"
    );
    let mut printed_kinds = BTreeMap::new();
    for line in &printed {
        let id = line["event_id"].as_i64().expect("an event_id");
        let event = events
            .iter()
            .find(|event| event.id.0 == id)
            .unwrap_or_else(|| panic!("printed event {id} is in the inbox: {line}"));
        assert_eq!(line["kind"], event.kind.as_str(), "{line}");
        assert_eq!(line["dedup_key"], event.dedup_key.as_str(), "{line}");
        *printed_kinds.entry(event.kind.clone()).or_insert(0) += 1;
    }
    for kind in &kinds {
        assert_eq!(printed_kinds.get(kind), Some(&1), "{kind} printed once");
    }
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_count_gives_every_delivery_its_own_event_of_every_kind() {
    // `--count`: "each sample gets its own ids", so none is a duplicate.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = sqlite_url(dir.path());
    let serve = Serve::start(&database, &["--workers", "1"]).await;
    let kinds = cli(["send", "--kind", "list"]).run().await;
    let kinds = kinds.success().lines();
    for kind in &kinds {
        let out = cli([
            "send",
            "--url",
            &serve.url(),
            "--kind",
            kind,
            "--count",
            "3",
            "--concurrency",
            "3",
            "--secret",
            SECRET,
            "--json",
        ])
        .run()
        .await
        .json();
        assert_eq!(out["statuses"]["200"], 3, "{kind}: {out}");
        assert_eq!(out["failed"], 0, "{kind}: {out}");
    }
    let inbox = open_inbox(&database).await;
    let events = all_events(&inbox).await;
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for event in &events {
        *by_kind.entry(event.kind.as_str()).or_default() += 1;
    }
    let short: Vec<String> = kinds
        .iter()
        .filter(|kind| by_kind.get(kind.as_str()) != Some(&3))
        .map(|kind| format!("{kind}: {}", by_kind.get(kind.as_str()).unwrap_or(&0)))
        .collect();
    assert!(
        short.is_empty(),
        "3 deliveries of each kind are 3 events, not duplicates; these are not: {short:?}"
    );
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_is_answered_with_the_challenge() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let serve = Serve::start(&sqlite_url(dir.path()), &[]).await;
    let client = client();

    let url = format!(
        "{}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444",
        serve.url()
    );
    let response = client.get(&url).send().await.expect("an answer");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("a body"), "1158201444");

    let wrong = format!(
        "{}?hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge=1158201444",
        serve.url()
    );
    let response = client.get(&wrong).send().await.expect("an answer");
    assert!(
        response.status().is_client_error(),
        "a wrong verify token is refused, not {}",
        response.status()
    );
    assert_ne!(response.text().await.unwrap_or_default(), "1158201444");

    // A delivery signed with another secret is refused and not stored.
    let forged = sample_at(SAMPLE_KINDS[0], now_millis())
        .sign(&instagram_webhook_core::AppSecret::new("another-secret").expect("a secret"));
    let response = client
        .post(serve.url())
        .header("content-type", "application/json")
        .header("x-hub-signature-256", forged.signature())
        .body(forged.body().clone())
        .send()
        .await
        .expect("an answer");
    assert!(
        response.status().is_client_error(),
        "a bad signature is refused, not {}",
        response.status()
    );
    // `send` with the wrong secret: refused, and `send` exits 1.
    let out = cli([
        "send",
        "--url",
        &serve.url(),
        "--kind",
        "comment",
        "--secret",
        "another-secret",
    ])
    .run()
    .await;
    out.expect_code(1);
    assert!(out.stdout().starts_with("401"), "{}", out.describe());

    let inbox = open_inbox(&serve.database).await;
    assert!(all_events(&inbox).await.is_empty(), "nothing is stored");
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_window_refuses_old_deliveries_and_stores_nothing_of_them() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let serve = Serve::start(&sqlite_url(dir.path()), &["--replay-window", "48h"]).await;
    let client = client();
    let hour = 3_600_000;
    let post = |delivery: SignedDelivery| {
        client
            .post(serve.url())
            .header("content-type", "application/json")
            .header("x-hub-signature-256", delivery.signature())
            .body(delivery.body().clone())
            .send()
    };
    let old = sample_at(SAMPLE_KINDS[0], now_millis() - 49 * hour).sign(&app_secret());
    let response = post(old).await.expect("an answer");
    assert_eq!(response.status(), 422, "older than the window");
    let recent = sample_at(SAMPLE_KINDS[0], now_millis() - 47 * hour).sign(&app_secret());
    let response = post(recent).await.expect("an answer");
    assert_eq!(response.status(), 200, "inside the window");

    let inbox = open_inbox(&serve.database).await;
    assert_eq!(
        all_events(&inbox).await.len(),
        1,
        "only the recent delivery is stored"
    );
    inbox.close().await;
}

/// Checks every forwarded request: Standard Webhooks headers that verify,
/// and the event's JSON.
fn check_forwarded(requests: &[support::Request], kind: &str) {
    for (index, request) in requests.iter().enumerate() {
        assert_eq!(request.method, "POST");
        verify_standard_webhook(FORWARD_KEY, request)
            .unwrap_or_else(|error| panic!("forwarded request {index}: {error}"));
        let body = request.json();
        assert!(body["event_id"].as_i64().is_some(), "event_id: {body}");
        assert_eq!(body["kind"], kind, "{body}");
        assert!(body["event"].is_object(), "the typed event: {body}");
        assert_eq!(
            body["attempt"].as_i64(),
            Some(index as i64 + 1),
            "attempt of request {index}: {body}"
        );
    }
    let ids: BTreeSet<&str> = requests
        .iter()
        .filter_map(|request| request.header("webhook-id"))
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "every attempt has the same webhook-id: {ids:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_retries_until_the_application_accepts() {
    let app = Receiver::start(|_, before| Reply::status(if before < 2 { 500 } else { 200 })).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let secret = forward_secret();
    let serve = Serve::start(
        &sqlite_url(dir.path()),
        &[
            "--forward-to",
            &app.url,
            "--forward-secret",
            &secret,
            "--retry",
            "100ms,100ms,100ms",
        ],
    )
    .await;
    send(&serve.url(), "comment").await;

    let inbox = open_inbox(&serve.database).await;
    let events = wait_events(&inbox, 1, "the event processed", |event| {
        event.state == State::Processed
    })
    .await;
    let requests = app.requests();
    assert_eq!(requests.len(), 3, "two 500s, then 200: three attempts");
    check_forwarded(&requests, "comment");
    let body = requests[2].json();
    assert_eq!(body["event_id"].as_i64(), Some(events[0].id.0));
    assert_eq!(events[0].attempt, 3);

    // Its two failed attempts, as `event ID` shows them.
    let detail = cli([
        "event",
        &events[0].id.0.to_string(),
        "--database",
        &serve.database,
        "--json",
    ])
    .run()
    .await
    .json();
    let attempts = detail["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "{detail:#}");
    for attempt in attempts {
        assert!(
            attempt["error"]
                .as_str()
                .unwrap_or_default()
                .contains("500"),
            "{attempt}"
        );
    }
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_failing_ends_a_dead_letter_and_retry_brings_it_back() {
    let accept = Arc::new(AtomicBool::new(false));
    let app = Receiver::start({
        let accept = Arc::clone(&accept);
        move |_, _| {
            Reply::status(if accept.load(Ordering::SeqCst) {
                200
            } else {
                500
            })
        }
    })
    .await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let secret = forward_secret();
    let serve = Serve::start(
        &sqlite_url(dir.path()),
        &[
            "--forward-to",
            &app.url,
            "--forward-secret",
            &secret,
            "--retry",
            "100ms,100ms",
        ],
    )
    .await;
    send(&serve.url(), "message").await;

    let inbox = open_inbox(&serve.database).await;
    let events = wait_events(&inbox, 1, "the event a dead letter", |event| {
        event.state == State::DeadLetter
    })
    .await;
    assert_eq!(events[0].attempt, 3, "three attempts with two retry delays");
    assert_eq!(app.requests().len(), 3);
    check_forwarded(&app.requests(), "message");

    // The application is fixed: queue it again, serve still running.
    accept.store(true, Ordering::SeqCst);
    let id = events[0].id.0.to_string();
    let out = cli(["retry", &id, "--database", &serve.database])
        .run()
        .await;
    out.success();
    assert!(
        out.stdout().contains(&format!("event {id} is ")),
        "{}",
        out.describe()
    );
    wait_events(&inbox, 1, "the event processed after retry", |event| {
        event.state == State::Processed
    })
    .await;
    let requests = app.requests();
    assert_eq!(requests.len(), 4, "one more attempt, accepted");
    assert!(verify_standard_webhook(FORWARD_KEY, &requests[3]).is_ok());
    assert_eq!(requests[3].json()["kind"], "message");
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_refused_with_4xx_gives_up_at_once() {
    let app = Receiver::start(|_, _| Reply::status(422)).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let secret = forward_secret();
    // The default retry policy: a 4xx must not wait for it.
    let serve = Serve::start(
        &sqlite_url(dir.path()),
        &["--forward-to", &app.url, "--forward-secret", &secret],
    )
    .await;
    send(&serve.url(), "mention").await;
    let inbox = open_inbox(&serve.database).await;
    let events = wait_events(&inbox, 1, "the event a dead letter", |event| {
        event.state == State::DeadLetter
    })
    .await;
    assert_eq!(events[0].attempt, 1, "given up after one attempt");
    assert_eq!(app.requests().len(), 1);
    let detail = inbox.event(events[0].id).await.expect("the event");
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(detail.attempts[0].error_class, "gave_up", "{detail:?}");
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_503_with_retry_after_is_retried() {
    let app = Receiver::start(|_, before| {
        if before == 0 {
            Reply::status(503).header("retry-after", "1")
        } else {
            Reply::status(200)
        }
    })
    .await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let secret = forward_secret();
    // The policy alone would wait an hour: only Retry-After brings it back
    // within the test's patience.
    let serve = Serve::start(
        &sqlite_url(dir.path()),
        &[
            "--forward-to",
            &app.url,
            "--forward-secret",
            &secret,
            "--retry",
            "1h",
        ],
    )
    .await;
    send(&serve.url(), "comment").await;
    let inbox = open_inbox(&serve.database).await;
    let events = wait_events(&inbox, 1, "the event processed after 503", |event| {
        event.state == State::Processed
    })
    .await;
    assert_eq!(events[0].attempt, 2);
    let requests = app.requests();
    assert_eq!(requests.len(), 2, "503, then 200");
    check_forwarded(&requests, "comment");
    let detail = inbox.event(events[0].id).await.expect("the event");
    assert!(
        detail.attempts[0].error.contains("503"),
        "{:?}",
        detail.attempts
    );
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_gets_the_event_json_on_stdin() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("a directory");
    let command = format!(
        "cat >> '{dir}'/\"$IGW_EVENT_ID\".json && printf '%s %s\\n' \"$IGW_KIND\" \"$IGW_ATTEMPT\" >> '{dir}'/\"$IGW_EVENT_ID\".env",
        dir = out.display()
    );
    let serve = Serve::start(&sqlite_url(dir.path()), &["--exec", &command]).await;
    send(&serve.url(), "comment").await;
    send(&serve.url(), "message").await;
    let inbox = open_inbox(&serve.database).await;
    let events = wait_events(&inbox, 2, "both events processed", |event| {
        event.state == State::Processed
    })
    .await;
    for event in &events {
        let path = out.join(format!("{}.json", event.id.0));
        let body = std::fs::read(&path)
            .unwrap_or_else(|error| panic!("{} was written: {error}", path.display()));
        let json: Value = serde_json::from_slice(&body).unwrap_or_else(|error| {
            panic!(
                "the command's stdin is one JSON document ({error}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        assert_eq!(json["event_id"].as_i64(), Some(event.id.0), "{json}");
        assert_eq!(json["kind"], event.kind.as_str(), "{json}");
        assert_eq!(json["dedup_key"], event.dedup_key.as_str(), "{json}");
        assert!(json["event"].is_object(), "{json}");
        let env = std::fs::read_to_string(out.join(format!("{}.env", event.id.0)))
            .expect("the environment was written");
        assert_eq!(
            env,
            format!("{} 1\n", event.kind),
            "IGW_KIND and IGW_ATTEMPT"
        );
    }
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_exit_65_gives_up_and_another_exit_retries() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("attempts.log");
    // Comments are refused (65); a message fails once (3), then is done.
    let command = format!(
        "printf '%s %s\\n' \"$IGW_KIND\" \"$IGW_ATTEMPT\" >> '{log}'; \
         case \"$IGW_KIND\" in comment) exit 65;; esac; \
         [ \"$IGW_ATTEMPT\" -ge 2 ] || exit 3",
        log = log.display()
    );
    let serve = Serve::start(
        &sqlite_url(dir.path()),
        &["--exec", &command, "--retry", "100ms,100ms"],
    )
    .await;
    send(&serve.url(), "comment").await;
    send(&serve.url(), "message").await;
    let inbox = open_inbox(&serve.database).await;
    let events = wait_settled(&inbox, 2).await;
    let comment = events
        .iter()
        .find(|e| e.kind == "comment")
        .expect("a comment");
    let message = events
        .iter()
        .find(|e| e.kind == "message")
        .expect("a message");
    assert_eq!(
        (comment.state, comment.attempt),
        (State::DeadLetter, 1),
        "exit 65 gives up at once: {}",
        summary(&events)
    );
    assert_eq!(
        (message.state, message.attempt),
        (State::Processed, 2),
        "exit 3 is retried: {}",
        summary(&events)
    );
    let mut attempts: Vec<String> = std::fs::read_to_string(&log)
        .expect("the log")
        .lines()
        .map(str::to_owned)
        .collect();
    attempts.sort();
    assert_eq!(attempts, ["comment 1", "message 1", "message 2"]);

    let detail = cli([
        "event",
        &comment.id.0.to_string(),
        "--database",
        &serve.database,
        "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(detail["state"], "dead_letter", "{detail:#}");
    assert_eq!(
        detail["attempts"][0]["error_class"], "gave_up",
        "{detail:#}"
    );
    assert!(
        detail["attempts"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("65"),
        "{detail:#}"
    );
    let detail = inbox.event(message.id).await.expect("the message");
    assert!(detail.attempts[0].error.contains("exited 3"), "{detail:?}");
    inbox.close().await;
}

/// A delivery and the dedup keys of its items.
struct Planned {
    delivery: SignedDelivery,
    keys: Vec<String>,
}

/// How many deliveries the SIGTERM test plans at most (far more than are
/// sent before the signal), and after how many 200s it sends the signal.
const LOAD: usize = 2000;
const SIGNAL_AFTER: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_load_keeps_every_acknowledged_delivery() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut serve = Serve::start(&sqlite_url(dir.path()), &["--print"]).await;
    let secret = app_secret();
    let start = now_millis();
    let plan: Arc<Vec<Planned>> = Arc::new(
        (0..LOAD)
            .map(|index| {
                let kind = SAMPLE_KINDS[index % SAMPLE_KINDS.len()];
                let delivery = sample_at(kind, start + index as u64).sign(&secret);
                let keys = Notification::from_slice(delivery.body())
                    .expect("an envelope")
                    .events()
                    .map(|event| event.expect("a decodable item").dedup_key().into_string())
                    .collect();
                Planned { delivery, keys }
            })
            .collect(),
    );

    // Eight senders, each delivery once, each until serve stops answering.
    let client = client();
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..8 {
        let (client, plan, next, acked, url) = (
            client.clone(),
            Arc::clone(&plan),
            Arc::clone(&next),
            Arc::clone(&acked),
            serve.url(),
        );
        senders.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            while let Some(planned) = plan.get(next.fetch_add(1, Ordering::SeqCst)) {
                let answer = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", planned.delivery.signature())
                    .body(planned.delivery.body().clone())
                    .send()
                    .await;
                let status = match answer {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        Some(status)
                    }
                    Err(_) => None,
                };
                if status == Some(200) {
                    acked.fetch_add(1, Ordering::SeqCst);
                }
                answers.push((planned.keys.clone(), status));
                if status.is_none() {
                    break;
                }
            }
            answers
        }));
    }
    wait_for("deliveries answered before the signal", async || {
        let acked = acked.load(Ordering::SeqCst);
        if acked >= SIGNAL_AFTER {
            Ok(())
        } else {
            Err(format!("{acked} answered 200"))
        }
    })
    .await;
    serve.terminate();
    let status = serve.wait().await;
    let mut answers = Vec::new();
    for sender in senders {
        answers.extend(sender.await.expect("a sender"));
    }
    assert_eq!(
        status.code(),
        Some(0),
        "serve exits 0 on SIGTERM\n{}",
        serve.stderr_tail(40)
    );
    let statuses: BTreeMap<Option<u16>, usize> =
        answers.iter().fold(BTreeMap::new(), |mut counts, answer| {
            *counts.entry(answer.1).or_default() += 1;
            counts
        });
    assert!(
        answers
            .iter()
            .all(|(_, status)| matches!(status, Some(200 | 503) | None)),
        "200 before the signal; refused or unavailable after: {statuses:?}"
    );
    assert!(
        answers.len() < LOAD && answers.iter().any(|(_, status)| *status != Some(200)),
        "the signal came in the middle of the load: {statuses:?}"
    );

    let inbox = open_inbox(&serve.database).await;
    let stored: BTreeSet<String> = all_events(&inbox)
        .await
        .into_iter()
        .map(|event| event.dedup_key)
        .collect();
    let mut checked = 0;
    for (keys, status) in &answers {
        if *status == Some(200) {
            for key in keys {
                assert!(
                    stored.contains(key),
                    "answered 200 but not in the inbox: {key} ({statuses:?})"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= SIGNAL_AFTER,
        "{checked} acknowledged events checked"
    );
    inbox.close().await;
    eprintln!("sigterm: {statuses:?}, {} events stored", stored.len());
}
