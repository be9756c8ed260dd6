//! Helpers for tests (the `test-kit` feature): CAs and certificates
//! generated at run time with `rcgen`, client configurations presenting
//! them, and a TLS client that tells an accepted connection from a refused
//! one and which alert refused it.
//!
//! [`Pki::generate`] makes every certificate a test of Meta's mTLS needs:
//! a server CA and a `localhost`/`127.0.0.1` server certificate, Meta's new
//! CA and an old (DigiCert-like, with an intermediate) CA with a client
//! certificate each, and the failing clients: wrong CN, unknown CA, expired.
//!
//! ```
//! use instagram_webhook_tls::testing::Pki;
//!
//! let pki = Pki::generate();
//! let server_config = pki.server_config(); // trusts Meta's new CA
//! let client_config = pki.client(Some(&pki.meta_client));
//! assert_eq!(pki.refusals().len(), 4);
//! # let _ = (server_config, client_config);
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{
    AlertDescription, ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion,
};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::{META_CLIENT_CN, MetaClientAuth, TlsConfig};

/// The name the server certificate is valid for (and `127.0.0.1`).
pub const SERVER_NAME: &str = "localhost";

/// A CA generated at run time, with its signing key.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    certificate: CertificateDer<'static>,
    pem: String,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa")
            .field("pem", &self.pem)
            .finish_non_exhaustive()
    }
}

