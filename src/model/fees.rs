//! A deal's fee schedule under PRODUCT.md §5: contract years, the escalated annual fee
//! of each, the invoices that bill it in advance, the revenue recognized ratably day by
//! day, and what an early termination leaves unearned. Pure and exact: amounts are
//! integer minor units ([`Money`]), rates are exact decimals, every division rounds
//! by a stated rule (half to even for fees, [`money::split`] for parts).
//!
//! The rules, and the decisions taken where PRODUCT.md is silent:
//! - **Contract year k** runs from the start date's k-th anniversary (start + 12k
//!   months; a Feb 29 start's anniversary falls on Feb 28 in common years, and on Feb
//!   29 in leap years) to the day before the next one. The term's end is inclusive; the
//!   last contract year may be cut short by it (a *partial* year).
//! - **Annual fee of year k** = round_half_even(base x (1 + escalator)^k), computed
//!   with big integers, so exact whatever k. A partial year's fee =
//!   round_half_even(fee_k x days_in_partial / days_of_that_full_year).
//! - **Invoices**, billed in advance: the year's periods (1 year, 4 quarters or 12
//!   months) are counted in months from the term's start (period j of year k starts at
//!   start + 12k + j x period months, a day-31 start falling on the month's last day),
//!   and each invoice is issued on its period's first day, due `payment_terms_days`
//!   later. The year's fee is split equally over its periods by the split rule. A
//!   partial final year is billed over the periods that start within the term, the last
//!   one clipped to the term's end, and its prorated fee is split equally over those
//!   periods, as PRODUCT.md's "installments of the contract year's fee" says (a short
//!   clipped period carries a full share; the fee is prorated by days already).
//! - **Ratable recognition**: each year's fee (prorated for a partial year) is split
//!   over that year's days (the partial year's own days) by the split rule; a range of
//!   days sums in O(1) per year through [`money::cumulative`].
//! - **Termination** on date T (the last day served): invoices issued after T are not
//!   issued, and no day after T is recognized; each day up to T keeps the part it had
//!   in the full schedule (nothing is re-prorated). What an invoice billed for days
//!   after T is [`Installment::unearned_after`]: its amount split over its period's
//!   days by the split rule, the parts of the days after T.

use std::fmt;
use std::str::FromStr;

use chrono::{Months, NaiveDate};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Problems, Result};
use crate::model::calendar::{self, FIRST_YEAR, LAST_YEAR};
use crate::model::money::{self, cumulative, Money};
use crate::model::text::{self, printable};

/// The largest escalator, in percent per contract year.
pub const MAX_ESCALATOR_PERCENT: u32 = 100;
/// The longest payment terms, in days after the invoice's issue date.
pub const MAX_PAYMENT_TERMS_DAYS: u32 = 3650;

/// How much the annual fee grows each contract year, in percent: `3`, `2.5`, `0`; at
/// most [`MAX_ESCALATOR_PERCENT`]. Exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Escalator {
    percent: Decimal,
}

impl Escalator {
    /// No growth: every contract year has the base fee.
    pub const NONE: Escalator = Escalator {
        percent: Decimal::ZERO,
    };

    /// A percent typed by a person (`3`, `2.5`, `0`; a trailing `%` is allowed),
    /// refused naming `field` when it is negative, not a number, or over 100.
    pub fn parse(field: &str, text: &str) -> std::result::Result<Escalator, FieldError> {
        let trimmed = text.trim();
        let number = trimmed.strip_suffix('%').unwrap_or(trimmed);
        let percent = money::parse_decimal(field, number)?;
        Escalator::from_percent(field, percent)
    }

    /// An escalator of `percent`; refused naming `field` unless it is in 0..=100.
    pub fn from_percent(
        field: &str,
        percent: Decimal,
    ) -> std::result::Result<Escalator, FieldError> {
        if percent.is_sign_negative() && !percent.is_zero() {
            return Err(FieldError::new(
                field,
                format!("{percent}% is negative: the escalator must be 0 to 100%"),
            ));
        }
        if percent > Decimal::from(MAX_ESCALATOR_PERCENT) {
            return Err(FieldError::new(
                field,
                format!(
                    "{}% is over {MAX_ESCALATOR_PERCENT}%: the escalator is a percent per \
                     contract year, 0 to {MAX_ESCALATOR_PERCENT} (write 3 for 3%)",
                    printable(&percent.to_string())
                ),
            ));
        }
        Ok(Escalator {
            percent: percent.normalize(),
        })
    }

