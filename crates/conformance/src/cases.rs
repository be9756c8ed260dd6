//! The cases: one request each, and what must follow from it.

use std::collections::HashSet;

use instagram_webhook_types::{EventKind, EventPayload};
use serde_json::json;

use crate::checks::{
    assert_declared, assert_lists_every_case, ensure, handled_once, nothing_handed_over, preview,
    rejected_exactly, status,
};
use crate::harness::{
    APP_SECRET, BODY_LIMIT, FAILING_ACCOUNT, OLD_APP_SECRET, PATH, Recorded, STALE_ENTRY_TIME,
};
use crate::requests::{
    comment_delivery, encoded_token, get, handshake_query, signed_bytes, signed_post,
};
use crate::wire::{TestRequest, TestResponse};

type Check = fn(&TestResponse, &Recorded) -> Result<(), String>;

/// One case of the HTTP contract.
#[derive(Debug)]
pub struct Case {
    /// The case's name (also its test's name).
    pub name: &'static str,
    /// The request to send.
    pub request: TestRequest,
    check: Check,
}

impl Case {
    fn new(name: &'static str, request: TestRequest, check: Check) -> Self {
        Self {
            name,
            request,
            check,
        }
    }

    /// Checks the answer and what the application saw.
    ///
    /// # Errors
    /// Why the adapter broke the contract.
    pub fn check(&self, response: &TestResponse, recorded: &Recorded) -> Result<(), String> {
        (self.check)(response, recorded)
    }
}

/// What a runner saw for one request over one variant of its transport.
#[derive(Debug)]
pub struct Observation {
    /// The variant, for messages (`"axum"`, `"HttpApiV2"`, ...).
    pub via: String,
    /// The answer.
    pub response: TestResponse,
    /// What the application saw.
    pub recorded: Recorded,
}

impl Observation {
    /// What was seen `via` a transport variant.
    pub fn new(via: impl Into<String>, response: TestResponse, recorded: Recorded) -> Self {
        Self {
            via: via.into(),
            response,
            recorded,
        }
    }
}

/// A conformance runner: sends a case's request and returns what it saw.
pub type Runner = fn(&TestRequest) -> Vec<Observation>;

/// Runs the case called `name` with `run` and checks every observation.
///
/// # Panics
/// When the runner observed nothing, or the adapter broke the contract.
pub fn run_case(name: &str, run: Runner) {
    let case = by_name(name);
    let observations = run(&case.request);
    assert!(
        !observations.is_empty(),
        "case {name}: the runner observed nothing; declare the case in `not_run` with the reason \
         if this adapter cannot run it"
    );
    for observation in &observations {
        eprintln!(
            "{name} via {}: {}",
            observation.via, observation.response.status
        );
        if let Err(problem) = case.check(&observation.response, &observation.recorded) {
            let Observation {
                via,
                response,
                recorded,
            } = observation;
            panic!(
                "case {name} via {via}: {problem}\n  answer: {} {:?}\n  handler calls: {}, rejected payloads: {}",
                response.status,
                preview(&response.body),
                recorded.deliveries.len(),
                recorded.rejected.len(),
            );
        }
    }
}

/// Checks that `declared` (the cases an adapter does not run, with why) is
/// exact: each names a case once, gives a reason, and does not pass when
/// run (`run` observes nothing, or an answer the case refuses).
///
/// # Panics
/// When a declared case is unknown, repeated, without a reason, or passes.
pub fn assert_not_run(declared: &[(&str, &str)], run: Runner) {
    assert_declared(
        declared,
        &all().iter().map(|case| case.name).collect::<Vec<_>>(),
    );
    for (name, reason) in declared {
        let case = by_name(name);
        let observations = run(&case.request);
        let passes = !observations.is_empty()
            && observations
                .iter()
                .all(|seen| case.check(&seen.response, &seen.recorded).is_ok());
        assert!(
            !passes,
            "case {name} is declared not run here ({reason}), but it passes: remove it from `not_run`"
        );
    }
}

