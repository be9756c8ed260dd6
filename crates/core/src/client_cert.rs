//! Meta's mTLS client certificate, as checked by a proxy in front of the
//! receiver: trust the subject it forwards only from the proxy's addresses.
//!
//! When TLS ends at a proxy (nginx, HAProxy, a load balancer), the proxy
//! verifies the client certificate's chain against Meta's CA and forwards
//! the certificate's subject in the [`CLIENT_CERT_SUBJECT_HEADER`] header.
//! Anyone who can reach the receiver directly could send that header too, so
//! the receiver believes it only on connections from the configured proxy
//! addresses ([`ForwardedClientCert`]), and checks the subject's common name.
//! To terminate TLS in your own process instead, see the `mtls` features of
//! the axum and actix-web adapters.

use std::fmt;
use std::net::IpAddr;

pub use ipnet::IpNet;

/// The common name (CN) in the subject of the client certificate Meta
/// presents when it delivers webhooks.
pub const META_CLIENT_CERT_NAME: &str = "client.webhooks.fbclientcerts.com";

/// The header a trusted proxy puts the verified client certificate's
/// subject in, as an RFC 4514 distinguished name (nginx:
/// `proxy_set_header X-Client-Cert-Subject $ssl_client_s_dn;`).
pub const CLIENT_CERT_SUBJECT_HEADER: &str = "x-client-cert-subject";

/// Why a request's forwarded client certificate was refused (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientCertError {
    /// The adapter could not tell the connection's peer address (for axum:
    /// serve with `into_make_service_with_connect_info::<SocketAddr>()`).
    #[error("the connection's peer address is unknown")]
    UnknownPeer,
    /// The connection does not come from a trusted proxy address.
    #[error("the connection does not come from a trusted proxy")]
    UntrustedPeer,
    /// No forwarded subject: the proxy saw no verified client certificate.
    #[error("no forwarded client certificate subject")]
    Missing,
    /// The subject header was sent more than once.
    #[error("the client certificate subject header is repeated")]
    Repeated,
    /// The forwarded subject is not a distinguished name with one common name.
    #[error("the forwarded client certificate subject is malformed")]
    Malformed,
    /// The subject's common name is not the expected one (compared ignoring
    /// ASCII case, as DNS names are).
    #[error("the client certificate is not Meta's (wrong common name)")]
    WrongName,
}

impl ClientCertError {
    /// A stable `snake_case` name, for metrics labels and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::UnknownPeer => "unknown_peer",
            Self::UntrustedPeer => "untrusted_peer",
            Self::Missing => "missing",
            Self::Repeated => "repeated",
            Self::Malformed => "malformed",
            Self::WrongName => "wrong_name",
        }
    }
}

/// Trust a client certificate subject forwarded by a proxy that terminated
/// TLS, from the proxy's addresses only; set it with
/// [`ReceiverBuilder::forwarded_client_cert`](crate::receive::ReceiverBuilder::forwarded_client_cert).
///
/// Every request to the webhook route (the handshake included) must then
/// come from one of the proxies and carry exactly one
/// [`CLIENT_CERT_SUBJECT_HEADER`] whose common name is
/// [`META_CLIENT_CERT_NAME`] (or the name set with
/// [`expected_name`](Self::expected_name)); anything else is answered 403
/// before the body is read. The proxy must verify the certificate's chain
/// against Meta's CA (nginx: `ssl_verify_client on;` with
/// `ssl_client_certificate` naming the CA bundle Meta publishes) and
/// overwrite the header on every request (`proxy_set_header` does).
///
/// ```
/// use instagram_webhook_core::client_cert::{ClientCertError, ForwardedClientCert};
///
/// let policy = ForwardedClientCert::from_proxies(["10.0.0.0/8".parse().unwrap()]);
/// let proxy = "10.1.2.3".parse().ok();
/// let meta = "CN=client.webhooks.fbclientcerts.com,O=Meta Platforms\\, Inc.,L=Menlo Park,C=US";
/// assert_eq!(policy.check(proxy, [meta.as_bytes()]), Ok(()));
/// assert_eq!(
///     policy.check("203.0.113.9".parse().ok(), [meta.as_bytes()]),
///     Err(ClientCertError::UntrustedPeer)
/// );
/// assert_eq!(
///     policy.check(proxy, [b"CN=attacker.example".as_slice()]),
///     Err(ClientCertError::WrongName)
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ForwardedClientCert {
    proxies: Vec<IpNet>,
    expected_name: String,
}

impl ForwardedClientCert {
    /// Trust the subject forwarded from these addresses or networks
    /// (`"10.0.0.5/32"`, `"fd00::/8"`; parse them with `str::parse`).
    /// Without any, every request is refused.
    pub fn from_proxies(proxies: impl IntoIterator<Item = IpNet>) -> Self {
        Self {
            proxies: proxies.into_iter().collect(),
            expected_name: META_CLIENT_CERT_NAME.to_owned(),
        }
    }

    /// The common name to require instead of [`META_CLIENT_CERT_NAME`].
    #[must_use]
    pub fn expected_name(mut self, name: impl Into<String>) -> Self {
        self.expected_name = name.into();
        self
    }

