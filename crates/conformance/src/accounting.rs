//! Accounting for every delivery under load: many deliveries of mixed kinds
//! (some batched, some unparseable, some forged, some the handler fails)
//! sent concurrently, and a ledger proving that each request got the answer
//! it must, each event reached the handler exactly once with the kind it was
//! sent as, each unparseable body reached the rejected-payload hook byte for
//! byte, and nothing forged reached the application.
//!
//! What must come of each delivery is written down by the generator as it
//! builds it (the kind and dedup key of every item, by the rules `DedupKey`
//! documents), never read back through the parser under test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::harness::{APP_SECRET, FAILING_ACCOUNT, Recorded};
use crate::raw_http::{RawConnection, request_bytes};
use crate::requests::signed_bytes;
use crate::wire::TestRequest;

/// How many deliveries the accounting test sends.
pub const ACCOUNTING_DELIVERIES: usize = 10_000;
/// How many are in flight at once.
pub const IN_FLIGHT: usize = 48;

/// The deliveries to send and what must come of them.
#[derive(Debug)]
pub struct AccountingPlan {
    /// The requests, each validly signed but the forged ones.
    pub requests: Vec<TestRequest>,
    /// The status each request must be answered with, in plan order.
    statuses: Vec<u16>,
    /// The dedup key and kind of every event the handler must see: those of
    /// the parseable, genuine deliveries (the ones it fails included).
    expected_events: Vec<(String, &'static str)>,
    /// How many deliveries must reach the handler.
    envelopes: usize,
    /// The unparseable bodies.
    unparseable: Vec<Bytes>,
}

const ACCOUNT: &str = "17841400000000001";

/// Which container an item goes in.
enum Place {
    Change(&'static str),
    Messaging,
    Standby,
}

/// One item of a delivery: where it goes, its JSON, its kind and how its
/// dedup key is made.
struct Item {
    place: Place,
    json: String,
    kind: &'static str,
    key: Key,
}

/// The part of a dedup key after `{account}:{kind}:`.
enum Key {
    /// Known from the item alone.
    Parts(String),
    /// `story_insights`: the media id and the entry's time.
    MediaAndEntryTime(String),
    /// `unknown`: the field and the SHA-256 of the item's raw JSON.
    FieldAndHash(&'static str),
}

impl Item {
    fn new(place: Place, json: String, kind: &'static str, key: Key) -> Self {
        Self {
            place,
            json,
            kind,
            key,
        }
    }

