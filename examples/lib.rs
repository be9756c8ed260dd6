//! Runnable examples of the instagram-webhook workspace, and what they share.
//!
//! Run one from the workspace root with `cargo run --example <name>`:
//!
//! - `axum_receiver`, `actix_receiver`: serve `GET`/`POST /webhook` on
//!   `127.0.0.1:$PORT` (default 3000).
//! - `lambda_receiver`: the same receiver as an AWS Lambda function.
//! - `mtls_receiver`: the axum receiver on its own TLS listener, requiring
//!   Meta's client certificate.
//! - `inbox_receiver`: the axum receiver storing into a durable inbox
//!   (`INSTAGRAM_WEBHOOK_DATABASE`, SQLite by default) and a worker printing
//!   each processed event, with its `event_id` and `attempt`.
//! - `send_test_event -- --url http://127.0.0.1:3000/webhook --kind comment`:
//!   sends a signed, Meta-faithful delivery of any kind, like the App
//!   Dashboard's Test button, and prints the answer.
//! - `sign_and_verify`: signs a delivery like Meta and verifies it.
//!
//! Configuration comes from `INSTAGRAM_APP_SECRET` (comma-separated for
//! several secrets during a rotation) and `INSTAGRAM_VERIFY_TOKEN`. Without
//! them the examples use development values and say so loudly on stderr.
//!
//! Each receiver builds its `Receiver` in its own file; this library holds
//! what they share: configuration and the lines they print. Receivers print
//! one JSON line per event on stdout:
//! `{"kind": "comment", "account_id": "...", "dedup_key": "...", "container": "changes"}`,
//! and `{"rejected": "<reason>", "bytes": <n>}` per verified body they could
//! not parse. Logs go to stderr.

use std::io::Write;

use instagram_webhook_core::receive::{Delivery, RejectedPayload};

use serde::Serialize;
use serde_json::json;

/// The development App Secret used when `INSTAGRAM_APP_SECRET` is not set.
pub const DEV_APP_SECRET: &str = "dev-app-secret";
/// The development verify token used when `INSTAGRAM_VERIFY_TOKEN` is not set.
pub const DEV_VERIFY_TOKEN: &str = "dev-verify-token";

/// The value of `name`, or `default` with a loud warning on stderr.
pub fn env_or_dev(name: &str, default: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value,
        _ => {
            eprintln!(
                "!!! {name} is not set: using the development value {default:?}. Never use it in production."
            );
            default.to_owned()
        }
    }
}

/// The App Secrets (comma-separated for rotation): `INSTAGRAM_APP_SECRET`.
pub fn app_secrets() -> String {
    env_or_dev("INSTAGRAM_APP_SECRET", DEV_APP_SECRET)
}

/// The port from `PORT`, default 3000.
pub fn port() -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3000)
}

/// Sends `tracing` output (the pipeline's logs) to stderr; `RUST_LOG` filters it.
pub fn init_logs() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
}

/// The verify token: `INSTAGRAM_VERIFY_TOKEN`.
pub fn verify_token() -> String {
    env_or_dev("INSTAGRAM_VERIFY_TOKEN", DEV_VERIFY_TOKEN)
}

/// Prints the line of a verified body that is not an envelope:
/// `{"rejected": "<reason>", "bytes": <n>}`.
pub fn print_rejected(payload: &RejectedPayload) {
    println!(
        "{}",
        json!({"rejected": payload.reason(), "bytes": payload.body().len()})
    );
}

/// One line of a receiver's output.
#[derive(Serialize)]
#[serde(untagged)]
enum Line<'a> {
    Event {
        kind: &'a str,
        account_id: &'a str,
        dedup_key: &'a str,
        container: &'a str,
    },
    ItemError {
        item_error: String,
    },
}

/// Prints one JSON line per event of `delivery` (and per item error), with
/// one write for the whole delivery.
pub fn print_events(delivery: &Delivery) {
    let mut out = Vec::with_capacity(256);
    for item in delivery.notification().events() {
        let written = match &item {
            Ok(event) => {
                let dedup_key = event.dedup_key();
                serde_json::to_writer(
                    &mut out,
                    &Line::Event {
                        kind: event.kind().as_str(),
                        account_id: event.account_id().as_str(),
                        dedup_key: dedup_key.as_str(),
                        container: event.container().as_str(),
                    },
                )
            }
            Err(error) => serde_json::to_writer(
                &mut out,
                &Line::ItemError {
                    item_error: error.to_string(),
                },
            ),
        };
        if written.is_ok() {
            out.push(b'\n');
        }
    }
    // A closed stdout (the reader went away) is not the delivery's problem.
    let _ = std::io::stdout().lock().write_all(&out);
}

/// The workspace README, whose Rust code blocks run as doctests of this
/// package (it depends on every crate the README uses).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
