//! The whole receive pipeline: arbitrary method, query, headers and body in, an answer from
//! the HTTP contract out, never a panic, and the application called exactly as the contract
//! says:
//!
//! - a POST signed with the App Secret and under the limit is never 401: it is 200 or 500;
//! - a POST over the limit (body or declared `Content-Length`) is 413 and calls nobody;
//! - a 200 to a POST means the handler (body parses as an envelope) or the rejected-payload
//!   hook (it does not) ran exactly once, with the exact body; a 500 means the handler ran
//!   once and failed; any other answer means neither ran;
//! - an unsigned POST is never accepted; a GET 200 answers the decoded `hub.challenge`;
//!   a 405 carries `Allow: GET, POST`.
//!
//! Input layout: the first byte holds flags (bit 0: add the genuine `X-Hub-Signature-256`;
//! bit 1: with bit 0, fold it into one line after a malformed value, `sha256=zz, sha256=...`;
//! bit 2: with bit 0, write its hex digits in upper case), then NUL-separated fields:
//! method, query, header lines (`name: value`, newline-separated), and the rest is the body.
#![no_main]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use instagram_webhook_core::receive::{Delivery, Receiver, RejectedPayload, RequestHead};
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
use instagram_webhook_types::Notification;
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

const SECRET: &str = "fuzz-app-secret";
/// Small enough that libFuzzer's default input length (4096) can cross it.
const LIMIT: usize = 2048;

/// Calls of the handler and of the rejected-payload hook during the current input, and the
/// bodies they were given.
static HANDLED: AtomicUsize = AtomicUsize::new(0);
static REJECTED: AtomicUsize = AtomicUsize::new(0);
static SEEN: Mutex<Vec<Bytes>> = Mutex::new(Vec::new());

fn saw(body: &Bytes) {
    SEEN.lock().expect("not poisoned").push(body.clone());
}

fn receiver() -> &'static Receiver {
    static RECEIVER: OnceLock<Receiver> = OnceLock::new();
    RECEIVER.get_or_init(|| {
        Receiver::builder(
            Verifier::new(AppSecret::new(SECRET).expect("non-empty")),
            VerifyToken::new("fuzz-token").expect("non-empty"),
        )
        .handler(|delivery: Delivery| async move {
            HANDLED.fetch_add(1, Ordering::SeqCst);
            saw(delivery.body());
            // Touch every event the way an application would.
            for event in delivery.events().iter().flatten() {
                let _ = event.dedup_key().as_str().len() + event.kind().as_str().len();
            }
            if delivery.body().starts_with(b"{\"fail\"") {
                Err("handler failure")
            } else {
                Ok(())
            }
        })
        .on_rejected(|payload: RejectedPayload| async move {
            REJECTED.fetch_add(1, Ordering::SeqCst);
            saw(payload.body());
        })
        .body_limit(LIMIT)
        .build()
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
}

/// `sha256=` + the body's HMAC, computed here with `hmac` directly.
fn genuine(body: &[u8], upper: bool) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    let digits = hex::encode(mac.finalize().into_bytes());
    let digits = if upper {
        digits.to_ascii_uppercase()
    } else {
        digits
    };
    format!("sha256={digits}")
}

/// The decoded `hub.challenge` when the query has exactly one.
fn challenge(query: &str) -> Option<String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut values = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "hub.challenge")
        .map(|(_, value)| value.into_owned());
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut fields = rest.splitn(4, |&b| b == 0);
    let method = String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let query = fields
        .next()
        .map(String::from_utf8_lossy)
        .map(|q| q.into_owned());
    let headers = fields.next().unwrap_or_default();
    let body = Bytes::copy_from_slice(fields.next().unwrap_or_default());
    let signed = flags & 1 == 1;

    let signature = genuine(&body, flags & 4 != 0);
    let folded = format!("sha256=zz, {signature}");
    let mut head = RequestHead::new(&method, "/webhook", query.as_deref());
    let mut declared: Option<u64> = None;
    let mut fuzzed_signatures = false;
    for line in headers.split(|&b| b == b'\n') {
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (&line[..colon], line[colon + 1..].trim_ascii()),
            None => (line, &[][..]),
        };
        let name = String::from_utf8_lossy(name);
        if name.eq_ignore_ascii_case("content-length") {
            declared = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.trim().parse().ok());
        }
        fuzzed_signatures |= name.eq_ignore_ascii_case("x-hub-signature-256");
        head.header(&name, value);
    }
    if signed {
        let value = if flags & 2 != 0 {
            folded.as_bytes()
        } else {
            signature.as_bytes()
        };
        head.header("x-hub-signature-256", value);
    }

    HANDLED.store(0, Ordering::SeqCst);
    REJECTED.store(0, Ordering::SeqCst);
    SEEN.lock().expect("not poisoned").clear();
    let answer = runtime().block_on(receiver().serve(&head, body.clone()));
    let status = answer.status().as_u16();
    let handled = HANDLED.load(Ordering::SeqCst);
    let rejected = REJECTED.load(Ordering::SeqCst);
    let seen = std::mem::take(&mut *SEEN.lock().expect("not poisoned"));

    assert!(
        [200, 400, 401, 403, 405, 413, 500].contains(&status),
        "status {status} is not in the contract"
    );
    match method.as_str() {
        "GET" => {
            assert!([200, 400, 403].contains(&status));
            if status == 200 {
                let expected = query.as_deref().and_then(challenge);
                assert_eq!(
                    Some(answer.body().as_ref()),
                    expected.as_deref().map(str::as_bytes),
                    "a GET 200 answers the decoded challenge"
                );
            }
        }
        "POST" => {
            assert!([200, 401, 413, 500].contains(&status));
            let too_large = body.len() > LIMIT || declared.is_some_and(|d| d > LIMIT as u64);
            if too_large {
                assert_eq!(status, 413, "over the limit");
            } else if signed {
                assert_ne!(status, 401, "a signed body under the limit was refused");
                assert!(status == 200 || status == 500, "signed: {status}");
            }
            if !signed && !fuzzed_signatures {
                assert_ne!(status, 200, "an unsigned POST must never be accepted");
            }
            match status {
                200 => {
                    assert_eq!(
                        handled + rejected,
                        1,
                        "a 200 means the handler or the hook ran exactly once \
                         (handler {handled}, hook {rejected})"
                    );
                    if Notification::from_slice(&body).is_ok() {
                        assert_eq!(handled, 1, "an envelope goes to the handler");
                        assert!(!body.starts_with(b"{\"fail\""), "the handler failed: 500");
                    } else {
                        assert_eq!(rejected, 1, "not an envelope: the rejected-payload hook");
                    }
                    assert_eq!(
                        seen,
                        std::slice::from_ref(&body),
                        "the application sees the exact body"
                    );
                }
                500 => {
                    assert_eq!((handled, rejected), (1, 0), "a 500 is a failed handler");
                    assert!(
                        body.starts_with(b"{\"fail\""),
                        "500 without a handler failure"
                    );
                    assert_eq!(
                        seen,
                        std::slice::from_ref(&body),
                        "the application sees the exact body"
                    );
                }
                _ => assert_eq!(
                    (handled, rejected),
                    (0, 0),
                    "a {status} must not reach the application"
                ),
            }
        }
        _ => {
            assert_eq!(status, 405);
            assert!(
                answer
                    .headers()
                    .any(|(name, value)| name == "allow" && value == "GET, POST")
            );
        }
    }
    if method != "POST" {
        assert_eq!(
            (handled, rejected),
            (0, 0),
            "only a POST reaches the application"
        );
    }
});