    /// The event's dedup key in an entry for `account` at `entry_time`.
    fn dedup_key(&self, account: &str, entry_time: usize) -> String {
        let rest = match &self.key {
            Key::Parts(parts) => parts.clone(),
            Key::MediaAndEntryTime(media) => format!("{media}:{entry_time}"),
            Key::FieldAndHash(field) => format!(
                "{field}:sha256:{}",
                hex::encode(Sha256::digest(self.json.as_bytes()))
            ),
        };
        format!("{account}:{}:{rest}", self.kind)
    }
}

/// An item of one of eleven kinds, unique by `uid`.
fn item(kind: usize, uid: usize) -> Item {
    let id = format!("18{uid:016}");
    let mid = format!("aWdfZAG1faWQ{uid:08}");
    let time = 1_756_217_841_000 + uid;
    let sender = 1_000_000 + uid % 97;
    let header = format!(
        r#""sender":{{"id":"{sender}"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":{time}"#
    );
    match kind % 11 {
        0 => Item::new(
            Place::Change("comments"),
            format!(
                r#"{{"from":{{"id":"17841401234567890","username":"fan"}},"media":{{"id":"18060000000000001","media_product_type":"FEED"}},"id":"{id}","text":"comment {uid} \ud83c\udf89"}}"#
            ),
            "comment",
            Key::Parts(id),
        ),
        1 => Item::new(
            Place::Change("live_comments"),
            format!(
                r#"{{"id":"{id}","text":"live {uid}","media":{{"id":"1806","media_product_type":"LIVE"}}}}"#
            ),
            "live_comment",
            Key::Parts(id),
        ),
        2 => Item::new(
            Place::Change("mentions"),
            format!(r#"{{"media_id":"17918195224117851","comment_id":"{id}"}}"#),
            "mention",
            Key::Parts(format!("17918195224117851:{id}")),
        ),
        3 => Item::new(
            Place::Change("story_insights"),
            format!(r#"{{"media_id":"{id}","impressions":{uid},"reach":-1,"exits":3}}"#),
            "story_insights",
            Key::MediaAndEntryTime(id),
        ),
        4 => Item::new(
            Place::Messaging,
            format!(r#"{{{header},"message":{{"mid":"{mid}","text":"hello {uid} \u00e9"}}}}"#),
            "message",
            Key::Parts(mid),
        ),
        5 => Item::new(
            Place::Messaging,
            format!(
                r#"{{{header},"reaction":{{"mid":"{mid}","action":"react","reaction":"love","emoji":"\u2764"}}}}"#
            ),
            "message_reaction",
            Key::Parts(format!("{mid}:react:{sender}:{time}")),
        ),
        6 => Item::new(
            Place::Messaging,
            format!(
                r#"{{{header},"postback":{{"mid":"{mid}","title":"Start","payload":"P{uid}"}}}}"#
            ),
            "messaging_postback",
            Key::Parts(mid),
        ),
        7 => Item::new(
            Place::Messaging,
            format!(r#"{{{header},"read":{{"mid":"{mid}"}}}}"#),
            "messaging_seen",
            Key::Parts(mid),
        ),
        8 => Item::new(
            Place::Standby,
            format!(
                r#"{{{header},"message":{{"mid":"{mid}","attachments":[{{"type":"story_mention","payload":{{"url":"https:\/\/lookaside.fbsbx.com\/{uid}"}}}}]}}}}"#
            ),
            "story_mention",
            Key::Parts(mid),
        ),
        // The App Dashboard's Test button: a messaging item inside `changes`.
        9 => Item::new(
            Place::Change("messages"),
            format!(r#"{{{header},"message":{{"mid":"{mid}","text":"test {uid}"}}}}"#),
            "message",
            Key::Parts(mid),
        ),
        _ => Item::new(
            Place::Change("brand_new_field"),
            format!(r#"{{"anything":[{uid},"two",{{"three":3}}]}}"#),
            "unknown",
            Key::FieldAndHash("brand_new_field"),
        ),
    }
}

/// An envelope for `account` of `items`, spread over entries of at most
/// five items; the dedup key and kind of each item, in order.
fn envelope(
    account: &str,
    items: Vec<Item>,
    salt: usize,
) -> (Vec<u8>, Vec<(String, &'static str)>) {
    let mut entries = Vec::new();
    let mut events = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let entry_time = 1_756_217_841 + salt + entries.len();
        let (mut changes, mut messaging, mut standby) = (Vec::new(), Vec::new(), Vec::new());
        for item in items.by_ref().take(5) {
            events.push((item.dedup_key(account, entry_time), item.kind));
            match item.place {
                Place::Change(field) => {
                    // Meta sends `value` before `field` as often as not.
                    let value = item.json;
                    if (salt + changes.len()).is_multiple_of(2) {
                        changes.push(format!(r#"{{"value":{value},"field":"{field}"}}"#));
                    } else {
                        changes.push(format!(r#"{{"field":"{field}","value":{value}}}"#));
                    }
                }
                Place::Messaging => messaging.push(item.json),
                Place::Standby => standby.push(item.json),
            }
        }
        let mut parts = vec![
            format!(r#""id":"{account}""#),
            format!(r#""time":{entry_time}"#),
        ];
        for (name, list) in [
            ("changes", changes),
            ("messaging", messaging),
            ("standby", standby),
        ] {
            if !list.is_empty() {
                parts.push(format!(r#""{name}":[{}]"#, list.join(",")));
            }
        }
        entries.push(format!("{{{}}}", parts.join(",")));
    }
    let body = format!(
        r#"{{"entry":[{}],"object":"instagram"}}"#,
        entries.join(",")
    );
    (body.into_bytes(), events)
}

/// A verified body that is not an envelope, unique by `index`.
fn unparseable(index: usize) -> Vec<u8> {
    match index % 4 {
        0 => format!("not JSON {index}").into_bytes(),
        1 => format!(r#"{{"object":"instagram","entry":[{{"id":"{index}","#).into_bytes(),
        2 => format!(r#"{{"object":"instagram","entry":"{index}"}}"#).into_bytes(),
        _ => format!(r#"[{index}, "an array"]"#).into_bytes(),
    }
}

/// What a delivery of the plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// A genuine envelope: 200.
    Envelope,
    /// A genuine body that is not an envelope: 200, and the hook.
    Unparseable,
    /// An envelope signed with a secret the receiver does not have: 401.
    Forged,
    /// A genuine envelope for [`FAILING_ACCOUNT`]: the handler fails, 500.
    HandlerFails,
}

fn sort(index: usize) -> Sort {
    // The residues never meet: 9 mod 10, 3 mod 20 (3 mod 10), 7 mod 25
    // (2 or 7 mod 10).
    if index % 10 == 9 {
        Sort::Unparseable
    } else if index % 20 == 3 {
        Sort::Forged
    } else if index % 25 == 7 {
        Sort::HandlerFails
    } else {
        Sort::Envelope
    }
}

/// `count` deliveries: one in ten unparseable, one in twenty forged, one in
/// twenty-five failed by the handler; one in three envelopes is a batch of
/// 2 to 24 items over up to five entries, the others one item; items cycle
/// through eleven kinds, across `changes`, `messaging` and `standby`.
///
/// # Panics
/// When the plan itself is inconsistent (a bug in this generator).
pub fn accounting_plan(count: usize) -> AccountingPlan {
    let mut plan = AccountingPlan {
        requests: Vec::with_capacity(count),
        statuses: Vec::with_capacity(count),
        expected_events: Vec::new(),
        envelopes: 0,
        unparseable: Vec::new(),
    };
    let mut uid = 0;
    for index in 0..count {
        let sort = sort(index);
        let request = if sort == Sort::Unparseable {
            let body = unparseable(index);
            plan.unparseable.push(Bytes::from(body.clone()));
            signed_bytes(APP_SECRET, body)
        } else {
            let size = if index % 3 == 0 { 2 + index % 23 } else { 1 };
            let items: Vec<Item> = (0..size)
                .map(|offset| {
                    uid += 1;
                    item(index + offset, uid)
                })
                .collect();
            let account = if sort == Sort::HandlerFails {
                FAILING_ACCOUNT
            } else {
                ACCOUNT
            };
            let (body, events) = envelope(account, items, index);
            if sort == Sort::Forged {
                signed_bytes("a secret the receiver does not have", body)
            } else {
                plan.expected_events.extend(events);
                plan.envelopes += 1;
                signed_bytes(APP_SECRET, body)
            }
        };
        plan.requests.push(request);
        plan.statuses.push(match sort {
            Sort::Envelope | Sort::Unparseable => 200,
            Sort::Forged => 401,
            Sort::HandlerFails => 500,
        });
    }
    let mut unique: Vec<&String> = plan.expected_events.iter().map(|(key, _)| key).collect();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        plan.expected_events.len(),
        "every planned event has its own dedup key"
    );
    plan
}

impl AccountingPlan {
    /// Checks that every request got the answer it must (`statuses`, in
    /// plan order; `None` for no answer), every event of a genuine envelope
    /// reached the handler exactly once and with its kind, nothing forged
    /// reached the application, and every unparseable body reached the
    /// rejected-payload hook exactly once, byte for byte.
    ///
    /// # Panics
    /// With what was lost, duplicated, mistaken or left unanswered.
    pub fn account(&self, statuses: &[Option<u16>], recorded: &Recorded) {
        assert_eq!(
            statuses.len(),
            self.requests.len(),
            "one outcome per request"
        );
        let unanswered: Vec<usize> = (0..statuses.len())
            .filter(|&index| statuses[index].is_none())
            .collect();
        assert!(
            unanswered.is_empty(),
            "{} requests got no answer, e.g. #{:?}",
            unanswered.len(),
            &unanswered[..unanswered.len().min(10)]
        );
        let wrong: Vec<(usize, Option<u16>, u16)> = statuses
            .iter()
            .zip(&self.statuses)
            .enumerate()
            .filter(|(_, (got, expected))| **got != Some(**expected))
            .map(|(index, (got, expected))| (index, *got, *expected))
            .collect();
        assert!(
            wrong.is_empty(),
            "{} requests got the wrong answer, e.g. (index, got, expected) {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(10)]
        );

        assert_eq!(
            recorded.deliveries.len(),
            self.envelopes,
            "each genuine envelope reaches the handler once, and nothing forged does"
        );
        let kinds: HashMap<&str, &str> = self
            .expected_events
            .iter()
            .map(|(key, kind)| (key.as_str(), *kind))
            .collect();
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(kinds.len());
        for delivery in &recorded.deliveries {
            for event in delivery.events() {
                let event = event
                    .as_ref()
                    .unwrap_or_else(|error| panic!("an item failed on the way: {error}"));
                let key = event.dedup_key();
                let key = key.as_str();
                let planned = kinds.get(key).unwrap_or_else(|| {
                    panic!("an event the plan did not send (or with another key): {key}")
                });
                assert_eq!(
                    event.kind().as_str(),
                    *planned,
                    "the event {key} was sent as a {planned}"
                );
                *seen.entry(key.to_owned()).or_default() += 1;
            }
        }
        let lost: Vec<&str> = kinds
            .keys()
            .copied()
            .filter(|key| !seen.contains_key(*key))
            .collect();
        let repeated: Vec<(&String, &usize)> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            lost.is_empty() && repeated.is_empty(),
            "{} events lost (e.g. {:?}), {} handed over more than once (e.g. {:?})",
            lost.len(),
            &lost[..lost.len().min(5)],
            repeated.len(),
            &repeated[..repeated.len().min(5)]
        );

        let mut expected: Vec<&[u8]> = self.unparseable.iter().map(AsRef::as_ref).collect();
        let mut rejected: Vec<&[u8]> = recorded
            .rejected
            .iter()
            .map(|payload| payload.body().as_ref())
            .collect();
        expected.sort_unstable();
        rejected.sort_unstable();
        assert!(
            expected == rejected,
            "the rejected-payload hook must get each unparseable body once, byte for byte \
             ({} expected, {} received)",
            expected.len(),
            rejected.len()
        );
    }

    /// How many events the genuine envelopes carry.
    pub fn event_count(&self) -> usize {
        self.expected_events.len()
    }
}

/// Sends every request to the server on `address` from `in_flight`
/// keep-alive connections at once, each sending its next request when the
/// previous one is answered; the status of each answer, in plan order
/// (`None`: the connection closed without an answer).
///
/// # Panics
/// When the server cannot be reached or hangs.
pub async fn send_all(
    address: SocketAddr,
    requests: &[TestRequest],
    in_flight: usize,
) -> Vec<Option<u16>> {
    let wire: Arc<Vec<Vec<u8>>> = Arc::new(requests.iter().map(request_bytes).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(Mutex::new(vec![None; requests.len()]));
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (wire, next, statuses) = (wire.clone(), next.clone(), statuses.clone());
            tokio::spawn(async move {
                let mut connection: Option<RawConnection> = None;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(bytes) = wire.get(index) else {
                        return;
                    };
                    let open = match connection.as_mut() {
                        Some(open) => open,
                        None => connection.insert(RawConnection::open(address).await),
                    };
                    let status = open.request(bytes).await.map(|response| response.status);
                    if status.is_none() {
                        // Closed: later requests go on a new connection.
                        connection = None;
                    }
                    statuses.lock().unwrap_or_else(PoisonError::into_inner)[index] = status;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a sender does not panic");
    }
    let statuses = statuses.lock().unwrap_or_else(PoisonError::into_inner);
    statuses.clone()
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use instagram_webhook_core::receive::RequestHead;

    use instagram_webhook_core::receive::Receiver;
    use instagram_webhook_core::{AppSecret, Verifier};

    use super::*;
    use crate::harness::{Recorder, harness, harness_with};

    /// The plan, answered by the receiver directly (no transport).
    fn answered(plan: &AccountingPlan) -> (Vec<Option<u16>>, Recorded) {
        answered_by(plan, harness())
    }

    fn answered_by(
        plan: &AccountingPlan,
        (receiver, recorder): (Receiver, Recorder),
    ) -> (Vec<Option<u16>>, Recorded) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let statuses = plan
            .requests
            .iter()
            .map(|request| {
                let mut head = RequestHead::new(request.method, &request.path, None);
                for (name, value) in &request.headers {
                    head.header(name, value);
                }
                let answer = runtime.block_on(receiver.serve(&head, request.body.clone()));
                Some(answer.status().as_u16())
            })
            .collect();
        (statuses, recorder.take())
    }

    fn fails(plan: &AccountingPlan, statuses: &[Option<u16>], recorded: &Recorded) -> bool {
        catch_unwind(AssertUnwindSafe(|| plan.account(statuses, recorded))).is_err()
    }

    #[test]
    fn the_ledger_notices_loss_repeats_and_silence() {
        let plan = accounting_plan(60);
        assert!(plan.event_count() > 60, "some deliveries are batches");
        let (statuses, mut recorded) = answered(&plan);
        plan.account(&statuses, &recorded);
        for (index, sort) in [(3, Sort::Forged), (7, Sort::HandlerFails)] {
            assert_eq!(super::sort(index), sort);
            let mut accepted = statuses.clone();
            accepted[index] = Some(200);
            assert!(fails(&plan, &accepted, &recorded), "{sort:?} answered 200");
        }

        // A receiver that takes the forged deliveries hands them over.
        let forger = Verifier::new(AppSecret::new("a secret the receiver does not have").unwrap());
        let (_, mut forged) = answered_by(&plan, harness_with(forger));
        let forged = forged.deliveries.remove(0);
        recorded.deliveries.push(forged);
        assert!(
            fails(&plan, &statuses, &recorded),
            "a forged delivery reached the handler"
        );
        recorded.deliveries.pop();

        let mut unanswered = statuses.clone();
        unanswered[7] = None;
        assert!(fails(&plan, &unanswered, &recorded));

        let lost = recorded.deliveries.pop().expect("deliveries");
        assert!(fails(&plan, &statuses, &recorded));
        recorded.deliveries.push(lost.clone());
        recorded.deliveries.push(lost);
        assert!(fails(&plan, &statuses, &recorded));
        recorded.deliveries.pop();

        let rejected = recorded.rejected.pop().expect("rejected payloads");
        assert!(fails(&plan, &statuses, &recorded));
        recorded.rejected.push(rejected);
        plan.account(&statuses, &recorded);
    }
}
