//! The inbox commands (`events`, `event`, `stats`, `retry`, `replay`) on
//! an inbox `serve` filled: on SQLite and on PostgreSQL through
//! `--database`, and through a running `serve`'s operations surface with
//! `--ops-url`.

mod support;

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use instagram_webhook_inbox::{EventRecord, State};
use serde_json::Value;
use support::{
    OPS_TOKEN, Receiver, Reply, SECRET, Serve, all_events, cli, meta_signature_valid, open_inbox,
    postgres_url, sqlite_url, summary, wait_events, wait_settled,
};

/// A delivery written by hand, the way no serializer would write it
/// (spaces, new lines, escapes), so only the exact bytes compare equal.
fn handwritten_delivery() -> Vec<u8> {
    let unique = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!(
        "{{ \"object\" : \"instagram\",\n  \"entry\": [ {{\"id\": \"17841400000000001\", \"time\": 1700000000123,\n    \"messaging\": [ {{ \"sender\": {{\"id\": \"900000001\"}}, \"recipient\": {{\"id\": \"17841400000000001\"}},\n      \"timestamp\": 1700000000123, \"message\": {{\"mid\": \"mid.e2e.{unique}\", \"text\": \"caf\\u00e9 \\ud83d\\ude00  two  spaces\"}} }} ] }} ]\n}}\n"
    )
    .into_bytes()
}

fn ids(events: &[EventRecord], kind: &str) -> Vec<i64> {
    events
        .iter()
        .filter(|event| event.kind == kind)
        .map(|event| event.id.0)
        .collect()
}

async fn state_of(inbox: &instagram_webhook_inbox::Inbox, id: i64) -> State {
    inbox
        .event(instagram_webhook_inbox::EventId(id))
        .await
        .expect("the event")
        .event
        .state
}

