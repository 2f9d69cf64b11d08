//! Finance (PRODUCT.md §5): a deal's fee terms as entered and stored, invoices,
//! payments, credit notes and FX rates; and the pure rules that tie them to the deal:
//! the schedule of a deal ([`schedule_of`]), an invoice's status, usage fees.
//! The arithmetic itself is `money` and `fees`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{FieldError, Problems, Result};
use crate::model::calendar::parse_date;
use crate::model::deal::{Deal, DealId, DealStatus};
use crate::model::fees::{BillingFrequency, Escalator, FeeSchedule, Recognition, Term};
use crate::model::money::{round_half_even, Currency, Money};
use crate::model::text;

/// What a user enters for a deal's fees: amounts in major units as exact decimal text
/// (`60000000.00`), the rest as tokens. Absent optional fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeeInput {
    /// ISO 4217, e.g. `USD`; it sets how many decimals every amount may have.
    pub currency: String,
    /// The first contract year's fee, major units.
    pub annual_fee: String,
    /// Percent per contract year, 0 to 100; default 0.
    #[serde(default)]
    pub escalator_pct: Option<String>,
    /// `annual`, `quarterly` or `monthly`; default `annual`.
    #[serde(default)]
    pub billing: Option<String>,
    /// Days after issue an invoice is due, 0 to 3650; default 30.
    #[serde(default)]
    pub terms_days: Option<i64>,
    /// `ratable` (ongoing access) or `point-in-time` (one-off deliveries); default
    /// `ratable`.
    #[serde(default)]
    pub recognition: Option<String>,
    /// A fee per delivery, major units; default 0.
    #[serde(default)]
    pub per_delivery: Option<String>,
    /// A fee per 1,000 delivered records, major units (may have more decimals than the
    /// currency: it is a rate); default 0.
    #[serde(default)]
    pub per_1k_records: Option<String>,
    /// A minimum annual guarantee, major units; default 0 (none).
    #[serde(default)]
    pub minimum: Option<String>,
}

/// Payment terms when a fee schedule does not say.
pub const DEFAULT_TERMS_DAYS: u32 = 30;

/// A deal's fee terms, as stored and as `fee show` prints them: money in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeeTerms {
    /// The deal they belong to.
    pub deal_id: DealId,
    /// ISO 4217 code.
    pub currency: String,
    /// The first contract year's fee, minor units.
    pub annual_fee_minor: i64,
    /// Percent per contract year, exact decimal text (`3`, `2.5`).
    pub escalator_pct: String,
    /// `annual`, `quarterly` or `monthly`.
    pub billing: String,
    /// Days after issue an invoice is due.
    pub terms_days: u32,
    /// `ratable` or `point-in-time`.
    pub recognition: String,
    /// Fee per delivery, minor units.
    pub per_delivery_minor: i64,
    /// Fee per 1,000 delivered records, in minor units of the currency (a rate: the
    /// usage invoice rounds half to even).
    pub per_1k_records_minor: String,
    /// Minimum annual guarantee, minor units (0: none).
    pub minimum_minor: i64,
    /// When they were last set, RFC 3339 UTC.
    pub updated_at: String,
}

