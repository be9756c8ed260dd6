//! [`instagram_webhook_lambda::run`], the function's real entry point,
//! against a stand-in for the Lambda Runtime API on 127.0.0.1: the runtime
//! polls `/next`, the adapter answers, and the runtime posts the trigger's
//! response JSON to `/response` (or why it could not run to `/error`). What
//! it posts is checked field by field, for every trigger type.
//!
//! The runtime takes its configuration from the environment, which is
//! process-global and (edition 2024) `unsafe` to change; this workspace
//! forbids `unsafe`. So the test starts this same test binary again as a
//! child process, with the Lambda environment set on the command, running
//! only [`the_function_process`]: it calls `run()` with the conformance
//! harness and checks what its handler saw. This process serves the Runtime
//! API and checks every post. When every invocation has been answered, the
//! stand-in goes away: the runtime's next poll fails and `run` returns that
//! error. Every wait is bounded and fails the test when it runs out.

mod events;
mod samples;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io::Read;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::{get, post};
use bytes::Bytes;
use events::{Trigger, event};
use instagram_webhook_conformance::{
    APP_SECRET, FAILING_ACCOUNT, PATH, TestRequest, VERIFY_TOKEN, comment_delivery, harness,
    signed_post,
};
use instagram_webhook_core::AppSecret;
use instagram_webhook_core::test_kit::sign;
use samples::Origin;
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};

/// Set in the child's environment: [`the_function_process`] runs there only.
const CHILD: &str = "INSTAGRAM_WEBHOOK_LAMBDA_TEST_FUNCTION_PROCESS";
/// A generous bound on every wait (a post, the end of `run`, the child's
/// exit): running out fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(60);
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:instagram-webhook";
const ACCOUNT: &str = "17841400000000001";

/// What the application must have seen after one invocation.
#[derive(Debug)]
enum Handed {
    Nothing,
    /// One delivery to the handler, with exactly these bytes.
    Delivery(Bytes),
    /// One payload to the rejected-payload hook, with exactly these bytes.
    Rejected(Bytes),
}

/// What the runtime must post back for one invocation.
#[derive(Debug)]
enum Expect {
    /// `/response`: the answer in the trigger's response format.
    Response {
        origin: Origin,
        status: u16,
        /// The body, when the request decides it (a challenge).
        body: Option<String>,
    },
    /// `/error`: the function never ran (`lambda_http` refused the event).
    Error,
}

#[derive(Debug)]
struct Invocation {
    name: String,
    event: String,
    expect: Expect,
    handed: Handed,
}

impl Invocation {
    fn answered(
        name: String,
        event: String,
        (origin, status, body): (Origin, u16, Option<String>),
        handed: Handed,
    ) -> Self {
        Self {
            name,
            event,
            expect: Expect::Response {
                origin,
                status,
                body,
            },
            handed,
        }
    }

    fn refused(name: &str, event: String) -> Self {
        Self {
            name: name.to_owned(),
            event,
            expect: Expect::Error,
            handed: Handed::Nothing,
        }
    }
}

fn origin(trigger: Trigger) -> Origin {
    match trigger {
        Trigger::RestV1 | Trigger::RestV1Base64 => Origin::ApiGatewayV1,
        Trigger::HttpApiV2 | Trigger::FunctionUrl | Trigger::HttpApiV2Base64 => {
            Origin::ApiGatewayV2
        }
        Trigger::Alb => Origin::Alb { multi_value: true },
        Trigger::AlbSingleValue => Origin::Alb { multi_value: false },
    }
}

