//! TLS with Meta's client certificate (mTLS), for a service that terminates
//! TLS itself: the feature `mtls`.
//!
//! [`serve_mtls`] serves a router over TLS with
//! [axum-server](https://docs.rs/axum-server) and a
//! [`rustls::ServerConfig`] built by
//! [`instagram-webhook-tls`](instagram_webhook_tls) (re-exported here):
//! every connection must present a client certificate whose chain verifies
//! against your CA bundle and whose CN is `client.webhooks.fbclientcerts.com`
//! ([`META_CLIENT_CN`]). A connection that fails gets a TLS alert
//! (`certificate_required`, `unknown_ca`, `certificate_expired`,
//! `access_denied`) and never an HTTP answer: it reaches no route.
//!
//! Serve only the webhook on this listener, and anything else (health
//! checks, the operations surface, your own API) on another one: only Meta
//! can connect to it.
//!
//! ```no_run
//! use instagram_webhook_axum::tls::{TlsConfig, serve_mtls};
//! use instagram_webhook_axum::{Delivery, Receiver, Verifier, VerifyToken, router};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let receiver = Receiver::builder(
//!         Verifier::from_comma_separated(&std::env::var("INSTAGRAM_APP_SECRET")?)?,
//!         VerifyToken::new(std::env::var("INSTAGRAM_VERIFY_TOKEN")?)?,
//!     )
//!     .handler(|delivery: Delivery| async move {
//!         println!("{} events", delivery.events().len());
//!         Ok::<(), std::convert::Infallible>(())
//!     })
//!     .build();
//!
//!     let config = TlsConfig::from_files("fullchain.pem", "privkey.pem", "meta-ca.pem")?;
//!     let listener = std::net::TcpListener::bind("0.0.0.0:8443")?;
//!     serve_mtls(listener, router("/webhook", receiver), config).await?;
//!     Ok(())
//! }
//! ```

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum_server::tls_rustls::RustlsConfig;

pub use axum_server::Handle;
pub use instagram_webhook_tls::{
    META_CLIENT_CN, MetaClientAuth, TlsConfig, TlsConfigBuilder, TlsError, rustls,
};

/// Serves `app` over TLS on `listener` with `config` (from
/// [`TlsConfig`]), until the listener fails. Each connection's TLS
/// handshake (client certificate included) must end within 10 s
/// (axum-server's default); HTTP/1.1 is served, and HTTP/2 if `config`
/// offers `h2` by ALPN.
///
/// # Errors
/// When the listener cannot be used (put into non-blocking mode and
/// registered with tokio) or fails. Refused handshakes are not errors: they
/// end their connection only.
pub async fn serve_mtls(
    listener: TcpListener,
    app: Router,
    config: Arc<rustls::ServerConfig>,
) -> io::Result<()> {
    serve_mtls_with_handle(listener, app, config, Handle::new()).await
}

/// [`serve_mtls`], stopped through `handle`:
/// [`Handle::graceful_shutdown`] lets open connections finish,
/// [`Handle::shutdown`] closes them; [`Handle::listening`] tells the
/// address once the server listens.
///
/// # Errors
/// Those of [`serve_mtls`].
pub async fn serve_mtls_with_handle(
    listener: TcpListener,
    app: Router,
    config: Arc<rustls::ServerConfig>,
    handle: Handle<SocketAddr>,
) -> io::Result<()> {
    axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(config))?
        .handle(handle)
        .serve(app.into_make_service())
        .await
}
