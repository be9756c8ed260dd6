//! A resource serving the handshake and deliveries on one path.

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::{HttpRequest, HttpResponse, web};
use instagram_webhook_core::receive::{Answer, Receiver};

use crate::translate::{self, ActixBody};

/// Serves Meta on one path: the handshake on GET, verified deliveries handed
/// to the receiver's handler on POST, 405 (with `Allow`) for anything else.
/// Register it with `App::service`.
///
/// actix-web's payload size limits (256 KiB by default for `Bytes`) do not
/// apply: the receiver's own limit
/// ([`ReceiverBuilder::body_limit`](instagram_webhook_core::receive::ReceiverBuilder::body_limit),
/// 4 MiB by default) does, while the body is read.
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use instagram_webhook_actix_web::{AppSecret, Delivery, Receiver, Verifier, VerifyToken, WebhookService};
///
/// #[actix_web::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let receiver = Receiver::builder(
///         Verifier::new(AppSecret::new(std::env::var("INSTAGRAM_APP_SECRET")?)?),
///         VerifyToken::new(std::env::var("INSTAGRAM_VERIFY_TOKEN")?)?,
///     )
///     .handler(|delivery: Delivery| async move {
///         println!("{} events", delivery.events().len());
///         Ok::<(), std::convert::Infallible>(())
///     })
///     .build();
///     HttpServer::new(move || App::new().service(WebhookService::new("/webhook", receiver.clone())))
///         .bind(("127.0.0.1", 3000))?
///         .run()
///         .await?;
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct WebhookService {
    path: String,
    receiver: Receiver,
}

impl WebhookService {
    /// Serves `receiver` on `path`.
    pub fn new(path: impl Into<String>, receiver: Receiver) -> Self {
        Self {
            path: path.into(),
            receiver,
        }
    }
}

impl HttpServiceFactory for WebhookService {
    fn register(self, config: &mut AppService) {
        web::resource(self.path)
            .app_data(self.receiver)
            .default_service(web::to(serve))
            .register(config);
    }
}

/// Drives the core pipeline for one request.
async fn serve(request: HttpRequest, payload: web::Payload) -> HttpResponse {
    let Some(receiver) = request.app_data::<Receiver>().cloned() else {
        return translate::response(&Answer::misconfigured());
    };
    let head = translate::head(&request);
    translate::response(&receiver.serve(&head, ActixBody(payload)).await)
}
