//! The library behind axum, for `benches/load.sh`: the receiver's router with
//! a handler that counts the items of each delivery (decoding none). No
//! log subscriber is installed, so the default `tracing` observer writes
//! nothing: this is the library's own cost on top of `noop_axum`.

use instagram_webhook_axum::router;
use instagram_webhook_benches::{counting_receiver, load_config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = load_config();
    let app = axum::Router::new().merge(router("/webhook", counting_receiver(&config)?));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
