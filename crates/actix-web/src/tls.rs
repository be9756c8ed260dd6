//! TLS with Meta's client certificate (mTLS), for a service that terminates
//! TLS itself: the feature `mtls`.
//!
//! Build the configuration with
//! [`instagram-webhook-tls`](instagram_webhook_tls) (re-exported here) and
//! hand it to actix-web's own rustls 0.23 listener through
//! [`actix_config`]: `HttpServer::listen_rustls_0_23(listener,
//! tls::actix_config(&config))` or `bind_rustls_0_23(addr, ...)`. Every
//! connection must then present a client certificate whose chain verifies
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
//! use actix_web::{App, HttpServer};
//! use instagram_webhook_actix_web::tls::{self, TlsConfig};
//! use instagram_webhook_actix_web::{Delivery, Receiver, Verifier, VerifyToken, WebhookService};
//!
//! #[actix_web::main]
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
//!     HttpServer::new(move || App::new().service(WebhookService::new("/webhook", receiver.clone())))
//!         .bind_rustls_0_23(("0.0.0.0", 8443), tls::actix_config(&config))?
//!         .run()
//!         .await?;
//!     Ok(())
//! }
//! ```

use std::sync::Arc;

pub use instagram_webhook_tls::{
    META_CLIENT_CN, MetaClientAuth, TlsConfig, TlsConfigBuilder, TlsError, rustls,
};

/// `config` as actix-web's `listen_rustls_0_23` and `bind_rustls_0_23` take
/// it: by value, and without `http/1.1` in its ALPN protocols, since
/// actix-web adds it (and `h2` with its `http2` feature) itself. The client
/// certificate check is unchanged.
///
/// ```
/// use instagram_webhook_actix_web::tls::actix_config;
/// # let config = instagram_webhook_tls::testing::Pki::generate().server_config();
///
/// // `config`: from `TlsConfig::builder()...build()` or `TlsConfig::from_files(...)`.
/// let for_actix = actix_config(&config);
/// assert!(for_actix.alpn_protocols.is_empty());
/// ```
pub fn actix_config(config: &Arc<rustls::ServerConfig>) -> rustls::ServerConfig {
    let mut config = rustls::ServerConfig::clone(config);
    config
        .alpn_protocols
        .retain(|protocol| protocol.as_slice() != b"http/1.1");
    config
}
