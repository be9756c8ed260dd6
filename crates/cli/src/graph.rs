//! A small client for Meta's Graph API, as far as the `subscribed_apps` edge
//! goes: `POST` (subscribe), `GET` (read back), `DELETE` (unsubscribe).
//!
//! The access token travels the way Meta's SDKs send it: in the form body of
//! a `POST`, in the query string of a `GET` or `DELETE`. It never appears in
//! an error: messages name the edge without the token, and every foreign
//! text that could carry it (Meta's answers, transport errors, the user's
//! own arguments) is redacted.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::cli::{GraphArgs, Login};
use crate::error::{Error, Result};

/// How long one request may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What replaces the token wherever it would be shown.
const REDACTED: &str = "[redacted]";

/// The fields Instagram Login's edge takes (Meta's "webhook fields" page).
const INSTAGRAM_FIELDS: &str = "comments, live_comments, mentions, messages, message_edit, \
     message_reactions, messaging_optins, messaging_postbacks, messaging_referral, \
     messaging_seen, story_insights";

/// The HTTP methods the edge takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// An access token: never printed, not even by `Debug`.
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// One account's `subscribed_apps` edge.
#[derive(Debug)]
pub(crate) struct Graph {
    client: reqwest::Client,
    /// `{base}/{version}/{account}/subscribed_apps`, without the token.
    edge: reqwest::Url,
    token: Token,
    login: Login,
    account: String,
    version: String,
}

