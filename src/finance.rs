//! Finance (PRODUCT.md §5): a deal's fee schedule, the invoices that bill it, payments
//! and credit notes. Amounts are integer minor units; the rules are `model::fees` and
//! `model::finance`, pure and exact; this module stores and decides.
//!
//! - **Fee schedule**: part of the deal's terms; set while the deal is draft or
//!   negotiating, frozen from signed on, copied to a renewal.
//! - **Invoices** (`generate`): the installments of a signed or active deal whose
//!   issue date has come (through a date, default today), plus one invoice per delivery
//!   when the deal has a per-delivery or per-1,000-records fee (issued on the delivery
//!   date), plus a minimum-guarantee true-up after a contract year whose invoices fell
//!   short of the (prorated) minimum. Idempotent: what was generated is never generated
//!   again. Numbers are `INV-<year of issue>-<seq>`, sequential per year, never reused
//!   (a void invoice keeps its number).
//! - **Payments**: partial payments are allowed; an overpayment is refused (the message
//!   states the open balance), as is a payment on a void invoice.
//! - **Void** an invoice with no payment; correct a paid one with a **credit note**.
//! - **Termination**: a terminated deal bills nothing issued after its termination day;
//!   what its invoices billed for days after it is shown as owed back until credited.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate, Utc};

pub use crate::model::finance::*;
pub use crate::model::reports::{
    aging_csv, deferred_csv, fx_rates_from_csv, revenue_csv, revenue_json, AgingReport, DealBooks,
    DeferredReport, FinanceSummary, FxRate, FxRateInput, FxTable, Grouping, PartnerRevenue,
    RevenueQuery, RevenueReport, RevenueSummary,
};

use crate::deal::{Deal, DealId, DealStatus};
use crate::error::{Error, Result};
use crate::model::audit::Action;
use crate::model::fees::{prorated_fee, Installment, UsageFee};
use crate::model::money::{Currency, Money};
use crate::model::reports::{Books, DealTerms};
use crate::snapshot::atomic::AtomicFile;
use crate::store::finance::Series;
use crate::store::{self, Store};

/// A deal's fee terms, if it has them.
pub fn fees(store: &Store, deal: DealId) -> Result<Option<FeeTerms>> {
    store.read(|conn| {
        store::deals::get(conn, deal)?;
        store::finance::fees(conn, deal)
    })
}

