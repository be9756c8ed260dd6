//! An axum service receiving Instagram webhooks on `127.0.0.1:$PORT/webhook`.
//!
//! `cargo run --example axum_receiver`, then see the README's walkthrough.

use std::convert::Infallible;

use instagram_webhook_axum::{Delivery, Receiver, RejectedPayload, Verifier, VerifyToken, router};
use instagram_webhook_examples::{
    app_secrets, init_logs, port, print_events, print_rejected, verify_token,
};

#[tokio::main]
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

    let app = axum::Router::new().merge(router("/webhook", receiver));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port())).await?;
    eprintln!(
        "axum receiver listening on http://{}/webhook",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