    /// The percent per contract year, e.g. `2.5`.
    pub fn percent(self) -> Decimal {
        self.percent
    }

    /// 1 + escalator as a reduced fraction (numerator, denominator): 3% is 103/100.
    fn factor(self) -> (BigInt, BigInt) {
        // percent = mantissa / 10^scale, scale <= 28, so 100 x 10^scale fits in i128.
        let denominator = 100 * 10i128.pow(self.percent.scale());
        let numerator = denominator + self.percent.mantissa();
        let gcd = numerator.gcd(&denominator);
        (
            BigInt::from(numerator / gcd),
            BigInt::from(denominator / gcd),
        )
    }
}

impl fmt::Display for Escalator {
    /// `2.5%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent)
    }
}

/// The annual fee of contract year `k`: round_half_even(base x (1 + escalator)^k), in
/// the base's minor units. `None` when it does not fit in i64.
pub fn escalated_fee(base: i64, escalator: Escalator, k: u32) -> Option<i64> {
    let (numerator, denominator) = escalator.factor();
    round_half_even_big(BigInt::from(base) * numerator.pow(k), &denominator.pow(k))
}

/// A partial contract year's fee: round_half_even(fee x days / full_days), where `days`
/// is how many of the year's `full_days` the term covers. `None` if `full_days` is 0.
pub fn prorated_fee(fee: i64, days: u32, full_days: u32) -> Option<i64> {
    money::round_half_even(i128::from(fee) * i128::from(days), i128::from(full_days))
}

fn round_half_even_big(numerator: BigInt, denominator: &BigInt) -> Option<i64> {
    let (quotient, remainder) = numerator.div_mod_floor(denominator);
    let twice: BigInt = remainder * 2;
    let rounded = match twice.cmp(denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal if quotient.is_odd() => quotient + 1,
        std::cmp::Ordering::Equal => quotient,
    };
    rounded.to_i64()
}

/// How often a contract year's fee is invoiced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BillingFrequency {
    /// One invoice per contract year.
    Annual,
    /// Four invoices per contract year, one per three months.
    Quarterly,
    /// Twelve invoices per contract year, one per month.
    Monthly,
}

impl BillingFrequency {
    /// Every frequency, longest period first.
    pub const ALL: [BillingFrequency; 3] = [
        BillingFrequency::Annual,
        BillingFrequency::Quarterly,
        BillingFrequency::Monthly,
    ];

    /// The token flags and JSON use: `annual`, `quarterly`, `monthly`.
    pub fn token(self) -> &'static str {
        match self {
            BillingFrequency::Annual => "annual",
            BillingFrequency::Quarterly => "quarterly",
            BillingFrequency::Monthly => "monthly",
        }
    }

    /// Invoices in a full contract year: 1, 4 or 12.
    pub fn periods_per_year(self) -> u32 {
        12 / self.months_per_period()
    }

    /// Months in one billing period: 12, 3 or 1.
    pub fn months_per_period(self) -> u32 {
        match self {
            BillingFrequency::Annual => 12,
            BillingFrequency::Quarterly => 3,
            BillingFrequency::Monthly => 1,
        }
    }
}

impl fmt::Display for BillingFrequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

impl FromStr for BillingFrequency {
    type Err = FieldError;

    /// A token, for the field `billing`.
    fn from_str(s: &str) -> std::result::Result<Self, FieldError> {
        text::one_of(
            "billing",
            "billing frequency",
            &BillingFrequency::ALL,
            BillingFrequency::token,
            s,
        )
    }
}

/// When a fee becomes revenue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recognition {
    /// Spread over the contract year's days ([`FeeSchedule::recognized`]).
    Ratable,
    /// All on one date: per-delivery or per-record usage fees ([`UsageFee`]).
    PointInTime,
}

impl Recognition {
    /// Every kind.
    pub const ALL: [Recognition; 2] = [Recognition::Ratable, Recognition::PointInTime];

    /// The token flags and JSON use: `ratable`, `point-in-time`.
    pub fn token(self) -> &'static str {
        match self {
            Recognition::Ratable => "ratable",
            Recognition::PointInTime => "point-in-time",
        }
    }
}