/// Sets a deal's fee schedule (replacing the one it had); refused once the deal is
/// signed, and for any invalid field (every problem at once).
pub fn set_fees(store: &Store, deal: DealId, input: FeeInput) -> Result<FeeTerms> {
    let fields = input.validate()?;
    store.write(|tx| {
        let d = store::deals::get(tx.conn(), deal)?;
        if !d.status.terms_open() {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "deal {deal} is {}: its fee schedule is frozen from signed on; renew it to \
                     agree new fees",
                    d.status
                ),
            });
        }
        // Refuse fees that overflow over this deal's term before storing them.
        schedule_of(&d, &fields)?;
        let before = store::finance::fees(tx.conn(), deal)?;
        store::finance::set_fees(tx, deal, &fields)?;
        let after = store::finance::fees(tx.conn(), deal)?.expect("just set");
        tx.audit(
            Action::FeesSet,
            "fee_schedule",
            deal.0,
            before.as_ref(),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// Copies a deal's fee schedule to its renewal, in the renewal's transaction.
pub(crate) fn copy_fees(tx: &store::Tx<'_>, from: &Deal, to: DealId) -> Result<()> {
    let Some(terms) = store::finance::fees(tx.conn(), from.id)? else {
        return Ok(());
    };
    let fields = terms.fields()?;
    store::finance::set_fees(tx, to, &fields)?;
    let after = store::finance::fees(tx.conn(), to)?.expect("just set");
    tx.audit(Action::FeesSet, "fee_schedule", to.0, None, Some(&after))
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn currency_of(code: &str) -> Result<Currency> {
    Currency::parse("currency", code).map_err(|e| Error::Invalid(vec![e]))
}

/// An invoice to issue: everything but its number.
struct Draft {
    kind: &'static str,
    source: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    amount_minor: i64,
}

/// Issues the invoices of a signed or active deal whose issue date is on or before
/// `through` (default today) and that were not issued before; the new ones.
pub fn generate(store: &Store, deal: DealId, through: Option<NaiveDate>) -> Result<Vec<Invoice>> {
    let through = through.unwrap_or_else(today);
    let ids = store.write(|tx| {
        let d = store::deals::get(tx.conn(), deal)?;
        if !matches!(d.status, DealStatus::Signed | DealStatus::Active) {
            return Err(Error::Conflict {
                field: Some("deal_id".to_string()),
                message: format!(
                    "deal {deal} is {}: invoices are generated for signed or active deals",
                    d.status
                ),
            });
        }
        let terms = store::finance::fees(tx.conn(), deal)?.ok_or_else(|| Error::Conflict {
            field: Some("deal_id".to_string()),
            message: format!("deal {deal} has no fee schedule: set one with `consentry fee set`"),
        })?;
        let fields = terms.fields()?;
        let done: HashSet<String> = store::finance::invoices(tx.conn(), Some(deal))?
            .into_iter()
            .map(|i| i.source)
            .collect();
        let deliveries = store::deliveries::list(tx.conn(), deal)?;
        let mut drafts = drafts(&d, &fields, &deliveries, through)?;
        drafts.retain(|draft| !done.contains(&draft.source));
        drafts.sort_by(|a, b| (a.issue_date, &a.source).cmp(&(b.issue_date, &b.source)));
        let mut ids = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let year = draft.issue_date.year();
            let seq = store::finance::next_seq(tx.conn(), Series::Invoices, year)?;
            let record = InvoiceRecord {
                id: InvoiceId(0),
                number: format!("INV-{year}-{seq:04}"),
                deal_id: deal,
                kind: draft.kind.to_string(),
                source: draft.source,
                period_start: draft.period_start.to_string(),
                period_end: draft.period_end.to_string(),
                issue_date: draft.issue_date.to_string(),
                due_date: draft.due_date.to_string(),
                currency: fields.currency.code().to_string(),
                amount_minor: draft.amount_minor,
                voided_at: None,
                void_reason: None,
                created_at: tx.now().to_string(),
            };
            let state = InvoiceState::of(false, record.amount_minor, 0);
            let id = store::finance::insert_invoice(tx, &record, state, year, seq)?;
            let stored = store::finance::invoice(tx.conn(), id)?;
            tx.audit(Action::InvoiceIssued, "invoice", id.0, None, Some(&stored))?;
            ids.push(id);
        }
        Ok(ids)
    })?;
    let wanted: HashSet<InvoiceId> = ids.into_iter().collect();
    Ok(list(store, Some(deal), None, None)?
        .into_iter()
        .filter(|i| wanted.contains(&i.record.id))
        .collect())
}

/// Every invoice the deal's terms call for, issued on or before `through`.
fn drafts(
    deal: &Deal,
    fees: &FeeFields,
    deliveries: &[crate::delivery::Delivery],
    through: NaiveDate,
) -> Result<Vec<Draft>> {
    let schedule = schedule_of(deal, fees)?;
    let terms = chrono::Days::new(u64::from(fees.terms_days));
    let due = |d: NaiveDate| d.checked_add_days(terms).unwrap_or(d);
    let mut out: Vec<Draft> = schedule
        .installments()
        .into_iter()
        .filter(|i| i.issue_date <= through)
        .map(|i| Draft {
            kind: "installment",
            source: format!("installment:{}:{}", i.year, i.index),
            period_start: i.period_first,
            period_end: i.period_last,
            issue_date: i.issue_date,
            due_date: i.due_date,
            amount_minor: i.amount.minor,
        })
        .collect();
    let stop = schedule.termination().unwrap_or(deal.end_date);
    for d in deliveries {
        let Some(on) = d
            .created_at
            .get(..10)
            .and_then(|t| t.parse::<NaiveDate>().ok())
        else {
            continue;
        };
        if on > through || on > stop {
            continue;
        }
        let usage = usage_fee(fees, d.records).ok_or_else(|| Error::Conflict {
            field: None,
            message: format!("the usage fee of delivery {} overflows", d.delivery_id),
        })?;
        let amount = fees
            .per_delivery_minor
            .checked_add(usage)
            .ok_or_else(|| Error::Conflict {
                field: None,
                message: format!("the fees of delivery {} overflow", d.delivery_id),
            })?;
        if amount > 0 {
            out.push(Draft {
                kind: "delivery",
                source: format!("delivery:{}", d.delivery_id),
                period_start: on,
                period_end: on,
                issue_date: on,
                due_date: due(on),
                amount_minor: amount,
            });
        }
    }
    if fees.minimum_minor > 0 {
        for year in schedule.years() {
            let y = &year.year;
            let last = y.last.min(stop);
            // A true-up is issued the day after the contract year (or the service) ended.
            let Some(issue) = last.succ_opt() else {
                continue;
            };
            if issue > through || last < y.first {
                continue;
            }
            let served = (last - y.first).num_days() as u32 + 1;
            let minimum = prorated_fee(fees.minimum_minor, served, y.full_days).unwrap_or(0);
            let billed: i64 = out
                .iter()
                .filter(|d| d.issue_date >= y.first && d.issue_date <= last)
                .map(|d| d.amount_minor)
                .sum();
            if minimum > billed {
                out.push(Draft {
                    kind: "minimum",
                    source: format!("minimum:{}", y.k),
                    period_start: y.first,
                    period_end: last,
                    issue_date: issue,
                    due_date: due(issue),
                    amount_minor: minimum - billed,
                });
            }
        }
    }
    Ok(out)
}

/// What payments and credit notes made of each invoice: (paid, credited).
type Settled = HashMap<InvoiceId, (i64, i64)>;

fn settled(conn: &rusqlite::Connection, deal: Option<DealId>) -> Result<Settled> {
    let mut out: Settled = HashMap::new();
    for p in store::finance::payments(conn, None, deal)? {
        out.entry(p.invoice_id).or_default().0 += p.amount_minor;
    }
    for c in store::finance::credits(conn, None, deal)? {
        out.entry(c.invoice_id).or_default().1 += c.amount_minor;
    }
    Ok(out)
}

/// How much of an installment invoice billed days after `termination`.
fn unearned(record: &InvoiceRecord, termination: NaiveDate) -> i64 {
    let parse = |t: &str| t.parse::<NaiveDate>().ok();
    let (Some(first), Some(last), Some(due), Ok(currency)) = (
        parse(&record.period_start),
        parse(&record.period_end),
        parse(&record.due_date),
        currency_of(&record.currency),
    ) else {
        return 0;
    };
    Installment {
        year: 0,
        index: 0,
        count: 1,
        period_first: first,
        period_last: last,
        issue_date: first,
        due_date: due,
        amount: Money::new(record.amount_minor, currency),
    }
    .unearned_after(termination)
    .minor
}

fn shown(
    record: InvoiceRecord,
    settled: &Settled,
    termination: Option<NaiveDate>,
    today: &str,
) -> Invoice {
    let (paid, credited) = settled.get(&record.id).copied().unwrap_or_default();
    let status = invoice_status(&record, paid, credited, today).to_string();
    let owed_back = match termination {
        Some(t) if record.voided_at.is_none() && record.kind == "installment" => {
            (unearned(&record, t) - credited).max(0)
        }
        _ => 0,
    };
    let balance = if record.voided_at.is_some() {
        0
    } else {
        record.amount_minor - credited - paid
    };
    Invoice {
        record,
        paid_minor: paid,
        credited_minor: credited,
        balance_minor: balance,
        owed_back_minor: owed_back,
        status,
    }
}

/// Invoices of one deal or all, by issue date, with their status as of `at` (default
/// today); `status` keeps only those in it.
pub fn list(
    store: &Store,
    deal: Option<DealId>,
    status: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<Vec<Invoice>> {
    check_status(status)?;
    let today = at.unwrap_or_else(today).to_string();
    store.read(|conn| {
        if let Some(deal) = deal {
            store::deals::get(conn, deal)?;
        }
        let mut records = store::finance::invoices(conn, deal)?;
        records.sort_by(|a, b| (&a.issue_date, &a.number).cmp(&(&b.issue_date, &b.number)));
        shown_all(conn, records, &settled(conn, deal)?, status, &today)
    })
}

/// The most invoices [`page`] returns at once.
pub const MAX_PAGE: u64 = 1000;

/// One page of [`list`] in the reverse order, newest first, for a table that loads as it
/// scrolls: `limit` (at most [`MAX_PAGE`]) invoices from `offset`, and how many match in
/// all. Without a status the store finds the page by the issue-date index; with one, by
/// the settled state each invoice keeps ([`InvoiceState`], set by every operation that
/// changes it) and its due date, which together give the status on the day: both are
/// in one index, so the page and the count cost the matches' index entries, not the
/// table. Only the page's invoices are read whole, with their payments and credits.
pub fn page(
    store: &Store,
    deal: Option<DealId>,
    status: Option<&str>,
    at: Option<NaiveDate>,
    offset: u64,
    limit: u64,
) -> Result<InvoicePage> {
    check_status(status)?;
    let limit = limit.min(MAX_PAGE);
    let today = at.unwrap_or_else(today).to_string();
    store.read(|conn| {
        if let Some(deal) = deal {
            store::deals::get(conn, deal)?;
        }
        let (records, total) = match status.and_then(InvoiceState::of_status) {
            None => store::finance::invoice_page(conn, deal, offset, limit)?,
            Some((states, overdue)) => {
                let overdue = overdue.map(|before| (before, today.as_str()));
                store::finance::invoice_page_in(conn, deal, states, overdue, offset, limit)?
            }
        };
        let ids: Vec<InvoiceId> = records.iter().map(|r| r.id).collect();
        let settled = store::finance::paid_and_credited(conn, &ids)?;
        let invoices = shown_all(conn, records, &settled, None, &today)?;
        Ok(InvoicePage { invoices, total })
    })
}

/// Sets an invoice's stored state again from its rows, in the transaction that added a
/// payment or a credit note to it or voided it.
fn settle(tx: &store::Tx<'_>, id: InvoiceId) -> Result<()> {
    let state = store::finance::settlement(tx.conn(), id)?.state();
    store::finance::set_state(tx.conn(), id, state)
}

/// Refuses a status that is not one of [`INVOICE_STATUSES`].
fn check_status(status: Option<&str>) -> Result<()> {
    match status {
        Some(s) if !INVOICE_STATUSES.contains(&s) => Err(Error::invalid(
            "status",
            format!("status {s:?} is not one of {}", INVOICE_STATUSES.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// `records` as listed, in their order, keeping those in `status` when there is one.
fn shown_all(
    conn: &rusqlite::Connection,
    records: Vec<InvoiceRecord>,
    settled: &Settled,
    status: Option<&str>,
    today: &str,
) -> Result<Vec<Invoice>> {
    let mut terminations: BTreeMap<DealId, Option<NaiveDate>> = BTreeMap::new();
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let termination = match terminations.get(&record.deal_id) {
            Some(t) => *t,
            None => {
                let t = termination_of(&store::deals::get(conn, record.deal_id)?);
                terminations.insert(record.deal_id, t);
                t
            }
        };
        let invoice = shown(record, settled, termination, today);
        if status.is_none_or(|s| invoice.status == s) {
            out.push(invoice);
        }
    }
    Ok(out)
}

/// One invoice as listed.
pub fn get(store: &Store, id: InvoiceId) -> Result<Invoice> {
    let record = store.read(|conn| store::finance::invoice(conn, id))?;
    list(store, Some(record.deal_id), None, None)?
        .into_iter()
        .find(|i| i.record.id == id)
        .ok_or_else(|| Error::NotFound {
            entity: "invoice",
            id: id.to_string(),
        })
}

/// Cancels an invoice that has no payment; a paid one is corrected with a credit note.
pub fn void(store: &Store, id: InvoiceId, reason: &str) -> Result<Invoice> {
    let reason = one_line("reason", reason, true).map_err(|e| Error::Invalid(vec![e]))?;
    store.write(|tx| {
        let before = store::finance::invoice(tx.conn(), id)?;
        if before.voided_at.is_some() {
            return Err(Error::Conflict {
                field: None,
                message: format!("invoice {} is already void", before.number),
            });
        }
        if !store::finance::payments(tx.conn(), Some(id), None)?.is_empty() {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "invoice {} has payments: correct it with a credit note instead",
                    before.number
                ),
            });
        }
        store::finance::void_invoice(tx, id, &reason)?;
        settle(tx, id)?;
        let after = store::finance::invoice(tx.conn(), id)?;
        tx.audit(
            Action::InvoiceVoided,
            "invoice",
            id.0,
            Some(&before),
            Some(&after),
        )?;
        Ok(())
    })?;
    get(store, id)
}

/// Issues a credit note for `amount` (major units) against an invoice, dated `on`
/// (default today, UTC: finance may date a note back, e.g. to the month it corrects).
/// Refused: a void invoice, more than is left to credit, a day before the invoice was
/// issued or after today. "Today" is the user's, which the app gives in its own time
/// zone: a day that has begun anywhere on Earth (UTC+14) is not in the future. The
/// note's number is of its year's series (CN-YYYY-NNNN).
pub fn credit(
    store: &Store,
    id: InvoiceId,
    amount: &str,
    reason: &str,
    on: Option<NaiveDate>,
) -> Result<CreditNote> {
    let reason = one_line("reason", reason, true).map_err(|e| Error::Invalid(vec![e]))?;
    let on = on.unwrap_or_else(today);
    let latest_today = (Utc::now() + chrono::Duration::hours(14)).date_naive();
    if on > latest_today {
        return Err(Error::invalid(
            "date",
            format!("{on} is in the future: a credit note is dated today or earlier"),
        ));
    }
    store.write(|tx| {
        let invoice = store::finance::invoice(tx.conn(), id)?;
        if invoice.voided_at.is_some() {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "invoice {} is void: there is nothing to credit",
                    invoice.number
                ),
            });
        }
        let currency = currency_of(&invoice.currency)?;
        let amount = positive(amount, currency)?;
        let credited = settled(tx.conn(), Some(invoice.deal_id))?
            .get(&id)
            .map_or(0, |s| s.1);
        let left = invoice.amount_minor - credited;
        if amount.minor > left {
            return Err(Error::invalid(
                "amount",
                format!(
                    "{} {} is more than is left to credit on {}: {} {}",
                    amount.major(),
                    currency.code(),
                    invoice.number,
                    Money::new(left, currency).major(),
                    currency.code()
                ),
            ));
        }
        not_before_issue(on, &invoice)?;
        let year = on.year();
        let seq = store::finance::next_seq(tx.conn(), Series::CreditNotes, year)?;
        let note = CreditNote {
            id: 0,
            number: format!("CN-{year}-{seq:04}"),
            invoice_id: id,
            amount_minor: amount.minor,
            reason: reason.clone(),
            issued_on: on.to_string(),
            created_at: tx.now().to_string(),
        };
        let note_id = store::finance::insert_credit(tx, &note, year, seq)?;
        settle(tx, id)?;
        let stored = store::finance::credit(tx.conn(), note_id)?;
        tx.audit(
            Action::CreditIssued,
            "credit_note",
            note_id,
            None,
            Some(&stored),
        )?;
        Ok(stored)
    })
}

