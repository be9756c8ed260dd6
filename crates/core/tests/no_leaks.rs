//! Nothing private leaks: every line the pipeline logs (with the `tracing`
//! feature, captured at TRACE with every span and field), every answer
//! (status line aside: headers and body) and every rejected-payload reason,
//! while valid, forged and malformed requests pass through, is free of the
//! App Secrets, the verify token, any MAC, any received signature and any
//! body text, whole or in part, raw or re-encoded; and `Debug` of every
//! public type holding a secret prints `[redacted]`.
//!
//! What counts as a leak is computed in one place,
//! [`forbidden_substrings`]; every check compares case-insensitively.

mod capture;

use std::collections::BTreeSet;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use capture::Captured;
use instagram_webhook_core::receive::{
    Answer, BodyReadError, BodyStream, Delivery, Receiver, RejectedPayload, RequestHead,
};
use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{
    AppKey, AppSecret, AppVerifiers, SelectVerifier, Signature, Verifier, VerifyToken,
};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::util::SubscriberInitExt;

const SECRET: &str = "SECRET-canary-7f3a9c";
const OLD_SECRET: &str = "OLDSECRET-canary-2d41";
/// The configured secrets, in the verifier's order.
const SECRETS: [&str; 2] = [SECRET, OLD_SECRET];
/// The key a forger signs with (the receiver never knows it; what it
/// signs arrives as a received signature).
const FORGER_SECRET: &str = "not-the-secret";
/// The configured verify token. Its space, `/` and `+` make its
/// percent-encoded forms differ from the raw text.
const TOKEN: &str = "TOKEN-canary 91/bc+0e";
/// A verify token an impostor tries.
const GUESSED_TOKEN: &str = "GUESS-canary/0b77";
/// The tokens a request may carry.
const TOKENS: [&str; 2] = [TOKEN, GUESSED_TOKEN];
/// The first key of every JSON body: it makes the first bytes of each body
/// distinctive (see [`body_prefix_forms`]).
const BODY_HEAD: &str = "BODYHEAD-canary-3e8d";
/// Text that appears only inside request bodies.
const BODY_TEXT: &str = "BODYTEXT-canary-55e1";
/// A word every secret, token and body holds: forbidden in any case.
const CANARY: &str = "canary";
/// Deliveries for this account make the handler fail.
const FAILING_ACCOUNT: &str = "17841400000000500";
const BODY_LIMIT: usize = 64 * 1024;
/// Shortest fragment of a MAC, a signature, a secret or a token that counts
/// as a leak: 8 hex digits are 32 bits of a MAC, and 8 characters of any
/// of these are already far more than chance puts in a log line.
const WINDOW: usize = 8;

/// Runs a future on this thread (the pipeline needs no runtime).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}

fn receiver(reasons: Arc<Mutex<Vec<String>>>) -> Receiver {
    let verifier =
        Verifier::with_secrets(SECRETS.map(|secret| AppSecret::new(secret).unwrap())).unwrap();
    Receiver::builder(verifier, VerifyToken::new(TOKEN).unwrap())
        .handler(|delivery: Delivery| async move {
            let fail = delivery
                .events()
                .iter()
                .flatten()
                .any(|event| event.account_id().as_str() == FAILING_ACCOUNT);
            if fail {
                Err("the store is unavailable")
            } else {
                Ok(())
            }
        })
        .on_rejected(move |payload: RejectedPayload| {
            let reasons = reasons.clone();
            async move {
                reasons
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(payload.reason().to_owned());
            }
        })
        .body_limit(BODY_LIMIT)
        .build()
}

fn comment(account: &str) -> Vec<u8> {
    format!(
        r#"{{"{BODY_HEAD}":0,"entry":[{{"id":"{account}","time":1756217841,"changes":[{{"value":{{"id":"18000000000000001","text":"{BODY_TEXT} comment","from":{{"id":"1","username":"{BODY_TEXT}"}}}},"field":"comments"}}]}}],"object":"instagram"}}"#
    )
    .into_bytes()
}

