//! PEM input: files, certificates and private keys.

use std::path::Path;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::TlsError;

/// What the CA bundle is called in messages.
pub(crate) const CA_BUNDLE: &str = "client CA bundle";
/// What the server chain is called in messages.
pub(crate) const SERVER_CHAIN: &str = "server certificate chain";
/// What the server key is called in messages.
pub(crate) const SERVER_KEY: &str = "server private key";

/// The bytes of `path`, or an error naming it.
pub(crate) fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}

/// Every `CERTIFICATE` section of `pem`, in order; at least one.
pub(crate) fn certificates(
    pem: &[u8],
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| bad_pem(what, &error))?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificates { what });
    }
    Ok(certificates)
}

/// The first private key of `pem`.
pub(crate) fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|error| match error {
        pem::Error::NoItemsFound => TlsError::NoPrivateKey,
        other => bad_pem(SERVER_KEY, &other),
    })
}

fn bad_pem(what: &'static str, error: &pem::Error) -> TlsError {
    TlsError::BadPem {
        what,
        // The error can quote a line of the input: never for a key.
        reason: match error {
            pem::Error::IllegalSectionStart { .. } => "a malformed -----BEGIN line".to_owned(),
            pem::Error::MissingSectionEnd { .. } => {
                "a section without its -----END line".to_owned()
            }
            other => other.to_string(),
        },
    }
}
