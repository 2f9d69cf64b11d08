//! SQL for fee schedules, invoices, payments and credit notes.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{text, Tx};
use crate::error::{Error, Result};
use crate::model::deal::DealId;
use crate::model::finance::{
    CreditNote, FeeFields, FeeTerms, FxRateRecord, InvoiceId, InvoiceRecord, InvoiceState, Payment,
    Settlement,
};
use crate::model::reports::{CreditRow, FxRate, InvoiceRow, PaymentRow};

const FEE_COLUMNS: &str = "deal_id, currency, annual_fee_minor, escalator_pct, billing,
    terms_days, recognition, per_delivery_minor, per_1k_records_minor, minimum_minor,
    updated_at";

fn fees_from_row(r: &Row<'_>) -> rusqlite::Result<FeeTerms> {
    Ok(FeeTerms {
        deal_id: DealId(r.get(0)?),
        currency: r.get(1)?,
        annual_fee_minor: r.get(2)?,
        escalator_pct: r.get(3)?,
        billing: r.get(4)?,
        terms_days: r.get(5)?,
        recognition: r.get(6)?,
        per_delivery_minor: r.get(7)?,
        per_1k_records_minor: r.get(8)?,
        minimum_minor: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

/// A deal's fee terms, if it has them.
pub(crate) fn fees(conn: &Connection, deal: DealId) -> Result<Option<FeeTerms>> {
    Ok(conn
        .query_row(
            &format!("SELECT {FEE_COLUMNS} FROM fee_schedules WHERE deal_id = ?1"),
            [deal.0],
            fees_from_row,
        )
        .optional()?)
}

/// Sets (or replaces) a deal's fee terms.
pub(crate) fn set_fees(tx: &Tx<'_>, deal: DealId, f: &FeeFields) -> Result<()> {
    tx.conn().execute(
        &format!(
            "INSERT OR REPLACE INTO fee_schedules ({FEE_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            deal.0,
            f.currency.code(),
            f.annual_fee_minor,
            f.escalator.percent().normalize().to_string(),
            f.billing.token(),
            f.terms_days,
            f.recognition.token(),
            f.per_delivery_minor,
            f.per_1k_records_minor.normalize().to_string(),
            f.minimum_minor,
            tx.now(),
        ],
    )?;
    Ok(())
}

/// Every deal's fee terms, by deal.
pub(crate) fn all_fees(conn: &Connection) -> Result<Vec<FeeTerms>> {
    let mut stmt = conn.prepare(&format!("SELECT {FEE_COLUMNS} FROM fee_schedules"))?;
    let rows = stmt.query_map([], fees_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ids of the deals with fee terms (for `audit verify`).
pub(crate) fn fee_deal_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT deal_id FROM fee_schedules ORDER BY deal_id")
}

fn ids(conn: &Connection, sql: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const INVOICE_COLUMNS: &str = "id, number, deal_id, kind, source, period_start, period_end,
    issue_date, due_date, currency, amount_minor, voided_at, void_reason, created_at";

fn invoice_from_row(r: &Row<'_>) -> rusqlite::Result<InvoiceRecord> {
    Ok(InvoiceRecord {
        id: InvoiceId(r.get(0)?),
        number: r.get(1)?,
        deal_id: DealId(r.get(2)?),
        kind: r.get(3)?,
        source: r.get(4)?,
        period_start: r.get(5)?,
        period_end: r.get(6)?,
        issue_date: r.get(7)?,
        due_date: r.get(8)?,
        currency: r.get(9)?,
        amount_minor: r.get(10)?,
        voided_at: r.get(11)?,
        void_reason: r.get(12)?,
        created_at: r.get(13)?,
    })
}

/// The next number of a numbered series (`invoices`, `credit_notes`) in `year`.
pub(crate) fn next_seq(conn: &Connection, table: Series, year: i32) -> Result<i64> {
    Ok(conn.query_row(
        &format!(
            "SELECT coalesce(max(seq), 0) + 1 FROM {} WHERE year = ?1",
            table.table()
        ),
        [year],
        |r| r.get(0),
    )?)
}

/// A numbered series.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Series {
    Invoices,
    CreditNotes,
}

impl Series {
    fn table(self) -> &'static str {
        match self {
            Series::Invoices => "invoices",
            Series::CreditNotes => "credit_notes",
        }
    }
}

/// Records an invoice (its `id` is ignored) in its settled `state`; its id.
pub(crate) fn insert_invoice(
    tx: &Tx<'_>,
    i: &InvoiceRecord,
    state: InvoiceState,
    year: i32,
    seq: i64,
) -> Result<InvoiceId> {
    tx.conn().execute(
        "INSERT INTO invoices (number, year, seq, deal_id, kind, source, period_start,
             period_end, issue_date, due_date, currency, amount_minor, created_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            i.number,
            year,
            seq,
            i.deal_id.0,
            i.kind,
            i.source,
            i.period_start,
            i.period_end,
            i.issue_date,
            i.due_date,
            i.currency,
            i.amount_minor,
            tx.now(),
            state.token(),
        ],
    )?;
    Ok(InvoiceId(tx.conn().last_insert_rowid()))
}

/// One invoice.
pub(crate) fn invoice(conn: &Connection, id: InvoiceId) -> Result<InvoiceRecord> {
    conn.query_row(
        &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = ?1"),
        [id.0],
        invoice_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "invoice",
        id: id.to_string(),
    })
}

/// Invoices of one deal or all, in table order: all of them are read in one sequential
/// scan (an index walk in date order would visit the table's pages out of order, once
/// per row); a caller that lists them sorts them.
pub(crate) fn invoices(conn: &Connection, deal: Option<DealId>) -> Result<Vec<InvoiceRecord>> {
    let list: Vec<InvoiceRecord> = match deal {
        Some(d) => {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {INVOICE_COLUMNS} FROM invoices WHERE deal_id = ?1"
            ))?;
            let rows = stmt.query_map([d.0], invoice_from_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        }
        None => {
            let mut stmt = conn.prepare(&format!("SELECT {INVOICE_COLUMNS} FROM invoices"))?;
            let rows = stmt.query_map([], invoice_from_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        }
    };
    Ok(list)
}

/// One page of the invoices of one deal or all, newest first (issue date, then number,
/// both descending: the reverse of how they are listed), and how many there are in all.
/// The issue-date indexes give the order, so a page costs its own rows, not the table's.
pub(crate) fn invoice_page(
    conn: &Connection,
    deal: Option<DealId>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<InvoiceRecord>, u64)> {
    let filter = match deal {
        Some(_) => "WHERE deal_id = ?1",
        None => "WHERE ?1 IS NULL",
    };
    let deal = deal.map(|d| d.0);
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM invoices {filter}"),
        [deal],
        |r| r.get(0),
    )?;
    let total = u64::try_from(total).unwrap_or(0);
    let mut stmt = conn.prepare(&format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices {filter}
         ORDER BY issue_date DESC, number DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![deal, clamp(limit), clamp(offset)], invoice_from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

/// One page of the invoices in `states` (of one deal or all), newest first as
/// [`invoice_page`], and how many there are in all. `overdue` restricts them to a due
/// date before `today` (`Some(true)`) or on or after it (`Some(false)`). Without a deal
/// both the count and the page's ids come from `invoices_by_state` (state, due date,
/// issue date, number) alone: the count is a range of it, the page a sort of that range
/// by the two columns it holds, and only the page's rows are read from the table
/// (`status_page_plan` shows the plan; a test checks it). With a deal, its own index
/// (a deal has tens of invoices) is the planner's choice.
pub(crate) fn invoice_page_in(
    conn: &Connection,
    deal: Option<DealId>,
    states: &[InvoiceState],
    overdue: Option<(bool, &str)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<InvoiceRecord>, u64)> {
    let (filter, mut values) = state_filter(deal, states, overdue);
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM invoices {filter}"),
        rusqlite::params_from_iter(&values),
        |r| r.get(0),
    )?;
    let clamp = |n: u64| rusqlite::types::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    values.extend([clamp(limit), clamp(offset)]);
    let mut stmt = conn.prepare(&status_page_sql(&filter))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&values), invoice_from_row)?;
    Ok((
        rows.collect::<rusqlite::Result<_>>()?,
        u64::try_from(total).unwrap_or(0),
    ))
}

