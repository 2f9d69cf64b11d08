//! Dates and instants as Consentry accepts them: strictly, in a sane range, and without
//! any arithmetic that can panic.
//!
//! chrono's `%Y` reads `26-01-01` as the year 26 and `+262142-01-01` as a year far in
//! the future; a registry row `teen,US,10-06-15,active` would make a child an adult
//! born in the year 10. So a date is exactly `YYYY-MM-DD` (ten characters, a four-digit
//! year), and each kind of date has its range:
//! - term dates (deal terms, content windows, the policy's opt-out date) and instants
//!   (cut-offs, ledger events) lie in [`FIRST_YEAR`]`..=`[`LAST_YEAR`];
//! - birth dates lie between 1900-01-01 and today.
//!
//! Everything else here uses checked operations and reports an out-of-range result as
//! an error instead of panicking.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::error::FieldError;
use crate::model::text::printable;

/// The first year of a term date or an instant.
pub const FIRST_YEAR: i32 = 1970;
/// The last year of a term date or an instant.
pub const LAST_YEAR: i32 = 2199;
/// The earliest birth year accepted.
pub const FIRST_BIRTH_YEAR: i32 = 1900;

/// Exactly `YYYY-MM-DD`: four-digit year, two-digit month and day, a real calendar day.
/// Surrounding blanks are ignored. No range check beyond the four digits.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    // A string that begins and ends with a digit trims to itself: the common case (the
    // reports parse hundreds of thousands of stored dates) skips the trimming.
    let b = text.as_bytes();
    let digits_at_ends =
        b.first().is_some_and(u8::is_ascii_digit) && b.last().is_some_and(u8::is_ascii_digit);
    let text = if digits_at_ends { text } else { text.trim() };
    if text.is_empty() {
        return Err(FieldError::new(field, "a date is required (YYYY-MM-DD)"));
    }
    let bad = || {
        FieldError::new(
            field,
            format!(
                "'{}' is not a date: write YYYY-MM-DD with a four-digit year, e.g. 2026-01-31",
                printable(text)
            ),
        )
    };
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if !shape {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        b[range]
            .iter()
            .fold(0, |n, &d| n * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10)).ok_or_else(bad)
}

/// A date as the ASCII bytes `YYYY-MM-DD`, as chrono writes it, for the years
/// 0..=9999 (`None` beyond, where chrono writes a sign): for writers of many dates.
pub fn date_bytes(date: NaiveDate) -> Option<[u8; 10]> {
    let Ok(year @ 0..=9999) = u32::try_from(date.year()) else {
        return None;
    };
    let (month, day) = (date.month(), date.day());
    let digit = |n: u32| b'0' + (n % 10) as u8;
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Writes a date as `YYYY-MM-DD`: the bytes chrono's `Serialize` writes, without its
/// formatting machinery (reports write tens of thousands of dates). For
/// `#[serde(serialize_with = ...)]`.
pub fn serialize_date<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    match date_bytes(*date) {
        Some(text) => s.serialize_str(std::str::from_utf8(&text).expect("ASCII digits")),
        None => serde::Serialize::serialize(date, s),
    }
}

/// A date of a term: a deal's start or end, a content window's bounds, the day an
/// opt-out setting reached users. [`parse_date`], in `FIRST_YEAR..=LAST_YEAR`.
pub fn parse_term_date(field: &str, text: &str) -> Result<NaiveDate, FieldError> {
    let date = parse_date(field, text)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return Err(FieldError::new(
            field,
            format!(
                "{date} is out of range: dates must lie in the years {FIRST_YEAR} to {LAST_YEAR}"
            ),
        ));
    }
    Ok(date)
}

/// A birth date: [`parse_date`], not before 1900-01-01 and not after `today`.
pub fn parse_birth_date(
    field: &str,
    text: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    let date = parse_date(field, text)?;
    if date.year() < FIRST_BIRTH_YEAR {
        return Err(FieldError::new(
            field,
            format!("{date} is before {FIRST_BIRTH_YEAR}: check the year"),
        ));
    }
    if date > today {
        return Err(FieldError::new(
            field,
            format!("{date} is in the future: check the year"),
        ));
    }
    Ok(date)
}

