//! The baseline of `benches/load.sh`: an axum server that accepts the same
//! POST as the receiver, reads the body, and does nothing with it.

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3000);
    let app = Router::new()
        .route(
            "/webhook",
            post(|body: Bytes| async move {
                std::hint::black_box(body);
                "EVENT_RECEIVED"
            }),
        )
        .layer(DefaultBodyLimit::disable());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await
}