/// The WHERE clause of a status page and its values, in order.
fn state_filter(
    deal: Option<DealId>,
    states: &[InvoiceState],
    overdue: Option<(bool, &str)>,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let index = match deal {
        None => "INDEXED BY invoices_by_state",
        Some(_) => "",
    };
    let marks = vec!["?"; states.len()].join(", ");
    let mut filter = format!("{index} WHERE state IN ({marks})");
    let mut values: Vec<Value> = states
        .iter()
        .map(|s| Value::Text(s.token().to_string()))
        .collect();
    if let Some((before, today)) = overdue {
        filter.push_str(if before {
            " AND due_date < ?"
        } else {
            " AND due_date >= ?"
        });
        values.push(Value::Text(today.to_string()));
    }
    if let Some(d) = deal {
        filter.push_str(" AND deal_id = ?");
        values.push(Value::Integer(d.0));
    }
    (filter, values)
}

/// The page's query: the ids from the index, then their rows, in the page's order.
fn status_page_sql(filter: &str) -> String {
    format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE id IN (
             SELECT id FROM invoices {filter}
             ORDER BY issue_date DESC, number DESC LIMIT ? OFFSET ?)
         ORDER BY issue_date DESC, number DESC"
    )
}

/// SQLite's plan for a status page (EXPLAIN QUERY PLAN, one line per step), for the
/// tests and the docs: the index it reads and whether it scans the table.
#[cfg(test)]
pub(crate) fn status_page_plan(
    conn: &Connection,
    deal: Option<DealId>,
    states: &[InvoiceState],
    overdue: Option<(bool, &str)>,
) -> Result<Vec<String>> {
    let (filter, mut values) = state_filter(deal, states, overdue);
    let mut plan = Vec::new();
    for sql in [
        format!("SELECT count(*) FROM invoices {filter}"),
        status_page_sql(&filter),
    ] {
        if sql.contains("LIMIT") {
            values.extend([
                rusqlite::types::Value::Integer(500),
                rusqlite::types::Value::Integer(0),
            ]);
        }
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(&values))?;
        while let Some(row) = rows.next()? {
            plan.push(row.get::<_, String>(3)?);
        }
    }
    Ok(plan)
}