/// Fills an inbox on `database` through `serve` (comments refused by the
/// handler: dead letters; a message and a mention processed), stops it,
/// then works it with every inbox command over `--database`.
async fn work_the_inbox(database: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let body = handwritten_delivery();
    let file = dir.path().join("delivery.json");
    std::fs::write(&file, &body).expect("the delivery file");
    let file = file.display().to_string();

    let mut serve = Serve::start(
        database,
        &["--exec", "case \"$IGW_KIND\" in comment) exit 65;; esac"],
    )
    .await;
    let url = serve.url();
    let out = cli(["send", "--url", &url, "--file", &file, "--secret", SECRET])
        .run()
        .await;
    assert!(
        out.success().stdout().starts_with("200 "),
        "{}",
        out.describe()
    );
    let out = cli([
        "send", "--url", &url, "--kind", "comment", "--count", "2", "--secret", SECRET, "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(out["statuses"]["200"], 2, "{out}");
    let out = cli([
        "send", "--url", &url, "--kind", "mention", "--secret", SECRET,
    ])
    .run()
    .await;
    out.success();

    let inbox = open_inbox(database).await;
    let events = wait_settled(&inbox, 4).await;
    serve.stop().await;
    let comments = ids(&events, "comment");
    let message = ids(&events, "message")[0];
    assert_eq!(comments.len(), 2, "{}", summary(&events));
    for event in &events {
        let expected = if event.kind == "comment" {
            State::DeadLetter
        } else {
            State::Processed
        };
        assert_eq!(event.state, expected, "{}", summary(&events));
    }

    // events
    let list = cli(["events", "--database", database, "--json"])
        .run()
        .await
        .json();
    assert_eq!(list["total"], 4, "{list:#}");
    let listed: Vec<i64> = list["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["id"].as_i64().expect("an id"))
        .collect();
    let mut newest_first: Vec<i64> = events.iter().map(|event| event.id.0).collect();
    newest_first.reverse();
    assert_eq!(listed, newest_first, "every event, newest first");

    let dead = cli([
        "events",
        "--database",
        database,
        "--state",
        "dead_letter",
        "--kind",
        "comment",
        "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(dead["total"], 2, "{dead:#}");
    for event in dead["events"].as_array().expect("events") {
        assert_eq!(event["state"], "dead_letter");
        assert_eq!(event["kind"], "comment");
    }
    let none = cli([
        "events",
        "--database",
        database,
        "--kind",
        "story_insights",
        "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(none["total"], 0, "{none:#}");

    let table = cli(["events", "--database", database]).run().await;
    let table = table.success().stdout();
    assert!(table.contains("4 shown of 4 matching"), "{table}");
    for event in &events {
        assert!(
            table.lines().any(|line| {
                let mut words = line.split_whitespace();
                words.next() == Some(&event.id.0.to_string())
                    && words.next() == Some(event.state.as_str())
            }),
            "a row for event {}\n{table}",
            event.id.0
        );
    }

    // event
    let detail = cli([
        "event",
        &comments[0].to_string(),
        "--database",
        database,
        "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(detail["id"], comments[0], "{detail:#}");
    assert_eq!(detail["state"], "dead_letter", "{detail:#}");
    assert_eq!(detail["kind"], "comment", "{detail:#}");
    assert!(detail["payload"].is_object(), "{detail:#}");
    let attempts = detail["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 1, "{detail:#}");
    assert_eq!(attempts[0]["error_class"], "gave_up", "{detail:#}");
    let text = cli(["event", &comments[0].to_string(), "--database", database])
        .run()
        .await;
    let text = text.success().stdout();
    assert!(text.contains("state: dead_letter"), "{text}");
    assert!(text.contains("exited 65"), "the failed attempt\n{text}");
    cli(["event", "999999", "--database", database])
        .run()
        .await
        .bad_input(&["999999"]);

    // stats
    let stats = cli(["stats", "--database", database, "--json"])
        .run()
        .await
        .json();
    assert_eq!(stats["total"], 4, "{stats:#}");
    assert_eq!(stats["processed"], 2, "{stats:#}");
    assert_eq!(stats["dead_letter"], 2, "{stats:#}");
    let groups = stats["dead_letters"]
        .as_array()
        .expect("dead letter groups");
    assert!(
        groups
            .iter()
            .any(|group| group["kind"] == "comment" && group["count"] == 2),
        "{stats:#}"
    );
    let text = cli(["stats", "--database", database]).run().await;
    let text = text.success().stdout();
    assert!(text.contains("dead_letter: 2"), "{text}");
    assert!(text.contains("processed: 2"), "{text}");

    // retry: a dry run changes nothing.
    let dry = cli([
        "retry",
        "--state",
        "dead_letter",
        "--kind",
        "comment",
        "--dry-run",
        "--database",
        database,
        "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(dry["matched"], 2, "{dry:#}");
    assert_eq!(dry["queued"], 0, "{dry:#}");
    assert_eq!(dry["dry_run"], true, "{dry:#}");
    for &id in &comments {
        assert_eq!(state_of(&inbox, id).await, State::DeadLetter);
    }
    let out = cli([
        "retry",
        "--state",
        "dead_letter",
        "--kind",
        "mention",
        "--dry-run",
        "--database",
        database,
    ])
    .run()
    .await;
    assert!(
        out.success().stdout().starts_with("0 matched"),
        "{}",
        out.describe()
    );

    // retry ID, then the rest by filter.
    let out = cli(["retry", &comments[0].to_string(), "--database", database])
        .run()
        .await;
    assert!(
        out.success()
            .stdout()
            .contains(&format!("event {} is pending", comments[0])),
        "{}",
        out.describe()
    );
    assert_eq!(state_of(&inbox, comments[0]).await, State::Pending);
    assert_eq!(state_of(&inbox, comments[1]).await, State::DeadLetter);
    let bulk = cli([
        "retry",
        "--state",
        "dead_letter",
        "--kind",
        "comment",
        "--database",
        database,
        "--json",
    ])
    .run()
    .await
    .json();
    assert_eq!(bulk["matched"], 1, "{bulk:#}");
    assert_eq!(bulk["queued"], 1, "{bulk:#}");
    assert_eq!(state_of(&inbox, comments[1]).await, State::Pending);

    // replay: the exact bytes, signed.
    let target = Receiver::start(|_, _| Reply::status(200)).await;
    let out = cli([
        "replay",
        &message.to_string(),
        "--to",
        &target.url,
        "--database",
        database,
        "--secret",
        SECRET,
    ])
    .run()
    .await;
    assert!(
        out.success().stdout().starts_with("200"),
        "{}",
        out.describe()
    );
    let requests = target.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert!(
        requests[0].body.as_ref() == body.as_slice(),
        "the exact stored bytes\nsent:     {:?}\nreplayed: {:?}",
        String::from_utf8_lossy(&body),
        String::from_utf8_lossy(&requests[0].body)
    );
    let signature = requests[0]
        .header("x-hub-signature-256")
        .expect("X-Hub-Signature-256");
    assert!(
        meta_signature_valid(signature, &requests[0].body),
        "a valid signature: {signature}"
    );

    // The queued events are worked by the next serve.
    let serve = Serve::start(database, &["--exec", "cat > /dev/null"]).await;
    wait_events(&inbox, 4, "every event processed", |event| {
        event.state == State::Processed
    })
    .await;
    drop(serve);
    inbox.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_commands_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    work_the_inbox(&sqlite_url(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_commands_on_postgres() {
    work_the_inbox(&postgres_url().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_commands_through_a_running_serve() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let accept = dir.path().join("accept");
    let exec = format!("[ -e '{}' ] || exit 65", accept.display());
    let database = sqlite_url(dir.path());
    let mut serve = Serve::start(&database, &["--exec", &exec]).await;
    let out = cli([
        "send",
        "--url",
        &serve.url(),
        "--kind",
        "comment",
        "--secret",
        SECRET,
    ])
    .run()
    .await;
    out.success();
    let inbox = open_inbox(&database).await;
    let events = wait_settled(&inbox, 1).await;
    assert_eq!(events[0].state, State::DeadLetter);
    let id = events[0].id.0.to_string();
    let ops_url = serve.ops_url();
    let ops = ["--ops-url", ops_url.as_str(), "--ops-token", OPS_TOKEN];
    let with_ops = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        all.extend(ops.iter().map(|arg| (*arg).to_owned()));
        all
    };

    let list = cli(with_ops(&["events", "--json"])).run().await.json();
    assert_eq!(list["total"], 1, "{list:#}");
    assert_eq!(list["events"][0]["state"], "dead_letter", "{list:#}");
    // The token from the environment.
    let again = cli(["events", "--ops-url", &ops_url, "--json"])
        .env("INSTAGRAM_WEBHOOK_OPS_TOKEN", OPS_TOKEN)
        .run()
        .await
        .json();
    assert_eq!(again["total"], 1, "{again:#}");

    // The same JSON as over the database.
    let remote = cli(with_ops(&["event", &id, "--json"])).run().await.json();
    let local = cli(["event", &id, "--database", &database, "--json"])
        .run()
        .await
        .json();
    assert_eq!(remote, local, "the surface and the database answer alike");
    assert_eq!(remote["attempts"].as_array().map(Vec::len), Some(1));

    let stats = cli(with_ops(&["stats", "--json"])).run().await.json();
    assert_eq!(stats["dead_letter"], 1, "{stats:#}");
    let dry = cli(with_ops(&[
        "retry",
        "--state",
        "dead_letter",
        "--dry-run",
        "--json",
    ]))
    .run()
    .await
    .json();
    assert_eq!(dry["matched"], 1, "{dry:#}");

    // A wrong token is refused, in one line.
    cli([
        "stats",
        "--ops-url",
        &ops_url,
        "--ops-token",
        "not-the-operations-token",
    ])
    .run()
    .await
    .bad_input(&["token"]);

    // The handler is fixed: queue it again while serve runs.
    std::fs::write(&accept, b"").expect("the marker");
    let out = cli(with_ops(&["retry", &id])).run().await;
    out.success();
    wait_events(&inbox, 1, "the event processed after retry", |event| {
        event.state == State::Processed
    })
    .await;

    // Replayed into serve itself: the same bytes are a duplicate.
    let out = cli(with_ops(&[
        "replay",
        &id,
        "--to",
        &serve.url(),
        "--secret",
        SECRET,
    ]))
    .run()
    .await;
    assert!(
        out.success().stdout().starts_with("200"),
        "{}",
        out.describe()
    );
    let stats: Value = cli(with_ops(&["stats", "--json"])).run().await.json();
    assert_eq!(stats["duplicates"], 1, "{stats:#}");
    assert_eq!(stats["total"], 1, "{stats:#}");
    let kinds: BTreeSet<String> = all_events(&inbox)
        .await
        .into_iter()
        .map(|event| event.kind)
        .collect();
    assert_eq!(kinds, BTreeSet::from(["comment".to_owned()]));
    serve.stop().await;
    inbox.close().await;
}