impl FeeInput {
    /// Checks every field and reports every problem at once, each naming its field.
    pub fn validate(&self) -> Result<FeeFields> {
        let mut problems = Problems::default();
        let currency = problems.take(Currency::parse("currency", self.currency.trim()));
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let escalator = match text(&self.escalator_pct) {
            None => Some(Escalator::NONE),
            Some(t) => problems.take(Escalator::parse("escalator_pct", &t)),
        };
        let billing = match text(&self.billing) {
            None => Some(BillingFrequency::Annual),
            Some(t) => problems.take(t.parse::<BillingFrequency>()),
        };
        let recognition = match text(&self.recognition) {
            None => Some(Recognition::Ratable),
            Some(t) => problems.take(t.parse::<Recognition>()),
        };
        let terms_days = match self.terms_days {
            None => Some(DEFAULT_TERMS_DAYS),
            Some(d) if (0..=3650).contains(&d) => Some(d as u32),
            Some(d) => {
                problems.add(
                    "terms_days",
                    format!("payment terms are 0 to 3650 days, not {d}"),
                );
                None
            }
        };
        let mut money = |field: &str, value: Option<String>| -> Option<i64> {
            let currency = currency?;
            let value = value.unwrap_or_else(|| "0".to_string());
            problems
                .take(Money::parse_major(field, &value, currency))
                .map(|m| m.minor)
        };
        let annual = money("annual_fee", Some(self.annual_fee.trim().to_string()));
        let per_delivery = money("per_delivery", text(&self.per_delivery));
        let minimum = money("minimum", text(&self.minimum));
        let per_1k = match (currency, text(&self.per_1k_records)) {
            (_, None) => Some(Decimal::ZERO),
            (None, Some(_)) => None,
            (Some(c), Some(t)) => problems.take(per_1k_rate(c, &t)),
        };
        problems.into_result()?;
        Ok(FeeFields {
            currency: currency.expect("checked"),
            annual_fee_minor: annual.expect("checked"),
            escalator: escalator.expect("checked"),
            billing: billing.expect("checked"),
            terms_days: terms_days.expect("checked"),
            recognition: recognition.expect("checked"),
            per_delivery_minor: per_delivery.expect("checked"),
            per_1k_records_minor: per_1k.expect("checked"),
            minimum_minor: minimum.expect("checked"),
        })
    }
}

/// The per-1,000-records fee in minor units: a non-negative exact decimal (it is a
/// rate, so it may have more decimals than the currency, up to 6).
fn per_1k_rate(currency: Currency, text: &str) -> std::result::Result<Decimal, FieldError> {
    let major = crate::model::money::parse_decimal("per_1k_records", text)?;
    if major.is_sign_negative() {
        return Err(FieldError::new(
            "per_1k_records",
            format!("{text} is negative: it must be 0 or more"),
        ));
    }
    if major.scale() > currency.exponent() + 6 {
        return Err(FieldError::new(
            "per_1k_records",
            format!(
                "{text} has too many decimals: at most {} for {}",
                currency.exponent() + 6,
                currency.code()
            ),
        ));
    }
    Ok(major * Decimal::from(currency.minor_per_major()))
}

/// A validated [`FeeInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeFields {
    /// The currency.
    pub currency: Currency,
    /// First contract year's fee, minor units, >= 0.
    pub annual_fee_minor: i64,
    /// Percent per contract year.
    pub escalator: Escalator,
    /// How often invoices are issued.
    pub billing: BillingFrequency,
    /// Days after issue an invoice is due.
    pub terms_days: u32,
    /// How the fees are recognized.
    pub recognition: Recognition,
    /// Fee per delivery, minor units.
    pub per_delivery_minor: i64,
    /// Fee per 1,000 records, minor units (exact).
    pub per_1k_records_minor: Decimal,
    /// Minimum annual guarantee, minor units.
    pub minimum_minor: i64,
}

impl FeeTerms {
    /// The stored terms, checked again (a row altered behind the app's back is an error,
    /// not a wrong invoice).
    pub fn fields(&self) -> Result<FeeFields> {
        FeeInput {
            currency: self.currency.clone(),
            annual_fee: Money::new(
                self.annual_fee_minor,
                Currency::parse("currency", &self.currency)
                    .map_err(|e| crate::error::Error::Invalid(vec![e]))?,
            )
            .major(),
            escalator_pct: Some(self.escalator_pct.clone()),
            billing: Some(self.billing.clone()),
            terms_days: Some(i64::from(self.terms_days)),
            recognition: Some(self.recognition.clone()),
            per_delivery: None,
            per_1k_records: None,
            minimum: None,
        }
        .validate()
        .map(|mut f| {
            f.per_delivery_minor = self.per_delivery_minor;
            f.minimum_minor = self.minimum_minor;
            f.per_1k_records_minor = self.per_1k_records_minor.parse().unwrap_or_default();
            f
        })
    }
}

/// The day a deal stopped being served, if it was terminated: the day of its move to
/// `terminated` (its last change, since terms are frozen), clamped to its term.
pub fn termination_of(deal: &Deal) -> Option<NaiveDate> {
    if deal.status != DealStatus::Terminated {
        return None;
    }
    let day = deal.updated_at.get(..10).and_then(|d| d.parse().ok())?;
    Some(day)
}

