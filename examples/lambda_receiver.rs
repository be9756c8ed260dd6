//! The receiver as an AWS Lambda function (API Gateway REST or HTTP API,
//! Function URL, ALB). It polls the Lambda Runtime API named by
//! `AWS_LAMBDA_RUNTIME_API`, so it runs inside Lambda or under a local
//! emulator such as `cargo lambda watch`.
//!
//! Configuration:
//!
//! - Secrets, by default from `INSTAGRAM_APP_SECRET` (comma-separated
//!   during a rotation) and `INSTAGRAM_VERIFY_TOKEN`. With
//!   `INSTAGRAM_SECRETS_FROM=ssm` they come from SSM Parameter Store through
//!   the AWS Parameters and Secrets Lambda Extension (add its layer; the
//!   role needs `ssm:GetParameter` and `kms:Decrypt`): the parameters named
//!   by `INSTAGRAM_APP_SECRET_PARAMETER` and
//!   `INSTAGRAM_VERIFY_TOKEN_PARAMETER`, read on the first invocation and
//!   again every 5 minutes, so a rotation needs no redeploy.
//! - `INSTAGRAM_WEBHOOK_DATABASE=postgres://...`: every delivery is stored
//!   in the durable inbox (answered 200 once committed) instead of printed.

use std::convert::Infallible;
use std::error::Error;

use instagram_webhook_examples::{
    app_secrets, init_logs, print_events, print_rejected, verify_token,
};
use instagram_webhook_inbox::Inbox;
use instagram_webhook_lambda::{
    Delivery, ExtensionSource, Receiver, RejectedPayload, Secrets, SecretsReceiver, Verifier,
    VerifyToken,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    init_logs();
    let inbox = match std::env::var("INSTAGRAM_WEBHOOK_DATABASE") {
        Ok(url) if !url.trim().is_empty() => Some(open_inbox(&url).await?),
        _ => None,
    };
    // Builds the receiver from the secrets; called again after each refresh.
    let build = move |secrets: Secrets| -> Receiver {
        match &inbox {
            Some(inbox) => {
                let (verifier, token) = secrets.into_parts();
                inbox.receiver(verifier, token).build()
            }
            None => secrets
                .receiver_builder()
                // Every verified delivery; an error here answers 500 and Meta retries.
                .handler(|delivery: Delivery| async move {
                    print_events(&delivery);
                    Ok::<(), Infallible>(())
                })
                // Verified bodies that are not Instagram envelopes (answered 200).
                .on_rejected(|payload: RejectedPayload| async move { print_rejected(&payload) })
                .build(),
        }
    };

    match std::env::var("INSTAGRAM_SECRETS_FROM").as_deref() {
        Ok("ssm") => {
            // Read on the first invocation (the extension does not answer
            // during init), cached, read again after the TTL; an invocation
            // without secrets is answered 503 and Meta retries.
            let source = ExtensionSource::new(
                required("INSTAGRAM_APP_SECRET_PARAMETER")?,
                required("INSTAGRAM_VERIFY_TOKEN_PARAMETER")?,
            );
            instagram_webhook_lambda::run_with_secrets(SecretsReceiver::new(source, build)).await
        }
        Ok("env") | Err(_) => {
            let secrets = Secrets::new(
                // Several secrets, comma-separated, during a rotation.
                Verifier::from_comma_separated(&app_secrets())?,
                VerifyToken::new(verify_token())?,
            );
            instagram_webhook_lambda::run(build(secrets)).await
        }
        Ok(other) => Err(format!("INSTAGRAM_SECRETS_FROM={other}: expected env or ssm").into()),
    }
}

/// The value of `name`, or an error naming it.
fn required(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(format!(
            "{name} is not set: with INSTAGRAM_SECRETS_FROM=ssm it names the SSM parameter to read"
        )),
    }
}

/// The PostgreSQL inbox this function stores into. Only the storing side
/// runs here: the sandbox is frozen between invocations and has no durable
/// disk, so workers run on a server, for example
/// `instagram-webhook work --database postgres://...`, and so does the
/// maintenance (lease rescue, pruning).
async fn open_inbox(url: &str) -> Result<Inbox, Box<dyn Error + Send + Sync>> {
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        return Err(format!(
            "INSTAGRAM_WEBHOOK_DATABASE must be a postgres:// URL on Lambda: a SQLite file \
             would live on the sandbox's temporary disk and be lost with it (got {})",
            url.split("://").next().unwrap_or("?")
        )
        .into());
    }
    let inbox = Inbox::builder().maintenance(None).open(url).await?;
    eprintln!("storing deliveries in the {} inbox", inbox.engine());
    Ok(inbox)
}
