//! 10,000 deliveries (mixed kinds, some batched, some unparseable, some
//! forged, some the handler fails) as Lambda events of every trigger type, 48
//! handled at once on a multi-threaded runtime: each answered as it must be
//! (200, 401, 500), every event of a genuine delivery reaches the handler
//! exactly once with the kind it was sent as, nothing forged reaches the
//! application, every unparseable body reaches the rejected-payload hook byte
//! for byte.

mod events;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use events::{Trigger, event};
use instagram_webhook_conformance::{ACCOUNTING_DELIVERIES, IN_FLIGHT, accounting_plan, harness};

#[test]
fn every_delivery_is_accounted_for() {
    let plan = accounting_plan(ACCOUNTING_DELIVERIES);
    let events: Arc<Vec<String>> = Arc::new(
        plan.requests
            .iter()
            .enumerate()
            .map(|(index, request)| event(Trigger::ALL[index % Trigger::ALL.len()], request))
            .collect(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (receiver, recorder) = harness();
    let statuses = Arc::new(Mutex::new(vec![None; events.len()]));
    let next = Arc::new(AtomicUsize::new(0));
    runtime.block_on(async {
        let workers: Vec<_> = (0..IN_FLIGHT)
            .map(|_| {
                let (receiver, events, next, statuses) = (
                    receiver.clone(),
                    events.clone(),
                    next.clone(),
                    statuses.clone(),
                );
                tokio::spawn(async move {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(json) = events.get(index) else {
                            return;
                        };
                        let request = lambda_http::request::from_str(json).expect("event decodes");
                        let response = events::answer(&receiver, request).await;
                        statuses.lock().unwrap_or_else(PoisonError::into_inner)[index] =
                            Some(response.status);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.await.expect("a worker does not panic");
        }
    });
    let statuses = statuses.lock().unwrap_or_else(PoisonError::into_inner);
    plan.account(&statuses, &recorder.take());
    eprintln!(
        "{} deliveries, {} events accounted for",
        statuses.len(),
        plan.event_count()
    );
}