/// An RFC 3339 instant (`2026-06-01T00:00:00Z`, any offset), in `FIRST_YEAR..=LAST_YEAR`
/// once converted to UTC.
pub fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>, FieldError> {
    let trimmed = text.trim();
    let t = DateTime::parse_from_rfc3339(trimmed)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            FieldError::new(
                field,
                format!(
                    "'{}' is not an RFC 3339 instant: write e.g. 2026-06-01T00:00:00Z",
                    printable(trimmed)
                ),
            )
        })?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&t.year()) {
        return Err(FieldError::new(
            field,
            format!(
                "{} is out of range: instants must lie in the years {FIRST_YEAR} to {LAST_YEAR}",
                printable(trimmed)
            ),
        ));
    }
    Ok(t)
}

/// Microseconds since the Unix epoch at 00:00 UTC of `date`.
pub fn start_of_day_micros(date: NaiveDate) -> i64 {
    date.and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp_micros()
}

/// The last microsecond of `date` (UTC); `None` only for the last day chrono knows.
pub fn end_of_day_micros(date: NaiveDate) -> Option<i64> {
    Some(start_of_day_micros(date.succ_opt()?) - 1)
}

/// `date` plus `days`; `None` when that leaves chrono's range.
pub fn add_days(date: NaiveDate, days: u32) -> Option<NaiveDate> {
    date.checked_add_days(chrono::Days::new(u64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date("d", s).unwrap()
    }

    #[test]
    fn dates_serialize_as_chrono_writes_them() {
        #[derive(serde::Serialize)]
        struct Fast(#[serde(serialize_with = "serialize_date")] NaiveDate);
        for (y, m, d) in [
            (2024, 2, 29),
            (1970, 1, 1),
            (2199, 12, 31),
            (0, 1, 1),
            (9, 10, 5),
            (999, 7, 14),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 3, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                serde_json::to_string(&Fast(date)).unwrap(),
                serde_json::to_string(&date).unwrap()
            );
        }
    }

    #[test]
    fn a_date_has_exactly_four_year_digits() {
        assert_eq!(
            date("2026-01-31"),
            NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()
        );
        assert_eq!(date(" 2026-01-31 "), date("2026-01-31"));
        for bad in [
            "26-01-01",
            "10-06-15",
            "+262142-01-01",
            "-2026-01-01",
            "02026-01-01",
            "2026-1-01",
            "2026-01-1",
            "2026/01/01",
            "2026-02-30",
            "2026-13-01",
            "2026-01-01T00:00:00Z",
            "",
            "２０２６-01-01",
        ] {
            let e = parse_date("start_date", bad).unwrap_err();
            assert_eq!(e.field, "start_date", "{bad}");
        }
    }

    #[test]
    fn term_dates_and_instants_lie_in_a_sane_range() {
        assert!(parse_term_date("d", "1970-01-01").is_ok());
        assert!(parse_term_date("d", "2199-12-31").is_ok());
        assert!(parse_term_date("d", "1969-12-31").is_err());
        assert!(parse_term_date("d", "2200-01-01").is_err());
        assert!(parse_term_date("d", "0001-01-01").is_err());
        assert!(parse_instant("t", "2026-06-01T00:00:00Z").is_ok());
        assert!(parse_instant("t", "2026-06-01T02:00:00+02:00").is_ok());
        assert!(parse_instant("t", "9999-12-31T23:59:59Z").is_err());
        assert!(parse_instant("t", "0026-06-01T00:00:00Z").is_err());
        assert!(parse_instant("t", "+262142-06-01T00:00:00Z").is_err());
        assert!(parse_instant("t", "26-06-01T00:00:00Z").is_err());
    }

    #[test]
    fn birth_dates_are_neither_before_1900_nor_in_the_future() {
        let today = date("2026-11-30");
        assert!(parse_birth_date("b", "1900-01-01", today).is_ok());
        assert!(parse_birth_date("b", "2026-11-30", today).is_ok());
        assert!(parse_birth_date("b", "1899-12-31", today).is_err());
        assert!(parse_birth_date("b", "2026-12-01", today).is_err());
        assert!(parse_birth_date("b", "0010-06-15", today).is_err());
    }

    #[test]
    fn day_bounds_never_panic() {
        assert_eq!(end_of_day_micros(NaiveDate::MAX), None);
        assert_eq!(add_days(NaiveDate::MAX, 1), None);
        assert_eq!(
            end_of_day_micros(date("1970-01-01")),
            Some(86_400_000_000 - 1)
        );
    }
}
