//! The axum receiver storing every delivery in a durable inbox, and a worker
//! printing one JSON line per processed event.
//!
//! `cargo run --example inbox_receiver`. Configuration:
//!
//! - `INSTAGRAM_APP_SECRET`, `INSTAGRAM_VERIFY_TOKEN`, `PORT` (default 3000),
//!   as for the other receivers;
//! - `INSTAGRAM_WEBHOOK_DATABASE`: `sqlite://PATH` or `postgres://...`
//!   (default `sqlite://instagram-webhook-inbox.db` in the working
//!   directory). Restarting on the same database resumes the queue.
//! - `INSTAGRAM_WEBHOOK_ROLE`: `both` (default), `receiver` (no worker) or
//!   `worker` (no HTTP server), to run several processes on one PostgreSQL
//!   database.
//! - `INSTAGRAM_WEBHOOK_ATTEMPT_TIMEOUT`: seconds one attempt may run
//!   (default 30); a killed worker's events are taken back by the rescuer
//!   twice that long after it claimed them.
//! - `OPS_PORT` (default 3001; 0 picks a free port): the operations surface
//!   (dashboard at `/`, JSON API under `/api`, `/metrics`, `/healthz`,
//!   `/readyz`) on `127.0.0.1`, in every role;
//!   `INSTAGRAM_WEBHOOK_OPS_TOKEN` is its token (without it, one is
//!   generated and printed once on stderr), and
//!   `INSTAGRAM_WEBHOOK_OPS_READ_TOKEN` an optional read-only one.
//!
//! Each processed event prints
//! `{"kind", "account_id", "dedup_key", "container", "event_id", "attempt", "delivery_id"}`.

use std::io::Write;
use std::time::Duration;

use instagram_webhook_axum::{Verifier, VerifyToken, router};
use instagram_webhook_examples::{app_secrets, init_logs, port, verify_token};
use instagram_webhook_inbox::{Failure, Inbox, Job};
use instagram_webhook_ops::{Metrics, Ops, Token};
use tokio::sync::watch;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logs();
    let database = std::env::var("INSTAGRAM_WEBHOOK_DATABASE")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| String::from("sqlite://instagram-webhook-inbox.db"));
    let role = std::env::var("INSTAGRAM_WEBHOOK_ROLE").unwrap_or_else(|_| "both".into());
    let (serve, work) = match role.as_str() {
        "both" => (true, true),
        "receiver" => (true, false),
        "worker" => (false, true),
        other => {
            return Err(format!(
                "INSTAGRAM_WEBHOOK_ROLE={other}: expected both, receiver or worker"
            )
            .into());
        }
    };
    let metrics = Metrics::new();
    let inbox = Inbox::builder()
        .observe(metrics.clone())
        .open(&database)
        .await?;
    eprintln!("inbox on {} ({role})", inbox.engine());

    // One signal stops every server.
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };

    let ops = ops_surface(&inbox, &metrics).await?;
    let ops = tokio::spawn(ops.1.serve(ops.0, until_stopped()));

    let timeout = Duration::from_secs(
        std::env::var("INSTAGRAM_WEBHOOK_ATTEMPT_TIMEOUT")
            .ok()
            .and_then(|secs| secs.parse().ok())
            .unwrap_or(30),
    );
    let worker = work.then(|| {
        inbox
            .worker(print_processed)
            .concurrency(8)
            .timeout(timeout)
            .lease_margin(timeout)
            .start()
    });

    if serve {
        // The inbox is the handler: a delivery is answered 200 once stored.
        let receiver = inbox
            .receiver(
                Verifier::from_comma_separated(&app_secrets())?,
                VerifyToken::new(verify_token())?,
            )
            .observe(metrics.clone())
            .build();
        let app = axum::Router::new().merge(router("/webhook", receiver));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port())).await?;
        eprintln!(
            "inbox receiver listening on http://{}/webhook",
            listener.local_addr()?
        );
        axum::serve(listener, app)
            .with_graceful_shutdown(until_stopped())
            .await?;
    } else {
        until_stopped().await;
    }
    if let Some(worker) = worker {
        worker.shutdown().await;
    }
    ops.await??;
    inbox.close().await;
    Ok(())
}

/// The operations surface on `127.0.0.1:$OPS_PORT`, bound, with its token.
async fn ops_surface(
    inbox: &Inbox,
    metrics: &Metrics,
) -> Result<(tokio::net::TcpListener, Ops), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("OPS_PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("OPS_PORT={port}: expected a port number"))?,
        Err(_) => 3001,
    };
    let token = match std::env::var("INSTAGRAM_WEBHOOK_OPS_TOKEN") {
        Ok(token) if !token.is_empty() => Token::new(token)?,
        _ => {
            let token = Token::generate();
            eprintln!(
                "operations token (generated; set INSTAGRAM_WEBHOOK_OPS_TOKEN to choose one): {}",
                token.as_str()
            );
            token
        }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!(
        "operations surface on http://{}/ (dashboard: open it with #token=<token>)",
        listener.local_addr()?
    );
    let mut ops = Ops::new(inbox.clone(), token).metrics(metrics.clone());
    if let Ok(read) = std::env::var("INSTAGRAM_WEBHOOK_OPS_READ_TOKEN")
        && !read.is_empty()
    {
        ops = ops.read_only_token(Token::new(read)?);
    }
    Ok((listener, ops))
}

/// The worker's handler: one JSON line per event on stdout.
async fn print_processed(job: Job) -> Result<(), Failure> {
    let line = job.summary();
    let mut out = std::io::stdout().lock();
    // A closed stdout is a failed attempt: the event is retried, not lost.
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Ctrl-C or SIGTERM; never, when neither can be listened for.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut terminate) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            terminate.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
