//! What the inbox's tests share: a database on each engine, deliveries, and
//! waiting for the queue to settle.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use instagram_webhook_core::receive::{Delivery, Origin};
use instagram_webhook_inbox::{Inbox, InboxBuilder, State};
use instagram_webhook_testing::postgres::Server;
use serde_json::{Value, json};

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

    /// Opens an inbox on it with `builder`, without background maintenance
    /// unless the builder asks for it.
    pub async fn open(&self, builder: InboxBuilder) -> Inbox {
        builder.open(&self.url).await.expect("the inbox opens")
    }

    /// A raw connection pool, for ageing rows as time would.
    pub async fn execute(&self, sql: &str) {
        if self.url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
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

/// A builder with no background task (tests call rescue and prune).
pub fn quiet() -> InboxBuilder {
    Inbox::builder().maintenance(None)
}

pub const ACCOUNT: &str = "17841400000000001";

/// A `messaging` item: a text message from `sender` with id `mid`.
pub fn message(sender: &str, mid: &str, text: &str) -> Value {
    json!({
        "sender": {"id": sender},
        "recipient": {"id": ACCOUNT},
        "timestamp": 1_700_000_000_000_u64,
        "message": {"mid": mid, "text": text}
    })
}

/// A delivery of `items` in one `messaging` entry of [`ACCOUNT`].
pub fn messaging(items: Vec<Value>) -> Bytes {
    let body = json!({
        "object": "instagram",
        "entry": [{"id": ACCOUNT, "time": 1_700_000_000_123_u64, "messaging": items}]
    });
    Bytes::from(serde_json::to_vec(&body).unwrap())
}

/// A delivery of one comment `id` on `media`.
pub fn comment(media: &str, id: &str, text: &str) -> Bytes {
    let body = json!({
        "object": "instagram",
        "entry": [{"id": ACCOUNT, "time": 1_700_000_000_u64, "changes": [{
            "field": "comments",
            "value": {"from": {"id": "42", "username": "a"}, "media": {"id": media}, "id": id, "text": text}
        }]}]
    });
    Bytes::from(serde_json::to_vec(&body).unwrap())
}

/// Stores a one-item delivery; its event.
pub async fn store_one(inbox: &Inbox, body: Bytes) -> instagram_webhook_inbox::EventId {
    let accepted = inbox.store(&delivery(body)).await.expect("stored");
    accepted.events[0].expect("a new event")
}

/// `body` as a delivery the receiver verified.
pub fn delivery(body: Bytes) -> Delivery {
    Delivery::dangerous_from_stored(body, Origin::new("/webhook", SystemTime::now(), 0))
        .expect("an envelope")
}

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

/// Waits until `n` events are in `state`.
pub async fn until_count(inbox: &Inbox, state: State, n: u64) {
    eventually(&format!("{n} events {state}"), || async {
        inbox.stats().await.unwrap().count(state) == n
    })
    .await;
}

pub const SECRET: &str = "inbox-test-secret";

/// Serves `inbox` as the receiver's handler with the axum adapter on a free
/// loopback port; the webhook URL.
pub async fn serve(inbox: &Inbox) -> String {
    use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};
    let receiver = inbox
        .receiver(
            Verifier::new(AppSecret::new(SECRET).unwrap()),
            VerifyToken::new("inbox-test-token").unwrap(),
        )
        .build();
    let app = axum::Router::new().merge(instagram_webhook_axum::router("/webhook", receiver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Posts `body` signed with [`SECRET`]; the status.
pub async fn post(url: &str, body: Bytes) -> u16 {
    use instagram_webhook_core::AppSecret;
    use instagram_webhook_core::test_kit::SignedDelivery;
    let signed = SignedDelivery::from_body(&AppSecret::new(SECRET).unwrap(), body);
    reqwest::Client::new()
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
