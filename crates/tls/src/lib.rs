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

/// The common name in the subject of Meta's client certificate, checked by
/// default (the one place it is written is the core crate).
pub use instagram_webhook_core::client_cert::META_CLIENT_CERT_NAME as META_CLIENT_CN;