impl Graph {
    /// The edge `args` name, checked (base URL, version, account, token).
    pub(crate) fn new(args: &GraphArgs) -> Result<Self> {
        let token = args.access_token.trim();
        if token.is_empty() {
            return Err(Error::new(
                "the access token is empty: give --access-token or INSTAGRAM_ACCESS_TOKEN",
            ));
        }
        let version = api_version(&args.api_version)?;
        let account = args.account.trim();
        if account.is_empty()
            || !account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Error::new(format!(
                "bad --account `{}`: expected `me` or the account's numeric id{}",
                redact(&args.account, token),
                match args.login {
                    Login::Instagram => "",
                    Login::Facebook => " (the Facebook Page's id with --login facebook)",
                }
            )));
        }
        let base = match &args.graph_url {
            Some(url) => url.trim().trim_end_matches('/').to_owned(),
            None => match args.login {
                Login::Instagram => "https://graph.instagram.com".to_owned(),
                Login::Facebook => "https://graph.facebook.com".to_owned(),
            },
        };
        let edge = reqwest::Url::parse(&format!("{base}/{version}/{account}/subscribed_apps"))
            .ok()
            .filter(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.query().is_none()
                    && url.fragment().is_none()
            })
            .ok_or_else(|| {
                Error::new(format!(
                    "bad --graph-url `{}`: expected http(s)://host[:port], e.g. https://graph.instagram.com",
                    redact(&base, token)
                ))
            })?;
        // No redirect: one would carry the token (a GET's query) elsewhere.
        let client = crate::http::client(TIMEOUT)?;
        Ok(Self {
            client,
            edge,
            token: Token(token.to_owned()),
            login: args.login,
            account: account.to_owned(),
            version,
        })
    }

    pub(crate) fn login(&self) -> Login {
        self.login
    }

    pub(crate) fn account(&self) -> &str {
        &self.account
    }

    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// `POST` the subscription of `fields`; Meta's `{"success": true}`.
    pub(crate) async fn subscribe(&self, fields: &[String]) -> Result<Value> {
        let fields = fields.join(",");
        let answer = self
            .call(Method::Post, &[("subscribed_fields", &fields)])
            .await?;
        self.expect_success(Method::Post, answer)
    }

    /// `GET` the edge: the apps subscribed on the account, and Meta's raw answer.
    pub(crate) async fn subscriptions(&self) -> Result<(SubscribedApps, Value)> {
        let answer = self.call(Method::Get, &[]).await?;
        let apps = SubscribedApps::deserialize(&answer).map_err(|error| {
            self.fail(
                Method::Get,
                format!(
                    "unexpected answer ({error}): {}",
                    snippet(&answer.to_string(), &self.token.0)
                ),
            )
        })?;
        Ok((apps, answer))
    }

    /// `DELETE` the subscription; Meta's `{"success": true}`.
    pub(crate) async fn unsubscribe(&self) -> Result<Value> {
        let answer = self.call(Method::Delete, &[]).await?;
        self.expect_success(Method::Delete, answer)
    }

    fn expect_success(&self, method: Method, answer: Value) -> Result<Value> {
        let success = match answer.get("success") {
            Some(Value::Bool(success)) => *success,
            // The app edge has been seen answering `"true"`.
            Some(Value::String(text)) => text == "true",
            _ => false,
        };
        if success {
            Ok(answer)
        } else {
            Err(self.fail(
                method,
                format!(
                    "Meta did not answer success: {}",
                    snippet(&answer.to_string(), &self.token.0)
                ),
            ))
        }
    }

    /// One request; the JSON answer, or a one-line error.
    async fn call(&self, method: Method, params: &[(&str, &str)]) -> Result<Value> {
        let request = match method {
            Method::Get | Method::Delete => {
                let mut url = self.edge.clone();
                url.query_pairs_mut()
                    .extend_pairs(params)
                    .append_pair("access_token", &self.token.0);
                let method = if method == Method::Get {
                    reqwest::Method::GET
                } else {
                    reqwest::Method::DELETE
                };
                self.client.request(method, url)
            }
            Method::Post => {
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params)
                    .append_pair("access_token", &self.token.0)
                    .finish();
                self.client
                    .post(self.edge.clone())
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
            }
        };
        let response = request
            .send()
            .await
            .map_err(|error| self.fail(method, transport(&error, &self.token.0)))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|error| {
            self.fail(
                method,
                format!(
                    "answered {status}, then {}",
                    transport(&error, &self.token.0)
                ),
            )
        })?;
        let Ok(answer) = serde_json::from_slice::<Value>(&body) else {
            return Err(self.fail(
                method,
                format!(
                    "answered {status} with a body that is not JSON: {}",
                    snippet(&String::from_utf8_lossy(&body), &self.token.0)
                ),
            ));
        };
        if let Some(error) = answer.get("error") {
            return Err(match GraphError::deserialize(error) {
                Ok(error) => self.fail(method, self.describe(method, &error)),
                Err(_) => self.fail(
                    method,
                    format!(
                        "answered {status} with an error: {}",
                        snippet(&error.to_string(), &self.token.0)
                    ),
                ),
            });
        }
        if !status.is_success() {
            return Err(self.fail(
                method,
                format!(
                    "answered {status}: {}",
                    snippet(&answer.to_string(), &self.token.0)
                ),
            ));
        }
        Ok(answer)
    }

    /// `METHOD edge: what`, on one line (`what` is redacted already: the
    /// whole line is not, or a short token would eat the words around it).
    fn fail(&self, method: Method, what: String) -> Error {
        let line = format!("{} {}: {what}", method.as_str(), self.edge);
        Error::new(one_line(&line))
    }

    /// Meta's error as one line: message, type, codes, trace id and a hint.
    fn describe(&self, method: Method, error: &GraphError) -> String {
        let mut line = String::from("Meta refused");
        if let Some(message) = error.message.as_deref().filter(|text| !text.is_empty()) {
            line.push_str(": ");
            line.push_str(&redact(message, &self.token.0));
        }
        let mut facts = Vec::new();
        if let Some(kind) = &error.kind {
            facts.push(redact(kind, &self.token.0));
        }
        if let Some(code) = error.code {
            facts.push(format!("code {code}"));
        }
        if let Some(subcode) = error.error_subcode {
            facts.push(format!("error_subcode {subcode}"));
        }
        if let Some(trace) = &error.fbtrace_id {
            facts.push(format!("fbtrace_id {}", redact(trace, &self.token.0)));
        }
        if !facts.is_empty() {
            line.push_str(&format!(" ({})", facts.join(", ")));
        }
        if let Some(hint) = self.hint(method, error) {
            line.push_str(": ");
            line.push_str(&hint);
        }
        line
    }

    /// What to do about the common codes.
    fn hint(&self, method: Method, error: &GraphError) -> Option<String> {
        let code = error.code?;
        let hint = match code {
            190 => {
                let token = match self.login {
                    Login::Instagram => "an Instagram user access token from Business Login for Instagram",
                    Login::Facebook => "a Page access token for this Page",
                };
                let why = match error.error_subcode {
                    Some(463) => "the access token has expired",
                    Some(460) => "the access token was invalidated (password changed)",
                    _ => "the access token is invalid or expired",
                };
                format!("{why}: get a new one ({token})")
            }
            10 | 200..=299 => match self.login {
                Login::Instagram => "missing permission: the token needs instagram_business_basic and each field's permission (instagram_business_manage_comments for comments, live_comments and mentions; instagram_business_manage_messages for messages and messaging_*), granted to this app; use the account's user token, not an app token".to_owned(),
                Login::Facebook => "missing permission: the Page token needs pages_manage_metadata (with pages_show_list), from someone who can manage the Page; use a Page token, not an app token".to_owned(),
            },
            100 if error.error_subcode == Some(33) => format!(
                "the account `{}` does not exist or this token cannot see it{}",
                self.account,
                match self.login {
                    Login::Instagram => " (with Instagram Login, use `me`)",
                    Login::Facebook => " (with Facebook Login, give the Page's id)",
                }
            ),
            100 if method != Method::Post => {
                "a bad or missing parameter: check --account and --api-version".to_owned()
            }
            100 => match self.login {
                Login::Instagram => format!(
                    "a bad or missing field: Instagram Login takes {INSTAGRAM_FIELDS}"
                ),
                Login::Facebook => "a bad or missing field: the Page edge takes Page fields (e.g. feed, messages, messaging_postbacks) and rejects Instagram fields, which are chosen in the App Dashboard (Webhooks, Instagram); subscribe the Page to at least one Page field such as feed".to_owned(),
            },
            4 | 17 | 32 | 613 | 80_002 => {
                "rate limited: wait (up to an hour) before trying again".to_owned()
            }
            1 | 2 => "a temporary problem at Meta: try again in a moment".to_owned(),
            _ => return None,
        };
        Some(hint)
    }
}

