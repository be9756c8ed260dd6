//! The inbox as the commands see it: the operations API, over HTTP
//! (`--ops-url`) or in this process over the opened database, so both ways
//! answer the same JSON.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use bytes::Bytes;
use instagram_webhook_inbox::{Inbox, InboxBuilder};
use instagram_webhook_ops::{Ops, Token};
use serde_json::Value;
use tower::ServiceExt;

use crate::cli::SourceArgs;
use crate::error::{Error, Result};

/// Where the API answers.
pub(crate) enum Api {
    /// The router, over the database, in this process.
    Local {
        router: axum::Router,
        token: Token,
        inbox: Inbox,
    },
    /// A running operations surface.
    Remote {
        client: reqwest::Client,
        base: String,
        token: String,
    },
}

impl Api {
    /// Opens what `source` names.
    pub(crate) async fn open(source: &SourceArgs) -> Result<Self> {
        if let Some(base) = &source.ops_url {
            let token = source.ops_token.clone().ok_or_else(|| {
                Error::new("--ops-url needs the surface's token: --ops-token or INSTAGRAM_WEBHOOK_OPS_TOKEN")
            })?;
            crate::http::url(base, "--ops-url")?;
            return Ok(Self::Remote {
                client: crate::http::client(crate::http::TIMEOUT)?,
                base: base.trim_end_matches('/').to_owned(),
                token,
            });
        }
        let inbox = open_inbox(&source.database.database).await?;
        let token = Token::generate();
        let router = Ops::new(inbox.clone(), token.clone()).router();
        Ok(Self::Local {
            router,
            token,
            inbox,
        })
    }

    /// Closes the database, if one was opened.
    pub(crate) async fn close(self) {
        if let Self::Local { inbox, .. } = self {
            inbox.close().await;
        }
    }

    /// Asks `method path` with an optional JSON body; the status and bytes.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Bytes)> {
        let bytes = body.map(|body| Bytes::from(body.to_string()));
        match self {
            Self::Local { router, token, .. } => {
                let mut request = Request::builder()
                    .method(method)
                    .uri(path)
                    .header("authorization", format!("Bearer {}", token.as_str()));
                if bytes.is_some() {
                    request = request.header("content-type", "application/json");
                }
                let request = request
                    .body(bytes.map_or_else(Body::empty, Body::from))
                    .map_err(|error| Error::new(format!("bad request {path}: {error}")))?;
                let response = router
                    .clone()
                    .oneshot(request)
                    .await
                    .map_err(|error| Error::new(format!("{path}: {error}")))?;
                let status = response.status();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .map_err(|error| Error::new(format!("{path}: {error}")))?;
                Ok((status, bytes))
            }
            Self::Remote {
                client,
                base,
                token,
            } => {
                let mut request = client
                    .request(method, format!("{base}{path}"))
                    .bearer_auth(token);
                if let Some(bytes) = bytes {
                    request = request
                        .header("content-type", "application/json")
                        .body(bytes);
                }
                let response = request.send().await.map_err(|error| {
                    Error::new(format!(
                        "cannot reach the operations surface at {base}: {error}"
                    ))
                })?;
                let status = StatusCode::from_u16(response.status().as_u16())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|error| Error::new(format!("{base}{path}: {error}")))?;
                Ok((status, bytes))
            }
        }
    }

    /// Asks for JSON; an error answer becomes its message.
    pub(crate) async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let (status, bytes) = self.call(method, path, body).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
            Error::new(format!(
                "{path} answered {status} without JSON: {}",
                String::from_utf8_lossy(&bytes)
            ))
        })?;
        if status.is_success() {
            Ok(value)
        } else if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            && let Self::Remote { base, .. } = self
        {
            Err(Error::new(format!(
                "the operations surface at {base} refused the token ({status}): check --ops-token or INSTAGRAM_WEBHOOK_OPS_TOKEN"
            )))
        } else {
            let message = value["error"]["message"]
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            Err(Error::new(message))
        }
    }
}

/// Opens the inbox at `url`, with a clear error.
pub(crate) async fn open_inbox(url: &str) -> Result<Inbox> {
    open_inbox_with(url, Inbox::builder()).await
}

/// Opens the inbox at `url` with `builder`'s settings, with a clear error.
pub(crate) async fn open_inbox_with(url: &str, builder: InboxBuilder) -> Result<Inbox> {
    builder.open(url).await.map_err(|error| {
        Error::new(format!(
            "{error}; check --database or INSTAGRAM_WEBHOOK_DATABASE (sqlite://PATH or postgres://...)"
        ))
    })
}
