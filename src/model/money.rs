//! Money as PRODUCT.md §5 defines it: an integer number of minor units and an ISO 4217
//! currency, never a floating-point number; and the one rule that divides an amount
//! into parts (installments, the days of a contract year) so that the parts always add
//! up to it exactly.
//!
//! What this module guarantees:
//! - a [`Currency`] is a code of the ISO 4217 table that `iso_currency` maintains, with
//!   its minor-unit exponent from that table (USD 2, JPY 0, BHD 3, CLF 4); codes without
//!   a minor unit (gold `XAU`, `XDR`, the testing code `XXX`) are refused, since nothing
//!   can be billed in them;
//! - an amount typed in major units (`60000000.00`) becomes minor units exactly, or is
//!   refused naming its field: never rounded, never through `f64`;
//! - [`split`] returns parts that sum to the total, and [`cumulative`] is the sum of the
//!   first `i` of them without building the list, so a range of parts sums in O(1).
//!
//! Fee schedules, invoices and recognition are built on this in `model::fees`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::model::text::printable;

/// An ISO 4217 currency with a minor unit: its three-letter code and how many decimals
/// its minor unit has. In JSON, the code (`"USD"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    /// The currency of `text`, an ISO 4217 code (surrounding blanks ignored, any case);
    /// refused, naming `field`, when the code is unknown or the currency has no minor
    /// unit. Codes ISO has since superseded (HRK, replaced by EUR) are still accepted:
    /// an old contract or invoice stays readable.
    pub fn parse(field: &str, text: &str) -> Result<Currency, FieldError> {
        let code = text.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(FieldError::new(
                field,
                "a currency is required: an ISO 4217 code such as USD, EUR or JPY",
            ));
        }
        let iso = iso_currency::Currency::from_code(&code).ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "'{}' is not an ISO 4217 currency code: write e.g. USD, EUR or JPY",
                    printable(text.trim())
                ),
            )
        })?;
        let exponent = iso.exponent().ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "{} ({}) has no minor unit, so no amount can be billed in it: choose a \
                     currency such as USD, EUR or JPY",
                    iso.code(),
                    iso.name()
                ),
            )
        })?;
        Ok(Currency {
            code: iso.code(),
            exponent: u32::from(exponent),
        })
    }

    /// Every currency amounts can be kept in (ISO 4217 codes with a minor unit), by code.
    pub fn all() -> Vec<Currency> {
        use iso_currency::IntoEnumIterator;
        let mut all: Vec<Currency> = iso_currency::Currency::iter()
            .filter_map(|c| Currency::parse("currency", c.code()).ok())
            .collect();
        all.sort_by_key(|c| c.code);
        all
    }

    /// The ISO 4217 code, e.g. `USD`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many decimals the minor unit has: USD 2, JPY 0, BHD 3.
    pub fn exponent(self) -> u32 {
        self.exponent
    }

    /// Minor units in one major unit: 10^exponent (100 for USD, 1 for JPY).
    pub fn minor_per_major(self) -> i64 {
        10i64.pow(self.exponent)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl FromStr for Currency {
    type Err = FieldError;

    /// [`Currency::parse`] for the field `currency`.
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Currency::parse("currency", s)
    }
}

impl<'de> Deserialize<'de> for Currency {
    /// The code, checked as [`Currency::parse`] checks it.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse("currency", &code).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code.to_string()
    }
}

/// An amount of money: integer minor units (cents for USD, yen for JPY, fils for BHD)
/// in a currency. In JSON `{"minor": 6000000000, "currency": "USD"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in minor units; negative only where a rule makes it so (a deferred
    /// balance, a credit), never from [`Money::parse_major`].
    pub minor: i64,
    /// The currency the minor units are of.
    pub currency: Currency,
}

