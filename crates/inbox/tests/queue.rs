//! Workers: the retry ladder, the handler's outcomes, panics and timeouts,
//! the rescuer, and the order of events per conversation.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use instagram_webhook_inbox::{EventId, Failure, Inbox, Jitter, Job, RetryPolicy, State};
use support::*;
use tokio::sync::{mpsc, oneshot};

const POLL: Duration = Duration::from_millis(10);

/// A handler that reports each attempt and waits for the test to say how
/// it ends: `Ok(())` or the failure.
type Gate = mpsc::UnboundedReceiver<(Job, oneshot::Sender<Result<(), Failure>>)>;

fn gated(inbox: &Inbox) -> (instagram_webhook_inbox::Worker, Gate) {
    let (tx, rx) = mpsc::unbounded_channel();
    let worker = inbox
        .worker(move |job: Job| {
            let tx = tx.clone();
            async move {
                let (answer, outcome) = oneshot::channel();
                tx.send((job, answer)).expect("the test listens");
                outcome.await.expect("the test answers")
            }
        })
        .poll_interval(POLL)
        .start();
    (worker, rx)
}

fn ms(time: std::time::SystemTime) -> i64 {
    time.duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn the_retry_ladder_is_exact_with_a_seeded_jitter(db: Db) {
    let draws = Arc::new(Mutex::new(vec![0.5, -1.0, 0.2].into_iter()));
    let source = Arc::clone(&draws);
    let jitter = Jitter::from_fn(0.1, move || source.lock().unwrap().next().unwrap());
    let policy = RetryPolicy::new([300, 600, 900].map(Duration::from_millis)).jitter(jitter);
    let inbox = db.open(quiet().retry(policy)).await;
    let id = store_one(&inbox, comment("m", "c1", "x")).await;
    let (worker, mut gate) = gated(&inbox);

    // 300 ms × (1 + 0.1 × 0.5), 600 ms × (1 − 0.1), 900 ms × (1 + 0.1 × 0.2).
    let expected = [315, 540, 918];
    for attempt in 1..=4 {
        let (job, answer) = gate.recv().await.unwrap();
        assert_eq!((job.id, job.attempt, job.max_attempts), (id, attempt, 4));
        assert_eq!(job.is_last_attempt(), attempt == 4);
        let detail = inbox.event(id).await.unwrap();
        assert_eq!(detail.event.state, State::Processing);
        assert_eq!(detail.attempts.len() as i64, attempt - 1);
        if let Some(last) = detail.attempts.last() {
            let waited = ms(detail.event.run_at) - ms(last.finished_at);
            assert_eq!(
                waited,
                expected[attempt as usize - 2],
                "delay after attempt {}",
                attempt - 1
            );
        }
        answer
            .send(Err(Failure::retry(format!("failure {attempt}"))))
            .unwrap();
    }
    until_count(&inbox, State::DeadLetter, 1).await;
    worker.shutdown().await;
    let detail = inbox.event(id).await.unwrap();
    assert_eq!(detail.event.attempt, 4);
    assert!(detail.event.finalized_at.is_some());
    let errors: Vec<_> = detail
        .attempts
        .iter()
        .map(|a| (a.attempt, &*a.error_class, &*a.error))
        .collect();
    assert_eq!(
        errors,
        [
            (1, "error", "failure 1"),
            (2, "error", "failure 2"),
            (3, "error", "failure 3"),
            (4, "error", "failure 4")
        ]
    );
    assert!(
        detail
            .attempts
            .iter()
            .all(|a| a.finished_at >= a.started_at)
    );
}

async fn per_kind_delays_and_retry_after_are_kept(db: Db) {
    let policy = RetryPolicy::new([Duration::from_secs(3600)])
        .for_kind(
            "comment",
            [Duration::from_millis(200), Duration::from_millis(200)],
        )
        .jitter(Jitter::none());
    let inbox = db.open(quiet().retry(policy)).await;
    let id = store_one(&inbox, comment("m", "c1", "x")).await;
    let (worker, mut gate) = gated(&inbox);
    let (job, answer) = gate.recv().await.unwrap();
    assert_eq!(job.max_attempts, 3, "two delays for comments");
    answer
        .send(Err(Failure::retry_after(
            Duration::from_millis(450),
            "429: come back later",
        )))
        .unwrap();
    let (job, answer) = gate.recv().await.unwrap();
    assert_eq!(job.attempt, 2);
    let detail = inbox.event(id).await.unwrap();
    let waited = ms(detail.event.run_at) - ms(detail.attempts[0].finished_at);
    assert_eq!(waited, 450, "the handler's delay, not the ladder's");
    answer.send(Err(Failure::retry("again"))).unwrap();
    let (_, answer) = gate.recv().await.unwrap();
    let detail = inbox.event(id).await.unwrap();
    assert_eq!(
        ms(detail.event.run_at) - ms(detail.attempts[1].finished_at),
        200
    );
    answer.send(Ok(())).unwrap();
    until_count(&inbox, State::Processed, 1).await;
    worker.shutdown().await;
}

async fn giving_up_goes_straight_to_the_dead_letter(db: Db) {
    let inbox = db.open(quiet()).await;
    let id = store_one(&inbox, comment("m", "c1", "x")).await;
    let (worker, mut gate) = gated(&inbox);
    let (_, answer) = gate.recv().await.unwrap();
    answer
        .send(Err(Failure::give_up("the account was deleted")))
        .unwrap();
    until_count(&inbox, State::DeadLetter, 1).await;
    worker.shutdown().await;
    let detail = inbox.event(id).await.unwrap();
    assert_eq!(detail.event.attempt, 1);
    assert_eq!(detail.event.last_error_class.as_deref(), Some("gave_up"));
    assert_eq!(
        detail.event.last_error.as_deref(),
        Some("the account was deleted")
    );
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        stats.dead_letters,
        vec![("comment".into(), "gave_up".into(), 1)]
    );
}

