//! How the portal writes amounts and dates: one place, so every page (and the browser
//! tests, which mirror [`format_money`] in `e2e/support.ts`) agrees on "$1,234.50".

use partnerly_domain::level::RuleDuration;
use partnerly_domain::money::MoneyView;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// The minus sign (U+2212) in front of negative amounts: it lines up with the plus sign
/// and is read as "minus" by screen readers, unlike a hyphen.
pub const MINUS: char = '\u{2212}';

/// The symbol written before amounts of a currency; other currencies get their code
/// after the number ("1,000 JPY"), which nobody can misread.
fn symbol(code: &str) -> Option<&'static str> {
    match code {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// Inserts a comma between every three digits of a string of digits.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// An amount as people read it, with exactly its currency's decimals:
/// "$1,234.50", "€9.80", "−$5.00", "1,000 JPY", "12.500 KWD".
pub fn format_money(money: &MoneyView) -> String {
    let code = money.currency.code();
    // The server always sends exact amounts; should one not parse, show it as sent
    // rather than a guess.
    let Ok(exact) = money.parse() else {
        return format!("{} {code}", money.amount);
    };
    let decimals = usize::from(exact.currency().exponent());
    // At least one digit before the point: 5 cents are "0.05".
    let digits = format!(
        "{:0>width$}",
        exact.minor().unsigned_abs(),
        width = decimals + 1
    );
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    let mut number = group_thousands(whole);
    if !fraction.is_empty() {
        number.push('.');
        number.push_str(fraction);
    }
    let sign = if exact.minor() < 0 {
        MINUS.to_string()
    } else {
        String::new()
    };
    match symbol(code) {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{number} {code}"),
    }
}

/// The months as [`format_date`] writes them. Dates are written and read by hand here
/// rather than with `time`'s format descriptions, whose formatter and parser cost the
/// portal 44 KB of wasm (17 KB gzipped).
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The short name of a month: "Nov".
pub fn month_name(month: Month) -> &'static str {
    MONTHS[usize::from(u8::from(month)) - 1]
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Date.now()`: the browser's clock, in milliseconds since 1970. (`time`'s own clock
    /// does not exist on `wasm32-unknown-unknown`.)
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
}

/// Today in UTC, by the browser's clock (the API's days are UTC days too).
pub fn today() -> Date {
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (date_now() / 1000.0) as i64;
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_or(Date::MIN, |now| now.to_offset(UtcOffset::UTC).date())
}

/// A day as people read it, in UTC like every time the API sends: "Nov 21, 2026".
pub fn format_date(at: OffsetDateTime) -> String {
    let day = at.to_offset(UtcOffset::UTC);
    let month = month_name(day.month());
    format!("{month} {}, {:04}", day.day(), day.year())
}

/// A moment as staff read it in logs, in UTC: "Nov 21, 2026, 09:05 UTC".
pub fn format_datetime(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{}, {:02}:{:02} UTC",
        format_date(at),
        at.hour(),
        at.minute()
    )
}

/// A moment as the API reads it in a query, RFC 3339 in UTC: "2026-11-01T00:00:00Z"
/// (with the fraction of a second only when there is one).
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if at.nanosecond() != 0 {
        let fraction = format!("{:09}", at.nanosecond());
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Reads `YYYY-MM-DD`, the value of a date input, or `None` when it is not a real day.
pub fn parse_day(raw: &str) -> Option<Date> {
    let number = |part: &str| {
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse::<u16>().ok())
            .flatten()
    };
    let mut parts = raw.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = Month::try_from(u8::try_from(number(month)?).ok()?).ok()?;
    let day = u8::try_from(number(day)?).ok()?;
    Date::from_calendar_date(i32::from(number(year)?), month, day).ok()
}

/// "of payments in each customer's first 12 months".
pub fn duration_words(duration: Option<RuleDuration>) -> String {
    match duration {
        Some(RuleDuration::FirstPayment {}) => "of each customer's first payment".to_owned(),
        Some(RuleDuration::Months { months: 1 }) => {
            "of payments in each customer's first month".to_owned()
        }
        Some(RuleDuration::Months { months }) => {
            format!("of payments in each customer's first {months} months")
        }
        Some(RuleDuration::Lifetime {}) => "of every payment, for life".to_owned(),
        None => "of payments".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use partnerly_domain::money::{Currency, Money};

    use super::*;

    fn money(minor: i64, code: &str) -> MoneyView {
        Money::from_minor(minor, Currency::parse(code).unwrap()).to_view()
    }

    #[test]
    fn amounts_have_their_currencys_decimals_grouped_by_thousands() {
        assert_eq!(format_money(&money(123_450, "USD")), "$1,234.50");
        assert_eq!(format_money(&money(5, "USD")), "$0.05");
        assert_eq!(format_money(&money(0, "USD")), "$0.00");
        assert_eq!(
            format_money(&money(98_765_432_100, "EUR")),
            "€987,654,321.00"
        );
        assert_eq!(format_money(&money(1000, "JPY")), "1,000 JPY");
        assert_eq!(format_money(&money(12_500, "KWD")), "12.500 KWD");
    }

    #[test]
    fn negative_amounts_start_with_a_minus_sign() {
        assert_eq!(format_money(&money(-500, "USD")), "−$5.00");
        assert_eq!(format_money(&money(-1_234_567, "JPY")), "−1,234,567 JPY");
    }

    #[test]
    fn dates_are_written_in_utc() {
        let at = time::macros::datetime!(2026-11-01 23:30 -02:00);
        assert_eq!(format_date(at), "Nov 2, 2026");
    }

    #[test]
    fn single_digit_days_have_no_padding() {
        let at = time::macros::datetime!(2026-03-05 12:00 UTC);
        assert_eq!(format_date(at), "Mar 5, 2026");
    }

    #[test]
    fn query_times_are_rfc3339_in_utc() {
        let at = time::macros::datetime!(2026-11-01 00:00 UTC);
        assert_eq!(rfc3339(at), "2026-11-01T00:00:00Z");
        let at = time::macros::datetime!(2026-11-01 23:30:05.25 -02:00);
        assert_eq!(rfc3339(at), "2026-11-02T01:30:05.25Z");
    }

    #[test]
    fn days_are_read_from_date_inputs() {
        use time::macros::date;
        assert_eq!(parse_day("2026-11-01"), Some(date!(2026 - 11 - 01)));
        assert_eq!(parse_day("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for bad in [
            "",
            "2026-11-1",
            "2026-13-01",
            "2025-02-29",
            "2026/11/01",
            "+026-11-01",
            "2026-1a-01",
            "2026-11-01T00:00",
            "२०२६-११-०१",
        ] {
            assert_eq!(parse_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn moments_are_written_in_utc_with_the_time() {
        let at = time::macros::datetime!(2026-11-21 23:05:09 -02:00);
        assert_eq!(format_datetime(at), "Nov 22, 2026, 01:05 UTC");
    }
}
