//! Extractors: a verified delivery for POST handlers, the handshake for GET.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use instagram_webhook_core::Challenge;
use instagram_webhook_core::receive::{Answer, Delivery, Receiver};

use crate::rejection::WebhookRejection;
use crate::translate::{self, AxumBody};

/// A POST body verified against the App Secrets and parsed: use it as the
/// last argument of your own handler. Needs a [`Receiver`] in the router
/// state (directly or through [`FromRef`]).
///
/// The [`Receiver`]'s own handler is not called: your handler decides what
/// to do and answers (answer 200 quickly). Bodies that are verified but not
/// Instagram envelopes go to the receiver's rejected-payload hook and are
/// answered 200 by the rejection.
///
/// ```no_run
/// use axum::{Router, http::StatusCode, routing::post};
/// use instagram_webhook_axum::{Receiver, VerifiedDelivery};
///
/// async fn webhook(VerifiedDelivery(delivery): VerifiedDelivery) -> StatusCode {
///     for event in delivery.events().iter().flatten() {
///         println!("{}", event.kind().as_str());
///     }
///     StatusCode::OK
/// }
///
/// # fn app(receiver: Receiver) -> Router {
/// Router::new().route("/webhook", post(webhook)).with_state(receiver)
/// # }
/// ```
#[derive(Debug)]
pub struct VerifiedDelivery(pub Delivery);

impl<S> FromRequest<S> for VerifiedDelivery
where
    S: Send + Sync,
    Receiver: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let (parts, body) = request.into_parts();
        let head = translate::head(&parts);
        Ok(Self(receiver.receive(&head, AxumBody(body)).await?))
    }
}

/// A verified handshake (GET): answering with it sends the challenge back.
/// Rejected with 400 or 403 as the core decides.
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use instagram_webhook_axum::{Handshake, Receiver};
///
/// async fn subscribe(handshake: Handshake) -> Handshake {
///     handshake
/// }
///
/// # fn app(receiver: Receiver) -> Router {
/// Router::new().route("/webhook", get(subscribe)).with_state(receiver)
/// # }
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

impl<S> FromRequestParts<S> for Handshake
where
    S: Send + Sync,
    Receiver: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        match receiver.handshake(&translate::head(parts)) {
            Ok(challenge) => Ok(Self { challenge }),
            Err(answer) => Err(answer.into()),
        }
    }
}

impl IntoResponse for Handshake {
    fn into_response(self) -> Response {
        translate::response(Answer::from(self.challenge))
    }
}
