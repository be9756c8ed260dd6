//! A body and its `X-Hub-Signature-256`, as Meta would send them.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Uri};
use serde::Serialize;

use super::{SerializeError, sign, to_meta_json};
use crate::{AppSecret, SIGNATURE_HEADER};

/// A delivery signed like Meta signs it: the exact body bytes and the
/// `X-Hub-Signature-256` value for them.
///
/// Send [`body`](Self::body) with [`signature`](Self::signature) in the
/// [`SIGNATURE_HEADER`] over any client, or take the whole POST as an
/// [`http::Request`] with [`to_request`](Self::to_request).
///
/// ```
/// use instagram_webhook_core::test_kit::SignedDelivery;
/// use instagram_webhook_core::{AppSecret, Verifier};
///
/// let secret = AppSecret::new("test-secret")?;
/// let delivery = SignedDelivery::new(&secret, &serde_json::json!({"url": "https://é"}))?;
/// assert_eq!(delivery.body().as_ref(), br#"{"url":"https:\/\/\u00e9"}"#);
/// assert!(Verifier::new(secret).verify([delivery.signature()], delivery.body()).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDelivery {
    body: Bytes,
    signature: String,
}

impl SignedDelivery {
    /// `payload` written as JSON escaped like Meta (see [`to_meta_json`])
    /// and signed with `secret`.
    ///
    /// # Errors
    /// [`SerializeError`] when `payload`'s `Serialize` implementation fails.
    pub fn new<T: Serialize + ?Sized>(
        secret: &AppSecret,
        payload: &T,
    ) -> Result<Self, SerializeError> {
        Ok(Self::from_body(secret, to_meta_json(payload)?))
    }

    /// Exactly `body` (any bytes: not necessarily JSON), signed with
    /// `secret`.
    pub fn from_body(secret: &AppSecret, body: impl Into<Bytes>) -> Self {
        let body = body.into();
        let signature = sign(secret, &body);
        Self { body, signature }
    }

    /// The body bytes, exactly as signed.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The `X-Hub-Signature-256` value: `sha256=` and 64 lowercase hex
    /// digits.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The body and the signature.
    pub fn into_parts(self) -> (Bytes, String) {
        (self.body, self.signature)
    }

    /// The POST Meta would make to `uri`: `content-type: application/json`,
    /// `content-length`, `x-hub-signature-256`, and the body.
    ///
    /// ```
    /// use instagram_webhook_core::http::Uri;
    /// use instagram_webhook_core::test_kit::comment_delivery;
    /// use instagram_webhook_core::{AppSecret, SIGNATURE_HEADER};
    ///
    /// let secret = AppSecret::new("test-secret")?;
    /// let delivery = comment_delivery("17841400000000001", "18000000000000001", "hi").sign(&secret);
    /// let request = delivery.to_request(Uri::from_static("/webhook"));
    /// assert_eq!(request.method(), "POST");
    /// assert_eq!(request.headers()[SIGNATURE_HEADER], delivery.signature());
    /// assert_eq!(request.body(), delivery.body());
    /// # Ok::<(), instagram_webhook_core::SecretError>(())
    /// ```
    ///
    /// # Panics
    /// Never: the signature is ASCII hex.
    pub fn to_request(&self, uri: Uri) -> Request<Bytes> {
        let mut request = Request::new(self.body.clone());
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&self.signature).expect("sha256= and hex digits"),
        );
        request
    }
}
