//! The one date format of the table and the API: `YYYY-MM-DDTHH:MM:SS`, UTC, no zone and
//! no fraction (`DateCreated`, `DateRevoked`; docs/api.md, "Storage"). The function and
//! the bootstrap tool both write dates through [`format()`]; [`parse`] reads them back.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// `[year]-[month]-[day]T[hour]:[minute]:[second]`.
pub const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");

/// The clock could not be written in [`FORMAT`] (a year outside 0000 to 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("clock formatting failed")]
pub struct FormatError;

/// `now` in UTC as `YYYY-MM-DDTHH:MM:SS` (its fraction of a second dropped).
///
/// # Errors
/// [`FormatError`] for a year the format cannot hold.
pub fn format(now: OffsetDateTime) -> Result<String, FormatError> {
    now.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .map_err(|_| FormatError)
}

/// Reads a stored date; `None` if `text` is not exactly in [`FORMAT`].
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(text, FORMAT)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Milliseconds since the Unix epoch (0 before it): the time part of a new `TokenId`.
pub fn unix_ms(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse_round_trip_without_the_fraction() {
        let now = time::macros::datetime!(2026-04-18 12:00:00.987 UTC);
        assert_eq!(format(now).unwrap(), "2026-04-18T12:00:00");
        assert_eq!(
            parse("2026-04-18T12:00:00"),
            Some(time::macros::datetime!(2026-04-18 12:00:00 UTC))
        );
        assert_eq!(unix_ms(now), 1_776_513_600_987);
        let east = time::macros::datetime!(2026-04-18 14:00:00 +2);
        assert_eq!(format(east).unwrap(), "2026-04-18T12:00:00");
        for bad in [
            "",
            "2026-04-18",
            "2026-04-18T12:00:00Z",
            "2026-04-18 12:00:00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
