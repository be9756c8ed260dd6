//! The server configuration: the server's own certificate, and the client
//! certificate check.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::crypto::aws_lc_rs;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::pem::{self, SERVER_CHAIN, SERVER_KEY};
use crate::{MetaClientAuth, TlsError};

/// Where a [`rustls::ServerConfig`] requiring Meta's client certificate is
/// built: [`TlsConfig::builder`] for PEM in memory, [`TlsConfig::from_files`]
/// for the three usual files.
///
/// The configuration uses rustls' aws-lc-rs provider explicitly (it never
/// depends on a process-wide default provider), TLS 1.2 and 1.3, and
/// advertises the ALPN protocol `http/1.1` (Meta delivers over HTTP/1.1).
///
/// ```
/// use instagram_webhook_tls::{MetaClientAuth, TlsConfig};
/// # let pki = instagram_webhook_tls::testing::Pki::generate();
/// # let (meta_ca_pem, chain_pem, key_pem) = (pki.meta_ca.pem(), pki.server.cert_pem(), pki.server.key_pem());
///
/// let config = TlsConfig::builder()
///     .server_cert_pem(chain_pem.as_bytes(), key_pem.as_bytes())?
///     .client_auth(MetaClientAuth::from_ca_pem(meta_ca_pem.as_bytes())?)
///     .build()?;
/// assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
/// # Ok::<(), instagram_webhook_tls::TlsError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct TlsConfig;

impl TlsConfig {
    /// A builder with nothing set yet.
    pub fn builder() -> TlsConfigBuilder {
        TlsConfigBuilder::default()
    }

    /// The configuration from three PEM files: the server certificate chain
    /// (server certificate first, then its intermediates), its private key,
    /// and the CA bundle client certificates are verified against. The
    /// client certificate must carry [`META_CLIENT_CN`](crate::META_CLIENT_CN).
    ///
    /// ```no_run
    /// let config = instagram_webhook_tls::TlsConfig::from_files(
    ///     "/etc/webhook/tls/fullchain.pem",
    ///     "/etc/webhook/tls/privkey.pem",
    ///     "/etc/webhook/tls/meta-outbound-api-ca-2025-12.pem",
    /// )?;
    /// # Ok::<(), instagram_webhook_tls::TlsError>(())
    /// ```
    ///
    /// # Errors
    /// [`TlsError::Read`] naming the file that cannot be read, then those of
    /// [`TlsConfigBuilder::server_cert_pem`],
    /// [`MetaClientAuth::from_ca_pem`] and [`TlsConfigBuilder::build`].
    pub fn from_files(
        cert_chain: impl AsRef<Path>,
        private_key: impl AsRef<Path>,
        client_ca: impl AsRef<Path>,
    ) -> Result<Arc<ServerConfig>, TlsError> {
        Self::builder()
            .server_cert_files(cert_chain, private_key)?
            .client_auth(MetaClientAuth::from_ca_file(client_ca)?)
            .build()
    }
}

/// Builds the [`rustls::ServerConfig`]: see [`TlsConfig`].
#[derive(Debug, Default)]
pub struct TlsConfigBuilder {
    server: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    client_auth: Option<MetaClientAuth>,
    alpn: Option<Vec<Vec<u8>>>,
}

impl TlsConfigBuilder {
    /// The server's certificate chain (server certificate first, then its
    /// intermediates) and private key (PKCS#8, PKCS#1 or SEC1), as PEM.
    ///
    /// # Errors
    /// [`TlsError::BadPem`], [`TlsError::NoCertificates`] or
    /// [`TlsError::NoPrivateKey`]. Whether the key suits the certificate is
    /// checked by [`build`](Self::build).
    pub fn server_cert_pem(
        mut self,
        cert_chain: &[u8],
        private_key: &[u8],
    ) -> Result<Self, TlsError> {
        let chain = pem::certificates(cert_chain, SERVER_CHAIN)?;
        let key = pem::private_key(private_key)?;
        self.server = Some((chain, key));
        Ok(self)
    }

    /// [`server_cert_pem`](Self::server_cert_pem) with the content of two
    /// files.
    ///
    /// # Errors
    /// [`TlsError::Read`] naming the file that cannot be read, then those
    /// of [`server_cert_pem`](Self::server_cert_pem).
    pub fn server_cert_files(
        self,
        cert_chain: impl AsRef<Path>,
        private_key: impl AsRef<Path>,
    ) -> Result<Self, TlsError> {
        let chain = pem::read(cert_chain.as_ref(), SERVER_CHAIN)?;
        let key = pem::read(private_key.as_ref(), SERVER_KEY)?;
        self.server_cert_pem(&chain, &key)
    }

    /// Which client certificates may connect.
    #[must_use]
    pub fn client_auth(mut self, client_auth: MetaClientAuth) -> Self {
        self.client_auth = Some(client_auth);
        self
    }

    /// The ALPN protocols offered, most preferred first, instead of
    /// `http/1.1` alone: `["h2", "http/1.1"]` if your server speaks HTTP/2
    /// too.
    #[must_use]
    pub fn alpn_protocols<P: Into<Vec<u8>>>(
        mut self,
        protocols: impl IntoIterator<Item = P>,
    ) -> Self {
        self.alpn = Some(protocols.into_iter().map(Into::into).collect());
        self
    }

    /// The configuration: every connection must present a client
    /// certificate that passes the [`MetaClientAuth`] check, or the
    /// handshake ends with a TLS alert.
    ///
    /// # Errors
    /// [`TlsError::MissingServerCert`] or [`TlsError::MissingClientAuth`]
    /// when a part was not set, [`TlsError::KeyMismatch`] when the key is
    /// not the server certificate's, [`TlsError::BadPrivateKey`] for a key
    /// the provider cannot use, [`TlsError::EmptyExpectedName`].
    pub fn build(self) -> Result<Arc<ServerConfig>, TlsError> {
        let (chain, key) = self.server.ok_or(TlsError::MissingServerCert)?;
        let client_auth = self.client_auth.ok_or(TlsError::MissingClientAuth)?;
        let provider = Arc::new(aws_lc_rs::default_provider());
        let verifier = client_auth.verifier_with(provider.clone())?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::rustls)?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .map_err(|error| match error {
                rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                    TlsError::KeyMismatch
                }
                rustls::Error::General(reason) => TlsError::BadPrivateKey { reason },
                other => TlsError::BadPrivateKey {
                    reason: other.to_string(),
                },
            })?;
        config.alpn_protocols = self.alpn.unwrap_or_else(|| vec![b"http/1.1".to_vec()]);
        Ok(Arc::new(config))
    }
}
