//! The HTTP contract of instagram-webhook, written once as test cases and run
//! against every adapter over its real transport.
//!
//! An adapter's test file builds a receiver with [`harness`], serves it, and
//! hands [`conformance_tests!`] (and [`hostile_tests!`]) a function that
//! sends one case's request and returns what it observed: the macro writes
//! one `#[test]` per case and checks the observations itself. Each case
//! checks the answer (status, headers, body) and what the application saw
//! (deliveries handed to the handler, payloads handed to the
//! rejected-payload hook). An adapter declares the cases it cannot run, with
//! the reason, and the suite checks that declaration both ways.

mod accounting;
pub mod cases;
mod checks;
pub mod forwarded_cert;
mod harness;
pub mod hostile;
mod http_client;
pub mod mtls;
pub mod multi_app;
mod raw_http;
mod requests;
mod wire;

pub use accounting::{ACCOUNTING_DELIVERIES, AccountingPlan, IN_FLIGHT, accounting_plan, send_all};
pub use cases::{Case, Observation, all, by_name};
pub use harness::{
    APP_SECRET, BODY_DEADLINE, BODY_LIMIT, BUFFER_LIMIT, FAILING_ACCOUNT, OLD_APP_SECRET, PATH,
    REPLAY_WINDOW, Recorded, Recorder, STALE_ENTRY_TIME, VERIFY_TOKEN, harness, harness_with,
};
pub use hostile::{
    AfterAnswer, Exchange, HostileCase, HostileObservation, ServerLimits, Transport, all_hostile,
    hostile_case,
};
pub use http_client::send_http;
pub use raw_http::{LAST_CHUNK, RawConnection, chunk, head_bytes, request_bytes, send_raw};
pub use requests::{comment_delivery, signed_bytes, signed_post};
pub use wire::{TestRequest, TestResponse};

/// Writes one `#[test]` per conformance case the adapter runs, and two
/// tests of the suite itself.
///
/// `$run` is a function `fn(&TestRequest) -> Vec<Observation>`: it serves a
/// fresh [`harness`] on the adapter's transport, sends the request (over
/// every variant of the transport, such as Lambda's trigger types) and
/// returns what it observed. The generated test checks every observation
/// against the case, and fails when there is none: a runner cannot pass a
/// case by not running it.
///
/// Cases the adapter cannot pass are declared with the reason, and get no
/// test of their own: `conformance_tests!(run, not_run { put_not_allowed:
/// "the application's router answers other methods" })`. The generated
/// `conformance_not_run_is_exact` test runs each of them and fails if one
/// now passes, and `conformance_suite_is_complete` fails if the macro's
/// list and the suite's cases differ.
#[macro_export]
macro_rules! conformance_tests {
    ($run:path $(, not_run { $($skip:ident : $reason:literal),* $(,)? })? $(,)?) => {
        $crate::__suite_tests!($ cases; __conformance_case; $run;
            conformance_suite_is_complete, conformance_not_run_is_exact;
            [$($($skip : $reason),*)?];
            handshake_ok,
            handshake_percent_encoded_challenge,
            handshake_wrong_token,
            handshake_wrong_mode,
            handshake_missing_parameters,
            post_valid,
            post_missing_signature,
            post_malformed_signature,
            post_sha1_only,
            post_wrong_secret,
            post_rotated_secret,
            post_non_ascii_meta_escaped,
            post_over_limit,
            post_batch_of_1000,
            post_unknown_field,
            post_verified_invalid_json,
            post_handler_error,
            post_stale_entry_time,
            put_not_allowed,
        );
    };
}