impl TestCa {
    /// A self-signed root CA whose subject CN is `name`.
    ///
    /// # Panics
    /// If rcgen cannot generate a key or sign: never with its defaults.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("a key");
        let params = ca_params(name);
        let certificate = params.self_signed(&key).expect("a self-signed CA");
        Self::from_parts(params, key, &certificate)
    }

    /// An intermediate CA whose subject CN is `name`, issued by `self`.
    ///
    /// # Panics
    /// Never with rcgen's defaults.
    pub fn intermediate(&self, name: &str) -> Self {
        let key = KeyPair::generate().expect("a key");
        let params = ca_params(name);
        let certificate = params
            .signed_by(&key, &self.issuer)
            .expect("an intermediate CA");
        Self::from_parts(params, key, &certificate)
    }

    fn from_parts(params: CertificateParams, key: KeyPair, certificate: &Certificate) -> Self {
        Self {
            issuer: Issuer::new(params, key),
            certificate: certificate.der().clone(),
            pem: certificate.pem(),
        }
    }

    /// The CA certificate as PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The CA certificate as DER.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.certificate
    }

    /// A client certificate (extended key usage `clientAuth`) whose subject
    /// CN is `common_name`, valid from 1975 to 4096.
    pub fn client_cert(&self, common_name: &str) -> TestCert {
        self.issue(leaf_params(
            common_name,
            ExtendedKeyUsagePurpose::ClientAuth,
        ))
    }

    /// Like [`client_cert`](Self::client_cert), but valid only during
    /// 2019: expired.
    pub fn expired_client_cert(&self, common_name: &str) -> TestCert {
        let mut params = leaf_params(common_name, ExtendedKeyUsagePurpose::ClientAuth);
        params.not_before = rcgen::date_time_ymd(2019, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        self.issue(params)
    }

    /// A server certificate (`serverAuth`) for [`SERVER_NAME`] and
    /// `127.0.0.1`.
    ///
    /// # Panics
    /// Never: the names are valid.
    pub fn server_cert(&self) -> TestCert {
        let mut params = leaf_params(SERVER_NAME, ExtendedKeyUsagePurpose::ServerAuth);
        params.subject_alt_names =
            CertificateParams::new([SERVER_NAME.to_owned(), "127.0.0.1".to_owned()])
                .expect("valid names")
                .subject_alt_names;
        self.issue(params)
    }

    /// A certificate issued by this CA from `params`: the chain this CA's
    /// certificate is part of is added after the leaf when this CA is an
    /// intermediate ([`TestCert::with_intermediate`]).
    ///
    /// # Panics
    /// Never with rcgen's defaults.
    pub fn issue(&self, params: CertificateParams) -> TestCert {
        let key = KeyPair::generate().expect("a key");
        let certificate = params.signed_by(&key, &self.issuer).expect("a certificate");
        TestCert {
            chain: vec![certificate.der().clone()],
            chain_pem: certificate.pem(),
            key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A certificate chain (leaf first) and its private key.
#[derive(Debug)]
pub struct TestCert {
    chain: Vec<CertificateDer<'static>>,
    chain_pem: String,
    key: PrivateKeyDer<'static>,
    key_pem: String,
}

impl TestCert {
    /// The chain with `intermediate`'s certificate appended: what a client
    /// whose certificate was issued by an intermediate CA sends.
    #[must_use]
    pub fn with_intermediate(mut self, intermediate: &TestCa) -> Self {
        self.chain.push(intermediate.der().clone());
        self.chain_pem.push_str(intermediate.pem());
        self
    }

    /// The chain as PEM, leaf first.
    pub fn cert_pem(&self) -> &str {
        &self.chain_pem
    }

    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The chain, leaf first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }
}

/// Every certificate an mTLS test needs, generated at run time.
#[derive(Debug)]
pub struct Pki {
    /// The CA of the server certificate (the client trusts it).
    pub server_ca: TestCa,
    /// The server's certificate for [`SERVER_NAME`] and `127.0.0.1`.
    pub server: TestCert,
    /// Meta's own CA (since 2026), trusted by [`Pki::server_config`].
    pub meta_ca: TestCa,
    /// The old CA (DigiCert-like: a root and an intermediate that issues the
    /// client certificate).
    pub old_meta_ca: TestCa,
    /// The old CA's intermediate.
    pub old_meta_intermediate: TestCa,
    /// A CA nobody trusts.
    pub unknown_ca: TestCa,
    /// CN [`META_CLIENT_CN`], issued by [`meta_ca`](Self::meta_ca).
    pub meta_client: TestCert,
    /// CN [`META_CLIENT_CN`], issued by the old CA's intermediate (the
    /// chain includes it).
    pub old_meta_client: TestCert,
    /// CN `client.webhooks.example.com`, issued by [`meta_ca`](Self::meta_ca).
    pub wrong_name: TestCert,
    /// CN [`META_CLIENT_CN`], issued by [`unknown_ca`](Self::unknown_ca).
    pub unknown_issuer: TestCert,
    /// CN [`META_CLIENT_CN`], issued by [`meta_ca`](Self::meta_ca), expired
    /// since 2020.
    pub expired: TestCert,
}

/// A client the server must refuse, and the alert it must send.
#[derive(Debug, Clone, Copy)]
pub struct Refusal<'a> {
    /// What is wrong, for messages.
    pub name: &'static str,
    /// The certificate presented; `None` presents none.
    pub identity: Option<&'a TestCert>,
    /// The alert the handshake ends with (TLS 1.2 and 1.3 alike).
    pub alert: AlertDescription,
}

impl Pki {
    /// Generates every CA and certificate.
    pub fn generate() -> Self {
        let server_ca = TestCa::new("instagram-webhook test server CA");
        let meta_ca = TestCa::new("Meta Outbound API CA (test)");
        let old_meta_ca = TestCa::new("DigiCert-like Global Root (test)");
        let old_meta_intermediate = old_meta_ca.intermediate("DigiCert-like TLS CA (test)");
        let unknown_ca = TestCa::new("Unknown CA (test)");
        Self {
            server: server_ca.server_cert(),
            meta_client: meta_ca.client_cert(META_CLIENT_CN),
            old_meta_client: old_meta_intermediate
                .client_cert(META_CLIENT_CN)
                .with_intermediate(&old_meta_intermediate),
            wrong_name: meta_ca.client_cert("client.webhooks.example.com"),
            unknown_issuer: unknown_ca.client_cert(META_CLIENT_CN),
            expired: meta_ca.expired_client_cert(META_CLIENT_CN),
            server_ca,
            meta_ca,
            old_meta_ca,
            old_meta_intermediate,
            unknown_ca,
        }
    }

    /// The client check trusting [`meta_ca`](Self::meta_ca) only.
    ///
    /// # Panics
    /// Never: the CA is valid.
    pub fn client_auth(&self) -> MetaClientAuth {
        MetaClientAuth::from_ca_pem(self.meta_ca.pem().as_bytes()).expect("the Meta CA")
    }

    /// The server configuration the crate builds from the server
    /// certificate and [`client_auth`](Self::client_auth).
    pub fn server_config(&self) -> Arc<ServerConfig> {
        self.server_config_with(self.client_auth())
    }

    /// The server configuration the crate builds from the server
    /// certificate and `client_auth`.
    ///
    /// # Panics
    /// When the crate refuses the configuration.
    pub fn server_config_with(&self, client_auth: MetaClientAuth) -> Arc<ServerConfig> {
        TlsConfig::builder()
            .server_cert_pem(
                self.server.cert_pem().as_bytes(),
                self.server.key_pem().as_bytes(),
            )
            .expect("the server certificate")
            .client_auth(client_auth)
            .build()
            .expect("a server configuration")
    }

    /// A client configuration (TLS 1.2 or 1.3, ALPN `http/1.1`) trusting
    /// the server CA and presenting `identity`, or no certificate for
    /// `None`.
    pub fn client(&self, identity: Option<&TestCert>) -> Arc<ClientConfig> {
        self.client_with_versions(identity, rustls::DEFAULT_VERSIONS)
    }

    /// [`client`](Self::client) limited to `versions`
    /// (`&[&rustls::version::TLS12]`, say).
    ///
    /// # Panics
    /// When rustls refuses the configuration.
    pub fn client_with_versions(
        &self,
        identity: Option<&TestCert>,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.server_ca.der().clone())
            .expect("the server CA");
        let builder = ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_protocol_versions(versions)
        .expect("protocol versions")
        .with_root_certificates(roots);
        let mut config = match identity {
            Some(identity) => builder
                .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
                .expect("a client certificate"),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }

    /// The four clients the server must refuse, with their alerts:
    /// no certificate (`certificate_required`), unknown CA (`unknown_ca`),
    /// expired (`certificate_expired`), wrong CN (`access_denied`).
    pub fn refusals(&self) -> Vec<Refusal<'_>> {
        vec![
            Refusal {
                name: "no client certificate",
                identity: None,
                alert: AlertDescription::CertificateRequired,
            },
            Refusal {
                name: "a client certificate from an unknown CA",
                identity: Some(&self.unknown_issuer),
                alert: AlertDescription::UnknownCA,
            },
            Refusal {
                name: "an expired client certificate",
                identity: Some(&self.expired),
                alert: AlertDescription::CertificateExpired,
            },
            Refusal {
                name: "a client certificate with another CN",
                identity: Some(&self.wrong_name),
                alert: AlertDescription::AccessDenied,
            },
        ]
    }
}

