//! Why the secrets could not be read.

use std::time::Duration;

use instagram_webhook_core::SecretError;

/// Why the App Secret(s) or the verify token could not be read.
///
/// Every message names the environment variable or the SSM parameter and
/// what went wrong, never a secret value, and never the body of an error
/// answer from the extension (which could echo one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// An environment variable the source needs is not set (or empty):
    /// `INSTAGRAM_APP_SECRET`, `INSTAGRAM_VERIFY_TOKEN`, or
    /// `AWS_SESSION_TOKEN` (set by Lambda in every function) for the
    /// extension.
    #[error("environment variable {0} is not set")]
    MissingVariable(String),
    /// An environment variable is set but cannot be used: not Unicode, a
    /// `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` that is not a port number,
    /// or an `AWS_SESSION_TOKEN` that cannot be sent as a header.
    #[error("environment variable {0} is not valid")]
    InvalidVariable(String),
    /// Nothing answered on the extension's port, or the connection broke
    /// before an answer: the Parameters and Secrets Lambda Extension layer
    /// is not added to the function, or listens on another port.
    #[error(
        "parameter {parameter}: the AWS Parameters and Secrets Lambda Extension is not reachable on 127.0.0.1:{port} (is its layer added to the function?)"
    )]
    Unreachable {
        /// The parameter being read.
        parameter: String,
        /// The port tried.
        port: u16,
    },
    /// The parameter does not exist (404, or `ParameterNotFound` from SSM).
    #[error("parameter {parameter}: not found")]
    NotFound {
        /// The parameter being read.
        parameter: String,
    },
    /// The function's role may not read or decrypt the parameter (403, or
    /// `AccessDenied` from SSM): it needs `ssm:GetParameter` on the
    /// parameter and `kms:Decrypt` on its key.
    #[error(
        "parameter {parameter}: access denied (the role needs ssm:GetParameter and kms:Decrypt)"
    )]
    AccessDenied {
        /// The parameter being read.
        parameter: String,
    },
    /// Any other answer than 2xx: 500 when SSM failed, 400 when the extension
    /// is not ready to serve traffic (it does not answer during the init
    /// phase) or refused the request.
    #[error("parameter {parameter}: the extension answered HTTP {status}")]
    Status {
        /// The parameter being read.
        parameter: String,
        /// The HTTP status of the answer.
        status: u16,
    },
    /// The extension did not answer in time.
    #[error("parameter {parameter}: no answer from the extension within {after:?}")]
    Timeout {
        /// The parameter being read.
        parameter: String,
        /// The configured timeout.
        after: Duration,
    },
    /// A 2xx answer that is not a `GetParameter` answer with a string
    /// `Parameter.Value`.
    #[error("parameter {parameter}: invalid answer from the extension ({reason})")]
    InvalidAnswer {
        /// The parameter being read.
        parameter: String,
        /// What is wrong with it, as a fixed phrase.
        reason: &'static str,
    },
    /// The value was read but is not a usable secret (empty, or a list of
    /// App Secrets with none in it).
    #[error("{origin}: {error}")]
    Secret {
        /// Where the value came from: `parameter NAME` or
        /// `environment variable NAME`.
        origin: String,
        /// Why the value was refused.
        #[source]
        error: SecretError,
    },
}