impl fmt::Display for Recognition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

impl FromStr for Recognition {
    type Err = FieldError;

    /// A token, for the field `recognition`.
    fn from_str(s: &str) -> std::result::Result<Self, FieldError> {
        text::one_of(
            "recognition",
            "recognition",
            &Recognition::ALL,
            Recognition::token,
            s,
        )
    }
}

/// A fee recognized all on one date (PRODUCT.md §5: per-delivery or per-record usage
/// fees are recognized on the delivery date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UsageFee {
    /// The delivery date.
    pub on: NaiveDate,
    /// The fee.
    pub amount: Money,
}

impl UsageFee {
    /// What of it is recognized in `from..=to`: all of it if `on` lies there, else 0.
    pub fn recognized(&self, from: NaiveDate, to: NaiveDate) -> Money {
        if from <= self.on && self.on <= to {
            self.amount
        } else {
            Money::zero(self.amount.currency)
        }
    }
}

/// A deal's term: first and last day, both inclusive, in the years
/// [`FIRST_YEAR`]`..=`[`LAST_YEAR`] (so that no date arithmetic on it can fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    start: NaiveDate,
    end: NaiveDate,
}

impl Term {
    /// The term `start..=end`; refused, naming `start_date` or `end_date`, when a date
    /// lies outside the term years or the end is before the start.
    pub fn new(start: NaiveDate, end: NaiveDate) -> std::result::Result<Term, FieldError> {
        use chrono::Datelike;
        for (field, date) in [("start_date", start), ("end_date", end)] {
            if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
                return Err(FieldError::new(
                    field,
                    format!(
                        "{date} is out of range: dates must lie in the years {FIRST_YEAR} to \
                         {LAST_YEAR}"
                    ),
                ));
            }
        }
        if end < start {
            return Err(FieldError::new(
                "end_date",
                format!("end date {end} is before start date {start}"),
            ));
        }
        Ok(Term { start, end })
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// `months` months after the start; a day the month lacks falls on its last day
    /// (Jan 31 + 1 month = Feb 28 or 29; Feb 29 + 12 months = Feb 28).
    fn months_after_start(&self, months: u32) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(months))
            .expect("a term in 1970..=2199 plus its length stays within chrono's range")
    }

    /// The contract years of the term, in order (PRODUCT.md §5); the last one is
    /// partial when the term ends before its full length.
    pub fn contract_years(&self) -> Vec<ContractYear> {
        let mut years = Vec::new();
        for k in 0u32.. {
            let first = self.months_after_start(12 * k);
            if first > self.end {
                break;
            }
            let next = self.months_after_start(12 * (k + 1));
            let full_last = next.pred_opt().expect("after a term start");
            let last = full_last.min(self.end);
            years.push(ContractYear {
                k,
                first,
                last,
                full_days: days_between(first, next),
                days: days_between(first, last) + 1,
            });
        }
        years
    }
}

/// Whole days from `from` to `to` (`to` after `from`); 0 otherwise.
fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

/// One contract year of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContractYear {
    /// Its number: 0 for the first year.
    pub k: u32,
    /// Its first day: the start date's k-th anniversary.
    pub first: NaiveDate,
    /// Its last day within the term: the day before the next anniversary, or the
    /// term's end if that comes first.
    pub last: NaiveDate,
    /// Days of the full year, anniversary to anniversary: 365 or 366.
    pub full_days: u32,
    /// Days the term covers: `full_days`, or fewer for a partial final year.
    pub days: u32,
}

impl ContractYear {
    /// Whether the term ends before this year's full length.
    pub fn is_partial(&self) -> bool {
        self.days < self.full_days
    }

    /// The day `first + offset`.
    fn day(&self, offset: u32) -> Option<NaiveDate> {
        calendar::add_days(self.first, offset)
    }
}

/// A contract year with its fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YearFee {
    /// The year.
    pub year: ContractYear,
    /// The escalated annual fee of a full year k.
    pub full_fee: Money,
    /// What the year bills and recognizes: `full_fee`, prorated for a partial year.
    pub fee: Money,
}

