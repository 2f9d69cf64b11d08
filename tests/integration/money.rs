//! Property tests of the money rules (PRODUCT.md §5) against an oracle written apart
//! from `model::fees`: it walks every day of the term, puts each day in its contract
//! year by its own anniversary rule, computes each year's fee with plain i128
//! arithmetic (no big integers, no reduced fractions), and gives each day its part by
//! its own formula. The fee schedule must agree with it on every installment, every
//! range of days and every termination date, in currencies with 0, 2 and 3 decimals.

use chrono::{Datelike, Days, NaiveDate};
use consentry::model::fees::{BillingFrequency, Escalator, FeeSchedule, Term};
use consentry::model::money::{split, Currency, Money};
use proptest::prelude::*;

/// One generated deal.
#[derive(Debug, Clone)]
struct Deal {
    start: NaiveDate,
    end: NaiveDate,
    /// The first year's fee, in minor units.
    base: i64,
    /// The escalator in hundredths of a percent (250 = 2.5%), 0..=10000.
    hundredths: i64,
    currency: &'static str,
    billing: BillingFrequency,
}

impl Deal {
    fn schedule(&self) -> FeeSchedule {
        let currency = Currency::parse("currency", self.currency).unwrap();
        let escalator = format!("{}.{:02}", self.hundredths / 100, self.hundredths % 100);
        FeeSchedule::new(
            Term::new(self.start, self.end).unwrap(),
            Money::new(self.base, currency),
            Escalator::parse("escalator", &escalator).unwrap(),
            self.billing,
            30,
        )
        .unwrap()
    }
}

// ---- the oracle ---------------------------------------------------------------------

/// The k-th anniversary: the same month and day k years later, Feb 28 when that day
/// does not exist (a Feb 29 start in a common year).
fn anniversary(start: NaiveDate, k: i32) -> NaiveDate {
    let year = start.year() + k;
    NaiveDate::from_ymd_opt(year, start.month(), start.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 2, 28).unwrap())
}

fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

/// a / b to the nearest integer, ties to even (b > 0).
fn half_even(a: i128, b: i128) -> i128 {
    let q = floor_div(a, b);
    let r = a - q * b;
    if 2 * r > b || (2 * r == b && q % 2 != 0) {
        q + 1
    } else {
        q
    }
}

/// One contract year as the oracle sees it.
#[derive(Debug)]
struct OracleYear {
    first: NaiveDate,
    /// Days of the term in this year, in order.
    days: Vec<NaiveDate>,
    full_days: i64,
    fee: i64,
}

/// The contract years with their fees, from a walk over every day of the term.
fn oracle(deal: &Deal) -> Vec<OracleYear> {
    let mut years: Vec<OracleYear> = Vec::new();
    let mut k = 0;
    let mut day = deal.start;
    while day <= deal.end {
        while day >= anniversary(deal.start, k + 1) {
            k += 1;
        }
        if years.len() as i32 <= k {
            let first = anniversary(deal.start, k);
            let full_days = (anniversary(deal.start, k + 1) - first).num_days();
            let growth = 10_000 + i128::from(deal.hundredths);
            let full_fee = half_even(
                i128::from(deal.base) * growth.pow(k as u32),
                10_000i128.pow(k as u32),
            );
            years.push(OracleYear {
                first,
                days: Vec::new(),
                full_days,
                fee: full_fee as i64,
            });
        }
        years.last_mut().unwrap().days.push(day);
        day = day + Days::new(1);
    }
    let last = years.last_mut().unwrap();
    if (last.days.len() as i64) < last.full_days {
        last.fee = half_even(
            i128::from(last.fee) * last.days.len() as i128,
            i128::from(last.full_days),
        ) as i64;
    }
    years
}

/// Each day of the term with its recognized part, in order.
fn daily_parts(years: &[OracleYear]) -> Vec<(NaiveDate, i64)> {
    let mut out = Vec::new();
    for y in years {
        let n = y.days.len() as i128;
        let f = i128::from(y.fee);
        for (i, &day) in y.days.iter().enumerate() {
            let i = i as i128;
            out.push((
                day,
                (floor_div(f * (i + 1), n) - floor_div(f * i, n)) as i64,
            ));
        }
    }
    out
}

