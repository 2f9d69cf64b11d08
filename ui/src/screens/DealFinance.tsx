//! A deal's fees and invoices (PRODUCT.md §5). The fee schedule is part of the deal's
//! terms: set and changed while the deal is draft or negotiating, frozen from signed on
//! (a renewal starts with a copy). A signed or active deal issues its invoices here:
//! what is due through today and was not issued before (issuing twice adds nothing).

import { useState, type FormEvent } from 'react';

import type { Deal, FeeInput, FeeTerms } from '../bindings';
import { Dialog } from '../components/Dialog';
import { Field, TextField, describedBy } from '../components/Field';
import { useApp } from '../context';
import { termsOpen } from '../domain/lifecycle';
import { CURRENCIES, formatMoney, rateToMajorText, toMajorText } from '../domain/money';
import { FieldTable, useFormValues } from '../forms';
import { useDealFees, useGenerateInvoices, useInvoices, useSetFees } from '../queries/finance';
import { InvoiceTable } from './Finance/Invoices';

const BILLING: Record<string, string> = { annual: 'Annually', quarterly: 'Quarterly', monthly: 'Monthly' };
const RECOGNITION: Record<string, string> = {
  ratable: 'Ratable (ongoing access)',
  'point-in-time': 'Point in time (one-off deliveries)',
};

export function DealFinance({ deal }: { deal: Deal }) {
  const { reportError, clearError } = useApp();
  const fees = useDealFees(deal.id);
  const invoices = useInvoices({ dealId: deal.id, status: null, at: null });
  const generate = useGenerateInvoices();
  const [editing, setEditing] = useState(false);
  const [issued, setIssued] = useState<number | null>(null);
  const open = termsOpen(deal.status);
  const billable = deal.status === 'signed' || deal.status === 'active';
  const terms = fees.data;

  const issue = async () => {
    try {
      const created = await generate.mutateAsync(deal.id);
      clearError();
      setIssued(created.length);
    } catch (error) {
      reportError(error);
    }
  };

  return (
    <section className="card card-table" data-testid="deal-finance" aria-labelledby="deal-finance-title">
      <div className="card-header">
        <h2 id="deal-finance-title" className="card-title">
          Fees &amp; invoices
        </h2>
        <div className="card-header-actions">
          {open && (
            <button type="button" className="button" data-testid="fees-edit" onClick={() => setEditing(true)}>
              {terms ? 'Edit fees…' : 'Set fees…'}
            </button>
          )}
          {billable && terms && (
            <button
              type="button"
              className="button button-primary"
              data-testid="invoices-generate"
              disabled={generate.isPending}
              onClick={issue}
            >
              {generate.isPending ? 'Issuing…' : 'Issue due invoices'}
            </button>
          )}
        </div>
      </div>

      {fees.error && <p className="muted">The fee schedule could not be read: {fees.error.message}</p>}
      {terms === null && (
        <p className="muted" data-testid="fees-empty">
          {open
            ? 'No fee schedule yet. Set the annual fee, billing and recognition before the deal is signed: they freeze with the terms.'
            : 'This deal has no fee schedule, and its terms are frozen: renew it to agree fees.'}
        </p>
      )}
      {terms && <FeeSummary terms={terms} />}
      {terms && !open && (
        <p className="hint" data-testid="fees-frozen">
          The fee schedule froze with the terms when the deal was signed.
        </p>
      )}

      {issued !== null && (
        <p className="verify-ok" role="status" data-testid="invoices-issued">
          {issued === 0
            ? 'Nothing new is due: every invoice due through today was issued before.'
            : `${issued} ${issued === 1 ? 'invoice' : 'invoices'} issued.`}
        </p>
      )}
      {invoices.error && <p className="muted">The invoices could not be read: {invoices.error.message}</p>}
      {invoices.data && invoices.data.length > 0 && (
        <>
          <h3 className="block-title">Invoices</h3>
          <InvoiceTable invoices={invoices.data} testId="deal-invoices-table" />
        </>
      )}
      {invoices.data && invoices.data.length === 0 && terms && (
        <p className="muted" data-testid="deal-invoices-empty">
          {billable
            ? 'No invoices yet: issue what is due.'
            : 'Invoices are issued once the deal is signed, on the schedule above.'}
        </p>
      )}

      {editing && <FeeDialog deal={deal} terms={terms ?? null} onClose={() => setEditing(false)} />}
    </section>
  );
}

function FeeSummary({ terms }: { terms: FeeTerms }) {
  const c = terms.currency;
  return (
    <dl className="terms terms-compact fee-summary" data-testid="fees-summary">
      <dt>Annual fee</dt>
      <dd data-testid="fees-annual">
        {formatMoney(terms.annual_fee_minor, c)}
        {terms.escalator_pct !== '0' && <span className="muted"> · +{terms.escalator_pct}% a contract year</span>}
      </dd>
      <dt>Billing</dt>
      <dd>
        {BILLING[terms.billing] ?? terms.billing} in advance · due {terms.terms_days} days after issue
      </dd>
      <dt>Recognition</dt>
      <dd>{RECOGNITION[terms.recognition] ?? terms.recognition}</dd>
      {(terms.per_delivery_minor > 0 || Number(terms.per_1k_records_minor) > 0) && (
        <>
          <dt>Usage</dt>
          <dd>
            {[
              terms.per_delivery_minor > 0 && `${formatMoney(terms.per_delivery_minor, c)} per delivery`,
              Number(terms.per_1k_records_minor) > 0 &&
                `${rateToMajorText(terms.per_1k_records_minor, c)} ${c} per 1,000 delivered records`,
            ]
              .filter(Boolean)
              .join(' · ')}
          </dd>
        </>
      )}
      {terms.minimum_minor > 0 && (
        <>
          <dt>Minimum</dt>
          <dd>{formatMoney(terms.minimum_minor, c)} a contract year</dd>
        </>
      )}
    </dl>
  );
}

