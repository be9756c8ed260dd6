//! `sign` and `verify`: the signature by hand.

use std::io::Read;
use std::process::ExitCode;

use instagram_webhook_core::test_kit;

use crate::cli::{SignArgs, VerifyArgs};
use crate::error::{Error, Result};
use crate::secrets;

/// The bytes of `FILE`, or of stdin for `-`.
pub(crate) fn read_input(input: &str) -> Result<Vec<u8>> {
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|error| Error::new(format!("cannot read stdin: {error}")))?;
        return Ok(bytes);
    }
    std::fs::read(input).map_err(|error| Error::new(format!("cannot read `{input}`: {error}")))
}

pub(crate) fn sign(args: &SignArgs) -> Result<ExitCode> {
    let secret = secrets::signing_secret(args.secret.secret.as_deref())?;
    let body = read_input(&args.input)?;
    println!("{}", test_kit::sign(&secret, &body));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let verifier = secrets::verifier(args.secret.secret.as_deref())?;
    let body = read_input(&args.input)?;
    match verifier.verify([args.signature.as_bytes()], &body) {
        Ok(verified) => {
            println!(
                "valid: the body matches App Secret #{}",
                verified.secret_index()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("invalid: {error}");
            Ok(ExitCode::from(1))
        }
    }
}
