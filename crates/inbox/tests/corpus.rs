//! The real payload corpus (the types crate's `tests/fixtures/`, a byte-for-byte copy of the
//! shared corpus; see its INDEX.md) stored into one inbox, on both engines.
//!
//! Every file that is an envelope is stored as it is, its exact bytes. For each delivery:
//! new events and duplicates add up to its items; an item the types crate cannot decode is a
//! `dead_letter` of kind `undecodable` with error class `decode`; every other new event is
//! `pending`, and its stored item decodes back to the event parsed from the file, with the
//! record's dedup key, kind and account. The delivery reads back byte for byte. Storing the
//! corpus again adds no event: every item is a duplicate. A worker then processes every pending
//! event, and each job carries the event of the file and position that created it.
//!
//! Files that are not envelopes (fragments, arrays printed by Meta's docs) are rejected by the
//! core; a `RejectedPayload` cannot be built outside the core, so they are only counted here.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use instagram_webhook_core::receive::{Delivery, Origin};
use instagram_webhook_core::types::{Event, EventResult, Notification};
use instagram_webhook_inbox::{
    DeliveryId, EventId, EventRecord, Failure, Filter, Inbox, Job, State, item,
};
use support::*;

/// The corpus, inside the repository.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../types/tests/fixtures")
}

/// How many payloads INDEX.md lists.
const CORPUS_FILES: usize = 78;

/// The files that are not envelopes: a bare change or messaging item, an `entry` array, or an
/// envelope wrapped in a top-level array as Meta's docs print it.
const NOT_ENVELOPES: &[&str] = &[
    "comments__capture-dashboard-test-2026__1.json",
    "comments__meta-examples__fb-login.json",
    "comments__meta-examples__ig-login.json",
    "comments__meta-test-sample__1.json",
    "live_comments__meta-examples__fb-login.json",
    "live_comments__meta-test-sample-older__1.json",
    "mentions__meta-docs-guide__comment.json",
    "message_reactions__meta-test-sample__1.json",
    "messages__capture-lambda-log__dashboard-test.json",
    "messages__chatwoot-pr4100__unsupported.json",
    "messaging_handover__meta-test-sample__1.json",
    "messaging_optins__meta-test-sample__1.json",
    "messaging_postbacks__meta-test-sample__1.json",
    "messaging_referral__meta-test-sample__1.json",
    "messaging_seen__meta-test-sample__1.json",
    "story_insights__meta-docs-guide__1.json",
];

struct Fixture {
    name: String,
    body: Bytes,
}