/// What payments and credit notes made of the invoices `ids`: (paid, credited) each,
/// for a page of them (each sum found by its `*_by_invoice` index).
pub(crate) fn paid_and_credited(
    conn: &Connection,
    ids: &[InvoiceId],
) -> Result<std::collections::HashMap<InvoiceId, (i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT (SELECT coalesce(sum(amount_minor), 0) FROM payments WHERE invoice_id = ?1),
                (SELECT coalesce(sum(amount_minor), 0) FROM credit_notes WHERE invoice_id = ?1)",
    )?;
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for &id in ids {
        let sums = stmt.query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        out.insert(id, sums);
    }
    Ok(out)
}

/// The settlement of one invoice: its void, amount, and payments and credits summed
/// (each sum found by its `*_by_invoice` index: an operation settles one invoice in
/// what its rows cost, not the tables').
pub(crate) fn settlement(conn: &Connection, id: InvoiceId) -> Result<Settlement> {
    conn.prepare_cached(SETTLEMENT)?
        .query_row([id.0], settlement_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "invoice",
            id: id.to_string(),
        })
}

const SETTLEMENT: &str = "SELECT i.id, i.voided_at IS NOT NULL, i.amount_minor,
        (SELECT coalesce(sum(amount_minor), 0) FROM payments WHERE invoice_id = i.id),
        (SELECT coalesce(sum(amount_minor), 0) FROM credit_notes WHERE invoice_id = i.id)
    FROM invoices i WHERE i.id = ?1";

