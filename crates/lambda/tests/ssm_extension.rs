//! Secrets from SSM Parameter Store through the AWS Parameters and Secrets
//! Lambda Extension, against a stand-in for the extension on 127.0.0.1: an
//! axum server that records every request (path, raw query, token header)
//! and answers per parameter name (a value, 404, 403, 500, 400, a slow
//! reply, raw bytes). Real deliveries, signed like Meta signs them, go
//! through [`SecretsReceiver`] as Lambda events: what it answers, which
//! error it returns, and that no secret value reaches an error message or
//! the log.

mod events;

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use events::{Trigger, event};
use instagram_webhook_conformance::{PATH, TestRequest, comment_delivery, signed_post};
use instagram_webhook_lambda::{
    Delivery, EnvSource, ExtensionSource, SecretSource, SecretsError, SecretsReceiver,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const APP_SECRET_PARAMETER: &str = "/instagram/app-secret";
const VERIFY_TOKEN_PARAMETER: &str = "/instagram/verify-token";
const SESSION_TOKEN: &str = "session-token-of-the-sandbox";
const OLD_SECRET: &str = "old-app-secret-5f1c0e";
const NEW_SECRET: &str = "new-app-secret-9a2e7d";
const VERIFY_TOKEN: &str = "verify-token-77c1";
const ACCOUNT: &str = "17841400000000001";
const TIMEOUT: Duration = Duration::from_millis(300);

/// How the stand-in answers for one parameter.
#[derive(Debug, Clone)]
enum Reply {
    /// 200 with a `GetParameter` answer holding this value.
    Value(String),
    /// The same, after a pause.
    Delayed(String, Duration),
    /// This status, with a body that echoes the App Secrets (a real error
    /// body could): it must not reach any message.
    Status(u16, &'static str),
    /// 200 with these bytes.
    Raw(Vec<u8>),
    /// Longer than the client's timeout.
    Slow,
}

/// One request the stand-in received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: String,
    token: Option<String>,
    /// The `name` parameter as the extension decodes it.
    name: Option<String>,
}

#[derive(Default)]
struct Standing {
    replies: HashMap<String, Reply>,
    seen: Vec<Seen>,
}

/// The stand-in for the extension; clones share it.
#[derive(Clone, Default)]
struct Extension(Arc<Mutex<Standing>>);

impl Extension {
    fn lock(&self) -> std::sync::MutexGuard<'_, Standing> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, name: &str, reply: Reply) {
        self.lock().replies.insert(name.to_owned(), reply);
    }

    fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Serves on a free port of 127.0.0.1: the port.
    async fn start(&self) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let app = Router::new().fallback(answer).with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        port
    }
}

/// A stand-in serving `app_secrets` and the verify token: it and its port.
async fn stand_in(app_secrets: &str) -> (Extension, u16) {
    let extension = Extension::default();
    extension.set(APP_SECRET_PARAMETER, Reply::Value(app_secrets.to_owned()));
    extension.set(
        VERIFY_TOKEN_PARAMETER,
        Reply::Value(VERIFY_TOKEN.to_owned()),
    );
    let port = extension.start().await;
    (extension, port)
}

fn value_answer(name: &str, value: &str) -> Response {
    serde_json::json!({"Parameter": {
        "ARN": format!("arn:aws:ssm:us-east-1:123456789012:parameter{name}"),
        "DataType": "text", "LastModifiedDate": "2026-12-01T00:00:00Z", "Name": name,
        "Selector": null, "SourceResult": null, "Type": "SecureString", "Value": value, "Version": 1
    }, "ResultMetadata": {}})
    .to_string()
    .into_response()
}