/// A messaging item whose error message would quote the body.
fn bad_item() -> Vec<u8> {
    format!(
        r#"{{"{BODY_HEAD}":0,"object":"instagram","entry":[{{"id":"17841400000000001","time":1756217841000,"messaging":[{{"sender":{{"id":"1"}},"recipient":{{"id":"2"}},"timestamp":1,"message":{{"mid":"m1","text":"x","is_echo":"{BODY_TEXT}"}}}},{{"sender":{{"id":"1"}},"recipient":{{"id":"2"}},"timestamp":1,"message":{{"mid":"{BODY_TEXT}","text":"{BODY_TEXT}"}}}}]}}]}}"#
    )
    .into_bytes()
}

/// `value` form-urlencoded, as Meta sends query values.
fn form_encoded(value: &[u8]) -> String {
    form_urlencoded::byte_serialize(value).collect()
}

/// `value` with every byte percent-encoded (`%54%4F...`): valid, if unusual.
fn fully_percent_encoded(value: &[u8]) -> String {
    value.iter().map(|byte| format!("%{byte:02X}")).collect()
}

/// A request: method, query, signature header values, body.
struct Request {
    method: &'static str,
    query: Option<String>,
    signatures: Vec<Vec<u8>>,
    /// The legacy `X-Hub-Signature` value, if sent.
    legacy: Option<Vec<u8>>,
    body: Vec<u8>,
    /// The connection drops before the body ends.
    breaks_off: bool,
}

impl Request {
    fn post(body: Vec<u8>, signatures: Vec<Vec<u8>>) -> Self {
        Self {
            method: "POST",
            query: None,
            signatures,
            legacy: None,
            body,
            breaks_off: false,
        }
    }

    fn signed(secret: &str, body: Vec<u8>) -> Self {
        let signature = sign(&AppSecret::new(secret).unwrap(), &body);
        Self::post(body, vec![signature.into_bytes()])
    }

    fn get(query: Option<String>) -> Self {
        Self {
            method: "GET",
            query,
            signatures: Vec::new(),
            legacy: None,
            body: Vec::new(),
            breaks_off: false,
        }
    }

    /// A handshake with `token` already encoded and `challenge` as is.
    fn handshake(encoded_token: &str, challenge: &str) -> Self {
        Self::get(Some(format!(
            "hub.mode=subscribe&hub.verify_token={encoded_token}&hub.challenge={challenge}"
        )))
    }
}

