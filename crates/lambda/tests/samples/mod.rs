//! Lambda events recorded from AWS, adapted to carry Meta's requests: the
//! files in `tests/aws-events/`.
//!
//! Each keeps the structure of the recorded event it is based on (every
//! `requestContext` field, header spelling and map shape) and changes only
//! the request: Meta's handshake query, or Meta's signed POST of a live
//! comment capture (`comments__capture-hmac-script__reels.json` of the
//! shared corpus, byte for byte). Based on:
//!
//! | file | recorded event |
//! |---|---|
//! | `apigw-rest-v1-*.json` | `aws_lambda_events` 1.2 `src/fixtures/example-apigw-request.json` |
//! | `apigw-http-v2-*.json` | `aws_lambda_events` 1.2 `src/fixtures/example-apigw-v2-request-no-authorizer.json` |
//! | `function-url-*.json` | `lambda_http` 1.3 `tests/data/lambda_function_url_request.json` (`aws_lambda_events` has none) |
//! | `alb-single-value-*.json` | `aws_lambda_events` 1.2 `src/fixtures/example-alb-lambda-target-request-headers-only.json` |
//! | `alb-multi-value-*.json` | `aws_lambda_events` 1.2 `src/fixtures/example-alb-lambda-target-request-multivalue-headers.json` |
//!
//! As each service really sends them: API Gateway REST decodes the query
//! into both maps and keeps header names as the client spelled them; HTTP
//! APIs and Function URLs pass `rawQueryString` as received and lowercase
//! header names; ALB passes the query still percent-encoded, single-valued
//! unless multi-value headers are enabled on the target group.
//!
//! The `X-Hub-Signature-256` value is a placeholder the test replaces with
//! the HMAC of the event's body under the harness's App Secret. The legacy
//! `X-Hub-Signature` (SHA-1) is there as Meta sends it; nothing checks it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use instagram_webhook_conformance::APP_SECRET;
use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::sign;
use serde_json::Value;

/// Where a recorded signature goes.
const UNSIGNED: &str = "sha256=<signed at test time over the body>";

/// The challenge of every recorded handshake.
pub(crate) const CHALLENGE: &str = "1158201444";

/// Which response format the trigger expects back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// API Gateway REST (payload 1.0): `multiValueHeaders`.
    ApiGatewayV1,
    /// API Gateway HTTP API or Function URL (payload 2.0): `headers`, `cookies`.
    ApiGatewayV2,
    /// ALB: `statusDescription`, and `headers` or `multiValueHeaders` as the
    /// target group is set.
    Alb {
        /// Multi-value headers enabled on the target group.
        multi_value: bool,
    },
}

/// One recorded event and what the function must make of it.
#[derive(Debug)]
pub(crate) struct Sample {
    /// The fixture's file name.
    pub(crate) file: &'static str,
    /// The trigger type that sends it.
    pub(crate) origin: Origin,
    /// The event JSON, signed.
    pub(crate) event: String,
    /// The status of the answer.
    pub(crate) status: u16,
    /// The body of the answer, when it is the request's to decide (the
    /// challenge); `None` for the receiver's acknowledgement.
    pub(crate) body: Option<&'static str>,
    /// The body the handler must receive, byte for byte.
    pub(crate) delivered: Option<Bytes>,
}

macro_rules! fixture {
    ($file:literal, $origin:expr) => {
        (
            $file,
            $origin,
            include_str!(concat!("../aws-events/", $file)),
        )
    };
}

/// Every recorded event, signed.
///
/// # Panics
/// When a fixture is not the event it should be (a test bug).
pub(crate) fn all() -> Vec<Sample> {
    let single = Origin::Alb { multi_value: false };
    let multi = Origin::Alb { multi_value: true };
    [
        fixture!("apigw-rest-v1-handshake.json", Origin::ApiGatewayV1),
        fixture!("apigw-rest-v1-post.json", Origin::ApiGatewayV1),
        fixture!("apigw-http-v2-handshake.json", Origin::ApiGatewayV2),
        fixture!("apigw-http-v2-post.json", Origin::ApiGatewayV2),
        fixture!("function-url-handshake.json", Origin::ApiGatewayV2),
        fixture!("function-url-post.json", Origin::ApiGatewayV2),
        fixture!("alb-single-value-handshake.json", single),
        fixture!("alb-single-value-post.json", single),
        fixture!("alb-multi-value-handshake.json", multi),
        fixture!("alb-multi-value-post.json", multi),
    ]
    .into_iter()
    .map(|(file, origin, json)| sample(file, origin, json))
    .collect()
}

fn sample(file: &'static str, origin: Origin, json: &str) -> Sample {
    let event: Value = serde_json::from_str(json).unwrap_or_else(|error| panic!("{file}: {error}"));
    let method = event["httpMethod"]
        .as_str()
        .or_else(|| event["requestContext"]["http"]["method"].as_str())
        .unwrap_or_else(|| panic!("{file}: no method"));
    if method == "GET" {
        assert!(
            !json.contains(UNSIGNED),
            "{file}: a handshake carries no signature"
        );
        return Sample {
            file,
            origin,
            event: json.to_owned(),
            status: 200,
            body: Some(CHALLENGE),
            delivered: None,
        };
    }
    let text = event["body"]
        .as_str()
        .unwrap_or_else(|| panic!("{file}: no body"));
    let body = if event["isBase64Encoded"] == Value::Bool(true) {
        Bytes::from(STANDARD.decode(text).expect("base64 body"))
    } else {
        Bytes::copy_from_slice(text.as_bytes())
    };
    assert!(json.contains(UNSIGNED), "{file}: no signature to fill in");
    let signature = sign(&AppSecret::new(APP_SECRET).expect("constant secret"), &body);
    Sample {
        file,
        origin,
        event: json.replace(UNSIGNED, &signature),
        status: 200,
        body: None,
        delivered: Some(body),
    }
}
