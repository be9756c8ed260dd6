//! An axum service receiving Instagram webhooks over TLS on
//! `127.0.0.1:$PORT/webhook` (default 8443), letting in only connections that
//! present Meta's client certificate (CN `client.webhooks.fbclientcerts.com`).
//!
//! ```sh
//! INSTAGRAM_TLS_CERT=fullchain.pem INSTAGRAM_TLS_KEY=privkey.pem \
//! INSTAGRAM_TLS_CLIENT_CA=meta-outbound-api-ca-2025-12.pem \
//! cargo run --example mtls_receiver
//! ```
//!
//! `INSTAGRAM_TLS_CLIENT_CA` may hold several CAs (the old and the new one
//! during a move). A client without the certificate gets a TLS alert, never
//! an HTTP answer: serve nothing else on this listener.

use std::convert::Infallible;
use std::path::PathBuf;

use instagram_webhook_axum::tls::{TlsConfig, serve_mtls};
use instagram_webhook_axum::{Delivery, Receiver, RejectedPayload, Verifier, VerifyToken, router};
use instagram_webhook_examples::{
    app_secrets, init_logs, print_events, print_rejected, verify_token,
};

/// The path in `name`, which must be set.
fn path(name: &str) -> Result<PathBuf, String> {
    std::env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| format!("{name} must name a PEM file"))
}

/// The port from `PORT`, default 8443.
fn port() -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(8443)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logs();
    let config = TlsConfig::from_files(
        path("INSTAGRAM_TLS_CERT")?,
        path("INSTAGRAM_TLS_KEY")?,
        path("INSTAGRAM_TLS_CLIENT_CA")?,
    )?;
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

    // Only the webhook on this listener: only Meta can connect to it.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port()))?;
    eprintln!(
        "mTLS receiver listening on https://{}/webhook",
        listener.local_addr()?
    );
    serve_mtls(listener, router("/webhook", receiver), config).await?;
    Ok(())
}
