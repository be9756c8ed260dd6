//! Accepting deliveries: what is stored before the 200, dedup, the rejected
//! and undecodable paths, and opening databases.

mod support;

use std::time::Duration;

use bytes::Bytes;
use instagram_webhook_inbox::{Error, Filter, Inbox, State};
use serde_json::json;
use support::*;

async fn a_delivery_is_stored_with_its_bytes_and_one_event_per_item(db: Db) {
    let inbox = db.open(quiet()).await;
    let url = serve(&inbox).await;
    let body = messaging(vec![message("7", "m1", "hi"), message("8", "m2", "yo")]);
    assert_eq!(post(&url, body.clone()).await, 200);

    let page = inbox.events(&Filter::new(), None, 10).await.unwrap();
    assert_eq!(page.events.len(), 2);
    let first = &page.events[1];
    assert_eq!(first.kind, "message");
    assert_eq!(first.account_id, ACCOUNT);
    assert_eq!(first.dedup_key, format!("{ACCOUNT}:message:m1"));
    assert_eq!(first.container, "messaging");
    assert_eq!((first.entry_index, first.item_index), (0, 0));
    assert_eq!(first.state, State::Pending);
    assert_eq!(
        first.order_key.as_deref(),
        Some(&*format!("{ACCOUNT}:conversation:7"))
    );
    let event = instagram_webhook_inbox::item::decode(&first.item).unwrap();
    assert_eq!(event.dedup_key().as_str(), first.dedup_key);

    let stored = inbox.delivery(first.delivery_id).await.unwrap().unwrap();
    assert_eq!(stored.body, body.to_vec(), "the exact bytes Meta signed");
    assert_eq!(stored.path, "/webhook");
    assert_eq!((stored.items, stored.duplicates), (2, 0));
    assert_eq!(stored.rejected_reason, None);
}

async fn a_repeat_is_a_duplicate_of_the_first_event_and_not_queued(db: Db) {
    let inbox = db.open(quiet()).await;
    let body = messaging(vec![message("7", "m1", "hi")]);
    let first = inbox.store(&delivery(body.clone())).await.unwrap();
    let again = inbox.store(&delivery(body)).await.unwrap();
    assert!(first.events[0].is_some());
    assert_eq!(again.events, vec![None]);
    let event = inbox.event(first.events[0].unwrap()).await.unwrap().event;
    assert_eq!(event.duplicates, 1);
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.count(State::Pending), 1);
    assert_eq!(stats.duplicates, 1);
    let repeat = inbox.delivery(again.delivery).await.unwrap().unwrap();
    assert_eq!(
        (repeat.items, repeat.duplicates),
        (1, 1),
        "the repeat is kept, counted"
    );
}

async fn concurrent_identical_deliveries_make_one_event(db: Db) {
    let inbox = db.open(quiet()).await;
    let url = serve(&inbox).await;
    let body = comment("18060000000000001", "c-1", "same");
    let posts = (0..24).map(|_| post(&url, body.clone()));
    let statuses = futures_util::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.count(State::Pending), 1);
    assert_eq!(stats.duplicates, 23);
}

async fn dedup_holds_across_inboxes_on_one_database(db: Db) {
    // Two processes' inboxes on one database: the unique key decides.
    let one = db.open(quiet()).await;
    let two = db.open(quiet()).await;
    let bodies: Vec<Bytes> = (0..40)
        .map(|i| messaging(vec![message("7", &format!("m{}", i % 20), "x")]))
        .collect();
    let stores = bodies.iter().enumerate().map(|(i, body)| {
        let inbox = if i % 2 == 0 { one.clone() } else { two.clone() };
        let body = body.clone();
        async move { inbox.store(&delivery(body)).await.unwrap() }
    });
    let accepted = futures_util::future::join_all(stores).await;
    let new: usize = accepted
        .iter()
        .map(|a| a.events.len() - a.duplicates())
        .sum();
    assert_eq!(new, 20);
    assert_eq!(one.stats().await.unwrap().duplicates, 20);
}

async fn a_body_that_is_not_an_envelope_is_stored_as_rejected(db: Db) {
    let inbox = db.open(quiet()).await;
    let url = serve(&inbox).await;
    let body = Bytes::from_static(b"{\"object\":\"instagram\",\"entry\":\"not a list\"}");
    assert_eq!(post(&url, body.clone()).await, 200, "retrying cannot help");
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.rejected_deliveries, 1);
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), 0);
    let stored = inbox
        .delivery(instagram_webhook_inbox::DeliveryId(1))
        .await
        .unwrap()
        .expect("the rejected delivery is kept");
    assert_eq!(stored.body, body.to_vec());
    assert!(
        stored
            .rejected_reason
            .as_deref()
            .unwrap()
            .contains("not an Instagram webhook envelope"),
        "{:?}",
        stored.rejected_reason
    );
}

async fn an_undecodable_item_is_a_dead_letter_next_to_its_neighbours(db: Db) {
    let inbox = db.open(quiet()).await;
    let bad = json!({"sender": {"id": "7"}, "timestamp": 1, "message": {"text": "no mid"}});
    let body = messaging(vec![message("7", "m1", "a"), bad, message("7", "m3", "c")]);
    let accepted = inbox.store(&delivery(body.clone())).await.unwrap();
    assert_eq!(accepted.events.len(), 3);
    let bad = inbox
        .event(accepted.events[1].unwrap())
        .await
        .unwrap()
        .event;
    assert_eq!(bad.state, State::DeadLetter);
    assert_eq!(bad.kind, "undecodable");
    assert_eq!(bad.last_error_class.as_deref(), Some("decode"));
    assert!(
        bad.last_error.as_deref().unwrap().contains("messaging[1]"),
        "{:?}",
        bad.last_error
    );
    assert_eq!(bad.order_key, None, "it holds back nobody");
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.count(State::Pending), 2);
    assert_eq!(
        stats.dead_letters,
        vec![("undecodable".into(), "decode".into(), 1)]
    );
    // Meta's repeat of the delivery does not add a second dead letter.
    let again = inbox.store(&delivery(body)).await.unwrap();
    assert_eq!(again.duplicates(), 3);
}