/// Every `.json` file of the corpus, by name.
fn corpus() -> Vec<Fixture> {
    let dir = fixtures_dir();
    let mut files: Vec<Fixture> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("the corpus at {}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| Fixture {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            body: Bytes::from(std::fs::read(&path).expect("a readable fixture")),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(files.len(), CORPUS_FILES, "the corpus at {}", dir.display());
    files
}

/// What a new event must read back as.
struct Expected {
    fixture: String,
    delivery: DeliveryId,
    event: Event<'static>,
}

/// What storing the corpus once gave.
#[derive(Default)]
struct Pass {
    deliveries: usize,
    items: usize,
    duplicates: usize,
    undecodable: usize,
    rejected: Vec<String>,
    /// The new, decodable events.
    pending: BTreeMap<EventId, Expected>,
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap()
}

fn origin() -> Origin {
    Origin::new("/webhook", SystemTime::now(), 0)
}

/// Stores every envelope of `fixtures` and checks what each delivery became. `keys` holds the
/// dedup key of every event stored so far.
async fn store_corpus(
    inbox: &Inbox,
    fixtures: &[Fixture],
    keys: &mut HashMap<String, EventId>,
) -> Pass {
    let mut pass = Pass::default();
    for fixture in fixtures {
        let name = &fixture.name;
        let notification = match Notification::from_slice(&fixture.body) {
            Ok(notification) => notification,
            Err(error) => {
                assert!(
                    Delivery::dangerous_from_stored(fixture.body.clone(), origin()).is_err(),
                    "{name}: the core rejects it as a delivery too ({error})"
                );
                pass.rejected.push(name.clone());
                continue;
            }
        };
        let results: Vec<EventResult<'_>> = notification.events().collect();
        assert_eq!(results.len(), notification.item_count(), "{name}: items");

        let delivery = Delivery::dangerous_from_stored(fixture.body.clone(), origin())
            .unwrap_or_else(|error| panic!("{name}: a delivery: {error}"));
        let accepted = inbox
            .store(&delivery)
            .await
            .unwrap_or_else(|error| panic!("{name}: stored: {error}"));
        assert_eq!(accepted.events.len(), results.len(), "{name}: one per item");
        let new = accepted.events.iter().flatten().count();
        assert_eq!(
            new + accepted.duplicates(),
            results.len(),
            "{name}: events and duplicates add up to the items"
        );

        let record = inbox
            .delivery(accepted.delivery)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{name}: the delivery reads back"));
        assert_eq!(record.body, fixture.body, "{name}: the exact bytes");
        assert_eq!(record.items, to_i64(results.len()), "{name}: items");
        assert_eq!(
            record.duplicates,
            to_i64(accepted.duplicates()),
            "{name}: duplicates"
        );
        assert_eq!(record.rejected_reason, None, "{name}: not rejected");
        assert_eq!(record.path, "/webhook");

        pass.deliveries += 1;
        pass.items += results.len();
        pass.duplicates += accepted.duplicates();
        for (result, id) in results.iter().zip(&accepted.events) {
            let Some(id) = *id else {
                // A repeat of an event stored earlier (a later file of the corpus may
                // repeat a sample); an undecodable repeat is keyed by its bytes.
                if let Ok(event) = result {
                    let key = event.dedup_key();
                    assert!(
                        keys.contains_key(key.as_str()),
                        "{name}: duplicate {key} of an event never stored"
                    );
                }
                continue;
            };
            let stored = inbox
                .event(id)
                .await
                .unwrap_or_else(|error| panic!("{name}: event {id}: {error}"))
                .event;
            assert_eq!(stored.id, id);
            assert_eq!(
                stored.delivery_id, accepted.delivery,
                "{name}: its delivery"
            );
            assert_eq!(stored.attempt, 0, "{name}: no attempt yet");
            assert_eq!(stored.duplicates, 0, "{name}: no duplicate yet");
            let previous = keys.insert(stored.dedup_key.clone(), id);
            assert_eq!(previous, None, "{name}: a new event has a new key");
            match result {
                Ok(event) => {
                    check_pending(name, &stored, event);
                    pass.pending.insert(
                        id,
                        Expected {
                            fixture: name.clone(),
                            delivery: accepted.delivery,
                            event: event.clone().into_owned(),
                        },
                    );
                }
                Err(error) => {
                    check_undecodable(name, &stored, error);
                    pass.undecodable += 1;
                }
            }
        }
    }
    pass
}

/// A new decodable event: pending, and its item decodes back to `event`.
fn check_pending(name: &str, stored: &EventRecord, event: &Event<'_>) {
    let position = event.position();
    let at = format!("{name} entry {} item {}", position.entry, position.item);
    assert_eq!(stored.state, State::Pending, "{at}: state");
    assert_eq!(stored.last_error_class, None, "{at}: no error");
    assert_eq!(stored.kind, event.kind().as_str(), "{at}: kind");
    assert_eq!(
        stored.account_id,
        event.account_id().as_str(),
        "{at}: account"
    );
    assert_eq!(
        stored.dedup_key,
        event.dedup_key().as_str(),
        "{at}: dedup key"
    );
    assert_eq!(
        stored.container,
        event.container().as_str(),
        "{at}: container"
    );
    assert_eq!(
        stored.entry_index,
        to_i64(position.entry),
        "{at}: entry index"
    );
    assert_eq!(stored.item_index, to_i64(position.item), "{at}: item index");
    assert_eq!(stored.item, item::encode(event), "{at}: the item document");

    let decoded = item::decode(&stored.item)
        .unwrap_or_else(|error| panic!("{at}: the stored item decodes: {error}\n{}", stored.item));
    assert_eq!(decoded, event.clone().into_owned(), "{at}: decoded event");
    assert_eq!(decoded.dedup_key(), event.dedup_key(), "{at}: decoded key");
    assert_eq!(
        decoded.dedup_key().as_str(),
        stored.dedup_key,
        "{at}: record key"
    );
    assert_eq!(decoded.kind().as_str(), stored.kind, "{at}: record kind");
    assert_eq!(
        decoded.account_id().as_str(),
        stored.account_id,
        "{at}: record account"
    );
    assert_eq!(decoded.raw().get(), event.raw().get(), "{at}: raw JSON");
}

/// A new undecodable item: a dead letter of kind `undecodable`, class `decode`.
fn check_undecodable(
    name: &str,
    stored: &EventRecord,
    error: &instagram_webhook_core::types::ItemError<'_>,
) {
    let at = format!(
        "{name} entry {} item {}",
        error.position.entry, error.position.item
    );
    assert_eq!(stored.state, State::DeadLetter, "{at}: state");
    assert_eq!(stored.kind, "undecodable", "{at}: kind");
    assert_eq!(
        stored.last_error_class.as_deref(),
        Some("decode"),
        "{at}: class"
    );
    assert_eq!(
        stored.last_error.as_deref(),
        Some(error.to_string().as_str()),
        "{at}: why"
    );
    assert_eq!(
        stored.account_id,
        error.account_id.as_str(),
        "{at}: account"
    );
    assert_eq!(
        stored.container,
        error.container.as_str(),
        "{at}: container"
    );
    assert_eq!(
        stored.entry_index,
        to_i64(error.position.entry),
        "{at}: entry"
    );
    assert_eq!(stored.item_index, to_i64(error.position.item), "{at}: item");
    assert_eq!(stored.max_attempts, 1, "{at}: no attempt to make");
    assert!(stored.finalized_at.is_some(), "{at}: final");
    assert!(
        stored
            .dedup_key
            .starts_with(&format!("{}:undecodable:", error.account_id.as_str())),
        "{at}: key {}",
        stored.dedup_key
    );
    assert!(
        item::decode(&stored.item).is_err(),
        "{at}: an undecodable item still does not decode: {}",
        stored.item
    );
}

async fn stores_and_processes_the_corpus(db: Db) {
    let inbox = db.open(quiet()).await;
    let fixtures = corpus();
    let mut keys = HashMap::new();

    let first = store_corpus(&inbox, &fixtures, &mut keys).await;
    let not_envelopes: Vec<&str> = first.rejected.iter().map(String::as_str).collect();
    assert_eq!(not_envelopes, NOT_ENVELOPES, "the files the core rejects");
    assert_eq!(first.deliveries + first.rejected.len(), CORPUS_FILES);
    assert!(!first.pending.is_empty());
    // Meta's Postman sample without `changes[]` is an empty entry: an undecodable item.
    assert!(first.undecodable > 0, "the dead-letter path is exercised");
    let new = first.pending.len() + first.undecodable;
    assert_eq!(new + first.duplicates, first.items, "first pass");
    assert_eq!(keys.len(), new);

    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.count(State::Pending), to_u64(first.pending.len()));
    assert_eq!(stats.count(State::DeadLetter), to_u64(first.undecodable));
    assert_eq!(stats.duplicates, to_u64(first.duplicates));
    assert_eq!(stats.rejected_deliveries, 0);
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), to_u64(new));
    assert_eq!(
        inbox
            .count(&Filter::new().kind("undecodable"))
            .await
            .unwrap(),
        to_u64(first.undecodable)
    );

    // The whole corpus again: every item is a duplicate, no event is added.
    let second = store_corpus(&inbox, &fixtures, &mut keys).await;
    assert_eq!(second.deliveries, first.deliveries);
    assert_eq!(second.items, first.items);
    assert_eq!(second.duplicates, second.items, "every item a duplicate");
    assert!(second.pending.is_empty() && second.undecodable == 0);
    assert_eq!(keys.len(), new, "no new key");
    let again = inbox.stats().await.unwrap();
    assert_eq!(again.by_state, stats.by_state, "no event added");
    assert_eq!(again.duplicates, to_u64(first.duplicates + second.items));
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), to_u64(new));

    // A worker processes every pending event, each the file's event at its position.
    let jobs = Arc::new(Mutex::new(Vec::<Job>::new()));
    let seen = Arc::clone(&jobs);
    let worker = inbox
        .worker(move |job: Job| {
            let seen = Arc::clone(&seen);
            async move {
                seen.lock().unwrap().push(job);
                Ok::<(), Failure>(())
            }
        })
        .poll_interval(Duration::from_millis(20))
        .start();
    until_count(&inbox, State::Processed, to_u64(first.pending.len())).await;
    worker.shutdown().await;

    let jobs = std::mem::take(&mut *jobs.lock().unwrap());
    assert_eq!(jobs.len(), first.pending.len(), "one job per pending event");
    let mut handed = BTreeMap::new();
    for job in &jobs {
        let expected = first
            .pending
            .get(&job.id)
            .unwrap_or_else(|| panic!("job for event {} that was not pending", job.id));
        let at = format!(
            "{} entry {} item {}",
            expected.fixture,
            expected.event.position().entry,
            expected.event.position().item
        );
        assert_eq!(job.event, expected.event, "{at}: the job's event");
        assert_eq!(
            job.event.dedup_key(),
            expected.event.dedup_key(),
            "{at}: key"
        );
        assert_eq!(job.delivery_id, expected.delivery, "{at}: delivery");
        assert_eq!(job.attempt, 1, "{at}: first attempt");
        assert!(
            handed.insert(job.id, ()).is_none(),
            "{at}: handed over once"
        );
    }
    for id in first.pending.keys() {
        let stored = inbox.event(*id).await.unwrap().event;
        assert_eq!(stored.state, State::Processed, "event {id}");
        assert_eq!(stored.attempt, 1, "event {id}");
    }
    let done = inbox.stats().await.unwrap();
    assert_eq!(done.count(State::Processed), to_u64(first.pending.len()));
    assert_eq!(done.count(State::DeadLetter), to_u64(first.undecodable));
    assert_eq!(done.count(State::Pending), 0);
    assert_eq!(done.count(State::Failed), 0);
    assert_eq!(done.count(State::Processing), 0);
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap()
}

on_both_engines!(stores_and_processes_the_corpus);
