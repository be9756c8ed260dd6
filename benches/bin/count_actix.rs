//! The library behind actix-web, for `benches/load.sh`: the receiver's
//! service with a handler that counts the items of each delivery (decoding
//! none). No log subscriber is installed, so the default `tracing`
//! observer writes nothing: this is the library's own cost on top of
//! `noop_actix`.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_benches::{counting_receiver, load_config};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = load_config();
    let receiver = counting_receiver(&config)?;
    HttpServer::new(move || App::new().service(WebhookService::new("/webhook", receiver.clone())))
        .bind(("127.0.0.1", config.port))?
        .run()
        .await?;
    Ok(())
}