/// The invocations, in order; built the same in both processes.
fn plan() -> Vec<Invocation> {
    let token: String = form_urlencoded::byte_serialize(VERIFY_TOKEN.as_bytes()).collect();
    let mut plan = Vec::new();
    for (index, trigger) in Trigger::ALL.into_iter().enumerate() {
        let origin = origin(trigger);
        let challenge = (1_158_201_444 + index).to_string();
        let query =
            format!("hub.mode=subscribe&hub.verify_token={token}&hub.challenge={challenge}");
        plan.push(Invocation::answered(
            format!("{trigger:?} handshake"),
            event(trigger, &TestRequest::new("GET", PATH, Some(&query))),
            (origin, 200, Some(challenge)),
            Handed::Nothing,
        ));
        let comment = comment_delivery(ACCOUNT, &format!("1800000000000010{index}"), "hello");
        let signed = signed_post(APP_SECRET, &comment);
        plan.push(Invocation::answered(
            format!("{trigger:?} signed POST"),
            event(trigger, &signed),
            (origin, 200, None),
            Handed::Delivery(signed.body.clone()),
        ));
        plan.push(Invocation::answered(
            format!("{trigger:?} forged POST"),
            event(trigger, &signed_post("not-the-app-secret", &comment)),
            (origin, 401, None),
            Handed::Nothing,
        ));
    }

    let failing = signed_post(
        APP_SECRET,
        &comment_delivery(FAILING_ACCOUNT, "18000000000000200", "hello"),
    );
    plan.push(Invocation::answered(
        "FunctionUrl POST the handler fails".to_owned(),
        event(Trigger::FunctionUrl, &failing),
        (Origin::ApiGatewayV2, 500, None),
        Handed::Delivery(failing.body.clone()),
    ));
    let not_an_envelope = b"{\"object\":\"instagram\",\"entry\":{}}".as_slice();
    let unparseable = TestRequest::new("POST", PATH, None)
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            sign(
                &AppSecret::new(APP_SECRET).expect("secret"),
                not_an_envelope,
            ),
        )
        .body(not_an_envelope);
    plan.push(Invocation::answered(
        "AlbSingleValue POST verified, not an envelope".to_owned(),
        event(Trigger::AlbSingleValue, &unparseable),
        (Origin::Alb { multi_value: false }, 200, None),
        Handed::Rejected(Bytes::from_static(not_an_envelope)),
    ));
    plan.push(Invocation::answered(
        "RestV1 PUT".to_owned(),
        event(
            Trigger::RestV1,
            &TestRequest::new("PUT", PATH, Some("hub.mode=subscribe")),
        ),
        (Origin::ApiGatewayV1, 405, None),
        Handed::Nothing,
    ));

    plan.push(Invocation::refused("an empty object", "{}".to_owned()));
    plan.push(Invocation::refused(
        "a method that is a number",
        r#"{"httpMethod": 5}"#.to_owned(),
    ));
    // lambda_http 1.3 panics building the URI of this HTTP API event (see
    // hostile.rs): the runtime catches the panic, reports it, and goes on.
    plan.push(Invocation::refused(
        "an HTTP API query with a raw NUL (lambda_http panics)",
        event(
            Trigger::HttpApiV2,
            &TestRequest::new("GET", PATH, Some("hub.mode=subscribe\0")),
        ),
    ));

    for sample in samples::all() {
        plan.push(Invocation::answered(
            format!("recorded {}", sample.file),
            sample.event,
            (sample.origin, sample.status, sample.body.map(str::to_owned)),
            sample.delivered.map_or(Handed::Nothing, Handed::Delivery),
        ));
    }
    plan
}