/// A TLS connection to `address` with `client`, its handshake done (for
/// TLS 1.3 the client's part of it: the server checks the client
/// certificate after that).
///
/// # Errors
/// The TCP or TLS error; [`alert_of`] tells which alert ended it.
///
/// # Panics
/// Never: [`SERVER_NAME`] is a valid name.
pub async fn connect(
    address: SocketAddr,
    client: Arc<ClientConfig>,
) -> io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(address).await?;
    let name = ServerName::try_from(SERVER_NAME).expect("a valid name");
    TlsConnector::from(client).connect(name, tcp).await
}

/// The alert the peer sent that ended a connection, if `error` is one.
pub fn alert_of(error: &io::Error) -> Option<AlertDescription> {
    match error.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(alert) => Some(*alert),
        _ => None,
    }
}

/// How a connection the server should refuse ended.
#[derive(Debug)]
pub enum Refused {
    /// With this alert, as it should.
    Alert(AlertDescription),
    /// With another error (no alert).
    Error(io::Error),
    /// The server accepted the connection: it sent data or waited for a
    /// request.
    Accepted,
}

/// Connects with `client` and reads, without sending anything (so the
/// server has no unread data when it closes and its alert is never lost to
/// a reset): how the server ended the connection.
///
/// With TLS 1.2 the alert ends the handshake itself; with TLS 1.3 the
/// client's handshake completes and the server's alert is the first thing
/// it reads. A server that accepts sends nothing and waits for a request:
/// after 10 s of silence (a guard against a hanging test, not a timing
/// check) the answer is [`Refused::Accepted`].
pub async fn refusal(address: SocketAddr, client: Arc<ClientConfig>) -> Refused {
    let outcome = async {
        let mut stream = connect(address, client).await?;
        let mut byte = [0_u8; 1];
        stream.read(&mut byte).await
    };
    match tokio::time::timeout(Duration::from_secs(10), outcome).await {
        Err(_) | Ok(Ok(1..)) => Refused::Accepted,
        Ok(Ok(0)) => Refused::Error(io::ErrorKind::UnexpectedEof.into()),
        Ok(Err(error)) => match alert_of(&error) {
            Some(alert) => Refused::Alert(alert),
            None => Refused::Error(error),
        },
    }
}

/// Sends `request` over a new TLS connection with `client` (HTTP/1.1 with
/// hyper) and reads the whole answer.
///
/// # Errors
/// The TCP, TLS or HTTP error; [`alert_of`] tells a TLS alert.
pub async fn send(
    address: SocketAddr,
    client: Arc<ClientConfig>,
    request: hyper::Request<Bytes>,
) -> io::Result<hyper::Response<Bytes>> {
    let stream = connect(address, client).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(http_error)?;
    let driver = tokio::spawn(connection);
    let response = sender
        .send_request(request.map(Full::new))
        .await
        .map_err(http_error)?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(http_error)?.to_bytes();
    drop(sender);
    let _ = driver.await;
    Ok(hyper::Response::from_parts(parts, body))
}

/// An HTTP error as an I/O error, keeping a TLS error underneath reachable
/// by [`alert_of`].
fn http_error(error: hyper::Error) -> io::Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<io::Error>()
            && let Some(alert) = alert_of(io)
        {
            return io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::AlertReceived(alert),
            );
        }
        source = current.source();
    }
    io::Error::other(error)
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn leaf_params(common_name: &str, usage: ExtendedKeyUsagePurpose) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    params
}
