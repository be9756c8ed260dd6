//! Sends a signed, Meta-faithful delivery of one kind, like the App
//! Dashboard's Test button but offline, and prints the answer.
//!
//! `cargo run --example send_test_event -- --url http://127.0.0.1:3000/webhook --kind comment`
//!
//! Signs with the first secret of `INSTAGRAM_APP_SECRET` (or the development
//! secret). `--kind list` prints the kinds. The deliveries are the core test
//! kit's samples (`instagram_webhook_core::test_kit::sample`).

use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::{SAMPLE_KINDS, sample};
use instagram_webhook_examples::app_secrets;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut url = "http://127.0.0.1:3000/webhook".to_owned();
    let mut kind = "comment".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = args.next().ok_or("--url needs a value")?,
            "--kind" => kind = args.next().ok_or("--kind needs a value")?,
            other => {
                return Err(
                    format!("unknown argument {other:?}; use --url URL --kind KIND").into(),
                );
            }
        }
    }
    let names: Vec<&str> = SAMPLE_KINDS.iter().map(|kind| kind.as_str()).collect();
    if kind == "list" {
        println!("{}", names.join("\n"));
        return Ok(());
    }
    let kind = SAMPLE_KINDS
        .into_iter()
        .find(|known| known.as_str() == kind)
        .ok_or_else(|| format!("unknown kind {kind:?}; one of: {}", names.join(", ")))?;

    let secrets = app_secrets();
    let secret = AppSecret::new(secrets.split(',').next().unwrap_or_default().trim())?;
    let delivery = sample(kind).sign(&secret);
    let request = reqwest::Request::try_from(delivery.to_request(url.parse()?))?;
    let response = reqwest::Client::new().execute(request).await?;
    let status = response.status();
    let text = response.text().await?;
    println!("{} {text}", status.as_u16());
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {status}").into())
    }
}
