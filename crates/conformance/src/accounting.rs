//! Accounting for every delivery under load: many signed deliveries of
//! mixed kinds (some batched, some unparseable) sent concurrently, and a
//! ledger proving that each event reached the handler exactly once, each
//! unparseable body reached the rejected-payload hook byte for byte, and
//! each request got an answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use instagram_webhook_types::Notification;

use crate::deliveries::signed_bytes;
use crate::harness::{APP_SECRET, Recorded};
use crate::raw_http::{RawConnection, request_bytes};
use crate::wire::TestRequest;

/// How many deliveries the accounting test sends.
pub const ACCOUNTING_DELIVERIES: usize = 10_000;
/// How many are in flight at once.
pub const IN_FLIGHT: usize = 48;

/// The deliveries to send and what must come of them.
#[derive(Debug)]
pub struct AccountingPlan {
    /// The requests, each validly signed.
    pub requests: Vec<TestRequest>,
    /// The dedup key of every event the parseable deliveries carry.
    expected_events: Vec<String>,
    /// How many deliveries are parseable envelopes.
    envelopes: usize,
    /// The unparseable bodies.
    unparseable: Vec<Bytes>,
}

const ACCOUNT: &str = "17841400000000001";

/// One item of a delivery: where it goes (`changes` with its field, or a
/// messaging container) and its JSON.
enum Item {
    Change(&'static str, String),
    Messaging(String),
    Standby(String),
}

/// An item of one of eleven kinds, unique by `uid`.
fn item(kind: usize, uid: usize) -> Item {
    let id = format!("18{uid:016}");
    let mid = format!("aWdfZAG1faWQ{uid:08}");
    let time = 1_756_217_841_000 + uid;
    let header = format!(
        r#""sender":{{"id":"{}"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":{time}"#,
        1_000_000 + uid % 97
    );
    match kind % 11 {
        0 => Item::Change(
            "comments",
            format!(
                r#"{{"from":{{"id":"17841401234567890","username":"fan"}},"media":{{"id":"18060000000000001","media_product_type":"FEED"}},"id":"{id}","text":"comment {uid} \ud83c\udf89"}}"#
            ),
        ),
        1 => Item::Change(
            "live_comments",
            format!(
                r#"{{"id":"{id}","text":"live {uid}","media":{{"id":"1806","media_product_type":"LIVE"}}}}"#
            ),
        ),
        2 => Item::Change(
            "mentions",
            format!(r#"{{"media_id":"17918195224117851","comment_id":"{id}"}}"#),
        ),
        3 => Item::Change(
            "story_insights",
            format!(r#"{{"media_id":"{id}","impressions":{uid},"reach":-1,"exits":3}}"#),
        ),
        4 => Item::Messaging(format!(
            r#"{{{header},"message":{{"mid":"{mid}","text":"hello {uid} \u00e9"}}}}"#
        )),
        5 => Item::Messaging(format!(
            r#"{{{header},"reaction":{{"mid":"{mid}","action":"react","reaction":"love","emoji":"\u2764"}}}}"#
        )),
        6 => Item::Messaging(format!(
            r#"{{{header},"postback":{{"mid":"{mid}","title":"Start","payload":"P{uid}"}}}}"#
        )),
        7 => Item::Messaging(format!(r#"{{{header},"read":{{"mid":"{mid}"}}}}"#)),
        8 => Item::Standby(format!(
            r#"{{{header},"message":{{"mid":"{mid}","attachments":[{{"type":"story_mention","payload":{{"url":"https:\/\/lookaside.fbsbx.com\/{uid}"}}}}]}}}}"#
        )),
        // The App Dashboard's Test button: a messaging item inside `changes`.
        9 => Item::Change(
            "messages",
            format!(r#"{{{header},"message":{{"mid":"{mid}","text":"test {uid}"}}}}"#),
        ),
        _ => Item::Change(
            "brand_new_field",
            format!(r#"{{"anything":[{uid},"two",{{"three":3}}]}}"#),
        ),
    }
}

/// An envelope of `items`, spread over entries of at most five items.
fn envelope(items: Vec<Item>, salt: usize) -> Vec<u8> {
    let mut entries = Vec::new();
    let mut items = items.into_iter().peekable();
    let mut entry = 0;
    while items.peek().is_some() {
        let (mut changes, mut messaging, mut standby) = (Vec::new(), Vec::new(), Vec::new());
        for item in items.by_ref().take(5) {
            match item {
                Item::Change(field, value) => {
                    // Meta sends `value` before `field` as often as not.
                    if (salt + changes.len()).is_multiple_of(2) {
                        changes.push(format!(r#"{{"value":{value},"field":"{field}"}}"#));
                    } else {
                        changes.push(format!(r#"{{"field":"{field}","value":{value}}}"#));
                    }
                }
                Item::Messaging(json) => messaging.push(json),
                Item::Standby(json) => standby.push(json),
            }
        }
        let mut parts = vec![
            format!(r#""id":"{ACCOUNT}""#),
            format!(r#""time":{}"#, 1_756_217_841 + salt + entry),
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
        entry += 1;
    }
    format!(
        r#"{{"entry":[{}],"object":"instagram"}}"#,
        entries.join(",")
    )
    .into_bytes()
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

/// `count` deliveries: one in ten unparseable, one in three of the rest a
/// batch of 2 to 24 items over up to five entries, the others one item;
/// items cycle through eleven kinds, across `changes`, `messaging` and
/// `standby`.
///
/// # Panics
/// When the plan itself is inconsistent (a bug in this generator).
pub fn accounting_plan(count: usize) -> AccountingPlan {
    let mut requests = Vec::with_capacity(count);
    let mut expected_events = Vec::new();
    let mut unparseable_bodies = Vec::new();
    let mut envelopes = 0;
    let mut uid = 0;
    for index in 0..count {
        let body = if index % 10 == 9 {
            let body = unparseable(index);
            unparseable_bodies.push(Bytes::from(body.clone()));
            body
        } else {
            let size = if index % 3 == 0 { 2 + index % 23 } else { 1 };
            let items: Vec<Item> = (0..size)
                .map(|offset| {
                    uid += 1;
                    item(index + offset, uid)
                })
                .collect();
            let body = envelope(items, index);
            let notification = Notification::from_slice(&body).expect("the plan's envelopes parse");
            for event in notification.events() {
                let event = event.expect("the plan's items decode");
                expected_events.push(event.dedup_key().as_str().to_owned());
            }
            assert_eq!(
                notification.item_count(),
                size,
                "one result per planned item"
            );
            envelopes += 1;
            body
        };
        requests.push(signed_bytes(APP_SECRET, body));
    }
    let mut unique = expected_events.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        expected_events.len(),
        "every planned event has its own dedup key"
    );
    AccountingPlan {
        requests,
        expected_events,
        envelopes,
        unparseable: unparseable_bodies,
    }
}

impl AccountingPlan {
    /// Checks that every request was answered 200 (`statuses`, in plan
    /// order; `None` for no answer), every event reached the handler exactly
    /// once, and every unparseable body reached the rejected-payload hook
    /// exactly once, byte for byte.
    ///
    /// # Panics
    /// With what was lost, duplicated or left unanswered.
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
        let not_ok: Vec<(usize, Option<u16>)> = statuses
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, status)| *status != Some(200))
            .collect();
        assert!(
            not_ok.is_empty(),
            "{} requests were not answered 200, e.g. {:?}",
            not_ok.len(),
            &not_ok[..not_ok.len().min(10)]
        );

        assert_eq!(
            recorded.deliveries.len(),
            self.envelopes,
            "each parseable delivery reaches the handler once"
        );
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(self.expected_events.len());
        for delivery in &recorded.deliveries {
            for event in delivery.events() {
                let event = event
                    .as_ref()
                    .unwrap_or_else(|error| panic!("an item failed on the way: {error}"));
                *seen
                    .entry(event.dedup_key().as_str().to_owned())
                    .or_default() += 1;
            }
        }
        let lost: Vec<&String> = self
            .expected_events
            .iter()
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
        assert_eq!(
            seen.len(),
            self.expected_events.len(),
            "no event the plan did not send"
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

    /// How many events the parseable deliveries carry.
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

    use super::*;
    use crate::harness::harness;

    /// The plan, answered by the receiver directly (no transport).
    fn answered(plan: &AccountingPlan) -> (Vec<Option<u16>>, Recorded) {
        let (receiver, recorder) = harness();
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
                let answer = runtime.block_on(receiver.respond(&head, request.body.clone()));
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
