//! HTTP as every command uses it: http(s) URLs only, a timeout, and no
//! redirects (a signed body or a token must not follow a 3xx elsewhere).

use std::time::Duration;

use crate::error::{Error, Result};

/// How long a request may take, unless a command sets its own.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// A client with `timeout` that follows no redirect.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| Error::new(format!("cannot build the HTTP client: {error}")))
}

/// `text` as an http(s) URL, or an error naming `flag`.
pub(crate) fn url(text: &str, flag: &str) -> Result<reqwest::Url> {
    reqwest::Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .ok_or_else(|| {
            Error::new(format!(
                "bad {flag} URL `{text}`: expected http://host:port/path"
            ))
        })
}