async fn answer(State(extension): State<Extension>, uri: Uri, headers: HeaderMap) -> Response {
    let query = uri.query().unwrap_or_default().to_owned();
    let name = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "name")
        .map(|(_, name)| name.into_owned());
    let reply = {
        let mut standing = extension.lock();
        standing.seen.push(Seen {
            path: uri.path().to_owned(),
            query,
            token: headers
                .get("x-aws-parameters-secrets-token")
                .and_then(|token| token.to_str().ok())
                .map(str::to_owned),
            name: name.clone(),
        });
        name.as_ref()
            .and_then(|name| standing.replies.get(name).cloned())
            .unwrap_or_else(|| Reply::Value("any-value".to_owned()))
    };
    let name = name.unwrap_or_default();
    match reply {
        Reply::Value(value) => value_answer(&name, &value),
        Reply::Delayed(value, pause) => {
            tokio::time::sleep(pause).await;
            value_answer(&name, &value)
        }
        Reply::Status(status, body) => (
            StatusCode::from_u16(status).expect("status"),
            format!("{body} {OLD_SECRET} {NEW_SECRET}"),
        )
            .into_response(),
        Reply::Raw(bytes) => bytes.into_response(),
        Reply::Slow => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            value_answer(&name, OLD_SECRET)
        }
    }
}

fn source(port: u16) -> ExtensionSource {
    ExtensionSource::new(APP_SECRET_PARAMETER, VERIFY_TOKEN_PARAMETER)
        .port(port)
        .session_token(SESSION_TOKEN)
        .timeout(TIMEOUT)
}

/// The function: a receiver whose handler accepts every delivery.
fn secrets_receiver(source: impl Into<SecretSource>, ttl: Duration) -> SecretsReceiver {
    SecretsReceiver::new(source, |secrets| {
        secrets
            .receiver_builder()
            .handler(|_: Delivery| async { Ok::<(), std::convert::Infallible>(()) })
            .build()
    })
    .ttl(ttl)
}

fn delivery_as(trigger: Trigger, secret: &str) -> lambda_http::Request {
    let request = signed_post(
        secret,
        &comment_delivery(ACCOUNT, "18000000000000001", "hi"),
    );
    lambda_http::request::from_str(&event(trigger, &request)).expect("event decodes")
}

fn delivery(secret: &str) -> lambda_http::Request {
    delivery_as(Trigger::FunctionUrl, secret)
}

fn handshake(token: &str) -> lambda_http::Request {
    let query = format!("hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444");
    let request = TestRequest::new("GET", PATH, Some(&query));
    lambda_http::request::from_str(&event(Trigger::FunctionUrl, &request)).expect("event decodes")
}

async fn status(function: &SecretsReceiver, request: lambda_http::Request) -> u16 {
    function.respond(request).await.status().as_u16()
}

/// Everything a `tracing` subscriber writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }

    /// Makes this the thread's subscriber until the guard is dropped.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_max_level(tracing::Level::DEBUG)
                .with_ansi(false)
                .finish(),
        )
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

/// Whether an error is the one a case expects.
type Expected = fn(&SecretsError) -> bool;

