//! SSM Parameter Store through the AWS Parameters and Secrets Lambda
//! Extension: one local HTTP `GET` per parameter.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::header::HeaderValue;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use instagram_webhook_core::{Verifier, VerifyToken};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::Secrets;
use super::error::SecretsError;
use super::source::variable;

/// The extension's port when [`PORT_VARIABLE`] is not set.
pub const DEFAULT_PORT: u16 = 2773;
/// The variable naming the extension's port.
pub const PORT_VARIABLE: &str = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT";
/// The variable holding the session token the extension checks (set by
/// Lambda in every function).
pub const SESSION_TOKEN_VARIABLE: &str = "AWS_SESSION_TOKEN";
/// The request header carrying the session token.
pub const SESSION_TOKEN_HEADER: &str = "X-Aws-Parameters-Secrets-Token";
/// How long one request to the extension may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// The extension's path for SSM parameters.
const PATH: &str = "/systemsmanager/parameters/get";
/// The most of an answer read: a parameter value is at most 8 KB.
const ANSWER_LIMIT: usize = 64 * 1024;

/// Secrets from SSM Parameter Store, read through the AWS Parameters and
/// Secrets Lambda Extension on `127.0.0.1`: one parameter holds the App
/// Secret(s) (comma-separated during a rotation, a `SecureString` or a
/// `StringList`), another the verify token. Both are read with
/// `withDecryption=true`.
///
/// The extension answers during invocations only, not during the init
/// phase, so a [`SecretsReceiver`](super::SecretsReceiver) reads on the
/// first invocation and again after its TTL.
///
/// The port comes from [`PORT_VARIABLE`] (default [`DEFAULT_PORT`]) and
/// the session token from [`SESSION_TOKEN_VARIABLE`], read on each fetch,
/// unless given with [`port`](Self::port) and
/// [`session_token`](Self::session_token).
///
/// ```
/// use std::time::Duration;
/// use instagram_webhook_lambda::ExtensionSource;
///
/// let source = ExtensionSource::new("/instagram/app-secret", "/instagram/verify-token")
///     .timeout(Duration::from_secs(1));
/// assert_eq!(source.app_secret_parameter(), "/instagram/app-secret");
/// ```
#[derive(Clone)]
pub struct ExtensionSource {
    app_secret_parameter: String,
    verify_token_parameter: String,
    port: Option<u16>,
    session_token: Option<Zeroizing<String>>,
    timeout: Duration,
    client: Client<HttpConnector, Empty<Bytes>>,
}

impl fmt::Debug for ExtensionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtensionSource")
            .field("app_secret_parameter", &self.app_secret_parameter)
            .field("verify_token_parameter", &self.verify_token_parameter)
            .field("port", &self.port)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ExtensionSource {
    /// Reads the App Secret(s) from the parameter `app_secret_parameter` and
    /// the verify token from `verify_token_parameter` (names or ARNs, such
    /// as `/instagram/app-secret`).
    pub fn new(
        app_secret_parameter: impl Into<String>,
        verify_token_parameter: impl Into<String>,
    ) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        // No pooled connections: a fetch happens once per TTL, and a
        // connection kept across a sandbox freeze may be dead on thaw.
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(connector);
        Self {
            app_secret_parameter: app_secret_parameter.into(),
            verify_token_parameter: verify_token_parameter.into(),
            port: None,
            session_token: None,
            timeout: DEFAULT_TIMEOUT,
            client,
        }
    }

    /// The extension's port, instead of [`PORT_VARIABLE`].
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The session token to send, instead of [`SESSION_TOKEN_VARIABLE`].
    #[must_use]
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Zeroizing::new(token.into()));
        self
    }

    /// How long one request may take, connecting included
    /// ([`DEFAULT_TIMEOUT`] by default).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The parameter holding the App Secret(s).
    pub fn app_secret_parameter(&self) -> &str {
        &self.app_secret_parameter
    }

    /// The parameter holding the verify token.
    pub fn verify_token_parameter(&self) -> &str {
        &self.verify_token_parameter
    }

    /// Reads both parameters now, at the same time.
    ///
    /// # Errors
    /// Why a parameter could not be read, naming it; see [`SecretsError`].
    pub async fn fetch(&self) -> Result<Secrets, SecretsError> {
        let port = match self.port {
            Some(port) => port,
            None => match variable(PORT_VARIABLE) {
                Ok(port) => port
                    .trim()
                    .parse()
                    .map_err(|_| SecretsError::InvalidVariable(PORT_VARIABLE.to_owned()))?,
                Err(SecretsError::MissingVariable(_)) => DEFAULT_PORT,
                Err(error) => return Err(error),
            },
        };
        let token = match &self.session_token {
            Some(token) => token.clone(),
            None => variable(SESSION_TOKEN_VARIABLE)?,
        };
        let mut token = HeaderValue::from_str(&token)
            .map_err(|_| SecretsError::InvalidVariable(SESSION_TOKEN_VARIABLE.to_owned()))?;
        token.set_sensitive(true);

        let (secrets, verify_token) = tokio::try_join!(
            self.get(&self.app_secret_parameter, port, &token),
            self.get(&self.verify_token_parameter, port, &token),
        )?;
        let origin = |name: &str| format!("parameter {name}");
        let verifier =
            Verifier::from_comma_separated(&secrets).map_err(|error| SecretsError::Secret {
                origin: origin(&self.app_secret_parameter),
                error,
            })?;
        let verify_token = VerifyToken::new(String::clone(&verify_token)).map_err(|error| {
            SecretsError::Secret {
                origin: origin(&self.verify_token_parameter),
                error,
            }
        })?;
        Ok(Secrets::new(verifier, verify_token))
    }

    /// The decrypted value of the parameter `name`.
    async fn get(
        &self,
        name: &str,
        port: u16,
        token: &HeaderValue,
    ) -> Result<Zeroizing<String>, SecretsError> {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("name", name)
            .append_pair("withDecryption", "true")
            .finish();
        let unreachable = || SecretsError::Unreachable {
            parameter: name.to_owned(),
            port,
        };
        // Cannot fail: the port is a number and the query percent-encoded.
        let request = hyper::Request::get(format!("http://127.0.0.1:{port}{PATH}?{query}"))
            .header(SESSION_TOKEN_HEADER, token.clone())
            .body(Empty::new())
            .map_err(|_| unreachable())?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|_| unreachable())?;
            let status = response.status();
            let body = Limited::new(response.into_body(), ANSWER_LIMIT)
                .collect()
                .await
                .map(|body| Zeroizing::new(Vec::from(body.to_bytes())));
            Ok::<_, SecretsError>((status, body))
        };
        let (status, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| SecretsError::Timeout {
                parameter: name.to_owned(),
                after: self.timeout,
            })??;
        let invalid = |reason| SecretsError::InvalidAnswer {
            parameter: name.to_owned(),
            reason,
        };
        if !status.is_success() {
            return Err(refusal(
                name,
                status.as_u16(),
                body.as_ref().ok().map(|body| body.as_slice()),
            ));
        }
        let body = body.map_err(|_| invalid("too large or unreadable"))?;
        parse_answer(&body).map_err(invalid)
    }
}

