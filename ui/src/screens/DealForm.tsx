import { useRef, useState, type FormEvent } from 'react';

import type { Deal, DealInput, Purpose } from '../bindings';
import { DateField, describedBy, Field, FieldErrorText, TextField } from '../components/Field';
import { useApp } from '../context';
import { parseDate, termLength } from '../domain/dates';
import { termsOpen } from '../domain/lifecycle';
import { canonicalPurposes, purposeDepth, PURPOSES, vocabularyTokens } from '../domain/purpose';
import { FieldTable, type FieldErrors } from '../forms';
import { useDeal, useSaveDeal } from '../queries/deals';
import { usePartners } from '../queries/partners';

/** The backend's field names, in the order the form shows them, with their inputs. */
const FIELDS = new FieldTable({
  partner_id: { input: 'deal-partner', label: 'Partner' },
  title: { input: 'deal-title', label: 'Title' },
  purposes: { input: `deal-purpose-${PURPOSES[0].token}`, label: 'Permitted purposes' },
  start_date: { input: 'deal-start', label: 'Start date' },
  end_date: { input: 'deal-end', label: 'End date' },
  territory: { input: 'deal-territory', label: 'Territory' },
  retention_days: { input: 'deal-retention', label: 'Retention' },
  withdrawal_days: { input: 'deal-withdrawal-days', label: 'Withdrawal notices due after' },
  exclusive: { input: 'deal-exclusive', label: 'Exclusive' },
  attribution_required: { input: 'deal-attribution', label: 'Attribution required' },
  sublicensing_allowed: { input: 'deal-sublicensing', label: 'Sublicensing allowed' },
  notes: { input: 'deal-notes', label: 'Notes' },
});
const F = FIELDS.fields;

/** What the form holds, keyed like `DealInput`: text as typed, purposes as a set. */
interface Values {
  partner_id: string;
  title: string;
  purposes: Set<Purpose>;
  start_date: string;
  end_date: string;
  territory: string;
  retention_days: string;
  withdrawal_days: string;
  exclusive: boolean;
  attribution_required: boolean;
  sublicensing_allowed: boolean;
  notes: string;
}

type CheckField = 'exclusive' | 'attribution_required' | 'sublicensing_allowed';
const CONDITIONS: readonly CheckField[] = ['exclusive', 'attribution_required', 'sublicensing_allowed'];

function initialValues(deal: Deal | undefined): Values {
  return {
    partner_id: deal ? String(deal.partner_id) : '',
    title: deal?.title ?? '',
    purposes: new Set(deal?.purposes ?? []),
    start_date: deal?.start_date ?? '',
    end_date: deal?.end_date ?? '',
    territory: deal?.territory ?? 'WORLD',
    retention_days: deal?.retention_days != null ? String(deal.retention_days) : '',
    withdrawal_days: String(deal?.withdrawal_days ?? 30),
    exclusive: deal?.exclusive ?? false,
    attribution_required: deal?.attribution_required ?? false,
    sublicensing_allowed: deal?.sublicensing_allowed ?? false,
    notes: deal?.notes ?? '',
  };
}

const DATE_FORMAT = 'Use the form YYYY-MM-DD, e.g. 2027-01-31.';

/** The obvious mistakes, caught before anything is sent. The core checks everything again. */
function check(v: Values): FieldErrors {
  const errors: FieldErrors = {};
  if (v.partner_id === '') errors.partner_id = 'Choose the partner this deal is with.';
  if (v.title.trim() === '') errors.title = 'Give the deal a title.';
  if (v.purposes.size === 0) errors.purposes = 'Permit at least one purpose.';
  const start = v.start_date.trim() === '' ? null : parseDate(v.start_date);
  const end = v.end_date.trim() === '' ? null : parseDate(v.end_date);
  if (v.start_date.trim() === '') errors.start_date = 'Enter the first day of the term.';
  else if (start === null) errors.start_date = DATE_FORMAT;
  if (v.end_date.trim() === '') errors.end_date = 'Enter the last day of the term.';
  else if (end === null) errors.end_date = DATE_FORMAT;
  else if (start !== null && end < start) errors.end_date = 'The end date is before the start date.';
  if (v.territory.trim() === '') errors.territory = 'Enter WORLD or country codes such as US,CA.';
  const retention = v.retention_days.trim();
  if (retention !== '' && !/^[0-9]+$/.test(retention)) errors.retention_days = 'Enter a whole number of days.';
  else if (retention !== '' && Number(retention) < 1) errors.retention_days = 'Retention must be at least 1 day.';
  const withdrawal = v.withdrawal_days.trim();
  if (!/^[0-9]+$/.test(withdrawal) || Number(withdrawal) < 1 || Number(withdrawal) > 3650)
    errors.withdrawal_days = 'Enter a whole number of days from 1 to 3650.';
  return errors;
}

