//! What the operations surface's tests share: a database on each engine,
//! Meta-like deliveries, the surface and a webhook receiver served on
//! loopback, requests that check every answer for leaked secrets, workers
//! with scripted outcomes, and waiting with a deadline.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use instagram_webhook_core::receive::{Delivery, Origin, ReceiverBuilder};
use instagram_webhook_core::test_kit::{SignedDelivery, to_meta_json};
use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
use instagram_webhook_inbox::{Failure, Inbox, InboxBuilder, Job, State, Worker};
use instagram_webhook_ops::{Ops, Token};
use instagram_webhook_testing::postgres::Server;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// The App Secret the receiver verifies with: no answer may carry it.
pub const SECRET: &str = "ops-test-app-secret-5f2b9c";
/// The handshake's verify token: no answer may carry it.
pub const VERIFY_TOKEN: &str = "ops-test-verify-token-77a1";
/// The operations token (read and write).
pub const WRITE_TOKEN: &str = "ops-write-token-0123456789abcdef";
/// The read-only token.
pub const READ_TOKEN: &str = "ops-read-token-fedcba9876543210";
/// The receiver's body limit, so a too-large body is cheap to send.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A database the test owns: a SQLite file in a temporary directory, or a
/// fresh database on a real PostgreSQL server.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
        Self {
            url,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Self {
        Self {
            url: Server::shared().database().await,
            _dir: None,
        }
    }

    /// Opens an inbox on it with `builder`.
    pub async fn open(&self, builder: InboxBuilder) -> Inbox {
        builder.open(&self.url).await.expect("the inbox opens")
    }
}

/// Generates one test per engine for each named async function taking a
/// [`Db`].
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Db::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Db::postgres().await).await;
                }
            )*
        }
    };
}

/// A builder with no background task (tests call rescue themselves).
pub fn quiet() -> InboxBuilder {
    Inbox::builder().maintenance(None)
}

// ---------------------------------------------------------------------------
// Deliveries, shaped and escaped like Meta's.

/// The Instagram business account most deliveries are for.
pub const ACCOUNT: &str = "17841400538867190";
/// A second account, for the `account` filter.
pub const OTHER_ACCOUNT: &str = "17841472110558136";

/// A `messaging` item: a text message from `sender` to `account`.
pub fn message(account: &str, sender: &str, mid: &str, text: &str) -> Value {
    json!({
        "sender": {"id": sender},
        "recipient": {"id": account},
        "timestamp": 1_762_031_146_380_u64,
        "message": {"mid": mid, "text": text}
    })
}

/// A delivery of `items` in one `messaging` entry of `account`, escaped like
/// Meta (`\uXXXX`, `\/`).
pub fn messaging(account: &str, items: Vec<Value>) -> Bytes {
    meta(&json!({
        "object": "instagram",
        "entry": [{"time": 1_762_031_165_141_u64, "id": account, "messaging": items}]
    }))
}

/// A delivery of one comment `id` on `media` for `account`.
pub fn comment(account: &str, media: &str, id: &str, text: &str) -> Bytes {
    meta(&json!({
        "entry": [{"id": account, "time": 1_778_494_689_u64, "changes": [{
            "value": {
                "from": {"id": "1666373194407721", "username": "veerchopra809"},
                "media": {"id": media, "media_product_type": "REELS"},
                "id": id,
                "text": text
            },
            "field": "comments"
        }]}],
        "object": "instagram"
    }))
}

/// `value` as Meta writes JSON.
pub fn meta(value: &Value) -> Bytes {
    Bytes::from(to_meta_json(value).expect("JSON"))
}

/// A live capture's exact bytes (an echo of a text sent from the Instagram
/// app): compact, keys in Meta's order, non-ASCII as `\u` escapes (an
/// accented letter and an emoji as a surrogate pair).
pub const ECHO_CAPTURE: &str = concat!(
    r#"{"entry":[{"id":"17841400538867190","time":1762010783728,"messaging":[{"sender":{"id":"17841400538867190"},"#,
    r#""message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwNTM4ODY3MTkwOjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1ODU5OTE3NTI2OTQwODg3NjozMjUwMzM2MTczNzg4MTI5NDExMzU3NjQ4OTczNTY4NDA5NgZDZD","#,
    r#""text":"Ol\u00e1, testando amor \ud83e\udd70","is_echo":true},"recipient":{"id":"1129842642640637"},"#,
    r#""timestamp":1762010770464}]}],"object":"instagram"}"#
);

