#![doc = include_str!("../README.md")]

mod api;
mod auth;
mod dashboard;
mod error;
mod metrics;
mod router;

pub use auth::{Token, TokenError};
pub use metrics::{CONTENT_TYPE, Metrics};
pub use router::Ops;

/// The address the surface listens on by default: loopback only.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:3001";

/// The OpenAPI 3.1 document of the JSON API, as served at
/// `/api/openapi.json`.
///
/// ```
/// let document = instagram_webhook_ops::openapi_json();
/// assert!(document.contains("\"openapi\":\"3.1.0\""));
/// assert!(document.contains("/api/webhook-events/{id}/retry"));
/// ```
pub fn openapi_json() -> String {
    use utoipa::OpenApi;
    api::ApiDoc::openapi()
        .to_json()
        .unwrap_or_else(|_| String::from("{}"))
}