fn sum_days(parts: &[(NaiveDate, i64)], from: NaiveDate, to: NaiveDate) -> i64 {
    parts
        .iter()
        .filter(|(d, _)| from <= *d && *d <= to)
        .map(|(_, p)| p)
        .sum()
}

// ---- generators ---------------------------------------------------------------------

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn start_dates() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        2 => prop::sample::select(vec![
            date("2020-02-29"),
            date("2024-02-29"),
            date("2028-02-29"),
            date("2023-02-28"),
            date("2024-01-31"),
            date("2023-03-01"),
        ]),
        5 => (0u64..3653).prop_map(|d| date("2019-01-01") + Days::new(d)),
    ]
}

fn deals() -> impl Strategy<Value = Deal> {
    (
        start_dates(),
        1u64..=1830,
        prop_oneof![0i64..=1_000, 0i64..=1_000_000_000_000],
        prop_oneof![
            Just(0i64),
            Just(300),
            Just(250),
            Just(10_000),
            0i64..=10_000
        ],
        prop::sample::select(vec!["USD", "JPY", "BHD"]),
        prop::sample::select(BillingFrequency::ALL.to_vec()),
    )
        .prop_map(|(start, len, base, hundredths, currency, billing)| Deal {
            start,
            end: start + Days::new(len - 1),
            base,
            hundredths,
            currency,
            billing,
        })
}

/// Cut points within the term, sorted, as day offsets from the start.
fn cuts() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..1830, 0..8)
}

// ---- the properties -----------------------------------------------------------------

