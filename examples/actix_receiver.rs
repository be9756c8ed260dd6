//! An actix-web service receiving Instagram webhooks on `127.0.0.1:$PORT/webhook`.
//!
//! `cargo run --example actix_receiver`, then see the README's walkthrough.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_examples::{init_logs, port, printing_receiver};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logs();
    let receiver = printing_receiver()?;
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
