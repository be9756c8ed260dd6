//! An actix-web service receiving Instagram webhooks on `127.0.0.1:$PORT/webhook`.
//!
//! `cargo run --example actix_receiver`, then see the README's walkthrough.

use std::convert::Infallible;

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::{
    Delivery, Receiver, RejectedPayload, Verifier, VerifyToken, WebhookService,
};
use instagram_webhook_examples::{
    app_secrets, init_logs, port, print_events, print_rejected, verify_token,
};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logs();
    let receiver = Receiver::builder(
        // Several secrets, comma-separated, during a rotation.
        Verifier::from_comma_separated(&app_secrets())?,
        VerifyToken::new(verify_token())?,
    )
    // Every verified delivery; an error here answers 500 and Meta retries.
    .handler(|delivery: Delivery| async move {
        print_events(&delivery);
        Ok::<(), Infallible>(())
    })
    // Verified bodies that are not Instagram envelopes (answered 200).
    .on_rejected(|payload: RejectedPayload| async move { print_rejected(&payload) })
    .build();

    let server = HttpServer::new(move || {
        App::new().service(WebhookService::new("/webhook", receiver.clone()))
    })
    .bind(("127.0.0.1", port()))?;
    for address in server.addrs() {
        eprintln!("actix-web receiver listening on http://{address}/webhook");
    }
    server.run().await?;
    Ok(())
}
