//! What the pipeline needs to know about a request before reading its body.

use std::fmt;
use std::net::IpAddr;

use crate::client_cert::CLIENT_CERT_SUBJECT_HEADER;
use crate::signature::{LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER};

/// The request line and the headers that matter, as the framework saw them.
///
/// Adapters build it from their own request type: [`RequestHead::new`] with
/// the method, path and raw query, then [`RequestHead::header`] for every
/// header (the head keeps only the ones the pipeline reads).
///
/// ```
/// use instagram_webhook_core::receive::RequestHead;
///
/// let mut head = RequestHead::new("POST", "/webhook", None);
/// head.header("content-type", b"application/json");
/// head.header("X-Hub-Signature-256", b"sha256=...");
/// assert_eq!(head.signatures().count(), 1);
/// ```
#[derive(Clone)]
pub struct RequestHead<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    signatures: Vec<&'a [u8]>,
    legacy_signature: bool,
    content_length: Option<u64>,
    peer: Option<IpAddr>,
    client_cert_subjects: Vec<&'a [u8]>,
}

impl<'a> RequestHead<'a> {
    /// A head with the method (e.g. `"POST"`), the path, and the raw query
    /// string (without `?`, still percent-encoded), and no headers yet.
    pub fn new(method: &'a str, path: &'a str, query: Option<&'a str>) -> Self {
        Self {
            method,
            path,
            query,
            signatures: Vec::new(),
            legacy_signature: false,
            content_length: None,
            peer: None,
            client_cert_subjects: Vec::new(),
        }
    }

    /// The head with the address of the connection's peer, for
    /// [`ForwardedClientCert`](crate::client_cert::ForwardedClientCert);
    /// adapters set it when the framework knows it.
    #[must_use]
    pub fn with_peer(mut self, peer: Option<IpAddr>) -> Self {
        self.peer = peer;
        self
    }

    /// Records one header line; names are matched case-insensitively and
    /// headers the pipeline does not read are ignored. Call it once per
    /// header line, repeated headers included.
    pub fn header(&mut self, name: &str, value: &'a [u8]) {
        if name.eq_ignore_ascii_case(SIGNATURE_HEADER) {
            self.signatures.push(value);
        } else if name.eq_ignore_ascii_case(LEGACY_SIGNATURE_HEADER) {
            self.legacy_signature = true;
        } else if name.eq_ignore_ascii_case(CLIENT_CERT_SUBJECT_HEADER) {
            self.client_cert_subjects.push(value);
        } else if name.eq_ignore_ascii_case("content-length") {
            // An unparseable length is left to the framework; the body limit still applies.
            self.content_length = std::str::from_utf8(value)
                .ok()
                .and_then(|text| text.trim().parse().ok());
        }
    }

    /// The request method, as sent.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request path.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The raw query string, without `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// Every `X-Hub-Signature-256` value, in order.
    pub fn signatures(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.signatures.iter().copied()
    }

    /// Whether the legacy `X-Hub-Signature` header was present.
    pub fn has_legacy_signature(&self) -> bool {
        self.legacy_signature
    }

    /// The address of the connection's peer, if the adapter set it.
    pub fn peer(&self) -> Option<IpAddr> {
        self.peer
    }

    /// Every [`CLIENT_CERT_SUBJECT_HEADER`] value, in order.
    pub fn client_cert_subjects(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.client_cert_subjects.iter().copied()
    }

    /// The declared `Content-Length`, if any and valid.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }
}

impl fmt::Debug for RequestHead<'_> {
    /// Neither the received signatures nor the query are printed: for a
    /// genuine delivery each signature is the body's MAC, and the query of
    /// Meta's handshake holds `hub.verify_token`, the configured verify
    /// token. The query shows as its length in bytes and its number of
    /// parameters (`[redacted; 82 bytes, 3 parameters]`), never a name or a
    /// value: a malformed query may carry the token in either place.
    ///
    /// ```
    /// use instagram_webhook_core::receive::RequestHead;
    ///
    /// let query = "hub.mode=subscribe&hub.verify_token=my-token&hub.challenge=1158201444";
    /// let head = RequestHead::new("GET", "/webhook", Some(query));
    /// let printed = format!("{head:?}");
    /// assert!(printed.contains("query: Some([redacted; 69 bytes, 3 parameters])"));
    /// assert!(!printed.contains("my-token"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHead")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query.map(RedactedQuery))
            .field(
                "signatures",
                &format_args!("[redacted; {}]", self.signatures.len()),
            )
            .field("legacy_signature", &self.legacy_signature)
            .field("content_length", &self.content_length)
            .field("peer", &self.peer)
            .field(
                "client_cert_subjects",
                &format_args!("[{}]", self.client_cert_subjects.len()),
            )
            .finish()
    }
}

/// A query string in `Debug` output: its length and its number of
/// parameters (non-empty `&`-separated pieces, as a form decoder counts
/// them), nothing of its text.
struct RedactedQuery<'a>(&'a str);

impl fmt::Debug for RedactedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parameters = self.0.split('&').filter(|piece| !piece.is_empty()).count();
        write!(
            f,
            "[redacted; {} bytes, {parameters} parameters]",
            self.0.len()
        )
    }
}
