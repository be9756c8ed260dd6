//! Nothing private leaks: every line the pipeline logs (with the `tracing`
//! feature, captured at TRACE with every span and field) while valid, forged
//! and malformed requests pass through is free of the App Secret, the verify
//! token, any MAC, any received signature and any body text; and `Debug` of
//! every public type holding a secret prints `[redacted]`.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use bytes::Bytes;
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
const TOKEN: &str = "TOKEN-canary-91bc0e";
/// Text that appears only inside request bodies.
const BODY_TEXT: &str = "BODYTEXT-canary-55e1";
/// A verify token an impostor tries.
const GUESSED_TOKEN: &str = "GUESS-canary-0b77";
/// Deliveries for this account make the handler fail.
const FAILING_ACCOUNT: &str = "17841400000000500";
const BODY_LIMIT: usize = 64 * 1024;

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

/// Everything written by the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn receiver(reasons: Arc<Mutex<Vec<String>>>) -> Receiver {
    let verifier = Verifier::with_secrets([
        AppSecret::new(SECRET).unwrap(),
        AppSecret::new(OLD_SECRET).unwrap(),
    ])
    .unwrap();
    Receiver::builder(
        verifier,
        VerifyToken::new(TOKEN).unwrap(),
        |delivery: Delivery| async move {
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
        },
    )
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
        r#"{{"entry":[{{"id":"{account}","time":1756217841,"changes":[{{"value":{{"id":"18000000000000001","text":"{BODY_TEXT} comment","from":{{"id":"1","username":"{BODY_TEXT}"}}}},"field":"comments"}}]}}],"object":"instagram"}}"#
    )
    .into_bytes()
}

/// A messaging item whose error message would quote the body.
fn bad_item() -> Vec<u8> {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"17841400000000001","time":1756217841000,"messaging":[{{"sender":{{"id":"1"}},"recipient":{{"id":"2"}},"timestamp":1,"message":{{"mid":"m1","text":"x","is_echo":"{BODY_TEXT}"}}}},{{"sender":{{"id":"1"}},"recipient":{{"id":"2"}},"timestamp":1,"message":{{"mid":"{BODY_TEXT}","text":"{BODY_TEXT}"}}}}]}}]}}"#
    )
    .into_bytes()
}

/// A request: method, query, signature header values, body.
struct Request {
    method: &'static str,
    query: Option<String>,
    signatures: Vec<Vec<u8>>,
    legacy: bool,
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
            legacy: false,
            body,
            breaks_off: false,
        }
    }

    fn signed(secret: &str, body: Vec<u8>) -> Self {
        let signature = sign(&AppSecret::new(secret).unwrap(), &body);
        Self::post(body, vec![signature.into_bytes()])
    }

    fn handshake(token: &str, challenge: &str) -> Self {
        Self {
            method: "GET",
            query: Some(format!(
                "hub.mode=subscribe&hub.verify_token={token}&hub.challenge={challenge}"
            )),
            signatures: Vec::new(),
            legacy: false,
            body: Vec::new(),
            breaks_off: false,
        }
    }
}