fn settlement_from_row(r: &Row<'_>) -> rusqlite::Result<Settlement> {
    Ok(Settlement {
        id: InvoiceId(r.get(0)?),
        void: r.get(1)?,
        amount_minor: r.get(2)?,
        paid_minor: r.get(3)?,
        credited_minor: r.get(4)?,
    })
}

/// Every invoice's settlement, by id, with the state stored for it (the text as
/// stored, whatever it is: `audit verify` compares it): the payments and credit notes
/// are summed per invoice in one pass over each table.
pub(crate) fn settlements(
    conn: &Connection,
    mut each: impl FnMut(Settlement, Option<&str>) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT i.id, i.voided_at IS NOT NULL, i.amount_minor,
                coalesce(p.paid, 0), coalesce(c.credited, 0), i.state
         FROM invoices i
         LEFT JOIN (SELECT invoice_id, sum(amount_minor) AS paid FROM payments
                    GROUP BY invoice_id) p ON p.invoice_id = i.id
         LEFT JOIN (SELECT invoice_id, sum(amount_minor) AS credited FROM credit_notes
                    GROUP BY invoice_id) c ON c.invoice_id = i.id
         ORDER BY i.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let stored = r.get_ref(5)?.as_str().ok();
        each(settlement_from_row(r)?, stored)?;
    }
    Ok(())
}

/// Stores an invoice's settled state.
pub(crate) fn set_state(conn: &Connection, id: InvoiceId, state: InvoiceState) -> Result<()> {
    conn.prepare_cached("UPDATE invoices SET state = ?2 WHERE id = ?1")?
        .execute(params![id.0, state.token()])?;
    Ok(())
}

/// Sets every invoice's state that differs from its settlement's (migration 0007).
pub(crate) fn settle_all(conn: &Connection) -> Result<()> {
    let mut wrong = Vec::new();
    settlements(conn, |s, stored| {
        let state = s.state();
        if stored != Some(state.token()) {
            wrong.push((s.id, state));
        }
        Ok(())
    })?;
    for (id, state) in wrong {
        set_state(conn, id, state)?;
    }
    Ok(())
}

/// Runs `sql`, whose `?1` is the deal when there is one, and hands each row to `each`.
fn each_row(
    conn: &Connection,
    sql: &str,
    deal: Option<DealId>,
    mut each: impl FnMut(&Row<'_>) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = match deal {
        Some(d) => stmt.query([d.0])?,
        None => stmt.query([])?,
    };
    while let Some(row) = rows.next()? {
        each(row)?;
    }
    Ok(())
}