async fn a_panic_and_a_timeout_are_failed_attempts_with_their_message(db: Db) {
    let policy = RetryPolicy::new([Duration::from_millis(10); 3]);
    let inbox = db.open(quiet().retry(policy)).await;
    let id = store_one(&inbox, comment("m", "c1", "x")).await;
    let worker = inbox
        .worker(|job: Job| async move {
            match job.attempt {
                1 => panic!("boom at attempt one"),
                2 => {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    Ok(())
                }
                _ => Ok::<(), Failure>(()),
            }
        })
        // Long enough for the panic hook to print a backtrace.
        .timeout(Duration::from_millis(1500))
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processed, 1).await;
    worker.shutdown().await;
    let detail = inbox.event(id).await.unwrap();
    assert_eq!(detail.event.attempt, 3);
    let (panic, timeout) = (&detail.attempts[0], &detail.attempts[1]);
    assert_eq!(panic.error_class, "panic");
    assert!(
        panic.error.contains("boom at attempt one"),
        "{}",
        panic.error
    );
    assert_eq!(timeout.error_class, "timeout");
    assert!(timeout.error.contains("timeout"), "{}", timeout.error);
}

async fn the_rescuer_takes_back_the_events_of_a_worker_that_died(db: Db) {
    let builder =
        Inbox::builder().maintenance(Some((Duration::from_millis(50), Duration::from_secs(3600))));
    let inbox = db.open(builder).await;
    let stored = inbox
        .store(&delivery(messaging(vec![
            message("1", "a", "x"),
            message("2", "b", "y"),
        ])))
        .await
        .unwrap();
    let doomed = inbox
        .worker(|_job: Job| std::future::pending::<Result<(), Failure>>())
        .timeout(Duration::from_millis(300))
        .lease_margin(Duration::ZERO)
        .poll_interval(POLL)
        .name("doomed")
        .start();
    until_count(&inbox, State::Processing, 2).await;
    doomed.abort();
    let survivor = inbox
        .worker(|_job: Job| async { Ok::<(), Failure>(()) })
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processed, 2).await;
    survivor.shutdown().await;
    for id in stored.events.into_iter().flatten() {
        let detail = inbox.event(id).await.unwrap();
        assert_eq!(detail.event.attempt, 2);
        let rescued = &detail.attempts[0];
        assert_eq!(
            (rescued.error_class.as_str(), rescued.worker.as_str()),
            ("lease_expired", "doomed")
        );
    }
}