impl Money {
    /// `minor` minor units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::new(0, currency)
    }

    /// An amount typed in major units (`60000000.00`, `1500`, `0.5`) for `currency`,
    /// converted exactly to minor units. Refused, naming `field`: a negative amount,
    /// anything but digits with at most one decimal point (no sign, no thousands
    /// separators, no exponent), more decimals than the currency has (`1.005` USD;
    /// trailing zeros are fine: `1.50` JPY is refused, `100.0` JPY is 100 yen) and an
    /// amount too large for 64-bit minor units.
    pub fn parse_major(field: &str, text: &str, currency: Currency) -> Result<Money, FieldError> {
        let value = parse_decimal(field, text)?;
        let shown = printable(text.trim());
        let normalized = value.normalize();
        let decimals = normalized.scale();
        if decimals > currency.exponent {
            return Err(FieldError::new(
                field,
                format!(
                    "{} has {} decimal{}: {shown} has {decimals}",
                    currency.code,
                    currency.exponent,
                    if currency.exponent == 1 { "" } else { "s" }
                ),
            ));
        }
        let too_large = || {
            FieldError::new(
                field,
                format!(
                    "{shown} is too large: at most {} {}",
                    Money::new(i64::MAX, currency).major(),
                    currency.code
                ),
            )
        };
        let minor = 10i128
            .checked_pow(currency.exponent - decimals)
            .and_then(|scale| normalized.mantissa().checked_mul(scale))
            .ok_or_else(too_large)?;
        let minor = i64::try_from(minor).map_err(|_| too_large())?;
        Ok(Money::new(minor, currency))
    }

    /// The amount in major units with exactly the currency's decimals: `60000000.00`,
    /// `-0.05`, `1500` (JPY), `1.250` (BHD). [`Money::parse_major`] reads it back.
    pub fn major(&self) -> String {
        let per = i128::from(self.currency.minor_per_major());
        let minor = i128::from(self.minor);
        let sign = if minor < 0 { "-" } else { "" };
        let whole = minor.abs() / per;
        let fraction = minor.abs() % per;
        match self.currency.exponent {
            0 => format!("{sign}{whole}"),
            e => format!("{sign}{whole}.{fraction:0width$}", width = e as usize),
        }
    }

    /// The sum, or `None` for amounts in different currencies or an overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The difference, or `None` for amounts in different currencies or an overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_sub(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }
}

impl fmt::Display for Money {
    /// `60000000.00 USD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major(), self.currency.code)
    }
}

/// Deferred revenue at a date (PRODUCT.md §5): what was billed so far minus what was
/// recognized so far. Negative when more was recognized than billed (revenue accrued
/// but not yet invoiced). `None` for different currencies or an overflow.
pub fn deferred(billed: Money, recognized: Money) -> Option<Money> {
    billed.checked_sub(recognized)
}

/// A non-negative decimal typed by a person: digits with at most one decimal point,
/// surrounding blanks ignored, exact (up to 28 significant digits). Refused, naming
/// `field`: empty text, a minus sign ("must not be negative"), any other shape (`1e5`,
/// `1,000`, `+1`, `.5`, `NaN`), and more digits than can be held exactly.
pub fn parse_decimal(field: &str, text: &str) -> Result<Decimal, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "a number is required"));
    }
    let shown = printable(trimmed);
    if let Some(rest) = trimmed.strip_prefix('-') {
        if is_plain_decimal(rest) {
            return Err(FieldError::new(
                field,
                format!("{shown} is negative: it must be 0 or more"),
            ));
        }
    }
    if !is_plain_decimal(trimmed) {
        return Err(FieldError::new(
            field,
            format!(
                "'{shown}' is not a number: write digits with an optional decimal point, e.g. \
                 60000000.00 (no thousands separators, no sign, no exponent)"
            ),
        ));
    }
    Decimal::from_str_exact(trimmed).map_err(|_| {
        FieldError::new(
            field,
            format!("{shown} has more digits than can be held exactly (at most 28)"),
        )
    })
}

/// `digits` or `digits.digits`, ASCII only.
fn is_plain_decimal(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        None => digits(text),
        Some((whole, fraction)) => digits(whole) && digits(fraction),
    }
}

/// The sum of the first `i` of the `n` parts [`split`] makes of `total`:
/// floor(total x i / n), exact (i128 intermediates, floor also for a negative total).
/// `i` is capped at `n`; with `n == 0` there are no parts and the sum is 0.
pub fn cumulative(total: i64, i: u32, n: u32) -> i64 {
    if n == 0 {
        return 0;
    }
    let i = i.min(n);
    let floor = (i128::from(total) * i128::from(i)).div_euclid(i128::from(n));
    // |floor| <= |total|, so it fits.
    floor as i64
}