/// Invoices of one deal or all as the reports read them: only the columns they use,
/// each row lent to `each` straight from SQLite (no owned copy of its text), in table
/// order (see `invoices`).
pub(crate) fn invoice_rows(
    conn: &Connection,
    deal: Option<DealId>,
    mut each: impl FnMut(InvoiceRow<'_>) -> Result<()>,
) -> Result<()> {
    const COLUMNS: &str = "id, deal_id, number, kind, currency, amount_minor, period_start,
        period_end, issue_date, due_date, voided_at IS NOT NULL";
    let sql = match deal {
        Some(_) => format!("SELECT {COLUMNS} FROM invoices WHERE deal_id = ?1"),
        None => format!("SELECT {COLUMNS} FROM invoices"),
    };
    each_row(conn, &sql, deal, |r| {
        each(InvoiceRow {
            id: InvoiceId(r.get(0)?),
            deal_id: DealId(r.get(1)?),
            number: text(r, 2)?,
            kind: text(r, 3)?,
            currency: text(r, 4)?,
            amount_minor: r.get(5)?,
            period_start: text(r, 6)?,
            period_end: text(r, 7)?,
            issue_date: text(r, 8)?,
            due_date: text(r, 9)?,
            void: r.get(10)?,
        })
    })
}

/// Marks an invoice void.
pub(crate) fn void_invoice(tx: &Tx<'_>, id: InvoiceId, reason: &str) -> Result<()> {
    tx.conn().execute(
        "UPDATE invoices SET voided_at = ?2, void_reason = ?3 WHERE id = ?1 AND voided_at IS NULL",
        params![id.0, tx.now(), reason],
    )?;
    Ok(())
}

/// Ids of every invoice (for `audit verify`).
pub(crate) fn invoice_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM invoices ORDER BY id")
}

const PAYMENT_COLUMNS: &str = "id, invoice_id, amount_minor, paid_on, reference, created_at";

