//! Extractors: a verified delivery for POST handlers, the handshake for GET.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder, web};
use instagram_webhook_core::Challenge;
use instagram_webhook_core::receive::{Answer, Delivery, Receiver};

use crate::error::WebhookError;
use crate::translate::{self, ActixBody};

/// The [`Receiver`] registered with `App::app_data(receiver)` (or as
/// `web::Data<Receiver>`).
fn receiver(request: &HttpRequest) -> Result<Receiver, WebhookError> {
    request
        .app_data::<Receiver>()
        .cloned()
        .or_else(|| {
            request
                .app_data::<web::Data<Receiver>>()
                .map(|data| Receiver::clone(data))
        })
        .ok_or_else(|| WebhookError(Answer::misconfigured()))
}

/// A POST body verified against the App Secrets and parsed. Needs the
/// [`Receiver`] in the app data (`App::app_data(receiver)`).
///
/// The receiver's own handler is not called: your handler decides what to do
/// and answers (answer 200 quickly). Bodies that are verified but not
/// Instagram envelopes go to the receiver's rejected-payload hook and are
/// answered 200 by the error. actix-web's payload size limits do not apply;
/// the receiver's body limit does.
///
/// ```no_run
/// use actix_web::{HttpResponse, post};
/// use instagram_webhook_actix_web::VerifiedDelivery;
///
/// #[post("/webhook")]
/// async fn webhook(VerifiedDelivery(delivery): VerifiedDelivery) -> HttpResponse {
///     for event in delivery.events().iter().flatten() {
///         println!("{}", event.kind().as_str());
///     }
///     HttpResponse::Ok().finish()
/// }
/// ```
#[derive(Debug)]
pub struct VerifiedDelivery(pub Delivery);

impl FromRequest for VerifiedDelivery {
    type Error = WebhookError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let payload = payload.take();
        Box::pin(async move {
            let receiver = receiver(&request)?;
            let head = translate::head(&request);
            Ok(Self(receiver.receive(&head, ActixBody(payload)).await?))
        })
    }
}

/// A verified handshake (GET): responding with it sends the challenge back.
/// Fails with 400 or 403 as the core decides.
///
/// ```no_run
/// use actix_web::get;
/// use instagram_webhook_actix_web::Handshake;
///
/// #[get("/webhook")]
/// async fn subscribe(handshake: Handshake) -> Handshake {
///     handshake
/// }
/// ```
#[derive(Debug)]
pub struct Handshake {
    challenge: Challenge,
}

impl Handshake {
    /// The challenge Meta sent, verbatim.
    pub fn challenge(&self) -> &str {
        self.challenge.as_str()
    }
}

impl FromRequest for Handshake {
    type Error = WebhookError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(receiver(request).and_then(|receiver| {
            receiver
                .handshake(&translate::head(request))
                .map(|challenge| Self { challenge })
                .map_err(WebhookError)
        }))
    }
}

impl Responder for Handshake {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        translate::response(&Answer::from(self.challenge))
    }
}
