//! The Lambda function: the receive pipeline as a `lambda_http` service.

use std::convert::Infallible;

use instagram_webhook_core::receive::Receiver;
use lambda_http::{Body, Request, Response};

use crate::translate;

/// Answers one request from any HTTP trigger (API Gateway REST or HTTP API,
/// Function URL, ALB) as the receive pipeline decides.
///
/// ```
/// use instagram_webhook_lambda::{AppSecret, Delivery, Receiver, Verifier, VerifyToken, respond};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let receiver = Receiver::builder(
///     Verifier::new(AppSecret::new("app-secret")?),
///     VerifyToken::new("verify-token")?,
/// )
/// .handler(|_: Delivery| async { Ok::<(), std::convert::Infallible>(()) })
/// .build();
///
/// let event = r#"{
///     "version": "2.0", "routeKey": "$default", "rawPath": "/webhook",
///     "rawQueryString": "hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=42",
///     "headers": {}, "isBase64Encoded": false,
///     "requestContext": {"accountId": "1", "apiId": "a", "domainName": "x.lambda-url.us-east-1.on.aws",
///         "domainPrefix": "x", "http": {"method": "GET", "path": "/webhook", "protocol": "HTTP/1.1",
///         "sourceIp": "127.0.0.1", "userAgent": "facebookexternalua"}, "requestId": "r",
///         "routeKey": "$default", "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0}
/// }"#;
/// let response = respond(&receiver, lambda_http::request::from_str(event)?).await;
/// assert_eq!(response.status(), 200);
/// # Ok(())
/// # }
/// ```
pub async fn respond(receiver: &Receiver, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let head = translate::head(&parts);
    translate::response(receiver.serve(&head, translate::body(body)).await)
}

/// Runs the Lambda function: polls the Lambda Runtime API
/// (`AWS_LAMBDA_RUNTIME_API`) and answers every event with [`respond`].
///
/// ```no_run
/// use instagram_webhook_lambda::{AppSecret, Delivery, Receiver, Verifier, VerifyToken};
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_http::Error> {
///     let receiver = Receiver::builder(
///         Verifier::from_comma_separated(&std::env::var("INSTAGRAM_APP_SECRET")?)?,
///         VerifyToken::new(std::env::var("INSTAGRAM_VERIFY_TOKEN")?)?,
///     )
///     .handler(|delivery: Delivery| async move {
///         println!("{} events", delivery.events().len());
///         Ok::<(), std::convert::Infallible>(())
///     })
///     .build();
///     instagram_webhook_lambda::run(receiver).await
/// }
/// ```
///
/// # Errors
/// When the Lambda runtime fails (for example outside Lambda, without
/// `AWS_LAMBDA_RUNTIME_API`).
pub async fn run(receiver: Receiver) -> Result<(), lambda_http::Error> {
    lambda_http::run(lambda_http::service_fn(move |request: Request| {
        let receiver = receiver.clone();
        async move { Ok::<_, Infallible>(respond(&receiver, request).await) }
    }))
    .await
}
