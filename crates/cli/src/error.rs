//! The one-line errors the binary ends with (exit code 2).

use std::fmt;

/// What went wrong, and what to do, in one line.
#[derive(Debug)]
pub(crate) struct Error(String);

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<instagram_webhook_inbox::Error> for Error {
    fn from(error: instagram_webhook_inbox::Error) -> Self {
        Self(error.to_string())
    }
}

/// The binary's result.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