/// Valid, forged and malformed requests of every kind the pipeline
/// distinguishes.
fn requests() -> Vec<Request> {
    let mut legacy_only = Request::post(comment("17841400000000001"), Vec::new());
    legacy_only.legacy = true;
    let mut broken = Request::signed(SECRET, comment("17841400000000001"));
    broken.breaks_off = true;
    let wrong_length = format!("sha256={BODY_TEXT}").into_bytes();
    vec![
        Request::handshake(TOKEN, "1158201444"),
        Request::handshake(GUESSED_TOKEN, "1158201444"),
        Request::handshake(TOKEN, &format!("{BODY_TEXT}%00")),
        Request {
            method: "GET",
            query: None,
            signatures: Vec::new(),
            legacy: false,
            body: Vec::new(),
            breaks_off: false,
        },
        Request::signed(SECRET, comment("17841400000000001")),
        Request::signed(OLD_SECRET, comment("17841400000000002")),
        Request::signed(SECRET, comment(FAILING_ACCOUNT)),
        Request::signed(SECRET, bad_item()),
        Request::signed("not-the-secret", comment("17841400000000001")),
        Request::post(comment("17841400000000001"), Vec::new()),
        Request::post(comment("17841400000000001"), vec![wrong_length]),
        Request::post(
            comment("17841400000000001"),
            vec![format!("sha256={}", "z".repeat(64)).into_bytes()],
        ),
        legacy_only,
        broken,
        Request::signed(SECRET, format!("{BODY_TEXT} is not JSON").into_bytes()),
        Request::signed(
            SECRET,
            format!(r#"{{"object":"instagram","entry":"{BODY_TEXT}"}}"#).into_bytes(),
        ),
        Request::signed(SECRET, {
            let mut body = comment("17841400000000001");
            body.resize(BODY_LIMIT + 1, b' ');
            body
        }),
        Request {
            method: "DELETE",
            query: None,
            signatures: Vec::new(),
            legacy: false,
            body: BODY_TEXT.as_bytes().to_vec(),
            breaks_off: false,
        },
    ]
}

/// Every MAC the pipeline could compute for `body`, and its hex forms.
fn macs(body: &[u8]) -> Vec<String> {
    [SECRET, OLD_SECRET]
        .iter()
        .flat_map(|secret| {
            let header = sign(&AppSecret::new(*secret).unwrap(), body);
            let digest = header.strip_prefix("sha256=").unwrap().to_owned();
            [digest.to_ascii_uppercase(), digest]
        })
        .collect()
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

/// Drives `request` through the pipeline the way an adapter does: the
/// head's headers one by one, the body in pieces.
async fn drive(receiver: &Receiver, request: &Request) -> Answer {
    let content_length = request.body.len().to_string();
    let mut head = RequestHead::new(request.method, "/webhook", request.query.as_deref());
    head.header("content-type", b"application/json");
    for value in &request.signatures {
        head.header("X-Hub-Signature-256", value);
    }
    if request.legacy {
        head.header(
            "x-hub-signature",
            b"sha1=0123456789abcdef0123456789abcdef01234567",
        );
    }
    // Bodies of even length declare it, so the limit is met both before
    // and while reading.
    if request.body.len().is_multiple_of(2) {
        head.header("content-length", content_length.as_bytes());
    }
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
fn logs_hold_no_secret_token_mac_signature_or_body() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(LevelFilter::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let receiver = receiver(reasons.clone());
    let requests = requests();

    let guard = subscriber.set_default();
    let answers: Vec<Answer> = requests
        .iter()
        .map(|request| block_on(drive(&receiver, request)))
        .collect();
    drop(guard);

    let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert_eq!(
        statuses,
        [
            200, 403, 400, 400, 200, 200, 500, 200, 401, 401, 401, 401, 401, 400, 200, 200, 413,
            405
        ],
        "every kind of request went through"
    );

    let log = captured.text();
    // The capture works and saw every outcome: a test that can fail.
    for expected in [
        "verification handshake answered",
        "handshake refused",
        "instagram_webhook.delivery",
        "delivery handled",
        "handler failed",
        "item_errors=1",
        "signature check failed",
        "outcome=\"unauthorized\"",
        "verified body is not an Instagram envelope",
        "body over the limit",
        "reading the body failed",
        "secret_index=1",
    ] {
        assert!(log.contains(expected), "the log lacks {expected:?}:\n{log}");
    }

    let mut forbidden: Vec<String> = vec![
        SECRET.to_owned(),
        OLD_SECRET.to_owned(),
        hex::encode(SECRET),
        hex::encode(OLD_SECRET),
        TOKEN.to_owned(),
        GUESSED_TOKEN.to_owned(),
        BODY_TEXT.to_owned(),
        "canary".to_owned(),
    ];
    for request in &requests {
        forbidden.extend(macs(&request.body));
        for value in &request.signatures {
            forbidden.push(String::from_utf8_lossy(value).into_owned());
        }
    }
    for text in &forbidden {
        assert!(
            !log.contains(text.as_str()),
            "the log shows {text:?}:\n{log}"
        );
    }

    // The rejected-payload reasons and the answers are as clean.
    let reasons = reasons.lock().unwrap_or_else(PoisonError::into_inner);
    assert_eq!(reasons.len(), 2, "two bodies were rejected");
    for answer in &answers {
        let body = String::from_utf8_lossy(answer.body());
        for text in reasons.iter().map(String::as_str).chain([body.as_ref()]) {
            for secret in &forbidden {
                assert!(!text.contains(secret.as_str()), "{text:?} shows {secret:?}");
            }
        }
    }
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
    let builder = Receiver::builder(apps.clone(), token.clone(), |_: Delivery| async {
        Ok::<(), io::Error>(())
    })
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
    for (name, plain, alternate) in &printed {
        for text in [plain, alternate]
            .into_iter()
            .filter(|text| !text.is_empty())
        {
            assert!(text.contains("[redacted"), "{name}: {text}");
            for secret in [SECRET, OLD_SECRET, TOKEN, "canary"] {
                assert!(!text.contains(secret), "{name} shows {secret:?}: {text}");
            }
            assert!(!text.contains(&hex::encode(SECRET)), "{name}: {text}");
            // Not as bytes either (`[83, 69, 67, ...]`).
            let bytes = format!("{:?}", &SECRET.as_bytes()[..4]);
            assert!(!text.contains(&bytes[1..bytes.len() - 1]), "{name}: {text}");
        }
    }

    // A parsed signature hides its digest.
    let header = sign(&secret, b"{}");
    let signature = Signature::parse(&header).unwrap();
    let digest = header.strip_prefix("sha256=").unwrap();
    for text in [format!("{signature:?}"), format!("{signature:#?}")] {
        assert!(!text.contains(digest), "{text}");
        assert!(!text.contains(&digest[..8]), "{text}");
    }
}

fn select_shop() -> instagram_webhook_core::RequestContext<'static> {
    instagram_webhook_core::RequestContext::new("/webhook", Some("app=shop"))
}

/// DESIGN §4: never echo the received signature. A [`RequestHead`] holds
/// the raw `X-Hub-Signature-256` values (for a genuine delivery, the MAC of
/// its body) and is what an adapter has in hand, so its `Debug` must not
/// print them, as [`Signature`]'s does not.
#[test]
fn request_head_debug_hides_received_signatures() {
    let body = comment("17841400000000001");
    let header = sign(&AppSecret::new(SECRET).unwrap(), &body);
    let digest = header.strip_prefix("sha256=").unwrap();
    let mut head = RequestHead::new("POST", "/webhook", None);
    head.header("x-hub-signature-256", header.as_bytes());
    for text in [format!("{head:?}"), format!("{head:#?}")] {
        let bytes = format!("{:?}", &header.as_bytes()[7..15]);
        assert!(
            !text.contains(digest) && !text.contains(&bytes[1..bytes.len() - 1]),
            "RequestHead's Debug prints the received signature: {text}"
        );
    }
}
