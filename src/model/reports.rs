//! The finance reports (PRODUCT.md §5, issue 9): revenue by period, deferred revenue and
//! receivables at a date, the aging of open invoices, each optionally in a base currency
//! through the user's FX-rate table, and their CSV exports. Pure: the caller gives each
//! deal's fee schedule, invoices, credit notes, payments and usage fees, as records
//! ([`DealBooks`]) or row by row as a store reads them ([`Books`], borrowing each row's
//! text so that reading the books copies nothing per row), and the FX rates
//! ([`FxTable`]); nothing here reads the store, a file or the clock.
//!
//! What this module guarantees:
//! - **Exact.** Amounts are integer minor units summed in i128 and refused (never
//!   wrapped) when a sum leaves i64; conversions multiply by the rate's exact decimal
//!   with big integers and round once, half to even, to the target's minor units.
//! - **Rows add up.** Revenue rows of a deal over any set of periods sum to what the
//!   same rules give for their union (ratable recognition is [`FeeSchedule::recognized`],
//!   additive over adjacent ranges), so months sum to their quarter and year, and
//!   `totals` is the sum of the rows. Base-currency totals are the sums of the rows'
//!   converted amounts (each row rounded once), so they too equal the sum of the rows.
//! - **Linear.** `revenue` visits each deal once: the periods that overlap its term
//!   (each summed in O(contract years) by [`FeeSchedule::recognized`], a handful for any
//!   real term), then each invoice, credit note, payment and usage fee once, placed in
//!   its period by calendar arithmetic in O(1), into a cell per period (deals are
//!   visited by id, so the non-empty cells come out in row order with no sort). So
//!   O(deals x periods + invoices + credits + payments), with no loop over days;
//!   `deferred` and `aging` are O(deals x contract years + invoices + credits +
//!   payments). On the finance benchmark's books (bench/README.md: 1,000 deals, 54,516
//!   invoices, 41,262 payments) the monthly revenue report computes in about 15 ms, a
//!   sixth of the command; reading the books takes most of the rest.
//! - **A missing FX rate is an error** that names the pair and the date
//!   ([`FxError::MissingRate`]), never a silent zero.
//! - **CSV cells are neutralized** through [`spreadsheet::csv_cell`] (partner names such
//!   as `=HYPERLINK(...)` stay text) and quoted by the `csv` crate.
//!
//! Decisions, where the issue and PRODUCT.md are silent:
//! - **Periods** (`month`, `quarter`, `year`) are calendar-aligned and clipped to
//!   `from..=to`: `--from 2024-02-15 --group quarter` starts with 2024-Q1 covering
//!   2024-02-15..2024-03-31. Labels: `2024-02`, `2024-Q1`, `2024`.
//! - **A row per (period, deal)**; rows whose recognized, billed and collected are all 0
//!   are left out. Rows are ordered by period, then deal id. The deal filter (`--deal`)
//!   is the caller's: it passes the books of that deal only.
//! - **Recognized.** Ratable: [`FeeSchedule::recognized`] over the period (the schedule
//!   is already truncated at a termination). Point-in-time: each installment of the
//!   schedule on its issue date (the schedule, not the invoices, as for ratable deals:
//!   a report does not change because an invoice was generated late or voided and
//!   re-issued). Usage fees of either kind on their delivery date. For a point-in-time
//!   deal terminated on T, what its installments billed for days after T
//!   ([`Installment::unearned_after`]) is reversed on T, as a negative recognition: no
//!   earlier period is restated, and the deal's total is what it earned.
//! - **Billed** in a period: non-void invoices of any kind issued in it, minus credit
//!   notes (on non-void invoices) issued in it. **Collected**: every payment received in
//!   it (cash is cash, whatever became of its invoice).
//! - **Void invoices** count nowhere: a void cancels the invoice from its issue (a
//!   correction that must be dated is a credit note), so a report of a past date changes
//!   when an invoice is voided later. Their credit notes are ignored too.
//! - **Deferred at D** (end of day D) = billed through D (net of credits) - recognized
//!   through D. **Receivable at D** = the sum over non-void invoices issued by D of
//!   amount - credits - payments dated by D; an overpaid invoice lowers it (the sum is
//!   not clamped), so receivable = billed - collected on non-void invoices.
//! - **Owed back** (a deal terminated on T <= D): for each non-void `installment`
//!   invoice, what it billed for days after T (its amount split over its period's days,
//!   the parts after T: the rule of [`Installment::unearned_after`], applied to the
//!   invoice's own period and amount) minus the credit notes on it dated by D, never
//!   below 0 per invoice. Usage, delivery and minimum invoices are not prorated.
//! - **Aging at D**: each non-void invoice issued by D whose balance (amount - credits -
//!   payments dated by D) is positive, bucketed by D - due date in days: 0 or less is
//!   `current` (the due date itself is not late), then `1-30`, `31-60`, `61-90`,
//!   `over_90`.
//! - **Base currency.** A rate row says 1 `from` = `rate` `to` on a day; converting
//!   uses the latest row dated on or before the day, for the pair or its inverse (then
//!   dividing by the rate; when both directions exist the later row wins, the direct
//!   pair on a tie). There is no staleness limit. A revenue row converts at its
//!   period's last day (clipped to `to`); deferred and aging convert at their date. An
//!   amount already in the base currency needs no rate.
//! - **CSV**: a header and one line per row; each amount twice, minor units
//!   (`recognized_minor`) and major-unit text (`recognized`); base-currency columns only
//!   when a base was asked for; no total lines (a spreadsheet sums the columns).

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{Datelike, NaiveDate};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, LineError, Problems, Result};
use crate::model::calendar::{parse_date, serialize_date, FIRST_YEAR, LAST_YEAR};
use crate::model::deal::DealId;
use crate::model::fees::{FeeSchedule, Installment, Recognition, UsageFee};
use crate::model::finance::{CreditNote, InvoiceId, InvoiceRecord, Payment};
use crate::model::money::{parse_decimal, Currency, Money};
use crate::model::spreadsheet::csv_cell;
use crate::model::text::printable;

// ---- inputs -------------------------------------------------------------------------

/// Everything the reports need of one deal, loaded by the caller.
#[derive(Debug, Clone, Copy)]
pub struct DealBooks<'a> {
    /// The deal.
    pub deal_id: DealId,
    /// Its partner's name (the revenue chart stacks by it).
    pub partner_name: &'a str,
    /// Its fee schedule, truncated at its termination (`finance::schedule_of`); its
    /// currency is the deal's, and every invoice, usage fee, credit and payment must be
    /// in it.
    pub schedule: &'a FeeSchedule,
    /// How its fees become revenue.
    pub recognition: Recognition,
    /// Its invoices, void ones included (they are skipped).
    pub invoices: &'a [InvoiceRecord],
    /// The credit notes on those invoices.
    pub credits: &'a [CreditNote],
    /// The payments of those invoices.
    pub payments: &'a [Payment],
    /// Its point-in-time usage fees, on their delivery dates.
    pub usage: &'a [UsageFee],
}

/// What the reports need of a deal besides its invoices, credit notes, payments and
/// usage fees: the start of its [`Books`]. Owned (a store's read) or borrowed.
#[derive(Debug, Clone)]
pub struct DealTerms<'a> {
    /// The deal.
    pub deal_id: DealId,
    /// Its partner's name.
    pub partner_name: Cow<'a, str>,
    /// Its fee schedule, truncated at its termination (as in [`DealBooks`]).
    pub schedule: Cow<'a, FeeSchedule>,
    /// How its fees become revenue.
    pub recognition: Recognition,
}

/// An invoice as the reports read it: the columns they use, borrowed from a store's row
/// or from an [`InvoiceRecord`], so that reading the books copies no text per row. Its
/// dates are parsed and checked once, when it joins the [`Books`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceRow<'a> {
    /// The invoice.
    pub id: InvoiceId,
    /// Its deal.
    pub deal_id: DealId,
    /// `INV-2024-0001`.
    pub number: &'a str,
    /// `installment`, `delivery`, `usage` or `minimum`.
    pub kind: &'a str,
    /// ISO 4217 code, as stored.
    pub currency: &'a str,
    /// The amount billed, minor units.
    pub amount_minor: i64,
    /// The first day it bills for, `YYYY-MM-DD`.
    pub period_start: &'a str,
    /// The last day it bills for, `YYYY-MM-DD`.
    pub period_end: &'a str,
    /// `YYYY-MM-DD`.
    pub issue_date: &'a str,
    /// `YYYY-MM-DD`.
    pub due_date: &'a str,
    /// Whether it was voided.
    pub void: bool,
}

impl<'a> From<&'a InvoiceRecord> for InvoiceRow<'a> {
    fn from(r: &'a InvoiceRecord) -> InvoiceRow<'a> {
        InvoiceRow {
            id: r.id,
            deal_id: r.deal_id,
            number: &r.number,
            kind: &r.kind,
            currency: &r.currency,
            amount_minor: r.amount_minor,
            period_start: &r.period_start,
            period_end: &r.period_end,
            issue_date: &r.issue_date,
            due_date: &r.due_date,
            void: r.voided_at.is_some(),
        }
    }
}

/// A payment as the reports read it (borrowed, as [`InvoiceRow`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentRow<'a> {
    /// The payment.
    pub id: i64,
    /// The invoice it pays.
    pub invoice_id: InvoiceId,
    /// Minor units.
    pub amount_minor: i64,
    /// `YYYY-MM-DD`.
    pub paid_on: &'a str,
}

impl<'a> From<&'a Payment> for PaymentRow<'a> {
    fn from(p: &'a Payment) -> PaymentRow<'a> {
        PaymentRow {
            id: p.id,
            invoice_id: p.invoice_id,
            amount_minor: p.amount_minor,
            paid_on: &p.paid_on,
        }
    }
}

/// A credit note as the reports read it (borrowed, as [`InvoiceRow`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditRow<'a> {
    /// `CN-2024-0001`.
    pub number: &'a str,
    /// The invoice it credits.
    pub invoice_id: InvoiceId,
    /// Minor units.
    pub amount_minor: i64,
    /// `YYYY-MM-DD`.
    pub issued_on: &'a str,
}

impl<'a> From<&'a CreditNote> for CreditRow<'a> {
    fn from(c: &'a CreditNote) -> CreditRow<'a> {
        CreditRow {
            number: &c.number,
            invoice_id: c.invoice_id,
            amount_minor: c.amount_minor,
            issued_on: &c.issued_on,
        }
    }
}

/// How revenue rows are grouped: calendar months, quarters or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    /// Calendar months: `2024-02`.
    Month,
    /// Calendar quarters: `2024-Q1`.
    Quarter,
    /// Calendar years: `2024`.
    Year,
}

impl Grouping {
    /// Every grouping.
    pub const ALL: [Grouping; 3] = [Grouping::Month, Grouping::Quarter, Grouping::Year];

    /// The token flags and JSON use.
    pub fn token(self) -> &'static str {
        match self {
            Grouping::Month => "month",
            Grouping::Quarter => "quarter",
            Grouping::Year => "year",
        }
    }

    /// The calendar unit `date` lies in, numbered continuously (months since year 0 ...).
    fn unit(self, date: NaiveDate) -> i64 {
        let (y, m0) = (i64::from(date.year()), i64::from(date.month0()));
        match self {
            Grouping::Month => y * 12 + m0,
            Grouping::Quarter => y * 4 + m0 / 3,
            Grouping::Year => y,
        }
    }

    /// The first day of unit `u`.
    fn unit_start(self, u: i64) -> Option<NaiveDate> {
        let (y, month) = match self {
            Grouping::Month => (u.div_euclid(12), u.rem_euclid(12) + 1),
            Grouping::Quarter => (u.div_euclid(4), u.rem_euclid(4) * 3 + 1),
            Grouping::Year => (u, 1),
        };
        NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, month as u32, 1)
    }

    fn label(self, u: i64) -> String {
        match self {
            Grouping::Month => format!("{:04}-{:02}", u.div_euclid(12), u.rem_euclid(12) + 1),
            Grouping::Quarter => format!("{:04}-Q{}", u.div_euclid(4), u.rem_euclid(4) + 1),
            Grouping::Year => format!("{u:04}"),
        }
    }
}

impl std::str::FromStr for Grouping {
    type Err = FieldError;

    /// A token, for the field `group`.
    fn from_str(s: &str) -> std::result::Result<Self, FieldError> {
        crate::model::text::one_of("group", "grouping", &Grouping::ALL, Grouping::token, s)
    }
}

/// What `finance revenue` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevenueQuery {
    /// The first day reported.
    pub from: NaiveDate,
    /// The last day reported (inclusive).
    pub to: NaiveDate,
    /// How rows are grouped.
    pub group: Grouping,
    /// The currency totals are converted to, if any.
    pub base: Option<Currency>,
}

// ---- FX rates -----------------------------------------------------------------------

/// One row of the user's FX-rate table, as stored and listed: on `on_date`, one unit of
/// `from_currency` is worth `rate` units of `to_currency` (exact decimal text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FxRate {
    /// `YYYY-MM-DD`.
    pub on_date: String,
    /// ISO 4217 code.
    pub from_currency: String,
    /// ISO 4217 code.
    pub to_currency: String,
    /// Units of `to_currency` per unit of `from_currency`, exact decimal text, > 0.
    pub rate: String,
}

/// What `fx set` takes (and each line of an FX-rate CSV): the fields name the flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FxRateInput {
    /// `YYYY-MM-DD`, in the term years.
    pub date: String,
    /// ISO 4217 code converted from.
    pub from: String,
    /// ISO 4217 code converted to.
    pub to: String,
    /// Units of `to` per unit of `from`: digits with an optional decimal point, > 0.
    pub rate: String,
}