function toInput(v: Values): DealInput {
  const retention = v.retention_days.trim();
  return {
    partner_id: Number(v.partner_id),
    title: v.title,
    purposes: canonicalPurposes(v.purposes),
    start_date: v.start_date.trim(),
    end_date: v.end_date.trim(),
    territory: v.territory,
    exclusive: v.exclusive,
    retention_days: retention === '' ? null : Number(retention),
    withdrawal_days: Number(v.withdrawal_days.trim()),
    attribution_required: v.attribution_required,
    sublicensing_allowed: v.sublicensing_allowed,
    notes: v.notes,
  };
}

/** Creates a deal, or edits the terms of one (`id`) that is still open. */
export function DealForm({ id }: { id?: number }) {
  const deal = useDeal(id);

  if (id !== undefined) {
    if (deal.error) {
      return (
        <section className="screen">
          <p className="muted">{deal.error.message}</p>
        </section>
      );
    }
    if (!deal.data) return <p className="loading">Loading…</p>;
    if (!termsOpen(deal.data.status)) return <FrozenTerms deal={deal.data} />;
  }
  return <DealFormBody key={id ?? 'new'} deal={id === undefined ? undefined : deal.data} />;
}

function FrozenTerms({ deal }: { deal: Deal }) {
  const { navigate } = useApp();
  return (
    <section className="screen">
      <button type="button" className="back-link" onClick={() => navigate({ screen: 'deal', id: deal.id })}>
        ← {deal.title}
      </button>
      <p className="notice">Terms are frozen once signed; renew to change them.</p>
    </section>
  );
}

