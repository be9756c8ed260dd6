//! The App Secret(s), the verify token, the tokens: from flags or the
//! environment, with loud development defaults where the examples have them.

use instagram_webhook_core::{AppSecret, Verifier, VerifyToken};

use crate::error::{Error, Result};

/// The development App Secret, as in the examples.
pub(crate) const DEV_APP_SECRET: &str = "dev-app-secret";
/// The development verify token, as in the examples.
pub(crate) const DEV_VERIFY_TOKEN: &str = "dev-verify-token";

/// The value given, or (when none is) `default` with a loud warning. A
/// blank value is refused: it is a mistake, not a wish for the default.
fn or_dev(value: Option<&str>, name: &str, default: &'static str) -> Result<String> {
    match value {
        Some(value) if value.trim().is_empty() => Err(Error::new(format!(
            "{name} is empty: give a value, or leave it unset for the development default"
        ))),
        Some(value) => Ok(value.to_owned()),
        None => {
            eprintln!(
                "!!! {name} is not set: using the development value {default:?}. Never use it in production."
            );
            Ok(default.to_owned())
        }
    }
}

/// The verifier of every App Secret given (comma-separated), or of the
/// development secret.
pub(crate) fn verifier(secret: Option<&str>) -> Result<Verifier> {
    let list = or_dev(secret, "INSTAGRAM_APP_SECRET (--secret)", DEV_APP_SECRET)?;
    Verifier::from_comma_separated(&list).map_err(|error| {
        Error::new(format!(
            "bad App Secret: {error}; pass --secret or INSTAGRAM_APP_SECRET (comma-separated for a rotation)"
        ))
    })
}

/// The secret that signs: the first of the list, or the development one.
pub(crate) fn signing_secret(secret: Option<&str>) -> Result<AppSecret> {
    let list = or_dev(secret, "INSTAGRAM_APP_SECRET (--secret)", DEV_APP_SECRET)?;
    let first = list.split(',').next().unwrap_or_default().trim();
    AppSecret::new(first).map_err(|error| {
        Error::new(format!(
            "bad App Secret: {error}; pass --secret or INSTAGRAM_APP_SECRET"
        ))
    })
}

/// The handshake's verify token, or the development one.
pub(crate) fn verify_token(token: Option<&str>) -> Result<VerifyToken> {
    let token = or_dev(
        token,
        "INSTAGRAM_VERIFY_TOKEN (--verify-token)",
        DEV_VERIFY_TOKEN,
    )?;
    VerifyToken::new(token).map_err(|error| {
        Error::new(format!(
            "bad verify token: {error}; pass --verify-token or INSTAGRAM_VERIFY_TOKEN"
        ))
    })
}
