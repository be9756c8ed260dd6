//! The signature header: oversized, repeated, folded, non-ASCII, invalid
//! UTF-8, NUL, wrong length, not hex, upper case; and an empty body.

use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{AppSecret, SIGNATURE_HEADER};

use super::{Exchange, HostileCase, Transport, comment_body, status};
use crate::checks::{ensure, nothing_handed_over, one_comment, rejected_exactly};
use crate::harness::{APP_SECRET, PATH, Recorded};
use crate::wire::TestRequest;

/// The signature-header cases, in order.
pub(super) fn cases() -> Vec<HostileCase> {
    vec![
        HostileCase::request(
            "signature_header_100kb",
            || {
                post_with_signatures(
                    comment_body("18000000000000101", "x"),
                    [format!("sha256={}", "f".repeat(100 * 1024 - 7)).into_bytes()],
                )
            },
            unauthorized,
        ),
        HostileCase::request(
            "signature_header_100kb_folded_valid_last",
            folded_signatures,
            |_, exchange, recorded| {
                status(exchange, 200)?;
                one_comment(recorded, "18000000000000102")
            },
        ),
        HostileCase::request(
            "signature_headers_1000_valid_last",
            || many_signatures(THOUSAND_SIGNATURES, "18000000000000103"),
            |transport, exchange, recorded| match transport {
                Transport::Server(limits)
                    if THOUSAND_SIGNATURES + OTHER_LINES > limits.max_header_lines =>
                {
                    status(exchange, 431)?;
                    nothing_handed_over(recorded)
                }
                _ => {
                    status(exchange, 200)?;
                    one_comment(recorded, "18000000000000103")
                }
            },
        ),
        HostileCase::request(
            "signature_headers_64_valid_last",
            || many_signatures(MANY_SIGNATURES, "18000000000000104"),
            |transport, exchange, recorded| {
                if let Transport::Server(limits) = transport {
                    ensure(
                        MANY_SIGNATURES + OTHER_LINES <= limits.max_header_lines,
                        "the case must stay under the server's header-line limit",
                    )?;
                }
                status(exchange, 200)?;
                one_comment(recorded, "18000000000000104")
            },
        ),
        HostileCase::request(
            "signature_non_ascii",
            || {
                post_with_signatures(
                    comment_body("18000000000000105", "x"),
                    [format!("sha256={}", "é".repeat(32)).into_bytes()],
                )
            },
            unauthorized,
        ),
        HostileCase::request_not_event(
            "signature_invalid_utf8",
            || {
                post_with_signatures(
                    comment_body("18000000000000106", "x"),
                    [{
                        let mut value = b"sha256=".to_vec();
                        value.extend_from_slice(&[0xff; 32]);
                        value.extend_from_slice(&[0xc3; 32]);
                        value
                    }],
                )
            },
            "an event carries header values as JSON strings: invalid UTF-8 cannot be represented",
            unauthorized,
        ),
        HostileCase::request(
            "signature_nul_byte",
            || {
                let body = comment_body("18000000000000107", "x");
                let mut value = signature(&body).into_bytes();
                value[40] = 0;
                post_with_signatures(body, [value])
            },
            |transport, exchange, recorded| {
                match transport {
                    // HTTP forbids NUL in a field value: the server refuses the head.
                    Transport::Server(_) => status(exchange, 400)?,
                    // What the receiver answers if an event brings it; today
                    // lambda_http refuses such events (its runner asserts so).
                    Transport::Event => status(exchange, 401)?,
                }
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "signature_63_hex",
            || edited_signature("18000000000000108", |digest| digest[..63].to_owned()),
            unauthorized,
        ),
        HostileCase::request(
            "signature_65_hex",
            || edited_signature("18000000000000109", |digest| format!("{digest}0")),
            unauthorized,
        ),
        HostileCase::request(
            "signature_64_non_hex",
            || {
                edited_signature("18000000000000110", |digest| {
                    digest
                        .chars()
                        .map(|c| if c.is_ascii_digit() { 'x' } else { 'z' })
                        .collect()
                })
            },
            unauthorized,
        ),
        HostileCase::request(
            "signature_uppercase_hex",
            || edited_signature("18000000000000111", str::to_ascii_uppercase),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                one_comment(recorded, "18000000000000111")
            },
        ),
        HostileCase::request(
            "empty_body_signed",
            || post_with_signatures(Vec::new(), [signature(b"").into_bytes()]),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, b"")
            },
        ),
    ]
}

fn secret() -> AppSecret {
    AppSecret::new(APP_SECRET).expect("constant secret")
}

/// The valid `X-Hub-Signature-256` value for `body`.
fn signature(body: &[u8]) -> String {
    sign(&secret(), body)
}

/// A well-formed signature that matches no secret.
fn forged() -> String {
    format!("sha256={}", "0".repeat(64))
}

/// A POST of `body` with these `x-hub-signature-256` lines.
fn post_with_signatures(body: Vec<u8>, values: impl IntoIterator<Item = Vec<u8>>) -> TestRequest {
    let mut request =
        TestRequest::new("POST", PATH, None).header("content-type", "application/json");
    for value in values {
        request = request.header(SIGNATURE_HEADER, value);
    }
    request.body(body)
}

/// Lines of `signature_headers_*` requests besides the signatures: `host`,
/// `content-type`, `content-length`.
const OTHER_LINES: usize = 3;
const MANY_SIGNATURES: usize = 64;
const THOUSAND_SIGNATURES: usize = 1000;

fn many_signatures(count: usize, comment_id: &str) -> TestRequest {
    let body = comment_body(comment_id, "many signatures");
    let valid = signature(&body).into_bytes();
    post_with_signatures(
        body,
        std::iter::repeat_with(|| forged().into_bytes())
            .take(count - 1)
            .chain([valid]),
    )
}

fn folded_signatures() -> TestRequest {
    let body = comment_body("18000000000000102", "folded");
    let mut value = String::new();
    while value.len() < 100 * 1024 {
        value.push_str(&forged());
        value.push(',');
    }
    value.push_str(&signature(&body));
    post_with_signatures(body, [value.into_bytes()])
}

/// A signature with its hex digest changed by `edit`.
fn edited_signature(comment_id: &str, edit: fn(&str) -> String) -> TestRequest {
    let body = comment_body(comment_id, "edited signature");
    let valid = signature(&body);
    let digest = valid.strip_prefix("sha256=").expect("prefix");
    post_with_signatures(body, [format!("sha256={}", edit(digest)).into_bytes()])
}

fn unauthorized(_: &Transport, exchange: &Exchange, recorded: &Recorded) -> Result<(), String> {
    status(exchange, 401)?;
    nothing_handed_over(recorded)
}