/// The function: `run()`, in the child process, until the Runtime API goes
/// away. Then exactly the planned deliveries and rejected payloads must have
/// reached the application, in order.
#[test]
fn the_function_process() {
    if std::env::var_os(CHILD).is_none() {
        eprintln!("runs in the process run_posts_every_answer_to_the_runtime_api starts");
        return;
    }
    let plan = plan();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (receiver, recorder) = harness();
    let ended = runtime.block_on(async {
        tokio::time::timeout(2 * PATIENCE, instagram_webhook_lambda::run(receiver)).await
    });
    match ended {
        Err(_) => panic!("run() did not end within {:?}", 2 * PATIENCE),
        Ok(Ok(())) => panic!("run() returned Ok without a Runtime API"),
        Ok(Err(error)) => eprintln!("run() ended as the Runtime API went away: {error}"),
    }

    let recorded = recorder.take();
    let delivered: Vec<&Bytes> = recorded.deliveries.iter().map(|d| d.body()).collect();
    let rejected: Vec<&Bytes> = recorded.rejected.iter().map(|r| r.body()).collect();
    let planned = |rejects: bool| -> Vec<&Bytes> {
        plan.iter()
            .filter_map(|invocation| match (&invocation.handed, rejects) {
                (Handed::Delivery(body), false) | (Handed::Rejected(body), true) => Some(body),
                _ => None,
            })
            .collect()
    };
    assert_eq!(delivered, planned(false), "the deliveries the handler saw");
    assert_eq!(rejected, planned(true), "the payloads the hook saw");
    eprintln!(
        "{} deliveries and {} rejected payloads, as planned",
        delivered.len(),
        rejected.len()
    );
}

/// Drives [`the_function_process`] through [`plan`] and checks every post.
#[test]
fn run_posts_every_answer_to_the_runtime_api() {
    let plan = plan();
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (address, api) = server.block_on(StandIn::start());
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["the_function_process", "--exact", "--nocapture"])
        .env(CHILD, "1")
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "instagram-webhook")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/05/24/[$LATEST]4a8c6e4b2f1d4e0c9b7a5f3e1d2c0b9a",
        )
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/instagram-webhook")
        .env_remove("AWS_LAMBDA_MAX_CONCURRENCY")
        .env_remove("AWS_LAMBDA_INITIALIZATION_TYPE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the function process starts");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());

    let checked = catch_unwind(AssertUnwindSafe(|| invoke_all(&plan, &api, &mut child)));
    // Whatever happened: the stand-in goes away, the function must end.
    server.shutdown_background();
    let status = reap(&mut child);
    let output = format!(
        "--- function process stdout\n{}--- stderr\n{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    eprintln!("{output}");
    if let Err(panic) = checked {
        resume_unwind(panic);
    }
    let status = status.unwrap_or_else(|| panic!("the function process did not end\n{output}"));
    assert!(status.success(), "the function process failed\n{output}");
    assert!(
        output.contains("test the_function_process ... ok"),
        "the function process ran no test\n{output}"
    );
}

fn invoke_all(plan: &[Invocation], api: &Api, child: &mut Child) {
    let local = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for (index, invocation) in plan.iter().enumerate() {
        let name = &invocation.name;
        let id = format!("8476a536-e9f4-11e8-9739-{index:012x}");
        api.queue
            .send((id.clone(), invocation.event.clone()))
            .expect("the stand-in is up");
        let posted = next_post(api, child).unwrap_or_else(|problem| panic!("{name}: {problem}"));
        match (&invocation.expect, posted) {
            (
                Expect::Response {
                    origin,
                    status,
                    body,
                },
                Posted::Response {
                    id: posted,
                    body: json,
                },
            ) if posted == id => {
                // What `respond` answers to the same event, for comparison.
                let request = lambda_http::request::from_str(&invocation.event).expect("decodes");
                let direct = local.block_on(events::answer(&harness().0, request));
                check_response(name, *origin, *status, body.as_deref(), &direct, &json);
            }
            (
                Expect::Error,
                Posted::Error {
                    id: posted,
                    kind,
                    body,
                },
            ) if posted == id => {
                check_error(name, kind.as_deref(), &body);
                eprintln!(
                    "{name}: reported {kind:?} {}",
                    String::from_utf8_lossy(&body)
                );
            }
            (_, Posted::InitError { kind, body }) => panic!(
                "{name}: the runtime reported an init error ({kind:?}): {}",
                String::from_utf8_lossy(&body)
            ),
            (_, Posted::Unexpected { method, uri }) => {
                panic!("{name}: the runtime called {method} {uri}")
            }
            (expect, posted) => panic!("{name} (id {id}): expected {expect:?}, got {posted:?}"),
        }
    }
    match api.posted.recv_timeout(Duration::from_millis(200)) {
        Err(RecvTimeoutError::Timeout) => {}
        other => panic!("posted after the last invocation: {other:?}"),
    }
}

