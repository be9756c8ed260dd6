//! What a person does with the inbox: replay (one and in bulk), delete,
//! list, stats, and retention.

mod support;

use std::time::{Duration, SystemTime};

use instagram_webhook_inbox::{
    Error, EventId, Failure, Filter, Job, Observation, RetryPolicy, State,
};
use support::*;
use tokio::sync::{mpsc, oneshot};

const POLL: Duration = Duration::from_millis(10);

async fn process_all(inbox: &instagram_webhook_inbox::Inbox, fail: bool) {
    let worker = inbox
        .worker(move |_job: Job| async move {
            if fail {
                Err(Failure::give_up("bad"))
            } else {
                Ok(())
            }
        })
        .poll_interval(POLL)
        .start();
    let waiting = Filter::new().state(State::Pending);
    eventually("the queue drains", || async {
        inbox.count(&waiting).await.unwrap() == 0
            && inbox
                .count(&Filter::new().state(State::Processing))
                .await
                .unwrap()
                == 0
    })
    .await;
    worker.shutdown().await;
}

async fn replay_follows_rivers_rules(db: Db) {
    let inbox = db.open(quiet().retry(RetryPolicy::new([]))).await;
    let stored = inbox
        .store(&delivery(messaging(vec![
            message("1", "a", "x"),
            message("2", "b", "y"),
        ])))
        .await
        .unwrap();
    let (a, b) = (stored.events[0].unwrap(), stored.events[1].unwrap());
    // Pending: nothing to do.
    assert_eq!(inbox.replay(a).await.unwrap(), State::Pending);

    // Held by a worker: refused, with the reason.
    let (tx, mut rx) = mpsc::unbounded_channel::<(EventId, oneshot::Sender<bool>)>();
    let worker = inbox
        .worker(move |job: Job| {
            let tx = tx.clone();
            async move {
                let (answer, ok) = oneshot::channel();
                tx.send((job.id, answer)).unwrap();
                if ok.await.unwrap() {
                    Ok(())
                } else {
                    Err(Failure::retry("no"))
                }
            }
        })
        .concurrency(2)
        .poll_interval(POLL)
        .start();
    let mut held = vec![rx.recv().await.unwrap(), rx.recv().await.unwrap()];
    held.sort_by_key(|(id, _)| *id);
    let error = inbox.replay(a).await.unwrap_err();
    assert!(
        matches!(error, Error::Conflict { id, state: State::Processing } if id == a),
        "{error}"
    );
    assert!(error.to_string().contains("processing"), "{error}");
    let error = inbox.delete(a).await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error}");
    let (_, answer_b) = held.pop().unwrap();
    let (_, answer_a) = held.pop().unwrap();
    answer_a.send(true).unwrap();
    answer_b.send(false).unwrap();
    until_count(&inbox, State::DeadLetter, 1).await;
    until_count(&inbox, State::Processed, 1).await;

    // A dead letter out of attempts gets exactly one more.
    let dead = inbox.event(b).await.unwrap().event;
    assert_eq!((dead.attempt, dead.max_attempts), (1, 1));
    assert_eq!(inbox.replay(b).await.unwrap(), State::Pending);
    let replayed = inbox.event(b).await.unwrap().event;
    // The replay wakes the running worker, which may hold it already.
    assert!(
        matches!(replayed.state, State::Pending | State::Processing),
        "{:?}",
        replayed.state
    );
    assert_eq!(replayed.max_attempts, 2);
    assert_eq!(replayed.finalized_at, None);
    let (id, answer) = rx.recv().await.unwrap();
    assert_eq!(id, b);
    answer.send(false).unwrap();
    until_count(&inbox, State::DeadLetter, 1).await;
    assert_eq!(inbox.event(b).await.unwrap().event.attempt, 2);

    // A processed event runs again.
    assert_eq!(inbox.replay(a).await.unwrap(), State::Pending);
    let (id, answer) = rx.recv().await.unwrap();
    assert_eq!(id, a);
    answer.send(true).unwrap();
    until_count(&inbox, State::Processed, 1).await;
    worker.shutdown().await;
    assert_eq!(inbox.event(a).await.unwrap().event.attempt, 2);

    let error = inbox.replay(EventId(999_999)).await.unwrap_err();
    assert!(
        matches!(error, Error::NotFound(EventId(999_999))),
        "{error}"
    );
}

