//! The queue as a state machine: any sequence of claims, completions,
//! failures, lease expiries and replays, run against the real SQL on both
//! engines and against a model, keeps the invariants and agrees with the
//! model step by step.

use std::collections::BTreeMap;

use bytes::Bytes;
use proptest::prelude::*;

use crate::db::{Connect, Db};
use crate::error::Error;
use crate::model::{EventId, Filter, State};
use crate::record::{NewDelivery, NewItem};
use crate::store::queue::Failure;

/// How long a claim holds an event, in the model's milliseconds.
const LEASE: i64 = 100;
/// Workers that take part.
const WORKERS: [&str; 3] = ["w0", "w1", "w2"];
/// The events: their ordering keys (two share one).
const KEYS: [Option<&str>; 4] = [Some("a"), Some("a"), Some("b"), None];
const MAX_ATTEMPTS: i64 = 2;

#[derive(Debug, Clone)]
enum Op {
    Claim {
        worker: usize,
        limit: i64,
    },
    Complete {
        worker: usize,
        pick: usize,
    },
    Fail {
        worker: usize,
        pick: usize,
        retry: bool,
    },
    Advance {
        ms: i64,
    },
    Rescue,
    Replay {
        event: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 1..4i64).prop_map(|(worker, limit)| Op::Claim { worker, limit }),
        3 => (0..3usize, 0..4usize).prop_map(|(worker, pick)| Op::Complete { worker, pick }),
        2 => (0..3usize, 0..4usize, any::<bool>())
            .prop_map(|(worker, pick, retry)| Op::Fail { worker, pick, retry }),
        2 => (1..150i64).prop_map(|ms| Op::Advance { ms }),
        1 => Just(Op::Rescue),
        1 => (0..4usize).prop_map(|event| Op::Replay { event }),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Model {
    state: State,
    attempt: i64,
    max_attempts: i64,
    run_at: i64,
    holder: Option<&'static str>,
    lease_until: Option<i64>,
}

/// What the model expects of the whole queue.
struct Queue {
    events: Vec<Model>,
    now: i64,
    /// What each worker believes it holds: (event index, attempt).
    held: [Vec<(usize, i64)>; 3],
}

impl Queue {
    fn new(now: i64) -> Self {
        let event = Model {
            state: State::Pending,
            attempt: 0,
            max_attempts: MAX_ATTEMPTS,
            run_at: now,
            holder: None,
            lease_until: None,
        };
        Self {
            events: vec![event; KEYS.len()],
            now,
            held: Default::default(),
        }
    }

    /// Whether ordering holds event `i` back: another event of its key is
    /// in a handler, or an earlier one is still waiting.
    fn blocked(&self, i: usize) -> bool {
        KEYS[i].is_some()
            && (0..self.events.len()).any(|j| {
                j != i
                    && KEYS[j] == KEYS[i]
                    && match self.events[j].state {
                        State::Processing => true,
                        State::Pending | State::Failed => j < i,
                        State::Processed | State::DeadLetter => false,
                    }
            })
    }

    fn claim(&mut self, worker: usize, limit: i64) -> Vec<usize> {
        let mut ready: Vec<usize> = (0..self.events.len())
            .filter(|&i| {
                let e = &self.events[i];
                matches!(e.state, State::Pending | State::Failed)
                    && e.run_at <= self.now
                    && !self.blocked(i)
            })
            .collect();
        ready.sort_by_key(|&i| (self.events[i].run_at, i));
        ready.truncate(usize::try_from(limit).unwrap());
        for &i in &ready {
            let e = &mut self.events[i];
            e.state = State::Processing;
            e.attempt += 1;
            e.holder = Some(WORKERS[worker]);
            e.lease_until = Some(self.now + LEASE);
            self.held[worker].push((i, e.attempt));
        }
        ready
    }

    fn holds(&self, worker: usize, i: usize, attempt: i64) -> bool {
        let e = &self.events[i];
        e.state == State::Processing && e.attempt == attempt && e.holder == Some(WORKERS[worker])
    }