/// One invoice of a fee schedule, billed in advance for its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Installment {
    /// The contract year it bills.
    pub year: u32,
    /// Its number within the year, from 0.
    pub index: u32,
    /// How many installments the year has (fewer than the frequency's for a partial
    /// year).
    pub count: u32,
    /// The first day of the period it bills; also its issue date.
    pub period_first: NaiveDate,
    /// The last day of that period, clipped to the term's end.
    pub period_last: NaiveDate,
    /// When it is issued: the period's first day.
    pub issue_date: NaiveDate,
    /// When it is due: the issue date plus the payment terms.
    pub due_date: NaiveDate,
    /// The amount: part `index` of the year's fee split over `count` parts.
    pub amount: Money,
}

impl Installment {
    /// Days in its period.
    pub fn days(&self) -> u32 {
        days_between(self.period_first, self.period_last) + 1
    }

    /// How much of this installment pays for days after `termination` (the last day
    /// served): its amount split over its period's days by the split rule, the parts of
    /// the days after `termination`. All of it if the period starts after, nothing if
    /// it ends on or before. What was paid of it is owed back; the store decides how.
    pub fn unearned_after(&self, termination: NaiveDate) -> Money {
        let currency = self.amount.currency;
        if self.period_last <= termination {
            return Money::zero(currency);
        }
        if self.period_first > termination {
            return self.amount;
        }
        let served = days_between(self.period_first, termination) + 1;
        let earned = cumulative(self.amount.minor, served, self.days());
        Money::new(self.amount.minor - earned, currency)
    }
}

/// A deal's fees: a term, the annual fee of its first contract year, an escalator,
/// how often it is billed and when invoices are due; optionally terminated early.
/// Built by [`FeeSchedule::new`], which refuses a schedule whose amounts overflow, so
/// that every computation on it is exact and infallible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeSchedule {
    term: Term,
    billing: BillingFrequency,
    payment_terms_days: u32,
    years: Vec<YearFee>,
    termination: Option<NaiveDate>,
}

impl FeeSchedule {
    /// The schedule of `term` whose first contract year's fee is `annual_fee`, growing
    /// by `escalator` each year, billed `billing`, due `payment_terms_days` after
    /// issue. Refused (every problem at once): a negative `annual_fee`, payment terms
    /// over [`MAX_PAYMENT_TERMS_DAYS`], and a year's fee or the term's total that does
    /// not fit in 64-bit minor units (field `annual_fee` or `escalator`).
    pub fn new(
        term: Term,
        annual_fee: Money,
        escalator: Escalator,
        billing: BillingFrequency,
        payment_terms_days: u32,
    ) -> Result<FeeSchedule> {
        let mut problems = Problems::default();
        if annual_fee.minor < 0 {
            problems.add(
                "annual_fee",
                format!("{} is negative: it must be 0 or more", annual_fee.major()),
            );
        }
        if payment_terms_days > MAX_PAYMENT_TERMS_DAYS {
            problems.add(
                "payment_terms_days",
                format!(
                    "payment terms are 0 to {MAX_PAYMENT_TERMS_DAYS} days, not \
                     {payment_terms_days}"
                ),
            );
        }
        let mut years = Vec::new();
        if annual_fee.minor >= 0 {
            let currency = annual_fee.currency;
            let mut total: i64 = 0;
            for year in term.contract_years() {
                let fees = escalated_fee(annual_fee.minor, escalator, year.k).and_then(|full| {
                    let fee = prorated_fee(full, year.days, year.full_days)?;
                    total = total.checked_add(fee)?;
                    Some((full, fee))
                });
                let Some((full, fee)) = fees else {
                    problems.add(
                        if escalator.percent.is_zero() {
                            "annual_fee"
                        } else {
                            "escalator"
                        },
                        format!(
                            "the fees of {}, escalated by {escalator} a year to contract year \
                             {}, exceed the largest amount ({} {currency})",
                            annual_fee,
                            year.k,
                            Money::new(i64::MAX, currency).major()
                        ),
                    );
                    break;
                };
                years.push(YearFee {
                    year,
                    full_fee: Money::new(full, currency),
                    fee: Money::new(fee, currency),
                });
            }
        }
        problems.into_result()?;
        Ok(FeeSchedule {
            term,
            billing,
            payment_terms_days,
            years,
            termination: None,
        })
    }

