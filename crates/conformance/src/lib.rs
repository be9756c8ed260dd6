//! The HTTP contract of instagram-webhook, written once as test cases and run
//! against every adapter over its real transport.
//!
//! An adapter's test file builds a receiver with [`harness`], serves it, and
//! hands [`conformance_tests!`] a function that sends one [`TestRequest`] and
//! returns the [`TestResponse`]: the macro writes one `#[test]` per case.
//! Each case checks the answer (status, headers, body) and what the
//! application saw (deliveries handed to the handler, payloads handed to the
//! rejected-payload hook).

mod cases;
mod deliveries;
mod harness;
mod hostile;
mod http_client;
mod raw_http;
mod wire;

pub use cases::{Case, all, assert_complete, by_name};
pub use deliveries::{comment_delivery, signed_post};
pub use harness::{
    APP_SECRET, BODY_LIMIT, FAILING_ACCOUNT, OLD_APP_SECRET, PATH, Recorded, Recorder,
    VERIFY_TOKEN, harness,
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