/// Valid, forged and malformed requests of every kind the pipeline
/// distinguishes, each with the status it must get.
fn requests() -> Vec<(Request, u16)> {
    let body = || comment("17841400000000001");
    let genuine = sign(&AppSecret::new(SECRET).unwrap(), &body());
    let forged = sign(&AppSecret::new(FORGER_SECRET).unwrap(), &body());

    let mut legacy_only = Request::post(body(), Vec::new());
    // A SHA-1-sized value cut from the genuine MAC: a received signature all the same.
    legacy_only.legacy = Some(format!("sha1={}", &genuine[7..47]).into_bytes());
    let mut broken = Request::signed(SECRET, body());
    broken.breaks_off = true;
    let mut over_limit = body();
    over_limit.resize(BODY_LIMIT + 1, b' ');
    let mut delete = Request::post(BODY_TEXT.as_bytes().to_vec(), Vec::new());
    delete.method = "DELETE";

    vec![
        (
            Request::handshake(&form_encoded(TOKEN.as_bytes()), "1158201444"),
            200,
        ),
        (
            Request::handshake(&fully_percent_encoded(TOKEN.as_bytes()), "1158201444"),
            200,
        ),
        (
            Request::handshake(&form_encoded(GUESSED_TOKEN.as_bytes()), "1158201444"),
            403,
        ),
        (
            Request::handshake(&form_encoded(TOKEN.as_bytes()), &format!("{BODY_TEXT}%00")),
            400,
        ),
        (Request::get(None), 400),
        (Request::signed(SECRET, body()), 200),
        (
            Request::post(
                body(),
                vec![format!("sha256={}", genuine[7..].to_ascii_uppercase()).into_bytes()],
            ),
            200,
        ),
        (
            Request::post(
                body(),
                vec![forged.clone().into_bytes(), genuine.clone().into_bytes()],
            ),
            200,
        ),
        (
            Request::post(body(), vec![format!("{forged}, {genuine}").into_bytes()]),
            200,
        ),
        (
            Request::signed(OLD_SECRET, comment("17841400000000002")),
            200,
        ),
        (Request::signed(SECRET, comment(FAILING_ACCOUNT)), 500),
        (Request::signed(SECRET, bad_item()), 200),
        (Request::post(body(), vec![forged.into_bytes()]), 401),
        (Request::post(body(), Vec::new()), 401),
        (
            Request::post(body(), vec![format!("sha256={BODY_TEXT}").into_bytes()]),
            401,
        ),
        (
            Request::post(
                body(),
                vec![format!("sha256={}", "z".repeat(64)).into_bytes()],
            ),
            401,
        ),
        (legacy_only, 401),
        (broken, 400),
        (
            Request::signed(SECRET, format!("{BODY_TEXT} is not JSON").into_bytes()),
            200,
        ),
        (
            Request::signed(
                SECRET,
                format!(r#"{{"{BODY_HEAD}":0,"object":"instagram","entry":"{BODY_TEXT}"}}"#)
                    .into_bytes(),
            ),
            200,
        ),
        (Request::signed(SECRET, over_limit), 413),
        (delete, 405),
    ]
}

/// Every `WINDOW`-character piece of `text` (all of it when shorter).
fn windows(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= WINDOW {
        return vec![text.to_owned()];
    }
    chars
        .windows(WINDOW)
        .map(|window| window.iter().collect())
        .collect()
}

/// The ways a secret value or a MAC could be written into text: hex,
/// base64 (standard and URL-safe; unpadded, so that the padded forms
/// contain them), and for text values also raw, `Debug`-escaped,
/// form-urlencoded and fully percent-encoded.
fn encodings(value: &[u8], is_text: bool) -> Vec<String> {
    let mut forms = vec![
        hex::encode(value),
        STANDARD_NO_PAD.encode(value),
        URL_SAFE_NO_PAD.encode(value),
    ];
    if is_text {
        let text = String::from_utf8_lossy(value);
        let debug = format!("{text:?}");
        forms.extend([
            text.clone().into_owned(),
            debug[1..debug.len() - 1].to_owned(),
            form_encoded(value),
            fully_percent_encoded(value),
        ]);
    }
    forms
}

/// The forms in which a leak of the first bytes of `body` shows, for a leak
/// of any length from 8 bytes up: its first 8 bytes raw, `Debug`-escaped
/// (as `{:?}` of a `str` or of `Bytes` writes them) and JSON-escaped; its
/// first 4 bytes in hex and its first 6 in base64 (each exactly 8
/// characters, the fixed start of the encoding of any longer prefix); and
/// the start of `{:?}` of its bytes as a list of numbers.
///
/// The rule is only sound when the first 8 bytes are distinctive, so every
/// body starts with a canary: JSON bodies with [`BODY_HEAD`] as their first
/// key (a body starting `{"entry"` would forbid harmless text), others with
/// [`BODY_TEXT`]. Leaks from elsewhere in a body are caught by [`CANARY`],
/// which every body repeats throughout.
fn body_prefix_forms(body: &[u8]) -> Vec<String> {
    let head = &body[..WINDOW];
    let text = std::str::from_utf8(head).expect("bodies start with ASCII canaries");
    assert!(
        text.contains("BODY"),
        "every body starts with a canary, so that its first bytes are distinctive: {text:?}"
    );
    let debug = format!("{text:?}");
    let json = serde_json::to_string(text).unwrap();
    let numbers = format!("{head:?}");
    vec![
        text.to_owned(),
        debug[1..debug.len() - 1].to_owned(),
        head.escape_ascii().to_string(),
        json[1..json.len() - 1].to_owned(),
        hex::encode(&body[..4]),
        STANDARD_NO_PAD.encode(&body[..6]),
        URL_SAFE_NO_PAD.encode(&body[..6]),
        numbers[1..numbers.len() - 1].to_owned(),
    ]
}

/// Every MAC the pipeline could compute for `body` (one per configured
/// secret), as bytes.
fn macs(body: &[u8]) -> Vec<Vec<u8>> {
    SECRETS
        .iter()
        .map(|secret| {
            let header = sign(&AppSecret::new(*secret).unwrap(), body);
            hex::decode(header.strip_prefix("sha256=").unwrap()).unwrap()
        })
        .collect()
}

/// What no log line, answer or `Debug` output may contain, lowercased (the
/// checks compare case-insensitively, so upper- and mixed-case leaks count):
///
/// - the App Secrets and the verify tokens (configured and guessed): every
///   [`WINDOW`]-character piece of each of their [`encodings`] (raw,
///   escaped, hex, base64 standard and URL-safe, percent-encoded);
/// - for every body of `requests`, every MAC the configured secrets give:
///   every piece of its hex and of its base64 (standard and URL-safe);
/// - every received signature value (`X-Hub-Signature-256` and the legacy
///   header): the whole value and every piece of what follows the `=` of
///   each of its comma-separated parts;
/// - the first bytes of every body, in every form of [`body_prefix_forms`];
/// - the word [`CANARY`], which every secret, token and body holds.
fn forbidden_substrings(requests: &[&Request]) -> BTreeSet<String> {
    let mut forbidden = BTreeSet::from([CANARY.to_owned()]);
    for value in SECRETS.iter().chain(&TOKENS) {
        for form in encodings(value.as_bytes(), true) {
            forbidden.extend(windows(&form));
        }
    }
    for request in requests {
        for mac in macs(&request.body) {
            for form in encodings(&mac, false) {
                forbidden.extend(windows(&form));
            }
        }
        for value in request.signatures.iter().chain(&request.legacy) {
            let value = String::from_utf8_lossy(value);
            // One line may fold several values: `sha256=..., sha256=...`.
            for piece in value.split(',') {
                let piece = piece.trim();
                let digest = piece.split_once('=').map_or(piece, |(_, digest)| digest);
                forbidden.extend(windows(digest));
            }
            forbidden.insert(value.into_owned());
        }
        if request.body.len() >= WINDOW {
            forbidden.extend(body_prefix_forms(&request.body));
        }
    }
    forbidden
        .into_iter()
        .map(|text| text.to_lowercase())
        .collect()
}

/// Fails, naming `place`, if `text` holds any of `forbidden` in any case.
fn assert_free_of(place: &str, text: &str, forbidden: &BTreeSet<String>) {
    let lowered = text.to_lowercase();
    for secret in forbidden {
        assert!(
            !lowered.contains(secret.as_str()),
            "{place} shows {secret:?}:\n{text}"
        );
    }
}

/// A body arriving in pieces, as from a socket; it may break off.
struct Pieces {
    pieces: Vec<Bytes>,
    breaks_off: bool,
}

impl BodyStream for Pieces {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, BodyReadError>> {
        if self.pieces.is_empty() {
            return self.breaks_off.then_some(Err(BodyReadError));
        }
        Some(Ok(self.pieces.remove(0)))
    }
}

/// The head an adapter builds for `request`: its headers one by one.
fn head<'a>(request: &'a Request, content_length: &'a str) -> RequestHead<'a> {
    let mut head = RequestHead::new(request.method, "/webhook", request.query.as_deref());
    head.header("content-type", b"application/json");
    for value in &request.signatures {
        head.header("X-Hub-Signature-256", value);
    }
    if let Some(value) = &request.legacy {
        head.header("x-hub-signature", value);
    }
    // Bodies of even length declare it, so the limit is met both before
    // and while reading.
    if request.body.len().is_multiple_of(2) {
        head.header("content-length", content_length.as_bytes());
    }
    head
}

/// Drives `request` through the pipeline the way an adapter does: the
/// head, then the body in pieces.
async fn drive(receiver: &Receiver, request: &Request) -> Answer {
    let content_length = request.body.len().to_string();
    let head = head(request, &content_length);
    let body = Pieces {
        pieces: request
            .body
            .chunks(1000)
            .map(Bytes::copy_from_slice)
            .collect(),
        breaks_off: request.breaks_off,
    };
    receiver.serve(&head, body).await
}

#[test]
fn logs_and_answers_hold_no_secret_token_mac_signature_or_body() {
    let captured = Captured::default();
    let writer = captured.clone();
    // No timestamps: the log is the same on every run, so a fragment that
    // matches by chance would match every time, not flake.
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(LevelFilter::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .without_time()
        .finish();
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let (requests, expected): (Vec<Request>, Vec<u16>) = requests().into_iter().unzip();

    // A receiver per request: the tracing observer writes one warning of a
    // kind per ten seconds, and every line is wanted here.
    let guard = subscriber.set_default();
    let answers: Vec<Answer> = requests
        .iter()
        .map(|request| block_on(drive(&receiver(reasons.clone()), request)))
        .collect();
    drop(guard);

    let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert_eq!(statuses, expected, "every kind of request went through");
    // Meta's handshake got its challenge back, raw or percent-encoded token.
    assert_eq!(answers[0].body().as_ref(), b"1158201444");
    assert_eq!(answers[1].body().as_ref(), b"1158201444");

    let log = captured.text();
    // The capture works and saw every outcome: a test that can fail.
    for expected in [
        "verification handshake answered",
        "handshake refused",
        "DEBUG instagram_webhook: delivery",
        "outcome=\"handled\"",
        "handler failed",
        "item_errors=1",
        "signature check failed",
        "outcome=\"unauthorized\"",
        "verified body is not an Instagram envelope",
        "payload too large",
        "could not read body",
        "secret_index=1",
    ] {
        assert!(log.contains(expected), "the log lacks {expected:?}:\n{log}");
    }

    let forbidden = forbidden_substrings(&requests.iter().collect::<Vec<_>>());
    assert_free_of("the log", &log, &forbidden);

    // The rejected-payload reasons and the answers are as clean.
    let reasons = reasons.lock().unwrap_or_else(PoisonError::into_inner);
    assert_eq!(reasons.len(), 2, "two bodies were rejected");
    for reason in reasons.iter() {
        assert_free_of("a rejected-payload reason", reason, &forbidden);
    }
    for (answer, status) in answers.iter().zip(&statuses) {
        assert_free_of(
            &format!("the body of a {status} answer"),
            &String::from_utf8_lossy(answer.body()),
            &forbidden,
        );
        for (name, value) in answer.headers() {
            assert_free_of(
                &format!("a header of a {status} answer"),
                &format!("{name}: {value}"),
                &forbidden,
            );
        }
        assert_free_of("an answer's Debug", &format!("{answer:?}"), &forbidden);
    }
}

#[test]
fn forbidden_substrings_catch_partial_and_re_encoded_leaks() {
    // The leaks this suite exists to catch, each written the way a careless
    // log line would: if the rule stops seeing one, this fails.
    let request = Request::signed(SECRET, comment("17841400000000001"));
    let forbidden = forbidden_substrings(&[&request]);
    let header = String::from_utf8(request.signatures[0].clone()).unwrap();
    let mac = &macs(&request.body)[0];
    let body = String::from_utf8(request.body.clone()).unwrap();
    let leaks = [
        format!("body={:?}", &body[..48]),
        format!("body={}", &body[..8]),
        format!("body={:?}", Bytes::copy_from_slice(&request.body[..20])),
        format!("body={}", hex::encode(&request.body[..10])),
        format!("body={}", STANDARD_NO_PAD.encode(&request.body[..30])),
        format!("signature={}", &header[7..23]),
        format!("signature={}", header[30..38].to_ascii_uppercase()),
        format!("mac={}", &hex::encode(mac)[40..48]),
        format!("mac={}", URL_SAFE_NO_PAD.encode(mac)),
        format!("mac={}", &STANDARD_NO_PAD.encode(mac)[10..18]),
        format!("secret={}", STANDARD_NO_PAD.encode(OLD_SECRET)),
        format!("secret={}", &hex::encode(SECRET)[4..12]),
        format!("token={}", form_encoded(TOKEN.as_bytes())),
        format!(
            "token={}",
            fully_percent_encoded(TOKEN.as_bytes()).to_lowercase()
        ),
        "token=TOKEN-CA".to_owned(),
        "CANARY".to_owned(),
    ];
    for leak in &leaks {
        let caught = forbidden
            .iter()
            .any(|secret| leak.to_lowercase().contains(secret.as_str()));
        assert!(caught, "{leak:?} is not recognised as a leak");
    }
    // And harmless text passes.
    assert_free_of(
        "a harmless line",
        "WARN instagram_webhook: signature check failed outcome=\"unauthorized\" bytes=196",
        &forbidden,
    );
}

#[test]
fn debug_of_everything_holding_a_secret_is_redacted() {
    let secret = AppSecret::new(SECRET).unwrap();
    let token = VerifyToken::new(TOKEN).unwrap();
    let verifier =
        Verifier::with_secrets([secret.clone(), AppSecret::new(OLD_SECRET).unwrap()]).unwrap();
    let apps = AppVerifiers::new(AppKey::QueryParameter("app".to_owned()))
        .app("shop", verifier.clone())
        .app(
            "blog",
            Verifier::from_comma_separated(&format!("{SECRET},{OLD_SECRET}")).unwrap(),
        );
    let boxed: Box<dyn SelectVerifier> = Box::new(apps.clone());
    let builder = Receiver::builder(apps.clone(), token.clone())
        .handler(|_: Delivery| async { Ok::<(), io::Error>(()) })
        .on_rejected(|_: RejectedPayload| async {});
    let builder_debug = (format!("{builder:?}"), format!("{builder:#?}"));
    let receiver = builder.build();
    let binary = AppSecret::from_bytes(SECRET.as_bytes().to_vec()).unwrap();

    let printed = [
        ("AppSecret", format!("{secret:?}"), format!("{secret:#?}")),
        (
            "AppSecret::from_bytes",
            format!("{binary:?}"),
            format!("{binary:#?}"),
        ),
        ("VerifyToken", format!("{token:?}"), format!("{token:#?}")),
        (
            "Verifier",
            format!("{verifier:?}"),
            format!("{verifier:#?}"),
        ),
        ("AppVerifiers", format!("{apps:?}"), format!("{apps:#?}")),
        (
            "Box<dyn SelectVerifier>",
            format!("{:?}", boxed.select(&select_shop()).unwrap()),
            String::new(),
        ),
        ("ReceiverBuilder", builder_debug.0, builder_debug.1),
        (
            "Receiver",
            format!("{receiver:?}"),
            format!("{receiver:#?}"),
        ),
    ];
    let forbidden = forbidden_substrings(&[]);
    for (name, plain, alternate) in &printed {
        for text in [plain, alternate]
            .into_iter()
            .filter(|text| !text.is_empty())
        {
            assert!(text.contains("[redacted"), "{name}: {text}");
            assert_free_of(name, text, &forbidden);
            // Not as bytes either (`[83, 69, 67, ...]`).
            let bytes = format!("{:?}", &SECRET.as_bytes()[..4]);
            assert!(!text.contains(&bytes[1..bytes.len() - 1]), "{name}: {text}");
        }
    }

    // A parsed signature hides its digest.
    let request = Request::signed(SECRET, b"{}".to_vec());
    let signature = Signature::parse(&request.signatures[0]).unwrap();
    let forbidden = forbidden_substrings(&[&request]);
    for text in [format!("{signature:?}"), format!("{signature:#?}")] {
        assert_free_of("Signature's Debug", &text, &forbidden);
    }
}

fn select_shop() -> instagram_webhook_core::RequestContext<'static> {
    instagram_webhook_core::RequestContext::new("/webhook", Some("app=shop"))
}

/// Never echo the received signature, never log a secret. A
/// [`RequestHead`] is what an adapter has in hand: it holds the raw
/// `X-Hub-Signature-256` values (for a genuine delivery, the MAC of its
/// body) and the raw query (for Meta's handshake, `hub.verify_token`, the
/// configured token), so its `Debug` must print neither.
#[test]
fn request_head_debug_hides_signatures_and_the_verify_token() {
    let (requests, _): (Vec<Request>, Vec<u16>) = requests().into_iter().unzip();
    let handshakes = requests
        .iter()
        .filter(|request| request.query.is_some())
        .count();
    let signed = requests
        .iter()
        .filter(|request| !request.signatures.is_empty())
        .count();
    assert!(
        handshakes >= 3 && signed >= 5,
        "the heads to print are there"
    );
    let forbidden = forbidden_substrings(&requests.iter().collect::<Vec<_>>());
    for request in &requests {
        let content_length = request.body.len().to_string();
        let head = head(request, &content_length);
        for text in [format!("{head:?}"), format!("{head:#?}")] {
            assert_free_of("RequestHead's Debug", &text, &forbidden);
            // Still useful: the request line is there, the rest described.
            assert!(
                text.contains(request.method) && text.contains("/webhook"),
                "{text}"
            );
            if let Some(query) = &request.query {
                assert!(
                    text.contains(&format!("[redacted; {} bytes, 3 parameters]", query.len())),
                    "{text}"
                );
            }
            assert!(
                text.contains(&format!("[redacted; {}]", request.signatures.len())),
                "{text}"
            );
        }
    }
}