/// The fee schedule of a deal under its terms, truncated at its termination.
pub fn schedule_of(deal: &Deal, fees: &FeeFields) -> Result<FeeSchedule> {
    let term = Term::new(deal.start_date, deal.end_date)
        .map_err(|e| crate::error::Error::Invalid(vec![e]))?;
    let schedule = FeeSchedule::new(
        term,
        Money::new(fees.annual_fee_minor, fees.currency),
        fees.escalator,
        fees.billing,
        fees.terms_days,
    )?;
    Ok(match termination_of(deal) {
        Some(day) => schedule.terminated_on(day),
        None => schedule,
    })
}

/// The usage fee of a delivery of `records` records: per-delivery fee plus the
/// per-1,000 rate times records / 1,000, rounded half to even.
pub fn usage_fee(fees: &FeeFields, records: u64) -> Option<i64> {
    let rate = fees.per_1k_records_minor * Decimal::from(records);
    // rate (minor per 1k) * records / 1000, exact: scale the decimal to an integer ratio.
    let scale = rate.scale();
    let numerator = rate.mantissa();
    let denominator = 1000i128.checked_mul(10i128.checked_pow(scale)?)?;
    round_half_even(numerator, denominator)
}

/// An invoice's id: its rowid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct InvoiceId(pub i64);

impl std::fmt::Display for InvoiceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An invoice as stored (what the audit log records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InvoiceRecord {
    /// Assigned by the store.
    pub id: InvoiceId,
    /// `INV-<year of issue>-<seq>`, sequential per year, never reused.
    pub number: String,
    /// The deal billed.
    pub deal_id: DealId,
    /// `installment`, `delivery`, `usage` or `minimum`.
    pub kind: String,
    /// What it bills, unique per deal: `installment:<year>:<index>`, `delivery:<id>`,
    /// `usage:<id>`, `minimum:<year>`.
    pub source: String,
    /// First day of the period billed.
    pub period_start: String,
    /// Last day of the period billed.
    pub period_end: String,
    /// When it is issued.
    pub issue_date: String,
    /// When it is due.
    pub due_date: String,
    /// ISO 4217.
    pub currency: String,
    /// The amount billed, minor units.
    pub amount_minor: i64,
    /// When it was voided, if it was.
    pub voided_at: Option<String>,
    /// Why.
    pub void_reason: Option<String>,
    /// When it was recorded.
    pub created_at: String,
}

/// An invoice as listed: the record and what payments and credit notes made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Invoice {
    /// What the store records.
    #[serde(flatten)]
    pub record: InvoiceRecord,
    /// Paid so far, minor units.
    pub paid_minor: i64,
    /// Credited so far, minor units.
    pub credited_minor: i64,
    /// What is still owed: amount - credited - paid (0 for a void invoice).
    pub balance_minor: i64,
    /// What it billed for days after the deal's termination, not yet credited: owed
    /// back to the partner.
    pub owed_back_minor: i64,
    /// `issued`, `partially_paid`, `paid`, `overdue` or `void`.
    pub status: String,
}

/// A page of invoices as listed, newest first, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InvoicePage {
    /// This page's invoices, newest first.
    pub invoices: Vec<Invoice>,
    /// Every invoice the filter matches, of which `invoices` is a page.
    #[ts(type = "number")]
    pub total: u64,
}

/// An invoice's status at `today`: void; paid when nothing is owed; overdue when
/// something is owed after the due date; partially paid; else issued.
pub fn invoice_status(
    record: &InvoiceRecord,
    paid: i64,
    credited: i64,
    today: &str,
) -> &'static str {
    status_of(
        record.voided_at.is_some(),
        record.amount_minor - credited - paid,
        paid,
        &record.due_date,
        today,
    )
}

/// [`invoice_status`] over only the fields it reads: `balance` is amount - credited -
/// paid. The settled state decides, and the day only tells an open invoice overdue.
pub fn status_of(void: bool, balance: i64, paid: i64, due_date: &str, today: &str) -> &'static str {
    InvoiceState::of(void, balance, paid).status(due_date, today)
}

/// What payments, credit notes and a void made of an invoice, whatever the day: the
/// part of its status that does not depend on the date. The store keeps it in a column
/// (`invoices.state`) that every operation changing one of those rows sets again
/// (`finance::settle`), so that a status filter is answered from an index on (state,
/// due date) instead of deriving 100,000 statuses; `audit verify` recomputes it from
/// the rows the audit log vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceState {
    /// Something is owed and nothing was paid.
    Open,
    /// Something is owed and something was paid.
    PartlyPaid,
    /// Nothing is owed (paid, credited, or both; an amount of 0 too).
    Paid,
    /// Voided.
    Void,
}