impl FxRateInput {
    /// Checks every field, each problem naming its field (`date`, `from`, `to`,
    /// `rate`), and returns the row to store: codes upper-cased, the rate as typed
    /// (trimmed; `0.920` stays `0.920`).
    pub fn validate(&self) -> Result<FxRate> {
        let mut problems = Problems::default();
        let date = problems.take(crate::model::calendar::parse_term_date("date", &self.date));
        let from = problems.take(Currency::parse("from", &self.from));
        let to = problems.take(Currency::parse("to", &self.to));
        problems.take(parse_rate("rate", &self.rate));
        if let (Some(f), Some(t)) = (from, to) {
            if f == t {
                problems.add(
                    "to",
                    format!("a rate converts between two currencies: from and to are both {f}"),
                );
            }
        }
        problems.into_result()?;
        Ok(FxRate {
            on_date: date.expect("checked").to_string(),
            from_currency: from.expect("checked").code().to_string(),
            to_currency: to.expect("checked").code().to_string(),
            rate: self.rate.trim().to_string(),
        })
    }
}

/// A positive exact decimal.
fn parse_rate(field: &str, text: &str) -> std::result::Result<Decimal, FieldError> {
    let rate = parse_decimal(field, text)?;
    if rate.is_zero() {
        return Err(FieldError::new(
            field,
            "a rate of 0 would make every converted amount 0: it must be more than 0",
        ));
    }
    Ok(rate)
}

/// The rows of an FX-rate CSV file (`fx import`): a header naming the columns `date`,
/// `from`, `to` and `rate` (in any order, other columns ignored, names in any case),
/// then one rate a line. Every bad line is reported at once ([`Error::BadLines`], line
/// numbers 1-based counting the header), as is a missing column; a file with a bad line
/// yields nothing. Two lines for the same date and pair are refused (the table holds
/// one rate per date and pair).
pub fn fx_rates_from_csv(file: &str, bytes: &[u8]) -> Result<Vec<FxRate>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header_error = |message: String| Error::BadLines {
        file: printable(file).into_owned(),
        total: 1,
        rows: None,
        lines: vec![LineError { line: 1, message }],
    };
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("unreadable header: {e}")))?
        .clone();
    let column = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let columns: Vec<Option<usize>> = ["date", "from", "to", "rate"]
        .iter()
        .map(|n| column(n))
        .collect();
    let missing: Vec<&str> = ["date", "from", "to", "rate"]
        .iter()
        .zip(&columns)
        .filter(|(_, c)| c.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(header_error(format!(
            "the header must name the columns date, from, to and rate; missing: {}",
            missing.join(", ")
        )));
    }
    let at = |record: &csv::StringRecord, i: usize| {
        columns[i]
            .and_then(|c| record.get(c))
            .unwrap_or("")
            .to_string()
    };
    let mut rates = Vec::new();
    let mut bad: Vec<LineError> = Vec::new();
    let mut total = 0u64;
    let mut seen: HashMap<(String, String, String), u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        // The record's first line (a quoted field may span lines); else by count.
        let line = match &record {
            Ok(r) => r.position().map(|p| p.line()),
            Err(e) => e.position().map(|p| p.line()),
        }
        .unwrap_or(i as u64 + 2);
        let mut fail = |message: String| {
            total += 1;
            if bad.len() < 100 {
                bad.push(LineError { line, message });
            }
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                fail(format!("unreadable: {e}"));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let input = FxRateInput {
            date: at(&record, 0),
            from: at(&record, 1),
            to: at(&record, 2),
            rate: at(&record, 3),
        };
        match input.validate() {
            Ok(rate) => {
                let key = (
                    rate.on_date.clone(),
                    rate.from_currency.clone(),
                    rate.to_currency.clone(),
                );
                if let Some(first) = seen.insert(key, line) {
                    fail(format!(
                        "a second {}→{} rate on {} (the first is on line {first})",
                        rate.from_currency, rate.to_currency, rate.on_date
                    ));
                } else {
                    rates.push(rate);
                }
            }
            Err(Error::Invalid(fields)) => fail(
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Err(other) => fail(other.to_string()),
        }
    }
    if total > 0 {
        return Err(Error::BadLines {
            file: printable(file).into_owned(),
            total,
            rows: None,
            lines: bad,
        });
    }
    Ok(rates)
}

/// Why an amount could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    /// No rate for the pair (in either direction) dated on or before the day.
    #[error(
        "no {from}→{to} rate on or before {on}: add a {from}→{to} (or {to}→{from}) rate dated \
         {on} or earlier to the FX-rate table"
    )]
    MissingRate {
        /// Converted from.
        from: Currency,
        /// Converted to.
        to: Currency,
        /// The day the rate was needed for.
        on: NaiveDate,
    },
    /// The converted amount does not fit in 64-bit minor units.
    #[error("{amount} converted to {to} is too large to hold")]
    TooLarge {
        /// What was converted.
        amount: Money,
        /// Into what.
        to: Currency,
    },
}

impl From<FxError> for Error {
    /// A conversion failure is a refusal of the request's base currency (`base`).
    fn from(e: FxError) -> Error {
        Error::invalid("base", e.to_string())
    }
}

/// The rate a conversion used: the table's row, and whether it was divided by (the row
/// is for the inverse pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppliedRate {
    /// The row's date.
    #[serde(serialize_with = "serialize_date")]
    pub on_date: NaiveDate,
    /// The row's `from_currency`.
    pub from_currency: String,
    /// The row's `to_currency`.
    pub to_currency: String,
    /// The row's rate, as stored.
    pub rate: String,
    /// True when the row is for the inverse pair, so amounts were divided by the rate.
    pub inverted: bool,
}

#[derive(Debug, Clone)]
struct RateRow {
    on: NaiveDate,
    rate: Decimal,
    text: String,
}

/// The user's FX-rate table, indexed by pair and date for lookups in O(log rates).
#[derive(Debug, Clone, Default)]
pub struct FxTable {
    /// Per (from, to): rows sorted by date (the last of equal dates wins).
    pairs: HashMap<(Currency, Currency), Vec<RateRow>>,
}

impl FxTable {
    /// The table of `rows` (as stored); a row that does not check (a tampered store) is
    /// an error naming it.
    pub fn new(rows: &[FxRate]) -> Result<FxTable> {
        let mut pairs: HashMap<(Currency, Currency), Vec<RateRow>> = HashMap::new();
        for row in rows {
            let checked = FxRateInput {
                date: row.on_date.clone(),
                from: row.from_currency.clone(),
                to: row.to_currency.clone(),
                rate: row.rate.clone(),
            }
            .validate()
            .map_err(|e| {
                Error::invalid(
                    "fx_rates",
                    format!(
                        "the stored rate {} {}→{} {} does not check: {e}",
                        printable(&row.on_date),
                        printable(&row.from_currency),
                        printable(&row.to_currency),
                        printable(&row.rate)
                    ),
                )
            })?;
            let from = Currency::parse("from", &checked.from_currency).expect("checked");
            let to = Currency::parse("to", &checked.to_currency).expect("checked");
            pairs.entry((from, to)).or_default().push(RateRow {
                on: parse_date("date", &checked.on_date).expect("checked"),
                rate: parse_rate("rate", &checked.rate).expect("checked"),
                text: checked.rate,
            });
        }
        for rows in pairs.values_mut() {
            rows.sort_by_key(|r| r.on);
        }
        Ok(FxTable { pairs })
    }

    /// The latest row for (from, to) dated on or before `on`.
    fn latest(&self, from: Currency, to: Currency, on: NaiveDate) -> Option<&RateRow> {
        let rows = self.pairs.get(&(from, to))?;
        let n = rows.partition_point(|r| r.on <= on);
        n.checked_sub(1).map(|i| &rows[i])
    }

    /// The row to convert `from` into `to` on `on` with, and whether it is the
    /// inverse pair's.
    fn lookup(
        &self,
        from: Currency,
        to: Currency,
        on: NaiveDate,
    ) -> std::result::Result<(&RateRow, bool), FxError> {
        let direct = self.latest(from, to, on);
        let inverse = self.latest(to, from, on);
        match (direct, inverse) {
            (Some(d), Some(i)) if i.on > d.on => Ok((i, true)),
            (Some(d), _) => Ok((d, false)),
            (None, Some(i)) => Ok((i, true)),
            (None, None) => Err(FxError::MissingRate { from, to, on }),
        }
    }

    /// The rate row for converting `from` into `to` on `on`: the latest on or before it,
    /// the pair's own or its inverse's (the later of the two; the pair's own on a tie).
    pub fn rate(
        &self,
        from: Currency,
        to: Currency,
        on: NaiveDate,
    ) -> std::result::Result<AppliedRate, FxError> {
        let (row, inverted) = self.lookup(from, to, on)?;
        Ok(applied(row, from, to, inverted))
    }

    /// `amount` in `to` on `on`, rounded half to even to `to`'s minor units; `None` as
    /// the rate when no conversion was needed (same currency).
    pub fn convert_with_rate(
        &self,
        amount: Money,
        to: Currency,
        on: NaiveDate,
    ) -> std::result::Result<(Money, Option<AppliedRate>), FxError> {
        if amount.currency == to {
            return Ok((amount, None));
        }
        let (row, inverted) = self.lookup(amount.currency, to, on)?;
        let converted = convert_exact(amount, to, row.rate, inverted)?;
        Ok((converted, Some(applied(row, amount.currency, to, inverted))))
    }

    /// Amounts of one currency in `to` on `on`, each as [`FxTable::convert_with_rate`]
    /// would convert it, with the one rate looked up (for the several amounts of a
    /// report row).
    fn convert_all<const N: usize>(
        &self,
        amounts: [Money; N],
        to: Currency,
        on: NaiveDate,
    ) -> std::result::Result<([Money; N], Option<AppliedRate>), FxError> {
        let Some(from) = amounts.first().map(|a| a.currency).filter(|&c| c != to) else {
            return Ok((amounts, None));
        };
        debug_assert!(amounts.iter().all(|a| a.currency == from));
        let (row, inverted) = self.lookup(from, to, on)?;
        let mut converted = amounts;
        for (out, amount) in converted.iter_mut().zip(amounts) {
            *out = convert_exact(amount, to, row.rate, inverted)?;
        }
        Ok((converted, Some(applied(row, from, to, inverted))))
    }

    /// `amount` in `to` on `on` ([`FxTable::convert_with_rate`] without the rate).
    pub fn convert(
        &self,
        amount: Money,
        to: Currency,
        on: NaiveDate,
    ) -> std::result::Result<Money, FxError> {
        self.convert_with_rate(amount, to, on).map(|(m, _)| m)
    }
}

/// What a conversion from `from` to `to` used.
fn applied(row: &RateRow, from: Currency, to: Currency, inverted: bool) -> AppliedRate {
    let (f, t) = if inverted { (to, from) } else { (from, to) };
    AppliedRate {
        on_date: row.on,
        from_currency: f.code().to_string(),
        to_currency: t.code().to_string(),
        rate: row.text.clone(),
        inverted,
    }
}

/// amount x rate (or / rate when `inverted`), moved from the amount's minor units to
/// `to`'s, rounded half to even once. Exact: in i128 when every product fits (any real
/// amount and rate), else in big integers.
fn convert_exact(
    amount: Money,
    to: Currency,
    rate: Decimal,
    inverted: bool,
) -> std::result::Result<Money, FxError> {
    let shift = (amount.currency.exponent(), to.exponent());
    convert_i128(amount.minor, rate, inverted, shift)
        .unwrap_or_else(|| convert_big(amount.minor, rate, inverted, shift))
        .map(|minor| Money::new(minor, to))
        .ok_or(FxError::TooLarge { amount, to })
}

// rate = mantissa / 10^scale; value_major = minor / 10^ef; result_minor =
// value_major x rate x 10^et. `shift` is (ef, et); the result is `None` when it does not
// fit in i64.

/// [`convert_exact`] in i128; `None` when a product does not fit.
fn convert_i128(
    minor: i64,
    rate: Decimal,
    inverted: bool,
    (ef, et): (u32, u32),
) -> Option<Option<i64>> {
    let scale = 10i128.checked_pow(rate.scale())?;
    let (rate_num, rate_den) = if inverted {
        (scale, rate.mantissa())
    } else {
        (rate.mantissa(), scale)
    };
    let mut numerator = i128::from(minor).checked_mul(rate_num)?;
    let mut denominator = rate_den;
    if et >= ef {
        numerator = numerator.checked_mul(10i128.checked_pow(et - ef)?)?;
    } else {
        denominator = denominator.checked_mul(10i128.checked_pow(ef - et)?)?;
    }
    // numerator / denominator (denominator > 0) to the nearest integer, a tie to the even.
    debug_assert!(denominator > 0);
    let (quotient, remainder) = (
        numerator.div_euclid(denominator),
        numerator.rem_euclid(denominator),
    );
    let rounded = match remainder.cmp(&(denominator - remainder)) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient.checked_add(1)?,
        std::cmp::Ordering::Equal if quotient % 2 != 0 => quotient.checked_add(1)?,
        std::cmp::Ordering::Equal => quotient,
    };
    Some(i64::try_from(rounded).ok())
}

/// [`convert_exact`] in big integers.
fn convert_big(minor: i64, rate: Decimal, inverted: bool, (ef, et): (u32, u32)) -> Option<i64> {
    let mantissa = BigInt::from(rate.mantissa());
    let scale = BigInt::from(10).pow(rate.scale());
    let (rate_num, rate_den) = if inverted {
        (scale, mantissa)
    } else {
        (mantissa, scale)
    };
    let mut numerator = BigInt::from(minor) * rate_num;
    let mut denominator = rate_den;
    if et >= ef {
        numerator *= BigInt::from(10).pow(et - ef);
    } else {
        denominator *= BigInt::from(10).pow(ef - et);
    }
    round_half_even_big(numerator, &denominator)
}

