//! `subscribe`, `subscriptions`, `unsubscribe`: the real binary against a
//! stand-in for Meta's Graph API on 127.0.0.1, chosen with `--graph-url`.
//!
//! The stand-in checks the method, the path, the fields and the token,
//! records every request, and answers success or one of Meta's error shapes.
//! Every run also checks that the token appears neither on stdout nor on
//! stderr.

#![allow(missing_docs)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_instagram-webhook");

/// Distinctive, so that any leak is found.
const TOKEN: &str = "IGAAtok_Zq7distinctive_9f3b7c1e";

/// A token with characters a URL encodes.
const ODD_TOKEN: &str = "EAAB/odd+tok=en&9f3b7c1e";

/// One request the stand-in saw.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    raw_query: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    content_type: Option<String>,
}

impl Seen {
    fn query(&self, key: &str) -> Option<&str> {
        lookup(&self.query, key)
    }

    fn form(&self, key: &str) -> Option<&str> {
        lookup(&self.form, key)
    }

    /// The token where Meta's SDKs send it: the form body of a POST, the
    /// query of a GET or DELETE; never in both.
    fn token(&self) -> Option<&str> {
        if self.method == Method::POST {
            assert_eq!(self.query("access_token"), None, "token in a POST's URL");
            assert_eq!(
                self.content_type.as_deref(),
                Some("application/x-www-form-urlencoded")
            );
            self.form("access_token")
        } else {
            assert!(self.form.is_empty(), "a body on a {}", self.method);
            self.query("access_token")
        }
    }

