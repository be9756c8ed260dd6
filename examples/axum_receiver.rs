//! An axum service receiving Instagram webhooks on `127.0.0.1:$PORT/webhook`.
//!
//! `cargo run --example axum_receiver`, then see the README's walkthrough.

use instagram_webhook_examples::{init_logs, port, printing_receiver};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logs();
    let receiver = printing_receiver()?;
    let app = axum::Router::new().merge(instagram_webhook_axum::router("/webhook", receiver));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port())).await?;
    eprintln!(
        "axum receiver listening on http://{}/webhook",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