async fn a_shutdown_past_its_timeout_hands_the_events_back_at_once(db: Db) {
    // No retry left after the first attempt: handing back must not make a
    // dead letter of an event whose attempt the shutdown cut.
    let inbox = db.open(quiet().retry(RetryPolicy::new([]))).await;
    let id = store_one(&inbox, comment("m", "c1", "x")).await;
    let stuck = inbox
        .worker(|_job: Job| std::future::pending::<Result<(), Failure>>())
        .timeout(Duration::from_secs(3600))
        .poll_interval(POLL)
        .name("stuck")
        .start();
    until_count(&inbox, State::Processing, 1).await;
    let released = stuck
        .shutdown_within(Duration::from_millis(50))
        .await
        .unwrap();
    assert_eq!(released, 1);
    let detail = inbox.event(id).await.unwrap();
    assert_eq!(detail.event.state, State::Failed);
    assert!(detail.event.locked_by.is_none());
    assert_eq!((detail.event.attempt, detail.event.max_attempts), (1, 2));
    assert!(detail.event.run_at <= std::time::SystemTime::now());
    assert_eq!(
        (
            detail.attempts[0].error_class.as_str(),
            detail.attempts[0].worker.as_str()
        ),
        ("shutdown", "stuck")
    );
    // Ready at once: another worker takes it without waiting for a lease.
    let next = inbox
        .worker(|_job: Job| async { Ok::<(), Failure>(()) })
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processed, 1).await;
    next.shutdown().await;

    // A worker that ends in time hands nothing back.
    store_one(&inbox, comment("m", "c2", "x")).await;
    let quick = inbox
        .worker(|_job: Job| async { Ok::<(), Failure>(()) })
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processed, 2).await;
    assert_eq!(
        quick
            .shutdown_within(Duration::from_secs(60))
            .await
            .unwrap(),
        0
    );
}

/// Records, per ordering key, the order events were handed over, and
/// whether two of one key were ever in a handler at once.
#[derive(Default)]
struct Order {
    running: HashSet<String>,
    overlaps: Vec<String>,
    seen: HashMap<String, Vec<String>>,
    parallel: usize,
    max_parallel: usize,
}

fn conversation_of(job: &Job) -> (String, String) {
    let sender = job.event.sender().unwrap().id.as_str().to_owned();
    let raw: serde_json::Value = serde_json::from_str(job.event.raw().get()).unwrap();
    (sender, raw["message"]["mid"].as_str().unwrap().to_owned())
}

fn recording_worker(
    inbox: &Inbox,
    order: &Arc<Mutex<Order>>,
    fail_first: Option<&'static str>,
) -> instagram_webhook_inbox::Worker {
    let order = Arc::clone(order);
    inbox
        .worker(move |job: Job| {
            let order = Arc::clone(&order);
            async move {
                let (key, mid) = conversation_of(&job);
                {
                    let mut o = order.lock().unwrap();
                    if !o.running.insert(key.clone()) {
                        o.overlaps.push(key.clone());
                    }
                    o.parallel += 1;
                    o.max_parallel = o.max_parallel.max(o.parallel);
                }
                tokio::time::sleep(Duration::from_millis(fastrand::u64(1..6))).await;
                let mut o = order.lock().unwrap();
                o.running.remove(&key);
                o.parallel -= 1;
                if fail_first == Some(mid.as_str()) && job.attempt < 3 {
                    return Err(Failure::retry("not yet"));
                }
                o.seen.entry(key).or_default().push(mid);
                Ok(())
            }
        })
        .concurrency(8)
        .poll_interval(POLL)
        .start()
}