/// Meta's `{"error": {...}}`.
#[derive(Debug, Deserialize)]
struct GraphError {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<i64>,
    error_subcode: Option<i64>,
    fbtrace_id: Option<String>,
}

/// The `GET` answer: `{"data": [...]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct SubscribedApps {
    #[serde(default)]
    pub(crate) data: Vec<SubscribedApp>,
}

/// One app subscribed on the account.
#[derive(Debug, Deserialize)]
pub(crate) struct SubscribedApp {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// No key: the app is installed without fields.
    #[serde(default)]
    subscribed_fields: Vec<Field>,
}

impl SubscribedApp {
    /// The app's id (Meta sends a string; a number is taken too).
    pub(crate) fn id(&self) -> Option<String> {
        match &self.id {
            Some(Value::String(id)) => Some(id.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        }
    }

    /// The fields' names.
    pub(crate) fn fields(&self) -> Vec<String> {
        self.subscribed_fields
            .iter()
            .filter_map(|field| match field {
                Field::Name(name) | Field::Object { name } => Some(name.clone()),
                Field::Other(Value::Null) => None,
                Field::Other(other) => Some(other.to_string()),
            })
            .collect()
    }
}

/// A subscribed field: a name, or an object with a name (and a version).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Field {
    Name(String),
    Object { name: String },
    Other(Value),
}

/// `24.0` or `v24.0` as `v24.0`.
fn api_version(text: &str) -> Result<String> {
    let text = text.trim();
    let number = text.strip_prefix('v').unwrap_or(text);
    let mut parts = number.split('.');
    let well_formed = matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(major), minor, None)
            if !major.is_empty()
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.is_none_or(|minor| !minor.is_empty() && minor.chars().all(|c| c.is_ascii_digit()))
    );
    if well_formed {
        Ok(format!("v{number}"))
    } else {
        Err(Error::new(format!(
            "bad --api-version `{text}`: expected a Graph API version such as v24.0"
        )))
    }
}

/// A transport failure in words, without the URL (it may hold the token).
fn transport(error: &reqwest::Error, token: &str) -> String {
    let what = if error.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    // The innermost cause says why (refused, DNS, TLS); the URL is left out.
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut last = None;
    while let Some(inner) = cause {
        last = Some(inner.to_string());
        cause = inner.source();
    }
    match last {
        Some(last) => format!("{what} ({})", redact(&last, token)),
        None => what,
    }
}

/// `text` with every occurrence of the token (plain or URL-encoded) replaced.
fn redact(text: &str, token: &str) -> String {
    if token.is_empty() {
        return text.to_owned();
    }
    let encoded: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let text = text.replace(token, REDACTED);
    if encoded == token {
        text
    } else {
        text.replace(&encoded, REDACTED)
    }
}

/// Line breaks and tabs as spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 200 characters of a body, redacted, on one line.
fn snippet(text: &str, token: &str) -> String {
    let text = one_line(&redact(text, token));
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    let mut short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(api_version("v24.0").unwrap(), "v24.0");
        assert_eq!(api_version("24.0").unwrap(), "v24.0");
        assert_eq!(api_version(" v25 ").unwrap(), "v25");
        for bad in ["", "v", "v24.", "24.0.1", "latest", "v24/x", "..", "v.0"] {
            assert!(api_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("a=tok&b", "tok"), "a=[redacted]&b");
        assert_eq!(redact("x=t%2Fk y=t/k", "t/k"), "x=[redacted] y=[redacted]");
    }

    #[test]
    fn fields_of_both_shapes() {
        let apps: SubscribedApps = serde_json::from_value(serde_json::json!({
            "data": [
                {"id": "1", "subscribed_fields": ["comments", "messages"]},
                {"id": 2, "name": "Page app", "subscribed_fields": [{"name": "feed", "version": "v24.0"}]},
                {"id": "3", "name": "bare"}
            ]
        }))
        .unwrap();
        assert_eq!(apps.data[0].fields(), ["comments", "messages"]);
        assert_eq!(apps.data[1].fields(), ["feed"]);
        assert_eq!(apps.data[1].id().as_deref(), Some("2"));
        assert!(apps.data[2].fields().is_empty());
    }
}
