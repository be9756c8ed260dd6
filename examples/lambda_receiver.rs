//! The receiver as an AWS Lambda function (API Gateway REST or HTTP API,
//! Function URL, ALB). It polls the Lambda Runtime API named by
//! `AWS_LAMBDA_RUNTIME_API`, so it runs inside Lambda or under a local
//! emulator such as `cargo lambda watch`.

use std::convert::Infallible;

use instagram_webhook_examples::{
    app_secrets, init_logs, print_events, print_rejected, verify_token,
};
use instagram_webhook_lambda::{Delivery, Receiver, RejectedPayload, Verifier, VerifyToken};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    init_logs();
    let receiver = Receiver::builder(
        // Several secrets, comma-separated, during a rotation.
        Verifier::from_comma_separated(&app_secrets())?,
        VerifyToken::new(verify_token())?,
    )
    // Every verified delivery; an error here answers 500 and Meta retries.
    .handler(|delivery: Delivery| async move {
        print_events(&delivery);
        Ok::<(), Infallible>(())
    })
    // Verified bodies that are not Instagram envelopes (answered 200).
    .on_rejected(|payload: RejectedPayload| async move { print_rejected(&payload) })
    .build();
    instagram_webhook_lambda::run(receiver).await
}
