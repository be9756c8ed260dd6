//! The connection: a head alone over the limit, chunked bodies at, over and
//! far past the limit, a slow body, a stalled head and a stalled body.

use super::scripts::{FOLLOW_UP_COMMENT, MEANWHILE_COMMENT, MORE_AFTER_ANSWER};
use super::{
    AfterAnswer, Exchange, HostileCase, PADDED_COMMENT, Script, answer, comment_body, limits,
    padded_comment, signed, status,
};
use crate::checks::{ensure, handled_exactly, nothing_handed_over, one_comment};
use crate::harness::{BODY_LIMIT, Recorded};

/// The connection cases, in order.
pub(super) fn cases() -> Vec<HostileCase> {
    vec![
        HostileCase::script(
            "head_only_over_limit",
            || Script::HeadOnly(signed(padded_comment(BODY_LIMIT + 1))),
            NO_CONNECTION,
            |_, exchange, recorded| {
                // 413 from the declared length alone, before any body byte.
                status(exchange, 413)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::script(
            "chunked_exactly_at_limit",
            || Script::Chunked(signed(padded_comment(BODY_LIMIT))),
            NO_TRANSFER_CODING,
            |_, exchange, recorded| {
                status(exchange, 200)?;
                handled_exactly(recorded, &padded_comment(BODY_LIMIT))?;
                one_comment(recorded, PADDED_COMMENT)
            },
        ),
        HostileCase::script(
            "chunked_one_over_limit",
            || Script::Chunked(signed(padded_comment(BODY_LIMIT + 1))),
            NO_TRANSFER_CODING,
            |_, exchange, recorded| {
                status(exchange, 413)?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::script(
            "chunked_past_limit_unending",
            || Script::ChunkedPastLimit,
            NO_TRANSFER_CODING,
            |transport, exchange, recorded| {
                let limits = limits(transport)?;
                // The body never ended: a 413 at all means the server stopped at the limit.
                status(exchange, 413)?;
                match (&exchange.after, limits.drains_unread_body) {
                    (Some(AfterAnswer::Closed), false) => nothing_handed_over(recorded),
                    (Some(AfterAnswer::NextAnswer(Some(next))), true) => {
                        ensure(next.status == 200, "the next request is answered 200")?;
                        one_comment(recorded, FOLLOW_UP_COMMENT)
                    }
                    (after, drains) => Err(format!(
                        "after the 413 and {MORE_AFTER_ANSWER} more bytes: {after:?}, \
                         but the server {} unread bodies",
                        if drains { "drains" } else { "closes on" }
                    )),
                }
            },
        ),
        HostileCase::script(
            "slow_body",
            || Script::Slow(signed(comment_body("18000000000000601", "slow"))),
            NO_CONNECTION,
            |_, exchange, recorded| {
                status(exchange, 200)?;
                ensure(
                    exchange
                        .meanwhile
                        .as_ref()
                        .is_some_and(|meanwhile| meanwhile.status == 200),
                    "a delivery on another connection is answered while the slow one trickles",
                )?;
                ensure(
                    recorded.deliveries.len() == 2 && recorded.rejected.is_empty(),
                    "both deliveries reach the handler",
                )?;
                let slow = comment_body("18000000000000601", "slow");
                ensure(
                    recorded
                        .deliveries
                        .iter()
                        .any(|delivery| delivery.body().as_ref() == slow.as_slice()),
                    "the slow body arrives byte for byte",
                )
            },
        ),
        HostileCase::script(
            "body_past_deadline",
            || Script::Trickle,
            NO_CONNECTION,
            |_, exchange, recorded| {
                // Under the limit, but never whole: the deadline ends it.
                status(exchange, 408)?;
                ensure(
                    answer(exchange)?.header("connection") == Some("close"),
                    "the 408 closes the connection",
                )?;
                ensure(
                    matches!(exchange.after, Some(AfterAnswer::Closed)),
                    "the server closes the connection after the 408",
                )?;
                nothing_handed_over(recorded)
            },
        ),
        HostileCase::script(
            "many_slow_bodies",
            || Script::ManyTrickles,
            NO_CONNECTION,
            |_, exchange, recorded| {
                let meanwhile = exchange
                    .meanwhile
                    .as_ref()
                    .ok_or("no answer to the delivery sent meanwhile")?;
                ensure(
                    meanwhile.status == 503 && meanwhile.header("retry-after").is_some(),
                    "while the slow bodies hold the buffer bound, a new delivery gets 503 with \
                     Retry-After",
                )?;
                ensure(
                    exchange
                        .others
                        .iter()
                        .all(|other| other.as_ref().is_some_and(|other| other.status == 408)),
                    "every slow body ends at the deadline with 408",
                )?;
                // Then there is room again.
                status(exchange, 200)?;
                ensure(
                    recorded.rejected.is_empty()
                        && recorded.deliveries.iter().all(|delivery| {
                            let body = delivery.body().as_ref();
                            body == comment_body(MEANWHILE_COMMENT, "meanwhile").as_slice()
                                || body == comment_body(FOLLOW_UP_COMMENT, "next").as_slice()
                        })
                        && recorded.deliveries.iter().any(|delivery| {
                            delivery.body().as_ref()
                                == comment_body(FOLLOW_UP_COMMENT, "next").as_slice()
                        }),
                    "no slow body is handed over, and the delivery after them is",
                )
            },
        ),
        HostileCase::script(
            "stalled_head",
            || Script::StalledHead,
            NO_CONNECTION,
            |transport, exchange, recorded| {
                let limits = limits(transport)?;
                only_meanwhile(exchange, recorded)?;
                if limits.head_timeout.is_some() {
                    ensure(!exchange.client_gave_up, "the server's timeout decides")?;
                    status(exchange, 408)
                } else {
                    ensure(exchange.client_gave_up, "only the client can end it")?;
                    ensure(
                        exchange.response.is_none(),
                        "a head cut short gets no answer",
                    )
                }
            },
        ),
        HostileCase::script(
            "stalled_body",
            || Script::StalledBody(signed(comment_body("18000000000000602", "stalled"))),
            NO_CONNECTION,
            |transport, exchange, recorded| {
                let limits = limits(transport)?;
                only_meanwhile(exchange, recorded)?;
                ensure(
                    exchange.client_gave_up == limits.body_timeout.is_none(),
                    "with a body timeout the server answers on its own",
                )?;
                status(exchange, 400)?;
                ensure(
                    answer(exchange)?.body.as_ref() == b"could not read body",
                    "the receiver's answer to an unreadable body",
                )
            },
        ),
    ]
}

/// Only the delivery sent meanwhile reached the handler, and it was
/// answered 200.
fn only_meanwhile(exchange: &Exchange, recorded: &Recorded) -> Result<(), String> {
    ensure(
        exchange
            .meanwhile
            .as_ref()
            .is_some_and(|meanwhile| meanwhile.status == 200),
        "a delivery on another connection must be answered 200 meanwhile",
    )?;
    one_comment(recorded, MEANWHILE_COMMENT)
}

/// Why Lambda skips the connection-level cases.
const NO_CONNECTION: &str = "a Lambda event has no connection: API Gateway, the Function URL or \
     the ALB reads the whole request, under its own limits and timeouts, before the function runs";
const NO_TRANSFER_CODING: &str = "a Lambda event carries the body whole, with no transfer coding; \
     body_exactly_at_limit and body_one_over_limit cover its limit";
