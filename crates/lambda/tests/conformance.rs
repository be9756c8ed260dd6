//! The conformance suite through Lambda event JSON of every HTTP trigger
//! type, deserialized by `lambda_http` and fed to the adapter.

mod events;

use bytes::Bytes;
use events::{Trigger, event};
use instagram_webhook_conformance::{Case, TestResponse, conformance_tests, harness};
use lambda_http::Body;

fn run(case: Case) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for trigger in Trigger::ALL {
        runtime.block_on(async {
            let (receiver, recorder) = harness();
            let json = event(trigger, &case.request);
            let request = lambda_http::request::from_str(&json)
                .unwrap_or_else(|error| panic!("{trigger:?} event does not deserialize: {error}"));
            let response = instagram_webhook_lambda::respond(&receiver, request).await;
            let response = TestResponse {
                status: response.status().as_u16(),
                headers: response
                    .headers()
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.as_str().to_owned(),
                            String::from_utf8_lossy(value.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body: match response.into_body() {
                    Body::Text(text) => Bytes::from(text),
                    Body::Binary(bytes) => Bytes::from(bytes),
                    _ => Bytes::new(),
                },
            };
            eprintln!("{} via {trigger:?}: {}", case.name, response.status);
            case.verify(&response, &recorder.take());
        });
    }
}

conformance_tests!(run);