/// A live capture of an image message: its CDN URL with Meta's `\/`.
pub const IMAGE_CAPTURE: &str = concat!(
    r#"{"object":"instagram","entry":[{"time":1740157287033,"id":"17841472110558136","messaging":[{"sender":{"id":"489760440872775"},"#,
    r#""recipient":{"id":"17841472110558136"},"timestamp":1740157286706,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDcyMTEwNTU4MTM2OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjAyNTg0MzYzNjQ5MDY2MjozMjEwMDIzNjExNTg4MzI3NzM3OTI0MTg2MTg1NjYyNDY0MAZDZD","#,
    r#""attachments":[{"type":"image","payload":{"url":"https:\/\/lookaside.fbsbx.com\/ig_messaging_cdn\/?asset_id=1151970572602487&signature=AYddBE7nIoOZgwxUzmOcNvQdjj-29xgWns_TQqxig"}}]}}]}]}"#
);

/// `body` as a delivery the receiver verified (for storing without HTTP).
pub fn delivery(body: Bytes) -> Delivery {
    Delivery::dangerous_from_stored(body, Origin::new("/webhook", SystemTime::now(), 0))
        .expect("an envelope")
}

/// Stores a one-item delivery directly; its event's id.
pub async fn store_one(inbox: &Inbox, body: Bytes) -> i64 {
    let accepted = inbox.store(&delivery(body)).await.expect("stored");
    accepted.events[0].expect("a new event").0
}

// ---------------------------------------------------------------------------
// Waiting.

/// Waits until `check` holds, for at most a minute (a generous bound for
/// slow machines, never a timing assertion: the check is what is tested).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until nothing waits or runs: every event processed or a dead
/// letter.
pub async fn settled(inbox: &Inbox) {
    eventually("the queue to settle", || async {
        let stats = inbox.stats().await.expect("stats");
        stats.count(State::Pending) == 0
            && stats.count(State::Failed) == 0
            && stats.count(State::Processing) == 0
    })
    .await;
}

/// Waits until event `id` is in `state`.
pub async fn until_state(inbox: &Inbox, id: i64, state: State) {
    eventually(&format!("event {id} {state}"), || async {
        inbox
            .event(instagram_webhook_inbox::EventId(id))
            .await
            .is_ok_and(|detail| detail.event.state == state)
    })
    .await;
}

/// Waits until a clock reading after `time` is certain, so what is stored
/// next has a later `created_at` (times are kept in milliseconds).
pub async fn clock_past(time: SystemTime) {
    let past = time + Duration::from_millis(2);
    eventually("the clock to move on", || async {
        SystemTime::now() > past
    })
    .await;
}

// ---------------------------------------------------------------------------
// Workers whose handler does what the item's text says.

/// Markers in a message's or comment's text.
pub const GIVE_UP: &str = "[give-up]";
pub const FAIL: &str = "[fail]";
pub const FLAKY: &str = "[flaky]";
pub const PANIC: &str = "[panic]";
pub const HANG: &str = "[hang]";

/// The scripted outcome of an attempt, from the markers in the item:
/// give up, fail every time, fail the first attempt, panic on the first
/// attempt, never return; otherwise succeed.
pub async fn scripted(job: Job) -> Result<(), Failure> {
    let raw = job.event.raw().get().to_owned();
    if raw.contains(HANG) {
        std::future::pending::<()>().await;
    }
    if raw.contains(GIVE_UP) {
        return Err(Failure::give_up("the Graph API says the media is gone"));
    }
    if raw.contains(FAIL) {
        return Err(Failure::retry("the Graph API answered 500"));
    }
    if raw.contains(FLAKY) && job.attempt == 1 {
        return Err(Failure::retry("connection reset by the Graph API"));
    }
    assert!(
        !(raw.contains(PANIC) && job.attempt == 1),
        "the handler met an unexpected shape"
    );
    Ok(())
}

/// A worker running [`scripted`], polling often.
pub fn worker(inbox: &Inbox, name: &str) -> Worker {
    inbox
        .worker(scripted)
        .name(name)
        .concurrency(4)
        .poll_interval(Duration::from_millis(10))
        .start()
}