/// The error for a non-2xx answer. The body is only searched for SSM's
/// error names, never kept: it could echo a value.
fn refusal(parameter: &str, status: u16, body: Option<&[u8]>) -> SecretsError {
    let says = |marker: &[u8]| {
        body.is_some_and(|body| body.windows(marker.len()).any(|window| window == marker))
    };
    let parameter = parameter.to_owned();
    if status == 404 || says(b"ParameterNotFound") {
        SecretsError::NotFound { parameter }
    } else if status == 403 || says(b"AccessDenied") {
        SecretsError::AccessDenied { parameter }
    } else {
        SecretsError::Status { parameter, status }
    }
}

/// `GetParameter`'s answer, as the extension mirrors it; only the value is
/// kept.
#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Parameter")]
    parameter: Parameter,
}

#[derive(Deserialize)]
struct Parameter {
    #[serde(rename = "Value")]
    value: String,
}

/// `Parameter.Value` of an answer, or why there is none, as a fixed phrase
/// (serde's messages can quote the input).
fn parse_answer(body: &[u8]) -> Result<Zeroizing<String>, &'static str> {
    match serde_json::from_slice::<Answer>(body) {
        Ok(answer) => Ok(Zeroizing::new(answer.parameter.value)),
        Err(error) => Err(match error.classify() {
            serde_json::error::Category::Data => "no string Parameter.Value",
            serde_json::error::Category::Eof => "JSON ends early",
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                "not valid JSON"
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_value_and_nothing_else() {
        let body = br#"{"Parameter":{"ARN":"arn:aws:ssm:us-east-1:1:parameter/a","DataType":"text",
            "LastModifiedDate":"2026-01-01T00:00:00Z","Name":"/a","Selector":null,"SourceResult":null,
            "Type":"SecureString","Value":"new,old","Version":3},"ResultMetadata":{}}"#;
        assert_eq!(parse_answer(body).unwrap().as_str(), "new,old");
        assert_eq!(
            parse_answer(br#"{"Parameter":{"Value":5}}"#).unwrap_err(),
            "no string Parameter.Value"
        );
        assert_eq!(parse_answer(b"{\"Param").unwrap_err(), "JSON ends early");
        assert_eq!(parse_answer(b"<html>").unwrap_err(), "not valid JSON");
    }

    #[test]
    fn classifies_refusals_without_keeping_the_body() {
        let by = |status, body: &[u8]| refusal("/p", status, Some(body));
        assert!(matches!(by(404, b""), SecretsError::NotFound { .. }));
        assert!(matches!(
            by(400, b"api error ParameterNotFound"),
            SecretsError::NotFound { .. }
        ));
        assert!(matches!(by(403, b""), SecretsError::AccessDenied { .. }));
        assert!(matches!(
            by(400, b"AccessDeniedException: not authorized"),
            SecretsError::AccessDenied { .. }
        ));
        assert_eq!(
            by(500, b"secret-value"),
            SecretsError::Status {
                parameter: "/p".into(),
                status: 500
            }
        );
    }
}
