//! Odd and malformed Lambda events never panic the function: they get an
//! answer from the contract or an error from the event decoder.

mod events;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use events::{Trigger, event};
use instagram_webhook_conformance::{APP_SECRET, PATH, TestRequest, harness};
use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::sign;

async fn status_of(json: &str) -> u16 {
    let (receiver, _) = harness();
    let request = lambda_http::request::from_str(json).expect("event decodes");
    events::answer(&receiver, request).await.status
}

#[tokio::test]
async fn events_that_are_not_http_events_are_decoder_errors() {
    for json in [
        "",
        "null",
        "[]",
        "{}",
        "not json",
        r#"{"httpMethod": 5}"#,
        r#"{"version":"2.0"}"#,
    ] {
        assert!(lambda_http::request::from_str(json).is_err(), "{json:?}");
    }
}

#[tokio::test]
async fn minimal_events_get_contract_answers() {
    let get = TestRequest::new("GET", PATH, None);
    for trigger in Trigger::ALL {
        assert_eq!(status_of(&event(trigger, &get)).await, 400, "{trigger:?}");
    }
    let patch = TestRequest::new("PATCH", PATH, Some("hub.mode=subscribe"));
    for trigger in Trigger::ALL {
        assert_eq!(status_of(&event(trigger, &patch)).await, 405, "{trigger:?}");
    }
}

#[tokio::test]
async fn binary_body_is_verified_over_the_decoded_bytes() {
    let body: Vec<u8> = vec![0xff, 0x00, 0xfe, b'{', 0x80];
    let signature = sign(&AppSecret::new(APP_SECRET).unwrap(), &body);
    let request = TestRequest::new("POST", PATH, None)
        .header("x-hub-signature-256", signature)
        .body(body.clone());
    for trigger in [Trigger::HttpApiV2Base64, Trigger::RestV1Base64] {
        let json = event(trigger, &request);
        assert!(json.contains(&STANDARD.encode(&body)));
        let (receiver, recorder) = harness();
        let response = instagram_webhook_lambda::respond(
            &receiver,
            lambda_http::request::from_str(&json).unwrap(),
        )
        .await;
        assert_eq!(response.status(), 200, "{trigger:?}");
        let recorded = recorder.take();
        assert_eq!(recorded.rejected.len(), 1);
        assert_eq!(recorded.rejected[0].body().as_ref(), body.as_slice());
    }
}

#[tokio::test]
async fn repeated_signature_headers_reach_the_verifier() {
    let (receiver, recorder) = harness();
    let body = br#"{"object":"instagram","entry":[]}"#;
    let good = sign(&AppSecret::new(APP_SECRET).unwrap(), body);
    let request = TestRequest::new("POST", PATH, None)
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .header("x-hub-signature-256", good)
        .body(body.as_slice());
    for trigger in [Trigger::RestV1, Trigger::HttpApiV2, Trigger::Alb] {
        let json = event(trigger, &request);
        let response = instagram_webhook_lambda::respond(
            &receiver,
            lambda_http::request::from_str(&json).unwrap(),
        )
        .await;
        assert_eq!(response.status(), 200, "{trigger:?}");
    }
    assert_eq!(recorder.take().deliveries.len(), 3);
}
