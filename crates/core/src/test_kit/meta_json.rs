//! A `serde_json` formatter that escapes strings the way Meta does.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// A [`serde_json::ser::Formatter`] writing compact JSON with Meta's escaping:
/// every non-ASCII character as a lowercase `\uXXXX` escape (characters
/// beyond the Basic Multilingual Plane as a surrogate pair) and `/` as `\/`.
///
/// Use it with [`serde_json::Serializer::with_formatter`], or call
/// [`to_meta_json`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MetaFormatter;

impl Formatter for MetaFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let mut plain_start = 0;
        for (index, ch) in fragment.char_indices() {
            if ch.is_ascii() && ch != '/' {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[plain_start..index])?;
            plain_start = index + ch.len_utf8();
            if ch == '/' {
                writer.write_all(b"\\/")?;
            } else {
                let mut units = [0_u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        writer.write_all(&fragment.as_bytes()[plain_start..])
    }
}

/// A value could not be written as JSON (for example a map with non-string keys).
#[derive(Debug, thiserror::Error)]
#[error("value cannot be serialized as JSON: {0}")]
pub struct SerializeError(String);

/// Serializes `value` as compact JSON escaped like Meta's deliveries, so the
/// bytes (and therefore their signature) match what Meta would send.
///
/// # Errors
/// [`SerializeError`] when `value`'s `Serialize` implementation fails.
pub fn to_meta_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, SerializeError> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, MetaFormatter);
    value
        .serialize(&mut serializer)
        .map_err(|error| SerializeError(error.to_string()))?;
    Ok(out)
}