/// Part `i` (0-based) of `total` split over `n` parts (PRODUCT.md §5):
/// floor(total x (i+1) / n) - floor(total x i / n). Parts differ by at most one minor
/// unit, and the larger ones come last. 0 when `i >= n`.
pub fn part(total: i64, i: u32, n: u32) -> i64 {
    if i >= n {
        return 0;
    }
    cumulative(total, i + 1, n) - cumulative(total, i, n)
}

/// `total` split over `n` parts by [`part`]; they sum to `total` exactly. Empty when
/// `n == 0`.
pub fn split(total: i64, n: u32) -> Vec<i64> {
    (0..n).map(|i| part(total, i, n)).collect()
}

/// `numerator / denominator` rounded to the nearest integer, a tie to the even one.
/// `denominator` must be positive; `None` otherwise or when the result leaves i64.
pub fn round_half_even(numerator: i128, denominator: i128) -> Option<i64> {
    if denominator <= 0 {
        return None;
    }
    let quotient = numerator.div_euclid(denominator);
    let twice_remainder = 2 * numerator.rem_euclid(denominator);
    let rounded = match twice_remainder.cmp(&denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + quotient.rem_euclid(2),
    };
    i64::try_from(rounded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap()
    }

    fn money(text: &str, code: &str) -> Result<Money, FieldError> {
        Money::parse_major("annual_fee", text, currency(code))
    }

    #[test]
    fn exponents_come_from_the_iso_table() {
        for (code, exponent) in [
            ("USD", 2),
            ("JPY", 0),
            ("BHD", 3),
            ("EUR", 2),
            ("GBP", 2),
            ("CLF", 4),
            ("KWD", 3),
            ("ISK", 0),
        ] {
            assert_eq!(currency(code).exponent(), exponent, "{code}");
            assert_eq!(currency(code).code(), code);
        }
        assert_eq!(currency(" usd ").code(), "USD");
        assert_eq!(
            currency("HRK").exponent(),
            2,
            "superseded codes stay readable"
        );
    }

    #[test]
    fn unknown_codes_and_codes_without_minor_units_are_refused() {
        for (text, says) in [
            ("XYZ", "not an ISO 4217"),
            ("US", "not an ISO 4217"),
            ("USDX", "not an ISO 4217"),
            ("$", "not an ISO 4217"),
            ("", "required"),
            ("XAU", "no minor unit"),
            ("XDR", "no minor unit"),
            ("XXX", "no minor unit"),
        ] {
            let e = Currency::parse("currency", text).unwrap_err();
            assert_eq!(e.field, "currency");
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }

    #[test]
    fn currencies_are_codes_in_json() {
        let m = Money::new(6_000_000_000, currency("USD"));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"minor":6000000000,"currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Currency>(r#""XAU""#).is_err());
        assert!(serde_json::from_str::<Currency>(r#""ABC""#).is_err());
    }

    #[test]
    fn major_units_become_exact_minor_units() {
        assert_eq!(money("60000000.00", "USD").unwrap().minor, 6_000_000_000);
        assert_eq!(money(" 60000000 ", "USD").unwrap().minor, 6_000_000_000);
        assert_eq!(money("0.1", "USD").unwrap().minor, 10);
        assert_eq!(money("0.29", "USD").unwrap().minor, 29);
        assert_eq!(money("1.000", "USD").unwrap().minor, 100);
        assert_eq!(money("1500", "JPY").unwrap().minor, 1500);
        assert_eq!(money("1500.0", "JPY").unwrap().minor, 1500);
        assert_eq!(money("1.005", "BHD").unwrap().minor, 1005);
        assert_eq!(money("0", "BHD").unwrap().minor, 0);
        assert_eq!(
            money("92233720368547758.07", "USD").unwrap().minor,
            i64::MAX
        );
    }

    #[test]
    fn parsing_refuses_what_is_not_an_exact_non_negative_amount() {
        for (text, code, says) in [
            ("-1.00", "USD", "negative"),
            ("-0", "USD", "negative"),
            ("abc", "USD", "not a number"),
            ("1,000.00", "USD", "not a number"),
            ("1e5", "USD", "not a number"),
            ("+1", "USD", "not a number"),
            (".5", "USD", "not a number"),
            ("5.", "USD", "not a number"),
            ("1.2.3", "USD", "not a number"),
            ("NaN", "USD", "not a number"),
            ("inf", "USD", "not a number"),
            ("1_000", "USD", "not a number"),
            ("١٢", "USD", "not a number"),
            ("", "USD", "required"),
            ("1.005", "USD", "USD has 2 decimals: 1.005 has 3"),
            ("1.5", "JPY", "JPY has 0 decimals: 1.5 has 1"),
            ("1.0005", "BHD", "BHD has 3 decimals: 1.0005 has 4"),
            ("92233720368547758.08", "USD", "too large"),
            ("99999999999999999999999", "JPY", "too large"),
            ("1.00000000000000000000000000001", "USD", "more digits"),
            ("99999999999999999999999999999999", "USD", "more digits"),
        ] {
            let e = money(text, code).unwrap_err();
            assert_eq!(e.field, "annual_fee", "{text}");
            assert!(e.message.contains(says), "{text} {code}: {}", e.message);
        }
    }

    #[test]
    fn control_characters_in_refused_text_are_not_echoed() {
        let e = money("1\u{1b}[2J", "USD").unwrap_err();
        assert!(!e.message.contains('\u{1b}'), "{}", e.message);
    }

    #[test]
    fn major_units_read_back_what_they_print() {
        for (minor, code, shown) in [
            (6_000_000_000, "USD", "60000000.00"),
            (5, "USD", "0.05"),
            (-5, "USD", "-0.05"),
            (-150, "USD", "-1.50"),
            (1500, "JPY", "1500"),
            (1250, "BHD", "1.250"),
            (i64::MAX, "USD", "92233720368547758.07"),
            (i64::MIN, "USD", "-92233720368547758.08"),
        ] {
            let m = Money::new(minor, currency(code));
            assert_eq!(m.major(), shown);
            if minor >= 0 {
                assert_eq!(money(shown, code).unwrap(), m);
            }
        }
        assert_eq!(
            Money::new(6_000_000_000, currency("USD")).to_string(),
            "60000000.00 USD"
        );
    }

    #[test]
    fn sums_refuse_mixed_currencies_and_overflow() {
        let usd = |m| Money::new(m, currency("USD"));
        assert_eq!(usd(1).checked_add(usd(2)), Some(usd(3)));
        assert_eq!(usd(1).checked_add(Money::new(2, currency("EUR"))), None);
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), None);
        assert_eq!(usd(i64::MIN).checked_sub(usd(1)), None);
        assert_eq!(deferred(usd(100), usd(30)), Some(usd(70)));
        assert_eq!(deferred(usd(100), usd(130)), Some(usd(-30)));
        assert_eq!(deferred(usd(1), Money::new(1, currency("JPY"))), None);
    }

    #[test]
    fn the_split_rule_by_hand() {
        assert_eq!(split(10, 3), [3, 3, 4]);
        assert_eq!(split(100, 4), [25, 25, 25, 25]);
        assert_eq!(split(2, 3), [0, 1, 1]);
        assert_eq!(split(0, 2), [0, 0]);
        assert_eq!(split(-10, 3), [-4, -3, -3]);
        assert_eq!(split(7, 1), [7]);
        assert!(split(7, 0).is_empty());
        assert_eq!(cumulative(10, 2, 3), 6);
        assert_eq!(cumulative(10, 9, 3), 10, "i is capped at n");
        assert_eq!(cumulative(10, 1, 0), 0);
        assert_eq!(part(10, 3, 3), 0);
        let big = split(i64::MAX, 366);
        assert_eq!(
            big.iter().map(|&p| i128::from(p)).sum::<i128>(),
            i128::from(i64::MAX)
        );
        let low = split(i64::MIN, 7);
        assert_eq!(
            low.iter().map(|&p| i128::from(p)).sum::<i128>(),
            i128::from(i64::MIN)
        );
    }

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!(round_half_even(5, 2), Some(2));
        assert_eq!(round_half_even(7, 2), Some(4));
        assert_eq!(round_half_even(-5, 2), Some(-2));
        assert_eq!(round_half_even(-7, 2), Some(-4));
        assert_eq!(round_half_even(11, 4), Some(3));
        assert_eq!(round_half_even(9, 4), Some(2));
        assert_eq!(round_half_even(10, 4), Some(2));
        assert_eq!(round_half_even(14, 4), Some(4));
        assert_eq!(round_half_even(1, 0), None);
        assert_eq!(round_half_even(i128::from(i64::MAX) * 2, 1), None);
    }
}
