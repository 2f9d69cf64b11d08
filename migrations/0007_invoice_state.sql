-- An invoice's settled state (model::finance::InvoiceState): what payments, credit notes
-- and a void made of it, whatever the day: open, partly_paid, paid or void. The
-- operations that add a payment or a credit note, void an invoice or issue one set it
-- (finance::settle); `audit verify` recomputes it from the rows the log vouches for. A
-- status filter reads it through the index below: `overdue` is an open or partly paid
-- state with a due date before the day, the other statuses a state and the other side
-- of the due date, and the index also holds the page's order (issue date, number), so
-- a page of one status is found without reading the table. The rule is not repeated
-- here: the migration's hook (store::migrations) sets every existing invoice's state.
-- Landed migrations are never edited.

ALTER TABLE invoices ADD COLUMN state TEXT NOT NULL DEFAULT 'open'
    CHECK (state IN ('open', 'partly_paid', 'paid', 'void'));

CREATE INDEX invoices_by_state ON invoices (state, due_date, issue_date, number);
