//! The baseline of `benches/load.sh`: an actix-web server that accepts the
//! same POST as the receiver, reads the body, and does nothing with it.

use actix_web::{App, HttpResponse, HttpServer, web};

async fn accept(body: web::Bytes) -> HttpResponse {
    std::hint::black_box(body);
    HttpResponse::Ok().body("EVENT_RECEIVED")
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3000);
    HttpServer::new(|| {
        App::new()
            .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
            .route("/webhook", web::post().to(accept))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
