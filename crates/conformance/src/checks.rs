//! The checks both suites ([`crate::cases`] and [`crate::hostile`]) make of
//! an answer and of what the application saw. Each returns why the contract
//! was broken.

use std::borrow::Cow;

use instagram_webhook_core::receive::Delivery;
use instagram_webhook_types::{EventKind, EventPayload, EventResult};

use crate::harness::Recorded;
use crate::wire::TestResponse;

/// `Err(problem)` unless `condition`.
pub(crate) fn ensure(condition: bool, problem: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(problem.to_owned())
    }
}

/// The answer has status `expected`.
pub(crate) fn status(response: &TestResponse, expected: u16) -> Result<(), String> {
    ensure(
        response.status == expected,
        &format!("expected status {expected}, got {}", response.status),
    )
}

/// The first bytes of an answer's body, for failure messages.
pub(crate) fn preview(body: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(&body[..body.len().min(200)])
}

/// Neither the handler nor the rejected-payload hook was called.
pub(crate) fn nothing_handed_over(recorded: &Recorded) -> Result<(), String> {
    ensure(
        recorded.deliveries.is_empty() && recorded.rejected.is_empty(),
        "the application must not see this request",
    )
}

/// Exactly one delivery reached the handler, and nothing the hook.
pub(crate) fn handled_once(recorded: &Recorded) -> Result<&Delivery, String> {
    ensure(
        recorded.deliveries.len() == 1 && recorded.rejected.is_empty(),
        "expected exactly one delivery to the handler and no rejected payload",
    )?;
    Ok(&recorded.deliveries[0])
}

/// Exactly one delivery, of exactly `body`.
pub(crate) fn handled_exactly<'r>(
    recorded: &'r Recorded,
    body: &[u8],
) -> Result<&'r Delivery, String> {
    let delivery = handled_once(recorded)?;
    ensure(
        delivery.body().as_ref() == body,
        "the handler must get the exact bytes sent",
    )?;
    Ok(delivery)
}

/// Exactly one rejected payload, of exactly `body`, with a reason, and no
/// delivery.
pub(crate) fn rejected_exactly(recorded: &Recorded, body: &[u8]) -> Result<(), String> {
    ensure(
        recorded.deliveries.is_empty(),
        "the handler must not be called",
    )?;
    ensure(
        recorded.rejected.len() == 1,
        "expected one rejected payload",
    )?;
    ensure(
        recorded.rejected[0].body().as_ref() == body,
        "the rejected-payload hook must get the exact bytes sent",
    )?;
    ensure(
        !recorded.rejected[0].reason().is_empty(),
        "a rejected payload has a reason",
    )
}

/// The only event of the only delivery is the comment `comment_id`.
pub(crate) fn one_comment(recorded: &Recorded, comment_id: &str) -> Result<(), String> {
    let delivery = handled_once(recorded)?;
    ensure(delivery.events().len() == 1, "one event")?;
    is_comment(&delivery.events()[0], comment_id)
}

/// The result is the comment `comment_id`.
pub(crate) fn is_comment(result: &EventResult<'static>, comment_id: &str) -> Result<(), String> {
    let event = result.as_ref().map_err(ToString::to_string)?;
    let EventPayload::Comment(comment) = event.payload() else {
        return Err(format!("expected a comment, got {}", event.kind().as_str()));
    };
    ensure(
        comment.id.as_ref().is_some_and(|id| id == comment_id),
        &format!("expected comment {comment_id}"),
    )
}

/// The result is an unknown event of `field`, with exactly `raw` as its JSON.
pub(crate) fn is_unknown(
    result: &EventResult<'static>,
    field: &str,
    raw: &str,
) -> Result<(), String> {
    let event = result.as_ref().map_err(ToString::to_string)?;
    ensure(event.kind() == EventKind::Unknown, "an unknown event")?;
    ensure(event.field() == Some(field), "the field name is kept")?;
    ensure(
        event.raw().get() == raw,
        "the raw JSON is kept byte for byte",
    )
}

/// The result is an item error in item `item` of entry `entry`.
pub(crate) fn is_item_error(
    result: &EventResult<'static>,
    entry: usize,
    item: usize,
) -> Result<(), String> {
    match result {
        Ok(event) => Err(format!(
            "expected an item error at entry {entry} item {item}, got a {} event",
            event.kind().as_str()
        )),
        Err(error) => ensure(
            error.position.entry == entry && error.position.item == item,
            "the item error is in the item's place",
        ),
    }
}

/// Checks a `not_run` declaration against the names of a suite's cases:
/// each names a case once and gives a reason.
///
/// # Panics
/// When a declared case is unknown, repeated or without a reason.
pub(crate) fn assert_declared(declared: &[(&str, &str)], cases: &[&str]) {
    let mut names: Vec<&str> = declared.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "a case is declared not run twice");
    for (name, reason) in declared {
        assert!(
            cases.contains(name),
            "no case named {name} to declare not run"
        );
        assert!(!reason.trim().is_empty(), "{name}: say why it is not run");
    }
}

/// Checks that `listed` (a suite macro's list) names every one of `cases`
/// exactly once.
///
/// # Panics
/// When a case is missing from `listed` or listed twice; `message` says
/// which macro.
pub(crate) fn assert_lists_every_case(listed: &[&str], cases: &[&str], message: &str) {
    let mut listed = listed.to_vec();
    listed.sort_unstable();
    let mut cases = cases.to_vec();
    cases.sort_unstable();
    assert_eq!(listed, cases, "{message}");
}