fn assert_no_secret(text: &str) {
    for secret in [OLD_SECRET, NEW_SECRET, VERIFY_TOKEN, SESSION_TOKEN] {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
}

#[tokio::test]
async fn requests_name_the_parameter_url_encoded_with_decryption_and_the_token() {
    let (extension, port) = stand_in(&format!("{NEW_SECRET},{OLD_SECRET}")).await;
    let function = secrets_receiver(source(port), Duration::from_secs(300));

    for trigger in Trigger::ALL {
        assert_eq!(
            status(&function, delivery_as(trigger, NEW_SECRET)).await,
            200
        );
        assert_eq!(
            status(&function, delivery_as(trigger, OLD_SECRET)).await,
            200
        );
        assert_eq!(
            status(&function, delivery_as(trigger, "not-the-app-secret")).await,
            401
        );
    }
    assert_eq!(status(&function, handshake(VERIFY_TOKEN)).await, 200);
    assert_eq!(status(&function, handshake("wrong-token")).await, 403);
    let receiver = function.receiver().await.expect("receiver");
    let answered = events::answer(&receiver, delivery(NEW_SECRET)).await;
    assert_eq!(answered.status, 200);

    // Read once (within the TTL), one request per parameter.
    let seen = extension.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for request in &seen {
        assert_eq!(request.path, "/systemsmanager/parameters/get");
        assert!(
            request
                .query
                .split('&')
                .any(|pair| pair == "withDecryption=true")
        );
        assert_eq!(request.token.as_deref(), Some(SESSION_TOKEN));
    }
    let mut queries: Vec<_> = seen.iter().map(|request| request.query.as_str()).collect();
    queries.sort_unstable();
    assert!(
        queries[0].contains("name=%2Finstagram%2Fapp-secret"),
        "{queries:?}"
    );
    assert!(
        queries[1].contains("name=%2Finstagram%2Fverify-token"),
        "{queries:?}"
    );
}

#[tokio::test]
async fn each_failure_answers_5xx_with_its_error_and_no_secret_in_sight() {
    let captured = Captured::default();
    let _logs = captured.install();
    let cases: Vec<(&str, Reply, Expected)> = vec![
        (
            "404",
            Reply::Status(404, "{}"),
            |error| matches!(error, SecretsError::NotFound { parameter } if parameter == APP_SECRET_PARAMETER),
        ),
        (
            "400 ParameterNotFound",
            Reply::Status(400, "api error ParameterNotFound:"),
            |error| matches!(error, SecretsError::NotFound { .. }),
        ),
        (
            "403",
            Reply::Status(403, "not authorized"),
            |error| matches!(error, SecretsError::AccessDenied { parameter } if parameter == APP_SECRET_PARAMETER),
        ),
        ("500", Reply::Status(500, "internal error"), |error| {
            matches!(error, SecretsError::Status { status: 500, .. })
        }),
        (
            "400 not ready",
            Reply::Status(400, "not ready to serve traffic"),
            |error| matches!(error, SecretsError::Status { status: 400, .. }),
        ),
        (
            "slow",
            Reply::Slow,
            |error| matches!(error, SecretsError::Timeout { after, .. } if *after == TIMEOUT),
        ),
        (
            "not JSON",
            Reply::Raw(format!("<html>{OLD_SECRET}").into_bytes()),
            |error| matches!(error, SecretsError::InvalidAnswer { .. }),
        ),
        (
            "no Value",
            Reply::Raw(format!(r#"{{"Parameter":{{"Value":["{OLD_SECRET}"]}}}}"#).into_bytes()),
            |error| matches!(error, SecretsError::InvalidAnswer { .. }),
        ),
        ("empty value", Reply::Value(" , ".to_owned()), |error| {
            matches!(
                error,
                SecretsError::Secret {
                    error: instagram_webhook_lambda::SecretError::NoSecrets,
                    ..
                }
            )
        }),
    ];
    for (name, reply, expected) in cases {
        let (extension, port) = stand_in(OLD_SECRET).await;
        extension.set(APP_SECRET_PARAMETER, reply);
        let function = secrets_receiver(source(port), Duration::from_secs(300));
        let response = function.respond(delivery(OLD_SECRET)).await;
        assert_eq!(response.status(), 503, "{name}");
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .map(|value| value.to_str().ok()),
            Some(Some("5")),
            "{name}"
        );
        let error = function.receiver().await.expect_err(name);
        assert!(expected(&error), "{name}: {error:?}");
        let display = error.to_string();
        assert!(display.contains(APP_SECRET_PARAMETER), "{name}: {display}");
        assert_no_secret(&display);
        assert_no_secret(&format!("{error:?}"));
    }

    // Nothing listening: the layer is missing.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let function = secrets_receiver(source(port), Duration::from_secs(300));
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 503);
    let error = function.receiver().await.expect_err("unreachable");
    assert!(
        matches!(&error, SecretsError::Unreachable { port: tried, .. } if *tried == port),
        "{error:?}"
    );

    // No session token given, and none in the environment.
    if std::env::var_os("AWS_SESSION_TOKEN").is_none() {
        let (_, port) = stand_in(OLD_SECRET).await;
        let source = ExtensionSource::new(APP_SECRET_PARAMETER, VERIFY_TOKEN_PARAMETER).port(port);
        assert_eq!(
            source.fetch().await.expect_err("no token"),
            SecretsError::MissingVariable("AWS_SESSION_TOKEN".to_owned())
        );
    }

    let logs = captured.text();
    if cfg!(feature = "tracing") {
        assert!(logs.contains("answering 503"), "{logs}");
        assert!(logs.contains(APP_SECRET_PARAMETER), "{logs}");
        assert!(logs.contains("access denied"), "{logs}");
    } else {
        assert!(
            !logs.contains("instagram_webhook"),
            "no line of this crate without the tracing feature: {logs}"
        );
    }
    assert_no_secret(&logs);
}

#[tokio::test]
async fn a_rotated_secret_is_picked_up_after_the_ttl() {
    let ttl = Duration::from_millis(50);
    let past_ttl = Duration::from_millis(120);
    let (extension, port) = stand_in(OLD_SECRET).await;
    let function = secrets_receiver(source(port), ttl);
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 200);
    assert_eq!(status(&function, delivery(NEW_SECRET)).await, 401);

    // Both during the switch in the App Dashboard.
    extension.set(
        APP_SECRET_PARAMETER,
        Reply::Value(format!("{NEW_SECRET},{OLD_SECRET}")),
    );
    tokio::time::sleep(past_ttl).await;
    assert_eq!(status(&function, delivery(NEW_SECRET)).await, 200);
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 200);

    // Only the new one.
    extension.set(APP_SECRET_PARAMETER, Reply::Value(NEW_SECRET.to_owned()));
    tokio::time::sleep(past_ttl).await;
    assert_eq!(status(&function, delivery(NEW_SECRET)).await, 200);
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 401);
    assert_eq!(status(&function, handshake(VERIFY_TOKEN)).await, 200);
}