function DealFormBody({ deal }: { deal: Deal | undefined }) {
  const { navigate, reportError, clearError, openPartnerForm } = useApp();
  const partners = usePartners().data;
  const save = useSaveDeal();
  const [values, setValues] = useState<Values>(() => initialValues(deal));
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = useRef<HTMLFormElement>(null);
  const saving = save.isPending;

  const back = () => navigate(deal ? { screen: 'deal', id: deal.id } : { screen: 'deals' });

  const set = <K extends keyof Values>(field: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const togglePurpose = (p: Purpose, on: boolean) => {
    const next = new Set(values.purposes);
    if (on) next.add(p);
    else next.delete(p);
    set('purposes', next);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const found = check(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      FIELDS.focusFirstError(form.current, found);
      return;
    }
    try {
      const saved = await save.mutateAsync({ id: deal?.id, input: toInput(values) });
      clearError();
      navigate(deal ? { screen: 'deal', id: saved.id } : { screen: 'deals' });
    } catch (error) {
      const placed = FIELDS.place(error);
      setErrors(placed.inline);
      if (placed.banner) reportError(placed.banner);
      FIELDS.focusFirstError(form.current, placed.inline);
    }
  };

  const length = termLength(values.start_date, values.end_date);
  const text = (field: 'title' | 'territory' | 'notes' | 'retention_days' | 'withdrawal_days') => ({
    id: F[field].input,
    field,
    label: F[field].label,
    value: values[field],
    error: errors[field],
    onChange: (v: string) => set(field, v),
  });

  return (
    <section className="screen screen-narrow" aria-labelledby="deal-form-title">
      <button type="button" className="back-link" onClick={back}>
        ← {deal ? deal.title : 'Deals'}
      </button>
      <header className="screen-header">
        <h1 id="deal-form-title">{deal ? 'Edit deal terms' : 'New deal'}</h1>
      </header>
      <form ref={form} className="form card" data-testid="deal-form" onSubmit={submit} noValidate>
        <div className="field-row">
          <Field
            id={F.partner_id.input}
            field="partner_id"
            label={F.partner_id.label}
            error={errors.partner_id}
            hint={
              partners && partners.length === 0 ? (
                <>
                  No partners yet.{' '}
                  <button type="button" className="link-button" onClick={() => openPartnerForm()}>
                    Add one
                  </button>
                </>
              ) : undefined
            }
          >
            <select
              {...describedBy(F.partner_id.input, errors.partner_id)}
              value={values.partner_id}
              onChange={(e) => set('partner_id', e.target.value)}
            >
              <option value="">Choose a partner</option>
              {(partners ?? []).map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
          <TextField {...text('title')} className="field-grow" placeholder="e.g. Training data licence 2027" />
        </div>

        <fieldset
          className={`fieldset ${errors.purposes ? 'field-invalid' : ''}`}
          aria-describedby={errors.purposes ? 'deal-purposes-error' : 'deal-purposes-hint'}
        >
          <legend className="field-label">{F.purposes.label}</legend>
          <p className="field-hint" id="deal-purposes-hint">
            A record is included only if its author consents to every purpose you permit here.
          </p>
          <ul className="purpose-tree">
            {PURPOSES.map((p) => {
              const inputId = `deal-purpose-${p.token}`;
              const tokens = vocabularyTokens(p.token);
              return (
                <li key={p.token} className={`purpose-depth-${purposeDepth(p.token)}`}>
                  <input
                    id={inputId}
                    data-testid={inputId}
                    type="checkbox"
                    checked={values.purposes.has(p.token)}
                    onChange={(e) => togglePurpose(p.token, e.target.checked)}
                  />
                  <label htmlFor={inputId}>
                    <span className="purpose-label">{p.label}</span>
                    <span className="purpose-description">{p.description}</span>
                    {tokens.length > 0 && <code className="purpose-tokens">{tokens.join(' · ')}</code>}
                  </label>
                </li>
              );
            })}
          </ul>
          <FieldErrorText id="deal-purposes" field="purposes" error={errors.purposes} />
        </fieldset>

        <div className="field-row">
          <DateField
            id={F.start_date.input}
            field="start_date"
            label={F.start_date.label}
            value={values.start_date}
            error={errors.start_date}
            onChange={(v) => set('start_date', v)}
          />
          <DateField
            id={F.end_date.input}
            field="end_date"
            label={F.end_date.label}
            value={values.end_date}
            error={errors.end_date}
            hint={length ? `Inclusive · ${length}` : 'Inclusive: the term covers this day'}
            onChange={(v) => set('end_date', v)}
          />
        </div>

        <div className="field-row">
          <TextField {...text('territory')} hint="WORLD, or country codes such as US,CA" />
          <TextField
            {...text('retention_days')}
            hint="How long the partner may keep delivered data; blank for no limit"
            type="number"
            min={1}
            step={1}
            inputClassName="input-number"
            suffix="days"
          />
          <TextField
            {...text('withdrawal_days')}
            hint="A withdrawal notice's due date: days after it is issued"
            type="number"
            min={1}
            step={1}
            inputClassName="input-number"
            suffix="days"
          />
        </div>

        <fieldset className="fieldset">
          <legend className="field-label">Conditions</legend>
          <div className="checks">
            {CONDITIONS.map((field) => (
              <Check
                key={field}
                id={F[field].input}
                field={field}
                label={F[field].label}
                checked={values[field]}
                error={errors[field]}
                onChange={(on) => set(field, on)}
              />
            ))}
          </div>
        </fieldset>

        <TextField {...text('notes')} rows={3} />

        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="deal-save" disabled={saving}>
            {deal ? 'Save changes' : 'Create deal'}
          </button>
          <button type="button" className="button" data-testid="deal-cancel" onClick={back} disabled={saving}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

interface CheckProps {
  id: string;
  field: string;
  label: string;
  checked: boolean;
  error?: string;
  onChange: (checked: boolean) => void;
}

function Check({ id, field, label, checked, error, onChange }: CheckProps) {
  return (
    <div className="check">
      <input
        {...describedBy(id, error)}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      <FieldErrorText id={id} field={field} error={error} />
    </div>
  );
}
