//! Choosing the App Secrets per request, for services that receive webhooks
//! for several Meta apps.

use std::collections::HashMap;
use std::sync::Arc;

use http::HeaderMap;

use crate::signature::SignatureError;
use crate::verifier::{Verified, Verifier};

/// What is known about a request before its body is trusted: enough to pick
/// the app it is addressed to.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestContext<'a> {
    /// The request path, e.g. `/webhook/app-a`.
    pub path: &'a str,
    /// The raw query string, without the `?`, if any.
    pub query: Option<&'a str>,
}

impl<'a> RequestContext<'a> {
    /// Describes a request by its path and raw query string.
    pub fn new(path: &'a str, query: Option<&'a str>) -> Self {
        Self { path, query }
    }
}

/// The App Secrets chosen for a request, and the Meta app they belong to
/// (`None` for a single app).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Selected<'a> {
    /// The secrets to check the signature with.
    pub verifier: &'a Verifier,
    /// The app's name, as configured.
    pub app: Option<&'a str>,
}

impl<'a> Selected<'a> {
    /// The secrets of a single app.
    pub fn new(verifier: &'a Verifier) -> Self {
        Self {
            verifier,
            app: None,
        }
    }

    /// The secrets of the app called `app`.
    pub fn for_app(verifier: &'a Verifier, app: &'a str) -> Self {
        Self {
            verifier,
            app: Some(app),
        }
    }
}

/// Picks the [`Verifier`] (the App Secrets) for a request.
///
/// A single [`Verifier`] selects itself for every request; [`AppVerifiers`]
/// picks one per app; implement the trait for anything else (a database of
/// tenants, say).
pub trait SelectVerifier: Send + Sync {
    /// The verifier for this request (and its app's name), or `None` when
    /// the request belongs to no known app (answered as
    /// [`SignatureError::UnknownApp`], 401).
    fn select(&self, request: &RequestContext<'_>) -> Option<Selected<'_>>;

    /// Selects the verifier for `request` and checks the body against the
    /// signature headers.
    ///
    /// # Errors
    /// [`SignatureError::UnknownApp`] when no verifier is selected, otherwise
    /// as [`Verifier::verify_headers`].
    fn verify_request(
        &self,
        request: &RequestContext<'_>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Verified, SignatureError> {
        self.select(request)
            .ok_or(SignatureError::UnknownApp)?
            .verifier
            .verify_headers(headers, body)
    }
}

impl SelectVerifier for Verifier {
    fn select(&self, _request: &RequestContext<'_>) -> Option<Selected<'_>> {
        Some(Selected::new(self))
    }
}

impl<T: SelectVerifier + ?Sized> SelectVerifier for Arc<T> {
    fn select(&self, request: &RequestContext<'_>) -> Option<Selected<'_>> {
        (**self).select(request)
    }
}

impl<T: SelectVerifier + ?Sized> SelectVerifier for Box<T> {
    fn select(&self, request: &RequestContext<'_>) -> Option<Selected<'_>> {
        (**self).select(request)
    }
}

/// Where in the request the app's name is found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppKey {
    /// The last segment of the path: `/webhook/{app}`.
    LastPathSegment,
    /// A query parameter (percent-decoded): `/webhook?app={app}`. Meta keeps
    /// the query of the callback URL configured in the App Dashboard.
    QueryParameter(String),
}

impl AppKey {
    /// The app named by `request`, if any.
    fn find(&self, request: &RequestContext<'_>) -> Option<String> {
        match self {
            Self::LastPathSegment => request
                .path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .filter(|segment| !segment.is_empty())
                .map(str::to_owned),
            Self::QueryParameter(name) => form_urlencoded::parse(request.query?.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned()),
        }
    }
}

/// One [`Verifier`] per Meta app, chosen by an [`AppKey`] of the request.
///
/// ```
/// use http::HeaderMap;
/// use instagram_webhook_core::{AppKey, AppSecret, AppVerifiers, RequestContext, SelectVerifier, SignatureError, Verifier};
///
/// let apps = AppVerifiers::new(AppKey::LastPathSegment)
///     .app("shop", Verifier::new(AppSecret::new("shop-secret")?))
///     .app("blog", Verifier::new(AppSecret::new("blog-secret")?));
///
/// let request = RequestContext::new("/webhook/shop", None);
/// assert!(apps.select(&request).is_some());
///
/// let stranger = RequestContext::new("/webhook/other", None);
/// assert_eq!(
///     apps.verify_request(&stranger, &HeaderMap::new(), b"{}").unwrap_err(),
///     SignatureError::UnknownApp
/// );
/// # Ok::<(), instagram_webhook_core::SecretError>(())
/// ```
#[derive(Debug, Clone)]
pub struct AppVerifiers {
    key: AppKey,
    apps: HashMap<String, Verifier>,
}

impl AppVerifiers {
    /// No apps yet; requests are matched to apps by `key`.
    pub fn new(key: AppKey) -> Self {
        Self {
            key,
            apps: HashMap::new(),
        }
    }

    /// Adds (or replaces) the verifier of the app called `name`.
    #[must_use]
    pub fn app(mut self, name: impl Into<String>, verifier: Verifier) -> Self {
        self.apps.insert(name.into(), verifier);
        self
    }
}

impl SelectVerifier for AppVerifiers {
    fn select(&self, request: &RequestContext<'_>) -> Option<Selected<'_>> {
        let (app, verifier) = self.apps.get_key_value(&self.key.find(request)?)?;
        Some(Selected::for_app(verifier, app))
    }
}