async fn bulk_replay_counts_first_and_queues_what_it_may(db: Db) {
    let inbox = db.open(quiet()).await;
    for i in 0..6 {
        inbox
            .store(&delivery(comment("m", &format!("c{i}"), "x")))
            .await
            .unwrap();
    }
    inbox
        .store(&delivery(messaging(vec![message("1", "dm", "x")])))
        .await
        .unwrap();
    process_all(&inbox, true).await;
    assert_eq!(inbox.stats().await.unwrap().count(State::DeadLetter), 7);

    let comments = Filter::new().state(State::DeadLetter).kind("comment");
    let dry = inbox
        .replay_matching_dry_run(&comments, None)
        .await
        .unwrap();
    assert_eq!((dry.matched, dry.queued, dry.skipped), (6, 0, 0));
    assert_eq!(
        inbox.stats().await.unwrap().count(State::DeadLetter),
        7,
        "a dry run changes nothing"
    );

    let capped = inbox.replay_matching(&comments, Some(4)).await.unwrap();
    assert_eq!((capped.matched, capped.queued), (6, 4));
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        (stats.count(State::Pending), stats.count(State::DeadLetter)),
        (4, 3)
    );

    // Pending events match a filter on kind alone but are skipped.
    let all_comments = Filter::new().kind("comment");
    let report = inbox.replay_matching(&all_comments, None).await.unwrap();
    assert_eq!((report.matched, report.queued, report.skipped), (6, 2, 4));
    assert_eq!(
        inbox
            .count(&Filter::new().state(State::Pending))
            .await
            .unwrap(),
        6
    );
}

async fn a_deleted_event_stays_a_duplicate(db: Db) {
    let inbox = db.open(quiet()).await;
    let body = comment("m", "c1", "x");
    let id = inbox.store(&delivery(body.clone())).await.unwrap().events[0].unwrap();
    inbox.delete(id).await.unwrap();
    assert!(matches!(
        inbox.event(id).await.unwrap_err(),
        Error::NotFound(_)
    ));
    assert!(matches!(
        inbox.delete(id).await.unwrap_err(),
        Error::NotFound(_)
    ));
    let late = inbox.store(&delivery(body)).await.unwrap();
    assert_eq!(
        late.events,
        vec![None],
        "Meta's late retry is still a duplicate"
    );
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), 0);
}

