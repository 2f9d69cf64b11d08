//! Invoices as a table, and recording a payment against one: shared by the Finance
//! screen (every deal, with filters) and a deal's own Fees & invoices card. Statuses are
//! the core's (issued, partially_paid, paid, overdue, void), derived from payments and
//! dates; the UI only shows them.

import { useMemo, useState, type FormEvent } from 'react';

import type { Invoice } from '../../bindings';
import { Dialog } from '../../components/Dialog';
import { DateField, TextField } from '../../components/Field';
import { VirtualTable } from '../../components/VirtualTable';
import { useApp } from '../../context';
import { displayDate, displayDateRange, todayText } from '../../domain/dates';
import { formatMoney, toMajorText } from '../../domain/money';
import { FieldTable, useFormValues } from '../../forms';
import { useAddPayment, useCreditInvoice, useInvoiceCredits, useInvoicePayments, useVoidInvoice } from '../../queries/finance';

/** The statuses an invoice can have, in the order a filter offers them. */
export const INVOICE_STATUSES = ['issued', 'partially_paid', 'paid', 'overdue', 'void'] as const;

export function invoiceStatusLabel(status: string): string {
  return status === 'partially_paid' ? 'partially paid' : status;
}

/** An invoice's status as a badge; its data value is the core's token. */
export function InvoiceStatus({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-invoice-${status}`} data-testid={testId} data-status={status}>
      {invoiceStatusLabel(status)}
    </span>
  );
}

/** Whether a payment can be recorded: an invoice with an open balance that is not void. */
export function takesPayment(invoice: Invoice): boolean {
  return invoice.status !== 'void' && invoice.balance_minor > 0;
}

interface InvoiceTableProps {
  /** As the core lists them (by issue date), or already newest first with `newestFirst`; shown newest first. */
  invoices: Invoice[];
  newestFirst?: boolean;
  /** The last rows came into view: load the next page (see VirtualTable). */
  onEndReached?: () => void;
  /** With it, a Deal column naming each invoice's deal (the Finance screen lists every deal's). */
  dealLabel?: (dealId: number) => string;
  testId?: string;
}

/**
 * Invoices, newest first. A row opens the invoice (its payments, void, credit note); the
 * row's Payment… button goes straight to recording a payment.
 */
export function InvoiceTable({
  invoices,
  newestFirst = false,
  onEndReached,
  dealLabel,
  testId = 'invoices-table',
}: InvoiceTableProps) {
  const { navigate } = useApp();
  const [paying, setPaying] = useState<Invoice | null>(null);
  const [opened, setOpened] = useState<Invoice | null>(null);
  const onPay = setPaying;
  const showDeal = dealLabel !== undefined;
  // The core lists by issue date; the newest is what finance staff look for first.
  const rows = useMemo(() => (newestFirst ? invoices : [...invoices].reverse()), [invoices, newestFirst]);
  return (
    <div className="table-wrap">
      <VirtualTable
        testId={testId}
        columns={showDeal ? 7 : 6}
        rows={rows}
        rowKey={(i) => String(i.id)}
        rowTestId={(i) => `invoice-row-${i.id}`}
        onOpen={setOpened}
        onEndReached={onEndReached}
        estimateRowHeight={49}
        head={
          <tr>
            <th scope="col">Invoice</th>
            {showDeal && <th scope="col">Deal</th>}
            <th scope="col">Due</th>
            <th scope="col" className="numeric">
              Amount
            </th>
            <th scope="col" className="numeric">
              Balance
            </th>
            <th scope="col">Status</th>
            <th scope="col" aria-label="Actions" />
          </tr>
        }
        cells={(i) => (
          <>
            <td className="cell-invoice">
              <span className="cell-strong nowrap">{i.number}</span>
              <span className="cell-sub">
                {i.kind === 'installment' ? '' : `${i.kind} · `}
                {displayDateRange(i.period_start, i.period_end)}
              </span>
            </td>
            {showDeal && (
              <td className="cell-truncate cell-deal" title={dealLabel(i.deal_id)}>
                <button
                  type="button"
                  className="link-button"
                  data-testid={`invoice-deal-${i.id}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    navigate({ screen: 'deal', id: i.deal_id });
                  }}
                >
                  {dealLabel(i.deal_id)}
                </button>
              </td>
            )}
            <td className="nowrap">
              <span className={i.status === 'overdue' ? 'cell-overdue' : undefined}>{displayDate(i.due_date)}</span>
              <span className="cell-sub">issued {displayDate(i.issue_date)}</span>
            </td>
            <td className="numeric nowrap">
              <span data-testid={`invoice-amount-${i.id}`}>{formatMoney(i.amount_minor, i.currency)}</span>
              {i.paid_minor > 0 && (
                <span className="cell-sub" data-testid={`invoice-paid-${i.id}`}>
                  paid {formatMoney(i.paid_minor, i.currency)}
                </span>
              )}
            </td>
            <td className="numeric nowrap">
              <span data-testid={`invoice-balance-${i.id}`}>
                {i.status === 'void' ? <span className="muted">—</span> : formatMoney(i.balance_minor, i.currency)}
              </span>
              {i.credited_minor > 0 && (
                <span className="cell-sub" title="Credited by credit notes">
                  credited {formatMoney(i.credited_minor, i.currency)}
                </span>
              )}
              {i.owed_back_minor > 0 && (
                <span className="cell-sub cell-overdue" title="Billed for days after the termination">
                  owed back {formatMoney(i.owed_back_minor, i.currency)}
                </span>
              )}
            </td>
            <td>
              <InvoiceStatus status={i.status} testId={`invoice-status-${i.id}`} />
            </td>
            <td className="cell-actions">
              {takesPayment(i) && (
                <button
                  type="button"
                  className="button button-small"
                  data-testid={`invoice-pay-${i.id}`}
                  aria-label={`Record a payment on ${i.number}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onPay(i);
                  }}
                >
                  Payment…
                </button>
              )}
            </td>
          </>
        )}
      />
      {paying && <PaymentDialog invoice={paying} onClose={() => setPaying(null)} />}
      {opened && (
        <InvoiceDialog
          // The row's latest state: a payment or a void changes it while the dialog is open.
          invoice={invoices.find((i) => i.id === opened.id) ?? opened}
          dealLabel={dealLabel}
          onPay={(invoice) => {
            setOpened(null);
            setPaying(invoice);
          }}
          onClose={() => setOpened(null)}
        />
      )}
    </div>
  );
}

const PAYMENT_FIELDS = new FieldTable({
  amount: { input: 'payment-amount', label: 'Amount' },
  date: { input: 'payment-date', label: 'Received on' },
  reference: { input: 'payment-reference', label: 'Reference' },
});
type PaymentValues = Record<(typeof PAYMENT_FIELDS.names)[number], string>;

/** Records a payment against `invoice`; the amount starts as its open balance. */
export function PaymentDialog({ invoice, onClose }: { invoice: Invoice; onClose: () => void }) {
  const { reportError, clearError } = useApp();
  const pay = useAddPayment();
  const { values, errors, setErrors, set } = useFormValues<PaymentValues>(() => ({
    amount: toMajorText(invoice.balance_minor, invoice.currency),
    date: todayText(),
    reference: '',
  }));
  const saving = pay.isPending;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    try {
      await pay.mutateAsync({
        invoice_id: invoice.id,
        amount: values.amount.trim(),
        date: values.date.trim(),
        reference: values.reference.trim() === '' ? null : values.reference.trim(),
      });
      clearError();
      onClose();
    } catch (error) {
      PAYMENT_FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  return (
    <Dialog title={`Record a payment on ${invoice.number}`} testId="payment-dialog" onClose={onClose} busy={saving}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="dialog-body">
          Open balance <strong data-testid="payment-open-balance">{formatMoney(invoice.balance_minor, invoice.currency)}</strong>{' '}
          of {formatMoney(invoice.amount_minor, invoice.currency)}, due {displayDate(invoice.due_date)}. A part payment
          is fine; more than the open balance is refused.
        </p>
        <TextField
          id={PAYMENT_FIELDS.fields.amount.input}
          field="amount"
          label={`${PAYMENT_FIELDS.fields.amount.label} (${invoice.currency})`}
          value={values.amount}
          onChange={set('amount')}
          error={errors.amount}
          inputMode="decimal"
          hint="Digits and a decimal point, no thousands separators: 1500000.00"
        />
        <DateField
          id={PAYMENT_FIELDS.fields.date.input}
          field="date"
          label={PAYMENT_FIELDS.fields.date.label}
          value={values.date}
          onChange={set('date')}
          error={errors.date}
        />
        <TextField
          id={PAYMENT_FIELDS.fields.reference.input}
          field="reference"
          label={PAYMENT_FIELDS.fields.reference.label}
          value={values.reference}
          onChange={set('reference')}
          error={errors.reference}
          placeholder="Bank transfer reference (optional)"
        />
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="payment-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="payment-save" disabled={saving}>
            {saving ? 'Recording…' : 'Record payment'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

type InvoiceAction = 'view' | 'void' | 'credit';

const CORRECTION_FIELDS = new FieldTable({
  amount: { input: 'credit-amount', label: 'Amount to credit' },
  date: { input: 'credit-date', label: 'Dated' },
  reason: { input: 'correction-reason', label: 'Reason' },
});
type CorrectionValues = Record<(typeof CORRECTION_FIELDS.names)[number], string>;
const noCorrection = (): CorrectionValues => ({ amount: '', date: todayText(), reason: '' });

/**
 * One invoice: its figures, its payments, and the corrections finance may make. An
 * invoice with no payment is voided (it keeps its number); one that was paid is
 * corrected with a credit note. The core refuses what does not apply, by name.
 */
function InvoiceDialog({
  invoice,
  dealLabel,
  onPay,
  onClose,
}: {
  invoice: Invoice;
  dealLabel?: (dealId: number) => string;
  onPay: (invoice: Invoice) => void;
  onClose: () => void;
}) {
  const { reportError, clearError } = useApp();
  const payments = useInvoicePayments(invoice.id);
  const credits = useInvoiceCredits(invoice.id);
  const voidInvoice = useVoidInvoice();
  const credit = useCreditInvoice();
  const [action, setAction] = useState<InvoiceAction>('view');
  const { values, setValues, errors, setErrors, set } = useFormValues<CorrectionValues>(noCorrection);
  const [done, setDone] = useState<string | null>(null);
  const saving = voidInvoice.isPending || credit.isPending;
  const c = invoice.currency;
  const isVoid = invoice.status === 'void';

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    try {
      if (action === 'void') {
        await voidInvoice.mutateAsync({ id: invoice.id, reason: values.reason.trim() });
        setDone(`${invoice.number} is void.`);
      } else {
        const note = await credit.mutateAsync({
          id: invoice.id,
          amount: values.amount.trim(),
          reason: values.reason.trim(),
          date: values.date.trim(),
        });
        setDone(`Credit note ${note.number} issued for ${formatMoney(note.amount_minor, c)}.`);
      }
      clearError();
      setAction('view');
      setValues(noCorrection());
      setErrors({});
    } catch (error) {
      CORRECTION_FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  return (
    <Dialog title={`Invoice ${invoice.number}`} testId="invoice-dialog" onClose={onClose} busy={saving}>
      <div className="dialog-body">
        <dl className="terms terms-compact">
          {dealLabel && (
            <>
              <dt>Deal</dt>
              <dd>{dealLabel(invoice.deal_id)}</dd>
            </>
          )}
          <dt>Period</dt>
          <dd>{displayDateRange(invoice.period_start, invoice.period_end)}</dd>
          <dt>Issued</dt>
          <dd>
            {displayDate(invoice.issue_date)}, due {displayDate(invoice.due_date)}
          </dd>
          <dt>Amount</dt>
          <dd>{formatMoney(invoice.amount_minor, c)}</dd>
          {invoice.credited_minor > 0 && (
            <>
              <dt>Credited</dt>
              <dd>{formatMoney(invoice.credited_minor, c)}</dd>
            </>
          )}
          <dt>Paid</dt>
          <dd>{formatMoney(invoice.paid_minor, c)}</dd>
          <dt>Balance</dt>
          <dd data-testid="invoice-dialog-balance">{isVoid ? '—' : formatMoney(invoice.balance_minor, c)}</dd>
          {invoice.owed_back_minor > 0 && (
            <>
              <dt>Owed back</dt>
              <dd className="cell-overdue">{formatMoney(invoice.owed_back_minor, c)}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>
            <InvoiceStatus status={invoice.status} testId="invoice-dialog-status" />
            {invoice.void_reason && <span className="muted"> · {invoice.void_reason}</span>}
          </dd>
        </dl>
        <h3 className="block-title">Payments</h3>
        {payments.data && payments.data.length === 0 && <p className="muted">None recorded.</p>}
        {payments.data && payments.data.length > 0 && (
          <ul className="plain-list" data-testid="invoice-payments">
            {payments.data.map((p) => (
              <li key={p.id}>
                {displayDate(p.paid_on)} · <strong>{formatMoney(p.amount_minor, c)}</strong>
                {p.reference && <span className="muted"> · {p.reference}</span>}
              </li>
            ))}
          </ul>
        )}
        {credits.data && credits.data.length > 0 && (
          <>
            <h3 className="block-title">Credit notes</h3>
            <ul className="plain-list" data-testid="invoice-credits">
              {credits.data.map((n) => (
                <li key={n.id}>
                  {n.number} · {displayDate(n.issued_on)} · <strong>{formatMoney(n.amount_minor, c)}</strong>
                  <span className="muted"> · {n.reason}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        {done && (
          <p className="verify-ok" role="status" data-testid="invoice-dialog-done">
            {done}
          </p>
        )}
      </div>

      {action === 'view' ? (
        <div className="dialog-actions">
          {!isVoid && invoice.paid_minor === 0 && (
            <button type="button" className="button button-danger-outline" data-testid="invoice-void" onClick={() => setAction('void')}>
              Void…
            </button>
          )}
          {!isVoid && invoice.paid_minor > 0 && (
            <button type="button" className="button" data-testid="invoice-credit" onClick={() => setAction('credit')}>
              Credit note…
            </button>
          )}
          {takesPayment(invoice) && (
            <button type="button" className="button" data-testid="invoice-dialog-pay" onClick={() => onPay(invoice)}>
              Record payment…
            </button>
          )}
          <button type="button" className="button button-primary" data-testid="invoice-dialog-close" onClick={onClose}>
            Close
          </button>
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <p className="hint">
            {action === 'void'
              ? 'A void invoice keeps its number and bills nothing. Only an invoice with no payment can be voided.'
              : 'A credit note reduces what the invoice bills; a paid invoice then shows what is owed back.'}
          </p>
          {action === 'credit' && (
            <TextField
              id={CORRECTION_FIELDS.fields.amount.input}
              field="amount"
              label={`${CORRECTION_FIELDS.fields.amount.label} (${c})`}
              value={values.amount}
              onChange={set('amount')}
              error={errors.amount}
              inputMode="decimal"
            />
          )}
          {action === 'credit' && (
            <DateField
              id={CORRECTION_FIELDS.fields.date.input}
              field="date"
              label={CORRECTION_FIELDS.fields.date.label}
              value={values.date}
              onChange={set('date')}
              error={errors.date}
              hint={`Today or earlier, not before ${displayDate(invoice.issue_date)}; the note is numbered in its year's series`}
            />
          )}
          <TextField
            id={CORRECTION_FIELDS.fields.reason.input}
            field="reason"
            label={CORRECTION_FIELDS.fields.reason.label}
            value={values.reason}
            onChange={set('reason')}
            error={errors.reason}
          />
          <div className="dialog-actions">
            <button type="button" className="button" data-testid="correction-cancel" onClick={() => setAction('view')} disabled={saving}>
              Back
            </button>
            <button
              type="submit"
              className={action === 'void' ? 'button button-danger' : 'button button-primary'}
              data-testid="correction-save"
              disabled={saving}
            >
              {action === 'void' ? 'Void invoice' : 'Issue credit note'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
