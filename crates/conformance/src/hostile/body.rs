//! The body and its JSON: NUL bytes, nesting 100,000 deep, a million
//! items, 10,000-digit numbers, duplicate keys, and the body limit.

use instagram_webhook_types::{EventKind, EventPayload, ItemErrorKind};

use super::{ACCOUNT, HostileCase, PADDED_COMMENT, comment_body, padded_comment, signed, status};
use crate::checks::{
    ensure, handled_exactly, handled_once, is_comment, is_item_error, is_unknown,
    nothing_handed_over, one_comment, rejected_exactly,
};
use crate::harness::BODY_LIMIT;

/// The body cases, in order.
pub(super) fn cases() -> Vec<HostileCase> {
    vec![
        HostileCase::request(
            "body_nul_bytes",
            || signed(NUL_BODY.to_vec()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, NUL_BODY)
            },
        ),
        HostileCase::request(
            "body_nul_escaped",
            || signed(comment_body("18000000000000502", "a\u{0}b")),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery =
                    handled_exactly(recorded, &comment_body("18000000000000502", "a\u{0}b"))?;
                let event = delivery.events()[0].as_ref().map_err(ToString::to_string)?;
                let EventPayload::Comment(comment) = event.payload() else {
                    return Err("a comment".to_owned());
                };
                ensure(
                    comment.text.as_deref() == Some("a\u{0}b"),
                    "the escaped NUL is decoded",
                )
            },
        ),
        HostileCase::request(
            "json_nested_100000",
            || signed(deep_array().into_bytes()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, deep_array().as_bytes())
            },
        ),
        HostileCase::request(
            "json_nested_100000_in_items",
            || signed(deep_items_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &deep_items_body())?;
                let events = delivery.events();
                ensure(events.len() == 4, "four results, one per item")?;
                is_item_error(&events[0], 0, 0)?;
                is_unknown(&events[1], "hostile_depth", &deep_array())?;
                is_comment(&events[2], "18000000000000201")?;
                let event = events[3].as_ref().map_err(ToString::to_string)?;
                let EventPayload::Unknown(unknown) = event.payload() else {
                    return Err(format!(
                        "the messaging item with a deep unknown key is an unknown event, got {}",
                        event.kind().as_str()
                    ));
                };
                ensure(
                    unknown.field == "hostile_depth" && unknown.raw.get().contains(&deep_array()),
                    "named by its unknown key, with its raw JSON",
                )
            },
        ),
        HostileCase::request(
            "array_1000000_empty_objects",
            || signed(million_empty_objects()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_once(recorded)?;
                ensure(
                    delivery.body().len() < BODY_LIMIT,
                    "the body is under the limit",
                )?;
                let events = delivery.events();
                ensure(
                    events.len() == EMPTY_OBJECTS,
                    &format!("{EMPTY_OBJECTS} results, got {}", events.len()),
                )?;
                for (index, result) in events.iter().enumerate() {
                    match result {
                        Err(error)
                            if error.position.item == index
                                && error.kind == ItemErrorKind::MissingValue => {}
                        _ => return Err(format!("item {index}: expected a missing-value error")),
                    }
                }
                Ok(())
            },
        ),
        HostileCase::request(
            "number_10000_digits",
            || signed(long_numbers_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &long_numbers_body())?;
                let events = delivery.events();
                ensure(events.len() == 3, "three results, one per item")?;
                is_item_error(&events[0], 0, 0)?;
                is_unknown(&events[1], "hostile_number", &long_number())?;
                is_comment(&events[2], "18000000000000301")
            },
        ),
        HostileCase::request(
            "number_10000_digits_in_envelope",
            || signed(long_number_in_envelope()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, &long_number_in_envelope())
            },
        ),
        HostileCase::request(
            "duplicate_keys_in_envelope",
            || signed(duplicate_entry_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                rejected_exactly(recorded, &duplicate_entry_body())
            },
        ),
        HostileCase::request(
            "duplicate_keys_in_change",
            || signed(duplicate_change_keys_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &duplicate_change_keys_body())?;
                let events = delivery.events();
                ensure(events.len() == 2, "two results, one per item")?;
                is_item_error(&events[0], 0, 0)?;
                is_comment(&events[1], "18000000000000405")
            },
        ),
        HostileCase::request(
            "duplicate_keys_in_messaging_item",
            || signed(duplicate_messaging_keys_body()),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                let delivery = handled_exactly(recorded, &duplicate_messaging_keys_body())?;
                let events = delivery.events();
                ensure(events.len() == 2, "two results, one per item")?;
                // Like a duplicate key in a change's value (and in the envelope): an
                // ambiguous item is an error, not a guess at which value was meant.
                is_item_error(&events[0], 0, 0)?;
                let event = events[1].as_ref().map_err(ToString::to_string)?;
                ensure(
                    event.kind() == EventKind::Message,
                    "the neighbour is a message",
                )
            },
        ),
        HostileCase::request(
            "body_exactly_at_limit",
            || signed(padded_comment(BODY_LIMIT)),
            |_, exchange, recorded| {
                status(exchange, 200)?;
                handled_exactly(recorded, &padded_comment(BODY_LIMIT))?;
                one_comment(recorded, PADDED_COMMENT)
            },
        ),
        HostileCase::request(
            "body_one_over_limit",
            || signed(padded_comment(BODY_LIMIT + 1)),
            |_, exchange, recorded| {
                status(exchange, 413)?;
                nothing_handed_over(recorded)
            },
        ),
    ]
}