async fn listing_filters_and_pages_without_gaps_or_repeats(db: Db) {
    let inbox = db.open(quiet()).await;
    for i in 0..25 {
        inbox
            .store(&delivery(comment("m", &format!("c{i:02}"), "x")))
            .await
            .unwrap();
    }
    let middle = SystemTime::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    for i in 0..5 {
        inbox
            .store(&delivery(messaging(vec![message(
                "9",
                &format!("dm{i}"),
                "x",
            )])))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = inbox
            .events(&Filter::new().kind("comment"), before, 10)
            .await
            .unwrap();
        assert!(page.events.len() <= 10);
        seen.extend(page.events.iter().map(|e| e.id));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let comments = Filter::new().kind("comment");
    let skipped = inbox
        .events_skipping(&comments, None, 20, 10)
        .await
        .unwrap();
    assert_eq!(
        skipped.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        seen[20..]
    );
    assert_eq!(skipped.next, None);
    let skipped = inbox
        .events_skipping(&comments, None, 10, 10)
        .await
        .unwrap();
    assert_eq!(skipped.events.len(), 10);
    assert_eq!(skipped.next, Some(seen[19]));
    let skipped = inbox
        .events_skipping(&comments, Some(seen[4]), 5, 3)
        .await
        .unwrap();
    assert_eq!(
        skipped.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        seen[10..13]
    );
    let nul = Filter::new().account("17841400000000001\0");
    assert_eq!(inbox.count(&nul).await.unwrap(), 0);
    assert!(inbox.events(&nul, None, 5).await.unwrap().events.is_empty());
    assert_eq!(inbox.replay_matching(&nul, None).await.unwrap().matched, 0);

    let later = Filter::new().stored_between(Some(middle), None);
    assert_eq!(inbox.count(&later).await.unwrap(), 5);
    let earlier = Filter::new().stored_between(None, Some(middle));
    assert_eq!(inbox.count(&earlier).await.unwrap(), 25);
    assert_eq!(
        inbox.count(&Filter::new().account(ACCOUNT)).await.unwrap(),
        30
    );
    assert_eq!(
        inbox
            .count(&Filter::new().account("someone else"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        inbox
            .count(&Filter::new().state(State::Processed))
            .await
            .unwrap(),
        0
    );
}

async fn stats_count_states_kinds_duplicates_and_dead_letter_causes(db: Db) {
    let inbox = db.open(quiet()).await;
    inbox
        .store(&delivery(comment("m", "c1", "x")))
        .await
        .unwrap();
    inbox
        .store(&delivery(comment("m", "c1", "x")))
        .await
        .unwrap();
    inbox
        .store(&delivery(messaging(vec![
            message("1", "a", "x"),
            message("2", "b", "x"),
        ])))
        .await
        .unwrap();
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.count(State::Pending), 3);
    assert_eq!(stats.duplicates, 1);
    assert!(stats.oldest_pending_age.is_some());
    assert_eq!(
        stats.by_state_and_kind,
        vec![
            (State::Pending, "comment".into(), 1),
            (State::Pending, "message".into(), 2)
        ]
    );
    assert_eq!(stats.last_hour.received, 3);
    assert_eq!(stats.last_day.received, 3);
    assert_eq!((stats.last_hour.processed, stats.last_hour.failed), (0, 0));
    process_all(&inbox, true).await;
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.last_hour.failed, 3);
    assert_eq!(stats.last_day.failed, 3);
    assert_eq!(stats.last_day.processed, 0);
    assert_eq!(stats.oldest_pending_age, None);
    assert_eq!(
        stats.dead_letters,
        vec![
            ("message".into(), "gave_up".into(), 2),
            ("comment".into(), "gave_up".into(), 1)
        ]
    );
}

async fn pruning_keeps_each_kind_of_row_for_its_age(db: Db) {
    let inbox = db
        .open(
            quiet()
                .keep_processed(Duration::ZERO)
                .keep_dead_letters(Duration::from_secs(3600)),
        )
        .await;
    let kept = inbox
        .store(&delivery(comment("m", "c1", "x")))
        .await
        .unwrap();
    process_all(&inbox, true).await;
    let gone = inbox
        .store(&delivery(comment("m", "c2", "y")))
        .await
        .unwrap();
    process_all(&inbox, false).await;
    let waiting = inbox
        .store(&delivery(comment("m", "c3", "z")))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;

    let pruned = inbox.prune().await.unwrap();
    assert_eq!(
        (pruned.processed, pruned.dead_letters, pruned.dedup_keys),
        (1, 0, 0)
    );
    assert_eq!(
        pruned.deliveries, 1,
        "only the processed event's delivery is unreferenced"
    );
    assert!(inbox.delivery(gone.delivery).await.unwrap().is_none());
    assert!(inbox.delivery(kept.delivery).await.unwrap().is_some());
    assert!(inbox.delivery(waiting.delivery).await.unwrap().is_some());
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), 2);
    // The pruned event's key is still remembered.
    assert_eq!(
        inbox
            .store(&delivery(comment("m", "c2", "y")))
            .await
            .unwrap()
            .duplicates(),
        1
    );

    // Past the dedup window (aged here as eight days would), keys go too,
    // and the dead letter past its own age.
    let eight_days_ms = 8 * 24 * 3600 * 1000;
    db.execute(&format!(
        "UPDATE inbox_dedup SET first_seen = first_seen - {eight_days_ms}"
    ))
    .await;
    db.execute(&format!(
        "UPDATE inbox_event SET finalized_at = finalized_at - {eight_days_ms} WHERE state = 'dead_letter'"
    ))
    .await;
    let pruned = inbox.prune().await.unwrap();
    assert_eq!((pruned.dead_letters, pruned.dedup_keys), (1, 3));
    assert!(inbox.delivery(kept.delivery).await.unwrap().is_none());
    assert_eq!(
        inbox.count(&Filter::new()).await.unwrap(),
        1,
        "the pending event stays"
    );
}

async fn pruning_works_in_bounded_batches(db: Db) {
    let inbox = db.open(quiet().keep_processed(Duration::ZERO)).await;
    let items = (0..2500)
        .map(|i| message(&format!("u{}", i % 40), &format!("m{i}"), "x"))
        .collect();
    inbox.store(&delivery(messaging(items))).await.unwrap();
    process_all(&inbox, false).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let pruned = inbox.prune().await.unwrap();
    assert_eq!((pruned.processed, pruned.deliveries), (2500, 1));
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), 0);
}

async fn the_background_task_prunes_on_its_interval(db: Db) {
    let every = Some((Duration::from_secs(3600), Duration::from_millis(50)));
    let builder = instagram_webhook_inbox::Inbox::builder()
        .maintenance(every)
        .keep_processed(Duration::ZERO);
    let inbox = db.open(builder).await;
    let stored = inbox
        .store(&delivery(comment("m", "c1", "x")))
        .await
        .unwrap();
    process_all(&inbox, false).await;
    eventually("the background prune", || async {
        inbox.delivery(stored.delivery).await.unwrap().is_none()
    })
    .await;
    assert_eq!(inbox.count(&Filter::new()).await.unwrap(), 0);
}