/// Refuses a payment or credit note dated before its invoice was issued.
fn not_before_issue(on: NaiveDate, invoice: &InvoiceRecord) -> Result<()> {
    if on.to_string() < invoice.issue_date {
        return Err(Error::invalid(
            "date",
            format!(
                "{on} is before {} was issued ({})",
                invoice.number, invoice.issue_date
            ),
        ));
    }
    Ok(())
}

fn positive(amount: &str, currency: Currency) -> Result<Money> {
    let money = Money::parse_major("amount", amount.trim(), currency)
        .map_err(|e| Error::Invalid(vec![e]))?;
    if money.minor <= 0 {
        return Err(Error::invalid(
            "amount",
            format!("{} is not a positive amount", amount.trim()),
        ));
    }
    Ok(money)
}

/// Records a payment against an invoice. Partial payments are allowed; refused: an
/// overpayment (the message states the open balance), a void invoice, a date before
/// the invoice was issued.
pub fn add_payment(store: &Store, input: PaymentInput) -> Result<Payment> {
    let on = day("date", &input.date).map_err(|e| Error::Invalid(vec![e]))?;
    let reference = one_line("reference", input.reference.as_deref().unwrap_or(""), false)
        .map_err(|e| Error::Invalid(vec![e]))?;
    store.write(|tx| {
        let invoice = store::finance::invoice(tx.conn(), input.invoice_id)?;
        if invoice.voided_at.is_some() {
            return Err(Error::Conflict {
                field: Some("invoice_id".to_string()),
                message: format!("invoice {} is void: it takes no payment", invoice.number),
            });
        }
        let currency = currency_of(&invoice.currency)?;
        let amount = positive(&input.amount, currency)?;
        not_before_issue(on, &invoice)?;
        let (paid, credited) = settled(tx.conn(), Some(invoice.deal_id))?
            .get(&invoice.id)
            .copied()
            .unwrap_or_default();
        let open = invoice.amount_minor - credited - paid;
        if amount.minor > open {
            return Err(Error::invalid(
                "amount",
                format!(
                    "{} {} is more than the open balance of {}: {} {}",
                    amount.major(),
                    currency.code(),
                    invoice.number,
                    Money::new(open, currency).major(),
                    currency.code()
                ),
            ));
        }
        let id = store::finance::insert_payment(
            tx,
            invoice.id,
            amount.minor,
            &on.to_string(),
            &reference,
        )?;
        settle(tx, invoice.id)?;
        let stored = store::finance::payment(tx.conn(), id)?;
        tx.audit(Action::PaymentRecorded, "payment", id, None, Some(&stored))?;
        Ok(stored)
    })
}

