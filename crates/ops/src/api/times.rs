//! Times in the API: RFC 3339, in UTC with milliseconds when answering,
//! with any offset when asked.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `time` as RFC 3339 in UTC.
pub(crate) fn format(time: SystemTime) -> String {
    OffsetDateTime::from(time)
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

/// An RFC 3339 time (`2026-12-01T09:30:00Z`, `2026-12-01T10:30:00.5+01:00`).
/// Times before 1970 are taken as 1970.
pub(crate) fn parse(text: &str) -> Result<SystemTime, String> {
    let time = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("not an RFC 3339 time ({error}): `{text}`"))?;
    Ok(SystemTime::from(time.max(OffsetDateTime::UNIX_EPOCH)))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn round_trips_with_milliseconds_and_reads_offsets() {
        let time = UNIX_EPOCH + Duration::from_millis(1_780_000_000_123);
        let text = format(time);
        assert!(text.ends_with('Z'), "{text}");
        assert_eq!(parse(&text), Ok(time));
        assert_eq!(
            parse("1970-01-01T01:00:00+01:00"),
            Ok(UNIX_EPOCH),
            "an offset is applied"
        );
        assert_eq!(parse("1969-12-31T00:00:00Z"), Ok(UNIX_EPOCH));
        assert!(parse("yesterday").unwrap_err().contains("RFC 3339"));
    }
}