/// numerator / denominator (denominator > 0) to the nearest integer, a tie to the even.
fn round_half_even_big(numerator: BigInt, denominator: &BigInt) -> Option<i64> {
    debug_assert!(denominator.is_positive());
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

// ---- a deal's books, checked --------------------------------------------------------

/// An invoice with its dates parsed.
struct Bill {
    id: InvoiceId,
    /// Where its number is in its ledger's `numbers`.
    number: std::ops::Range<usize>,
    installment: bool,
    amount_minor: i64,
    issue: NaiveDate,
    due: NaiveDate,
    period_first: NaiveDate,
    period_last: NaiveDate,
    void: bool,
}

impl Bill {
    /// What it billed for days after `termination`, by [`Installment::unearned_after`]
    /// on its own period and amount; 0 but for installment invoices.
    fn unearned_after(&self, currency: Currency, termination: NaiveDate) -> i64 {
        if !self.installment || self.period_last < self.period_first {
            return 0;
        }
        Installment {
            year: 0,
            index: 0,
            count: 1,
            period_first: self.period_first,
            period_last: self.period_last,
            issue_date: self.issue,
            due_date: self.due,
            amount: Money::new(self.amount_minor, currency),
        }
        .unearned_after(termination)
        .minor
    }
}

/// A credit note or a payment: its day, its invoice (index into the bills), amount.
#[derive(Clone, Copy)]
struct Movement {
    on: NaiveDate,
    bill: usize,
    minor: i64,
}

/// A deal's books with every date parsed and every reference checked.
struct Ledger<'a> {
    deal_id: DealId,
    partner_name: Cow<'a, str>,
    schedule: Cow<'a, FeeSchedule>,
    recognition: Recognition,
    currency: Currency,
    usage: Vec<UsageFee>,
    bills: Vec<Bill>,
    /// The bills' numbers, one after the other: one allocation, not one per bill.
    numbers: String,
    credits: Vec<Movement>,
    payments: Vec<Movement>,
}

/// The refusal of books that do not check, naming the deal and what is wrong.
fn broken(deal: DealId, what: String) -> Error {
    Error::invalid(
        "books",
        format!("deal {deal}: {what}: the stored finance rows do not check"),
    )
}

impl<'a> Ledger<'a> {
    /// The ledger of a deal with nothing in it yet.
    fn new(terms: DealTerms<'a>) -> Ledger<'a> {
        Ledger {
            deal_id: terms.deal_id,
            currency: terms.schedule.currency(),
            partner_name: terms.partner_name,
            schedule: terms.schedule,
            recognition: terms.recognition,
            usage: Vec::new(),
            bills: Vec::new(),
            numbers: String::new(),
            credits: Vec::new(),
            payments: Vec::new(),
        }
    }

    /// A deal's books as given: refused (naming the deal and the row) when a date does
    /// not parse, an amount is in another currency or negative, or a credit or payment
    /// names an invoice not given.
    fn of_records(books: &DealBooks<'a>) -> Result<Ledger<'a>> {
        let mut ledger = Ledger::new(DealTerms {
            deal_id: books.deal_id,
            partner_name: Cow::Borrowed(books.partner_name),
            schedule: Cow::Borrowed(books.schedule),
            recognition: books.recognition,
        });
        let mut index: FxHashMap<InvoiceId, usize> =
            FxHashMap::with_capacity_and_hasher(books.invoices.len(), Default::default());
        ledger.bills.reserve_exact(books.invoices.len());
        for record in books.invoices {
            let given = index.contains_key(&record.id);
            let bill = ledger.push_bill(&InvoiceRow::from(record), given)?;
            index.insert(record.id, bill);
        }
        let deal = ledger.deal_id;
        let bill_of = |invoice: InvoiceId, what: &dyn Fn() -> String| {
            index.get(&invoice).copied().ok_or_else(|| {
                broken(
                    deal,
                    format!("{} is for invoice {invoice}, not given", what()),
                )
            })
        };
        for c in books.credits {
            let row = CreditRow::from(c);
            ledger.push_credit(bill_of(c.invoice_id, &|| credit_name(&row))?, &row)?;
        }
        for p in books.payments {
            let row = PaymentRow::from(p);
            ledger.push_payment(bill_of(p.invoice_id, &|| payment_name(&row))?, &row)?;
        }
        for u in books.usage {
            ledger.push_usage(*u)?;
        }
        Ok(ledger)
    }

    /// Checks an invoice of this deal and appends it; its index. `given` says that an
    /// invoice of its id is in the books already.
    fn push_bill(&mut self, row: &InvoiceRow<'_>, given: bool) -> Result<usize> {
        let (deal, currency) = (self.deal_id, self.currency);
        let what = || format!("invoice {}", printable(row.number));
        if row.deal_id != deal {
            return Err(broken(
                deal,
                format!("{} is of deal {}", what(), row.deal_id),
            ));
        }
        if !row.currency.eq_ignore_ascii_case(currency.code()) {
            return Err(broken(
                deal,
                format!(
                    "{} is in {}, the deal's fees in {currency}",
                    what(),
                    printable(row.currency)
                ),
            ));
        }
        if row.amount_minor < 0 {
            return Err(broken(deal, format!("{} has a negative amount", what())));
        }
        if given {
            return Err(broken(deal, format!("{} is given twice", what())));
        }
        let date = |field: &str, text: &str| {
            parse_date(field, text).map_err(|e| broken(deal, format!("{}: {}", what(), e.message)))
        };
        let start = self.numbers.len();
        self.numbers.push_str(row.number);
        self.bills.push(Bill {
            id: row.id,
            number: start..self.numbers.len(),
            installment: row.kind == "installment",
            amount_minor: row.amount_minor,
            issue: date("issue_date", row.issue_date)?,
            due: date("due_date", row.due_date)?,
            period_first: date("period_start", row.period_start)?,
            period_last: date("period_end", row.period_end)?,
            void: row.void,
        });
        Ok(self.bills.len() - 1)
    }

    /// A movement on bill `bill`; refused when negative or its date does not parse.
    fn movement(
        &self,
        what: &dyn Fn() -> String,
        bill: usize,
        field: &str,
        on: &str,
        minor: i64,
    ) -> Result<Movement> {
        let deal = self.deal_id;
        if minor < 0 {
            return Err(broken(deal, format!("{} has a negative amount", what())));
        }
        let on = parse_date(field, on)
            .map_err(|e| broken(deal, format!("{}: {}", what(), e.message)))?;
        Ok(Movement { on, bill, minor })
    }

    fn push_credit(&mut self, bill: usize, row: &CreditRow<'_>) -> Result<()> {
        let what = || credit_name(row);
        let m = self.movement(&what, bill, "issued_on", row.issued_on, row.amount_minor)?;
        self.credits.push(m);
        Ok(())
    }

    fn push_payment(&mut self, bill: usize, row: &PaymentRow<'_>) -> Result<()> {
        let what = || payment_name(row);
        let m = self.movement(&what, bill, "paid_on", row.paid_on, row.amount_minor)?;
        self.payments.push(m);
        Ok(())
    }

    /// A usage fee; refused in another currency than the deal's.
    fn push_usage(&mut self, fee: UsageFee) -> Result<()> {
        if fee.amount.currency != self.currency {
            return Err(broken(
                self.deal_id,
                format!(
                    "a usage fee on {} is in {}, the deal's fees in {}",
                    fee.on, fee.amount.currency, self.currency
                ),
            ));
        }
        self.usage.push(fee);
        Ok(())
    }

    /// Credit notes that count: those on non-void invoices.
    fn live_credits(&self) -> impl Iterator<Item = &Movement> {
        self.credits.iter().filter(|c| !self.bills[c.bill].void)
    }

    /// Recognized through the end of `at`.
    fn recognized_through(&self, at: NaiveDate) -> i128 {
        let schedule = &*self.schedule;
        let usage: i128 = self
            .usage
            .iter()
            .filter(|u| u.on <= at)
            .map(|u| i128::from(u.amount.minor))
            .sum();
        let fees = match self.recognition {
            Recognition::Ratable => i128::from(schedule.recognized_through(at).minor),
            Recognition::PointInTime => {
                let mut sum = 0i128;
                for inst in schedule.installments() {
                    if inst.issue_date <= at {
                        sum += i128::from(inst.amount.minor);
                    }
                }
                match schedule.termination() {
                    Some(t) if t <= at => sum - point_in_time_reversal(schedule, t),
                    _ => sum,
                }
            }
        };
        fees + usage
    }
}

fn credit_name(row: &CreditRow<'_>) -> String {
    format!("credit note {}", printable(row.number))
}

fn payment_name(row: &PaymentRow<'_>) -> String {
    format!("payment {}", row.id)
}

/// The books of the deals a report covers, checked as they are filled: every date
/// parsed, every amount in its deal's currency and not negative, every payment and
/// credit note placed on its invoice. A store's read fills them row by row
/// ([`Books::invoice`], [`Books::credit`], [`Books::payment`], [`Books::usage`]) with
/// no copy of a row's text but an invoice's number; the reports then run on them
/// ([`Books::revenue`], [`Books::deferred`], [`Books::aging`]) as [`revenue`],
/// [`deferred`] and [`aging`] do on [`DealBooks`].
///
/// Rows of a deal not in the books are skipped, and so are the payments and credit
/// notes of an invoice not added: a store reads every deal's invoices, the books hold
/// the deals with a fee schedule.
pub struct Books<'a> {
    deals: Vec<Ledger<'a>>,
    /// Index into `deals` by deal.
    by_deal: FxHashMap<DealId, usize>,
    /// Where each invoice added is: (index into `deals`, index into its bills).
    by_invoice: FxHashMap<InvoiceId, (usize, usize)>,
}

impl<'a> Books<'a> {
    /// The books of `deals`, with no invoice, credit note, payment or usage fee yet.
    pub fn new(deals: impl IntoIterator<Item = DealTerms<'a>>) -> Books<'a> {
        let deals: Vec<Ledger<'a>> = deals.into_iter().map(Ledger::new).collect();
        let by_deal = deals
            .iter()
            .enumerate()
            .map(|(k, l)| (l.deal_id, k))
            .collect();
        Books {
            deals,
            by_deal,
            by_invoice: FxHashMap::default(),
        }
    }

    /// The books of [`DealBooks`], each deal checked on its own (a credit note or a
    /// payment must be on one of its deal's invoices).
    fn of_records(deals: &[DealBooks<'a>]) -> Result<Books<'a>> {
        Ok(Books {
            deals: deals
                .iter()
                .map(Ledger::of_records)
                .collect::<Result<_>>()?,
            by_deal: FxHashMap::default(),
            by_invoice: FxHashMap::default(),
        })
    }

    /// Adds an invoice (void ones too: the reports skip them). Refused, naming the deal
    /// and the invoice: a date that does not parse, a currency other than the deal's, a
    /// negative amount, an invoice added twice.
    pub fn invoice(&mut self, row: InvoiceRow<'_>) -> Result<()> {
        let Some(&k) = self.by_deal.get(&row.deal_id) else {
            return Ok(());
        };
        let ledger = &mut self.deals[k];
        match self.by_invoice.entry(row.id) {
            Entry::Occupied(_) => ledger.push_bill(&row, true).map(drop),
            Entry::Vacant(place) => {
                place.insert((k, ledger.push_bill(&row, false)?));
                Ok(())
            }
        }
    }

    /// Adds a credit note on an invoice added before. Refused: a date that does not
    /// parse, a negative amount.
    pub fn credit(&mut self, row: CreditRow<'_>) -> Result<()> {
        match self.by_invoice.get(&row.invoice_id) {
            Some(&(k, bill)) => self.deals[k].push_credit(bill, &row),
            None => Ok(()),
        }
    }

    /// Adds a payment of an invoice added before. Refused: a date that does not parse,
    /// a negative amount.
    pub fn payment(&mut self, row: PaymentRow<'_>) -> Result<()> {
        match self.by_invoice.get(&row.invoice_id) {
            Some(&(k, bill)) => self.deals[k].push_payment(bill, &row),
            None => Ok(()),
        }
    }

    /// Adds a point-in-time usage fee of a deal, recognized on its date. Refused in a
    /// currency other than the deal's.
    pub fn usage(&mut self, deal: DealId, fee: UsageFee) -> Result<()> {
        match self.by_deal.get(&deal) {
            Some(&k) => self.deals[k].push_usage(fee),
            None => Ok(()),
        }
    }
}

/// What a terminated point-in-time deal's installments billed for days after `t`.
fn point_in_time_reversal(schedule: &FeeSchedule, t: NaiveDate) -> i128 {
    schedule
        .installments()
        .iter()
        .map(|i| i128::from(i.unearned_after(t).minor))
        .sum()
}

/// An i128 sum as i64 minor units, or an error naming what overflowed.
fn fit(sum: i128, what: &str) -> Result<i64> {
    i64::try_from(sum).map_err(|_| Error::Conflict {
        field: None,
        message: format!(
            "the report's {what} exceeds the largest amount 64-bit minor units hold: report \
             fewer deals or a shorter range"
        ),
    })
}

fn checked_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    let mut problems = Problems::default();
    for (field, date) in [("from", from), ("to", to)] {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
            problems.add(
                field,
                format!("{date} is out of range: dates must lie in the years {FIRST_YEAR} to {LAST_YEAR}"),
            );
        }
    }
    if to < from {
        problems.add("to", format!("{to} is before {from}"));
    }
    problems.into_result()
}

fn checked_date(field: &str, at: NaiveDate) -> Result<()> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&at.year()) {
        return Err(Error::invalid(
            field,
            format!(
                "{at} is out of range: dates must lie in the years {FIRST_YEAR} to {LAST_YEAR}"
            ),
        ));
    }
    Ok(())
}

// ---- revenue ------------------------------------------------------------------------

/// Amounts converted to the base currency, and the rate used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevenueInBase {
    /// The base currency.
    pub currency: String,
    /// The rate used; `null` when the row is in the base currency already.
    pub rate: Option<AppliedRate>,
    /// Recognized, base minor units.
    pub recognized_minor: i64,
    /// Billed, base minor units.
    pub billed_minor: i64,
    /// Collected, base minor units.
    pub collected_minor: i64,
}

/// One deal's revenue in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevenueRow {
    /// `2024-02`, `2024-Q1` or `2024`.
    pub period: String,
    /// The period's first day, clipped to the report's `from`.
    #[serde(serialize_with = "serialize_date")]
    pub period_start: NaiveDate,
    /// The period's last day, clipped to the report's `to`.
    #[serde(serialize_with = "serialize_date")]
    pub period_end: NaiveDate,
    /// The deal.
    pub deal_id: DealId,
    /// The deal's partner.
    pub partner_name: String,
    /// The deal's currency (ISO 4217).
    pub currency: String,
    /// Revenue recognized in the period, minor units (negative for a reversal).
    pub recognized_minor: i64,
    /// Invoiced in the period minus credit notes issued in it, minor units.
    pub billed_minor: i64,
    /// Payments received in the period, minor units.
    pub collected_minor: i64,
    /// The same in the base currency, converted at `period_end`; `null` without a base.
    pub in_base: Option<RevenueInBase>,
}