async fn a_batch_of_a_thousand_updates_is_stored_and_processed(db: Db) {
    let inbox = db.open(quiet()).await;
    let url = serve(&inbox).await;
    let items = (0..1000)
        .map(|i| message(&format!("u{}", i % 50), &format!("mid-{i}"), "bulk"))
        .collect();
    assert_eq!(post(&url, messaging(items)).await, 200);
    assert_eq!(
        inbox
            .count(&Filter::new().state(State::Pending))
            .await
            .unwrap(),
        1000
    );
    let worker = inbox
        .worker(|_job| async { Ok::<(), instagram_webhook_inbox::Failure>(()) })
        .concurrency(16)
        .poll_interval(Duration::from_millis(20))
        .start();
    until_count(&inbox, State::Processed, 1000).await;
    worker.shutdown().await;
}

async fn reopening_the_database_resumes_the_queue(db: Db) {
    let inbox = db.open(quiet()).await;
    inbox
        .store(&delivery(comment("m", "c1", "a")))
        .await
        .unwrap();
    inbox.close().await;
    drop(inbox);
    let inbox = db.open(quiet()).await;
    assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 1);
    let worker = inbox
        .worker(|_job| async { Ok::<(), instagram_webhook_inbox::Failure>(()) })
        .poll_interval(Duration::from_millis(20))
        .start();
    until_count(&inbox, State::Processed, 1).await;
    worker.shutdown().await;
}

async fn a_schema_from_a_newer_version_is_refused(db: Db) {
    let inbox = db.open(quiet()).await;
    inbox.close().await;
    db.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999, 'from the future', TRUE, X'00', 0)"
            .replace(
                "X'00'",
                if db.url.starts_with("sqlite") {
                    "X'00'"
                } else {
                    "'\\x00'::bytea"
                },
            )
            .as_str(),
    )
    .await;
    let error = Inbox::open(&db.url).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::SchemaTooNew {
                found: 999,
                supported: 1
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("upgrade"), "{error}");
}

async fn store_failures_are_errors_the_receiver_answers_503(db: Db) {
    let inbox = db.open(quiet()).await;
    let url = serve(&inbox).await;
    inbox.close().await;
    assert_eq!(post(&url, comment("m", "c1", "a")).await, 503);
    let error = inbox
        .store(&delivery(comment("m", "c2", "b")))
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error}");
}

async fn a_delivery_the_database_refuses_does_not_take_its_batch_down(db: Db) {
    // PostgreSQL's text refuses NUL; SQLite keeps it. The writer waits for
    // the batch to fill, so the bad delivery shares its commit.
    let inbox = db
        .open(quiet().group_commit(17, Duration::from_secs(1)))
        .await;
    let url = serve(&inbox).await;
    let bad = messaging(vec![message("7", "nul-\u{0}-mid", "x")]);
    let posts = (0..16)
        .map(|i| post(&url, comment("m", &format!("good-{i}"), "x")))
        .chain(std::iter::once(post(&url, bad)));
    let statuses = futures_util::future::join_all(posts).await;
    let (good, bad) = statuses.split_at(16);
    assert!(good.iter().all(|s| *s == 200), "{statuses:?}");
    let expected = if db.url.starts_with("sqlite") {
        200
    } else {
        503
    };
    assert_eq!(bad, [expected]);
    assert_eq!(
        inbox.count(&Filter::new().kind("comment")).await.unwrap(),
        16
    );
}

on_both_engines!(
    a_delivery_the_database_refuses_does_not_take_its_batch_down,
    a_delivery_is_stored_with_its_bytes_and_one_event_per_item,
    a_repeat_is_a_duplicate_of_the_first_event_and_not_queued,
    concurrent_identical_deliveries_make_one_event,
    dedup_holds_across_inboxes_on_one_database,
    a_body_that_is_not_an_envelope_is_stored_as_rejected,
    an_undecodable_item_is_a_dead_letter_next_to_its_neighbours,
    a_batch_of_a_thousand_updates_is_stored_and_processed,
    reopening_the_database_resumes_the_queue,
    a_schema_from_a_newer_version_is_refused,
    store_failures_are_errors_the_receiver_answers_503,
);

#[tokio::test]
async fn bad_urls_and_unreachable_servers_are_clear_errors() {
    let error = Inbox::open("mysql://localhost/x").await.unwrap_err();
    assert!(matches!(error, Error::BadUrl(_)), "{error}");
    let error = Inbox::open("sqlite::memory:").await.unwrap_err();
    assert!(error.to_string().contains("in-memory"), "{error}");
    let error = Inbox::builder()
        .connections(1, Duration::from_secs(2))
        .open("postgres://app:hunter2@127.0.0.1:1/inbox")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unreachable(_)), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    // The cause, not only that the pool waited.
    assert!(error.to_string().contains("refused"), "{error}");
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}/no/such/dir/inbox.db", dir.path().display());
    let error = Inbox::open(&missing).await.unwrap_err();
    assert!(matches!(error, Error::Unreachable(_)), "{error}");
}