async fn events_of_one_conversation_are_handed_over_one_at_a_time_in_order(db: Db) {
    let policy = RetryPolicy::new([Duration::from_millis(20); 3]);
    let inbox = db.open(quiet().retry(policy)).await;
    let mut expected: HashMap<String, Vec<String>> = HashMap::new();
    for round in 0..12 {
        let items = (0..4)
            .map(|user| {
                let mid = format!("u{user}-{round:02}");
                expected
                    .entry(format!("u{user}"))
                    .or_default()
                    .push(mid.clone());
                message(&format!("u{user}"), &mid, "x")
            })
            .collect();
        inbox.store(&delivery(messaging(items))).await.unwrap();
    }
    let order = Arc::new(Mutex::new(Order::default()));
    // `u1-03` fails twice: it holds back the rest of u1's conversation only.
    let worker = recording_worker(&inbox, &order, Some("u1-03"));
    until_count(&inbox, State::Processed, 48).await;
    worker.shutdown().await;
    let order = order.lock().unwrap();
    assert_eq!(
        order.overlaps,
        Vec::<String>::new(),
        "two events of one conversation at once"
    );
    assert_eq!(
        order.seen, expected,
        "each conversation in the order Meta sent it"
    );
    assert!(
        order.max_parallel >= 2,
        "different conversations run in parallel"
    );
}

async fn without_ordering_events_of_one_conversation_run_in_parallel(db: Db) {
    let inbox = db.open(quiet().ordered(false)).await;
    let items = (0..16)
        .map(|i| message("u1", &format!("m{i:02}"), "x"))
        .collect();
    let stored = inbox.store(&delivery(messaging(items))).await.unwrap();
    let first = inbox.event(stored.events[0].unwrap()).await.unwrap().event;
    assert_eq!(first.order_key, None);
    let order = Arc::new(Mutex::new(Order::default()));
    let worker = recording_worker(&inbox, &order, None);
    until_count(&inbox, State::Processed, 16).await;
    worker.shutdown().await;
    assert!(order.lock().unwrap().max_parallel >= 2);
}

async fn a_dead_letter_releases_the_events_it_held_back(db: Db) {
    let inbox = db.open(quiet().retry(RetryPolicy::new([]))).await;
    let stored = inbox
        .store(&delivery(messaging(vec![
            message("u1", "first", "x"),
            message("u1", "second", "y"),
        ])))
        .await
        .unwrap();
    let (worker, mut gate) = gated(&inbox);
    let (job, answer) = gate.recv().await.unwrap();
    assert_eq!(job.id, stored.events[0].unwrap());
    // While the first is in a handler, the second waits.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        gate.try_recv().is_err(),
        "the second event started before the first ended"
    );
    answer.send(Err(Failure::retry("no retries left"))).unwrap();
    let (job, answer) = gate.recv().await.unwrap();
    assert_eq!(job.id, stored.events[1].unwrap());
    answer.send(Ok(())).unwrap();
    until_count(&inbox, State::Processed, 1).await;
    worker.shutdown().await;
    assert_eq!(inbox.stats().await.unwrap().count(State::DeadLetter), 1);
}

async fn comments_on_one_media_share_an_ordering_key(db: Db) {
    let inbox = db.open(quiet()).await;
    let a = store_one(&inbox, comment("media-1", "c1", "x")).await;
    let b = store_one(&inbox, comment("media-1", "c2", "y")).await;
    let c = store_one(&inbox, comment("media-2", "c3", "z")).await;
    let key = |id: EventId| {
        let inbox = inbox.clone();
        async move { inbox.event(id).await.unwrap().event.order_key.unwrap() }
    };
    assert_eq!(key(a).await, format!("{ACCOUNT}:media:media-1"));
    assert_eq!(key(a).await, key(b).await);
    assert_ne!(key(a).await, key(c).await);
}

on_both_engines!(
    a_shutdown_past_its_timeout_hands_the_events_back_at_once,
    the_retry_ladder_is_exact_with_a_seeded_jitter,
    per_kind_delays_and_retry_after_are_kept,
    giving_up_goes_straight_to_the_dead_letter,
    a_panic_and_a_timeout_are_failed_attempts_with_their_message,
    the_rescuer_takes_back_the_events_of_a_worker_that_died,
    events_of_one_conversation_are_handed_over_one_at_a_time_in_order,
    without_ordering_events_of_one_conversation_run_in_parallel,
    a_dead_letter_releases_the_events_it_held_back,
    comments_on_one_media_share_an_ordering_key,
);
