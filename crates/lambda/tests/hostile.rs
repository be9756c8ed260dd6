//! The hostile-input battery through Lambda event JSON of every HTTP
//! trigger type, deserialized by `lambda_http` and fed to the adapter.
//!
//! Cases about connections (chunked, slow and stalled bodies) and bytes a
//! JSON event cannot represent (invalid UTF-8 in a header or the query) are
//! not run: each says why ([`HostileCase::event_request`]), and the reason
//! is printed. Everything an event can carry runs on all six triggers.

mod events;

use std::panic::{AssertUnwindSafe, catch_unwind};

use events::{Trigger, event};
use instagram_webhook_conformance::{Exchange, HostileCase, Transport, harness, hostile_tests};
use lambda_http::Request;

/// Events `lambda_http` cannot turn into a request at all: the function
/// never runs (the Lambda runtime reports the error and the trigger answers
/// 502). This is `lambda_http`'s behaviour, before this crate; it is
/// asserted so that a change upstream shows up here.
fn refused_by_lambda_http(case: &str, trigger: Trigger) -> bool {
    match case {
        // `http::HeaderValue` refuses NUL: the event does not deserialize.
        "signature_nul_byte" => true,
        // lambda_http 1.3 builds the URI from an HTTP API's `rawQueryString`
        // unchecked and panics on a byte `http::Uri` refuses.
        "query_raw_nul" => matches!(
            trigger,
            Trigger::HttpApiV2 | Trigger::FunctionUrl | Trigger::HttpApiV2Base64
        ),
        _ => false,
    }
}

/// The request `lambda_http` makes of the event JSON, or why it makes none
/// (an error, or a panic caught here).
fn decode(json: &str) -> Result<Request, String> {
    match catch_unwind(AssertUnwindSafe(|| lambda_http::request::from_str(json))) {
        Ok(Ok(request)) => Ok(request),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("lambda_http panicked".to_owned()),
    }
}

fn run(case: HostileCase) {
    let request = match case.event_request() {
        Ok(request) => request,
        Err(reason) => {
            eprintln!("{}: not run on Lambda: {reason}", case.name);
            return;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for trigger in Trigger::ALL {
        let decoded = decode(&event(trigger, &request));
        if refused_by_lambda_http(case.name, trigger) {
            let problem = decoded.expect_err("lambda_http now accepts this event: run the case");
            eprintln!(
                "{} via {trigger:?}: refused by lambda_http: {problem}",
                case.name
            );
            continue;
        }
        let request =
            decoded.unwrap_or_else(|error| panic!("{trigger:?} event does not decode: {error}"));
        runtime.block_on(async {
            let (receiver, recorder) = harness();
            let response = events::answer(&receiver, request).await;
            eprintln!("{} via {trigger:?}: {}", case.name, response.status);
            let exchange = Exchange::answered(Some(response));
            case.verify(&Transport::Event, &exchange, &recorder.take());
        });
    }
}

hostile_tests!(run);