fn payment_from_row(r: &Row<'_>) -> rusqlite::Result<Payment> {
    Ok(Payment {
        id: r.get(0)?,
        invoice_id: InvoiceId(r.get(1)?),
        amount_minor: r.get(2)?,
        paid_on: r.get(3)?,
        reference: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// Records a payment; its id.
pub(crate) fn insert_payment(
    tx: &Tx<'_>,
    invoice: InvoiceId,
    amount_minor: i64,
    paid_on: &str,
    reference: &str,
) -> Result<i64> {
    tx.conn().execute(
        "INSERT INTO payments (invoice_id, amount_minor, paid_on, reference, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![invoice.0, amount_minor, paid_on, reference, tx.now()],
    )?;
    Ok(tx.conn().last_insert_rowid())
}

/// One payment.
pub(crate) fn payment(conn: &Connection, id: i64) -> Result<Payment> {
    conn.query_row(
        &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?1"),
        [id],
        payment_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "payment",
        id: id.to_string(),
    })
}

/// Payments of one invoice or of one deal's invoices or all, in table order.
pub(crate) fn payments(
    conn: &Connection,
    invoice: Option<InvoiceId>,
    deal: Option<DealId>,
) -> Result<Vec<Payment>> {
    // In table order (see `invoices`).
    let sql = match (invoice, deal) {
        (None, None) => format!("SELECT {PAYMENT_COLUMNS} FROM payments"),
        _ => format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments
             WHERE (?1 IS NULL OR invoice_id = ?1)
               AND (?2 IS NULL OR invoice_id IN (SELECT id FROM invoices WHERE deal_id = ?2))"
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows: Vec<Payment> = if invoice.is_none() && deal.is_none() {
        stmt.query_map([], payment_from_row)?
            .collect::<rusqlite::Result<_>>()?
    } else {
        stmt.query_map(
            params![invoice.map(|i| i.0), deal.map(|d| d.0)],
            payment_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?
    };
    Ok(rows)
}

/// Payments of one deal's invoices or all as the reports read them (lent to `each`, as
/// `invoice_rows`), in table order.
pub(crate) fn payment_rows(
    conn: &Connection,
    deal: Option<DealId>,
    mut each: impl FnMut(PaymentRow<'_>) -> Result<()>,
) -> Result<()> {
    const SQL: &str = "SELECT id, invoice_id, amount_minor, paid_on FROM payments";
    let sql = match deal {
        Some(_) => {
            format!("{SQL} WHERE invoice_id IN (SELECT id FROM invoices WHERE deal_id = ?1)")
        }
        None => SQL.to_string(),
    };
    each_row(conn, &sql, deal, |r| {
        each(PaymentRow {
            id: r.get(0)?,
            invoice_id: InvoiceId(r.get(1)?),
            amount_minor: r.get(2)?,
            paid_on: text(r, 3)?,
        })
    })
}

/// Ids of every payment (for `audit verify`).
pub(crate) fn payment_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM payments ORDER BY id")
}

const CREDIT_COLUMNS: &str = "id, number, invoice_id, amount_minor, reason, issued_on, created_at";

fn credit_from_row(r: &Row<'_>) -> rusqlite::Result<CreditNote> {
    Ok(CreditNote {
        id: r.get(0)?,
        number: r.get(1)?,
        invoice_id: InvoiceId(r.get(2)?),
        amount_minor: r.get(3)?,
        reason: r.get(4)?,
        issued_on: r.get(5)?,
        created_at: r.get(6)?,
    })
}

/// Records a credit note; its id.
pub(crate) fn insert_credit(tx: &Tx<'_>, c: &CreditNote, year: i32, seq: i64) -> Result<i64> {
    tx.conn().execute(
        "INSERT INTO credit_notes (number, year, seq, invoice_id, amount_minor, reason,
             issued_on, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            c.number,
            year,
            seq,
            c.invoice_id.0,
            c.amount_minor,
            c.reason,
            c.issued_on,
            tx.now()
        ],
    )?;
    Ok(tx.conn().last_insert_rowid())
}

/// One credit note.
pub(crate) fn credit(conn: &Connection, id: i64) -> Result<CreditNote> {
    conn.query_row(
        &format!("SELECT {CREDIT_COLUMNS} FROM credit_notes WHERE id = ?1"),
        [id],
        credit_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "credit note",
        id: id.to_string(),
    })
}

/// Credit notes of one invoice, of one deal's invoices, or all, by date.
pub(crate) fn credits(
    conn: &Connection,
    invoice: Option<InvoiceId>,
    deal: Option<DealId>,
) -> Result<Vec<CreditNote>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CREDIT_COLUMNS} FROM credit_notes
         WHERE (?1 IS NULL OR invoice_id = ?1)
           AND (?2 IS NULL OR invoice_id IN (SELECT id FROM invoices WHERE deal_id = ?2))
         ORDER BY issued_on, id"
    ))?;
    let rows = stmt.query_map([invoice.map(|i| i.0), deal.map(|d| d.0)], credit_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Credit notes of one deal's invoices or all as the reports read them (lent to `each`,
/// as `invoice_rows`), in table order.
pub(crate) fn credit_rows(
    conn: &Connection,
    deal: Option<DealId>,
    mut each: impl FnMut(CreditRow<'_>) -> Result<()>,
) -> Result<()> {
    const SQL: &str = "SELECT number, invoice_id, amount_minor, issued_on FROM credit_notes";
    let sql = match deal {
        Some(_) => {
            format!("{SQL} WHERE invoice_id IN (SELECT id FROM invoices WHERE deal_id = ?1)")
        }
        None => SQL.to_string(),
    };
    each_row(conn, &sql, deal, |r| {
        each(CreditRow {
            number: text(r, 0)?,
            invoice_id: InvoiceId(r.get(1)?),
            amount_minor: r.get(2)?,
            issued_on: text(r, 3)?,
        })
    })
}

/// Ids of every credit note (for `audit verify`).
pub(crate) fn credit_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM credit_notes ORDER BY id")
}

const FX_COLUMNS: &str = "id, on_date, from_currency, to_currency, rate, created_at";

fn fx_from_row(r: &Row<'_>) -> rusqlite::Result<FxRateRecord> {
    Ok(FxRateRecord {
        id: r.get(0)?,
        rate: FxRate {
            on_date: r.get(1)?,
            from_currency: r.get(2)?,
            to_currency: r.get(3)?,
            rate: r.get(4)?,
        },
        created_at: r.get(5)?,
    })
}

/// Sets the rate of a pair on a day (replacing the one that day had); its id and the
/// row it replaced.
pub(crate) fn set_fx(tx: &Tx<'_>, f: &FxRate) -> Result<(i64, Option<FxRateRecord>)> {
    let before = tx
        .conn()
        .query_row(
            &format!(
                "SELECT {FX_COLUMNS} FROM fx_rates
                 WHERE on_date = ?1 AND from_currency = ?2 AND to_currency = ?3"
            ),
            params![f.on_date, f.from_currency, f.to_currency],
            fx_from_row,
        )
        .optional()?;
    let id = match &before {
        Some(old) => {
            tx.conn().execute(
                "UPDATE fx_rates SET rate = ?2, created_at = ?3 WHERE id = ?1",
                params![old.id, f.rate, tx.now()],
            )?;
            old.id
        }
        None => {
            tx.conn().execute(
                "INSERT INTO fx_rates (on_date, from_currency, to_currency, rate, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![f.on_date, f.from_currency, f.to_currency, f.rate, tx.now()],
            )?;
            tx.conn().last_insert_rowid()
        }
    };
    Ok((id, before))
}

/// One rate.
pub(crate) fn fx(conn: &Connection, id: i64) -> Result<FxRateRecord> {
    conn.query_row(
        &format!("SELECT {FX_COLUMNS} FROM fx_rates WHERE id = ?1"),
        [id],
        fx_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "FX rate",
        id: id.to_string(),
    })
}