/// The next post, within [`PATIENCE`], while the function process runs.
fn next_post(api: &Api, child: &mut Child) -> Result<Posted, String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match api.posted.recv_timeout(Duration::from_millis(50)) {
            Ok(posted) => return Ok(posted),
            Err(RecvTimeoutError::Disconnected) => return Err("the stand-in stopped".to_owned()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "the function process ended ({status}) instead of posting"
            ));
        }
        if Instant::now() > deadline {
            return Err(format!("nothing posted within {PATIENCE:?}"));
        }
    }
}

/// The response JSON for `origin`: exactly its fields, the status, the
/// headers in the map the trigger reads, the body as text.
fn check_response(
    name: &str,
    origin: Origin,
    status: u16,
    body: Option<&str>,
    direct: &instagram_webhook_conformance::TestResponse,
    json: &[u8],
) {
    let posted: Value = serde_json::from_slice(json)
        .unwrap_or_else(|error| panic!("{name}: posted no JSON ({error})"));
    let Value::Object(fields) = &posted else {
        panic!("{name}: posted {posted}");
    };
    let mut expected_fields = vec![
        "statusCode",
        "headers",
        "multiValueHeaders",
        "body",
        "isBase64Encoded",
    ];
    match origin {
        Origin::ApiGatewayV1 => {}
        Origin::ApiGatewayV2 => expected_fields.push("cookies"),
        Origin::Alb { .. } => expected_fields.push("statusDescription"),
    }
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    names.sort_unstable();
    expected_fields.sort_unstable();
    assert_eq!(names, expected_fields, "{name}: the fields of {posted}");

    assert_eq!(posted["statusCode"], json!(status), "{name}: {posted}");
    assert_eq!(direct.status, status, "{name}: respond() answers");
    assert_eq!(posted["isBase64Encoded"], json!(false), "{name}: {posted}");
    let text = posted["body"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: the body is not text: {posted}"));
    if let Some(body) = body {
        assert_eq!(text, body, "{name}");
    }
    assert_eq!(
        text.as_bytes(),
        direct.body.as_ref(),
        "{name}: as respond()"
    );

    let mut headers = BTreeMap::from([("content-type", "text/plain; charset=utf-8")]);
    if status == 405 {
        headers.insert("allow", "GET, POST");
    }
    let single: Value = headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let multi: Value = headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!([v])))
        .collect();
    match origin {
        Origin::ApiGatewayV1 => {
            assert_eq!(posted["multiValueHeaders"], multi, "{name}: {posted}");
            assert_eq!(posted["headers"], json!({}), "{name}: {posted}");
        }
        Origin::ApiGatewayV2 => {
            assert_eq!(posted["headers"], single, "{name}: {posted}");
            assert_eq!(posted["multiValueHeaders"], json!({}), "{name}: {posted}");
            assert_eq!(posted["cookies"], json!([]), "{name}: {posted}");
        }
        Origin::Alb { multi_value } => {
            let (read, map) = if multi_value {
                ("multiValueHeaders", multi)
            } else {
                ("headers", single)
            };
            assert_eq!(posted[read], map, "{name}: {posted}");
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|status| status.canonical_reason())
                .unwrap_or_default();
            assert_eq!(
                posted["statusDescription"],
                json!(format!("{status} {reason}")),
                "{name}: {posted}"
            );
        }
    }
    let direct_headers: BTreeMap<&str, &str> = direct
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(direct_headers, headers, "{name}: respond() answers");
    eprintln!("{name}: posted {posted}");
}

