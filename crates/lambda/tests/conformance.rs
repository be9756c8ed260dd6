//! The conformance suite through Lambda event JSON of every HTTP trigger
//! type, deserialized by `lambda_http` and fed to the adapter.

mod events;

use events::{Trigger, event};
use instagram_webhook_conformance::{Observation, TestRequest, conformance_tests, harness};

/// One observation per trigger type.
fn run(request: &TestRequest) -> Vec<Observation> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    Trigger::ALL
        .into_iter()
        .map(|trigger| {
            runtime.block_on(async {
                let (receiver, recorder) = harness();
                let json = event(trigger, request);
                let request = lambda_http::request::from_str(&json).unwrap_or_else(|error| {
                    panic!("{trigger:?} event does not deserialize: {error}")
                });
                let response = events::answer(&receiver, request).await;
                Observation::new(format!("{trigger:?}"), response, recorder.take())
            })
        })
        .collect()
}

conformance_tests!(run);
