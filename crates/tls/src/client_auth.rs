//! The client certificate check: the chain against the configured CAs, then
//! the subject's common name.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::pem::{self, CA_BUNDLE};
use crate::{META_CLIENT_CN, TlsError};

/// Which client certificates may connect: those whose chain verifies against
/// one of the CAs of a PEM bundle you configure, and whose subject common
/// name (CN) is the expected name ([`META_CLIENT_CN`] unless you change it).
///
/// The CA is configuration, never built in: Meta's client certificate was
/// issued under a commercial CA chain until it expired on 2026-04-15, and is now
/// issued by Meta's own CA (`meta-outbound-api-ca-2025-12.pem`). During such
/// a move, put both CAs in one bundle.
///
/// The name check: the certificate's subject must carry at least one CN,
/// and every CN it carries must equal the expected name (compared ASCII
/// case-insensitively, as DNS names are). Subject alternative names are not
/// consulted: Meta's certificate is identified by its CN, as nginx's
/// `$ssl_client_s_dn` check does it.
///
/// ```
/// use instagram_webhook_tls::{META_CLIENT_CN, MetaClientAuth};
/// # let pki = instagram_webhook_tls::testing::Pki::generate();
/// # let bundle = format!("{}{}", pki.old_meta_ca.pem(), pki.meta_ca.pem());
///
/// // `bundle`: the PEM text of one or several CA certificates.
/// let client_auth = MetaClientAuth::from_ca_pem(bundle.as_bytes())?;
/// assert_eq!(client_auth.ca_count(), 2);
/// assert_eq!(client_auth.name(), META_CLIENT_CN);
/// # Ok::<(), instagram_webhook_tls::TlsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MetaClientAuth {
    roots: Arc<RootCertStore>,
    expected: String,
}

impl MetaClientAuth {
    /// Trusts the CA certificates of `pem` (one or several `CERTIFICATE`
    /// sections; other sections are ignored) and expects
    /// [`META_CLIENT_CN`].
    ///
    /// # Errors
    /// [`TlsError::BadPem`] for malformed PEM, [`TlsError::NoCertificates`]
    /// when there is no certificate at all, [`TlsError::BadCaCertificate`]
    /// for a certificate that is not a usable trust anchor.
    pub fn from_ca_pem(pem: &[u8]) -> Result<Self, TlsError> {
        let mut roots = RootCertStore::empty();
        for (index, certificate) in pem::certificates(pem, CA_BUNDLE)?.into_iter().enumerate() {
            roots
                .add(certificate)
                .map_err(|error| TlsError::BadCaCertificate {
                    index: index + 1,
                    reason: error.to_string(),
                })?;
        }
        Ok(Self {
            roots: Arc::new(roots),
            expected: META_CLIENT_CN.to_owned(),
        })
    }

    /// [`from_ca_pem`](Self::from_ca_pem) with the content of the file at
    /// `path`.
    ///
    /// # Errors
    /// [`TlsError::Read`] (with the path) when the file cannot be read, and
    /// those of [`from_ca_pem`](Self::from_ca_pem).
    pub fn from_ca_file(path: impl AsRef<Path>) -> Result<Self, TlsError> {
        Self::from_ca_pem(&pem::read(path.as_ref(), CA_BUNDLE)?)
    }

    /// Expects `name` as the client certificate's CN instead of
    /// [`META_CLIENT_CN`] (for a staging client, say). An empty name is
    /// refused when the configuration is built
    /// ([`TlsError::EmptyExpectedName`]).
    #[must_use]
    pub fn expected_name(mut self, name: impl Into<String>) -> Self {
        self.expected = name.into();
        self
    }

    /// The CN a client certificate must carry.
    pub fn name(&self) -> &str {
        &self.expected
    }

    /// How many CA certificates are trusted.
    pub fn ca_count(&self) -> usize {
        self.roots.len()
    }

    /// The verifier itself, for a [`rustls::ServerConfig`] you assemble
    /// yourself (your own certificate resolver, for example). It requires a
    /// client certificate, verifies its chain with rustls'
    /// [`WebPkiClientVerifier`] (aws-lc-rs signature algorithms) and then
    /// checks the CN.
    ///
    /// # Errors
    /// [`TlsError::EmptyExpectedName`] for an empty expected name.
    pub fn verifier(&self) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
        self.verifier_with(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
    }

    pub(crate) fn verifier_with(
        &self,
        provider: Arc<CryptoProvider>,
    ) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
        if self.expected.is_empty() {
            return Err(TlsError::EmptyExpectedName);
        }
        let chain = WebPkiClientVerifier::builder_with_provider(self.roots.clone(), provider)
            .build()
            .map_err(TlsError::rustls)?;
        Ok(Arc::new(MetaClientVerifier {
            chain,
            expected: self.expected.clone(),
        }))
    }
}

/// The chain verifier, then the CN check.
#[derive(Debug)]
struct MetaClientVerifier {
    chain: Arc<dyn ClientCertVerifier>,
    expected: String,
}

impl MetaClientVerifier {
    /// Whether the subject of `certificate` names the expected client.
    fn check_name(&self, certificate: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        let (_, parsed) = x509_parser::parse_x509_certificate(certificate)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let mut names = parsed.subject().iter_common_name().peekable();
        let matches = names.peek().is_some()
            && names.all(|name| {
                name.as_str()
                    .is_ok_and(|name| name.eq_ignore_ascii_case(&self.expected))
            });
        if matches {
            Ok(())
        } else {
            // The chain is fine, but this is not the client let in: the
            // alert is `access_denied`.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
}

impl ClientCertVerifier for MetaClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.chain.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let verified = self
            .chain
            .verify_client_cert(end_entity, intermediates, now)?;
        self.check_name(end_entity)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}
