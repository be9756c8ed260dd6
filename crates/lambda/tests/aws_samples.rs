//! Lambda events as AWS records them (`tests/aws-events/`, see
//! [`samples`]), decoded by `lambda_http` and answered by the adapter: the
//! handshake of every trigger type gets its challenge back, the signed POST
//! reaches the handler byte for byte, a tampered one is refused.

mod samples;

use instagram_webhook_conformance::harness;
use instagram_webhook_lambda::types::EventKind;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use samples::{Origin, Sample};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn body_bytes(body: &Body) -> &[u8] {
    match body {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    }
}

/// The fixture is the event type it claims to be, in the form it claims.
fn assert_origin(sample: &Sample, request: &lambda_http::Request) {
    let context = request
        .request_context_ref()
        .unwrap_or_else(|| panic!("{}: no request context", sample.file));
    let recognised = match (sample.origin, context) {
        (Origin::ApiGatewayV1, RequestContext::ApiGatewayV1(_))
        | (Origin::ApiGatewayV2, RequestContext::ApiGatewayV2(_)) => true,
        (Origin::Alb { multi_value }, RequestContext::Alb(_)) => {
            let event: serde_json::Value = serde_json::from_str(&sample.event).expect("JSON");
            let has = |key: &str| event.get(key).is_some();
            multi_value == has("multiValueHeaders")
                && multi_value == has("multiValueQueryStringParameters")
                && multi_value != has("headers")
                && multi_value != has("queryStringParameters")
        }
        _ => false,
    };
    assert!(
        recognised,
        "{}: lambda_http reads it as {context:?}",
        sample.file
    );
}

#[test]
fn recorded_events_get_the_contract_answers() {
    let runtime = runtime();
    let samples = samples::all();
    assert_eq!(samples.len(), 10);
    for sample in samples {
        let request = lambda_http::request::from_str(&sample.event)
            .unwrap_or_else(|error| panic!("{}: does not decode: {error}", sample.file));
        assert_origin(&sample, &request);
        let (receiver, recorder) = harness();
        let response = runtime.block_on(instagram_webhook_lambda::respond(&receiver, request));
        let file = sample.file;
        assert_eq!(response.status(), sample.status, "{file}");
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .map(|value| value.as_bytes()),
            Some(b"text/plain; charset=utf-8".as_slice()),
            "{file}"
        );
        assert_eq!(
            response.headers().len(),
            1,
            "{file}: {:?}",
            response.headers()
        );
        if let Some(body) = sample.body {
            assert_eq!(body_bytes(response.body()), body.as_bytes(), "{file}");
        }
        let recorded = recorder.take();
        assert!(recorded.rejected.is_empty(), "{file}");
        match &sample.delivered {
            None => assert!(recorded.deliveries.is_empty(), "{file}"),
            Some(body) => {
                assert_eq!(recorded.deliveries.len(), 1, "{file}");
                let delivery = &recorded.deliveries[0];
                assert_eq!(delivery.body(), body, "{file}: the bytes Meta signed");
                assert_eq!(delivery.events().len(), 1, "{file}");
                let event = delivery.events()[0].as_ref().expect("a decoded event");
                assert_eq!(event.kind(), EventKind::Comment, "{file}");
                assert_eq!(event.account_id().as_str(), "17841421930215757", "{file}");
            }
        }
    }
}

#[test]
fn tampered_recorded_posts_are_refused() {
    let runtime = runtime();
    for sample in samples::all() {
        if sample.delivered.is_none() {
            continue;
        }
        let file = sample.file;
        // The comment's text, inside the body: the signature no longer fits.
        let tampered = sample
            .event
            .replacen(r#"\"text\":\"Link\""#, r#"\"text\":\"Linc\""#, 1);
        assert_ne!(
            tampered, sample.event,
            "{file}: the comment's text is in the body"
        );
        let (receiver, recorder) = harness();
        let request = lambda_http::request::from_str(&tampered).expect("decodes");
        let response = runtime.block_on(instagram_webhook_lambda::respond(&receiver, request));
        assert_eq!(response.status(), 401, "{file}");
        let recorded = recorder.take();
        assert!(
            recorded.deliveries.is_empty() && recorded.rejected.is_empty(),
            "{file}"
        );
    }
}

#[test]
fn recorded_handshakes_with_a_wrong_token_are_forbidden() {
    let runtime = runtime();
    for sample in samples::all() {
        if sample.body.is_none() {
            continue;
        }
        let file = sample.file;
        // Decoded (REST, HTTP API map) or still encoded (ALB, raw query).
        let wrong = sample
            .event
            .replace("verify token/é&=", "verify token/e&=")
            .replace("verify+token%2F%C3%A9%26%3D", "verify+token%2Fe%26%3D");
        assert_ne!(wrong, sample.event, "{file}: the token is in the query");
        let (receiver, recorder) = harness();
        let request = lambda_http::request::from_str(&wrong).expect("decodes");
        let response = runtime.block_on(instagram_webhook_lambda::respond(&receiver, request));
        assert_eq!(response.status(), 403, "{file}");
        assert_ne!(
            body_bytes(response.body()),
            samples::CHALLENGE.as_bytes(),
            "{file}"
        );
        assert!(recorder.take().deliveries.is_empty(), "{file}");
    }
}