#[tokio::test]
async fn a_failing_refresh_keeps_the_older_receiver_serving() {
    let captured = Captured::default();
    let _logs = captured.install();
    let ttl = Duration::from_millis(50);
    let (extension, port) = stand_in(OLD_SECRET).await;
    let function = secrets_receiver(source(port), ttl);
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 200);

    extension.set(APP_SECRET_PARAMETER, Reply::Status(500, "internal error"));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 200);
    assert!(function.receiver().await.is_ok());
    assert!(matches!(
        function.refresh().await,
        Err(SecretsError::Status { status: 500, .. })
    ));
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 200);
    let logs = captured.text();
    if cfg!(feature = "tracing") {
        assert!(logs.contains("serving with the ones read before"), "{logs}");
        assert!(logs.contains("WARN"), "{logs}");
    } else {
        assert!(
            !logs.contains("instagram_webhook"),
            "no line of this crate without the tracing feature: {logs}"
        );
    }
    assert_no_secret(&logs);

    // Back again: the next attempt picks up what is served now.
    extension.set(APP_SECRET_PARAMETER, Reply::Value(NEW_SECRET.to_owned()));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(status(&function, delivery(NEW_SECRET)).await, 200);
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_invocations_read_each_parameter_once() {
    let (extension, port) = stand_in(OLD_SECRET).await;
    let slow = Reply::Delayed(OLD_SECRET.to_owned(), Duration::from_millis(100));
    extension.set(APP_SECRET_PARAMETER, slow);
    let function = secrets_receiver(source(port), Duration::from_secs(300));
    let mut invocations = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let function = function.clone();
        invocations.spawn(async move { status(&function, delivery(OLD_SECRET)).await });
    }
    while let Some(status) = invocations.join_next().await {
        assert_eq!(status.expect("no panic"), 200);
    }
    let names: Vec<_> = extension.seen().into_iter().map(|seen| seen.name).collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // The same when the read fails: the waiters share its error.
    let (extension, port) = stand_in(OLD_SECRET).await;
    extension.set(APP_SECRET_PARAMETER, Reply::Slow);
    let function = secrets_receiver(source(port), Duration::from_secs(300));
    let mut invocations = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let function = function.clone();
        invocations.spawn(async move { status(&function, delivery(OLD_SECRET)).await });
    }
    while let Some(status) = invocations.join_next().await {
        assert_eq!(status.expect("no panic"), 503);
    }
    assert_eq!(extension.seen().len(), 2);
}

