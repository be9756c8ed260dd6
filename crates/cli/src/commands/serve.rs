//! `serve` (receiver, inbox, workers, operations surface) and `work`
//! (workers only).

use std::process::ExitCode;
use std::time::Duration;

use instagram_webhook_axum::router;
use instagram_webhook_inbox::{Inbox, InboxBuilder, RetryPolicy, Worker};
use instagram_webhook_ops::{Metrics, Ops, Token};
use tokio::sync::watch;

use crate::cli::{ServeArgs, WorkArgs, WorkerArgs};
use crate::error::{Error, Result};
use crate::handlers::forward::ForwardSecret;
use crate::handlers::{Exec, Forward, Handler, Print};
use crate::inbox_source::open_inbox_with;
use crate::secrets;

pub(crate) async fn serve(args: ServeArgs) -> Result<ExitCode> {
    init_logs();
    let verifier = secrets::verifier(args.secret.secret.as_deref())?;
    let verify_token = secrets::verify_token(args.verify_token.as_deref())?;
    let ops_token = match &args.ops_token {
        Some(token) if !token.is_empty() => Token::new(token.clone()).map_err(|error| {
            Error::new(format!(
                "bad --ops-token (INSTAGRAM_WEBHOOK_OPS_TOKEN): {error}"
            ))
        })?,
        _ => {
            let token = Token::generate();
            eprintln!(
                "operations token (generated; set INSTAGRAM_WEBHOOK_OPS_TOKEN to choose one): {}",
                token.as_str()
            );
            token
        }
    };
    let handler = handler(&args.worker)?;
    let metrics = Metrics::new();
    let builder = inbox_settings(&args.worker).observe(metrics.clone());
    let inbox = open_inbox_with(&args.database.database, builder).await?;
    let listener = bind(&args.listen, "--listen").await?;
    let ops_listener = bind(&args.ops_listen, "--ops-listen").await?;
    let (stop, stopped) = stop_signal();

    let worker = start_worker(&inbox, handler, &args.worker);
    let receiver = inbox
        .receiver(verifier, verify_token)
        .observe(metrics.clone())
        .replay_window(args.replay_window)
        .build();
    let app = router(&args.path, receiver);
    eprintln!(
        "receiving on http://{}{} (inbox on {}); dashboard on http://{}/#token=<token>",
        listener.local_addr().map_err(io)?,
        args.path,
        inbox.engine(),
        ops_listener.local_addr().map_err(io)?,
    );
    let ops = Ops::new(inbox.clone(), ops_token).metrics(metrics);
    let ops = tokio::spawn(ops.serve(ops_listener, until(stopped.clone())));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(until(stopped.clone()))
        .await;
    drop(stop);
    finish(worker, args.worker.shutdown_timeout).await;
    let _ = ops.await;
    inbox.close().await;
    served.map_err(io)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn work(args: WorkArgs) -> Result<ExitCode> {
    if args.worker.workers == 0 {
        return Err(Error::new(
            "work with --workers 0 would process nothing: give 1 or more",
        ));
    }
    init_logs();
    let handler = handler(&args.worker)?;
    let inbox = open_inbox_with(&args.database.database, inbox_settings(&args.worker)).await?;
    let (_stop, stopped) = stop_signal();
    let worker = start_worker(&inbox, handler, &args.worker);
    eprintln!("working on the inbox ({})", inbox.engine());
    until(stopped).await;
    finish(worker, args.worker.shutdown_timeout).await;
    inbox.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The inbox's settings the flags choose: the retry delays.
fn inbox_settings(args: &WorkerArgs) -> InboxBuilder {
    Inbox::builder().retry(RetryPolicy::new(args.retry.iter().copied()))
}

/// The handler the flags choose.
fn handler(args: &WorkerArgs) -> Result<Handler> {
    if let Some(url) = &args.handler.forward_to {
        let secret = match &args.forward_secret {
            Some(secret) => ForwardSecret::parse(secret)?,
            None => {
                let secret = ForwardSecret::generate()?;
                eprintln!(
                    "!!! forwarding secret (generated; set INSTAGRAM_WEBHOOK_FORWARD_SECRET to keep one): {}",
                    secret.to_text()
                );
                secret
            }
        };
        return Ok(Handler::Forward(Forward::new(
            url,
            secret,
            args.attempt_timeout,
        )?));
    }
    if let Some(command) = &args.handler.exec {
        return Ok(Handler::Exec(Exec::new(command.clone())));
    }
    Ok(Handler::Print(Print))
}

/// The worker, unless `--workers 0` (a receiver only).
fn start_worker(inbox: &Inbox, handler: Handler, args: &WorkerArgs) -> Option<Worker> {
    (args.workers > 0).then(|| {
        inbox
            .worker(handler)
            .concurrency(args.workers)
            .timeout(args.attempt_timeout)
            .start()
    })
}

/// Stops the worker: attempts under way may end within `timeout`; past it
/// they are abandoned and their events handed back, ready for another
/// worker at once.
async fn finish(worker: Option<Worker>, timeout: Duration) {
    let Some(worker) = worker else { return };
    let name = worker.name().to_owned();
    match worker.shutdown_within(timeout).await {
        Ok(0) => {}
        Ok(released) => eprintln!(
            "worker {name}: {released} attempts still running after {timeout:?} were stopped; their events are ready again"
        ),
        Err(error) => eprintln!(
            "worker {name}: cannot hand back the events of the attempts still running ({error}); they will be taken back when their lease runs out"
        ),
    }
}

async fn bind(address: &str, flag: &str) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| Error::new(format!("cannot listen on {address} ({flag}): {error}")))
}

fn io(error: std::io::Error) -> Error {
    Error::new(error.to_string())
}

/// SIGINT or SIGTERM sets the flag; the sender keeps it alive.
fn stop_signal() -> (watch::Sender<bool>, watch::Receiver<bool>) {
    let (stop, stopped) = watch::channel(false);
    let signal = stop.clone();
    tokio::spawn(async move {
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
        eprintln!("stopping: finishing the deliveries and attempts under way");
        let _ = signal.send(true);
    });
    (stop, stopped)
}

async fn until(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal, and never with NO_COLOR.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init();
}