/// Recognized, billed and collected, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevenueSums {
    /// Recognized, minor units.
    pub recognized_minor: i64,
    /// Billed net of credit notes, minor units.
    pub billed_minor: i64,
    /// Collected, minor units.
    pub collected_minor: i64,
}

/// The sums of the rows' base-currency amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BaseRevenueTotals {
    /// The base currency.
    pub currency: String,
    /// The sums, base minor units.
    #[serde(flatten)]
    pub sums: RevenueSums,
}

/// `finance revenue`: `{"rows": [...], "totals": {CURRENCY: recognized_minor}}`, plus the
/// billed and collected sums per currency and, with a base currency, the converted
/// totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevenueReport {
    /// The first day reported.
    pub from: NaiveDate,
    /// The last day reported.
    pub to: NaiveDate,
    /// How rows are grouped.
    pub group: Grouping,
    /// Per (period, deal), in period then deal order; all-zero rows left out.
    pub rows: Vec<RevenueRow>,
    /// Recognized per currency, minor units: the sum of the rows.
    pub totals: BTreeMap<String, i64>,
    /// Recognized, billed and collected per currency: the sums of the rows.
    pub sums: BTreeMap<String, RevenueSums>,
    /// With a base currency: the sums of the rows' converted amounts.
    pub in_base: Option<BaseRevenueTotals>,
}

/// The calendar periods of a report range.
#[derive(Debug, Clone, Copy)]
struct Periods {
    group: Grouping,
    from: NaiveDate,
    to: NaiveDate,
    first: i64,
}

impl Periods {
    /// The index of the period holding `date`, if it is in the range.
    fn index(&self, date: NaiveDate) -> Option<i64> {
        (self.from <= date && date <= self.to).then(|| self.group.unit(date) - self.first)
    }

    /// The first and last day of period `i`, clipped to the range.
    fn bounds(&self, i: i64) -> (NaiveDate, NaiveDate) {
        let u = self.first + i;
        let start = self
            .group
            .unit_start(u)
            .map_or(self.from, |d| d.max(self.from));
        let end = self
            .group
            .unit_start(u + 1)
            .and_then(|d| d.pred_opt())
            .map_or(self.to, |d| d.min(self.to));
        (start, end)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    recognized: i128,
    billed: i128,
    collected: i128,
}

impl Cell {
    fn is_zero(&self) -> bool {
        self.recognized == 0 && self.billed == 0 && self.collected == 0
    }
}

/// One deal's cells, one per period of the report (placing an amount is indexing, not
/// a map lookup); reused from deal to deal. `lo..hi` spans the periods written since
/// the last [`Cells::drain`].
struct Cells {
    cells: Vec<Cell>,
    lo: usize,
    hi: usize,
}

impl Cells {
    fn new(periods: usize) -> Cells {
        Cells {
            cells: vec![Cell::default(); periods],
            lo: periods,
            hi: 0,
        }
    }

    /// The cell of period `i`, an index [`Periods::index`] gave.
    fn at(&mut self, i: i64) -> &mut Cell {
        let i = usize::try_from(i).expect("a period index");
        self.lo = self.lo.min(i);
        self.hi = self.hi.max(i + 1);
        &mut self.cells[i]
    }

    /// The cells written since the last drain, by period, each reset to zero.
    fn drain(&mut self) -> impl Iterator<Item = (usize, Cell)> + '_ {
        let lo = self.lo;
        let hi = self.hi.max(lo);
        self.lo = self.cells.len();
        self.hi = 0;
        self.cells[lo..hi]
            .iter_mut()
            .enumerate()
            .map(move |(j, c)| (lo + j, std::mem::take(c)))
    }
}

/// The revenue report of `deals` over `query`'s range (see the module's documentation
/// for every rule). Refused: a range outside the term years or ending before it starts
/// (`from`, `to`), books that do not check (`books`), a missing FX rate (`base`, naming
/// the pair and the date), and sums beyond 64 bits.
pub fn revenue(
    deals: &[DealBooks<'_>],
    query: &RevenueQuery,
    fx: &FxTable,
) -> Result<RevenueReport> {
    checked_range(query.from, query.to)?;
    Books::of_records(deals)?.revenue(query, fx)
}

/// Every deal's non-empty cells over a range, by period then deal: what the revenue
/// report lists row by row and its summary sums by partner.
struct RevenueCells {
    periods: Periods,
    /// Each period's first and last day, clipped to the range.
    bounds: Vec<(NaiveDate, NaiveDate)>,
    /// Per period, (index into the books' deals, its cell), in deal order.
    by_period: Vec<Vec<(usize, Cell)>>,
    /// Recognized, billed and collected per currency: the sums of every cell.
    sums: BTreeMap<String, RevenueSums>,
}

impl Books<'_> {
    /// The cells of every deal over `from..=to` grouped by `group` (see [`revenue`]).
    fn revenue_cells(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        group: Grouping,
    ) -> Result<RevenueCells> {
        checked_range(from, to)?;
        let periods = Periods {
            group,
            from,
            to,
            first: group.unit(from),
        };
        let count = usize::try_from(periods.index(to).expect("in range"))
            .expect("to is not before from")
            + 1;
        // Deals are visited by id, so each period's cells come in deal order: the rows
        // are in period then deal order with no sort.
        let mut order: Vec<usize> = (0..self.deals.len()).collect();
        order.sort_by_key(|&k| self.deals[k].deal_id);
        let bounds: Vec<(NaiveDate, NaiveDate)> =
            (0..count as i64).map(|i| periods.bounds(i)).collect();
        let mut by_period: Vec<Vec<(usize, Cell)>> = vec![Vec::new(); count];
        let mut cells = Cells::new(count);
        let mut sums: BTreeMap<Currency, [i128; 3]> = BTreeMap::new();
        for &k in &order {
            let ledger = &self.deals[k];
            revenue_cells(ledger, &periods, &bounds, &mut cells);
            let mut deal = None::<[i128; 3]>;
            for (i, cell) in cells.drain().filter(|(_, c)| !c.is_zero()) {
                let s = deal.get_or_insert_default();
                s[0] += cell.recognized;
                s[1] += cell.billed;
                s[2] += cell.collected;
                by_period[i].push((k, cell));
            }
            if let Some(d) = deal {
                let s = sums.entry(ledger.currency).or_default();
                for (total, part) in s.iter_mut().zip(d) {
                    *total += part;
                }
            }
        }
        let sums = sums
            .into_iter()
            .map(|(currency, s)| Ok((currency.code().to_string(), revenue_sums(s)?)))
            .collect::<Result<BTreeMap<String, RevenueSums>>>()?;
        Ok(RevenueCells {
            periods,
            bounds,
            by_period,
            sums,
        })
    }

    /// The revenue report over `query`'s range, as [`revenue`].
    pub fn revenue(&self, query: &RevenueQuery, fx: &FxTable) -> Result<RevenueReport> {
        let RevenueCells {
            periods,
            bounds,
            by_period,
            sums,
        } = self.revenue_cells(query.from, query.to, query.group)?;
        let mut rows = Vec::with_capacity(by_period.iter().map(Vec::len).sum());
        // Each row's currency, for the conversion to the base.
        let mut currencies = Vec::with_capacity(rows.capacity());
        for (i, list) in by_period.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let (start, end) = bounds[i];
            let label = query.group.label(periods.first + i as i64);
            for &(k, cell) in list {
                let ledger = &self.deals[k];
                rows.push(RevenueRow {
                    period: label.clone(),
                    period_start: start,
                    period_end: end,
                    deal_id: ledger.deal_id,
                    partner_name: ledger.partner_name.to_string(),
                    currency: ledger.currency.code().to_string(),
                    recognized_minor: fit(cell.recognized, "recognized revenue")?,
                    billed_minor: fit(cell.billed, "billed amount")?,
                    collected_minor: fit(cell.collected, "collected amount")?,
                    in_base: None,
                });
                currencies.push(ledger.currency);
            }
        }
        let totals = sums
            .iter()
            .map(|(code, s)| (code.clone(), s.recognized_minor))
            .collect();

        let in_base = match query.base {
            None => None,
            Some(base) => {
                let mut total = [0i128; 3];
                for (row, &currency) in rows.iter_mut().zip(&currencies) {
                    let amounts = [row.recognized_minor, row.billed_minor, row.collected_minor]
                        .map(|minor| Money::new(minor, currency));
                    let ([recognized, billed, collected], rate) =
                        fx.convert_all(amounts, base, row.period_end)?;
                    total[0] += i128::from(recognized.minor);
                    total[1] += i128::from(billed.minor);
                    total[2] += i128::from(collected.minor);
                    row.in_base = Some(RevenueInBase {
                        currency: base.code().to_string(),
                        rate,
                        recognized_minor: recognized.minor,
                        billed_minor: billed.minor,
                        collected_minor: collected.minor,
                    });
                }
                Some(BaseRevenueTotals {
                    currency: base.code().to_string(),
                    sums: revenue_sums(total)?,
                })
            }
        };
        Ok(RevenueReport {
            from: query.from,
            to: query.to,
            group: query.group,
            rows,
            totals,
            sums,
            in_base,
        })
    }
}

/// One partner's revenue in one currency, per period of a [`RevenueSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartnerRevenue {
    /// The partner, by name (as the report's rows name it).
    pub partner_name: String,
    /// ISO 4217: the currency of the partner's deals summed here.
    pub currency: String,
    /// Recognized per period (index into the summary's `periods`), minor units.
    pub recognized_minor: Vec<i64>,
    /// Billed per period, net of credit notes, minor units.
    pub billed_minor: Vec<i64>,
    /// Collected per period, minor units.
    pub collected_minor: Vec<i64>,
}

/// The revenue report summed per partner and currency: what the revenue charts draw
/// (a bar per period, stacked by partner) and the totals beside them, without a row per
/// deal (at 10,000 deals a year's report is 25 MB of JSON; this is what the screens
/// show of it). Every figure is the sum of the report's rows for it, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RevenueSummary {
    /// The first day reported.
    #[serde(serialize_with = "serialize_date")]
    pub from: NaiveDate,
    /// The last day reported.
    #[serde(serialize_with = "serialize_date")]
    pub to: NaiveDate,
    /// How periods are grouped.
    pub group: Grouping,
    /// Every period of the range, in order, labelled as the report's rows (`2024-02`),
    /// those with no amount too.
    pub periods: Vec<String>,
    /// Per partner and currency with any amount in the range, by currency then partner
    /// name.
    pub partners: Vec<PartnerRevenue>,
    /// Recognized, billed and collected per currency: the report's `sums`.
    pub sums: BTreeMap<String, RevenueSums>,
}