/// The payments of an invoice, by date.
pub fn payments(store: &Store, invoice: InvoiceId) -> Result<Vec<Payment>> {
    store.read(|conn| {
        store::finance::invoice(conn, invoice)?;
        let mut list = store::finance::payments(conn, Some(invoice), None)?;
        list.sort_by(|a, b| (&a.paid_on, a.id).cmp(&(&b.paid_on, b.id)));
        Ok(list)
    })
}

/// The credit notes of an invoice, by date.
pub fn credits(store: &Store, invoice: InvoiceId) -> Result<Vec<CreditNote>> {
    store.read(|conn| {
        store::finance::invoice(conn, invoice)?;
        store::finance::credits(conn, Some(invoice), None)
    })
}

/// Sets the rate of a pair on a day (replacing what that day had).
pub fn set_fx(store: &Store, input: &FxRateInput) -> Result<FxRateRecord> {
    let rate = input.validate()?;
    store.write(|tx| record_fx(tx, &rate))
}

fn record_fx(tx: &store::Tx<'_>, rate: &FxRate) -> Result<FxRateRecord> {
    let (id, before) = store::finance::set_fx(tx, rate)?;
    let after = store::finance::fx(tx.conn(), id)?;
    tx.audit(
        Action::FxRateSet,
        "fx_rate",
        id,
        before.as_ref(),
        Some(&after),
    )?;
    Ok(after)
}