    fn finish(&mut self, i: usize, state: State, run_at: Option<i64>) {
        let e = &mut self.events[i];
        e.state = state;
        e.holder = None;
        e.lease_until = None;
        if let Some(run_at) = run_at {
            e.run_at = run_at;
        }
    }

    /// The retry time after a failed attempt: `None` for the dead letter.
    fn retry_at(&self, i: usize, retry: bool) -> Option<i64> {
        let e = &self.events[i];
        (retry && e.attempt < e.max_attempts).then_some(self.now + 10)
    }
}

fn delivery() -> NewDelivery {
    NewDelivery {
        received_at: 0,
        path: "/webhook".into(),
        app: None,
        secret_index: 0,
        body: Bytes::from_static(b"{}"),
        rejected_reason: None,
        items: KEYS
            .iter()
            .enumerate()
            .map(|(i, key)| NewItem {
                kind: "comment".into(),
                account_id: "1".into(),
                dedup_key: format!("key-{i}"),
                order_key: key.map(str::to_owned),
                container: "changes",
                entry_index: 0,
                item_index: i64::try_from(i).unwrap(),
                item: "{}".into(),
                max_attempts: MAX_ATTEMPTS,
                undecodable: None,
            })
            .collect(),
    }
}

async fn run(db: Db, ops: Vec<Op>) {
    let start = crate::time::now();
    let ids: Vec<i64> = db.accept(&[delivery()], start, 0).await.unwrap()[0]
        .events
        .iter()
        .map(|id| id.unwrap().0)
        .collect();
    let index = |id: i64| ids.iter().position(|x| *x == id).unwrap();
    let mut queue = Queue::new(start);

    for op in ops {
        match op {
            Op::Claim { worker, limit } => {
                let claimed = db
                    .claim(WORKERS[worker], limit, queue.now, queue.now + LEASE)
                    .await
                    .unwrap();
                let got: Vec<usize> = claimed.iter().map(|c| index(c.id)).collect();
                let mut expected = queue.claim(worker, limit);
                expected.sort_unstable();
                let mut sorted = got.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, expected, "claim by {worker}");
                for c in &claimed {
                    assert_eq!(c.attempt, queue.events[index(c.id)].attempt);
                }
            }
            Op::Complete { worker, pick } | Op::Fail { worker, pick, .. }
                if queue.held[worker].is_empty() =>
            {
                let _ = pick;
            }
            Op::Complete { worker, pick } => {
                let (i, attempt) = queue.held[worker].remove(pick % queue.held[worker].len());
                let expected = queue.holds(worker, i, attempt);
                let done = db
                    .complete(ids[i], attempt, WORKERS[worker], queue.now)
                    .await
                    .unwrap();
                assert_eq!(done, expected, "complete of {i} by {worker}: the fence");
                if expected {
                    queue.finish(i, State::Processed, None);
                }
            }
            Op::Fail {
                worker,
                pick,
                retry,
            } => {
                let (i, attempt) = queue.held[worker].remove(pick % queue.held[worker].len());
                let expected = queue.holds(worker, i, attempt);
                let retry_at = queue.retry_at(i, retry);
                let failure = Failure {
                    id: ids[i],
                    attempt,
                    worker: Some(WORKERS[worker]),
                    recorded_as: WORKERS[worker],
                    started_at: queue.now,
                    finished_at: queue.now,
                    class: "error",
                    error: "model failure",
                    retry_at,
                };
                let failed = db.fail(&failure).await.unwrap();
                assert_eq!(failed, expected, "failure of {i} by {worker}: the fence");
                if expected {
                    let state = if retry_at.is_some() {
                        State::Failed
                    } else {
                        State::DeadLetter
                    };
                    queue.finish(i, state, retry_at);
                }
            }
            Op::Advance { ms } => queue.now += ms,
            Op::Rescue => {
                let expired = db.expired(queue.now, 100).await.unwrap();
                let mut got: Vec<usize> = expired.iter().map(|e| index(e.id)).collect();
                got.sort_unstable();
                let expected: Vec<usize> = (0..queue.events.len())
                    .filter(|&i| queue.events[i].lease_until.is_some_and(|l| l < queue.now))
                    .collect();
                assert_eq!(got, expected, "expired leases");
                for e in expired {
                    let i = index(e.id);
                    let retry_at = queue.retry_at(i, true);
                    let failure = Failure {
                        id: e.id,
                        attempt: e.attempt,
                        worker: None,
                        recorded_as: "rescuer",
                        started_at: e.updated_at,
                        finished_at: queue.now,
                        class: "lease_expired",
                        error: "lease expired",
                        retry_at,
                    };
                    assert!(
                        db.fail(&failure).await.unwrap(),
                        "the rescuer's fence holds"
                    );
                    let state = if retry_at.is_some() {
                        State::Failed
                    } else {
                        State::DeadLetter
                    };
                    queue.finish(i, state, retry_at);
                }
            }
            Op::Replay { event } => {
                let before = queue.events[event].state;
                match db.replay(EventId(ids[event]), queue.now).await {
                    Ok(state) => {
                        let e = &mut queue.events[event];
                        match before {
                            State::Pending => assert_eq!(state, State::Pending),
                            State::Processed | State::DeadLetter | State::Failed => {
                                assert_eq!(state, State::Pending);
                                e.state = State::Pending;
                                e.run_at = queue.now;
                                if e.attempt >= e.max_attempts {
                                    e.max_attempts = e.attempt + 1;
                                }
                            }
                            State::Processing => panic!("a held event was replayed"),
                        }
                    }
                    Err(Error::Conflict { state, .. }) => {
                        assert_eq!((before, state), (State::Processing, State::Processing));
                    }
                    Err(other) => panic!("replay: {other}"),
                }
            }
        }
        check(&db, &ids, &queue).await;
    }
}

