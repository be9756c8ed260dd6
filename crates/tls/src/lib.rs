#![doc = include_str!("../README.md")]

mod client_auth;
mod config;
mod error;
mod pem;
#[cfg(feature = "test-kit")]
pub mod testing;

pub use client_auth::MetaClientAuth;
pub use config::{TlsConfig, TlsConfigBuilder};
pub use error::TlsError;

/// The rustls this crate builds with: use it (`instagram_webhook_tls::rustls`)
/// so your `ServerConfig` and ours are the same type.
pub use rustls;

/// The subject common name (CN) of the client certificate Meta presents
/// when it delivers webhooks: `client.webhooks.fbclientcerts.com`.
pub const META_CLIENT_CN: &str = "client.webhooks.fbclientcerts.com";
