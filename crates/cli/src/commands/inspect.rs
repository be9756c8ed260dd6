//! `events`, `event`, `stats`, `retry`, `replay`: the inbox, through the
//! operations API (in this process over `--database`, or `--ops-url`).

use std::process::ExitCode;

use axum::http::Method;
use instagram_webhook_core::test_kit::SignedDelivery;
use serde_json::{Map, Value, json};

use crate::cli::{EventArgs, EventsArgs, FilterArgs, ReplayArgs, RetryArgs, StatsArgs};
use crate::error::{Error, Result};
use crate::inbox_source::Api;
use crate::secrets;

/// The filter as the API's query parameters or body fields.
fn filter_fields(filter: &FilterArgs) -> Map<String, Value> {
    let mut fields = Map::new();
    if let Some(state) = filter.state {
        let value = clap::ValueEnum::to_possible_value(&state)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        fields.insert("status".into(), Value::String(value));
    }
    if let Some(kind) = &filter.kind {
        fields.insert("eventType".into(), Value::String(kind.clone()));
    }
    if let Some(account) = &filter.account {
        fields.insert("account".into(), Value::String(account.clone()));
    }
    if let Some(since) = &filter.since {
        fields.insert("since".into(), Value::String(since.clone()));
    }
    fields
}

fn query(fields: &Map<String, Value>, extra: &[(&str, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        query.append_pair(name, value.as_str().unwrap_or_default());
    }
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    query.finish()
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::from("-"),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

pub(crate) async fn events(args: EventsArgs) -> Result<ExitCode> {
    let api = Api::open(&args.source).await?;
    let path = format!(
        "/api/webhook-events?{}",
        query(
            &filter_fields(&args.filter),
            &[("limit", args.limit.clamp(1, 200).to_string())]
        )
    );
    let page = api.json(Method::GET, &path, None).await;
    api.close().await;
    let page = page?;
    if args.json {
        print_json(&page);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>8}  {:<12}  {:<18}  {:<20}  {:>7}  {:<24}  last error",
        "id", "state", "kind", "account", "attempt", "created"
    );
    for event in page["events"].as_array().into_iter().flatten() {
        println!(
            "{:>8}  {:<12}  {:<18}  {:<20}  {:>7}  {:<24}  {}",
            text(&event["id"]),
            text(&event["state"]),
            text(&event["kind"]),
            text(&event["account_id"]),
            format!(
                "{}/{}",
                text(&event["attempt"]),
                text(&event["max_attempts"])
            ),
            text(&event["created_at"]),
            text(&event["last_error"]),
        );
    }
    println!(
        "{} shown of {} matching",
        page["events"].as_array().map_or(0, Vec::len),
        text(&page["total"])
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn event(args: EventArgs) -> Result<ExitCode> {
    let api = Api::open(&args.source).await?;
    let event = api
        .json(
            Method::GET,
            &format!("/api/webhook-events/{}", args.id),
            None,
        )
        .await;
    api.close().await;
    let event = event?;
    if args.json {
        print_json(&event);
        return Ok(ExitCode::SUCCESS);
    }
    for field in [
        "id",
        "state",
        "kind",
        "account_id",
        "dedup_key",
        "attempt",
        "max_attempts",
        "created_at",
        "run_at",
        "last_error_class",
        "last_error",
        "delivery_id",
    ] {
        println!("{field:>16}: {}", text(&event[field]));
    }
    println!("{:>16}:", "attempts");
    for attempt in event["attempts"].as_array().into_iter().flatten() {
        println!(
            "{:>16}  #{} {} {} ms {}: {}",
            "",
            text(&attempt["attempt"]),
            text(&attempt["started_at"]),
            text(&attempt["duration_ms"]),
            text(&attempt["error_class"]),
            text(&attempt["error"]),
        );
    }
    println!("{:>16}:", "item");
    print_json(&event["payload"]);
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn stats(args: StatsArgs) -> Result<ExitCode> {
    let api = Api::open(&args.source).await?;
    let stats = api
        .json(Method::GET, "/api/webhook-events/stats", None)
        .await;
    api.close().await;
    let stats = stats?;
    if args.json {
        print_json(&stats);
        return Ok(ExitCode::SUCCESS);
    }
    for field in [
        "total",
        "pending",
        "processing",
        "processed",
        "failed",
        "dead_letter",
        "duplicates",
        "rejected_deliveries",
        "oldest_pending_age_seconds",
    ] {
        println!("{field:>26}: {}", text(&stats[field]));
    }
    for window in ["last_hour", "last_day"] {
        let activity = &stats[window];
        println!(
            "{window:>26}: {} received, {} processed, {} failed attempts",
            text(&activity["received"]),
            text(&activity["processed"]),
            text(&activity["failed"])
        );
    }
    for group in stats["dead_letters"].as_array().into_iter().flatten() {
        println!(
            "{:>26}: {} {} ({})",
            "dead letters",
            text(&group["count"]),
            text(&group["kind"]),
            text(&group["error_class"])
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn retry(args: RetryArgs) -> Result<ExitCode> {
    let api = Api::open(&args.source).await?;
    let answer = match args.id {
        Some(id) => {
            api.json(
                Method::POST,
                &format!("/api/webhook-events/{id}/retry"),
                None,
            )
            .await
        }
        None => {
            let mut body = filter_fields(&args.filter);
            body.insert("limit".into(), json!(args.limit));
            let progress = indicatif::ProgressBar::new_spinner();
            progress.set_message(if args.dry_run {
                "counting"
            } else {
                "queueing again"
            });
            body.insert("dry_run".into(), json!(true));
            let counted = api
                .json(
                    Method::POST,
                    "/api/webhook-events/retry",
                    Some(&Value::Object(body.clone())),
                )
                .await;
            let answer = match counted {
                Ok(counted) if !args.dry_run => {
                    progress.set_message(format!("queueing {} again", text(&counted["matched"])));
                    body.insert("dry_run".into(), json!(false));
                    api.json(
                        Method::POST,
                        "/api/webhook-events/retry",
                        Some(&Value::Object(body)),
                    )
                    .await
                }
                other => other,
            };
            progress.finish_and_clear();
            answer
        }
    };
    api.close().await;
    let answer = answer?;
    if args.json {
        print_json(&answer);
    } else if args.id.is_some() {
        println!("{}", text(&answer["message"]));
    } else {
        println!(
            "{} matched, {} queued again, {} skipped{}",
            text(&answer["matched"]),
            text(&answer["queued"]),
            text(&answer["skipped"]),
            if args.dry_run { " (dry run)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn replay(args: ReplayArgs) -> Result<ExitCode> {
    let to = crate::http::url(&args.to, "--to")?;
    let secret = secrets::signing_secret(args.secret.secret.as_deref())?;
    let api = Api::open(&args.source).await?;
    let raw = async {
        let event = api
            .json(
                Method::GET,
                &format!("/api/webhook-events/{}", args.id),
                None,
            )
            .await?;
        let path = text(&event["raw_url"]);
        let (status, bytes) = api.call(Method::GET, &path, None).await?;
        if !status.is_success() {
            return Err(Error::new(format!(
                "the delivery of event {} is gone ({status}): retention removed it",
                args.id
            )));
        }
        Ok(bytes)
    }
    .await;
    api.close().await;
    let delivery = SignedDelivery::from_body(&secret, raw?);
    let response = crate::http::client(crate::http::TIMEOUT)?
        .post(to.clone())
        .header("content-type", "application/json")
        .header("x-hub-signature-256", delivery.signature())
        .body(delivery.body().clone())
        .send()
        .await
        .map_err(|error| Error::new(format!("cannot reach {to}: {error}")))?;
    let status = response.status();
    println!(
        "{} {}",
        status.as_u16(),
        response.text().await.unwrap_or_default()
    );
    Ok(if status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