/// Every rate, by day then pair.
pub(crate) fn fx_rates(conn: &Connection) -> Result<Vec<FxRateRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {FX_COLUMNS} FROM fx_rates ORDER BY on_date, from_currency, to_currency"
    ))?;
    let rows = stmt.query_map([], fx_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ids of every rate (for `audit verify`).
pub(crate) fn fx_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM fx_rates ORDER BY id")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::finance::INVOICE_STATUSES;
    use crate::store::Store;

    /// Settling one invoice reads its row by id and its payments and credit notes by
    /// their invoice indexes: an operation's cost does not grow with the tables.
    #[test]
    fn one_invoice_is_settled_through_the_indexes() {
        let store = Store::open_in_memory().unwrap();
        let plan: Vec<String> = store
            .read(|conn| {
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {SETTLEMENT}"))?;
                let rows = stmt.query_map([1], |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let text = plan.join("\n");
        assert!(!plan.iter().any(|l| l.starts_with("SCAN")), "{text}");
        for index in [
            "INTEGER PRIMARY KEY (rowid=?)",
            "payments_by_invoice",
            "credit_notes_by_invoice",
        ] {
            assert!(plan.iter().any(|l| l.contains(index)), "{index}\n{text}");
        }
    }

    /// Every status page of all deals is answered from `invoices_by_state`: the count
    /// and the page's ids from the index alone (covering), never a scan of the table;
    /// only the page's rows are read from it, by id.
    #[test]
    fn a_status_page_is_found_in_the_state_index() {
        let store = Store::open_in_memory().unwrap();
        store
            .read(|conn| {
                for status in INVOICE_STATUSES {
                    let (states, overdue) = InvoiceState::of_status(status).unwrap();
                    let overdue = overdue.map(|before| (before, "2026-07-15"));
                    let plan = status_page_plan(conn, None, states, overdue)?;
                    let text = plan.join("\n");
                    let covering = plan
                        .iter()
                        .filter(|l| l.contains("USING COVERING INDEX invoices_by_state"))
                        .count();
                    assert_eq!(
                        covering, 2,
                        "{status}: the count and the page's ids\n{text}"
                    );
                    assert!(
                        !plan.iter().any(|l| l.trim() == "SCAN invoices"),
                        "{status}: no table scan\n{text}"
                    );
                    assert!(
                        plan.iter()
                            .any(|l| l.contains("USING INTEGER PRIMARY KEY (rowid=?)")),
                        "{status}: the page's rows by id\n{text}"
                    );
                }
                Ok(())
            })
            .unwrap();
    }
}
