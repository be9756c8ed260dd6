//! The whole receive pipeline: arbitrary method, query, headers and body in,
//! an answer from the HTTP contract out, never a panic.
//!
//! Input layout: the first byte holds flags (bit 0: sign the body with the
//! App Secret, so parsing and the handler are reached), then NUL-separated
//! fields: method, query, header lines (`name: value`, newline-separated),
//! and the rest is the body.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use instagram_webhook_core::receive::{Delivery, Receiver, RequestHead};
use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzz-app-secret";
const LIMIT: usize = 64 * 1024;

fn receiver() -> &'static Receiver {
    static RECEIVER: OnceLock<Receiver> = OnceLock::new();
    RECEIVER.get_or_init(|| {
        Receiver::builder(
            Verifier::new(AppSecret::new(SECRET).expect("non-empty")),
            VerifyToken::new("fuzz-token").expect("non-empty"),
            |delivery: Delivery| async move {
                // Touch every event the way an application would.
                let mut keys = 0_usize;
                for event in delivery.events().iter().flatten() {
                    keys += event.dedup_key().as_str().len() + event.kind().as_str().len();
                }
                if delivery.body().starts_with(b"{\"fail\"") { Err("handler failure") } else { Ok(keys).map(|_| ()) }
            },
        )
        .body_limit(LIMIT)
        .build()
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("runtime"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut fields = rest.splitn(4, |&b| b == 0);
    let method = String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let query = fields.next().map(String::from_utf8_lossy).map(|q| q.into_owned());
    let headers = fields.next().unwrap_or_default();
    let body = Bytes::copy_from_slice(fields.next().unwrap_or_default());

    let signature = sign(&AppSecret::new(SECRET).expect("non-empty"), &body);
    let mut head = RequestHead::new(&method, "/webhook", query.as_deref());
    for line in headers.split(|&b| b == b'\n') {
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (&line[..colon], line[colon + 1..].trim_ascii()),
            None => (line, &[][..]),
        };
        head.header(&String::from_utf8_lossy(name), value);
    }
    if flags & 1 == 1 {
        head.header("x-hub-signature-256", signature.as_bytes());
    }

    let answer = runtime().block_on(receiver().respond(&head, body.clone()));
    let status = answer.status().as_u16();
    assert!(
        [200, 400, 401, 403, 405, 413, 500].contains(&status),
        "status {status} is not in the contract"
    );
    match method.as_str() {
        "GET" => assert!([200, 400, 403].contains(&status)),
        "POST" => {
            assert!([200, 401, 413, 500].contains(&status));
            if body.len() > LIMIT {
                assert_eq!(status, 413);
            }
            if flags & 1 == 0 && head.signatures().next().is_none() {
                assert_ne!(status, 200, "an unsigned POST must never be accepted");
            }
        }
        _ => assert_eq!(status, 405),
    }
});
