//! The times Partnerly accepts from clients, and their conversion to UTC.
//!
//! RFC 3339 lets a client send any year from 0000 to 9999 with any offset, and the
//! `time` crate reads them all. Converting `9999-12-31T23:59:59-01:00` to UTC leaves the
//! representable range (a panic in `to_offset`), and adding a hold period of days to a
//! time near the end does the same. So every time that arrives from outside is checked
//! once, here, against one documented range, and converted with checked arithmetic:
//! past this point any time plus a year (the longest hold period) is representable.

use time::macros::datetime;
use time::{OffsetDateTime, UtcOffset};

/// The earliest time accepted: 1970-01-01T00:00:00Z.
pub const EARLIEST: OffsetDateTime = datetime!(1970-01-01 0:00 UTC);
/// The first time past the accepted range: 9999-01-01T00:00:00Z. Every accepted time
/// plus 365 days (the longest hold period) still fits the calendar.
pub const END: OffsetDateTime = datetime!(9999-01-01 0:00 UTC);

/// The longest RFC 3339 time Partnerly documents: nanoseconds and an offset
/// (`2026-11-01T10:00:00.123456789+05:30` is 35 characters), with room to spare.
pub const MAX_TIME_LEN: usize = 40;

/// The message for a time outside the accepted range.
pub const OUT_OF_RANGE: &str =
    "Use a time from 1970-01-01T00:00:00Z up to (not including) 9999-01-01T00:00:00Z.";

/// Why a time was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("{OUT_OF_RANGE}")]
    OutOfRange,
}

/// `t` in UTC, when it lies in the accepted range.
pub fn accepted(t: OffsetDateTime) -> Result<OffsetDateTime, TimeError> {
    let utc = t
        .checked_to_offset(UtcOffset::UTC)
        .ok_or(TimeError::OutOfRange)?;
    if (EARLIEST..END).contains(&utc) {
        Ok(utc)
    } else {
        Err(TimeError::OutOfRange)
    }
}

/// `t` in UTC, clamped to the accepted range: a total conversion for code that stores
/// a time already checked by [`accepted`] (and so never clamps in practice).
pub fn clamped_utc(t: OffsetDateTime) -> OffsetDateTime {
    match t.checked_to_offset(UtcOffset::UTC) {
        Some(utc) => utc.clamp(EARLIEST, END),
        // Out of the calendar: past its start or its end.
        None if t.year() < 5000 => EARLIEST,
        None => END,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_at_the_edges_of_the_calendar_are_refused_not_panicked_on() {
        assert!(accepted(datetime!(9999-12-31 23:59:59 -1)).is_err());
        assert!(accepted(datetime!(0000-01-01 0:00 +1)).is_err());
        assert!(accepted(datetime!(1969-12-31 23:59:59 UTC)).is_err());
        assert!(accepted(datetime!(9999-01-01 0:00 UTC)).is_err());
        assert_eq!(
            accepted(datetime!(2026-11-01 12:00 +2)),
            Ok(datetime!(2026-11-01 10:00 UTC))
        );
        assert_eq!(
            accepted(datetime!(9998-12-31 23:59:59 UTC)),
            Ok(datetime!(9998-12-31 23:59:59 UTC))
        );
    }

    #[test]
    fn clamping_is_total() {
        assert_eq!(clamped_utc(datetime!(9999-12-31 23:59:59 -1)), END);
        assert_eq!(clamped_utc(datetime!(0000-01-01 0:00 +1)), EARLIEST);
        // Out of the calendar altogether once in UTC: the side it left decides.
        assert_eq!(clamped_utc(datetime!(-9999-01-01 0:00 +1)), EARLIEST);
        assert_eq!(
            clamped_utc(datetime!(2026-11-01 12:00 +2)),
            datetime!(2026-11-01 10:00 UTC)
        );
    }

    #[test]
    fn the_end_leaves_room_for_the_longest_hold() {
        let last = END - time::Duration::SECOND;
        assert!(last.checked_add(time::Duration::days(365)).is_some());
    }
}