impl Books<'_> {
    /// The revenue over `from..=to` by `group`, summed per partner and currency (see
    /// [`RevenueSummary`]); refused as [`revenue`] is.
    pub fn revenue_summary(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        group: Grouping,
    ) -> Result<RevenueSummary> {
        let cells = self.revenue_cells(from, to, group)?;
        let count = cells.by_period.len();
        let mut index: HashMap<(Currency, &str), usize> = HashMap::new();
        let mut sums: Vec<(Currency, &str, [Vec<i128>; 3])> = Vec::new();
        for (i, list) in cells.by_period.iter().enumerate() {
            for &(k, cell) in list {
                let ledger = &self.deals[k];
                let key = (ledger.currency, &*ledger.partner_name);
                let at = *index.entry(key).or_insert_with(|| {
                    sums.push((key.0, key.1, std::array::from_fn(|_| vec![0; count])));
                    sums.len() - 1
                });
                let amounts = &mut sums[at].2;
                amounts[0][i] += cell.recognized;
                amounts[1][i] += cell.billed;
                amounts[2][i] += cell.collected;
            }
        }
        sums.sort_by(|a, b| (a.0.code(), a.1).cmp(&(b.0.code(), b.1)));
        let fitted = |amounts: &[i128], what: &str| -> Result<Vec<i64>> {
            amounts.iter().map(|&a| fit(a, what)).collect()
        };
        let partners = sums
            .iter()
            .map(|(currency, partner, [recognized, billed, collected])| {
                Ok(PartnerRevenue {
                    partner_name: partner.to_string(),
                    currency: currency.code().to_string(),
                    recognized_minor: fitted(recognized, "recognized revenue")?,
                    billed_minor: fitted(billed, "billed amount")?,
                    collected_minor: fitted(collected, "collected amount")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(RevenueSummary {
            from,
            to,
            group,
            periods: (0..count as i64)
                .map(|i| group.label(cells.periods.first + i))
                .collect(),
            partners,
            sums: cells.sums,
        })
    }
}

fn revenue_sums(s: [i128; 3]) -> Result<RevenueSums> {
    Ok(RevenueSums {
        recognized_minor: fit(s[0], "recognized total")?,
        billed_minor: fit(s[1], "billed total")?,
        collected_minor: fit(s[2], "collected total")?,
    })
}

/// Adds one deal's amounts to the cells of their periods (whose first and last days are
/// `bounds`, by period index).
fn revenue_cells(
    ledger: &Ledger<'_>,
    periods: &Periods,
    bounds: &[(NaiveDate, NaiveDate)],
    cells: &mut Cells,
) {
    let schedule = &*ledger.schedule;
    match ledger.recognition {
        Recognition::Ratable => {
            // Only the periods that overlap the days the schedule recognizes.
            let term = schedule.term();
            let last = schedule
                .termination()
                .map_or(term.end(), |t| t.min(term.end()));
            let lo = term.start().max(periods.from);
            let hi = last.min(periods.to);
            if lo <= hi {
                let (first, end) = (
                    periods.index(lo).expect("in range"),
                    periods.index(hi).expect("in range"),
                );
                for i in first..=end {
                    let (start, stop) = bounds[usize::try_from(i).expect("a period index")];
                    let minor = schedule.recognized(start, stop).minor;
                    if minor != 0 {
                        cells.at(i).recognized += i128::from(minor);
                    }
                }
            }
        }
        Recognition::PointInTime => {
            for inst in schedule.installments() {
                if let Some(i) = periods.index(inst.issue_date) {
                    cells.at(i).recognized += i128::from(inst.amount.minor);
                }
            }
            if let Some(t) = schedule.termination() {
                if let Some(i) = periods.index(t) {
                    let reversal = point_in_time_reversal(schedule, t);
                    if reversal != 0 {
                        cells.at(i).recognized -= reversal;
                    }
                }
            }
        }
    }
    for fee in &ledger.usage {
        if let Some(i) = periods.index(fee.on) {
            cells.at(i).recognized += i128::from(fee.amount.minor);
        }
    }
    for bill in ledger.bills.iter().filter(|b| !b.void) {
        if let Some(i) = periods.index(bill.issue) {
            cells.at(i).billed += i128::from(bill.amount_minor);
        }
    }
    for credit in ledger.live_credits() {
        if let Some(i) = periods.index(credit.on) {
            cells.at(i).billed -= i128::from(credit.minor);
        }
    }
    for payment in &ledger.payments {
        if let Some(i) = periods.index(payment.on) {
            cells.at(i).collected += i128::from(payment.minor);
        }
    }
}

// ---- deferred revenue and receivables -----------------------------------------------

/// One deal's balances at the end of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeferredRow {
    /// The deal.
    pub deal_id: DealId,
    /// The deal's partner.
    pub partner_name: String,
    /// The deal's currency.
    pub currency: String,
    /// Billed through the day, net of credit notes, minor units.
    pub billed_minor: i64,
    /// Recognized through the day, minor units.
    pub recognized_minor: i64,
    /// billed - recognized: negative when revenue was recognized before it was billed.
    pub deferred_minor: i64,
    /// Still to be paid on invoices issued by the day (credits and payments by then
    /// deducted), minor units.
    pub receivable_minor: i64,
    /// What invoices billed for days after the deal's termination and credit notes have
    /// not yet returned, minor units (0 unless terminated by the day).
    pub owed_back_minor: i64,
    /// The same in the base currency at the day; `null` without a base.
    pub in_base: Option<DeferredInBase>,
}

/// A deferred row's or the report's amounts in the base currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeferredInBase {
    /// The base currency.
    pub currency: String,
    /// The rate used; `null` when already in the base currency (and in totals).
    pub rate: Option<AppliedRate>,
    /// Deferred, base minor units.
    pub deferred_minor: i64,
    /// Receivable, base minor units.
    pub receivable_minor: i64,
    /// Owed back, base minor units.
    pub owed_back_minor: i64,
}

/// Sums of a deferred report's rows in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeferredSums {
    /// Billed, minor units.
    pub billed_minor: i64,
    /// Recognized, minor units.
    pub recognized_minor: i64,
    /// Deferred, minor units.
    pub deferred_minor: i64,
    /// Receivable, minor units.
    pub receivable_minor: i64,
    /// Owed back, minor units.
    pub owed_back_minor: i64,
}

/// `finance deferred --at DATE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeferredReport {
    /// The day (balances at its end).
    pub at: NaiveDate,
    /// One per deal with anything to show, in deal order.
    pub rows: Vec<DeferredRow>,
    /// Per currency: the sums of the rows.
    pub totals: BTreeMap<String, DeferredSums>,
    /// With a base currency: the sums of the rows' converted amounts.
    pub in_base: Option<DeferredInBase>,
}

/// Deferred revenue, receivables and amounts owed back per deal at the end of `at` (see
/// the module's documentation for the rules), optionally in `base`.
pub fn deferred(
    deals: &[DealBooks<'_>],
    at: NaiveDate,
    base: Option<Currency>,
    fx: &FxTable,
) -> Result<DeferredReport> {
    checked_date("at", at)?;
    Books::of_records(deals)?.deferred(at, base, fx)
}

impl Books<'_> {
    /// The deferred report at the end of `at`, as [`deferred`].
    pub fn deferred(
        &self,
        at: NaiveDate,
        base: Option<Currency>,
        fx: &FxTable,
    ) -> Result<DeferredReport> {
        checked_date("at", at)?;
        let mut rows = Vec::new();
        for ledger in &self.deals {
            let mut billed = 0i128;
            let mut receivable = 0i128;
            for bill in ledger.bills.iter().filter(|b| !b.void && b.issue <= at) {
                billed += i128::from(bill.amount_minor);
                receivable += i128::from(bill.amount_minor);
            }
            let mut credited = vec![0i128; ledger.bills.len()];
            for credit in ledger.live_credits().filter(|c| c.on <= at) {
                billed -= i128::from(credit.minor);
                credited[credit.bill] += i128::from(credit.minor);
                if ledger.bills[credit.bill].issue <= at {
                    receivable -= i128::from(credit.minor);
                }
            }
            for payment in ledger.payments.iter().filter(|p| p.on <= at) {
                let bill = &ledger.bills[payment.bill];
                if !bill.void && bill.issue <= at {
                    receivable -= i128::from(payment.minor);
                }
            }
            let owed_back: i128 = match ledger.schedule.termination() {
                Some(t) if t <= at => ledger
                    .bills
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| !b.void && b.issue <= at)
                    .map(|(i, b)| {
                        let unearned = i128::from(b.unearned_after(ledger.currency, t));
                        (unearned - credited[i]).max(0)
                    })
                    .sum(),
                _ => 0,
            };
            let recognized = ledger.recognized_through(at);
            let deferred = billed - recognized;
            if billed == 0 && recognized == 0 && receivable == 0 && owed_back == 0 {
                continue;
            }
            rows.push(DeferredRow {
                deal_id: ledger.deal_id,
                partner_name: ledger.partner_name.to_string(),
                currency: ledger.currency.code().to_string(),
                billed_minor: fit(billed, "billed amount")?,
                recognized_minor: fit(recognized, "recognized revenue")?,
                deferred_minor: fit(deferred, "deferred revenue")?,
                receivable_minor: fit(receivable, "receivable")?,
                owed_back_minor: fit(owed_back, "amount owed back")?,
                in_base: None,
            });
        }
        rows.sort_by_key(|r| r.deal_id);

        let mut sums: BTreeMap<String, [i128; 5]> = BTreeMap::new();
        for r in &rows {
            let s = sums.entry(r.currency.clone()).or_default();
            for (k, v) in [
                r.billed_minor,
                r.recognized_minor,
                r.deferred_minor,
                r.receivable_minor,
                r.owed_back_minor,
            ]
            .into_iter()
            .enumerate()
            {
                s[k] += i128::from(v);
            }
        }
        let totals = sums
            .into_iter()
            .map(|(code, s)| {
                Ok((
                    code,
                    DeferredSums {
                        billed_minor: fit(s[0], "billed total")?,
                        recognized_minor: fit(s[1], "recognized total")?,
                        deferred_minor: fit(s[2], "deferred total")?,
                        receivable_minor: fit(s[3], "receivable total")?,
                        owed_back_minor: fit(s[4], "owed-back total")?,
                    },
                ))
            })
            .collect::<Result<_>>()?;

        let in_base = match base {
            None => None,
            Some(base) => {
                let mut total = [0i128; 3];
                for row in &mut rows {
                    let currency = Currency::parse("currency", &row.currency).expect("ours");
                    let convert =
                        |minor: i64| fx.convert_with_rate(Money::new(minor, currency), base, at);
                    let (deferred, rate) = convert(row.deferred_minor)?;
                    let (receivable, _) = convert(row.receivable_minor)?;
                    let (owed_back, _) = convert(row.owed_back_minor)?;
                    total[0] += i128::from(deferred.minor);
                    total[1] += i128::from(receivable.minor);
                    total[2] += i128::from(owed_back.minor);
                    row.in_base = Some(DeferredInBase {
                        currency: base.code().to_string(),
                        rate,
                        deferred_minor: deferred.minor,
                        receivable_minor: receivable.minor,
                        owed_back_minor: owed_back.minor,
                    });
                }
                Some(DeferredInBase {
                    currency: base.code().to_string(),
                    rate: None,
                    deferred_minor: fit(total[0], "deferred total")?,
                    receivable_minor: fit(total[1], "receivable total")?,
                    owed_back_minor: fit(total[2], "owed-back total")?,
                })
            }
        };
        Ok(DeferredReport {
            at,
            rows,
            totals,
            in_base,
        })
    }
}

// ---- aging --------------------------------------------------------------------------

/// How late an open invoice is at the report's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum AgingBucket {
    /// Not yet due, or due on the day itself.
    #[serde(rename = "current")]
    Current,
    /// 1 to 30 days past due.
    #[serde(rename = "1-30")]
    Days1To30,
    /// 31 to 60 days past due.
    #[serde(rename = "31-60")]
    Days31To60,
    /// 61 to 90 days past due.
    #[serde(rename = "61-90")]
    Days61To90,
    /// 91 days or more past due.
    #[serde(rename = "over_90")]
    Over90,
}

impl AgingBucket {
    /// Every bucket, from current to the oldest.
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::Current,
        AgingBucket::Days1To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    /// The bucket of an invoice `days_past_due` days past its due date (0 or less: not
    /// late).
    pub fn of(days_past_due: i64) -> AgingBucket {
        match days_past_due {
            i64::MIN..=0 => AgingBucket::Current,
            1..=30 => AgingBucket::Days1To30,
            31..=60 => AgingBucket::Days31To60,
            61..=90 => AgingBucket::Days61To90,
            _ => AgingBucket::Over90,
        }
    }

    /// The token JSON and CSV use: `current`, `1-30`, `31-60`, `61-90`, `over_90`.
    pub fn token(self) -> &'static str {
        match self {
            AgingBucket::Current => "current",
            AgingBucket::Days1To30 => "1-30",
            AgingBucket::Days31To60 => "31-60",
            AgingBucket::Days61To90 => "61-90",
            AgingBucket::Over90 => "over_90",
        }
    }
}

/// An invoice with an open balance at the report's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AgingInvoice {
    /// The invoice.
    pub invoice_id: InvoiceId,
    /// Its number.
    pub number: String,
    /// Its deal.
    pub deal_id: DealId,
    /// The deal's partner.
    pub partner_name: String,
    /// ISO 4217.
    pub currency: String,
    /// Issued on.
    #[serde(serialize_with = "serialize_date")]
    pub issue_date: NaiveDate,
    /// Due on.
    #[serde(serialize_with = "serialize_date")]
    pub due_date: NaiveDate,
    /// The amount billed, minor units.
    pub amount_minor: i64,
    /// Credited by the day, minor units.
    pub credited_minor: i64,
    /// Paid by the day, minor units.
    pub paid_minor: i64,
    /// amount - credited - paid, > 0.
    pub balance_minor: i64,
    /// Days from the due date to the report's date; 0 or less when not yet late.
    pub days_past_due: i64,
    /// Its bucket.
    pub bucket: AgingBucket,
}

/// Open balances per bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AgingTotals {
    /// Not yet late, minor units.
    pub current: i64,
    /// 1 to 30 days late.
    #[serde(rename = "1-30")]
    pub days_1_30: i64,
    /// 31 to 60 days late.
    #[serde(rename = "31-60")]
    pub days_31_60: i64,
    /// 61 to 90 days late.
    #[serde(rename = "61-90")]
    pub days_61_90: i64,
    /// Over 90 days late.
    pub over_90: i64,
    /// All of them.
    pub total: i64,
}

impl AgingTotals {
    /// The balance of `bucket`.
    pub fn get(&self, bucket: AgingBucket) -> i64 {
        match bucket {
            AgingBucket::Current => self.current,
            AgingBucket::Days1To30 => self.days_1_30,
            AgingBucket::Days31To60 => self.days_31_60,
            AgingBucket::Days61To90 => self.days_61_90,
            AgingBucket::Over90 => self.over_90,
        }
    }

    fn from_sums(s: [i128; 5]) -> Result<AgingTotals> {
        Ok(AgingTotals {
            current: fit(s[0], "current balance")?,
            days_1_30: fit(s[1], "1-30 balance")?,
            days_31_60: fit(s[2], "31-60 balance")?,
            days_61_90: fit(s[3], "61-90 balance")?,
            over_90: fit(s[4], "over-90 balance")?,
            total: fit(s.iter().sum(), "total balance")?,
        })
    }
}

/// The aging totals in the base currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BaseAgingTotals {
    /// The base currency.
    pub currency: String,
    /// Per bucket: the sums of the invoices' balances, each converted at the day.
    #[serde(flatten)]
    pub totals: AgingTotals,
}

/// `finance aging --at DATE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AgingReport {
    /// The day.
    pub at: NaiveDate,
    /// The open invoices, by due date then number.
    pub invoices: Vec<AgingInvoice>,
    /// Per currency, per bucket: the sums of the balances.
    pub totals: BTreeMap<String, AgingTotals>,
    /// With a base currency: per bucket, the sums of the converted balances.
    pub in_base: Option<BaseAgingTotals>,
}

