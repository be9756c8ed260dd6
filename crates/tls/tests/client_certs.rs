//! Real TLS handshakes over TCP on 127.0.0.1 against the configuration the
//! crate builds, with certificates generated at test time: Meta's client is
//! let in and an HTTP exchange works; no certificate, an unknown CA, an
//! expired certificate and another CN each end the handshake with their
//! alert, before any HTTP. Then the builder's errors.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use instagram_webhook_tls::rustls::{self, AlertDescription, ServerConfig};
use instagram_webhook_tls::testing::{self, Pki, Refused};
use instagram_webhook_tls::{META_CLIENT_CN, MetaClientAuth, TlsConfig, TlsError};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

/// A TLS server on 127.0.0.1 answering every request `200 hello`, and the
/// errors of the handshakes it refused.
struct Server {
    address: SocketAddr,
    refused: mpsc::UnboundedReceiver<rustls::Error>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(config: Arc<ServerConfig>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (errors, refused) = mpsc::unbounded_channel();
        let acceptor = TlsAcceptor::from(config);
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let errors = errors.clone();
                tokio::spawn(async move {
                    match acceptor.accept(tcp).await {
                        Ok(stream) => {
                            let service = service_fn(|request: hyper::Request<_>| async move {
                                let body = format!("hello {}", request.uri().path());
                                Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(
                                    body,
                                ))))
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                        Err(error) => {
                            let error = error
                                .get_ref()
                                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                                .cloned()
                                .unwrap_or_else(|| rustls::Error::General(error.to_string()));
                            let _ = errors.send(error);
                        }
                    }
                });
            }
        });
        Self {
            address,
            refused,
            task,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn get(path: &str) -> hyper::Request<Bytes> {
    hyper::Request::builder()
        .uri(path)
        .header("host", "localhost")
        .body(Bytes::new())
        .unwrap()
}

/// Sends a GET with `client` and returns the status and body.
async fn exchange(
    server: &Server,
    client: Arc<rustls::ClientConfig>,
) -> std::io::Result<(u16, Bytes)> {
    let response = testing::send(server.address, client, get("/webhook")).await?;
    Ok((response.status().as_u16(), response.into_body()))
}

#[tokio::test]
async fn meta_like_client_is_let_in_over_tls13_and_tls12() {
    let pki = Pki::generate();
    let server = Server::start(pki.server_config()).await;
    for versions in [
        &[&rustls::version::TLS13][..],
        &[&rustls::version::TLS12][..],
    ] {
        let client = pki.client_with_versions(Some(&pki.meta_client), versions);
        let (status, body) = exchange(&server, client).await.expect("an HTTP exchange");
        assert_eq!(status, 200);
        assert_eq!(body.as_ref(), b"hello /webhook");
    }
}

#[tokio::test]
async fn the_connection_negotiates_http11() {
    let pki = Pki::generate();
    let server = Server::start(pki.server_config()).await;
    let stream = testing::connect(server.address, pki.client(Some(&pki.meta_client)))
        .await
        .expect("a handshake");
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[tokio::test]
async fn every_refused_client_gets_its_alert_over_tls13() {
    let pki = Pki::generate();
    let mut server = Server::start(pki.server_config()).await;
    for refusal in pki.refusals() {
        let client = pki.client_with_versions(refusal.identity, &[&rustls::version::TLS13]);
        match testing::refusal(server.address, client.clone()).await {
            Refused::Alert(alert) => assert_eq!(alert, refusal.alert, "{}", refusal.name),
            other => panic!(
                "{}: expected the {:?} alert, got {other:?}",
                refusal.name, refusal.alert
            ),
        }
        // The server's side: the handshake failed, with the reason.
        let error = server.refused.recv().await.expect("a refused handshake");
        let expected = match refusal.alert {
            AlertDescription::CertificateRequired => {
                matches!(error, rustls::Error::NoCertificatesPresented)
            }
            AlertDescription::UnknownCA => matches!(
                error,
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
            ),
            AlertDescription::CertificateExpired => matches!(
                error,
                rustls::Error::InvalidCertificate(
                    rustls::CertificateError::Expired
                        | rustls::CertificateError::ExpiredContext { .. }
                )
            ),
            _ => matches!(
                error,
                rustls::Error::InvalidCertificate(
                    rustls::CertificateError::ApplicationVerificationFailure
                )
            ),
        };
        assert!(expected, "{}: the server saw {error:?}", refusal.name);

        // An HTTP request on such a connection gets no answer either: the
        // alert, or a reset when the request reached the server after its
        // last read.
        let error = exchange(&server, client).await.expect_err(refusal.name);
        if let Some(alert) = testing::alert_of(&error) {
            assert_eq!(alert, refusal.alert, "{}", refusal.name);
        }
        server.refused.recv().await.expect("a refused handshake");
    }
}

#[tokio::test]
async fn every_refused_client_gets_the_same_alert_over_tls12() {
    let pki = Pki::generate();
    let server = Server::start(pki.server_config()).await;
    for refusal in pki.refusals() {
        let client = pki.client_with_versions(refusal.identity, &[&rustls::version::TLS12]);
        // TLS 1.2: the alert ends the handshake itself.
        let error = testing::connect(server.address, client)
            .await
            .expect_err(refusal.name);
        let alert = testing::alert_of(&error);
        assert_eq!(alert, Some(refusal.alert), "{}: {error}", refusal.name);
    }
}

#[tokio::test]
async fn a_bundle_with_the_old_and_the_new_ca_lets_either_in() {
    let pki = Pki::generate();
    let bundle = format!("{}\n{}", pki.old_meta_ca.pem(), pki.meta_ca.pem());
    let client_auth = MetaClientAuth::from_ca_pem(bundle.as_bytes()).unwrap();
    assert_eq!(client_auth.ca_count(), 2);
    let server = Server::start(pki.server_config_with(client_auth)).await;
    for identity in [&pki.meta_client, &pki.old_meta_client] {
        let (status, _) = exchange(&server, pki.client(Some(identity))).await.unwrap();
        assert_eq!(status, 200);
    }
    // Still not any CA.
    let refused = testing::refusal(server.address, pki.client(Some(&pki.unknown_issuer))).await;
    assert!(
        matches!(refused, Refused::Alert(AlertDescription::UnknownCA)),
        "{refused:?}"
    );

    // With the new CA alone, the old chain is refused.
    let server = Server::start(pki.server_config()).await;
    let refused = testing::refusal(server.address, pki.client(Some(&pki.old_meta_client))).await;
    assert!(
        matches!(refused, Refused::Alert(AlertDescription::UnknownCA)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_expected_name_is_configurable_and_case_insensitive() {
    let pki = Pki::generate();
    let staging = pki
        .client_auth()
        .expected_name("client.webhooks.example.com");
    let server = Server::start(pki.server_config_with(staging)).await;
    let (status, _) = exchange(&server, pki.client(Some(&pki.wrong_name)))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let refused = testing::refusal(server.address, pki.client(Some(&pki.meta_client))).await;
    assert!(
        matches!(refused, Refused::Alert(AlertDescription::AccessDenied)),
        "{refused:?}"
    );

    let upper = pki
        .client_auth()
        .expected_name(META_CLIENT_CN.to_ascii_uppercase());
    let server = Server::start(pki.server_config_with(upper)).await;
    let (status, _) = exchange(&server, pki.client(Some(&pki.meta_client)))
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_configuration_reads_its_three_files() {
    let pki = Pki::generate();
    let directory = tempfile::tempdir().unwrap();
    let path = |name: &str| directory.path().join(name);
    std::fs::write(path("chain.pem"), pki.server.cert_pem()).unwrap();
    std::fs::write(path("key.pem"), pki.server.key_pem()).unwrap();
    std::fs::write(path("ca.pem"), pki.meta_ca.pem()).unwrap();
    let config = TlsConfig::from_files(path("chain.pem"), path("key.pem"), path("ca.pem")).unwrap();
    let server = Server::start(config).await;
    let (status, _) = exchange(&server, pki.client(Some(&pki.meta_client)))
        .await
        .unwrap();
    assert_eq!(status, 200);

    let missing = TlsConfig::from_files(path("chain.pem"), path("key.pem"), path("nowhere.pem"))
        .expect_err("no such file");
    assert!(matches!(missing, TlsError::Read { .. }), "{missing:?}");
    let message = missing.to_string();
    assert!(
        message.starts_with("cannot read the client CA bundle from "),
        "{message}"
    );
    assert!(message.contains("nowhere.pem"), "{message}");
}

fn server_builder(pki: &Pki) -> instagram_webhook_tls::TlsConfigBuilder {
    TlsConfig::builder()
        .server_cert_pem(
            pki.server.cert_pem().as_bytes(),
            pki.server.key_pem().as_bytes(),
        )
        .unwrap()
}

#[test]
fn bad_ca_bundles_are_refused_with_clear_errors() {
    let error = MetaClientAuth::from_ca_pem(b"").unwrap_err();
    assert_eq!(
        error.to_string(),
        "no PEM certificate (-----BEGIN CERTIFICATE-----) in the client CA bundle"
    );
    let error = MetaClientAuth::from_ca_pem(b"\x00\xffnot pem at all\n").unwrap_err();
    assert!(
        matches!(error, TlsError::NoCertificates { .. }),
        "{error:?}"
    );

    let pki = Pki::generate();
    // A key where the CA should be: no certificate.
    let error = MetaClientAuth::from_ca_pem(pki.server.key_pem().as_bytes()).unwrap_err();
    assert!(
        matches!(error, TlsError::NoCertificates { .. }),
        "{error:?}"
    );

    // A section that never ends.
    let pem = pki.meta_ca.pem();
    let cut = &pem[..pem.find("-----END").unwrap()];
    let error = MetaClientAuth::from_ca_pem(cut.as_bytes()).unwrap_err();
    assert!(matches!(error, TlsError::BadPem { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the client CA bundle is not valid PEM: a section without its -----END line"
    );

    // Valid PEM whose second certificate is not DER.
    let bundle = format!(
        "{}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        pki.meta_ca.pem()
    );
    let error = MetaClientAuth::from_ca_pem(bundle.as_bytes()).unwrap_err();
    assert!(
        matches!(error, TlsError::BadCaCertificate { index: 2, .. }),
        "{error:?}"
    );
}

#[test]
fn bad_server_credentials_are_refused_with_clear_errors() {
    let pki = Pki::generate();
    let chain = pki.server.cert_pem().as_bytes();

    let error = TlsConfig::builder()
        .server_cert_pem(b"", pki.server.key_pem().as_bytes())
        .unwrap_err();
    assert!(
        matches!(
            error,
            TlsError::NoCertificates {
                what: "server certificate chain"
            }
        ),
        "{error:?}"
    );

    let error = TlsConfig::builder()
        .server_cert_pem(chain, b"garbage")
        .unwrap_err();
    assert!(matches!(error, TlsError::NoPrivateKey), "{error:?}");

    // Another certificate's key.
    let error = TlsConfig::builder()
        .server_cert_pem(chain, pki.meta_client.key_pem().as_bytes())
        .unwrap()
        .client_auth(pki.client_auth())
        .build()
        .unwrap_err();
    assert!(matches!(error, TlsError::KeyMismatch), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the server private key does not match the server certificate (the first of the chain)"
    );

    // A key section whose content is no key.
    let error = TlsConfig::builder()
        .server_cert_pem(
            chain,
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap()
        .client_auth(pki.client_auth())
        .build()
        .unwrap_err();
    assert!(matches!(error, TlsError::BadPrivateKey { .. }), "{error:?}");

    let error = TlsConfig::builder()
        .client_auth(pki.client_auth())
        .build()
        .unwrap_err();
    assert!(matches!(error, TlsError::MissingServerCert), "{error:?}");
    let error = server_builder(&pki).build().unwrap_err();
    assert!(matches!(error, TlsError::MissingClientAuth), "{error:?}");
    let error = server_builder(&pki)
        .client_auth(pki.client_auth().expected_name(""))
        .build()
        .unwrap_err();
    assert!(matches!(error, TlsError::EmptyExpectedName), "{error:?}");
}

#[test]
fn alpn_can_be_changed() {
    let pki = Pki::generate();
    let config = server_builder(&pki)
        .client_auth(pki.client_auth())
        .alpn_protocols(["h2", "http/1.1"])
        .build()
        .unwrap();
    assert_eq!(
        config.alpn_protocols,
        [b"h2".to_vec(), b"http/1.1".to_vec()]
    );
}

mod never_panics {
    use base64::Engine;
    use instagram_webhook_tls::MetaClientAuth;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn on_any_bytes_as_a_ca_bundle(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = MetaClientAuth::from_ca_pem(&bytes);
        }

        #[test]
        fn on_any_der_in_a_pem_section(der in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let pem = format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                base64::engine::general_purpose::STANDARD.encode(&der)
            );
            let _ = MetaClientAuth::from_ca_pem(pem.as_bytes());
        }
    }
}