/// Every case, in order.
pub fn all() -> Vec<Case> {
    vec![
        Case::new(
            "handshake_ok",
            get(Some(&handshake_query(
                "subscribe",
                &encoded_token(),
                "1158201444",
            ))),
            |response, recorded| {
                status(response, 200)?;
                ensure(
                    response.body.as_ref() == b"1158201444",
                    "the body must be the challenge",
                )?;
                ensure(
                    response
                        .header("content-type")
                        .is_some_and(|value| value.starts_with("text/plain")),
                    "the challenge is text/plain",
                )?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "handshake_percent_encoded_challenge",
            get(Some(&handshake_query(
                "subscribe",
                &encoded_token(),
                "a%2Bb+c%2F%C3%A9%3D",
            ))),
            |response, _| {
                status(response, 200)?;
                ensure(
                    response.body.as_ref() == "a+b c/é=".as_bytes(),
                    "the challenge is decoded, then verbatim",
                )
            },
        ),
        Case::new(
            "handshake_wrong_token",
            get(Some(&handshake_query("subscribe", "guess", "1"))),
            |response, recorded| {
                status(response, 403)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "handshake_wrong_mode",
            get(Some(&handshake_query("unsubscribe", &encoded_token(), "1"))),
            |response, _| status(response, 403),
        ),
        Case::new("handshake_missing_parameters", get(None), |response, _| {
            status(response, 400)
        }),
        Case::new(
            "post_valid",
            signed_post(
                APP_SECRET,
                &comment_delivery("17841400000000001", "18000000000000001", "hello"),
            ),
            |response, recorded| {
                status(response, 200)?;
                let delivery = handled_once(recorded)?;
                ensure(delivery.events().len() == 1, "one event")?;
                let event = delivery.events()[0].as_ref().map_err(ToString::to_string)?;
                ensure(event.kind() == EventKind::Comment, "a comment")?;
                ensure(
                    event.account_id().as_str() == "17841400000000001",
                    "its account",
                )?;
                ensure(
                    delivery.secret_index() == 0,
                    "verified by the current secret",
                )
            },
        ),
        Case::new(
            "post_missing_signature",
            TestRequest::new("POST", PATH, None)
                .body(br#"{"object":"instagram","entry":[]}"#.as_slice()),
            |response, recorded| {
                status(response, 401)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "post_malformed_signature",
            TestRequest::new("POST", PATH, None)
                .header("x-hub-signature-256", "sha256=not-hex")
                .body(br#"{"object":"instagram","entry":[]}"#.as_slice()),
            |response, recorded| {
                status(response, 401)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "post_sha1_only",
            TestRequest::new("POST", PATH, None)
                .header(
                    "x-hub-signature",
                    "sha1=0123456789abcdef0123456789abcdef01234567",
                )
                .body(br#"{"object":"instagram","entry":[]}"#.as_slice()),
            |response, recorded| {
                status(response, 401)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "post_wrong_secret",
            signed_post(
                "not-the-app-secret",
                &comment_delivery("17841400000000001", "18000000000000002", "x"),
            ),
            |response, recorded| {
                status(response, 401)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "post_rotated_secret",
            signed_post(
                OLD_APP_SECRET,
                &comment_delivery("17841400000000001", "18000000000000003", "x"),
            ),
            |response, recorded| {
                status(response, 200)?;
                let delivery = handled_once(recorded)?;
                ensure(delivery.secret_index() == 1, "verified by the old secret")
            },
        ),
        Case::new(
            "post_non_ascii_meta_escaped",
            signed_post(
                APP_SECRET,
                &comment_delivery(
                    "17841400000000001",
                    "18000000000000004",
                    "Ça marche 👍 — https://example.com/a",
                ),
            ),
            |response, recorded| {
                status(response, 200)?;
                let delivery = handled_once(recorded)?;
                let body =
                    std::str::from_utf8(delivery.body()).map_err(|error| error.to_string())?;
                ensure(
                    body.contains(r"\ud83d\udc4d") && body.contains(r"https:\/\/"),
                    "Meta-style escaping",
                )?;
                let event = delivery.events()[0].as_ref().map_err(ToString::to_string)?;
                let EventPayload::Comment(comment) = event.payload() else {
                    return Err("a comment payload".to_owned());
                };
                ensure(
                    comment.text.as_deref() == Some("Ça marche 👍 — https://example.com/a"),
                    "the text is decoded exactly",
                )
            },
        ),
        Case::new(
            "post_over_limit",
            signed_bytes(APP_SECRET, vec![b' '; BODY_LIMIT + 1]),
            |response, recorded| {
                status(response, 413)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "post_batch_of_1000",
            signed_post(APP_SECRET, &batch(10, 100)),
            |response, recorded| {
                status(response, 200)?;
                let delivery = handled_once(recorded)?;
                ensure(
                    delivery.body().len() > 400 * 1024,
                    "a batch of about 470 KB",
                )?;
                ensure(delivery.events().len() == 1000, "1000 events")?;
                let mut keys = HashSet::new();
                for event in delivery.events() {
                    let event = event.as_ref().map_err(ToString::to_string)?;
                    ensure(
                        event.kind() == EventKind::Comment,
                        "every event is a comment",
                    )?;
                    keys.insert(event.dedup_key().as_str().to_owned());
                }
                ensure(keys.len() == 1000, "1000 distinct dedup keys")
            },
        ),
        Case::new(
            "post_unknown_field",
            signed_post(
                APP_SECRET,
                &json!({"object": "instagram", "entry": [{"id": "17841400000000001", "time": 1_756_217_841,
                    "changes": [{"field": "brand_new_field", "value": {"anything": [1, "two", {"three": 3}]}}]}]}),
            ),
            |response, recorded| {
                status(response, 200)?;
                let delivery = handled_once(recorded)?;
                let event = delivery.events()[0].as_ref().map_err(ToString::to_string)?;
                ensure(event.kind() == EventKind::Unknown, "an unknown event")?;
                ensure(
                    event.field() == Some("brand_new_field"),
                    "the field name is kept",
                )?;
                ensure(
                    event.raw().get().contains(r#""three":3"#),
                    "the raw JSON is kept",
                )
            },
        ),
        Case::new(
            "post_verified_invalid_json",
            signed_bytes(
                APP_SECRET,
                br#"{"object":"instagram","entry":[{"id":"1","#.to_vec(),
            ),
            |response, recorded| {
                status(response, 200)?;
                rejected_exactly(recorded, br#"{"object":"instagram","entry":[{"id":"1","#)
            },
        ),
        Case::new(
            "post_handler_error",
            signed_post(
                APP_SECRET,
                &comment_delivery(FAILING_ACCOUNT, "18000000000000005", "x"),
            ),
            |response, recorded| {
                status(response, 500)?;
                handled_once(recorded).map(|_| ())
            },
        ),
        Case::new(
            "post_stale_entry_time",
            signed_post(
                APP_SECRET,
                &json!({"object": "instagram", "entry": [
                    {"id": "17841400000000001", "time": STALE_ENTRY_TIME, "changes": []},
                    {"id": "17841400000000001", "time": STALE_ENTRY_TIME * 1000, "messaging": []}
                ]}),
            ),
            |response, recorded| {
                status(response, 422)?;
                nothing_handed_over(recorded)
            },
        ),
        Case::new(
            "put_not_allowed",
            TestRequest::new("PUT", PATH, None).body("x"),
            |response, recorded| {
                status(response, 405)?;
                ensure(
                    response.header("allow") == Some("GET, POST"),
                    "Allow: GET, POST",
                )?;
                nothing_handed_over(recorded)
            },
        ),
    ]
}

/// Comment text that brings a 1000-update batch to about 470 KB, as in real
/// traffic and past actix-web's 256 KiB default payload limit.
const FILLER: &str = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor \
    incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation \
    ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure";

/// A delivery of `entries` entries with `per_entry` comments each.
fn batch(entries: usize, per_entry: usize) -> serde_json::Value {
    let entry: Vec<_> = (0..entries)
        .map(|e| {
            let changes: Vec<_> = (0..per_entry)
                .map(|c| {
                    json!({"field": "comments", "value": {
                        "from": {"id": "17841401234567890", "username": "fan"},
                        "media": {"id": "18060000000000001", "media_product_type": "REELS"},
                        "id": format!("180{e:04}{c:011}"),
                        "text": format!("comment {c} of entry {e} 🎉 {FILLER}")
                    }})
                })
                .collect();
            json!({"id": format!("178414000000{e:05}"), "time": 1_756_217_841, "changes": changes})
        })
        .collect();
    json!({"object": "instagram", "entry": entry})
}

/// The case called `name`.
///
/// # Panics
/// When there is no such case.
pub fn by_name(name: &str) -> Case {
    all()
        .into_iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("no conformance case named {name}"))
}

/// Checks that `listed` names every case exactly once.
///
/// # Panics
/// When a case is missing from `listed` or listed twice.
pub fn assert_complete(listed: &[&str]) {
    let cases: Vec<&str> = all().iter().map(|case| case.name).collect();
    assert_lists_every_case(
        listed,
        &cases,
        "conformance_tests! must list every case once",
    );
}