/// The aging of open invoices at the end of `at` (see the module's documentation),
/// optionally in `base`.
pub fn aging(
    deals: &[DealBooks<'_>],
    at: NaiveDate,
    base: Option<Currency>,
    fx: &FxTable,
) -> Result<AgingReport> {
    checked_date("at", at)?;
    Books::of_records(deals)?.aging(at, base, fx)
}

impl Books<'_> {
    /// The aging of open invoices at the end of `at`, as [`aging`].
    pub fn aging(
        &self,
        at: NaiveDate,
        base: Option<Currency>,
        fx: &FxTable,
    ) -> Result<AgingReport> {
        checked_date("at", at)?;
        let mut invoices = Vec::new();
        self.each_open(at, |ledger, bill, credited, paid, balance| {
            let days_past_due = (at - bill.due).num_days();
            invoices.push(AgingInvoice {
                invoice_id: bill.id,
                number: ledger.numbers[bill.number.clone()].to_string(),
                deal_id: ledger.deal_id,
                partner_name: ledger.partner_name.to_string(),
                currency: ledger.currency.code().to_string(),
                issue_date: bill.issue,
                due_date: bill.due,
                amount_minor: bill.amount_minor,
                credited_minor: fit(credited, "credited amount")?,
                paid_minor: fit(paid, "paid amount")?,
                balance_minor: fit(balance, "balance")?,
                days_past_due,
                bucket: AgingBucket::of(days_past_due),
            });
            Ok(())
        })?;
        invoices.sort_by(|a, b| {
            (a.due_date, &a.number, a.invoice_id).cmp(&(b.due_date, &b.number, b.invoice_id))
        });
        let mut sums: BTreeMap<String, [i128; 5]> = BTreeMap::new();
        for inv in &invoices {
            sums.entry(inv.currency.clone()).or_default()[inv.bucket as usize] +=
                i128::from(inv.balance_minor);
        }
        let totals = sums
            .into_iter()
            .map(|(code, s)| Ok((code, AgingTotals::from_sums(s)?)))
            .collect::<Result<_>>()?;
        let in_base = match base {
            None => None,
            Some(base) => {
                let mut s = [0i128; 5];
                for inv in &invoices {
                    let currency = Currency::parse("currency", &inv.currency).expect("ours");
                    let converted =
                        fx.convert(Money::new(inv.balance_minor, currency), base, at)?;
                    s[inv.bucket as usize] += i128::from(converted.minor);
                }
                Some(BaseAgingTotals {
                    currency: base.code().to_string(),
                    totals: AgingTotals::from_sums(s)?,
                })
            }
        };
        Ok(AgingReport {
            at,
            invoices,
            totals,
            in_base,
        })
    }
}

impl Books<'_> {
    /// Each invoice open at the end of `at`, deal by deal: non-void, issued by then, with
    /// a positive balance (amount - credits - payments dated by then); handed to `each`
    /// with its ledger, credited, paid and balance.
    fn each_open(
        &self,
        at: NaiveDate,
        mut each: impl FnMut(&Ledger<'_>, &Bill, i128, i128, i128) -> Result<()>,
    ) -> Result<()> {
        for ledger in &self.deals {
            let mut credited = vec![0i128; ledger.bills.len()];
            let mut paid = vec![0i128; ledger.bills.len()];
            for c in ledger.credits.iter().filter(|c| c.on <= at) {
                credited[c.bill] += i128::from(c.minor);
            }
            for p in ledger.payments.iter().filter(|p| p.on <= at) {
                paid[p.bill] += i128::from(p.minor);
            }
            for (i, bill) in ledger.bills.iter().enumerate() {
                if bill.void || bill.issue > at {
                    continue;
                }
                let balance = i128::from(bill.amount_minor) - credited[i] - paid[i];
                if balance > 0 {
                    each(ledger, bill, credited[i], paid[i], balance)?;
                }
            }
        }
        Ok(())
    }

    /// What the Finance screen's cards and aging table and the dashboard show at the
    /// end of `at`, without a row per deal or per open invoice (see [`FinanceSummary`]).
    pub fn summary(&self, at: NaiveDate) -> Result<FinanceSummary> {
        let deferred = self.deferred(at, None, &FxTable::default())?;
        let mut aging: BTreeMap<Currency, [i128; 5]> = BTreeMap::new();
        let (mut open, mut overdue) = (0u64, 0u64);
        self.each_open(at, |ledger, bill, _, _, balance| {
            let bucket = AgingBucket::of((at - bill.due).num_days());
            aging.entry(ledger.currency).or_default()[bucket as usize] += balance;
            open += 1;
            if bucket != AgingBucket::Current {
                overdue += 1;
            }
            Ok(())
        })?;
        Ok(FinanceSummary {
            at,
            deals: deferred.rows.len() as u64,
            deferred: deferred.totals,
            aging: aging
                .into_iter()
                .map(|(c, s)| Ok((c.code().to_string(), AgingTotals::from_sums(s)?)))
                .collect::<Result<_>>()?,
            open_invoices: open,
            overdue_invoices: overdue,
        })
    }
}

/// The deferred and aging reports' totals at a day, per currency, and the counts the
/// screens show beside them: the Finance screen's cards and aging table and the
/// dashboard's finance cards. Each figure is the full reports' (`deferred.totals`,
/// `aging.totals`, how many rows and open invoices they list), without the rows (at
/// 100,000 invoices the aging report lists some 90,000, 30 MB of JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FinanceSummary {
    /// The day (balances at its end).
    #[serde(serialize_with = "serialize_date")]
    pub at: NaiveDate,
    /// Per currency: billed, recognized, deferred, receivable and owed back, the sums of
    /// the deferred report's rows.
    pub deferred: BTreeMap<String, DeferredSums>,
    /// How many deals the deferred report has a row for (anything billed, recognized,
    /// receivable or owed back by the day).
    #[ts(type = "number")]
    pub deals: u64,
    /// Per currency, per bucket: the open balances, the aging report's totals.
    pub aging: BTreeMap<String, AgingTotals>,
    /// Invoices open at the day (the aging report's list).
    #[ts(type = "number")]
    pub open_invoices: u64,
    /// Of those, past their due date (not in the `current` bucket).
    #[ts(type = "number")]
    pub overdue_invoices: u64,
}

// ---- CSV ----------------------------------------------------------------------------

/// `minor` of the currency `code` as major-unit text (`-0.05`).
fn major(minor: i64, code: &str) -> Result<String> {
    let currency = Currency::parse("currency", code).map_err(|e| Error::Invalid(vec![e]))?;
    Ok(Money::new(minor, currency).major())
}

fn csv_error(e: csv::Error) -> Error {
    Error::io("cannot write the report", std::io::Error::from(e))
}

/// Writes `cells`, each through [`csv_cell`].
fn write_line<W: Write, S: AsRef<str>>(out: &mut csv::Writer<W>, cells: &[S]) -> Result<()> {
    out.write_record(cells.iter().map(|c| csv_cell(c.as_ref()).into_owned()))
        .map_err(csv_error)
}

fn finish<W: Write>(out: csv::Writer<W>) -> Result<()> {
    out.into_inner()
        .map_err(|e| Error::io("cannot write the report", e.into_error()))?
        .flush()
        .map_err(|e| Error::io("cannot write the report", e))
}

/// The revenue report as CSV: `period, period_start, period_end, deal_id, partner,
/// currency, recognized_minor, recognized, billed_minor, billed, collected_minor,
/// collected`, then with a base currency `base_currency, rate_date, rate, rate_inverted,
/// recognized_base_minor, recognized_base, billed_base_minor, billed_base,
/// collected_base_minor, collected_base`.
pub fn revenue_csv<W: Write>(report: &RevenueReport, out: W) -> Result<()> {
    let mut out = csv::Writer::from_writer(out);
    let based = report.in_base.is_some();
    let mut header = vec![
        "period",
        "period_start",
        "period_end",
        "deal_id",
        "partner",
        "currency",
        "recognized_minor",
        "recognized",
        "billed_minor",
        "billed",
        "collected_minor",
        "collected",
    ];
    if based {
        header.extend([
            "base_currency",
            "rate_date",
            "rate",
            "rate_inverted",
            "recognized_base_minor",
            "recognized_base",
            "billed_base_minor",
            "billed_base",
            "collected_base_minor",
            "collected_base",
        ]);
    }
    write_line(&mut out, &header)?;
    for row in &report.rows {
        let mut cells = vec![
            row.period.clone(),
            row.period_start.to_string(),
            row.period_end.to_string(),
            row.deal_id.to_string(),
            row.partner_name.clone(),
            row.currency.clone(),
        ];
        for minor in [row.recognized_minor, row.billed_minor, row.collected_minor] {
            cells.push(minor.to_string());
            cells.push(major(minor, &row.currency)?);
        }
        if based {
            match &row.in_base {
                Some(b) => {
                    cells.push(b.currency.clone());
                    cells.extend(rate_cells(b.rate.as_ref()));
                    for minor in [b.recognized_minor, b.billed_minor, b.collected_minor] {
                        cells.push(minor.to_string());
                        cells.push(major(minor, &b.currency)?);
                    }
                }
                None => cells.extend(std::iter::repeat_n(String::new(), 10)),
            }
        }
        write_line(&mut out, &cells)?;
    }
    finish(out)
}

fn rate_cells(rate: Option<&AppliedRate>) -> [String; 3] {
    match rate {
        Some(r) => [
            r.on_date.to_string(),
            r.rate.clone(),
            r.inverted.to_string(),
        ],
        None => [String::new(), "1".to_string(), "false".to_string()],
    }
}

/// The deferred report as CSV: `deal_id, partner, currency`, then `billed`,
/// `recognized`, `deferred`, `receivable`, `owed_back` each as `_minor` and major text;
/// with a base currency `base_currency, rate_date, rate, rate_inverted` and the
/// deferred, receivable and owed-back amounts in it.
pub fn deferred_csv<W: Write>(report: &DeferredReport, out: W) -> Result<()> {
    let mut out = csv::Writer::from_writer(out);
    let based = report.in_base.is_some();
    let mut header: Vec<String> = ["at", "deal_id", "partner", "currency"]
        .map(String::from)
        .to_vec();
    let amounts = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .flat_map(|n| [format!("{n}_minor"), n.to_string()])
            .collect()
    };
    header.extend(amounts(&[
        "billed",
        "recognized",
        "deferred",
        "receivable",
        "owed_back",
    ]));
    if based {
        header.extend(["base_currency", "rate_date", "rate", "rate_inverted"].map(String::from));
        header.extend(amounts(&[
            "deferred_base",
            "receivable_base",
            "owed_back_base",
        ]));
    }
    write_line(&mut out, &header)?;
    for row in &report.rows {
        let mut cells = vec![
            report.at.to_string(),
            row.deal_id.to_string(),
            row.partner_name.clone(),
            row.currency.clone(),
        ];
        for minor in [
            row.billed_minor,
            row.recognized_minor,
            row.deferred_minor,
            row.receivable_minor,
            row.owed_back_minor,
        ] {
            cells.push(minor.to_string());
            cells.push(major(minor, &row.currency)?);
        }
        if based {
            match &row.in_base {
                Some(b) => {
                    cells.push(b.currency.clone());
                    cells.extend(rate_cells(b.rate.as_ref()));
                    for minor in [b.deferred_minor, b.receivable_minor, b.owed_back_minor] {
                        cells.push(minor.to_string());
                        cells.push(major(minor, &b.currency)?);
                    }
                }
                None => cells.extend(std::iter::repeat_n(String::new(), 10)),
            }
        }
        write_line(&mut out, &cells)?;
    }
    finish(out)
}

/// The aging report as CSV, one line per open invoice: `at, invoice_id, number,
/// deal_id, partner, currency, issue_date, due_date, days_past_due, bucket`, then
/// `amount`, `credited`, `paid`, `balance` each as `_minor` and major text. The
/// per-bucket totals are the JSON's (`--json`); a spreadsheet pivots the lines.
pub fn aging_csv<W: Write>(report: &AgingReport, out: W) -> Result<()> {
    let mut out = csv::Writer::from_writer(out);
    write_line(
        &mut out,
        &[
            "at",
            "invoice_id",
            "number",
            "deal_id",
            "partner",
            "currency",
            "issue_date",
            "due_date",
            "days_past_due",
            "bucket",
            "amount_minor",
            "amount",
            "credited_minor",
            "credited",
            "paid_minor",
            "paid",
            "balance_minor",
            "balance",
        ],
    )?;
    for inv in &report.invoices {
        let mut cells = vec![
            report.at.to_string(),
            inv.invoice_id.to_string(),
            inv.number.clone(),
            inv.deal_id.to_string(),
            inv.partner_name.clone(),
            inv.currency.clone(),
            inv.issue_date.to_string(),
            inv.due_date.to_string(),
            inv.days_past_due.to_string(),
            inv.bucket.token().to_string(),
        ];
        for minor in [
            inv.amount_minor,
            inv.credited_minor,
            inv.paid_minor,
            inv.balance_minor,
        ] {
            cells.push(minor.to_string());
            cells.push(major(minor, &inv.currency)?);
        }
        write_line(&mut out, &cells)?;
    }
    finish(out)
}

// ---- JSON ---------------------------------------------------------------------------

/// The revenue report as JSON: byte for byte what `serde_json::to_writer_pretty` writes
/// for it (a test holds the two together), written directly. A monthly report over a
/// thousand deals is 17 MB, and serde_json's formatter spent most of its time on the
/// same ten keys, escaped again for every row; here they are constants.
pub fn revenue_json<W: Write>(report: &RevenueReport, out: W) -> Result<()> {
    let mut j = Pretty::new(out);
    j.open(b'{');
    j.field("from");
    j.date(report.from);
    j.field("to");
    j.date(report.to);
    j.field("group");
    j.string(report.group.token());
    j.field("rows");
    j.open(b'[');
    for row in &report.rows {
        // A row's layout never changes: its members (at depth 3, six spaces in) are
        // written with constant fragments instead of one call per comma, line break and
        // key; the nested `in_base` object, when there is one, through the general calls.
        j.element();
        j.raw(b"{\n      \"period\": ");
        j.string(&row.period);
        j.raw(b",\n      \"period_start\": ");
        j.date(row.period_start);
        j.raw(b",\n      \"period_end\": ");
        j.date(row.period_end);
        j.raw(b",\n      \"deal_id\": ");
        j.int(row.deal_id.0);
        j.raw(b",\n      \"partner_name\": ");
        j.string(&row.partner_name);
        j.raw(b",\n      \"currency\": ");
        j.string(&row.currency);
        j.raw(b",\n      \"recognized_minor\": ");
        j.int(row.recognized_minor);
        j.raw(b",\n      \"billed_minor\": ");
        j.int(row.billed_minor);
        j.raw(b",\n      \"collected_minor\": ");
        j.int(row.collected_minor);
        j.raw(b",\n      \"in_base\": ");
        match &row.in_base {
            None => j.null(),
            Some(b) => {
                j.depth += 1;
                j.open(b'{');
                j.field("currency");
                j.string(&b.currency);
                j.field("rate");
                match &b.rate {
                    None => j.null(),
                    Some(r) => {
                        j.open(b'{');
                        j.field("on_date");
                        j.date(r.on_date);
                        j.field("from_currency");
                        j.string(&r.from_currency);
                        j.field("to_currency");
                        j.string(&r.to_currency);
                        j.field("rate");
                        j.string(&r.rate);
                        j.field("inverted");
                        j.bool(r.inverted);
                        j.close(b'}');
                    }
                }
                j.sums(&RevenueSums {
                    recognized_minor: b.recognized_minor,
                    billed_minor: b.billed_minor,
                    collected_minor: b.collected_minor,
                });
                j.close(b'}');
                j.depth -= 1;
            }
        }
        j.raw(b"\n    }");
        j.spill()?;
    }
    j.close(b']');
    j.field("totals");
    j.open(b'{');
    for (currency, minor) in &report.totals {
        j.key(currency);
        j.int(*minor);
    }
    j.close(b'}');
    j.field("sums");
    j.open(b'{');
    for (currency, sums) in &report.sums {
        j.key(currency);
        j.open(b'{');
        j.sums(sums);
        j.close(b'}');
    }
    j.close(b'}');
    j.field("in_base");
    match &report.in_base {
        None => j.null(),
        Some(b) => {
            j.open(b'{');
            j.field("currency");
            j.string(&b.currency);
            j.sums(&b.sums);
            j.close(b'}');
        }
    }
    j.close(b'}');
    j.finish()
}

