//! `subscribe`, `subscriptions`, `unsubscribe`: Meta's `subscribed_apps`
//! edge.

use std::process::ExitCode;

use serde_json::Value;

use crate::cli::{GraphArgs, Login, SubscribeArgs};
use crate::error::{Error, Result};
use crate::graph::{Graph, SubscribedApp};

/// `POST` the fields, read the edge back, say what Meta confirms: exit 0
/// when every field is confirmed, 1 when one is not.
pub(crate) async fn subscribe(args: SubscribeArgs) -> Result<ExitCode> {
    let fields = requested(&args.fields)?;
    let graph = Graph::new(&args.graph)?;
    graph.subscribe(&fields).await?;
    let (apps, answer) = graph.subscriptions().await?;
    let mut confirmed: Vec<String> = Vec::new();
    for app in &apps.data {
        for field in app.fields() {
            if !confirmed.contains(&field) {
                confirmed.push(field);
            }
        }
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|field| !confirmed.contains(field))
        .map(String::as_str)
        .collect();
    if args.graph.json {
        print_json(&answer)?;
    } else {
        println!(
            "subscribed {} ({}, {}) to {}",
            graph.account(),
            login_name(graph.login()),
            graph.version(),
            fields.join(", ")
        );
        if apps.data.is_empty() {
            println!("Meta lists no app subscribed on {}", graph.account());
        }
        for app in &apps.data {
            println!("Meta confirms for {}: {}", app_name(app), field_list(app));
        }
        if apps.data.len() > 1 {
            println!(
                "({} apps are subscribed on {}: a field counts as confirmed when any of them has it)",
                apps.data.len(),
                graph.account()
            );
        }
    }
    if missing.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let hint = match graph.login() {
        Login::Instagram => {
            "check the app's webhook fields in the App Dashboard and the token's permissions"
        }
        Login::Facebook => {
            "the Page edge keeps Page fields only; Instagram fields are chosen in the App Dashboard"
        }
    };
    eprintln!(
        "instagram-webhook: Meta does not confirm {} on {}: {hint}",
        missing.join(", "),
        graph.account()
    );
    Ok(ExitCode::from(1))
}

/// `GET` the edge: each app subscribed on the account, with its fields.
pub(crate) async fn subscriptions(args: GraphArgs) -> Result<ExitCode> {
    let graph = Graph::new(&args)?;
    let (apps, answer) = graph.subscriptions().await?;
    if args.json {
        print_json(&answer)?;
        return Ok(ExitCode::SUCCESS);
    }
    let login = login_name(graph.login());
    if apps.data.is_empty() {
        println!("no app is subscribed on {} ({login})", graph.account());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} subscribed on {} ({login}):",
        match apps.data.len() {
            1 => "1 app".to_owned(),
            n => format!("{n} apps"),
        },
        graph.account()
    );
    for app in &apps.data {
        println!("  {}: {}", app_name(app), field_list(app));
    }
    Ok(ExitCode::SUCCESS)
}

/// `DELETE` the subscription.
pub(crate) async fn unsubscribe(args: GraphArgs) -> Result<ExitCode> {
    let graph = Graph::new(&args)?;
    let answer = graph.unsubscribe().await?;
    if args.json {
        print_json(&answer)?;
    } else {
        println!(
            "unsubscribed {} ({}): Meta answered success",
            graph.account(),
            login_name(graph.login())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The fields, trimmed, without empty ones or repeats.
fn requested(fields: &[String]) -> Result<Vec<String>> {
    let mut wanted: Vec<String> = Vec::new();
    for field in fields.iter().map(|field| field.trim()) {
        if !field.is_empty() && !wanted.iter().any(|known| known == field) {
            wanted.push(field.to_owned());
        }
    }
    if wanted.is_empty() {
        return Err(Error::new(
            "no field given: write --fields comments,messages (or feed with --login facebook)",
        ));
    }
    Ok(wanted)
}

fn login_name(login: Login) -> &'static str {
    match login {
        Login::Instagram => "Instagram Login",
        Login::Facebook => "Facebook Login",
    }
}

/// `app ID (NAME)`, as much of it as Meta gave.
fn app_name(app: &SubscribedApp) -> String {
    match (app.id(), app.name.as_deref()) {
        (Some(id), Some(name)) => format!("app {id} ({name})"),
        (Some(id), None) => format!("app {id}"),
        (None, Some(name)) => format!("app {name}"),
        (None, None) => "an app".to_owned(),
    }
}

fn field_list(app: &SubscribedApp) -> String {
    let fields = app.fields();
    if fields.is_empty() {
        "(no fields)".to_owned()
    } else {
        fields.join(", ")
    }
}

fn print_json(answer: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(answer)
        .map_err(|error| Error::new(format!("cannot print JSON: {error}")))?;
    println!("{text}");
    Ok(())
}
