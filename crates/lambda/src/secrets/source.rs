//! Where the secrets come from: the environment, or the extension.

use instagram_webhook_core::{Verifier, VerifyToken};
use zeroize::Zeroizing;

use super::Secrets;
use super::error::SecretsError;
use super::extension::ExtensionSource;

/// The variable [`EnvSource`] reads the App Secret(s) from by default,
/// comma-separated during a rotation.
pub const APP_SECRET_VARIABLE: &str = "INSTAGRAM_APP_SECRET";
/// The variable [`EnvSource`] reads the verify token from by default.
pub const VERIFY_TOKEN_VARIABLE: &str = "INSTAGRAM_VERIFY_TOKEN";

/// Where a [`SecretsReceiver`](super::SecretsReceiver) reads its secrets
/// from, on the first invocation and again after each TTL.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SecretSource {
    /// Environment variables (the function's configuration).
    Env(EnvSource),
    /// SSM Parameter Store through the AWS Parameters and Secrets Lambda
    /// Extension.
    Extension(Box<ExtensionSource>),
}

impl SecretSource {
    /// Reads the secrets now.
    ///
    /// # Errors
    /// Why they could not be read; see [`SecretsError`].
    pub async fn fetch(&self) -> Result<Secrets, SecretsError> {
        match self {
            Self::Env(source) => source.fetch(),
            Self::Extension(source) => source.fetch().await,
        }
    }
}

impl Default for SecretSource {
    /// [`EnvSource::new`].
    fn default() -> Self {
        Self::Env(EnvSource::new())
    }
}

impl From<EnvSource> for SecretSource {
    fn from(source: EnvSource) -> Self {
        Self::Env(source)
    }
}

impl From<ExtensionSource> for SecretSource {
    fn from(source: ExtensionSource) -> Self {
        Self::Extension(Box::new(source))
    }
}

/// Secrets from environment variables: `INSTAGRAM_APP_SECRET` (several
/// App Secrets comma-separated during a rotation) and
/// `INSTAGRAM_VERIFY_TOKEN`, or the variables named.
///
/// ```
/// use instagram_webhook_lambda::{EnvSource, SecretsError};
///
/// let source = EnvSource::new()
///     .app_secret_variable("MY_APP_SECRET_THAT_IS_NOT_SET")
///     .verify_token_variable("MY_VERIFY_TOKEN");
/// assert_eq!(
///     source.fetch().unwrap_err(),
///     SecretsError::MissingVariable("MY_APP_SECRET_THAT_IS_NOT_SET".into())
/// );
/// ```
#[derive(Debug, Clone)]
pub struct EnvSource {
    app_secret_variable: String,
    verify_token_variable: String,
}

impl Default for EnvSource {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvSource {
    /// Reads [`APP_SECRET_VARIABLE`] and [`VERIFY_TOKEN_VARIABLE`].
    pub fn new() -> Self {
        Self {
            app_secret_variable: APP_SECRET_VARIABLE.to_owned(),
            verify_token_variable: VERIFY_TOKEN_VARIABLE.to_owned(),
        }
    }

    /// Reads the App Secret(s) from the variable `name` instead.
    #[must_use]
    pub fn app_secret_variable(mut self, name: impl Into<String>) -> Self {
        self.app_secret_variable = name.into();
        self
    }

    /// Reads the verify token from the variable `name` instead.
    #[must_use]
    pub fn verify_token_variable(mut self, name: impl Into<String>) -> Self {
        self.verify_token_variable = name.into();
        self
    }

    /// Reads both variables now.
    ///
    /// # Errors
    /// [`SecretsError::MissingVariable`] when one is not set or empty,
    /// [`SecretsError::InvalidVariable`] when one is not Unicode,
    /// [`SecretsError::Secret`] when the App Secret list holds no secret.
    pub fn fetch(&self) -> Result<Secrets, SecretsError> {
        let secrets = variable(&self.app_secret_variable)?;
        let token = variable(&self.verify_token_variable)?;
        let origin = |name: &str| format!("environment variable {name}");
        let verifier =
            Verifier::from_comma_separated(&secrets).map_err(|error| SecretsError::Secret {
                origin: origin(&self.app_secret_variable),
                error,
            })?;
        let verify_token =
            VerifyToken::new(String::clone(&token)).map_err(|error| SecretsError::Secret {
                origin: origin(&self.verify_token_variable),
                error,
            })?;
        Ok(Secrets::new(verifier, verify_token))
    }
}

/// The value of the environment variable `name`, set and not empty.
pub(crate) fn variable(name: &str) -> Result<Zeroizing<String>, SecretsError> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(Zeroizing::new(value)),
        Ok(_) | Err(std::env::VarError::NotPresent) => {
            Err(SecretsError::MissingVariable(name.to_owned()))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(SecretsError::InvalidVariable(name.to_owned()))
        }
    }
}