/// Imports a CSV of rates (`date,from,to,rate`): every line is checked first, and a
/// file with any bad line imports nothing and names its lines.
pub fn import_fx(store: &Store, path: &std::path::Path) -> Result<Vec<FxRateRecord>> {
    let shown = crate::text::printable(&path.display().to_string()).into_owned();
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("cannot read {shown}"), e))?;
    let rates = fx_rates_from_csv(&shown, &bytes)?;
    store.write(|tx| rates.iter().map(|r| record_fx(tx, r)).collect())
}

/// The FX-rate table.
pub fn fx_rates(store: &Store) -> Result<Vec<FxRateRecord>> {
    store.read(store::finance::fx_rates)
}

/// The books of the deals with a fee schedule (all, or one) and the FX-rate table, read
/// in one transaction. Each invoice, credit note and payment goes from the store's row
/// into the [`Books`] with no owned copy: the reports read tens of thousands of them.
fn books(store: &Store, deal: Option<DealId>) -> Result<(Books<'static>, FxTable)> {
    store.read_consistent(|conn| {
        let deals = match deal {
            Some(id) => vec![store::deals::get(conn, id)?],
            None => store::deals::list(conn, &Default::default())?,
        };
        let mut all_fees: HashMap<DealId, FeeTerms> = store::finance::all_fees(conn)?
            .into_iter()
            .map(|f| (f.deal_id, f))
            .collect();
        let mut terms = Vec::with_capacity(deals.len());
        for d in deals {
            let Some(fees) = all_fees.remove(&d.id) else {
                continue;
            };
            let fields = fees.fields()?;
            let schedule = schedule_of(&d, &fields)?;
            terms.push(DealTerms {
                deal_id: d.id,
                partner_name: Cow::Owned(d.partner_name),
                schedule: Cow::Owned(schedule),
                recognition: fields.recognition,
            });
        }
        let mut books = Books::new(terms);
        store::finance::invoice_rows(conn, deal, |i| {
            // Delivery fees and minimum true-ups are revenue on the day they are billed.
            if !i.void && i.kind != "installment" {
                let on = i.issue_date.parse().map_err(|_| {
                    Error::invalid(
                        "books",
                        format!("invoice {} has no valid issue date", i.number),
                    )
                })?;
                let amount = Money::new(i.amount_minor, currency_of(i.currency)?);
                books.usage(i.deal_id, UsageFee { on, amount })?;
            }
            books.invoice(i)
        })?;
        store::finance::credit_rows(conn, deal, |c| books.credit(c))?;
        store::finance::payment_rows(conn, deal, |p| books.payment(p))?;
        let rates: Vec<FxRate> = store::finance::fx_rates(conn)?
            .into_iter()
            .map(|r| r.rate)
            .collect();
        Ok((books, FxTable::new(&rates)?))
    })
}