/// Runs a [`scripted`] worker until the queue settles.
pub async fn process_all(inbox: &Inbox) {
    let worker = worker(inbox, "worker-all");
    settled(inbox).await;
    worker.shutdown().await;
}

// ---------------------------------------------------------------------------
// The surface and the receiver, on loopback.

/// Serves `ops` on a free loopback port; its base URL.
pub async fn serve_ops(ops: Ops) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(ops.serve(listener, std::future::pending()));
    base
}

/// The receiver builder for `inbox` with the test secret and verify token.
pub fn receiver(inbox: &Inbox) -> ReceiverBuilder {
    inbox
        .receiver(
            Verifier::new(AppSecret::new(SECRET).expect("a secret")),
            VerifyToken::new(VERIFY_TOKEN).expect("a token"),
        )
        .body_limit(BODY_LIMIT)
}

/// Serves `receiver` at `/webhook` on a free loopback port; the webhook URL.
pub async fn serve_webhook(receiver: ReceiverBuilder) -> String {
    let app = instagram_webhook_axum::router("/webhook", receiver.build());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://{}/webhook",
        listener.local_addr().expect("an address")
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// The operations surface (write and read-only tokens) and a webhook
/// receiver over one inbox.
pub struct Surface {
    pub base: String,
    pub webhook: String,
    pub inbox: Inbox,
    client: reqwest::Client,
    check: Option<Check>,
}

/// A check run on every answer (the API's tests check each against the
/// OpenAPI document).
pub type Check = fn(&Method, &str, &Answer);

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    what: String,
}

impl Surface {
    /// Serves the surface over `inbox` with both tokens, and a receiver.
    pub async fn start(inbox: Inbox) -> Self {
        Self::start_with(inbox, |ops| ops).await
    }

    /// Like [`start`](Self::start), with `configure` applied to the surface.
    pub async fn start_with(inbox: Inbox, configure: impl FnOnce(Ops) -> Ops) -> Self {
        let ops = Ops::new(inbox.clone(), Token::new(WRITE_TOKEN).expect("a token"))
            .read_only_token(Token::new(READ_TOKEN).expect("a token"));
        let base = serve_ops(configure(ops)).await;
        let webhook = serve_webhook(receiver(&inbox)).await;
        Self {
            base,
            webhook,
            inbox,
            client: reqwest::Client::new(),
            check: None,
        }
    }

    /// Runs `check` on every answer from now on.
    #[must_use]
    pub fn checked(mut self, check: Check) -> Self {
        self.check = Some(check);
        self
    }

    /// The webhook URL's client, for tasks that deliver on their own.
    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }

    /// POSTs `body` to the webhook signed with the App Secret; the status.
    pub async fn deliver(&self, body: impl Into<Bytes>) -> u16 {
        post_signed(&self.client, &self.webhook, body).await
    }

    /// A request with `token` (or none); every answer is checked: no secret
    /// or token in it, never sniffed, and the API's never cached.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("the surface answers");
        let answer = Answer::read(format!("{method} {path}"), response).await;
        answer.assert_keeps_secrets();
        answer.assert_headers(path);
        if let Some(check) = self.check {
            check(&method, path, &answer);
        }
        answer
    }

    /// GET with the operations token.
    pub async fn get(&self, path: &str) -> Answer {
        self.request(Method::GET, path, Some(WRITE_TOKEN), None)
            .await
    }

    /// GET with the operations token, expecting 200 and JSON.
    pub async fn json(&self, path: &str) -> Value {
        self.get(path).await.ok_json()
    }

    /// POST `body` as JSON with the operations token.
    pub async fn post(&self, path: &str, body: &str) -> Answer {
        self.request(
            Method::POST,
            path,
            Some(WRITE_TOKEN),
            Some(body.as_bytes().to_vec()),
        )
        .await
    }

    /// DELETE with the operations token.
    pub async fn delete(&self, path: &str) -> Answer {
        self.request(Method::DELETE, path, Some(WRITE_TOKEN), None)
            .await
    }

    /// Every event, newest first, read through the API.
    pub async fn all_events(&self) -> Vec<Value> {
        let page = self.json("/api/webhook-events?limit=200").await;
        assert!(page["next"].is_null(), "a test keeps under 200 events");
        page["events"].as_array().expect("events").clone()
    }

    /// One event's detail.
    pub async fn event(&self, id: i64) -> Value {
        self.json(&format!("/api/webhook-events/{id}")).await
    }

    /// The stats.
    pub async fn stats(&self) -> Value {
        self.json("/api/webhook-events/stats").await
    }
}