/// The error report: the runtime's error type header and a diagnostic.
fn check_error(name: &str, kind: Option<&str>, body: &[u8]) {
    assert!(
        kind.is_some(),
        "{name}: no Lambda-Runtime-Function-Error-Type"
    );
    let diagnostic: Value = serde_json::from_slice(body)
        .unwrap_or_else(|error| panic!("{name}: the error report is not JSON ({error})"));
    assert!(
        diagnostic["errorType"].is_string() && diagnostic["errorMessage"].is_string(),
        "{name}: {diagnostic}"
    );
}

/// What the runtime posted.
#[derive(Debug)]
enum Posted {
    Response {
        id: String,
        body: Bytes,
    },
    Error {
        id: String,
        kind: Option<String>,
        body: Bytes,
    },
    InitError {
        kind: Option<String>,
        body: Bytes,
    },
    Unexpected {
        method: Method,
        uri: Uri,
    },
}

/// The test's side of the stand-in: events go in, posts come out.
struct Api {
    queue: mpsc::UnboundedSender<(String, String)>,
    posted: Receiver<Posted>,
}

/// The stand-in's side.
#[derive(Clone)]
struct StandIn {
    next: Arc<Mutex<mpsc::UnboundedReceiver<(String, String)>>>,
    posted: Sender<Posted>,
}

impl StandIn {
    async fn start() -> (SocketAddr, Api) {
        let (queue, next) = mpsc::unbounded_channel();
        let (posts, posted) = channel();
        let stand_in = Self {
            next: Arc::new(Mutex::new(next)),
            posted: posts,
        };
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .fallback(unexpected)
            .with_state(stand_in);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        (address, Api { queue, posted })
    }

    fn post(&self, posted: Posted) {
        let _ = self.posted.send(posted);
    }
}

/// The next queued event, with the headers the Runtime API sends; once the
/// test has queued everything, no answer ever (the test then stops the
/// stand-in).
async fn next_invocation(State(stand_in): State<StandIn>) -> ([(&'static str, String); 5], String) {
    let queued = stand_in.next.lock().await.recv().await;
    let Some((id, event)) = queued else {
        let never: Infallible = std::future::pending().await;
        match never {}
    };
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |now| now.as_millis())
        + 300_000;
    (
        [
            ("content-type", "application/json".to_owned()),
            ("lambda-runtime-aws-request-id", id),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                FUNCTION_ARN.to_owned(),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-6650b3a1-4dea0086f9763ac0667b115a;Parent=53995c3f42cd8ad8;Sampled=0"
                    .to_owned(),
            ),
        ],
        event,
    )
}

const ACCEPTED: (StatusCode, &str) = (StatusCode::ACCEPTED, r#"{"status":"OK"}"#);

fn error_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get("lambda-runtime-function-error-type")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

async fn invocation_response(
    State(stand_in): State<StandIn>,
    Path(id): Path<String>,
    body: Bytes,
) -> (StatusCode, &'static str) {
    stand_in.post(Posted::Response { id, body });
    ACCEPTED
}

async fn invocation_error(
    State(stand_in): State<StandIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    stand_in.post(Posted::Error {
        id,
        kind: error_type(&headers),
        body,
    });
    ACCEPTED
}

async fn init_error(
    State(stand_in): State<StandIn>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    stand_in.post(Posted::InitError {
        kind: error_type(&headers),
        body,
    });
    ACCEPTED
}

async fn unexpected(State(stand_in): State<StandIn>, method: Method, uri: Uri) -> StatusCode {
    stand_in.post(Posted::Unexpected { method, uri });
    StatusCode::NOT_FOUND
}

/// Reads a pipe of the child to its end, on a thread.
fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// The child's exit status, or `None` (and the child killed) when it has
/// not ended within [`PATIENCE`].
fn reap(child: &mut Child) -> Option<ExitStatus> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
