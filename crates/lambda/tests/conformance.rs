//! The conformance suite through Lambda event JSON of every HTTP trigger
//! type, deserialized by `lambda_http` and fed to the adapter.

mod events;

use events::{Trigger, event};
use instagram_webhook_conformance::{Case, conformance_tests, harness};

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
            let response = events::answer(&receiver, request).await;
            eprintln!("{} via {trigger:?}: {}", case.name, response.status);
            case.verify(&response, &recorder.take());
        });
    }
}

conformance_tests!(run);