/// Everything the schedule says, checked against the oracle.
fn check(deal: &Deal, cut_offsets: &[u64], termination_offset: u64) {
    let s = deal.schedule();
    let years = oracle(deal);
    let parts = daily_parts(&years);
    let total: i64 = years.iter().map(|y| y.fee).sum();

    // Contract years and fees.
    assert_eq!(s.years().len(), years.len());
    for (got, want) in s.years().iter().zip(&years) {
        assert_eq!(got.year.first, want.first);
        assert_eq!(got.year.last, *want.days.last().unwrap());
        assert_eq!(i64::from(got.year.days), want.days.len() as i64);
        assert_eq!(i64::from(got.year.full_days), want.full_days);
        assert_eq!(got.fee.minor, want.fee, "year {}", got.year.k);
    }
    assert_eq!(s.total().minor, total);

    // Installments sum to each year's fee, cover the term without gap or overlap,
    // and are split by the rule (no two of a year differ by more than 1).
    let installments = s.installments();
    for (k, want) in years.iter().enumerate() {
        let of_year: Vec<i64> = installments
            .iter()
            .filter(|i| i.year as usize == k)
            .map(|i| i.amount.minor)
            .collect();
        assert_eq!(of_year.iter().sum::<i64>(), want.fee, "year {k}");
        let (lo, hi) = (of_year.iter().min().unwrap(), of_year.iter().max().unwrap());
        assert!(hi - lo <= 1, "year {k}: {of_year:?}");
    }
    assert_eq!(installments[0].period_first, deal.start);
    assert_eq!(installments.last().unwrap().period_last, deal.end);
    for pair in installments.windows(2) {
        assert_eq!(pair[0].period_last + Days::new(1), pair[1].period_first);
    }
    for i in &installments {
        assert_eq!(i.issue_date, i.period_first);
        assert_eq!(i.due_date, i.issue_date + Days::new(30));
        assert!(i.count <= deal.billing.periods_per_year());
    }

    // Recognition: the whole term (and beyond) is the total; each range between
    // random cut points is the oracle's day-by-day sum, and the ranges add up.
    assert_eq!(s.recognized(deal.start, deal.end).minor, total);
    assert_eq!(
        s.recognized(deal.start - Days::new(400), deal.end + Days::new(400))
            .minor,
        total
    );
    let mut points: Vec<NaiveDate> = cut_offsets
        .iter()
        .map(|&o| deal.start + Days::new(o))
        .filter(|d| *d <= deal.end)
        .collect();
    points.push(deal.start);
    points.push(deal.end + Days::new(1));
    points.sort();
    points.dedup();
    let mut sum = 0;
    for w in points.windows(2) {
        let (from, to) = (w[0], w[1] - Days::new(1));
        let got = s.recognized(from, to).minor;
        assert_eq!(got, sum_days(&parts, from, to), "{from}..={to}");
        sum += got;
    }
    assert_eq!(sum, total);

    // Deferred = billed through a date - recognized through it.
    for &d in &points {
        let billed: i64 = installments
            .iter()
            .filter(|i| i.issue_date <= d)
            .map(|i| i.amount.minor)
            .sum();
        let recognized = sum_days(&parts, deal.start, d);
        assert_eq!(s.billed_through(d).minor, billed);
        assert_eq!(s.deferred_at(d).minor, billed - recognized, "at {d}");
    }

    // Termination on T: nothing issued after T, nothing recognized after T, each day
    // up to T keeps its part; unearned + earned = each installment.
    let t = deal.start + Days::new(termination_offset);
    let cut = s.clone().terminated_on(t);
    let kept: Vec<_> = installments
        .iter()
        .filter(|i| i.issue_date <= t)
        .copied()
        .collect();
    assert_eq!(cut.installments(), kept);
    assert_eq!(
        cut.recognized_through(deal.end + Days::new(400)).minor,
        sum_days(&parts, deal.start, t)
    );
    for i in &installments {
        let unearned = i.unearned_after(t).minor;
        let n = i128::from(i.days());
        let a = i128::from(i.amount.minor);
        let oracle_unearned: i64 = (0..n)
            .filter(|&j| i.period_first + Days::new(j as u64) > t)
            .map(|j| (floor_div(a * (j + 1), n) - floor_div(a * j, n)) as i64)
            .sum();
        assert_eq!(unearned, oracle_unearned, "{i:?} after {t}");
        assert!(0 <= unearned && unearned <= i.amount.minor);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn schedules_agree_with_the_day_by_day_oracle(
        deal in deals(),
        cut_offsets in cuts(),
        termination_offset in 0u64..1900,
    ) {
        check(&deal, &cut_offsets, termination_offset);
    }

    #[test]
    fn any_split_sums_to_its_total(total in any::<i64>(), n in 1u32..5000) {
        let parts = split(total, n);
        prop_assert_eq!(parts.len(), n as usize);
        prop_assert_eq!(parts.iter().map(|&p| i128::from(p)).sum::<i128>(), i128::from(total));
        let (lo, hi) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
        prop_assert!(i128::from(*hi) - i128::from(*lo) <= 1);
    }

    #[test]
    fn major_units_round_trip(minor in 0i64..=i64::MAX, code in prop::sample::select(vec!["USD", "JPY", "BHD", "CLF"])) {
        let currency = Currency::parse("currency", code).unwrap();
        let m = Money::new(minor, currency);
        prop_assert_eq!(Money::parse_major("amount", &m.major(), currency).unwrap(), m);
    }
}

fn pinned(start: &str, end: &str, base: i64, hundredths: i64, currency: &'static str) -> Deal {
    Deal {
        start: date(start),
        end: date(end),
        base,
        hundredths,
        currency,
        billing: BillingFrequency::Quarterly,
    }
}

#[test]
fn pinned_leap_days_partial_years_and_currencies() {
    let deals = [
        // The issue's example.
        pinned("2024-02-01", "2027-01-31", 6_000_000_000, 300, "USD"),
        // A Feb 29 start: anniversaries on Feb 28, and Feb 29 again in 2028.
        pinned("2024-02-29", "2028-03-15", 1_000_000, 250, "JPY"),
        // A partial final year of one day, in fils.
        pinned("2023-03-01", "2024-03-01", 12_345_678, 10_000, "BHD"),
        // A one-day term.
        pinned("2024-02-29", "2024-02-29", 999, 0, "USD"),
        // A fee too small to reach every day.
        pinned("2023-01-01", "2025-06-30", 7, 300, "JPY"),
    ];
    for deal in &deals {
        for billing in BillingFrequency::ALL {
            let deal = Deal {
                billing,
                ..deal.clone()
            };
            check(&deal, &[0, 59, 60, 365, 366, 700], 400);
        }
    }
    let s = deals[0].schedule();
    assert_eq!(
        s.recognized(date("2024-01-01"), date("2024-12-31")).minor,
        5_491_803_278
    );
    let amounts: Vec<i64> = s.installments().iter().map(|i| i.amount.minor).collect();
    assert_eq!(amounts[..4], [1_500_000_000; 4]);
    assert_eq!(amounts[4..8], [1_545_000_000; 4]);
    assert_eq!(amounts[8..], [1_591_350_000; 4]);
    let partial = deals[2].schedule();
    let last = partial.years().last().unwrap();
    assert_eq!((last.year.days, last.year.full_days), (1, 365));
    // 12,345,678 x 2 = 24,691,356 fils for the second year; 1/365 of it = 67,647.55 -> 67,648.
    assert_eq!(last.fee.minor, 67_648);
}

#[test]
fn parsing_refusals_name_their_field() {
    let usd = Currency::parse("currency", "USD").unwrap();
    for (text, says) in [
        ("-5.00", "negative"),
        ("five", "not a number"),
        ("1.005", "USD has 2 decimals: 1.005 has 3"),
    ] {
        let e = Money::parse_major("annual_fee", text, usd).unwrap_err();
        assert_eq!(e.field, "annual_fee");
        assert!(e.message.contains(says), "{text}: {}", e.message);
    }
    let e = Currency::parse("currency", "ABC").unwrap_err();
    assert_eq!(e.field, "currency");
    let e = Currency::parse("currency", "XAU").unwrap_err();
    assert!(e.message.contains("no minor unit"), "{}", e.message);
    let e = Escalator::parse("escalator", "100.5").unwrap_err();
    assert_eq!(e.field, "escalator");
    assert!(e.message.contains("over 100%"), "{}", e.message);
}

proptest! {
    #[test]
    fn money_parsers_never_panic(text in any::<String>(), code in "[A-Za-z]{0,4}") {
        let _ = Currency::parse("currency", &code);
        let _ = Currency::parse("currency", &text);
        let _ = Escalator::parse("escalator", &text);
        for c in ["USD", "JPY", "BHD", "CLF"] {
            let currency = Currency::parse("currency", c).unwrap();
            let _ = Money::parse_major("amount", &text, currency);
        }
        let cell = consentry::model::spreadsheet::csv_cell(&text);
        prop_assert!(cell.ends_with(text.as_str()));
    }

    #[test]
    fn numbers_that_look_like_numbers_parse_or_are_refused_cleanly(
        whole in "[0-9]{1,30}",
        fraction in proptest::option::of("[0-9]{1,30}"),
    ) {
        let text = match &fraction {
            Some(f) => format!("{whole}.{f}"),
            None => whole.clone(),
        };
        let usd = Currency::parse("currency", "USD").unwrap();
        match Money::parse_major("amount", &text, usd) {
            Ok(m) => {
                // Exact: printing it back gives the same number, trailing zeros aside.
                let printed = m.major();
                let trim = |s: &str| -> String {
                    let (w, f) = s.split_once('.').unwrap_or((s, ""));
                    let w = w.trim_start_matches('0');
                    let f = f.trim_end_matches('0');
                    format!("{}.{f}", if w.is_empty() { "0" } else { w })
                };
                prop_assert_eq!(trim(&printed), trim(&text));
            }
            Err(e) => prop_assert_eq!(e.field, "amount"),
        }
    }
}