const FEE_FIELDS = new FieldTable({
  currency: { input: 'fee-currency', label: 'Currency' },
  annual_fee: { input: 'fee-annual', label: 'Annual fee' },
  escalator_pct: { input: 'fee-escalator', label: 'Escalator (% a contract year)' },
  billing: { input: 'fee-billing', label: 'Billing, in advance' },
  terms_days: { input: 'fee-terms-days', label: 'Payment terms (days)' },
  recognition: { input: 'fee-recognition', label: 'Revenue recognition' },
  per_delivery: { input: 'fee-per-delivery', label: 'Fee per delivery' },
  per_1k_records: { input: 'fee-per-1k', label: 'Fee per 1,000 delivered records' },
  minimum: { input: 'fee-minimum', label: 'Minimum a contract year' },
});
type FeeValues = Record<(typeof FEE_FIELDS.names)[number], string>;

function valuesOf(terms: FeeTerms | null): FeeValues {
  if (!terms) {
    return {
      currency: 'USD',
      annual_fee: '',
      escalator_pct: '0',
      billing: 'annual',
      terms_days: '30',
      recognition: 'ratable',
      per_delivery: '0',
      per_1k_records: '0',
      minimum: '0',
    };
  }
  const c = terms.currency;
  return {
    currency: c,
    annual_fee: toMajorText(terms.annual_fee_minor, c),
    escalator_pct: terms.escalator_pct,
    billing: terms.billing,
    terms_days: String(terms.terms_days),
    recognition: terms.recognition,
    per_delivery: toMajorText(terms.per_delivery_minor, c),
    per_1k_records: rateToMajorText(terms.per_1k_records_minor, c),
    minimum: toMajorText(terms.minimum_minor, c),
  };
}

/** The fee form: amounts are typed in major units and checked by the core, exactly. */
function FeeDialog({ deal, terms, onClose }: { deal: Deal; terms: FeeTerms | null; onClose: () => void }) {
  const { reportError, clearError } = useApp();
  const save = useSetFees();
  const { values, errors, setErrors, set } = useFormValues<FeeValues>(() => valuesOf(terms));
  const saving = save.isPending;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    const days = values.terms_days.trim();
    const input: FeeInput = {
      currency: values.currency.trim().toUpperCase(),
      annual_fee: values.annual_fee.trim(),
      escalator_pct: values.escalator_pct.trim(),
      billing: values.billing,
      // Not a whole number: sent as is would not reach the core; -1 is refused there, by name.
      terms_days: /^\d+$/.test(days) ? Number(days) : -1,
      recognition: values.recognition,
      per_delivery: values.per_delivery.trim(),
      per_1k_records: values.per_1k_records.trim(),
      minimum: values.minimum.trim(),
    };
    try {
      await save.mutateAsync({ dealId: deal.id, input });
      clearError();
      onClose();
    } catch (error) {
      FEE_FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  const f = FEE_FIELDS.fields;
  const amount = (field: 'annual_fee' | 'per_delivery' | 'minimum', hint?: string) => (
    <TextField
      id={f[field].input}
      field={field}
      label={f[field].label}
      value={values[field]}
      onChange={set(field)}
      error={errors[field]}
      inputMode="decimal"
      suffix={values.currency.toUpperCase()}
      hint={hint}
    />
  );
  const select = (field: 'billing' | 'recognition', options: Record<string, string>) => (
    <Field id={f[field].input} field={field} label={f[field].label} error={errors[field]}>
      <select {...describedBy(f[field].input, errors[field])} value={values[field]} onChange={(e) => set(field)(e.target.value)}>
        {Object.entries(options).map(([token, label]) => (
          <option key={token} value={token}>
            {label}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <Dialog title={terms ? 'Edit the fee schedule' : 'Set the fee schedule'} testId="fee-dialog" onClose={onClose} busy={saving}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="dialog-body">
          Amounts in major units with at most the currency’s decimals, no thousands separators (60000000.00). The
          schedule freezes when “{deal.title}” is signed.
        </p>
        <div className="field-row">
          <TextField
            id={f.currency.input}
            field="currency"
            label={f.currency.label}
            value={values.currency}
            onChange={set('currency')}
            error={errors.currency}
            list="currency-codes"
            maxLength={3}
            hint="ISO 4217: USD, EUR, JPY…"
          />
          {amount('annual_fee', 'The first contract year’s fee.')}
        </div>
        <datalist id="currency-codes">
          {CURRENCIES.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <div className="field-row">
          <TextField
            id={f.escalator_pct.input}
            field="escalator_pct"
            label={f.escalator_pct.label}
            value={values.escalator_pct}
            onChange={set('escalator_pct')}
            error={errors.escalator_pct}
            inputMode="decimal"
            suffix="%"
          />
          {select('billing', BILLING)}
          <TextField
            id={f.terms_days.input}
            field="terms_days"
            label={f.terms_days.label}
            value={values.terms_days}
            onChange={set('terms_days')}
            error={errors.terms_days}
            inputMode="numeric"
          />
        </div>
        {select('recognition', RECOGNITION)}
        <div className="field-row">
          {amount('per_delivery')}
          <TextField
            id={f.per_1k_records.input}
            field="per_1k_records"
            label={f.per_1k_records.label}
            value={values.per_1k_records}
            onChange={set('per_1k_records')}
            error={errors.per_1k_records}
            inputMode="decimal"
            suffix={values.currency.toUpperCase()}
            hint="A rate: may have more decimals."
          />
          {amount('minimum')}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="fee-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="fee-save" disabled={saving}>
            {saving ? 'Saving…' : 'Save fees'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
