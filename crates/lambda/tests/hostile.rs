//! The hostile-input battery through Lambda event JSON of every HTTP
//! trigger type, deserialized by `lambda_http` and fed to the adapter.
//!
//! Cases about connections (chunked, slow and stalled bodies, a head
//! without its body) and bytes a JSON event cannot represent (invalid UTF-8
//! in a header or the query, NUL in a header) are declared not run, each
//! with its reason; the battery checks that exactly those cannot pass here.
//! Everything an event can carry runs on every trigger type.

mod events;

use std::panic::{AssertUnwindSafe, catch_unwind};

use events::{Trigger, event};
use instagram_webhook_conformance::{
    Exchange, HostileCase, HostileObservation, Transport, harness, hostile_tests,
};
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

/// One observation per trigger type whose event `lambda_http` decodes;
/// none for a case no event can carry.
fn run(case: &HostileCase) -> Vec<HostileObservation> {
    let Ok(request) = case.event_request() else {
        return Vec::new();
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut observations = Vec::new();
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
        observations.push(runtime.block_on(async {
            let (receiver, recorder) = harness();
            let response = events::answer(&receiver, request).await;
            HostileObservation::new(
                format!("{trigger:?}"),
                Transport::Event,
                Exchange::answered(Some(response)),
                recorder.take(),
            )
        }));
    }
    observations
}

// An event has no connection: API Gateway, the Function URL or the ALB
// reads the whole request, under its own limits and timeouts, before the
// function runs, and hands it over whole, with no transfer coding
// (`body_exactly_at_limit` and `body_one_over_limit` cover the limit).
hostile_tests!(
    run,
    not_run {
        signature_invalid_utf8: "JSON cannot carry invalid UTF-8 in a header",
        signature_nul_byte: "lambda_http refuses NUL in a header on every trigger: the function never runs",
        query_raw_invalid_utf8: "JSON cannot carry invalid UTF-8 in the query",
        head_only_over_limit: "an event has no connection: the trigger reads the whole request first",
        chunked_exactly_at_limit: "an event carries the body whole, with no transfer coding",
        chunked_one_over_limit: "an event carries the body whole, with no transfer coding",
        chunked_past_limit_unending: "an event carries the body whole, with no transfer coding",
        slow_body: "an event has no connection: the trigger reads the whole request first",
        stalled_head: "an event has no connection: the trigger reads the whole request first",
        stalled_body: "an event has no connection: the trigger reads the whole request first",
        body_past_deadline: "an event has no connection: the trigger reads the whole request first",
        many_slow_bodies: "an event has no connection: the trigger reads the whole request first",
    }
);