impl InvoiceState {
    /// Every state.
    pub const ALL: [InvoiceState; 4] = [
        InvoiceState::Open,
        InvoiceState::PartlyPaid,
        InvoiceState::Paid,
        InvoiceState::Void,
    ];

    /// The state of an invoice, void or not, with `balance` = amount - credited - paid
    /// still owed and `paid` received.
    pub fn of(void: bool, balance: i64, paid: i64) -> InvoiceState {
        if void {
            InvoiceState::Void
        } else if balance <= 0 {
            InvoiceState::Paid
        } else if paid > 0 {
            InvoiceState::PartlyPaid
        } else {
            InvoiceState::Open
        }
    }

    /// The status at `today` of an invoice in this state due on `due_date` (both
    /// `YYYY-MM-DD`): something owed after the due date is overdue.
    pub fn status(self, due_date: &str, today: &str) -> &'static str {
        match self {
            InvoiceState::Void => "void",
            InvoiceState::Paid => "paid",
            InvoiceState::Open | InvoiceState::PartlyPaid if today > due_date => "overdue",
            InvoiceState::PartlyPaid => "partially_paid",
            InvoiceState::Open => "issued",
        }
    }

    /// Which states a status is found in, and whether it needs the due date before the
    /// day (`Some(true)`: overdue), on or after it (`Some(false)`), or either (`None`).
    pub fn of_status(status: &str) -> Option<(&'static [InvoiceState], Option<bool>)> {
        Some(match status {
            "void" => (&[InvoiceState::Void], None),
            "paid" => (&[InvoiceState::Paid], None),
            "overdue" => (&[InvoiceState::Open, InvoiceState::PartlyPaid], Some(true)),
            "partially_paid" => (&[InvoiceState::PartlyPaid], Some(false)),
            "issued" => (&[InvoiceState::Open], Some(false)),
            _ => return None,
        })
    }

    /// The token the store keeps.
    pub fn token(self) -> &'static str {
        match self {
            InvoiceState::Open => "open",
            InvoiceState::PartlyPaid => "partly_paid",
            InvoiceState::Paid => "paid",
            InvoiceState::Void => "void",
        }
    }

    /// The state a stored token names.
    pub fn from_token(token: &str) -> Option<InvoiceState> {
        InvoiceState::ALL.into_iter().find(|s| s.token() == token)
    }
}

/// The statuses `invoice list --status` takes.
pub const INVOICE_STATUSES: [&str; 5] = ["issued", "partially_paid", "paid", "overdue", "void"];

/// A payment received against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Payment {
    /// Assigned by the store.
    pub id: i64,
    /// The invoice paid.
    pub invoice_id: InvoiceId,
    /// Amount, minor units of the invoice's currency, > 0.
    pub amount_minor: i64,
    /// The day it was received.
    pub paid_on: String,
    /// The bank's or the partner's reference; may be empty.
    pub reference: String,
    /// When it was recorded.
    pub created_at: String,
}

/// What `payment add` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentInput {
    /// The invoice paid.
    pub invoice_id: InvoiceId,
    /// Major units, exact decimal text.
    pub amount: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Optional reference.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A credit note correcting an issued invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreditNote {
    /// Assigned by the store.
    pub id: i64,
    /// `CN-<year>-<seq>`, sequential per year.
    pub number: String,
    /// The invoice corrected.
    pub invoice_id: InvoiceId,
    /// Amount credited, minor units, > 0.
    pub amount_minor: i64,
    /// Why.
    pub reason: String,
    /// The day it was issued.
    pub issued_on: String,
    /// When it was recorded.
    pub created_at: String,
}

