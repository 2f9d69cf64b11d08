-- Finance (PRODUCT.md §5): fee schedules, invoices, payments, credit notes, FX rates.
-- Money is integer minor units of the row's ISO 4217 currency; rates are exact decimal
-- text. Landed migrations are never edited.

-- A deal's fee schedule: part of its terms (editable while draft or negotiating).
CREATE TABLE fee_schedules (
    deal_id              INTEGER PRIMARY KEY REFERENCES deals (id),
    currency             TEXT NOT NULL CHECK (length(currency) = 3),
    annual_fee_minor     INTEGER NOT NULL CHECK (annual_fee_minor >= 0),
    escalator_pct        TEXT NOT NULL,
    billing              TEXT NOT NULL CHECK (billing IN ('annual', 'quarterly', 'monthly')),
    terms_days           INTEGER NOT NULL CHECK (terms_days BETWEEN 0 AND 3650),
    recognition          TEXT NOT NULL CHECK (recognition IN ('ratable', 'point-in-time')),
    per_delivery_minor   INTEGER NOT NULL CHECK (per_delivery_minor >= 0),
    per_1k_records_minor TEXT NOT NULL,
    minimum_minor        INTEGER NOT NULL CHECK (minimum_minor >= 0),
    updated_at           TEXT NOT NULL
) STRICT;

-- Invoices: numbered per year of issue (INV-2024-0001), never reused; `source` makes
-- generation idempotent (installment:<year>:<index>, delivery:<id>, usage:<id>,
-- minimum:<year>). A void invoice keeps its number.
CREATE TABLE invoices (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq > 0),
    deal_id      INTEGER NOT NULL REFERENCES deals (id),
    kind         TEXT NOT NULL CHECK (kind IN ('installment', 'delivery', 'usage', 'minimum')),
    source       TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    issue_date   TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    voided_at    TEXT,
    void_reason  TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (year, seq),
    UNIQUE (deal_id, source)
) STRICT;

CREATE INDEX invoices_by_deal ON invoices (deal_id, issue_date);
CREATE INDEX invoices_by_issue ON invoices (issue_date);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

CREATE INDEX payments_by_invoice ON payments (invoice_id);
CREATE INDEX payments_by_date ON payments (paid_on);

-- Credit notes correct an issued invoice (numbered CN-2024-0001 per year).
CREATE TABLE credit_notes (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL CHECK (seq > 0),
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    reason       TEXT NOT NULL,
    issued_on    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (year, seq)
) STRICT;

CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id);

-- The user's FX-rate table: 1 unit of `from` = `rate` units of `to`, on a day.
CREATE TABLE fx_rates (
    id            INTEGER PRIMARY KEY,
    on_date       TEXT NOT NULL,
    from_currency TEXT NOT NULL CHECK (length(from_currency) = 3),
    to_currency   TEXT NOT NULL CHECK (length(to_currency) = 3),
    rate          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (on_date, from_currency, to_currency)
) STRICT;

CREATE TRIGGER payments_never_change BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment never changes: record a credit note or a new payment');
END;

CREATE TRIGGER payments_are_never_deleted BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment never changes: record a credit note or a new payment');
END;

CREATE TRIGGER credit_notes_never_change BEFORE UPDATE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note never changes');
END;

CREATE TRIGGER credit_notes_are_never_deleted BEFORE DELETE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note never changes');
END;

CREATE TRIGGER invoices_are_never_deleted BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'an invoice is voided, never deleted: its number is never reused');
END;