#[tokio::test]
async fn the_env_source_reads_the_variables_named() {
    // The workspace forbids `unsafe`, so no variable is set here: `PATH` is
    // set in every test process and serves as both values.
    let path = std::env::var("PATH").expect("PATH is set");
    let function = secrets_receiver(
        EnvSource::new()
            .app_secret_variable("PATH")
            .verify_token_variable("PATH"),
        Duration::from_secs(300),
    );
    let secrets: Vec<&str> = path
        .split(',')
        .filter(|item| !item.trim().is_empty())
        .collect();
    assert_eq!(status(&function, delivery(secrets[0].trim())).await, 200);
    assert_eq!(status(&function, delivery(OLD_SECRET)).await, 401);

    let missing = secrets_receiver(
        EnvSource::new().app_secret_variable("INSTAGRAM_WEBHOOK_TEST_SURELY_UNSET"),
        Duration::from_secs(300),
    );
    assert_eq!(status(&missing, delivery(OLD_SECRET)).await, 503);
    assert_eq!(
        missing.receiver().await.expect_err("unset"),
        SecretsError::MissingVariable("INSTAGRAM_WEBHOOK_TEST_SURELY_UNSET".to_owned())
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn any_parameter_name_reaches_the_extension_as_given() {
    let runtime = runtime();
    let (extension, port) = runtime.block_on(stand_in(OLD_SECRET));
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    let names = prop_oneof![
        any::<String>(),
        "(/[a-zA-Z0-9_.+=@-]{1,12}){1,4}",
        "arn:aws:ssm:us-east-1:123456789012:parameter(/[a-z &%#?+]{1,8}){1,3}",
    ];
    runner
        .run(&names, |name| {
            let source = ExtensionSource::new(name.clone(), VERIFY_TOKEN_PARAMETER)
                .port(port)
                .session_token(SESSION_TOKEN)
                .timeout(Duration::from_secs(5));
            let fetched = runtime.block_on(source.fetch());
            prop_assert!(fetched.is_ok(), "{fetched:?}");
            let seen = extension.seen();
            let decoded: Vec<_> = seen[seen.len() - 2..]
                .iter()
                .map(|seen| seen.name.clone())
                .collect();
            prop_assert!(
                decoded.contains(&Some(name.clone())),
                "{decoded:?} for {name:?}"
            );
            Ok(())
        })
        .expect("every name round-trips");
}

#[test]
fn any_answer_is_a_value_or_an_error_never_a_panic() {
    let runtime = runtime();
    let (extension, port) = runtime.block_on(stand_in(OLD_SECRET));
    let source = source(port).timeout(Duration::from_secs(5));
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    let answers = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        any::<String>().prop_map(|value| {
            serde_json::json!({"Parameter": {"Value": value}})
                .to_string()
                .into_bytes()
        }),
        any::<String>()
            .prop_map(|text| format!(r#"{{"Parameter":{{"Value":"{text}"}}}}"#).into_bytes()),
    ];
    runner
        .run(&answers, |bytes| {
            extension.set(APP_SECRET_PARAMETER, Reply::Raw(bytes));
            match runtime.block_on(source.fetch()) {
                Ok(_) | Err(SecretsError::InvalidAnswer { .. } | SecretsError::Secret { .. }) => {
                    Ok(())
                }
                Err(other) => Err(TestCaseError::fail(format!("{other:?}"))),
            }
        })
        .expect("every answer is handled");
}
