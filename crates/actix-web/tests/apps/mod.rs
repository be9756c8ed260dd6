//! A real actix-web server on 127.0.0.1 for the suites, serving the suite's
//! receiver through one of the crate's public entry points.

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{HttpResponse, HttpServer, web};
use instagram_webhook_actix_web::{Handshake, Receiver, VerifiedDelivery, WebhookService};
use instagram_webhook_conformance::{PATH, Recorder};

/// Which public entry point of the crate serves the suite's receiver.
#[derive(Debug, Clone, Copy)]
pub(crate) enum App {
    /// `App::service(WebhookService::new(PATH, receiver))`.
    Service,
    /// The application's own routes with the `Handshake` and
    /// `VerifiedDelivery` extractors, the receiver registered with
    /// `App::app_data(receiver)`.
    Extractors,
    /// The same, with the receiver registered as `web::Data<Receiver>`.
    ExtractorsWebData,
}

impl App {
    /// The name observations are reported under.
    pub(crate) fn via(self) -> &'static str {
        match self {
            Self::Service => "actix-web WebhookService",
            Self::Extractors => "actix-web extractors (app_data)",
            Self::ExtractorsWebData => "actix-web extractors (web::Data)",
        }
    }

    /// Starts a server with one worker on 127.0.0.1 (a port of the system's
    /// choosing) on the current actix system; `head_timeout` is
    /// `HttpServer::client_request_timeout` (actix-web's default otherwise).
    /// Where it listens, and the handle that stops it.
    pub(crate) fn start(
        self,
        receiver: Receiver,
        recorder: Recorder,
        head_timeout: Option<Duration>,
    ) -> (SocketAddr, ServerHandle) {
        let mut server = HttpServer::new(move || {
            let (receiver, recorder) = (receiver.clone(), recorder.clone());
            actix_web::App::new().configure(move |config| match self {
                Self::Service => {
                    config.service(WebhookService::new(PATH, receiver));
                }
                Self::Extractors => {
                    config
                        .app_data(receiver)
                        .app_data(recorder)
                        .route(PATH, web::get().to(subscribe))
                        .route(PATH, web::post().to(webhook));
                }
                Self::ExtractorsWebData => {
                    config
                        .app_data(web::Data::new(receiver))
                        .app_data(recorder)
                        .route(PATH, web::get().to(subscribe))
                        .route(PATH, web::post().to(webhook));
                }
            })
        })
        .workers(1);
        if let Some(timeout) = head_timeout {
            server = server.client_request_timeout(timeout);
        }
        let server = server.bind(("127.0.0.1", 0)).expect("bind");
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        (address, handle)
    }
}

async fn subscribe(handshake: Handshake) -> Handshake {
    handshake
}

/// The application's own POST handler: hands the delivery on as the
/// receiver's handler would, and answers as the contract says.
async fn webhook(
    request: actix_web::HttpRequest,
    VerifiedDelivery(delivery): VerifiedDelivery,
) -> HttpResponse {
    let recorder = request
        .app_data::<Recorder>()
        .expect("the recorder is registered");
    match recorder.handle(delivery) {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("EVENT_RECEIVED"),
        Err(_) => HttpResponse::InternalServerError().body("handler failed"),
    }
}