    /// The parameters wherever they are.
    fn param(&self, key: &str) -> Option<&str> {
        self.form(key).or_else(|| self.query(key))
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

type Respond = dyn Fn(&Seen) -> (u16, String) + Send + Sync;

struct Shared {
    respond: Box<Respond>,
    seen: Mutex<Vec<Seen>>,
}

/// The stand-in: its base URL and what it saw.
struct StandIn {
    url: String,
    shared: Arc<Shared>,
}

impl StandIn {
    fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// `--graph-url URL --access-token TOKEN` and `extra`.
    fn args<'a>(&'a self, command: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![command, "--graph-url", &self.url, "--access-token", TOKEN];
        args.extend_from_slice(extra);
        args
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let raw_query = uri.query().unwrap_or("").to_owned();
    let parse = |bytes: &[u8]| -> Vec<(String, String)> {
        form_urlencoded::parse(bytes)
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect()
    };
    let seen = Seen {
        method,
        path: uri.path().to_owned(),
        query: parse(raw_query.as_bytes()),
        raw_query,
        form: parse(&body),
        content_type: headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
    };
    let (status, body) = (shared.respond)(&seen);
    shared.seen.lock().unwrap().push(seen);
    let status = StatusCode::from_u16(status).unwrap();
    if status.is_redirection() {
        // A redirect's "body" is where it points.
        return (status, [("location", body)], String::new());
    }
    let content_type = if body.starts_with('{') {
        "application/json; charset=UTF-8"
    } else {
        "text/html"
    };
    (status, [("content-type", content_type.to_owned())], body)
}

/// Starts a stand-in answering with `respond`; it accepts as soon as this
/// returns (the listener is bound).
async fn stand_in(respond: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static) -> StandIn {
    let shared = Arc::new(Shared {
        respond: Box::new(respond),
        seen: Mutex::new(Vec::new()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&shared));
    tokio::spawn(async move { axum::serve(listener, app).await });
    StandIn { url, shared }
}

/// Meta's error body.
fn meta_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> (u16, String) {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfTrace123",
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    (status, json!({ "error": error }).to_string())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// `graph.instagram.com`: fields as strings.
    Instagram,
    /// `graph.facebook.com`'s Page edge: app details, fields as objects.
    Facebook,
}

/// A faithful edge at `edge`: it keeps the fields `keep` accepts and reads
/// them back in the `shape` Meta uses.
fn fake_meta(
    edge: &'static str,
    shape: Shape,
    keep: fn(&str) -> bool,
) -> impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static {
    let fields: Mutex<Option<Vec<String>>> = Mutex::new(None);
    move |seen: &Seen| {
        if seen.path != edge {
            return meta_error(400, 2500, None, "Unknown path components");
        }
        if seen.token() != Some(TOKEN) {
            return meta_error(400, 190, None, "Invalid OAuth access token");
        }
        let mut fields = fields.lock().unwrap();
        match seen.method {
            Method::POST => {
                let Some(wanted) = seen.form("subscribed_fields") else {
                    return meta_error(
                        400,
                        100,
                        None,
                        "(#100) The parameter subscribed_fields is required.",
                    );
                };
                *fields = Some(
                    wanted
                        .split(',')
                        .filter(|field| keep(field))
                        .map(str::to_owned)
                        .collect(),
                );
                (200, json!({ "success": true }).to_string())
            }
            Method::GET => {
                let data = match (&*fields, shape) {
                    (None, _) => json!([]),
                    (Some(fields), Shape::Instagram) => {
                        json!([{ "id": "17841400000000001", "subscribed_fields": fields }])
                    }
                    (Some(fields), Shape::Facebook) => {
                        let objects: Vec<Value> = fields
                            .iter()
                            .map(|name| json!({ "name": name, "version": "v24.0" }))
                            .collect();
                        json!([{
                            "category": "Business",
                            "link": "https://example.com/app",
                            "name": "Webhook Relay",
                            "id": "555000111",
                            "subscribed_fields": objects,
                        }])
                    }
                };
                (200, json!({ "data": data }).to_string())
            }
            Method::DELETE => {
                *fields = None;
                (200, json!({ "success": true }).to_string())
            }
            _ => meta_error(400, 100, None, "Unsupported request - method type"),
        }
    }
}

fn keep_all(_: &str) -> bool {
    true
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary (no proxy, no token from the environment) and checks
/// the tokens never show.
async fn cli(args: &[&str]) -> Run {
    cli_with_env(args, &[]).await
}

async fn cli_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(BIN);
    command.args(args).env("NO_PROXY", "*");
    for name in [
        "INSTAGRAM_ACCESS_TOKEN",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.unwrap();
    let run = Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for token in [TOKEN, ODD_TOKEN, "odd%2Btok", "odd+tok"] {
        assert!(
            !run.stdout.contains(token) && !run.stderr.contains(token),
            "the token shows: {run:#?}"
        );
    }
    run
}

/// An error run: exit 2, one line on stderr, nothing on stdout.
fn assert_error(run: &Run) -> &str {
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    let line = run.stderr.trim_end();
    assert_eq!(line.lines().count(), 1, "not one line: {run:#?}");
    assert!(line.starts_with("instagram-webhook: "), "{run:#?}");
    line
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_instagram_login_posts_then_reads_back() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    let run = cli(&meta.args("subscribe", &["--fields", "comments,messages"])).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout
            .contains("subscribed me (Instagram Login, v24.0) to comments, messages"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("Meta confirms for app 17841400000000001: comments, messages"),
        "{run:#?}"
    );
    assert!(run.stderr.is_empty(), "{run:#?}");
    let seen = meta.seen();
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, "/v24.0/me/subscribed_apps");
    assert_eq!(seen[0].form("subscribed_fields"), Some("comments,messages"));
    assert_eq!(seen[0].token(), Some(TOKEN));
    assert_eq!(seen[1].method, Method::GET);
    assert_eq!(seen[1].path, "/v24.0/me/subscribed_apps");
    assert_eq!(seen[1].token(), Some(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_json_prints_the_read_back() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    let run = cli(&meta.args(
        "subscribe",
        &["--fields", "comments, messages,comments", "--json"],
    ))
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(
        answer,
        json!({"data": [{"id": "17841400000000001", "subscribed_fields": ["comments", "messages"]}]})
    );
    // Trimmed and without the repeat.
    assert_eq!(
        meta.seen()[0].form("subscribed_fields"),
        Some("comments,messages")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_exits_1_when_a_field_is_not_confirmed() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        |field| field != "story_insights",
    ))
    .await;
    let run = cli(&meta.args("subscribe", &["--fields", "comments,story_insights"])).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout
            .contains("Meta confirms for app 17841400000000001: comments\n"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("Meta does not confirm story_insights on me"),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("comments,"), "{run:#?}");

    // Still JSON on stdout with --json; the verdict on stderr.
    let run = run_json_unconfirmed(&meta).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(answer["data"][0]["subscribed_fields"], json!(["comments"]));
    assert!(run.stderr.contains("story_insights"), "{run:#?}");
}

async fn run_json_unconfirmed(meta: &StandIn) -> Run {
    cli(&meta.args(
        "subscribe",
        &["--fields", "comments,story_insights", "--json"],
    ))
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_with_no_app_listed_confirms_nothing() {
    let meta = stand_in(|seen: &Seen| match seen.method {
        Method::POST => (200, r#"{"success":true}"#.to_owned()),
        _ => (200, r#"{"data":[]}"#.to_owned()),
    })
    .await;
    let run = cli(&meta.args("subscribe", &["--fields", "comments"])).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.contains("Meta lists no app subscribed on me"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("Meta does not confirm comments"),
        "{run:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_facebook_login_uses_the_page_and_object_fields() {
    let meta = stand_in(fake_meta(
        "/v24.0/1234567890/subscribed_apps",
        Shape::Facebook,
        keep_all,
    ))
    .await;
    let run = cli(&meta.args(
        "subscribe",
        &[
            "--login",
            "facebook",
            "--account",
            "1234567890",
            "--fields",
            "feed",
        ],
    ))
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout
            .contains("subscribed 1234567890 (Facebook Login, v24.0) to feed"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("Meta confirms for app 555000111 (Webhook Relay): feed"),
        "{run:#?}"
    );
    let seen = meta.seen();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|seen| seen.path == "/v24.0/1234567890/subscribed_apps")
    );
    assert_eq!(seen[0].form("subscribed_fields"), Some("feed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_version_is_taken_with_or_without_its_v() {
    let meta = stand_in(fake_meta(
        "/v25.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    for version in ["25.0", "v25.0"] {
        let run = cli(&meta.args(
            "subscribe",
            &["--fields", "messages", "--api-version", version],
        ))
        .await;
        assert_eq!(run.code, 0, "{version}: {run:#?}");
        assert!(run.stdout.contains("v25.0"), "{run:#?}");
    }
    assert!(
        meta.seen()
            .iter()
            .all(|seen| seen.path == "/v25.0/me/subscribed_apps")
    );

    let run = cli(&meta.args(
        "subscribe",
        &["--fields", "messages", "--api-version", "latest"],
    ))
    .await;
    assert!(assert_error(&run).contains("bad --api-version `latest`"));
    assert_eq!(meta.seen().len(), 4, "no request for a bad version");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_can_come_from_the_environment() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    let run = cli_with_env(
        &["subscriptions", "--graph-url", &meta.url],
        &[("INSTAGRAM_ACCESS_TOKEN", TOKEN)],
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(meta.seen()[0].token(), Some(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_says_get_a_new_one() {
    let meta = stand_in(|_: &Seen| {
        meta_error(
            400,
            190,
            Some(463),
            "Error validating access token: Session has expired.",
        )
    })
    .await;
    let run = cli(&meta.args("subscribe", &["--fields", "comments"])).await;
    let line = assert_error(&run);
    for part in [
        "POST ",
        "/v24.0/me/subscribed_apps",
        "Session has expired",
        "OAuthException",
        "code 190",
        "error_subcode 463",
        "fbtrace_id AbCdEfTrace123",
        "expired",
        "get a new one",
    ] {
        assert!(line.contains(part), "{part:?} missing: {line}");
    }
    assert_eq!(meta.seen().len(), 1, "no read-back after an error");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_permission_names_the_permissions() {
    let meta = stand_in(|_: &Seen| meta_error(403, 200, None, "(#200) Permissions error")).await;
    let run = cli(&meta.args("subscribe", &["--fields", "comments,messages"])).await;
    let line = assert_error(&run);
    assert!(line.contains("code 200"), "{line}");
    assert!(line.contains("missing permission"), "{line}");
    assert!(
        line.contains("instagram_business_manage_comments"),
        "{line}"
    );
    assert!(
        line.contains("instagram_business_manage_messages"),
        "{line}"
    );

    let meta = stand_in(|_: &Seen| {
        meta_error(
            403,
            10,
            None,
            "(#10) Application does not have permission for this action",
        )
    })
    .await;
    let run = cli(&meta.args(
        "subscriptions",
        &["--login", "facebook", "--account", "1234567890"],
    ))
    .await;
    let line = assert_error(&run);
    assert!(line.starts_with("instagram-webhook: GET "), "{line}");
    assert!(line.contains("code 10"), "{line}");
    assert!(line.contains("pages_manage_metadata"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_field_lists_the_valid_ones_for_the_login() {
    let respond = |_: &Seen| {
        meta_error(
            400,
            100,
            None,
            "(#100) Param subscribed_fields must be one of {feed, messages} - got \"comments\"",
        )
    };
    let meta = stand_in(respond).await;
    let run = cli(&meta.args("subscribe", &["--fields", "bogus"])).await;
    let line = assert_error(&run);
    assert!(line.contains("code 100"), "{line}");
    assert!(line.contains("Instagram Login takes comments, "), "{line}");
    assert!(line.contains("messages"), "{line}");

    let run = cli(&meta.args(
        "subscribe",
        &[
            "--login",
            "facebook",
            "--account",
            "1234567890",
            "--fields",
            "comments",
        ],
    ))
    .await;
    let line = assert_error(&run);
    assert!(line.contains("the Page edge takes Page fields"), "{line}");
    assert!(line.contains("feed"), "{line}");
    assert!(line.contains("App Dashboard"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_account_is_said_so() {
    let meta = stand_in(|_: &Seen| {
        meta_error(
            400,
            100,
            Some(33),
            "Unsupported post request. Object with ID '999' does not exist",
        )
    })
    .await;
    let run = cli(&meta.args("subscribe", &["--account", "999", "--fields", "comments"])).await;
    let line = assert_error(&run);
    assert!(line.contains("error_subcode 33"), "{line}");
    assert!(
        line.contains("the account `999` does not exist or this token cannot see it"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_say_wait() {
    for code in [4, 17, 32, 613] {
        let meta = stand_in(move |_: &Seen| {
            meta_error(400, code, None, "(#4) Application request limit reached")
        })
        .await;
        let run = cli(&meta.args("unsubscribe", &[])).await;
        let line = assert_error(&run);
        assert!(line.starts_with("instagram-webhook: DELETE "), "{line}");
        assert!(line.contains(&format!("code {code}")), "{line}");
        assert!(line.contains("rate limited: wait"), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_json_answer_is_an_error_without_the_token() {
    // A proxy page that echoes the request, token included.
    let meta = stand_in(|seen: &Seen| {
        (
            502,
            format!(
                "<html><body>502 Bad Gateway\n{} {}?{} {:?}</body></html>",
                seen.method, seen.path, seen.raw_query, seen.form
            ),
        )
    })
    .await;
    for command in ["subscribe", "subscriptions", "unsubscribe"] {
        let extra: &[&str] = if command == "subscribe" {
            &["--fields", "comments"]
        } else {
            &[]
        };
        let run = cli(&meta.args(command, extra)).await;
        let line = assert_error(&run);
        assert!(line.contains("502 Bad Gateway"), "{line}");
        assert!(line.contains("not JSON"), "{line}");
        assert!(line.contains("[redacted]"), "the echo is redacted: {line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_encoded_token_is_redacted_too() {
    let meta = stand_in(|seen: &Seen| (502, format!("bad gateway for ?{}", seen.raw_query))).await;
    let run = cli(&[
        "subscriptions",
        "--graph-url",
        &meta.url,
        "--access-token",
        ODD_TOKEN,
    ])
    .await;
    let line = assert_error(&run);
    assert!(line.contains("access_token=[redacted]"), "{line}");
    assert_eq!(meta.seen()[0].query("access_token"), Some(ODD_TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_status_with_json_that_is_not_an_error_is_an_error() {
    let meta = stand_in(|_: &Seen| (500, r#"{"oops":true}"#.to_owned())).await;
    let line = assert_error(&cli(&meta.args("subscriptions", &[])).await).to_owned();
    assert!(line.contains("500"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn success_false_is_an_error() {
    let meta = stand_in(|_: &Seen| (200, r#"{"success":false}"#.to_owned())).await;
    let run = cli(&meta.args("subscribe", &["--fields", "comments"])).await;
    assert!(assert_error(&run).contains("did not answer success"));
    assert_eq!(meta.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_is_an_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let run = cli(&[
        "subscriptions",
        "--graph-url",
        &url,
        "--access-token",
        TOKEN,
    ])
    .await;
    let line = assert_error(&run);
    assert!(line.contains("cannot connect"), "{line}");
    assert!(line.contains(&url), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_is_not_followed() {
    let elsewhere = stand_in(|_: &Seen| (200, r#"{"data":[]}"#.to_owned())).await;
    let target = format!("{}/v24.0/me/subscribed_apps", elsewhere.url);
    let meta = stand_in(move |_: &Seen| (302, target.clone())).await;
    let run = cli(&meta.args("subscriptions", &[])).await;
    assert!(assert_error(&run).contains("302"));
    assert!(elsewhere.seen().is_empty(), "the token went elsewhere");
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_prints_each_app() {
    let meta = stand_in(|seen: &Seen| {
        assert_eq!(seen.method, Method::GET);
        assert_eq!(seen.path, "/v24.0/1234567890/subscribed_apps");
        assert_eq!(seen.token(), Some(TOKEN));
        (
            200,
            json!({"data": [
                {"category": "Business", "link": "https://example.com", "name": "Webhook Relay",
                 "id": "555000111", "subscribed_fields": ["feed", "messages"]},
                {"name": "Installed Only", "id": "555000222"},
                {"id": "555000333", "subscribed_fields": [{"name": "mention", "version": "v24.0"}]}
            ]})
            .to_string(),
        )
    })
    .await;
    let run = cli(&meta.args(
        "subscriptions",
        &["--login", "facebook", "--account", "1234567890"],
    ))
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        "3 apps subscribed on 1234567890 (Facebook Login):\n  \
         app 555000111 (Webhook Relay): feed, messages\n  \
         app 555000222 (Installed Only): (no fields)\n  \
         app 555000333: mention\n"
    );

    let run = run_subscriptions_json(&meta).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(answer["data"].as_array().unwrap().len(), 3);
    assert_eq!(answer["data"][1]["name"], "Installed Only");
}

async fn run_subscriptions_json(meta: &StandIn) -> Run {
    cli(&meta.args(
        "subscriptions",
        &["--login", "facebook", "--account", "1234567890", "--json"],
    ))
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_with_no_app() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    let run = cli(&meta.args("subscriptions", &[])).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "no app is subscribed on me (Instagram Login)\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn unsubscribe_deletes_and_the_read_back_is_empty() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    assert_eq!(
        cli(&meta.args("subscribe", &["--fields", "messages"]))
            .await
            .code,
        0
    );
    let run_text = cli(&meta.args("unsubscribe", &[])).await;
    assert_eq!(run_text.code, 0, "{run_text:#?}");
    assert_eq!(
        run_text.stdout,
        "unsubscribed me (Instagram Login): Meta answered success\n"
    );
    let run_json = cli(&meta.args("unsubscribe", &["--json"])).await;
    assert_eq!(run_json.code, 0, "{run_json:#?}");
    let answer: Value = serde_json::from_str(&run_json.stdout).expect("JSON on stdout");
    assert_eq!(answer, json!({"success": true}));
    let after = cli(&meta.args("subscriptions", &["--json"])).await;
    let answer: Value = serde_json::from_str(&after.stdout).expect("JSON on stdout");
    assert_eq!(answer, json!({"data": []}));

    let seen = meta.seen();
    let methods: Vec<&Method> = seen.iter().map(|seen| &seen.method).collect();
    assert_eq!(
        methods,
        [
            &Method::POST,
            &Method::GET,
            &Method::DELETE,
            &Method::DELETE,
            &Method::GET
        ]
    );
    let delete = &seen[2];
    assert_eq!(delete.token(), Some(TOKEN));
    assert_eq!(delete.param("subscribed_fields"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_arguments_send_nothing() {
    let meta = stand_in(fake_meta(
        "/v24.0/me/subscribed_apps",
        Shape::Instagram,
        keep_all,
    ))
    .await;
    let url = meta.url.as_str();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--graph-url",
                url,
                "--access-token",
                TOKEN,
                "--account",
                "me/../other",
            ],
            "bad --account",
        ),
        (
            &[
                "--graph-url",
                url,
                "--access-token",
                TOKEN,
                "--account",
                "me?x=1",
            ],
            "bad --account",
        ),
        (
            &["--graph-url", url, "--access-token", " "],
            "the access token is empty",
        ),
        (
            &["--graph-url", "ftp://127.0.0.1", "--access-token", TOKEN],
            "bad --graph-url",
        ),
        (
            &[
                "--graph-url",
                url,
                "--access-token",
                TOKEN,
                "--api-version",
                "v24/x",
            ],
            "bad --api-version",
        ),
    ];
    for (args, expected) in cases {
        let mut args = args.to_vec();
        args.splice(0..0, ["subscribe", "--fields", "comments"]);
        let run = cli(&args).await;
        let line = assert_error(&run);
        assert!(line.contains(expected), "{expected:?}: {line}");
    }
    let run = cli(&meta.args("subscribe", &["--fields", " , "])).await;
    assert!(assert_error(&run).contains("no field given"));
    assert!(meta.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_token_does_not_garble_the_message() {
    let meta = stand_in(|seen: &Seen| {
        assert_eq!(seen.token(), Some("E"));
        meta_error(400, 100, None, "(#100) Invalid parameter")
    })
    .await;
    let run = cli(&[
        "subscriptions",
        "--graph-url",
        &meta.url,
        "--access-token",
        "E",
    ])
    .await;
    let line = assert_error(&run);
    assert!(
        line.starts_with(&format!(
            "instagram-webhook: GET {}/v24.0/me/subscribed_apps: Meta refused: (#100) Invalid parameter",
            meta.url
        )),
        "{line}"
    );
    assert!(line.contains("check --account and --api-version"), "{line}");
}