/// The stored rows agree with the model, and the invariants hold.
async fn check(db: &Db, ids: &[i64], queue: &Queue) {
    let page = db.events(&Filter::default(), None, 0, 100).await.unwrap();
    let rows: BTreeMap<i64, _> = page.events.into_iter().map(|e| (e.id.0, e)).collect();
    for (i, model) in queue.events.iter().enumerate() {
        let row = &rows[&ids[i]];
        assert_eq!(row.state, model.state, "state of event {i}");
        assert_eq!(row.attempt, model.attempt, "attempt of event {i}");
        assert_eq!(
            row.max_attempts, model.max_attempts,
            "max attempts of event {i}"
        );
        assert_eq!(
            row.locked_by.as_deref(),
            model.holder,
            "holder of event {i}"
        );
        assert_eq!(row.finalized_at.is_some(), model.state.is_final());
        assert!(row.attempt <= row.max_attempts);
        if model.run_at != i64::MIN && matches!(model.state, State::Failed) {
            assert_eq!(
                crate::time::millis(row.run_at),
                model.run_at,
                "run_at of event {i}"
            );
        }
    }
    // Never two events of one key in handlers.
    for (i, model) in queue.events.iter().enumerate() {
        for (j, other) in queue.events.iter().enumerate() {
            if i != j && KEYS[i].is_some() && KEYS[i] == KEYS[j] {
                assert!(
                    model.state != State::Processing || other.state != State::Processing,
                    "events {i} and {j} of one key at once"
                );
            }
        }
    }
}

async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
    (Db::open(&url, &connect()).await.unwrap(), dir)
}

fn connect() -> Connect {
    Connect {
        max_connections: 2,
        timeout: std::time::Duration::from_secs(10),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_sqlite_queue_follows_the_model(ops in prop::collection::vec(op(), 1..40)) {
        runtime().block_on(async {
            let (db, _dir) = sqlite().await;
            run(db.clone(), ops).await;
            db.close().await;
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_postgres_queue_follows_the_model(ops in prop::collection::vec(op(), 1..40)) {
        runtime().block_on(async {
            let url = instagram_webhook_testing::postgres::Server::shared().database().await;
            let db = Db::open(&url, &connect()).await.unwrap();
            run(db.clone(), ops).await;
            db.close().await;
        });
    }
}
