//! The JSON API end to end: a real server on loopback over a real inbox
//! (SQLite and PostgreSQL), deliveries through a real receiver, every answer
//! checked against the OpenAPI document and for leaked secrets.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use instagram_webhook_inbox::{Jitter, RetryPolicy, State};
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

const MEDIA: &str = "18114683101754675";
const OTHER_MEDIA: &str = "18033793664460039";

/// Opens an inbox with one attempt per event (a failure is a dead letter)
/// and serves the surface over it, every answer checked.
async fn one_attempt(db: &Db) -> (instagram_webhook_inbox::Inbox, Surface) {
    let inbox = db.open(quiet().retry(RetryPolicy::new([]))).await;
    let surface = Surface::start(inbox.clone())
        .await
        .checked(conformance::check);
    (inbox, surface)
}

fn ids(events: &[Value]) -> Vec<i64> {
    events.iter().map(id).collect()
}

fn id(event: &Value) -> i64 {
    event["id"].as_i64().expect("an id")
}

fn page_ids(page: &Value) -> Vec<i64> {
    ids(page["events"].as_array().expect("events"))
}

/// One page: its ids and its total.
async fn list(s: &Surface, query: &str) -> (Vec<i64>, u64) {
    let page = s.json(&format!("/api/webhook-events?{query}")).await;
    (page_ids(&page), page["total"].as_u64().expect("a total"))
}

/// Asserts the list under `query` is exactly the events of `all` for which
/// `keep` holds, newest first, and its total counts them.
async fn assert_lists(s: &Surface, query: &str, all: &[Value], keep: impl Fn(&Value) -> bool) {
    let expected: Vec<i64> = all.iter().filter(|e| keep(e)).map(id).collect();
    let (got, total) = list(s, query).await;
    assert_eq!(got, expected, "?{query}");
    assert_eq!(total, expected.len() as u64, "?{query}: total");
}

fn created(event: &Value) -> time::OffsetDateTime {
    parse_time(event["created_at"].as_str().expect("created_at"))
}

/// Walks every page of `query` with the `before` cursor; the ids.
async fn walk(s: &Surface, query: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let cursor = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let page = s
            .json(&format!("/api/webhook-events?{query}{cursor}"))
            .await;
        seen.extend(page_ids(&page));
        match page["next"].as_i64() {
            Some(next) => {
                assert_eq!(Some(&next), seen.last(), "`next` is the page's last id");
                before = Some(next);
            }
            None => return seen,
        }
    }
}

// ---------------------------------------------------------------------------
// The list.

async fn lists_with_every_filter_and_page(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    // Processed, one dead letter, on two accounts.
    for body in [
        comment(ACCOUNT, MEDIA, "17880990537428645", "Link"),
        comment(ACCOUNT, MEDIA, "17880990537428646", "Nice reel [give-up]"),
        messaging(
            OTHER_ACCOUNT,
            vec![
                message(OTHER_ACCOUNT, "489760440872775", "mid-a", "Omg"),
                message(OTHER_ACCOUNT, "489760440872776", "mid-b", "oi"),
            ],
        ),
    ] {
        assert_eq!(s.deliver(body).await, 200);
    }
    process_all(&inbox).await;
    let earlier = s.all_events().await;
    assert_eq!(earlier.len(), 4);
    let latest = earlier.iter().map(created).max().expect("events");
    clock_past(SystemTime::from(latest)).await;
    // Then three waiting, stored strictly later.
    for body in [
        comment(OTHER_ACCOUNT, OTHER_MEDIA, "17880990537428647", "Olá 🥰"),
        comment(OTHER_ACCOUNT, OTHER_MEDIA, "17880990537428648", "second"),
        messaging(
            ACCOUNT,
            vec![message(ACCOUNT, "1129842642640637", "mid-c", "oi")],
        ),
    ] {
        assert_eq!(s.deliver(body).await, 200);
    }
    let all = s.all_events().await;
    let all_ids = ids(&all);
    assert_eq!(all_ids.len(), 7);
    assert!(
        all_ids.windows(2).all(|w| w[0] > w[1]),
        "newest first: {all_ids:?}"
    );
    assert_eq!(&all_ids[3..], &ids(&earlier)[..], "older events after");

    // No parameter: the first page, with its defaults.
    let page = s.json("/api/webhook-events").await;
    assert_eq!(page_ids(&page), all_ids);
    assert_eq!(page["total"], 7);
    assert_eq!(page["limit"], 50);
    assert_eq!(page["offset"], 0);
    assert!(page["next"].is_null());

    // An event's summary.
    let newest = &all[0];
    assert_eq!(newest["kind"], "message");
    assert_eq!(newest["account_id"], ACCOUNT);
    assert_eq!(newest["container"], "messaging");
    assert_eq!(newest["state"], "pending");
    assert_eq!(newest["attempt"], 0);
    assert_eq!(newest["max_attempts"], 1);
    assert_eq!(newest["duplicates"], 0);
    assert!(newest["dedup_key"].as_str().unwrap().contains("mid-c"));
    for empty in [
        "finalized_at",
        "locked_by",
        "last_error",
        "last_error_class",
    ] {
        assert!(newest[empty].is_null(), "{empty}: {newest}");
    }
    let dead = all
        .iter()
        .find(|e| e["state"] == "dead_letter")
        .expect("a dead letter");
    assert_eq!(dead["last_error_class"], "gave_up");
    assert_eq!(dead["last_error"], "the Graph API says the media is gone");
    assert!(dead["finalized_at"].is_string());
    assert_eq!(dead["attempt"], 1);

    // Every filter, alone and together.
    for state in [
        "pending",
        "processed",
        "dead_letter",
        "failed",
        "processing",
    ] {
        assert_lists(&s, &format!("status={state}"), &all, |e| {
            e["state"] == state
        })
        .await;
    }
    assert_lists(&s, "eventType=comment", &all, |e| e["kind"] == "comment").await;
    assert_lists(&s, "eventType=message", &all, |e| e["kind"] == "message").await;
    assert_lists(&s, "eventType=story_insights", &all, |_| false).await;
    assert_lists(&s, &format!("account={OTHER_ACCOUNT}"), &all, |e| {
        e["account_id"] == OTHER_ACCOUNT
    })
    .await;
    assert_lists(
        &s,
        &format!("status=pending&eventType=comment&account={OTHER_ACCOUNT}"),
        &all,
        |e| e["state"] == "pending" && e["kind"] == "comment" && e["account_id"] == OTHER_ACCOUNT,
    )
    .await;

    // Times: since is inclusive, until exclusive; any offset reads the same.
    let boundary = all[..3].iter().map(created).min().expect("events");
    assert!(boundary > latest, "the later events were stored later");
    let utc = all[..3]
        .iter()
        .find(|e| created(e) == boundary)
        .expect("an event at the boundary")["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(utc.ends_with('Z'), "answers are in UTC: {utc}");
    let plus_one = format_at_offset(boundary, 1);
    assert!(plus_one.ends_with("+01:00"), "{plus_one}");
    let minus_three = format_at_offset(boundary, -3);
    for since in [&utc, &plus_one, &minus_three] {
        assert_lists(&s, &format!("since={}", encode(since)), &all, |e| {
            created(e) >= boundary
        })
        .await;
        assert_lists(&s, &format!("until={}", encode(since)), &all, |e| {
            created(e) < boundary
        })
        .await;
    }
    let (since, _) = list(&s, &format!("since={}", encode(&plus_one))).await;
    assert_eq!(since, &all_ids[..3], "exactly the later events");
    assert_lists(
        &s,
        &format!("since={}&until={}", encode(&utc), encode(&plus_one)),
        &all,
        |_| false,
    )
    .await;
    assert_lists(&s, "since=2999-01-01T00:00:00Z", &all, |_| false).await;
    assert_lists(&s, "since=1969-12-31T23:59:59.5-01:00", &all, |_| true).await;
    assert_lists(&s, "until=2999-01-01T00:00:00%2B14:00", &all, |_| true).await;

    // Pages: `limit`, then `before` with the previous page's `next`.
    let page = s.json("/api/webhook-events?limit=2").await;
    assert_eq!(page_ids(&page), &all_ids[..2]);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["total"], 7);
    assert_eq!(page["next"], all_ids[1]);
    assert_eq!(walk(&s, "limit=2").await, all_ids);
    assert_eq!(walk(&s, "limit=1").await, all_ids);
    assert_eq!(walk(&s, "limit=200").await, all_ids);
    let comments: Vec<i64> = all
        .iter()
        .filter(|e| e["kind"] == "comment")
        .map(id)
        .collect();
    assert_eq!(walk(&s, "eventType=comment&limit=1").await, comments);
    let page = s
        .json(&format!(
            "/api/webhook-events?limit=2&before={}",
            all_ids[5]
        ))
        .await;
    assert_eq!(page_ids(&page), &all_ids[6..]);
    assert!(page["next"].is_null(), "the last page");
    assert_eq!(page["total"], 7, "the total counts every page");

    // Offsets, alone and below a cursor.
    let page = s.json("/api/webhook-events?offset=2&limit=2").await;
    assert_eq!(page_ids(&page), &all_ids[2..4]);
    assert_eq!(page["offset"], 2);
    assert_eq!(page["total"], 7);
    assert_eq!(page["next"], all_ids[3]);
    let (tail, _) = list(&s, "offset=6&limit=2").await;
    assert_eq!(tail, &all_ids[6..]);
    let page = s.json("/api/webhook-events?offset=7").await;
    assert_eq!(page_ids(&page), Vec::<i64>::new());
    assert!(page["next"].is_null());
    let (below, _) = list(&s, &format!("before={}&offset=1&limit=2", all_ids[1])).await;
    assert_eq!(below, &all_ids[3..5], "the offset counts below the cursor");
    let (zero, _) = list(&s, &format!("before={}&offset=0", all_ids[4])).await;
    assert_eq!(zero, &all_ids[5..]);
    let (none, total) = list(&s, "offset=9223372036854775807&limit=200").await;
    assert_eq!((none, total), (vec![], 7), "the largest offset");
    let (every, _) = list(&s, "before=9223372036854775807&limit=200").await;
    assert_eq!(every, all_ids, "the largest cursor");

    // A NUL character matches nothing, on both engines (no stored value
    // holds one).
    assert_lists(&s, "account=%00", &all, |_| false).await;
    assert_lists(&s, &format!("account={ACCOUNT}%00"), &all, |_| false).await;
    assert_lists(&s, "eventType=comment%00", &all, |_| false).await;
}

