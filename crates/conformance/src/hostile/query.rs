//! The handshake query: percent-encoded and raw non-ASCII, invalid UTF-8
//! and NUL, in the challenge and in the token.

use super::{Exchange, HostileCase, Script, Transport, answer, limits, status};
use crate::checks::{ensure, nothing_handed_over};
use crate::harness::{PATH, Recorded};
use crate::raw_http::head_bytes;
use crate::requests::{encoded_token, get, handshake_query};
use crate::wire::TestRequest;

/// The query cases, in order.
pub(super) fn cases() -> Vec<HostileCase> {
    vec![
        HostileCase::request(
            "query_non_ascii_percent_encoded",
            || handshake(&encoded_token(), "%F0%9F%91%8D%C3%A9%E2%80%94"),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                ensure(
                    answer(exchange)?.body.as_ref() == "👍é—".as_bytes(),
                    "the challenge, decoded, byte for byte",
                )?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_invalid_utf8_percent_encoded_challenge",
            || handshake(&encoded_token(), "%FF%FE%C3"),
            |_, exchange, recorded| {
                status(exchange, 400)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_invalid_utf8_percent_encoded_token",
            || handshake("%FF%FE", "1"),
            |_, exchange, recorded| {
                status(exchange, 403)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_nul_percent_encoded",
            || handshake(&encoded_token(), "1%002"),
            |_, exchange, recorded| {
                status(exchange, 400)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::request(
            "query_raw_non_ascii",
            || handshake(&encoded_token(), "é👍"),
            |transport, exchange, recorded| {
                nothing_handed_over(recorded)?;
                match transport {
                    Transport::Server(limits) if !limits.raw_non_ascii_target => {
                        status(exchange, 400)
                    }
                    _ => {
                        status(exchange, 200)?;
                        ensure(
                            answer(exchange)?.body.as_ref() == "é👍".as_bytes(),
                            "the raw challenge, byte for byte",
                        )
                    }
                }
            },
        ),
        HostileCase::script(
            "query_raw_invalid_utf8",
            || {
                Script::Bytes({
                    let target = format!(
                        "{PATH}?{}",
                        handshake_query("subscribe", &encoded_token(), "a")
                    );
                    let mut target = target.into_bytes();
                    target.extend_from_slice(&[0xff, 0xfe]);
                    let mut bytes = head_bytes("GET", &target, &[]);
                    bytes.extend_from_slice(b"\r\n");
                    bytes
                })
            },
            "an event carries the query as JSON strings: invalid UTF-8 cannot be represented",
            refused_by_server,
        ),
        HostileCase::request(
            "query_raw_nul",
            || handshake(&encoded_token(), "1\u{0}2"),
            // A server refuses a NUL byte in the request target; an event
            // hands it over decoded, and a control character is never reflected.
            |_, exchange, recorded| {
                status(exchange, 400)?;
                nothing_handed_over(recorded)
            },
        ),
    ]
}

/// A handshake with the right mode, and `token` and `challenge` inserted
/// as they are.
fn handshake(token: &str, challenge: &str) -> TestRequest {
    get(Some(&handshake_query("subscribe", token, challenge)))
}

fn refused_by_server(
    transport: &Transport,
    exchange: &Exchange,
    recorded: &Recorded,
) -> Result<(), String> {
    limits(transport)?;
    status(exchange, 400)?;
    nothing_handed_over(recorded)
}