async fn a_dead_worker_is_not_needed_to_read_the_inbox(db: Db) {
    // Reading never takes the write lock: stats and lists answer while a
    // worker holds events.
    let inbox = db.open(quiet()).await;
    inbox
        .store(&delivery(comment("m", "c1", "x")))
        .await
        .unwrap();
    let worker = inbox
        .worker(|_job: Job| std::future::pending::<Result<(), Failure>>())
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processing, 1).await;
    let page = inbox
        .events(&Filter::new().state(State::Processing), None, 5)
        .await
        .unwrap();
    assert!(page.events[0].locked_by.is_some() && page.events[0].locked_until.is_some());
    worker.abort();
}

async fn observers_hear_each_item_and_each_attempt(db: Db) {
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let into = std::sync::Arc::clone(&heard);
    let inbox = db
        .open(quiet().retry(RetryPolicy::new([Duration::ZERO])).observe(
            move |seen: &Observation<'_>| {
                let line = match seen {
                    Observation::Stored {
                        kind,
                        duplicate,
                        dead_letter,
                    } => format!("stored {kind} duplicate={duplicate} dead_letter={dead_letter}"),
                    Observation::AttemptEnded {
                        kind,
                        outcome,
                        error_class,
                        rescued,
                        ..
                    } => format!(
                        "ended {kind} {} {error_class:?} rescued={rescued}",
                        outcome.as_str()
                    ),
                    _ => String::from("other"),
                };
                into.lock().unwrap().push(line);
            },
        ))
        .await;
    let heard = move || {
        let mut lines = heard.lock().unwrap().clone();
        lines.sort();
        lines
    };
    store_one(&inbox, comment("m", "c1", "x")).await;
    inbox
        .store(&delivery(comment("m", "c1", "x")))
        .await
        .unwrap();
    store_one(&inbox, messaging(vec![message("1", "a", "x")])).await;
    assert_eq!(
        heard(),
        [
            "stored comment duplicate=false dead_letter=false",
            "stored comment duplicate=true dead_letter=false",
            "stored message duplicate=false dead_letter=false"
        ]
    );
    let worker = inbox
        .worker(|job: Job| async move {
            match (job.event.kind().as_str(), job.attempt) {
                ("comment", _) => Ok(()),
                (_, 1) => Err(Failure::retry("not yet")),
                _ => Err(Failure::give_up("never")),
            }
        })
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processed, 1).await;
    until_count(&inbox, State::DeadLetter, 1).await;
    worker.shutdown().await;
    let lines = heard();
    assert_eq!(
        lines[..3],
        [
            "ended comment processed None rescued=false",
            "ended message dead_letter Some(\"gave_up\") rescued=false",
            "ended message retrying Some(\"error\") rescued=false",
        ]
    );
    assert_eq!(inbox.stats().await.unwrap().last_hour.processed, 1);

    // A lease that runs out (the worker stopped, as a crash would, long
    // before its attempt's timeout): the rescuer ends the attempt.
    store_one(&inbox, comment("m", "c2", "x")).await;
    let stuck = inbox
        .worker(|_job: Job| std::future::pending::<Result<(), Failure>>())
        .timeout(Duration::from_secs(2))
        .lease_margin(Duration::ZERO)
        .poll_interval(POLL)
        .start();
    until_count(&inbox, State::Processing, 1).await;
    stuck.abort();
    eventually("the lease runs out and is rescued", || async {
        inbox.rescue().await.unwrap() == 1
    })
    .await;
    assert!(
        heard().contains(&String::from(
            "ended comment retrying Some(\"lease_expired\") rescued=true"
        )),
        "{:?}",
        heard()
    );
    inbox.close().await;
}

on_both_engines!(
    observers_hear_each_item_and_each_attempt,
    replay_follows_rivers_rules,
    bulk_replay_counts_first_and_queues_what_it_may,
    a_deleted_event_stays_a_duplicate,
    listing_filters_and_pages_without_gaps_or_repeats,
    stats_count_states_kinds_duplicates_and_dead_letter_causes,
    pruning_keeps_each_kind_of_row_for_its_age,
    pruning_works_in_bounded_batches,
    the_background_task_prunes_on_its_interval,
    a_dead_worker_is_not_needed_to_read_the_inbox,
);