/// An envelope for `ACCOUNT` with these raw `changes` items.
fn changes_envelope(changes: &[&str]) -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{}]}}]}}"#,
        changes.join(",")
    )
    .into_bytes()
}

/// A valid comment as a raw `changes` item.
fn comment_change(comment_id: &str) -> String {
    format!(
        r#"{{"field":"comments","value":{{"id":"{comment_id}","text":"fine","from":{{"id":"17841401234567890","username":"fan"}}}}}}"#
    )
}

const DEPTH: usize = 100_000;

/// `[[[...]]]`, `DEPTH` levels deep.
fn deep_array() -> String {
    let mut deep = "[".repeat(DEPTH);
    deep.push_str(&"]".repeat(DEPTH));
    deep
}

/// A number with 10,000 digits.
fn long_number() -> String {
    let mut digits = "9".repeat(10_000);
    digits.replace_range(..1, "1");
    digits
}

const EMPTY_OBJECTS: usize = 1_000_000;

fn million_empty_objects() -> Vec<u8> {
    let mut items = String::with_capacity(3 * EMPTY_OBJECTS);
    for index in 0..EMPTY_OBJECTS {
        if index > 0 {
            items.push(',');
        }
        items.push_str("{}");
    }
    changes_envelope(&[&items])
}

fn deep_items_body() -> Vec<u8> {
    let deep = deep_array();
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{{"field":"comments","value":{deep}}},{{"field":"hostile_depth","value":{deep}}},{}],"messaging":[{{"sender":{{"id":"42"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1756217841000,"hostile_depth":{deep}}}]}}]}}"#,
        comment_change("18000000000000201")
    )
    .into_bytes()
}

fn long_numbers_body() -> Vec<u8> {
    let number = long_number();
    changes_envelope(&[
        &format!(r#"{{"field":"comments","value":{{"id":{number},"text":"x"}}}}"#),
        &format!(r#"{{"field":"hostile_number","value":{number}}}"#),
        &comment_change("18000000000000301"),
    ])
}

fn long_number_in_envelope() -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":{},"changes":[{}]}}]}}"#,
        long_number(),
        comment_change("18000000000000302")
    )
    .into_bytes()
}

fn duplicate_entry_body() -> Vec<u8> {
    let one = format!(
        r#"[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{}]}}]"#,
        comment_change("18000000000000401")
    );
    let two = format!(
        r#"[{{"id":"{ACCOUNT}","time":1756217841,"changes":[{}]}}]"#,
        comment_change("18000000000000402")
    );
    format!(r#"{{"object":"instagram","entry":{one},"entry":{two}}}"#).into_bytes()
}

fn duplicate_change_keys_body() -> Vec<u8> {
    changes_envelope(&[
        r#"{"field":"comments","value":{"id":"18000000000000403","text":"first","id":"18000000000000404"}}"#,
        &comment_change("18000000000000405"),
    ])
}

fn duplicate_messaging_keys_body() -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1756217841000,"messaging":[{{"sender":{{"id":"41"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1756217841000,"message":{{"mid":"m-first","text":"a"}},"sender":{{"id":"42"}},"message":{{"mid":"m-second","text":"b"}}}},{{"sender":{{"id":"43"}},"recipient":{{"id":"{ACCOUNT}"}},"timestamp":1756217841001,"message":{{"mid":"m-fine","text":"c"}}}}]}}]}}"#
    )
    .into_bytes()
}

const NUL_BODY: &[u8] = b"{\"object\":\"instagram\",\"entry\":[{\"id\":\"17841400000000001\",\"time\":1756217841,\"changes\":[{\"field\":\"comments\",\"value\":{\"id\":\"18000000000000501\",\"text\":\"a\0b\"}}]}]}\0";