    /// Checks one request: its peer address (`None` when the adapter could
    /// not tell) and every value of its [`CLIENT_CERT_SUBJECT_HEADER`].
    ///
    /// # Errors
    /// Why the request is refused.
    pub fn check<'v>(
        &self,
        peer: Option<IpAddr>,
        subjects: impl IntoIterator<Item = &'v [u8]>,
    ) -> Result<(), ClientCertError> {
        let peer = peer.ok_or(ClientCertError::UnknownPeer)?;
        let peer = canonical(peer);
        if !self.proxies.iter().any(|net| net.contains(&peer)) {
            return Err(ClientCertError::UntrustedPeer);
        }
        let mut subjects = subjects.into_iter();
        let subject = subjects.next().ok_or(ClientCertError::Missing)?;
        if subjects.next().is_some() {
            return Err(ClientCertError::Repeated);
        }
        let subject = std::str::from_utf8(subject).map_err(|_| ClientCertError::Malformed)?;
        if subject.trim().is_empty() {
            return Err(ClientCertError::Missing);
        }
        if common_name(subject)?.eq_ignore_ascii_case(&self.expected_name) {
            Ok(())
        } else {
            Err(ClientCertError::WrongName)
        }
    }
}

impl fmt::Debug for ForwardedClientCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardedClientCert")
            .field("proxies", &self.proxies)
            .field("expected_name", &self.expected_name)
            .finish()
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`, as dual-stack
/// listeners report IPv4 peers) as the IPv4 address it is.
fn canonical(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
        IpAddr::V4(_) => peer,
    }
}

/// The one common name (`CN`, or its OID `2.5.4.3`) of an RFC 4514
/// distinguished name, unescaped.
///
/// ```
/// use instagram_webhook_core::client_cert::{ClientCertError, common_name};
///
/// assert_eq!(common_name("CN=a\\,b,O=x").unwrap(), "a,b");
/// assert_eq!(common_name("O=x"), Err(ClientCertError::Malformed));
/// ```
///
/// # Errors
/// [`ClientCertError::Malformed`] when the name does not parse or has no
/// common name or more than one.
pub fn common_name(dn: &str) -> Result<String, ClientCertError> {
    let mut found = None;
    for attribute in attributes(dn) {
        let (kind, value) = attribute?;
        if kind.eq_ignore_ascii_case("CN") || kind == "2.5.4.3" {
            if found.is_some() {
                return Err(ClientCertError::Malformed);
            }
            found = Some(unescape(value)?);
        }
    }
    found.ok_or(ClientCertError::Malformed)
}

/// The `type=value` pairs of a distinguished name, split at unescaped `,`,
/// `;` and `+`; values still escaped.
fn attributes(dn: &str) -> impl Iterator<Item = Result<(&str, &str), ClientCertError>> {
    let mut rest = Some(dn);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut escaped = false;
        let end = text.char_indices().find_map(|(at, c)| {
            if escaped {
                escaped = false;
                None
            } else if c == '\\' {
                escaped = true;
                None
            } else {
                matches!(c, ',' | ';' | '+').then_some(at)
            }
        });
        let (piece, next) = match end {
            Some(at) => (&text[..at], Some(&text[at + 1..])),
            None => (text, None),
        };
        rest = next;
        Some(match piece.split_once('=') {
            Some((kind, value)) if !kind.trim().is_empty() => Ok((kind.trim(), value.trim())),
            _ => Err(ClientCertError::Malformed),
        })
    })
}

/// A value with RFC 4514 escapes (`\,`, `\\`, `\"`, `\2C`) undone; a
/// hex-encoded (`#...`) value is refused, as no common name needs one.
fn unescape(value: &str) -> Result<String, ClientCertError> {
    if value.starts_with('#') {
        return Err(ClientCertError::Malformed);
    }
    let value = value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            out.push(bytes[at]);
            at += 1;
            continue;
        }
        let next = bytes.get(at + 1).ok_or(ClientCertError::Malformed)?;
        if next.is_ascii_hexdigit() {
            let pair = bytes
                .get(at + 1..at + 3)
                .ok_or(ClientCertError::Malformed)?;
            let mut byte = [0u8];
            base16ct::mixed::decode(pair, &mut byte).map_err(|_| ClientCertError::Malformed)?;
            out.push(byte[0]);
            at += 3;
        } else if b",+\"\\<>;=# ".contains(next) {
            out.push(*next);
            at += 2;
        } else {
            return Err(ClientCertError::Malformed);
        }
    }
    String::from_utf8(out).map_err(|_| ClientCertError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_of_real_forwarded_subjects() {
        // nginx's $ssl_client_s_dn (RFC 2253 order: most specific first).
        let nginx = "CN=client.webhooks.fbclientcerts.com,O=Meta Platforms\\, Inc.,L=Menlo Park,ST=California,C=US";
        assert_eq!(common_name(nginx).unwrap(), META_CLIENT_CERT_NAME);
        // Hex escapes, quotes, OIDs, multi-valued attributes, spaces.
        assert_eq!(common_name("2.5.4.3=a\\2Cb").unwrap(), "a,b");
        assert_eq!(common_name("cn = \"x\" , O=y").unwrap(), "x");
        assert_eq!(common_name("OU=a+CN=b;C=US").unwrap(), "b");
        assert_eq!(common_name("CN=caf\\C3\\A9").unwrap(), "café");
    }

    #[test]
    fn malformed_subjects_are_refused() {
        for dn in [
            "",
            "O=Meta",
            "CN=a,CN=b",
            "CN=a\\",
            "CN=a\\4",
            "CN=\\ZZ",
            "CN=#0403",
            "=x",
            "CN",
            "CN=\\FF",
        ] {
            assert_eq!(common_name(dn), Err(ClientCertError::Malformed), "{dn:?}");
        }
    }

    #[test]
    fn mapped_ipv4_peers_match_ipv4_networks() {
        let policy = ForwardedClientCert::from_proxies(["10.0.0.0/8".parse().unwrap()]);
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        let subject = format!("CN={META_CLIENT_CERT_NAME}");
        assert_eq!(policy.check(Some(mapped), [subject.as_bytes()]), Ok(()));
    }
}