    /// The same schedule terminated on `termination`, the last day served: no invoice
    /// issued after it, no day after it recognized. A date on or after the term's end
    /// changes nothing; one before its start leaves nothing billed or recognized.
    pub fn terminated_on(mut self, termination: NaiveDate) -> FeeSchedule {
        self.termination = Some(termination);
        self
    }

    /// The term.
    pub fn term(&self) -> Term {
        self.term
    }

    /// The termination date, if any.
    pub fn termination(&self) -> Option<NaiveDate> {
        self.termination
    }

    /// Each contract year with its fee (not truncated by a termination).
    pub fn years(&self) -> &[YearFee] {
        &self.years
    }

    /// The currency of every amount of the schedule.
    pub fn currency(&self) -> money::Currency {
        self.years
            .first()
            .map(|y| y.fee.currency)
            .expect("a term has at least one contract year")
    }

    /// The sum of the years' fees: everything the full term bills and recognizes.
    pub fn total(&self) -> Money {
        let minor = self.years.iter().map(|y| y.fee.minor).sum();
        Money::new(minor, self.currency())
    }

    /// The invoices, in issue order (see the module's documentation for the periods
    /// and the partial year); after a termination, only those issued on or before it.
    pub fn installments(&self) -> Vec<Installment> {
        let months = self.billing.months_per_period();
        let mut out = Vec::new();
        for y in &self.years {
            let base = 12 * y.year.k;
            let periods: Vec<(NaiveDate, NaiveDate)> = (0..self.billing.periods_per_year())
                .map(|j| {
                    let first = self.term.months_after_start(base + j * months);
                    let next = self.term.months_after_start(base + (j + 1) * months);
                    (
                        first,
                        next.pred_opt()
                            .expect("after a term start")
                            .min(self.term.end),
                    )
                })
                .take_while(|(first, _)| *first <= self.term.end)
                .collect();
            let count = periods.len() as u32;
            for (index, (first, last)) in periods.into_iter().enumerate() {
                if self.termination.is_some_and(|t| first > t) {
                    return out;
                }
                let index = index as u32;
                out.push(Installment {
                    year: y.year.k,
                    index,
                    count,
                    period_first: first,
                    period_last: last,
                    issue_date: first,
                    due_date: calendar::add_days(first, self.payment_terms_days)
                        .expect("a term date plus at most 3650 days stays within chrono's range"),
                    amount: Money::new(money::part(y.fee.minor, index, count), y.fee.currency),
                });
            }
        }
        out
    }

    /// What was billed by `date` (inclusive): the invoices issued on or before it.
    pub fn billed_through(&self, date: NaiveDate) -> Money {
        let minor = self
            .installments()
            .iter()
            .filter(|i| i.issue_date <= date)
            .map(|i| i.amount.minor)
            .sum();
        Money::new(minor, self.currency())
    }

    /// The revenue recognized ratably in `from..=to` (both inclusive): the sum over
    /// those days of each day's part of its contract year's fee, none after a
    /// termination. O(contract years), whatever the range.
    pub fn recognized(&self, from: NaiveDate, to: NaiveDate) -> Money {
        let to = match self.termination {
            Some(t) => to.min(t),
            None => to,
        };
        let mut minor = 0;
        for y in &self.years {
            let (lo, hi) = (from.max(y.year.first), to.min(y.year.last));
            if lo > hi {
                continue;
            }
            let before = days_between(y.year.first, lo);
            let through = days_between(y.year.first, hi) + 1;
            minor += cumulative(y.fee.minor, through, y.year.days)
                - cumulative(y.fee.minor, before, y.year.days);
        }
        Money::new(minor, self.currency())
    }

    /// The revenue recognized from the term's start through `date` (inclusive).
    pub fn recognized_through(&self, date: NaiveDate) -> Money {
        self.recognized(self.term.start, date)
    }

    /// Deferred revenue at the end of `date`: billed through it minus recognized
    /// through it (negative if more was recognized than billed).
    pub fn deferred_at(&self, date: NaiveDate) -> Money {
        let billed = self.billed_through(date);
        let recognized = self.recognized_through(date);
        money::deferred(billed, recognized).expect("both are parts of a total that fits")
    }