/// A finance report as the app asks for it, for its CSV export: the dates as entered
/// (checked when the report runs, naming the field), the rest as the CLI's flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "report", rename_all = "lowercase")]
pub enum ReportRequest {
    /// `finance revenue`: recognized, billed and collected per period and deal.
    Revenue {
        /// First day, `YYYY-MM-DD`.
        from: String,
        /// Last day, `YYYY-MM-DD`.
        to: String,
        /// Months, quarters or years.
        group: crate::model::reports::Grouping,
        /// One deal, or all.
        deal_id: Option<DealId>,
        /// Also converted to this currency.
        base: Option<String>,
    },
    /// `finance deferred`: deferred revenue and receivables per deal at a day.
    Deferred {
        /// The day, `YYYY-MM-DD`.
        at: String,
        /// One deal, or all.
        deal_id: Option<DealId>,
        /// Also converted to this currency.
        base: Option<String>,
    },
    /// `finance aging`: open invoices by days past due at a day.
    Aging {
        /// The day, `YYYY-MM-DD`.
        at: String,
        /// One deal, or all.
        deal_id: Option<DealId>,
        /// Also converted to this currency.
        base: Option<String>,
    },
}

/// A report written to a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CsvExport {
    /// Where it was written.
    pub path: String,
    /// Data rows, the header not counted.
    pub rows: usize,
    /// Size of the file.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Parses a day, naming the field.
pub fn day(field: &str, text: &str) -> std::result::Result<NaiveDate, FieldError> {
    parse_date(field, text.trim())
}

/// A reason or reference: one line, no control characters; `required` refuses empty.
pub fn one_line(
    field: &str,
    text: &str,
    required: bool,
) -> std::result::Result<String, FieldError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(FieldError::new(field, format!("{field} is required")));
    }
    text::single_line(field, text)?;
    Ok(text.to_string())
}

/// A stored row of the user's FX-rate table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FxRateRecord {
    /// Assigned by the store.
    pub id: i64,
    /// The rate: on a day, 1 unit of one currency is so many units of another.
    #[serde(flatten)]
    pub rate: crate::model::reports::FxRate,
    /// When it was recorded.
    pub created_at: String,
}

/// What an invoice's settled state is computed from: whether it is void, its amount,
/// and the sums of its payments and credit notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// The invoice.
    pub id: InvoiceId,
    /// Whether it was voided.
    pub void: bool,
    /// The amount billed, minor units.
    pub amount_minor: i64,
    /// Its payments, summed.
    pub paid_minor: i64,
    /// Its credit notes, summed.
    pub credited_minor: i64,
}

impl Settlement {
    /// Its state by [`InvoiceState::of`] (the balance in i128: a tampered row cannot
    /// overflow it).
    pub fn state(&self) -> InvoiceState {
        let balance = i128::from(self.amount_minor)
            - i128::from(self.credited_minor)
            - i128::from(self.paid_minor);
        let balance = i64::try_from(balance).unwrap_or(if balance > 0 { 1 } else { 0 });
        InvoiceState::of(self.void, balance, self.paid_minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status filter reads the states and the due-date side `of_status` names; that
    /// must select exactly the invoices `status` gives that status, for every state and
    /// every side of the due date (the day itself is not late).
    #[test]
    fn a_status_is_found_where_of_status_says() {
        let today = "2026-07-15";
        for state in InvoiceState::ALL {
            assert_eq!(InvoiceState::from_token(state.token()), Some(state));
            for due in ["2026-07-14", "2026-07-15", "2026-07-16"] {
                let status = state.status(due, today);
                for candidate in INVOICE_STATUSES {
                    let (states, overdue) = InvoiceState::of_status(candidate).unwrap();
                    let found = states.contains(&state)
                        && overdue.is_none_or(|before| before == (due < today));
                    assert_eq!(
                        found,
                        candidate == status,
                        "{state:?} due {due}: {candidate}"
                    );
                }
            }
        }
        assert_eq!(InvoiceState::of_status("late"), None);
        assert_eq!(InvoiceState::from_token("late"), None);
        // The rule: void first, then nothing owed, then something paid.
        assert_eq!(InvoiceState::of(true, 100, 0), InvoiceState::Void);
        assert_eq!(InvoiceState::of(false, 0, 0), InvoiceState::Paid);
        assert_eq!(InvoiceState::of(false, -5, 10), InvoiceState::Paid);
        assert_eq!(InvoiceState::of(false, 5, 10), InvoiceState::PartlyPaid);
        assert_eq!(InvoiceState::of(false, 5, 0), InvoiceState::Open);
        assert_eq!(status_of(false, 5, 1, "2026-07-14", today), "overdue");
    }
}