fn base_currency(base: Option<&str>) -> Result<Option<Currency>> {
    base.map(|b| Currency::parse("base", b.trim()).map_err(|e| Error::Invalid(vec![e])))
        .transpose()
}

/// Revenue recognized, billed and collected per period and deal (PRODUCT.md §5), of one
/// deal or all; with `base`, converted through the FX-rate table.
pub fn revenue(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    group: Grouping,
    deal: Option<DealId>,
    base: Option<&str>,
) -> Result<RevenueReport> {
    let query = RevenueQuery {
        from,
        to,
        group,
        base: base_currency(base)?,
    };
    let (books, fx) = books(store, deal)?;
    books.revenue(&query, &fx)
}

/// Deferred revenue (billed - recognized) and receivables per deal at a day.
pub fn deferred(
    store: &Store,
    at: NaiveDate,
    deal: Option<DealId>,
    base: Option<&str>,
) -> Result<DeferredReport> {
    let base = base_currency(base)?;
    let (books, fx) = books(store, deal)?;
    books.deferred(at, base, &fx)
}

/// Open invoices at a day by days past due: current, 1-30, 31-60, 61-90, over 90.
pub fn aging(
    store: &Store,
    at: NaiveDate,
    deal: Option<DealId>,
    base: Option<&str>,
) -> Result<AgingReport> {
    let base = base_currency(base)?;
    let (books, fx) = books(store, deal)?;
    books.aging(at, base, &fx)
}