    /// The recognized part of `year`'s fee on the day `first + offset` (for reports
    /// that list days; [`FeeSchedule::recognized`] sums ranges without them).
    pub fn daily_part(&self, year: &YearFee, offset: u32) -> Option<(NaiveDate, Money)> {
        let day = year.year.day(offset)?;
        if offset >= year.year.days || self.termination.is_some_and(|t| day > t) {
            return None;
        }
        Some((
            day,
            Money::new(
                money::part(year.fee.minor, offset, year.year.days),
                year.fee.currency,
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::Currency;

    fn d(s: &str) -> NaiveDate {
        calendar::parse_date("d", s).unwrap()
    }

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::parse("c", "USD").unwrap())
    }

    fn percent(text: &str) -> Escalator {
        Escalator::parse("escalator", text).unwrap()
    }

    fn schedule(start: &str, end: &str, fee: i64, esc: &str, b: BillingFrequency) -> FeeSchedule {
        FeeSchedule::new(
            Term::new(d(start), d(end)).unwrap(),
            usd(fee),
            percent(esc),
            b,
            30,
        )
        .unwrap()
    }

    #[test]
    fn the_issue_example() {
        let s = schedule(
            "2024-02-01",
            "2027-01-31",
            6_000_000_000,
            "3",
            BillingFrequency::Quarterly,
        );
        let amounts: Vec<i64> = s.installments().iter().map(|i| i.amount.minor).collect();
        assert_eq!(
            amounts,
            [
                [1_500_000_000; 4].as_slice(),
                &[1_545_000_000; 4],
                &[1_591_350_000; 4]
            ]
            .concat()
        );
        assert_eq!(s.years()[0].year.days, 366);
        assert_eq!(
            s.recognized(d("2024-01-01"), d("2024-12-31")).minor,
            5_491_803_278
        );
        assert_eq!(
            s.total().minor,
            6_000_000_000 + 6_180_000_000 + 6_365_400_000
        );
        assert_eq!(s.recognized(d("2000-01-01"), d("2099-12-31")), s.total());
        let first = s.installments()[0];
        assert_eq!(first.issue_date, d("2024-02-01"));
        assert_eq!(first.period_last, d("2024-04-30"));
        assert_eq!(first.due_date, d("2024-03-02"));
    }

    #[test]
    fn contract_years_by_hand() {
        let years = Term::new(d("2024-02-29"), d("2028-03-01"))
            .unwrap()
            .contract_years();
        let got: Vec<_> = years
            .iter()
            .map(|y| {
                (
                    y.k,
                    y.first.to_string(),
                    y.last.to_string(),
                    y.full_days,
                    y.days,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (0, "2024-02-29".into(), "2025-02-27".into(), 365, 365),
                (1, "2025-02-28".into(), "2026-02-27".into(), 365, 365),
                (2, "2026-02-28".into(), "2027-02-27".into(), 365, 365),
                (3, "2027-02-28".into(), "2028-02-28".into(), 366, 366),
                (4, "2028-02-29".into(), "2028-03-01".into(), 365, 2),
            ]
        );
        assert!(years[4].is_partial());
        let one_day = Term::new(d("2026-01-01"), d("2026-01-01"))
            .unwrap()
            .contract_years();
        assert_eq!(one_day.len(), 1);
        assert_eq!((one_day[0].days, one_day[0].full_days), (1, 365));
        assert!(Term::new(d("2026-01-02"), d("2026-01-01")).is_err());
        assert_eq!(
            Term::new(d("1969-12-31"), d("2026-01-01"))
                .unwrap_err()
                .field,
            "start_date"
        );
        assert_eq!(
            Term::new(d("2026-01-01"), d("2200-01-01"))
                .unwrap_err()
                .field,
            "end_date"
        );
    }

    #[test]
    fn fees_escalate_exactly_and_round_half_to_even() {
        assert_eq!(
            escalated_fee(6_000_000_000, percent("3"), 2),
            Some(6_365_400_000)
        );
        assert_eq!(escalated_fee(100, percent("0"), 50), Some(100));
        // 1 x 1.5 = 1.5 -> 2; 3 x 1.5 = 4.5 -> 4; 5 x 1.5 = 7.5 -> 8.
        assert_eq!(escalated_fee(1, percent("50"), 1), Some(2));
        assert_eq!(escalated_fee(3, percent("50"), 1), Some(4));
        assert_eq!(escalated_fee(5, percent("50"), 1), Some(8));
        // 1 x 1.5^2 = 2.25 -> 2; 2 x 1.5^2 = 4.5 -> 4; 6 x 1.5^2 = 13.5 -> 14.
        assert_eq!(escalated_fee(1, percent("50"), 2), Some(2));
        assert_eq!(escalated_fee(2, percent("50"), 2), Some(4));
        assert_eq!(escalated_fee(6, percent("50"), 2), Some(14));
        // 2.5% over 40 years: (41/40)^40 x 10^12 = 2685063838389.9...; f64 would drift.
        assert_eq!(
            escalated_fee(1_000_000_000_000, percent("2.5"), 40),
            Some(2_685_063_838_390)
        );
        assert_eq!(escalated_fee(1, percent("100"), 62), Some(1 << 62));
        assert_eq!(escalated_fee(1, percent("100"), 63), None);
        assert_eq!(prorated_fee(6_000_000_000, 183, 366), Some(3_000_000_000));
        // 1 x 1/2 -> 0 (tie to even); 3 x 1/2 = 1.5 -> 2.
        assert_eq!(prorated_fee(1, 1, 2), Some(0));
        assert_eq!(prorated_fee(3, 1, 2), Some(2));
        assert_eq!(prorated_fee(5, 1, 0), None);
    }

    #[test]
    fn escalators_are_percents_from_0_to_100() {
        assert_eq!(percent("3").percent(), Decimal::from(3));
        assert_eq!(percent("2.5%").to_string(), "2.5%");
        assert_eq!(percent("100").percent(), Decimal::from(100));
        assert_eq!(percent("0.000").percent(), Decimal::ZERO);
        for (text, says) in [
            ("100.01", "over 100%"),
            ("250", "over 100%"),
            ("-1", "negative"),
            ("three", "not a number"),
            ("0.03e2", "not a number"),
            ("", "required"),
        ] {
            let e = Escalator::parse("escalator", text).unwrap_err();
            assert_eq!(e.field, "escalator");
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }

    #[test]
    fn tokens_parse_and_print() {
        for b in BillingFrequency::ALL {
            assert_eq!(b.token().parse::<BillingFrequency>().unwrap(), b);
        }
        for r in Recognition::ALL {
            assert_eq!(r.token().parse::<Recognition>().unwrap(), r);
        }
        assert_eq!(
            "weekly".parse::<BillingFrequency>().unwrap_err().field,
            "billing"
        );
        assert_eq!(
            "cash".parse::<Recognition>().unwrap_err().field,
            "recognition"
        );
        assert_eq!(
            serde_json::to_string(&Recognition::PointInTime).unwrap(),
            r#""point-in-time""#
        );
    }

    #[test]
    fn a_partial_final_year_is_prorated_and_billed_over_the_periods_it_starts() {
        // Year 1 is 2025-01-01..2025-05-15: 135 of 365 days.
        let s = schedule(
            "2024-01-01",
            "2025-05-15",
            3_650_000,
            "0",
            BillingFrequency::Quarterly,
        );
        let partial = s.years()[1];
        assert_eq!((partial.year.days, partial.year.full_days), (135, 365));
        assert_eq!(partial.fee.minor, 1_350_000);
        let last: Vec<_> = s
            .installments()
            .into_iter()
            .filter(|i| i.year == 1)
            .collect();
        assert_eq!(last.len(), 2);
        assert_eq!(
            (last[0].period_first, last[0].period_last),
            (d("2025-01-01"), d("2025-03-31"))
        );
        assert_eq!(
            (last[1].period_first, last[1].period_last),
            (d("2025-04-01"), d("2025-05-15"))
        );
        assert_eq!(
            last.iter().map(|i| i.amount.minor).collect::<Vec<_>>(),
            [675_000, 675_000]
        );
        assert_eq!(s.recognized_through(d("2025-05-15")), s.total());
    }

    #[test]
    fn monthly_periods_keep_the_start_day_or_the_months_last() {
        let s = schedule(
            "2024-01-31",
            "2025-01-30",
            1200,
            "0",
            BillingFrequency::Monthly,
        );
        let firsts: Vec<String> = s
            .installments()
            .iter()
            .take(4)
            .map(|i| i.period_first.to_string())
            .collect();
        assert_eq!(
            firsts,
            ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
        );
        assert_eq!(s.installments()[0].period_last, d("2024-02-28"));
        assert_eq!(s.installments().len(), 12);
        assert!(s.installments().iter().all(|i| i.amount.minor == 100));
    }

    #[test]
    fn termination_stops_billing_and_recognition() {
        let s = schedule(
            "2024-02-01",
            "2027-01-31",
            6_000_000_000,
            "3",
            BillingFrequency::Quarterly,
        )
        .terminated_on(d("2024-06-15"));
        let billed = s.installments();
        assert_eq!(billed.len(), 2, "Feb 1 and May 1 only");
        assert_eq!(s.billed_through(d("2030-01-01")).minor, 3_000_000_000);
        // 2024-02-01..2024-06-15 is 136 days of 366.
        assert_eq!(
            s.recognized_through(d("2030-01-01")).minor,
            6_000_000_000 * 136 / 366
        );
        // The May-July quarter is 92 days; 46 served (May 1..June 15), 46 not.
        assert_eq!(billed[1].unearned_after(d("2024-06-15")).minor, 750_000_000);
        assert_eq!(billed[0].unearned_after(d("2024-06-15")).minor, 0);
        let next = schedule(
            "2024-02-01",
            "2027-01-31",
            6_000_000_000,
            "3",
            BillingFrequency::Quarterly,
        )
        .installments()[2];
        assert_eq!(next.unearned_after(d("2024-06-15")), next.amount);
        // Terminating on or after the end changes nothing; before the start, all.
        let full = schedule(
            "2024-02-01",
            "2027-01-31",
            6_000_000_000,
            "3",
            BillingFrequency::Annual,
        );
        let late = full.clone().terminated_on(d("2027-01-31"));
        assert_eq!(late.installments(), full.installments());
        assert_eq!(late.recognized_through(d("2027-12-31")), full.total());
        let early = full.clone().terminated_on(d("2024-01-31"));
        assert!(early.installments().is_empty());
        assert_eq!(early.recognized_through(d("2027-12-31")).minor, 0);
        assert_eq!(early.deferred_at(d("2027-12-31")).minor, 0);
    }

    #[test]
    fn deferred_is_billed_minus_recognized() {
        let s = schedule(
            "2024-02-01",
            "2027-01-31",
            6_000_000_000,
            "3",
            BillingFrequency::Annual,
        );
        assert_eq!(s.deferred_at(d("2024-01-31")).minor, 0);
        assert_eq!(
            s.deferred_at(d("2024-02-01")).minor,
            6_000_000_000 - 6_000_000_000 / 366
        );
        assert_eq!(s.deferred_at(d("2027-01-31")).minor, 0);
        assert_eq!(
            s.daily_part(&s.years()[0], 0),
            Some((d("2024-02-01"), usd(16_393_442)))
        );
        assert_eq!(s.daily_part(&s.years()[0], 366), None);
    }

    #[test]
    fn schedules_that_overflow_or_bill_negatively_are_refused() {
        let term = Term::new(d("2024-01-01"), d("2199-12-31")).unwrap();
        let e = FeeSchedule::new(
            term,
            usd(1_000_000),
            percent("100"),
            BillingFrequency::Annual,
            30,
        )
        .unwrap_err();
        assert_eq!(e.fields()[0].field, "escalator");
        let e = FeeSchedule::new(
            term,
            usd(i64::MAX / 10),
            Escalator::NONE,
            BillingFrequency::Annual,
            30,
        )
        .unwrap_err();
        assert_eq!(e.fields()[0].field, "annual_fee");
        let e = FeeSchedule::new(
            term,
            usd(-1),
            Escalator::NONE,
            BillingFrequency::Annual,
            3651,
        )
        .unwrap_err();
        let fields: Vec<_> = e.fields().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["annual_fee", "payment_terms_days"]);
    }

    #[test]
    fn usage_fees_are_recognized_on_their_date() {
        let fee = UsageFee {
            on: d("2024-03-10"),
            amount: usd(500),
        };
        assert_eq!(fee.recognized(d("2024-03-10"), d("2024-03-10")), usd(500));
        assert_eq!(fee.recognized(d("2024-01-01"), d("2024-03-09")), usd(0));
        assert_eq!(fee.recognized(d("2024-03-11"), d("2024-12-31")), usd(0));
    }
}