/// serde_json's pretty layout (two spaces a level; `has_value` as its formatter keeps
/// it), written into a buffer that goes out in pieces of 64 KiB or more.
struct Pretty<W: Write> {
    out: W,
    buf: Vec<u8>,
    depth: usize,
    /// Whether the innermost open array or object has a value yet.
    has_value: bool,
}

impl<W: Write> Pretty<W> {
    const PIECE: usize = 1 << 16;

    fn new(out: W) -> Pretty<W> {
        Pretty {
            out,
            buf: Vec::with_capacity(2 * Self::PIECE),
            depth: 0,
            has_value: false,
        }
    }

    fn open(&mut self, bracket: u8) {
        self.buf.push(bracket);
        self.depth += 1;
        self.has_value = false;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if self.has_value {
            self.newline();
        }
        self.buf.push(bracket);
        self.has_value = true;
    }

    fn newline(&mut self) {
        const INDENT: &[u8] = b"\n                ";
        match INDENT.get(..1 + 2 * self.depth) {
            Some(indent) => self.buf.extend_from_slice(indent),
            None => {
                self.buf.push(b'\n');
                self.buf.resize(self.buf.len() + 2 * self.depth, b' ');
            }
        }
    }

    /// Starts an array's element.
    fn element(&mut self) {
        if self.has_value {
            self.buf.push(b',');
        }
        self.newline();
    }

    /// Starts an object's member: its key.
    fn key(&mut self, key: &str) {
        self.element();
        self.text(key);
        self.buf.extend_from_slice(b": ");
    }

    /// [`Pretty::key`] for a field's name, which needs no escaping.
    fn field(&mut self, name: &'static str) {
        debug_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        self.element();
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"\": ");
    }

    /// A string, escaped as serde_json escapes it (only `"`, `\` and control
    /// characters; most strings have none and are copied as they are).
    fn text(&mut self, s: &str) {
        if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
        } else {
            serde_json::to_writer(&mut self.buf, s).expect("a Vec takes any bytes");
        }
    }

    /// Bytes of the layout, copied as they are.
    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn string(&mut self, s: &str) {
        self.text(s);
        self.has_value = true;
    }

    fn date(&mut self, date: NaiveDate) {
        match crate::model::calendar::date_bytes(date) {
            Some(text) => {
                self.buf.push(b'"');
                self.buf.extend_from_slice(&text);
                self.buf.push(b'"');
            }
            None => serde_json::to_writer(&mut self.buf, &date).expect("a Vec takes any bytes"),
        }
        self.has_value = true;
    }

    fn int(&mut self, n: i64) {
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        self.has_value = true;
    }

    fn bool(&mut self, b: bool) {
        self.buf
            .extend_from_slice(if b { b"true" as &[u8] } else { b"false" });
        self.has_value = true;
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(b"null");
        self.has_value = true;
    }

    /// The members of [`RevenueSums`].
    fn sums(&mut self, s: &RevenueSums) {
        self.field("recognized_minor");
        self.int(s.recognized_minor);
        self.field("billed_minor");
        self.int(s.billed_minor);
        self.field("collected_minor");
        self.int(s.collected_minor);
    }

    /// Sends the buffer on once it holds a piece.
    fn spill(&mut self) -> Result<()> {
        if self.buf.len() >= Self::PIECE {
            self.out.write_all(&self.buf).map_err(json_error)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.out.write_all(&self.buf).map_err(json_error)
    }
}

