//! The HTTP contract of instagram-webhook, written once as test cases and run
//! against every adapter over its real transport.
//!
//! An adapter's test file builds a receiver with [`harness`], serves it, and
//! hands [`conformance_tests!`] a function that sends one [`TestRequest`] and
//! returns the [`TestResponse`]: the macro writes one `#[test]` per case.
//! Each case checks the answer (status, headers, body) and what the
//! application saw (deliveries handed to the handler, payloads handed to the
//! rejected-payload hook).

mod accounting;
mod cases;
mod deliveries;
mod harness;
mod hostile;
mod http_client;
mod raw_http;
mod wire;

pub use accounting::{ACCOUNTING_DELIVERIES, AccountingPlan, IN_FLIGHT, accounting_plan, send_all};
pub use cases::{Case, all, assert_complete, by_name};
pub use deliveries::{comment_delivery, signed_post};
pub use harness::{
    APP_SECRET, BODY_LIMIT, FAILING_ACCOUNT, OLD_APP_SECRET, PATH, Recorded, Recorder,
    VERIFY_TOKEN, harness,
};
pub use hostile::{
    AfterAnswer, Exchange, HostileCase, ServerLimits, Transport, all_hostile,
    assert_hostile_complete, hostile_case,
};
pub use http_client::send_http;
pub use raw_http::{LAST_CHUNK, RawConnection, chunk, head_bytes, request_bytes, send_raw};
pub use wire::{TestRequest, TestResponse};

/// Writes one `#[test]` per conformance case. `$run` is a function
/// `fn(Case)` that serves a fresh [`harness`] on the adapter's transport,
/// sends [`Case::request`], and calls [`Case::verify`].
#[macro_export]
macro_rules! conformance_tests {
    ($run:path) => {
        $crate::conformance_tests!(@each $run;
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
            put_not_allowed,
        );
    };
    (@each $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::by_name(stringify!($case)));
            }
        )*

        #[test]
        fn conformance_suite_is_complete() {
            $crate::assert_complete(&[$(stringify!($case)),*]);
        }
    };
}

/// Writes one `#[test]` per case of the hostile-input battery. `$run` is a
/// function `fn(HostileCase)` that serves a fresh [`harness`] on the
/// adapter's transport, plays the case
/// ([`HostileCase::exchange_with_server`], or the
/// [`HostileCase::event_request`] as an event), and calls
/// [`HostileCase::verify`].
#[macro_export]
macro_rules! hostile_tests {
    ($run:path) => {
        $crate::hostile_tests!(@each $run;
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
            chunked_exactly_at_limit,
            chunked_one_over_limit,
            chunked_past_limit_unending,
            slow_body,
            stalled_head,
            stalled_body,
        );
    };
    (@each $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::hostile_case(stringify!($case)));
            }
        )*

        #[test]
        fn hostile_battery_is_complete() {
            $crate::assert_hostile_complete(&[$(stringify!($case)),*]);
        }
    };
}
