//! The receiver as an AWS Lambda function (API Gateway REST or HTTP API,
//! Function URL, ALB). It polls the Lambda Runtime API named by
//! `AWS_LAMBDA_RUNTIME_API`, so it runs inside Lambda or under a local
//! emulator such as `cargo lambda watch`.

use instagram_webhook_examples::{init_logs, printing_receiver};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    init_logs();
    let receiver = printing_receiver()?;
    instagram_webhook_lambda::run(receiver).await
}