fn json_error(e: std::io::Error) -> Error {
    Error::io("cannot write the report", e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fees::{BillingFrequency, Escalator, Term};

    fn d(s: &str) -> NaiveDate {
        parse_date("d", s).unwrap()
    }

    fn cur(code: &str) -> Currency {
        Currency::parse("c", code).unwrap()
    }

    fn rate(on: &str, from: &str, to: &str, rate: &str) -> FxRate {
        FxRate {
            on_date: on.into(),
            from_currency: from.into(),
            to_currency: to.into(),
            rate: rate.into(),
        }
    }

    fn schedule(start: &str, end: &str, fee: i64, billing: BillingFrequency) -> FeeSchedule {
        FeeSchedule::new(
            Term::new(d(start), d(end)).unwrap(),
            Money::new(fee, cur("USD")),
            Escalator::NONE,
            billing,
            30,
        )
        .unwrap()
    }

    fn invoice(id: i64, issue: &str, due: &str, amount: i64) -> InvoiceRecord {
        InvoiceRecord {
            id: InvoiceId(id),
            number: format!("INV-{id}"),
            deal_id: DealId(1),
            kind: "installment".into(),
            source: format!("installment:0:{id}"),
            period_start: issue.into(),
            period_end: issue.into(),
            issue_date: issue.into(),
            due_date: due.into(),
            currency: "USD".into(),
            amount_minor: amount,
            voided_at: None,
            void_reason: None,
            created_at: "2024-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn periods_are_calendar_aligned_and_clipped() {
        for (group, from, to, labels) in [
            (
                Grouping::Month,
                "2024-01-15",
                "2024-03-10",
                vec![
                    ("2024-01", "2024-01-15", "2024-01-31"),
                    ("2024-02", "2024-02-01", "2024-02-29"),
                    ("2024-03", "2024-03-01", "2024-03-10"),
                ],
            ),
            (
                Grouping::Quarter,
                "2024-02-15",
                "2024-12-31",
                vec![
                    ("2024-Q1", "2024-02-15", "2024-03-31"),
                    ("2024-Q2", "2024-04-01", "2024-06-30"),
                    ("2024-Q3", "2024-07-01", "2024-09-30"),
                    ("2024-Q4", "2024-10-01", "2024-12-31"),
                ],
            ),
            (
                Grouping::Year,
                "2023-07-01",
                "2025-01-01",
                vec![
                    ("2023", "2023-07-01", "2023-12-31"),
                    ("2024", "2024-01-01", "2024-12-31"),
                    ("2025", "2025-01-01", "2025-01-01"),
                ],
            ),
        ] {
            let p = Periods {
                group,
                from: d(from),
                to: d(to),
                first: group.unit(d(from)),
            };
            let last = p.index(d(to)).unwrap();
            let got: Vec<(String, String, String)> = (0..=last)
                .map(|i| {
                    let (s, e) = p.bounds(i);
                    (group.label(p.first + i), s.to_string(), e.to_string())
                })
                .collect();
            let want: Vec<(String, String, String)> = labels
                .into_iter()
                .map(|(a, b, c)| (a.into(), b.into(), c.into()))
                .collect();
            assert_eq!(got, want, "{group:?}");
            assert_eq!(p.index(d(from).pred_opt().unwrap()), None);
            assert_eq!(p.index(d(to).succ_opt().unwrap()), None);
        }
        assert_eq!("quarter".parse::<Grouping>().unwrap(), Grouping::Quarter);
        assert_eq!("week".parse::<Grouping>().unwrap_err().field, "group");
    }

    #[test]
    fn aging_buckets_at_their_boundaries() {
        for (days, bucket) in [
            (-5, "current"),
            (0, "current"),
            (1, "1-30"),
            (30, "1-30"),
            (31, "31-60"),
            (60, "31-60"),
            (61, "61-90"),
            (90, "61-90"),
            (91, "over_90"),
            (4000, "over_90"),
        ] {
            let b = AgingBucket::of(days);
            assert_eq!(b.token(), bucket, "{days}");
            assert_eq!(serde_json::to_value(b).unwrap(), bucket);
        }
    }

    #[test]
    fn conversion_is_exact_and_rounds_half_to_even() {
        let fx = FxTable::new(&[
            rate("2024-01-01", "USD", "EUR", "0.5"),
            rate("2024-03-01", "USD", "EUR", "0.92"),
            rate("2024-01-01", "EUR", "JPY", "160.125"),
            rate("2024-01-01", "BHD", "USD", "2.6525"),
        ])
        .unwrap();
        let usd = |m| Money::new(m, cur("USD"));
        // 0.01 x 0.5 = 0.005 EUR: a tie, to the even 0; 0.03 x 0.5 = 0.015 -> 0.02.
        assert_eq!(
            fx.convert(usd(1), cur("EUR"), d("2024-02-01"))
                .unwrap()
                .minor,
            0
        );
        assert_eq!(
            fx.convert(usd(3), cur("EUR"), d("2024-02-01"))
                .unwrap()
                .minor,
            2
        );
        assert_eq!(
            fx.convert(usd(5), cur("EUR"), d("2024-02-01"))
                .unwrap()
                .minor,
            2
        );
        assert_eq!(
            fx.convert(usd(7), cur("EUR"), d("2024-02-01"))
                .unwrap()
                .minor,
            4
        );
        // The latest rate on or before the day: 0.92 from March 1 on.
        assert_eq!(
            fx.convert(usd(100), cur("EUR"), d("2024-02-29"))
                .unwrap()
                .minor,
            50
        );
        assert_eq!(
            fx.convert(usd(100), cur("EUR"), d("2024-03-01"))
                .unwrap()
                .minor,
            92
        );
        // The inverse pair divides: 1.00 EUR / 0.92 = 1.0869... USD -> 1.09.
        let (m, applied) = fx
            .convert_with_rate(Money::new(100, cur("EUR")), cur("USD"), d("2024-12-31"))
            .unwrap();
        assert_eq!(m, usd(109));
        let applied = applied.unwrap();
        assert!(applied.inverted);
        assert_eq!(
            (applied.on_date, applied.rate.as_str()),
            (d("2024-03-01"), "0.92")
        );
        // Exponents: 1.00 EUR = 160.125 JPY -> 160 (JPY has no decimals); 3 EUR -> 480.375
        // -> 480; 1 JPY -> 0.0062451 EUR -> 0.01.
        assert_eq!(
            fx.convert(Money::new(100, cur("EUR")), cur("JPY"), d("2024-06-01"))
                .unwrap()
                .minor,
            160
        );
        assert_eq!(
            fx.convert(Money::new(1, cur("JPY")), cur("EUR"), d("2024-06-01"))
                .unwrap()
                .minor,
            1
        );
        // 1.000 BHD (3 decimals) x 2.6525 = 2.6525 USD -> 2.65; 0.002 BHD -> 0.005305 -> 0.01.
        assert_eq!(
            fx.convert(Money::new(1000, cur("BHD")), cur("USD"), d("2024-06-01"))
                .unwrap()
                .minor,
            265
        );
        assert_eq!(
            fx.convert(Money::new(2, cur("BHD")), cur("USD"), d("2024-06-01"))
                .unwrap()
                .minor,
            1
        );
        // Negative amounts round symmetrically: -0.01 x 0.5 = -0.005 -> 0; -0.03 -> -0.02.
        assert_eq!(
            fx.convert(usd(-3), cur("EUR"), d("2024-02-01"))
                .unwrap()
                .minor,
            -2
        );
        // Same currency: no rate needed.
        assert_eq!(
            fx.convert_with_rate(usd(7), cur("USD"), d("1999-01-01"))
                .unwrap(),
            (usd(7), None)
        );
        assert!(matches!(
            fx.convert(usd(i64::MAX), cur("JPY"), d("2024-06-01")),
            Err(FxError::MissingRate { .. })
        ));
        let huge = FxTable::new(&[rate("2024-01-01", "USD", "JPY", "150")]).unwrap();
        assert!(matches!(
            huge.convert(usd(i64::MAX), cur("JPY"), d("2024-06-01")),
            Err(FxError::TooLarge { .. })
        ));
    }

    #[test]
    fn conversion_in_i128_agrees_with_big_integers() {
        let rates = [
            "1", "0.5", "0.92", "1.0825", "160.125", "0.0068", "2.6525", "7",
        ];
        let amounts = [
            0,
            1,
            -1,
            3,
            -3,
            5,
            99,
            12_345,
            -987_654_321,
            i64::MAX,
            i64::MIN,
        ];
        let mut checked = 0;
        for rate in rates {
            let rate = parse_rate("rate", rate).unwrap();
            for minor in amounts {
                for inverted in [false, true] {
                    for shift in [(2, 2), (0, 2), (2, 0), (3, 0), (0, 3), (2, 3)] {
                        let small = convert_i128(minor, rate, inverted, shift).unwrap();
                        assert_eq!(
                            small,
                            convert_big(minor, rate, inverted, shift),
                            "{minor} x {rate} inverted {inverted} {shift:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 8 * 11 * 2 * 6);
        // A product beyond i128 falls back to big integers.
        let huge = Decimal::from_i128_with_scale(i128::from(u64::MAX) << 30, 0);
        assert_eq!(convert_i128(i64::MAX, huge, false, (0, 3)), None);
    }

    #[test]
    fn the_later_direction_wins_and_a_missing_rate_names_the_pair_and_the_day() {
        let fx = FxTable::new(&[
            rate("2024-01-01", "USD", "EUR", "0.5"),
            rate("2024-02-01", "EUR", "USD", "4"),
        ])
        .unwrap();
        let usd = Money::new(100, cur("USD"));
        assert_eq!(
            fx.convert(usd, cur("EUR"), d("2024-01-31")).unwrap().minor,
            50
        );
        assert_eq!(
            fx.convert(usd, cur("EUR"), d("2024-02-01")).unwrap().minor,
            25
        );
        let e = fx.convert(usd, cur("EUR"), d("2023-12-31")).unwrap_err();
        assert_eq!(
            e,
            FxError::MissingRate {
                from: cur("USD"),
                to: cur("EUR"),
                on: d("2023-12-31")
            }
        );
        let message = e.to_string();
        assert!(
            message.starts_with("no USD→EUR rate on or before 2023-12-31"),
            "{message}"
        );
        let e: Error = fx
            .convert(usd, cur("GBP"), d("2024-05-01"))
            .unwrap_err()
            .into();
        assert_eq!(e.code(), crate::error::ErrorCode::Invalid);
        assert!(e.to_string().contains("USD→GBP"), "{e}");
        assert!(e.to_string().contains("2024-05-01"), "{e}");
    }

    #[test]
    fn fx_rate_inputs_are_checked_field_by_field() {
        let ok = FxRateInput {
            date: "2024-03-31".into(),
            from: "usd".into(),
            to: "EUR".into(),
            rate: " 0.920 ".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok, rate("2024-03-31", "USD", "EUR", "0.920"));
        let e = FxRateInput {
            date: "31/03/2024".into(),
            from: "USD".into(),
            to: "usd".into(),
            rate: "0".into(),
        }
        .validate()
        .unwrap_err();
        let Error::Invalid(fields) = e else {
            panic!("{e}")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["date", "rate", "to"]);
        for bad in ["-1", "1e3", "abc", ""] {
            let e = FxRateInput {
                date: "2024-03-31".into(),
                from: "USD".into(),
                to: "EUR".into(),
                rate: bad.into(),
            }
            .validate()
            .unwrap_err();
            assert!(
                matches!(&e, Error::Invalid(f) if f[0].field == "rate"),
                "{bad}: {e}"
            );
        }
        assert!(FxTable::new(&[rate("2024-01-01", "USD", "XAU", "1")]).is_err());
    }

    #[test]
    fn fx_csv_reports_every_bad_line() {
        let good =
            "Date,From,To,Rate,source\n2024-01-01,USD,EUR,0.92,ecb\n\n2024-01-01,EUR,JPY,160,x\n";
        let rates = fx_rates_from_csv("rates.csv", good.as_bytes()).unwrap();
        assert_eq!(
            rates,
            [
                rate("2024-01-01", "USD", "EUR", "0.92"),
                rate("2024-01-01", "EUR", "JPY", "160")
            ]
        );
        let bad = "date,from,to,rate\n2024-01-01,USD,EUR,0.92\n2024-13-01,USD,EUR,1\n\
                   2024-01-01,USD,EUR,0.93\n2024-01-02,USD,ABC,-1\n";
        let Error::BadLines { total, lines, .. } =
            fx_rates_from_csv("rates.csv", bad.as_bytes()).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(total, 3);
        let at: Vec<u64> = lines.iter().map(|l| l.line).collect();
        assert_eq!(at, [3, 4, 5]);
        assert!(
            lines[0].message.starts_with("date:"),
            "{}",
            lines[0].message
        );
        assert!(
            lines[1].message.contains("first is on line 2"),
            "{}",
            lines[1].message
        );
        assert!(lines[2].message.contains("to:") && lines[2].message.contains("rate:"));
        let Error::BadLines { lines, .. } =
            fx_rates_from_csv("r.csv", b"day,from,to,rate\n").unwrap_err()
        else {
            panic!()
        };
        assert!(
            lines[0].message.contains("missing: date"),
            "{}",
            lines[0].message
        );
    }

    #[test]
    fn books_that_do_not_add_up_are_refused() {
        let s = schedule("2024-01-01", "2024-12-31", 1200, BillingFrequency::Monthly);
        let invoices = [invoice(1, "2024-01-01", "2024-01-31", 100)];
        let stray = [Payment {
            id: 9,
            invoice_id: InvoiceId(2),
            amount_minor: 100,
            paid_on: "2024-01-05".into(),
            reference: String::new(),
            created_at: String::new(),
        }];
        let books = DealBooks {
            deal_id: DealId(1),
            partner_name: "Acme",
            schedule: &s,
            recognition: Recognition::Ratable,
            invoices: &invoices,
            credits: &[],
            payments: &stray,
            usage: &[],
        };
        let e = deferred(&[books], d("2024-06-30"), None, &FxTable::default()).unwrap_err();
        assert!(e.to_string().contains("payment 9 is for invoice 2"), "{e}");
        let mut eur = invoices.clone();
        eur[0].currency = "EUR".into();
        let books = DealBooks {
            invoices: &eur,
            payments: &[],
            ..books
        };
        let e = aging(&[books], d("2024-06-30"), None, &FxTable::default()).unwrap_err();
        assert!(e.to_string().contains("is in EUR"), "{e}");
        let query = RevenueQuery {
            from: d("2024-02-01"),
            to: d("2024-01-31"),
            group: Grouping::Month,
            base: None,
        };
        let e = revenue(&[], &query, &FxTable::default()).unwrap_err();
        assert!(matches!(&e, Error::Invalid(f) if f[0].field == "to"), "{e}");
    }

    #[test]
    fn books_filled_row_by_row_report_what_the_records_give() {
        let s = schedule("2024-01-01", "2025-12-31", 1200, BillingFrequency::Monthly);
        let mut invoices: Vec<InvoiceRecord> = (1..=6)
            .map(|i| invoice(i, &format!("2024-0{i}-01"), &format!("2024-0{i}-28"), 100))
            .collect();
        invoices[2].voided_at = Some("2024-03-02T00:00:00Z".into());
        let payment = |id: i64, invoice: i64, minor: i64, on: &str| Payment {
            id,
            invoice_id: InvoiceId(invoice),
            amount_minor: minor,
            paid_on: on.into(),
            reference: String::new(),
            created_at: String::new(),
        };
        let payments = [
            payment(1, 1, 100, "2024-01-10"),
            payment(2, 2, 40, "2024-03-31"),
            payment(3, 5, 100, "2024-05-02"),
        ];
        let credits = [CreditNote {
            id: 1,
            number: "CN-1".into(),
            invoice_id: InvoiceId(2),
            amount_minor: 30,
            reason: String::new(),
            issued_on: "2024-04-01".into(),
            created_at: String::new(),
        }];
        let usage = [UsageFee {
            on: d("2024-03-05"),
            amount: Money::new(7, cur("USD")),
        }];
        let records = DealBooks {
            deal_id: DealId(1),
            partner_name: "Acme",
            schedule: &s,
            recognition: Recognition::Ratable,
            invoices: &invoices,
            credits: &credits,
            payments: &payments,
            usage: &usage,
        };
        let mut books = Books::new([DealTerms {
            deal_id: DealId(1),
            partner_name: "Acme".into(),
            schedule: Cow::Borrowed(&s),
            recognition: Recognition::Ratable,
        }]);
        // Another deal's invoice, and its payment, are not these books' business.
        let stray = InvoiceRow {
            id: InvoiceId(99),
            deal_id: DealId(2),
            ..(&invoices[0]).into()
        };
        books.invoice(stray).unwrap();
        books
            .payment(PaymentRow {
                invoice_id: InvoiceId(99),
                ..(&payments[0]).into()
            })
            .unwrap();
        for i in &invoices {
            books.invoice(i.into()).unwrap();
        }
        for c in &credits {
            books.credit(c.into()).unwrap();
        }
        for p in &payments {
            books.payment(p.into()).unwrap();
        }
        books.usage(DealId(1), usage[0]).unwrap();
        books.usage(DealId(2), usage[0]).unwrap();

        let fx = FxTable::default();
        let q = RevenueQuery {
            from: d("2024-01-01"),
            to: d("2025-12-31"),
            group: Grouping::Month,
            base: None,
        };
        let by_rows = books.revenue(&q, &fx).unwrap();
        assert_eq!(by_rows, revenue(&[records], &q, &fx).unwrap());
        assert_eq!(by_rows.sums["USD"].billed_minor, 500 - 30);
        for at in ["2024-02-15", "2024-04-30", "2025-12-31"] {
            let at = d(at);
            assert_eq!(
                books.deferred(at, None, &fx).unwrap(),
                deferred(&[records], at, None, &fx).unwrap()
            );
            assert_eq!(
                books.aging(at, None, &fx).unwrap(),
                aging(&[records], at, None, &fx).unwrap()
            );
        }

        // An invoice added twice, and a date that does not parse, are refused by name.
        let e = books.invoice((&invoices[0]).into()).unwrap_err();
        assert!(
            e.to_string().contains("invoice INV-1 is given twice"),
            "{e}"
        );
        let e = books
            .payment(PaymentRow {
                paid_on: "2024-02-30",
                ..(&payments[0]).into()
            })
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("deal 1: payment 1: '2024-02-30' is not a date"),
            "{e}"
        );
    }

    #[test]
    fn revenue_json_writes_the_bytes_serde_json_writes() {
        let same = |report: &RevenueReport| {
            let mut ours = Vec::new();
            revenue_json(report, &mut ours).unwrap();
            let serde = serde_json::to_vec_pretty(report).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(serde).unwrap()
            );
        };
        // A real report, in a base currency, with rows in it and in the base.
        let s = schedule("2024-01-01", "2025-12-31", 1200, BillingFrequency::Monthly);
        let invoices = [invoice(1, "2024-01-01", "2024-01-31", 100)];
        let books = DealBooks {
            deal_id: DealId(1),
            partner_name: "Acme \"AI\" \\ Labs\u{7}é",
            schedule: &s,
            recognition: Recognition::Ratable,
            invoices: &invoices,
            credits: &[],
            payments: &[],
            usage: &[],
        };
        let fx = FxTable::new(&[rate("2024-01-01", "EUR", "USD", "1.0825")]).unwrap();
        for (group, base) in [
            (Grouping::Month, None),
            (Grouping::Quarter, Some(cur("EUR"))),
            (Grouping::Year, Some(cur("USD"))),
        ] {
            let query = RevenueQuery {
                from: d("2023-12-15"),
                to: d("2025-02-01"),
                group,
                base,
            };
            same(&revenue(&[books], &query, &fx).unwrap());
        }
        // Every shape by hand: no rows, a rate read the other way, years chrono signs.
        let empty = RevenueReport {
            from: d("2024-01-01"),
            to: d("2024-01-31"),
            group: Grouping::Month,
            rows: Vec::new(),
            totals: BTreeMap::new(),
            sums: BTreeMap::new(),
            in_base: None,
        };
        same(&empty);
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
        let row = RevenueRow {
            period: "2024-01\n".into(),
            period_start: far,
            period_end: d("0001-02-03"),
            deal_id: DealId(-7),
            partner_name: String::new(),
            currency: "EUR".into(),
            recognized_minor: i64::MIN,
            billed_minor: i64::MAX,
            collected_minor: 0,
            in_base: Some(RevenueInBase {
                currency: "USD".into(),
                rate: Some(AppliedRate {
                    on_date: d("2024-01-01"),
                    from_currency: "USD".into(),
                    to_currency: "EUR".into(),
                    rate: "0.92".into(),
                    inverted: true,
                }),
                recognized_minor: -1,
                billed_minor: 2,
                collected_minor: 3,
            }),
        };
        let mut plain = row.clone();
        plain.in_base = Some(RevenueInBase {
            rate: None,
            ..row.in_base.clone().unwrap()
        });
        same(&RevenueReport {
            rows: vec![row, plain],
            totals: [("EUR".to_string(), 5), ("\"".to_string(), -5)].into(),
            sums: [("EUR".to_string(), RevenueSums::default())].into(),
            in_base: Some(BaseRevenueTotals {
                currency: "USD".into(),
                sums: RevenueSums {
                    recognized_minor: 1,
                    billed_minor: 2,
                    collected_minor: 3,
                },
            }),
            ..empty
        });
    }

    #[test]
    fn a_terminated_point_in_time_deal_reverses_what_it_billed_after_termination() {
        // 366 days of 2024, billed quarterly: 4 installments of 91_500; terminated on
        // 2024-05-15, the second quarter (Apr 1..Jun 30, 91 days) served 45 days.
        let s = FeeSchedule::new(
            Term::new(d("2024-01-01"), d("2024-12-31")).unwrap(),
            Money::new(366_000, cur("USD")),
            Escalator::NONE,
            BillingFrequency::Quarterly,
            30,
        )
        .unwrap()
        .terminated_on(d("2024-05-15"));
        let books = DealBooks {
            deal_id: DealId(1),
            partner_name: "Acme",
            schedule: &s,
            recognition: Recognition::PointInTime,
            invoices: &[],
            credits: &[],
            payments: &[],
            usage: &[],
        };
        let query = RevenueQuery {
            from: d("2024-01-01"),
            to: d("2024-12-31"),
            group: Grouping::Month,
            base: None,
        };
        let report = revenue(&[books], &query, &FxTable::default()).unwrap();
        let by_period: Vec<(&str, i64)> = report
            .rows
            .iter()
            .map(|r| (r.period.as_str(), r.recognized_minor))
            .collect();
        // Unearned: 91_500 - floor(91_500 x 45 / 91) = 91_500 - 45_247 = 46_253.
        assert_eq!(
            by_period,
            [
                ("2024-01", 91_500),
                ("2024-04", 91_500),
                ("2024-05", -46_253)
            ]
        );
        let report = deferred(&[books], d("2024-12-31"), None, &FxTable::default()).unwrap();
        assert_eq!(report.rows[0].recognized_minor, 183_000 - 46_253);
    }
}
