//! What can go wrong while building the server configuration.

use std::io;
use std::path::PathBuf;

/// Why a TLS configuration could not be built. Every variant names what was
/// being read (the CA bundle, the server certificate chain, the private
/// key), so the message alone tells the operator which file to fix. No
/// message ever contains key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read the {what} from {}: {source}", path.display())]
    Read {
        /// What the file should hold.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: io::Error,
    },
    /// The PEM text is malformed (a section without its end line, bad
    /// base64, ...).
    #[error("the {what} is not valid PEM: {reason}")]
    BadPem {
        /// What the PEM should hold.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No `CERTIFICATE` section was found.
    #[error("no PEM certificate (-----BEGIN CERTIFICATE-----) in the {what}")]
    NoCertificates {
        /// Where a certificate was expected.
        what: &'static str,
    },
    /// A certificate of the CA bundle is not usable as a trust anchor.
    #[error(
        "certificate #{index} of the client CA bundle is not a usable CA certificate: {reason}"
    )]
    BadCaCertificate {
        /// Its position in the bundle, from 1.
        index: usize,
        /// Why it was refused.
        reason: String,
    },
    /// No private key section (`PRIVATE KEY`, `RSA PRIVATE KEY` or
    /// `EC PRIVATE KEY`) was found.
    #[error("no PEM private key (PKCS#8, PKCS#1 or SEC1) in the server private key")]
    NoPrivateKey,
    /// The private key is not one the crypto provider can use.
    #[error("the server private key is not usable: {reason}")]
    BadPrivateKey {
        /// Why it was refused.
        reason: String,
    },
    /// The private key is not the key of the server certificate (the first
    /// certificate of the chain).
    #[error(
        "the server private key does not match the server certificate (the first of the chain)"
    )]
    KeyMismatch,
    /// The expected client certificate name is empty.
    #[error("the expected client certificate name is empty")]
    EmptyExpectedName,
    /// [`TlsConfigBuilder::build`](crate::TlsConfigBuilder::build) was
    /// called before the server certificate was set.
    #[error("no server certificate and private key were configured")]
    MissingServerCert,
    /// [`TlsConfigBuilder::build`](crate::TlsConfigBuilder::build) was
    /// called before the client certificate check was set.
    #[error("no client CA bundle (client_auth) was configured")]
    MissingClientAuth,
    /// rustls refused the configuration for another reason.
    #[error("rustls refused the configuration: {reason}")]
    Rustls {
        /// rustls' message.
        reason: String,
    },
}

impl TlsError {
    pub(crate) fn rustls(error: impl std::fmt::Display) -> Self {
        Self::Rustls {
            reason: error.to_string(),
        }
    }
}