/// Writes one `#[test]` per case of the hostile-input battery the adapter
/// runs, and two tests of the battery itself.
///
/// `$run` is a function `fn(&HostileCase) -> Vec<HostileObservation>`: it
/// serves a fresh [`harness`] on the adapter's transport, plays the case
/// ([`HostileCase::exchange_with_server`], or the
/// [`HostileCase::event_request`] as an event) and returns what it
/// observed. As with [`conformance_tests!`], every observation is checked,
/// none at all fails the test, and the cases the adapter cannot run are
/// declared with their reason in `not_run { ... }` and checked to be exactly
/// those (`hostile_not_run_is_exact`, `hostile_battery_is_complete`).
#[macro_export]
macro_rules! hostile_tests {
    ($run:path $(, not_run { $($skip:ident : $reason:literal),* $(,)? })? $(,)?) => {
        $crate::__suite_tests!($ hostile; __hostile_case; $run;
            hostile_battery_is_complete, hostile_not_run_is_exact;
            [$($($skip : $reason),*)?];
            signature_header_100kb,
            signature_header_100kb_folded_valid_last,
            signature_headers_1000_valid_last,
            signature_headers_64_valid_last,
            signature_non_ascii,
            signature_invalid_utf8,
            signature_nul_byte,
            signature_63_hex,
            signature_65_hex,
            signature_64_non_hex,
            signature_uppercase_hex,
            empty_body_signed,
            query_non_ascii_percent_encoded,
            query_invalid_utf8_percent_encoded_challenge,
            query_invalid_utf8_percent_encoded_token,
            query_nul_percent_encoded,
            query_raw_non_ascii,
            query_raw_invalid_utf8,
            query_raw_nul,
            body_nul_bytes,
            body_nul_escaped,
            json_nested_100000,
            json_nested_100000_in_items,
            array_1000000_empty_objects,
            number_10000_digits,
            number_10000_digits_in_envelope,
            duplicate_keys_in_envelope,
            duplicate_keys_in_change,
            duplicate_keys_in_messaging_item,
            body_exactly_at_limit,
            body_one_over_limit,
            head_only_over_limit,
            chunked_exactly_at_limit,
            chunked_one_over_limit,
            chunked_past_limit_unending,
            slow_body,
            body_past_deadline,
            many_slow_bodies,
            stalled_head,
            stalled_body,
        );
    };
}

/// The shared body of [`conformance_tests!`] and [`hostile_tests!`]: a
/// local macro with one arm per case not run (expanding to nothing) and a
/// catch-all arm writing the case's test, applied to every case. `$d` is a
/// literal `$`, so the local macro can have metavariables of its own.
#[doc(hidden)]
#[macro_export]
macro_rules! __suite_tests {
    ($d:tt $suite:ident; $local:ident; $run:path; $complete:ident, $exact:ident;
     [$($skip:ident : $reason:literal),*]; $($case:ident),* $(,)?) => {
        macro_rules! $local {
            $( ($skip) => {}; )*
            ($d name:ident) => {
                #[test]
                fn $d name() {
                    $crate::$suite::run_case(stringify!($d name), $run);
                }
            };
        }
        $( $local!($case); )*

        #[test]
        fn $complete() {
            $crate::$suite::assert_complete(&[$(stringify!($case)),*]);
        }

        #[test]
        fn $exact() {
            $crate::$suite::assert_not_run(&[$((stringify!($skip), $reason)),*], $run);
        }
    };
}

#[cfg(test)]
mod tests {
    /// The case names the suite macro `name` lists, in order, read from
    /// this file.
    fn listed(name: &str) -> Vec<&'static str> {
        let source = include_str!("lib.rs");
        let start = source
            .find(&format!("macro_rules! {name} {{"))
            .expect("the macro");
        let list = &source[start..];
        let list = &list[list.find("];").expect("the not-run list") + 2..];
        let list = &list[..list.find(");").expect("the end of the list")];
        list.split(',')
            .map(str::trim)
            .filter(|case| !case.is_empty())
            .collect()
    }

    #[test]
    fn the_macros_list_the_cases_in_suite_order() {
        let cases: Vec<&str> = crate::all().iter().map(|case| case.name).collect();
        assert_eq!(listed("conformance_tests"), cases);
        let hostile: Vec<&str> = crate::all_hostile().iter().map(|case| case.name).collect();
        assert_eq!(listed("hostile_tests"), hostile);
    }
}
