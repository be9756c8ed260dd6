//! What the process tests share: the example binary, free ports, and the
//! output of child processes read line by line.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

/// The `inbox_receiver` example binary, built by Cargo before the tests.
pub(crate) fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("the deps directory");
    let path = deps
        .parent()
        .expect("the profile directory")
        .join("examples")
        .join("inbox_receiver");
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `cargo test -p instagram-webhook-examples`, which builds the examples",
        path.display()
    );
    path
}

/// A loopback port free a moment ago.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// A child process's output, line by line.
pub(crate) type Lines = Arc<Mutex<Vec<String>>>;

/// The lines so far (a reader that panicked does not hide them).
pub(crate) fn locked(lines: &Lines) -> MutexGuard<'_, Vec<String>> {
    lines.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads `pipe` line by line into `into`, on a thread of its own.
pub(crate) fn collect(pipe: impl Read + Send + 'static, into: Lines) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            locked(&into).push(line);
        }
    })
}