/// POSTs `body` to `url` signed with [`SECRET`]; the status.
pub async fn post_signed(client: &reqwest::Client, url: &str, body: impl Into<Bytes>) -> u16 {
    let signed = SignedDelivery::from_body(&AppSecret::new(SECRET).expect("a secret"), body);
    client
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signed.signature())
        .body(signed.body().clone())
        .send()
        .await
        .expect("the receiver answers")
        .status()
        .as_u16()
}

impl Answer {
    pub async fn read(what: String, response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a whole body");
        Self {
            status,
            headers,
            body,
            what,
        }
    }

    /// The header's value, if it has one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|value| value.to_str().expect("an ASCII header"))
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("a UTF-8 body")
    }

    /// The body as JSON (whatever the status).
    pub fn json(&self) -> Value {
        assert!(
            self.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{}: JSON content type, got {:?}",
            self.what,
            self.header("content-type")
        );
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{}: not JSON ({error}): {}", self.what, self.text()))
    }

    /// Asserts 200; the body as JSON.
    pub fn ok_json(&self) -> Value {
        assert_eq!(self.status, 200, "{}: {}", self.what, self.text());
        self.json()
    }

    /// Asserts an error answer: its status, its stable code, and the
    /// parameter it names (or none).
    pub fn assert_error(&self, status: u16, code: &str, parameter: Option<&str>) -> &Self {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text());
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "{}: {body}", self.what);
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: a message for people: {body}",
            self.what
        );
        match parameter {
            Some(name) => assert_eq!(error["parameter"], name, "{}: {body}", self.what),
            None => assert!(
                error.get("parameter").is_none(),
                "{}: no parameter: {body}",
                self.what
            ),
        }
        assert_eq!(
            body.as_object().map(|o| o.len()),
            Some(1),
            "{}: only `error`: {body}",
            self.what
        );
        if status == 503 {
            assert!(self.header("retry-after").is_some(), "{}", self.what);
        }
        if status == 401 {
            assert_eq!(
                self.header("www-authenticate"),
                Some("Bearer"),
                "{}",
                self.what
            );
        }
        self
    }

    /// No answer carries the App Secret, the verify token or a token, in
    /// its body or its headers.
    pub fn assert_keeps_secrets(&self) {
        let body = String::from_utf8_lossy(&self.body);
        for secret in [SECRET, VERIFY_TOKEN, WRITE_TOKEN, READ_TOKEN] {
            assert!(
                !body.contains(secret),
                "{}: the body carries a secret",
                self.what
            );
            for (name, value) in &self.headers {
                assert!(
                    !String::from_utf8_lossy(value.as_bytes()).contains(secret),
                    "{}: header {name} carries a secret",
                    self.what
                );
            }
        }
    }

    /// Never sniffed; the API's answers (but its static OpenAPI document)
    /// never cached.
    fn assert_headers(&self, path: &str) {
        assert_eq!(
            self.header("x-content-type-options"),
            Some("nosniff"),
            "{}",
            self.what
        );
        assert!(
            self.header("access-control-allow-origin").is_none(),
            "{}: no cross-origin reads",
            self.what
        );
        if path.starts_with("/api/") && !path.starts_with("/api/openapi.json") {
            assert_eq!(
                self.header("cache-control"),
                Some("no-store"),
                "{}",
                self.what
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Times.

/// An RFC 3339 time as the API writes it.
pub fn parse_time(text: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|error| panic!("not RFC 3339 ({error}): {text}"))
}

/// `time` as RFC 3339 at a UTC offset of `hours`.
pub fn format_at_offset(time: time::OffsetDateTime, hours: i8) -> String {
    let offset = time::UtcOffset::from_hms(hours, 0, 0).expect("an offset");
    time.to_offset(offset)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

/// `text` percent-encoded for a query string.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