/// [`revenue`] of every deal summed per partner and currency: what the revenue charts
/// show, in a few hundred numbers instead of a row per deal and period.
pub fn revenue_summary(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    group: Grouping,
) -> Result<RevenueSummary> {
    let (books, _) = books(store, None)?;
    books.revenue_summary(from, to, group)
}

/// The totals of [`deferred`] and [`aging`] of every deal at a day, per currency, and
/// how many deals and open and overdue invoices they list: the Finance screen's cards
/// and aging table and the dashboard's, from one read of the books.
pub fn summary(store: &Store, at: NaiveDate) -> Result<FinanceSummary> {
    let (books, _) = books(store, None)?;
    books.summary(at)
}

/// A day the caller typed, naming the field when it is not one.
pub fn date(field: &str, text: &str) -> Result<NaiveDate> {
    day(field, text).map_err(|e| Error::Invalid(vec![e]))
}

/// Computes a report and writes its CSV (formula cells neutralized) to `path`,
/// replacing what was there: the app asks where in a save dialog, which confirms
/// replacing a file. Written whole or not at all (a temporary file, fsynced, renamed).
pub fn export_csv(store: &Store, request: &ReportRequest, path: &Path) -> Result<CsvExport> {
    let mut bytes = Vec::new();
    let rows = match request {
        ReportRequest::Revenue {
            from,
            to,
            group,
            deal_id,
            base,
        } => {
            let report = revenue(
                store,
                date("from", from)?,
                date("to", to)?,
                *group,
                *deal_id,
                base.as_deref(),
            )?;
            revenue_csv(&report, &mut bytes)?;
            report.rows.len()
        }
        ReportRequest::Deferred { at, deal_id, base } => {
            let report = deferred(store, date("at", at)?, *deal_id, base.as_deref())?;
            deferred_csv(&report, &mut bytes)?;
            report.rows.len()
        }
        ReportRequest::Aging { at, deal_id, base } => {
            let report = aging(store, date("at", at)?, *deal_id, base.as_deref())?;
            aging_csv(&report, &mut bytes)?;
            report.invoices.len()
        }
    };
    let shown = crate::text::printable(&path.display().to_string()).into_owned();
    let (dir, name) = match (path.parent(), path.file_name().and_then(|n| n.to_str())) {
        (Some(dir), Some(name)) => (
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            },
            name,
        ),
        _ => {
            return Err(Error::invalid(
                "path",
                format!("{shown} is not a file name"),
            ))
        }
    };
    let mut file = AtomicFile::create(dir, name, "the CSV export")
        .map_err(|e| Error::io(format!("cannot write {shown}"), e))?;
    file.write(&bytes)?;
    let written = file.commit()?;
    Ok(CsvExport {
        path: path.display().to_string(),
        rows,
        bytes: written.bytes,
    })
}
