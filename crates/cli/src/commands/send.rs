//! `send`: signed, Meta-faithful deliveries, like the App Dashboard's Test
//! button.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use instagram_webhook_core::test_kit::{SAMPLE_KINDS, SignedDelivery, sample_at};
use instagram_webhook_core::types::EventKind;
use serde_json::json;

use crate::cli::SendArgs;
use crate::commands::sign::read_input;
use crate::error::{Error, Result};
use crate::secrets;

/// What is sent: a file's bytes, or samples of a kind.
enum Payload {
    File(Vec<u8>),
    Sample(EventKind),
}

pub(crate) async fn send(args: SendArgs) -> Result<ExitCode> {
    let names: Vec<&str> = SAMPLE_KINDS.iter().map(|kind| kind.as_str()).collect();
    if args.file.is_none() && args.kind == "list" {
        println!("{}", names.join("\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let url = crate::http::url(&args.url, "--url")?;
    let payload = match &args.file {
        Some(path) => Payload::File(read_input(&path.to_string_lossy())?),
        None => Payload::Sample(
            SAMPLE_KINDS
                .into_iter()
                .find(|known| known.as_str() == args.kind)
                .ok_or_else(|| {
                    Error::new(format!(
                        "unknown kind `{}`: one of {} (`--kind list` prints them)",
                        args.kind,
                        names.join(", ")
                    ))
                })?,
        ),
    };
    // After the arguments are checked: a bad one is then the only line.
    let secret = secrets::signing_secret(args.secret.secret.as_deref())?;
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(0));
    let delivery = move |index: u64| -> SignedDelivery {
        match &payload {
            Payload::File(body) => SignedDelivery::from_body(&secret, body.clone()),
            // Each sample one millisecond apart: its own ids, not a repeat.
            Payload::Sample(kind) => sample_at(*kind, start + index).sign(&secret),
        }
    };
    let client = crate::http::client(crate::http::TIMEOUT)?;
    let progress = indicatif::ProgressBar::new(args.count);
    if args.count < 2 {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let delivery = Arc::new(delivery);
    let answers: Vec<std::result::Result<u16, String>> = futures_util::stream::iter(0..args.count)
        .map(|index| {
            let (client, url, delivery, progress) = (
                client.clone(),
                url.clone(),
                Arc::clone(&delivery),
                progress.clone(),
            );
            async move {
                let delivery = delivery(index);
                let answer = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", delivery.signature())
                    .body(delivery.body().clone())
                    .send()
                    .await;
                progress.inc(1);
                match answer {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        if args.count == 1 && !args.json {
                            println!("{status} {text}");
                        }
                        Ok(status)
                    }
                    Err(error) => Err(error.to_string()),
                }
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    progress.finish_and_clear();
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for answer in &answers {
        let key = match answer {
            Ok(status) => status.to_string(),
            Err(_) => String::from("no answer"),
        };
        *statuses.entry(key).or_default() += 1;
    }
    let failed = answers
        .iter()
        .filter(|answer| !matches!(answer, Ok(200..=299)))
        .count();
    if args.json {
        println!(
            "{}",
            json!({"sent": args.count, "statuses": statuses, "failed": failed})
        );
    } else if args.count > 1 {
        let summary: Vec<String> = statuses.iter().map(|(s, n)| format!("{n}× {s}")).collect();
        println!("sent {} to {url}: {}", args.count, summary.join(", "));
    }
    if let Some(Err(error)) = answers.iter().find(|answer| answer.is_err()) {
        eprintln!("instagram-webhook: no answer from {url}: {error}");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
