//! `work` beside `serve --workers 0` on one PostgreSQL inbox: the receiver
//! only stores, the worker process prints every event once, and stops on
//! SIGTERM.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_processes_what_a_receiver_only_serve_stored() {
    let database = postgres_url().await;
    let mut receiver = Serve::start(&database, &["--workers", "0"]).await;
    for _ in 0..5 {
        let out = cli([
            "send",
            "--url",
            &receiver.url(),
            "--kind",
            "comment",
            "--secret",
            SECRET,
        ])
        .run()
        .await;
        out.success();
    }
    let worker = tokio::process::Command::new(bin())
        .args(["work", "--database", &database, "--print"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("work starts");

    let deadline = Instant::now() + PATIENCE;
    loop {
        let stats = cli(["stats", "--json", "--database", &database])
            .run()
            .await;
        let stats = stats.success().json();
        if stats["processed"] == 5 {
            assert_eq!(stats["total"], 5, "{stats}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the worker processes the events: {stats}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let pid = worker.id().expect("the worker's pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = tokio::time::timeout(PATIENCE, worker.wait_with_output())
        .await
        .expect("work exits on SIGTERM")
        .expect("work's output");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line per event"))
        .collect();
    let mut ids: Vec<i64> = printed
        .iter()
        .map(|line| line["event_id"].as_i64().expect("an event id"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each event printed once: {printed:?}");
    assert!(printed.iter().all(|line| line["kind"] == "comment"));
    assert!(
        receiver.stdout().is_empty(),
        "serve --workers 0 processes nothing: {:?}",
        receiver.stdout()
    );
    receiver.stop().await;
}