/// Every event present when the walk starts is seen once, none twice,
/// newest first, while deliveries keep arriving between the pages.
async fn pages_stay_put_while_events_arrive(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    for n in 0..20 {
        let body = comment(
            ACCOUNT,
            MEDIA,
            &format!("1788099053742{n:04}"),
            &format!("comment {n}"),
        );
        assert_eq!(s.deliver(body).await, 200);
    }
    let present = ids(&s.all_events().await);
    assert_eq!(present.len(), 20);

    // A writer that stores two deliveries each time the walker asks.
    let (ask, mut asked) = tokio::sync::mpsc::channel::<()>(1);
    let (done, mut stored) = tokio::sync::mpsc::channel::<()>(1);
    let (client, webhook) = (s.client(), s.webhook.clone());
    let writer = tokio::spawn(async move {
        let mut n = 0;
        while asked.recv().await.is_some() {
            for _ in 0..2 {
                let body = messaging(
                    ACCOUNT,
                    vec![message(
                        ACCOUNT,
                        &format!("48976044087{n:04}"),
                        &format!("mid-arriving-{n}"),
                        "arriving while the pages are read",
                    )],
                );
                assert_eq!(post_signed(&client, &webhook, body).await, 200);
                n += 1;
            }
            done.send(()).await.expect("the walker listens");
        }
        n
    });

    let mut seen: Vec<i64> = Vec::new();
    let mut before: Option<i64> = None;
    let mut totals = Vec::new();
    loop {
        ask.send(()).await.expect("the writer listens");
        stored.recv().await.expect("the writer stored");
        let cursor = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let page = s
            .json(&format!("/api/webhook-events?limit=3{cursor}"))
            .await;
        totals.push(page["total"].as_u64().unwrap());
        seen.extend(page_ids(&page));
        match page["next"].as_i64() {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    drop(ask);
    let arrived = writer.await.expect("the writer ends");
    assert!(
        arrived >= 14,
        "deliveries arrived during the walk: {arrived}"
    );
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, none repeated: {seen:?}"
    );
    for id in &present {
        assert_eq!(
            seen.iter().filter(|s| *s == id).count(),
            1,
            "event {id} seen once: {seen:?}"
        );
    }
    let newer: Vec<&i64> = seen.iter().filter(|id| !present.contains(id)).collect();
    assert!(
        newer.iter().all(|id| **id > present[0]),
        "only newer events besides the first ones: {newer:?}"
    );
    assert!(
        totals.windows(2).all(|w| w[0] < w[1]),
        "the total counts what arrived: {totals:?}"
    );
}

// ---------------------------------------------------------------------------
// Stats.

async fn stats_count_everything(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    let empty = s.stats().await;
    for field in [
        "total",
        "pending",
        "processing",
        "processed",
        "failed",
        "dead_letter",
        "duplicates",
        "rejected_deliveries",
    ] {
        assert_eq!(empty[field], 0, "{field}: {empty}");
    }
    assert!(empty["oldest_pending_age_seconds"].is_null());
    assert_eq!(empty["by_kind"], json!([]));
    assert_eq!(empty["dead_letters"], json!([]));
    let quiet_window = json!({"received": 0, "processed": 0, "failed": 0});
    assert_eq!(empty["last_hour"], quiet_window);
    assert_eq!(empty["last_day"], quiet_window);

    let first = comment(ACCOUNT, MEDIA, "17880990537428645", "Link");
    for body in [
        first.clone(),
        comment(ACCOUNT, MEDIA, "17880990537428646", "[give-up]"),
        comment(ACCOUNT, OTHER_MEDIA, "17880990537428647", "[fail]"),
        messaging(
            OTHER_ACCOUNT,
            vec![
                message(OTHER_ACCOUNT, "489760440872775", "mid-a", "[give-up]"),
                message(OTHER_ACCOUNT, "489760440872776", "mid-b", "[give-up]"),
            ],
        ),
        // Meta sends it again: a duplicate, not queued.
        first,
        // Verified, but not an Instagram envelope: kept, rejected.
        bytes::Bytes::from_static(br#"{"object":"page","entry":"not a list"}"#),
        // An item that does not decode (a change without its field).
        meta(
            &json!({"object": "instagram", "entry": [{"id": ACCOUNT, "time": 1_778_494_689_u64,
            "changes": [{"value": {"id": "17880990537428649"}}]}]}),
        ),
    ] {
        assert_eq!(s.deliver(body).await, 200);
    }
    let waiting = s.stats().await;
    assert_eq!(waiting["total"], 6, "{waiting}");
    assert_eq!(waiting["pending"], 5, "{waiting}");
    assert_eq!(waiting["dead_letter"], 1, "the undecodable item: {waiting}");
    assert_eq!(waiting["duplicates"], 1);
    assert_eq!(waiting["rejected_deliveries"], 1);
    let age = waiting["oldest_pending_age_seconds"]
        .as_f64()
        .expect("an age while events wait");
    assert!(age >= 0.0, "{age}");
    assert_eq!(waiting["last_hour"]["received"], 6);
    assert_eq!(waiting["last_hour"]["processed"], 0);

    process_all(&inbox).await;
    let stats = s.stats().await;
    let expected = [
        ("total", 6),
        ("pending", 0),
        ("processing", 0),
        ("processed", 1),
        ("failed", 0),
        ("dead_letter", 5),
        ("duplicates", 1),
        ("rejected_deliveries", 1),
    ];
    for (field, n) in expected {
        assert_eq!(stats[field], n, "{field}: {stats}");
    }
    assert!(
        stats["oldest_pending_age_seconds"].is_null(),
        "nothing waits: {stats}"
    );
    let by_kind: BTreeSet<(String, String, u64)> = stats["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["state"].as_str().unwrap().to_owned(),
                k["kind"].as_str().unwrap().to_owned(),
                k["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, u64)> = [
        ("processed", "comment", 1),
        ("dead_letter", "comment", 2),
        ("dead_letter", "message", 2),
        ("dead_letter", "undecodable", 1),
    ]
    .into_iter()
    .map(|(s, k, n)| (s.to_owned(), k.to_owned(), n))
    .collect();
    assert_eq!(by_kind, want, "{stats}");
    assert_eq!(
        stats["dead_letters"],
        json!([
            {"kind": "message", "error_class": "gave_up", "count": 2},
            {"kind": "comment", "error_class": "error", "count": 1},
            {"kind": "comment", "error_class": "gave_up", "count": 1},
            {"kind": "undecodable", "error_class": "decode", "count": 1},
        ]),
        "most first: {stats}"
    );
    let window = json!({"received": 6, "processed": 1, "failed": 4});
    assert_eq!(stats["last_hour"], window, "{stats}");
    assert_eq!(stats["last_day"], window, "{stats}");
    // The event that was repeated says so.
    let repeated = s
        .all_events()
        .await
        .into_iter()
        .find(|e| {
            e["dedup_key"]
                .as_str()
                .unwrap()
                .ends_with("17880990537428645")
        })
        .expect("the first comment");
    assert_eq!(repeated["duplicates"], 1);
    // Every event's detail, the undecodable one too, follows the document.
    for event in s.all_events().await {
        let detail = s.event(id(&event)).await;
        assert!(detail["payload"].is_object(), "{detail}");
        if event["kind"] == "undecodable" {
            assert_eq!(detail["state"], "dead_letter");
            assert_eq!(detail["last_error_class"], "decode");
            assert_eq!(detail["container"], "changes");
        }
    }

    // One more waits: the oldest pending age is back.
    let body = messaging(
        ACCOUNT,
        vec![message(ACCOUNT, "1129842642640637", "mid-c", "oi")],
    );
    assert_eq!(s.deliver(body).await, 200);
    let stats = s.stats().await;
    assert_eq!(stats["pending"], 1);
    assert_eq!(stats["total"], 7);
    assert!(stats["oldest_pending_age_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(stats["last_hour"]["received"], 7);
}

// ---------------------------------------------------------------------------
// One event, and its delivery's bytes.

async fn shows_one_event_with_its_attempts_and_delivery(db: Db) {
    let inbox = db
        .open(quiet().retry(RetryPolicy::new([Duration::ZERO]).jitter(Jitter::none())))
        .await;
    let s = Surface::start(inbox.clone())
        .await
        .checked(conformance::check);
    let failing = messaging(
        ACCOUNT,
        vec![message(
            ACCOUNT,
            "1129842642640637",
            "mid-failing",
            "Olá, testando amor 🥰 [fail]",
        )],
    );
    assert!(
        std::str::from_utf8(&failing)
            .unwrap()
            .contains(r"Ol\u00e1, testando amor \ud83e\udd70"),
        "escaped like Meta"
    );
    let flaky = comment(ACCOUNT, MEDIA, "17880990537428645", "[flaky] café");
    assert_eq!(s.deliver(failing.clone()).await, 200);
    assert_eq!(s.deliver(flaky).await, 200);
    process_all(&inbox).await;
    let all = s.all_events().await;
    let (flaky_id, failing_id) = (id(&all[0]), id(&all[1]));

    let event = s.event(failing_id).await;
    assert_eq!(event["id"], failing_id);
    assert_eq!(event["kind"], "message");
    assert_eq!(event["state"], "dead_letter");
    assert_eq!(event["attempt"], 2);
    assert_eq!(event["max_attempts"], 2);
    assert_eq!(event["last_error_class"], "error");
    assert_eq!(event["last_error"], "the Graph API answered 500");
    // The item, decoded, with Meta's raw item.
    let payload = &event["payload"];
    assert_eq!(payload["kind"], "message");
    assert_eq!(payload["account_id"], ACCOUNT);
    assert_eq!(payload["container"], "messaging");
    assert_eq!(payload["dedup_key"], event["dedup_key"]);
    assert_eq!(
        payload["raw"]["message"]["text"],
        "Olá, testando amor 🥰 [fail]"
    );
    assert_eq!(payload["raw"]["message"]["mid"], "mid-failing");
    assert_eq!(payload["raw"]["sender"]["id"], "1129842642640637");
    // Its two failed attempts, oldest first.
    let attempts = event["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "{event}");
    for (n, attempt) in attempts.iter().enumerate() {
        assert_eq!(attempt["attempt"], n + 1);
        assert_eq!(attempt["worker"], "worker-all");
        assert_eq!(attempt["error_class"], "error");
        assert_eq!(attempt["error"], "the Graph API answered 500");
        let (started, finished) = (
            parse_time(attempt["started_at"].as_str().unwrap()),
            parse_time(attempt["finished_at"].as_str().unwrap()),
        );
        assert!(started <= finished, "{attempt}");
        let millis = u64::try_from((finished - started).whole_milliseconds()).unwrap();
        assert_eq!(attempt["duration_ms"], millis, "{attempt}");
    }
    // Its delivery.
    let delivery_id = event["delivery_id"].as_i64().unwrap();
    let delivery = &event["delivery"];
    assert_eq!(delivery["id"], delivery_id);
    assert_eq!(delivery["path"], "/webhook");
    assert!(delivery["app"].is_null());
    assert_eq!(delivery["secret_index"], 0);
    assert_eq!(delivery["items"], 1);
    assert_eq!(delivery["duplicates"], 0);
    assert!(delivery["rejected_reason"].is_null());
    assert_eq!(delivery["size"], failing.len());
    parse_time(delivery["received_at"].as_str().unwrap());
    let raw_url = format!("/api/deliveries/{delivery_id}/raw");
    assert_eq!(event["raw_url"], raw_url.as_str());
    let raw = s.get(&raw_url).await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body, failing, "the bytes as Meta sent them");

    // A success after a failure: one failed attempt kept.
    let event = s.event(flaky_id).await;
    assert_eq!(event["state"], "processed");
    assert_eq!(event["attempt"], 2);
    assert!(event["finalized_at"].is_string());
    let attempts = event["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["error"], "connection reset by the Graph API");
    assert_eq!(event["payload"]["raw"]["text"], "[flaky] café");
}

async fn serves_the_exact_bytes_of_each_delivery(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    let pretty = "{\n  \"object\": \"instagram\",\n  \"entry\": [\n    {\n      \"time\": 1740157200749,\n      \"id\": \"17841472110558136\",\n      \"messaging\": [\n        {\n          \"sender\": {\"id\": \"489760440872775\"},\n          \"recipient\": {\"id\": \"17841472110558136\"},\n          \"timestamp\": 1740157200421,\n          \"message\": {\"mid\": \"mid-pretty\", \"text\": \"Omg \u{1F525}\"}\n        }\n      ]\n    }\n  ]\n}\n";
    let rejected = "not json at all: \u{0}\u{7f}\\u0000 \u{1F525}";
    let bodies: [&str; 3] = [ECHO_CAPTURE, IMAGE_CAPTURE, pretty];
    let mut delivery_ids = Vec::new();
    for body in bodies {
        assert_eq!(s.deliver(body.as_bytes().to_vec()).await, 200);
        let newest = &s.all_events().await[0];
        delivery_ids.push(newest["delivery_id"].as_i64().unwrap());
    }
    assert_eq!(s.deliver(rejected.as_bytes().to_vec()).await, 200);
    let envelope = comment(ACCOUNT, MEDIA, "17880990537428645", "after");
    assert_eq!(s.deliver(envelope).await, 200);
    let after = s.all_events().await[0]["delivery_id"].as_i64().unwrap();

    for (body, delivery) in bodies.iter().zip(&delivery_ids) {
        let raw = s.get(&format!("/api/deliveries/{delivery}/raw")).await;
        assert_eq!(raw.status, 200);
        assert_eq!(raw.body.as_ref(), body.as_bytes(), "byte for byte");
        assert_eq!(raw.header("content-type"), Some("application/octet-stream"));
        assert_eq!(
            raw.header("content-security-policy"),
            Some("default-src 'none'; sandbox")
        );
    }
    assert!(ECHO_CAPTURE.contains(r"\ud83e\udd70") && IMAGE_CAPTURE.contains(r"https:\/\/"));
    // The rejected delivery has no event: its id lies between its
    // neighbours'.
    let mut found = Vec::new();
    for delivery in delivery_ids[2] + 1..after {
        let raw = s.get(&format!("/api/deliveries/{delivery}/raw")).await;
        if raw.status == 200 {
            found.push(raw.body);
        } else {
            raw.assert_error(404, "not_found", None);
        }
    }
    assert_eq!(
        found,
        vec![bytes::Bytes::from(rejected)],
        "the rejected bytes"
    );
    assert_eq!(s.stats().await["rejected_deliveries"], 1);
}

// ---------------------------------------------------------------------------
// Retry and delete.

/// A worker whose handler holds `[hang]` events forever (and does what the
/// others say); waits until it holds `id`.
async fn hold(inbox: &instagram_webhook_inbox::Inbox, id: i64) -> instagram_webhook_inbox::Worker {
    let worker = worker(inbox, "worker-holding");
    until_state(inbox, id, State::Processing).await;
    worker
}

fn hanging(mid: &str) -> bytes::Bytes {
    messaging(
        ACCOUNT,
        vec![message(ACCOUNT, &format!("sender-{mid}"), mid, "[hang]")],
    )
}

async fn retries_one_event(db: Db) {
    // One attempt for comments; messages get a retry, an hour later.
    let policy = RetryPolicy::new([]).for_kind("message", [Duration::from_secs(3600)]);
    let inbox = db.open(quiet().retry(policy)).await;
    let s = Surface::start(inbox.clone())
        .await
        .checked(conformance::check);
    assert_eq!(
        s.deliver(comment(ACCOUNT, MEDIA, "17880990537428645", "[give-up]"))
            .await,
        200
    );
    assert_eq!(
        s.deliver(comment(ACCOUNT, OTHER_MEDIA, "17880990537428646", "Link"))
            .await,
        200
    );
    process_all(&inbox).await;
    // A failure waiting for its retry.
    assert_eq!(
        s.deliver(messaging(
            ACCOUNT,
            vec![message(ACCOUNT, "489760440872775", "mid-f", "[fail]")]
        ))
        .await,
        200
    );
    let failed = id(&s.all_events().await[0]);
    let worker = worker(&inbox, "worker-failing");
    until_state(&inbox, failed, State::Failed).await;
    worker.shutdown().await;
    assert_eq!(
        s.deliver(messaging(
            ACCOUNT,
            vec![message(ACCOUNT, "1129842642640637", "mid-c", "oi")]
        ))
        .await,
        200
    );
    let all = s.all_events().await;
    let (pending, processed, dead) = (id(&all[0]), id(&all[2]), id(&all[3]));
    assert_eq!(all[1]["state"], "failed");
    assert_eq!(all[2]["state"], "processed");
    assert_eq!(all[3]["state"], "dead_letter");
    assert_eq!(all[3]["max_attempts"], 1);

    // A dead letter: queued again, with one more attempt.
    let answer = s
        .post(&format!("/api/webhook-events/{dead}/retry"), "")
        .await
        .ok_json();
    assert_eq!(answer["message"], format!("event {dead} is pending"));
    assert_eq!(answer["event"]["id"], dead);
    assert_eq!(answer["event"]["state"], "pending");
    assert_eq!(answer["event"]["attempt"], 1);
    assert_eq!(answer["event"]["max_attempts"], 2);
    assert!(answer["event"]["finalized_at"].is_null());
    assert_eq!(s.event(dead).await["state"], "pending");
    assert_eq!(s.stats().await["dead_letter"], 0);

    // A processed event: queued again.
    let answer = s
        .post(&format!("/api/webhook-events/{processed}/retry"), "")
        .await
        .ok_json();
    assert_eq!(answer["event"]["state"], "pending");
    assert_eq!(answer["event"]["max_attempts"], 2);

    // A failed event: due now rather than in an hour.
    let waiting = s.event(failed).await;
    let answer = s
        .post(&format!("/api/webhook-events/{failed}/retry"), "")
        .await
        .ok_json();
    assert_eq!(answer["event"]["state"], "pending");
    assert_eq!(answer["event"]["attempt"], 1);
    assert_eq!(answer["event"]["max_attempts"], 2, "it had one left");
    let due = |event: &Value| parse_time(event["run_at"].as_str().unwrap());
    assert!(due(&answer["event"]) < due(&waiting), "{answer} {waiting}");
    assert_eq!(
        s.event(failed).await["attempts"].as_array().unwrap().len(),
        1
    );

    // A pending event stays pending: nothing to do.
    let before = s.event(pending).await;
    let answer = s
        .post(&format!("/api/webhook-events/{pending}/retry"), "")
        .await
        .ok_json();
    assert_eq!(answer["message"], format!("event {pending} is pending"));
    assert_eq!(answer["event"]["state"], "pending");
    let after = s.event(pending).await;
    assert_eq!(after["attempt"], before["attempt"]);
    assert_eq!(after["max_attempts"], before["max_attempts"]);
    assert_eq!(after["run_at"], before["run_at"]);
    let stats = s.stats().await;
    assert_eq!(
        (&stats["pending"], &stats["failed"]),
        (&json!(4), &json!(0))
    );

    // Held by a worker whose handler never returns: 409.
    assert_eq!(s.deliver(hanging("mid-hang")).await, 200);
    let held = id(&s.all_events().await[0]);
    let worker = hold(&inbox, held).await;
    eventually("the others to be done with", || async {
        let stats = inbox.stats().await.unwrap();
        stats.count(State::Pending) == 0 && stats.count(State::Processing) == 1
    })
    .await;
    let event = s.event(held).await;
    assert_eq!(event["state"], "processing");
    assert_eq!(event["locked_by"], "worker-holding");
    s.post(&format!("/api/webhook-events/{held}/retry"), "")
        .await
        .assert_error(409, "conflict", None);
    assert_eq!(
        bulk(&s, json!({"status": "processing"})).await,
        json!({"matched": 1, "queued": 0, "skipped": 1, "dry_run": false}),
        "a held event is skipped"
    );
    assert_eq!(s.event(held).await["state"], "processing", "still held");
    worker.abort();

    // No such event.
    s.post("/api/webhook-events/999999/retry", "")
        .await
        .assert_error(404, "not_found", None);
}

/// A bulk retry with the operations token; its answer.
async fn bulk(s: &Surface, body: Value) -> Value {
    s.post("/api/webhook-events/retry", &body.to_string())
        .await
        .ok_json()
}

/// The stats without what moves with the clock.
async fn counts(s: &Surface) -> Value {
    let mut stats = s.stats().await;
    stats
        .as_object_mut()
        .expect("an object")
        .remove("oldest_pending_age_seconds");
    stats
}

async fn retries_in_bulk(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    for n in 0..4 {
        let body = comment(ACCOUNT, MEDIA, &format!("1788099053742{n:04}"), "[give-up]");
        assert_eq!(s.deliver(body).await, 200);
    }
    let other = messaging(
        OTHER_ACCOUNT,
        vec![message(
            OTHER_ACCOUNT,
            "489760440872775",
            "mid-a",
            "[give-up]",
        )],
    );
    assert_eq!(s.deliver(other).await, 200);
    assert_eq!(
        s.deliver(comment(ACCOUNT, OTHER_MEDIA, "17880990537428699", "Link"))
            .await,
        200
    );
    process_all(&inbox).await;
    clock_past(SystemTime::now()).await;
    assert_eq!(
        s.deliver(messaging(
            ACCOUNT,
            vec![message(ACCOUNT, "1129842642640637", "mid-c", "oi")]
        ))
        .await,
        200
    );
    let stats = counts(&s).await;
    assert_eq!(
        (
            &stats["dead_letter"],
            &stats["processed"],
            &stats["pending"]
        ),
        (&json!(5), &json!(1), &json!(1))
    );

    // Dry runs count, and change nothing.
    assert_eq!(
        bulk(&s, json!({"status": "dead_letter", "dry_run": true})).await,
        json!({"matched": 5, "queued": 0, "skipped": 0, "dry_run": true})
    );
    assert_eq!(
        bulk(
            &s,
            json!({"status": "dead_letter", "dry_run": true, "limit": 2})
        )
        .await,
        json!({"matched": 5, "queued": 0, "skipped": 3, "dry_run": true})
    );
    assert_eq!(
        bulk(&s, json!({"dry_run": true})).await,
        json!({"matched": 7, "queued": 0, "skipped": 1, "dry_run": true}),
        "the pending one is skipped: it already waits"
    );
    assert_eq!(
        bulk(
            &s,
            json!({"eventType": "message", "account": OTHER_ACCOUNT, "dry_run": true})
        )
        .await,
        json!({"matched": 1, "queued": 0, "skipped": 0, "dry_run": true})
    );
    let latest = s.all_events().await.iter().map(created).max().unwrap();
    assert_eq!(
        bulk(
            &s,
            json!({"since": format_at_offset(latest, 1), "dry_run": true})
        )
        .await["matched"],
        1,
        "since, with an offset"
    );
    assert_eq!(
        bulk(
            &s,
            json!({"until": format_at_offset(latest, -2), "dry_run": true})
        )
        .await["matched"],
        6
    );
    assert_eq!(counts(&s).await, stats, "dry runs change nothing");

    // A real run, limited: the oldest first.
    let dead_comments: Vec<i64> = {
        let mut v: Vec<i64> = s
            .all_events()
            .await
            .iter()
            .filter(|e| e["state"] == "dead_letter" && e["kind"] == "comment")
            .map(id)
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(
        bulk(
            &s,
            json!({"status": "dead_letter", "eventType": "comment", "limit": 2})
        )
        .await,
        json!({"matched": 4, "queued": 2, "skipped": 2, "dry_run": false})
    );
    for (n, event) in dead_comments.iter().enumerate() {
        let state = s.event(*event).await["state"].clone();
        let want = if n < 2 { "pending" } else { "dead_letter" };
        assert_eq!(state, want, "event {event}");
    }
    assert_eq!(s.stats().await["dead_letter"], 3);
    // A whole number written as a JSON float is a limit too.
    assert_eq!(
        bulk(&s, json!({"status": "dead_letter", "limit": 1.0})).await["queued"],
        1
    );
    // `{}`: every event, the default limit (a body is required).
    s.post("/api/webhook-events/retry", "")
        .await
        .assert_error(400, "bad_parameter", Some("body"));
    let all = s.all_events().await;
    let replayable = all
        .iter()
        .filter(|e| e["state"] != "pending" && e["state"] != "processing")
        .count();
    let answer = s.post("/api/webhook-events/retry", "{}").await.ok_json();
    assert_eq!(answer["matched"], 7);
    assert_eq!(answer["queued"], replayable);
    assert_eq!(answer["skipped"], 7 - replayable);
    assert_eq!(answer["dry_run"], false);
    let stats = s.stats().await;
    assert_eq!(stats["pending"], 7, "{stats}");

    // An event a worker holds is skipped.
    assert_eq!(s.deliver(hanging("mid-hang")).await, 200);
    let held = id(&s.all_events().await[0]);
    let worker = hold(&inbox, held).await;
    eventually("the others to be done with", || async {
        let stats = inbox.stats().await.unwrap();
        stats.count(State::Pending) == 0 && stats.count(State::Processing) == 1
    })
    .await;
    worker.abort();
    assert_eq!(
        bulk(&s, json!({"dry_run": true})).await,
        json!({"matched": 8, "queued": 0, "skipped": 1, "dry_run": true})
    );
    assert_eq!(
        bulk(&s, json!({})).await,
        json!({"matched": 8, "queued": 7, "skipped": 1, "dry_run": false})
    );
    assert_eq!(s.event(held).await["state"], "processing");
    // A NUL character matches nothing.
    assert_eq!(
        bulk(&s, json!({"account": "\u{0}", "dry_run": true})).await,
        json!({"matched": 0, "queued": 0, "skipped": 0, "dry_run": true})
    );
}

async fn deletes_one_event(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    let body = comment(ACCOUNT, MEDIA, "17880990537428645", "Link");
    assert_eq!(s.deliver(body.clone()).await, 200);
    assert_eq!(
        s.deliver(comment(
            ACCOUNT,
            OTHER_MEDIA,
            "17880990537428646",
            "[give-up]"
        ))
        .await,
        200
    );
    process_all(&inbox).await;
    let all = s.all_events().await;
    let (dead, doomed) = (id(&all[0]), id(&all[1]));

    let answer = s
        .delete(&format!("/api/webhook-events/{doomed}"))
        .await
        .ok_json();
    assert_eq!(
        answer,
        json!({"message": format!("event {doomed} deleted")})
    );
    s.get(&format!("/api/webhook-events/{doomed}"))
        .await
        .assert_error(404, "not_found", None);
    s.delete(&format!("/api/webhook-events/{doomed}"))
        .await
        .assert_error(404, "not_found", None);
    s.post(&format!("/api/webhook-events/{doomed}/retry"), "")
        .await
        .assert_error(404, "not_found", None);
    assert_eq!(ids(&s.all_events().await), vec![dead]);
    assert_eq!(s.stats().await["total"], 1);
    // Its dedup key is kept: Meta's late repeat is a duplicate, not a new
    // event.
    assert_eq!(s.deliver(body).await, 200);
    assert_eq!(ids(&s.all_events().await), vec![dead]);
    assert_eq!(s.stats().await["duplicates"], 1);

    // A dead letter can be deleted; an event a worker holds cannot.
    s.delete(&format!("/api/webhook-events/{dead}"))
        .await
        .ok_json();
    assert_eq!(s.deliver(hanging("mid-hang")).await, 200);
    let held = id(&s.all_events().await[0]);
    let worker = hold(&inbox, held).await;
    let answer = s.delete(&format!("/api/webhook-events/{held}")).await;
    answer.assert_error(409, "conflict", None);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("processing")
    );
    assert_eq!(s.event(held).await["state"], "processing", "still there");
    worker.abort();
}

// ---------------------------------------------------------------------------
// Errors.

async fn names_the_bad_parameter(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    assert_eq!(s.deliver(ECHO_CAPTURE).await, 200);
    let bad_queries = [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=x", "limit"),
        ("limit=-1", "limit"),
        ("limit=", "limit"),
        ("limit=1.5", "limit"),
        ("limit=99999999999", "limit"),
        ("status=nope", "status"),
        ("status=DEAD_LETTER", "status"),
        ("status=", "status"),
        ("since=yesterday", "since"),
        ("since=2026-12-01", "since"),
        ("since=2026-12-01T10:00:00", "since"),
        ("until=2026-12-01T25:00:00Z", "until"),
        ("until=1764583200", "until"),
        ("foo=1", "foo"),
        ("eventtype=comment", "eventtype"),
        ("token=abc", "token"),
        ("limit=1&limit=2", "limit"),
        ("status=pending&status=failed", "status"),
        ("account=1&account=1", "account"),
        ("before=0", "before"),
        ("before=-5", "before"),
        ("before=abc", "before"),
        ("before=99999999999999999999", "before"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("limit=10&since=nope", "since"),
    ];
    for (query, parameter) in bad_queries {
        s.get(&format!("/api/webhook-events?{query}"))
            .await
            .assert_error(400, "bad_parameter", Some(parameter));
    }

    // Ids in the path: positive 64-bit integers.
    for bad in [
        "abc",
        "0",
        "-1",
        "99999999999999999999",
        "1.5",
        "0x10",
        "%20",
    ] {
        for (method, path) in [
            (Method::GET, format!("/api/webhook-events/{bad}")),
            (Method::DELETE, format!("/api/webhook-events/{bad}")),
            (Method::POST, format!("/api/webhook-events/{bad}/retry")),
            (Method::GET, format!("/api/deliveries/{bad}/raw")),
        ] {
            s.request(method, &path, Some(WRITE_TOKEN), None)
                .await
                .assert_error(400, "bad_parameter", Some("id"));
        }
    }

    // The bulk retry's body.
    let bad_bodies = [
        ("", "body"),
        (" \n", "body"),
        ("{", "body"),
        ("[]", "body"),
        ("null", "body"),
        ("\"all\"", "body"),
        (r#"{"dry_run": "yes"}"#, "dry_run"),
        (r#"{"limit": "10"}"#, "limit"),
        (r#"{"limit": 0}"#, "limit"),
        (r#"{"limit": 10001}"#, "limit"),
        (r#"{"limit": -1}"#, "limit"),
        (r#"{"limit": 1.5}"#, "limit"),
        (r#"{"limit": 1e300}"#, "limit"),
        (r#"{"since": "yesterday"}"#, "since"),
        (r#"{"until": "2026-12-01"}"#, "until"),
    ];
    for (body, parameter) in bad_bodies {
        s.post("/api/webhook-events/retry", body)
            .await
            .assert_error(400, "bad_parameter", Some(parameter));
    }
    assert_eq!(
        s.stats().await["pending"],
        1,
        "nothing was queued or changed"
    );
    // The largest limit is taken.
    s.post(
        "/api/webhook-events/retry",
        r#"{"limit": 10000, "dry_run": true}"#,
    )
    .await
    .ok_json();
}

/// The bulk retry's body names the field at fault, as the list names its
/// parameter (`ErrorDetail.parameter`: "the query parameter, path segment
/// or body field at fault"; the OpenAPI document: "A bad field, named").
async fn names_the_bad_field_of_a_bulk_retry(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    for (body, field) in [
        (r#"{"dryRun": true}"#, "dryRun"),
        (r#"{"status": "dead_letter", "kind": "comment"}"#, "kind"),
        (r#"{"status": "nope"}"#, "status"),
        (r#"{"account": 17841400538867190}"#, "account"),
    ] {
        s.post("/api/webhook-events/retry", body)
            .await
            .assert_error(400, "bad_parameter", Some(field));
    }
}

/// Every error is the documented JSON, an id that is not even UTF-8 too.
async fn refuses_an_id_that_is_not_utf8_in_json(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    for (method, path) in [
        (Method::GET, "/api/webhook-events/%FF"),
        (Method::DELETE, "/api/webhook-events/%FF"),
        (Method::POST, "/api/webhook-events/%C3%28/retry"),
        (Method::GET, "/api/deliveries/%FF/raw"),
    ] {
        s.request(method, path, Some(WRITE_TOKEN), None)
            .await
            .assert_error(400, "bad_parameter", Some("id"));
    }
}

/// A bulk retry's body is a small filter: one too large for the server is
/// refused like every other error, in the documented JSON.
async fn refuses_an_oversized_bulk_body_in_json(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    let mut body = b"{\"eventType\": \"".to_vec();
    body.resize(3 * 1024 * 1024, b'a');
    body.extend_from_slice(b"\"}");
    let answer = s
        .request(
            Method::POST,
            "/api/webhook-events/retry",
            Some(WRITE_TOKEN),
            Some(body),
        )
        .await;
    assert_eq!(answer.status, 413, "{}", answer.text());
    let error = answer.json();
    assert!(error["error"]["code"].is_string(), "{error}");
    assert_eq!(error["error"]["parameter"], "body", "{error}");
}

async fn answers_404_and_405_in_json(db: Db) {
    let (_inbox, s) = one_attempt(&db).await;
    assert_eq!(s.deliver(ECHO_CAPTURE).await, 200);
    for path in [
        "/api/webhook-events/999999",
        "/api/deliveries/999999/raw",
        "/api/nope",
        "/api",
        "/api/webhook-events/1/nope",
        "/nope",
        "/assets/nope.js",
    ] {
        s.get(path).await.assert_error(404, "not_found", None);
    }
    s.post("/api/webhook-events/999999/retry", "")
        .await
        .assert_error(404, "not_found", None);
    s.delete("/api/webhook-events/999999")
        .await
        .assert_error(404, "not_found", None);
    for (method, path) in [
        (Method::PUT, "/api/webhook-events"),
        (Method::POST, "/api/webhook-events/stats"),
        (Method::PATCH, "/api/webhook-events/1"),
        (Method::GET, "/api/webhook-events/1/retry"),
        (Method::DELETE, "/api/access"),
        (Method::POST, "/healthz"),
    ] {
        let answer = s
            .request(method.clone(), path, Some(WRITE_TOKEN), None)
            .await;
        answer.assert_error(405, "method_not_allowed", None);
        let allow = answer
            .header("allow")
            .unwrap_or_else(|| panic!("{method} {path}: 405 without Allow"));
        assert!(
            allow.contains("GET") || allow.contains("POST"),
            "{method} {path}: {allow}"
        );
    }
}

// ---------------------------------------------------------------------------
// Tokens.

async fn needs_a_token_and_the_right_one_to_change(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    assert_eq!(
        s.deliver(comment(ACCOUNT, MEDIA, "17880990537428645", "[give-up]"))
            .await,
        200
    );
    process_all(&inbox).await;
    let event = id(&s.all_events().await[0]);
    let delivery = s.event(event).await["delivery_id"].as_i64().unwrap();
    let reads = [
        "/api/access".to_owned(),
        "/api/webhook-events".to_owned(),
        "/api/webhook-events?limit=0".to_owned(),
        "/api/webhook-events/stats".to_owned(),
        format!("/api/webhook-events/{event}"),
        "/api/webhook-events/abc".to_owned(),
        format!("/api/deliveries/{delivery}/raw"),
    ];
    let changes = [
        (
            Method::POST,
            format!("/api/webhook-events/{event}/retry"),
            None,
        ),
        (
            Method::POST,
            "/api/webhook-events/abc/retry".to_owned(),
            None,
        ),
        (
            Method::POST,
            "/api/webhook-events/retry".to_owned(),
            Some(br#"{"status":"dead_letter"}"#.to_vec()),
        ),
        (
            Method::POST,
            "/api/webhook-events/retry".to_owned(),
            Some(b"{".to_vec()),
        ),
        (Method::DELETE, format!("/api/webhook-events/{event}"), None),
    ];
    let wrong = [
        format!("{WRITE_TOKEN}x"),
        WRITE_TOKEN[..WRITE_TOKEN.len() - 1].to_owned(),
        WRITE_TOKEN.to_uppercase(),
        String::from("a-token-nobody-configured"),
    ];

    // No token, or a wrong one: 401 before anything else is looked at.
    for path in &reads {
        s.request(Method::GET, path, None, None)
            .await
            .assert_error(401, "unauthorized", None);
        for token in &wrong {
            s.request(Method::GET, path, Some(token.as_str()), None)
                .await
                .assert_error(401, "unauthorized", None);
        }
    }
    for (method, path, body) in &changes {
        s.request(method.clone(), path, None, body.clone())
            .await
            .assert_error(401, "unauthorized", None);
        s.request(method.clone(), path, Some(wrong[0].as_str()), body.clone())
            .await
            .assert_error(401, "unauthorized", None);
    }
    // Only as a bearer token in the header.
    let client = reqwest::Client::new();
    for (header, value) in [
        ("authorization", format!("Basic {WRITE_TOKEN}")),
        ("authorization", WRITE_TOKEN.to_owned()),
        ("authorization", format!("Bearer  {WRITE_TOKEN}")),
        ("x-api-key", WRITE_TOKEN.to_owned()),
    ] {
        let response = client
            .get(format!("{}/api/access", s.base))
            .header(header, value)
            .send()
            .await
            .unwrap();
        let answer = Answer::read(format!("GET /api/access with {header}"), response).await;
        answer.assert_keeps_secrets();
        answer.assert_error(401, "unauthorized", None);
    }
    s.request(
        Method::GET,
        &format!("/api/access?token={WRITE_TOKEN}"),
        None,
        None,
    )
    .await
    .assert_error(401, "unauthorized", None);
    let lowercase = client
        .get(format!("{}/api/access", s.base))
        .header("authorization", format!("bearer {READ_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lowercase.status(), 200, "the scheme's case does not matter");

    // What each token allows.
    assert_eq!(s.json("/api/access").await, json!({"access": "write"}));
    let read = s
        .request(Method::GET, "/api/access", Some(READ_TOKEN), None)
        .await;
    assert_eq!(read.ok_json(), json!({"access": "read"}));

    // The read-only token reads everything...
    for path in &reads {
        let answer = s.request(Method::GET, path, Some(READ_TOKEN), None).await;
        let with_write = s.get(path).await;
        assert_eq!(answer.status, with_write.status, "{path}");
        if path.contains("/raw") {
            assert_eq!(answer.body, with_write.body, "{path}");
        }
    }
    // ... and changes nothing, whatever it asks.
    let before = s.all_events().await;
    for (method, path, body) in &changes {
        s.request(method.clone(), path, Some(READ_TOKEN), body.clone())
            .await
            .assert_error(403, "forbidden", None);
    }
    assert_eq!(s.all_events().await, before, "nothing changed");
    assert_eq!(s.event(event).await["state"], "dead_letter");

    // Metrics need a token too, and answer 404 when none are configured.
    s.request(Method::GET, "/metrics", None, None)
        .await
        .assert_error(401, "unauthorized", None);
    s.request(Method::GET, "/metrics", Some(READ_TOKEN), None)
        .await
        .assert_error(404, "not_found", None);
}

// ---------------------------------------------------------------------------
// Health.

async fn tells_health_and_readiness(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    assert_eq!(s.deliver(ECHO_CAPTURE).await, 200);
    let event = id(&s.all_events().await[0]);
    for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
        let answer = s.request(Method::GET, path, None, None).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.text(), body);
    }

    inbox.close().await;
    let answer = s.request(Method::GET, "/readyz", None, None).await;
    assert_eq!(answer.status, 503, "{}", answer.text());
    assert!(answer.text().starts_with("not ready"), "{}", answer.text());
    let answer = s.request(Method::GET, "/healthz", None, None).await;
    assert_eq!(answer.status, 200, "the process still answers");
    // The API says the database cannot answer: 503, to retry later.
    for path in [
        "/api/webhook-events".to_owned(),
        "/api/webhook-events/stats".to_owned(),
        format!("/api/webhook-events/{event}"),
        "/api/deliveries/1/raw".to_owned(),
    ] {
        s.get(&path).await.assert_error(503, "unavailable", None);
    }
    s.post(&format!("/api/webhook-events/{event}/retry"), "")
        .await
        .assert_error(503, "unavailable", None);
    s.post("/api/webhook-events/retry", "{}")
        .await
        .assert_error(503, "unavailable", None);
    s.delete(&format!("/api/webhook-events/{event}"))
        .await
        .assert_error(503, "unavailable", None);
    // What needs no database still answers.
    assert_eq!(s.json("/api/access").await, json!({"access": "write"}));
    // The receiver tells Meta to come back later.
    assert_eq!(
        s.deliver(comment(ACCOUNT, MEDIA, "17880990537428645", "Link"))
            .await,
        503
    );
}

// ---------------------------------------------------------------------------
// The dashboard, and what every answer carries.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_dashboard_under_a_strict_policy() {
    let db = Db::sqlite().await;
    let (_inbox, s) = one_attempt(&db).await;
    let page = s.request(Method::GET, "/", None, None).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").expect("a policy");
    let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
    assert!(directives.contains(&"script-src 'self'"), "{policy}");
    assert!(directives.contains(&"default-src 'none'"), "{policy}");
    assert!(directives.contains(&"frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-"), "{policy}");
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));

    // No inline script: every <script> has a src of this origin and no
    // body; no inline handlers, styles, or javascript: URLs.
    let html = page.text().to_lowercase();
    let mut scripts = 0;
    for (at, _) in html.match_indices("<script") {
        let tag_end = at + html[at..].find('>').expect("a closed tag");
        let tag = &html[at..=tag_end];
        assert!(tag.contains(" src=\"/assets/"), "{tag}");
        assert!(
            html[tag_end + 1..].starts_with("</script>"),
            "an empty script element: {tag}"
        );
        scripts += 1;
    }
    assert!(scripts >= 1, "the page has its script");
    assert!(!html.contains("<style"), "no inline style element");
    assert!(!html.contains(" style="), "no inline style attribute");
    assert!(!html.contains("javascript:"), "no javascript: URL");
    for (at, _) in html.match_indices(" on") {
        let attribute: String = html[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let rest = &html[at + 1 + attribute.len()..];
        assert!(
            !(attribute.len() > 2 && rest.starts_with('=')),
            "an inline handler: {attribute}"
        );
    }
    assert!(html.contains(r#"<link rel="stylesheet" href="/assets/dashboard.css">"#));

    let favicon = s.request(Method::GET, "/favicon.ico", None, None).await;
    assert_eq!(favicon.status, 204);
    assert!(favicon.body.is_empty());
    for (path, content_type) in [
        ("/assets/dashboard.js", "text/javascript; charset=utf-8"),
        ("/assets/dashboard.css", "text/css; charset=utf-8"),
    ] {
        let asset = s.request(Method::GET, path, None, None).await;
        assert_eq!(asset.status, 200, "{path}");
        assert_eq!(asset.header("content-type"), Some(content_type), "{path}");
        assert!(!asset.body.is_empty());
    }
}

// ---------------------------------------------------------------------------
// The OpenAPI document.

/// The JSON API's routes, as the router declares them (`src/router.rs`):
/// path and methods.
const API_ROUTES: [(&str, &[&str]); 7] = [
    ("/api/access", &["get"]),
    ("/api/webhook-events", &["get"]),
    ("/api/webhook-events/stats", &["get"]),
    ("/api/webhook-events/retry", &["post"]),
    ("/api/webhook-events/{id}", &["delete", "get"]),
    ("/api/webhook-events/{id}/retry", &["post"]),
    ("/api/deliveries/{id}/raw", &["get"]),
];

async fn documents_every_route_in_openapi(db: Db) {
    let (inbox, s) = one_attempt(&db).await;
    let answer = s
        .request(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(answer.status, 200, "no token needed");
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
    let document = answer.json();
    assert_eq!(&document, conformance::document(), "the document served");
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["info"]["title"].is_string());
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer"})
    );
    assert_eq!(document["security"], json!([{"bearer": []}]));

    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .iter()
                .map(|method| ((*path).to_owned(), (*method).to_owned()))
        })
        .collect();
    assert_eq!(documented, served, "every route, every method");
    for (path, method) in &documented {
        let operation = &document["paths"][path][method];
        assert!(operation["operationId"].is_string(), "{method} {path}");
        assert!(
            operation["responses"]["401"].is_object(),
            "{method} {path}: documents its 401"
        );
        if method != "get" {
            assert!(
                operation["responses"]["403"].is_object(),
                "{method} {path}: documents its 403"
            );
        }
    }

    // Each documented operation answers as documented on the live server
    // (the check compares the status and the body with the document).
    assert_eq!(s.deliver(ECHO_CAPTURE).await, 200);
    process_all(&inbox).await;
    let event = id(&s.all_events().await[0]);
    for (method, path, body) in [
        (Method::GET, "/api/access".to_owned(), None),
        (Method::GET, "/api/webhook-events".to_owned(), None),
        (Method::GET, "/api/webhook-events/stats".to_owned(), None),
        (Method::GET, format!("/api/webhook-events/{event}"), None),
        (Method::GET, "/api/deliveries/1/raw".to_owned(), None),
        (
            Method::POST,
            "/api/webhook-events/retry".to_owned(),
            Some(b"{\"dry_run\":true}".to_vec()),
        ),
        (
            Method::POST,
            format!("/api/webhook-events/{event}/retry"),
            None,
        ),
        (Method::DELETE, format!("/api/webhook-events/{event}"), None),
    ] {
        let answer = s
            .request(method.clone(), &path, Some(WRITE_TOKEN), body)
            .await;
        assert_eq!(answer.status, 200, "{method} {path}: {}", answer.text());
    }
}

// ---------------------------------------------------------------------------

on_both_engines!(
    lists_with_every_filter_and_page,
    pages_stay_put_while_events_arrive,
    stats_count_everything,
    shows_one_event_with_its_attempts_and_delivery,
    serves_the_exact_bytes_of_each_delivery,
    retries_one_event,
    retries_in_bulk,
    deletes_one_event,
    names_the_bad_parameter,
    names_the_bad_field_of_a_bulk_retry,
    refuses_an_id_that_is_not_utf8_in_json,
    refuses_an_oversized_bulk_body_in_json,
    answers_404_and_405_in_json,
    needs_a_token_and_the_right_one_to_change,
    tells_health_and_readiness,
    documents_every_route_in_openapi,
);

/// Every answer of the API against the OpenAPI document: the path and
/// method are documented, the status is among the operation's, the content
/// type is the documented one, and the JSON body follows its schema (no
/// property the schema does not name).
mod conformance {
    use std::collections::BTreeSet;
    use std::sync::OnceLock;

    use reqwest::Method;
    use serde_json::Value;

    use super::support::Answer;

    /// The document, as the crate generates it.
    pub(super) fn document() -> &'static Value {
        static DOCUMENT: OnceLock<Value> = OnceLock::new();
        DOCUMENT.get_or_init(|| {
            serde_json::from_str(&instagram_webhook_ops::openapi_json()).expect("JSON")
        })
    }

    /// The documented path `path` falls under (a literal segment before a
    /// parameter, as the router matches).
    fn template(path: &str) -> Option<&'static str> {
        let segments: Vec<&str> = path.split('/').collect();
        document()["paths"]
            .as_object()?
            .keys()
            .filter(|template| {
                let parts: Vec<&str> = template.split('/').collect();
                parts.len() == segments.len()
                    && parts.iter().zip(&segments).all(|(part, segment)| {
                        part == segment || (part.starts_with('{') && !segment.is_empty())
                    })
            })
            .max_by_key(|template| template.split('/').filter(|p| !p.starts_with('{')).count())
            .map(String::as_str)
    }

    /// Checks one answer (see the module).
    pub(super) fn check(method: &Method, path: &str, answer: &Answer) {
        let path = path.split('?').next().unwrap_or(path);
        if !path.starts_with("/api/") || path == "/api/openapi.json" {
            return;
        }
        let what = format!("{method} {path} answered {}", answer.status);
        let Some(template) = template(path) else {
            assert_eq!(answer.status, 404, "{what}: a path the document lacks");
            return;
        };
        let Some(operation) = document()["paths"][template].get(method.as_str().to_lowercase())
        else {
            assert_eq!(answer.status, 405, "{what}: a method the document lacks");
            return;
        };
        let Some(response) = operation["responses"].get(answer.status.to_string()) else {
            panic!("{what}, a status {template} does not document");
        };
        let content_type = answer
            .header("content-type")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim();
        let Some(media) = response["content"].get(content_type) else {
            panic!("{what} as {content_type}, not documented");
        };
        if content_type == "application/json" {
            let mut errors = Vec::new();
            validate(&media["schema"], &answer.json(), "$", &mut errors);
            assert!(
                errors.is_empty(),
                "{what}: the body does not follow the document:\n{}\n{}",
                errors.join("\n"),
                answer.text()
            );
        }
    }

    fn resolve(schema: &Value) -> &Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .expect("a local reference");
                resolve(&document()["components"]["schemas"][name])
            }
            None => schema,
        }
    }

    /// The properties an object may have, when the schema names them.
    fn known(schema: &Value) -> Option<BTreeSet<String>> {
        let schema = resolve(schema);
        if let Some(parts) = schema["allOf"].as_array() {
            let mut all = BTreeSet::new();
            for part in parts {
                all.extend(known(part)?);
            }
            return Some(all);
        }
        schema["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
    }

    fn validate(schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = resolve(schema);
        for part in schema["allOf"].as_array().into_iter().flatten() {
            validate_here(resolve(part), value, at, errors);
        }
        validate_here(schema, value, at, errors);
        if let (Some(object), Some(known)) = (value.as_object(), known(schema)) {
            for key in object.keys() {
                if !known.contains(key) {
                    errors.push(format!("{at}.{key}: a property the schema does not name"));
                }
            }
        }
    }

    fn is_type(name: &str, value: &Value) -> bool {
        match name {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            _ => false,
        }
    }

    fn validate_here(schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(choices) = schema["oneOf"].as_array() {
            let matching = choices
                .iter()
                .filter(|choice| {
                    let mut found = Vec::new();
                    validate(choice, value, at, &mut found);
                    found.is_empty()
                })
                .count();
            if matching != 1 {
                errors.push(format!("{at}: matches {matching} of oneOf, not 1: {value}"));
            }
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|name| is_type(name, value)) {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        if let Some(n) = value.as_f64() {
            if schema["minimum"].as_f64().is_some_and(|min| n < min) {
                errors.push(format!("{at}: {n} is below the minimum"));
            }
            if schema["maximum"].as_f64().is_some_and(|max| n > max) {
                errors.push(format!("{at}: {n} is above the maximum"));
            }
        }
        if let Some(text) = value.as_str()
            && schema["format"] == "date-time"
            && time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            errors.push(format!("{at}: {text} is not an RFC 3339 date-time"));
        }
        if let Some(object) = value.as_object() {
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !object.contains_key(name) {
                    errors.push(format!("{at}: lacks the required `{name}`"));
                }
            }
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    if let Some(inner) = object.get(name) {
                        validate(property, inner, &format!("{at}.{name}"), errors);
                    }
                }
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (n, item) in array.iter().enumerate() {
                validate(items, item, &format!("{at}[{n}]"), errors);
            }
        }
    }
}
