import { useRef, useState, type FormEvent } from 'react';

import type { Deal, DealInput, Purpose } from '../bindings';
import { describedBy, Field, FieldErrorText } from '../components/Field';
import { useApp } from '../context';
import { parseDate, termLength } from '../domain/dates';
import { termsOpen } from '../domain/lifecycle';
import { canonicalPurposes, purposeDepth, PURPOSES, vocabularyTokens } from '../domain/purpose';
import { firstErrorField, placeErrors, type FieldErrors } from '../forms';
import { useResource } from '../hooks';

/** The backend's field names, in the order the form shows them. */
const FIELDS = [
  'partner_id',
  'title',
  'purposes',
  'start_date',
  'end_date',
  'territory',
  'retention_days',
  'exclusive',
  'attribution_required',
  'sublicensing_allowed',
  'notes',
] as const;

const FOCUS: Partial<Record<string, string>> = {
  partner_id: 'deal-partner',
  title: 'deal-title',
  purposes: `deal-purpose-${PURPOSES[0].token}`,
  start_date: 'deal-start',
  end_date: 'deal-end',
  territory: 'deal-territory',
  retention_days: 'deal-retention',
  notes: 'deal-notes',
};

interface Values {
  partnerId: string;
  title: string;
  purposes: Set<Purpose>;
  start: string;
  end: string;
  territory: string;
  exclusive: boolean;
  attribution: boolean;
  sublicensing: boolean;
  retention: string;
  notes: string;
}

function initialValues(deal: Deal | undefined): Values {
  return {
    partnerId: deal ? String(deal.partner_id) : '',
    title: deal?.title ?? '',
    purposes: new Set(deal?.purposes ?? []),
    start: deal?.start_date ?? '',
    end: deal?.end_date ?? '',
    territory: deal?.territory ?? 'WORLD',
    exclusive: deal?.exclusive ?? false,
    attribution: deal?.attribution_required ?? false,
    sublicensing: deal?.sublicensing_allowed ?? false,
    retention: deal?.retention_days != null ? String(deal.retention_days) : '',
    notes: deal?.notes ?? '',
  };
}

const DATE_FORMAT = 'Use the form YYYY-MM-DD, e.g. 2027-01-31.';

/** The obvious mistakes, caught before anything is sent. The core checks everything again. */
function check(v: Values): FieldErrors {
  const errors: FieldErrors = {};
  if (v.partnerId === '') errors.partner_id = 'Choose the partner this deal is with.';
  if (v.title.trim() === '') errors.title = 'Give the deal a title.';
  if (v.purposes.size === 0) errors.purposes = 'Permit at least one purpose.';
  const start = v.start.trim() === '' ? null : parseDate(v.start);
  const end = v.end.trim() === '' ? null : parseDate(v.end);
  if (v.start.trim() === '') errors.start_date = 'Enter the first day of the term.';
  else if (start === null) errors.start_date = DATE_FORMAT;
  if (v.end.trim() === '') errors.end_date = 'Enter the last day of the term.';
  else if (end === null) errors.end_date = DATE_FORMAT;
  else if (start !== null && end < start) errors.end_date = 'The end date is before the start date.';
  if (v.territory.trim() === '') errors.territory = 'Enter WORLD or country codes such as US,CA.';
  const retention = v.retention.trim();
  if (retention !== '' && !/^[0-9]+$/.test(retention)) errors.retention_days = 'Enter a whole number of days.';
  else if (retention !== '' && Number(retention) < 1) errors.retention_days = 'Retention must be at least 1 day.';
  return errors;
}

function toInput(v: Values): DealInput {
  const retention = v.retention.trim();
  return {
    partner_id: Number(v.partnerId),
    title: v.title,
    purposes: canonicalPurposes(v.purposes),
    start_date: v.start.trim(),
    end_date: v.end.trim(),
    territory: v.territory,
    exclusive: v.exclusive,
    retention_days: retention === '' ? null : Number(retention),
    attribution_required: v.attribution,
    sublicensing_allowed: v.sublicensing,
    notes: v.notes,
  };
}

/** Creates a deal, or edits the terms of one (`id`) that is still open. */
export function DealForm({ id }: { id?: number }) {
  const { backend } = useApp();
  const deal = useResource(() => (id === undefined ? Promise.resolve(undefined) : backend.getDeal(id)), [id]);

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
  return <DealFormBody key={id ?? 'new'} deal={deal.data} />;
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
  const { backend, navigate, partners, reportError, clearError, reloadData, openPartnerForm } = useApp();
  const [values, setValues] = useState<Values>(() => initialValues(deal));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const back = () => navigate(deal ? { screen: 'deal', id: deal.id } : { screen: 'deals' });

  const set = <K extends keyof Values>(key: K, value: Values[K], field: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const togglePurpose = (p: Purpose, on: boolean) => {
    const next = new Set(values.purposes);
    if (on) next.add(p);
    else next.delete(p);
    set('purposes', next, 'purposes');
  };

  const focusFirstError = (found: FieldErrors) => {
    const field = firstErrorField(found, FIELDS);
    const target = field ? FOCUS[field] : undefined;
    if (target) form.current?.querySelector<HTMLElement>(`#${target}`)?.focus();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const found = check(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    setSaving(true);
    try {
      const input = toInput(values);
      const saved = deal ? await backend.updateDeal(deal.id, input) : await backend.createDeal(input);
      clearError();
      reloadData();
      navigate(deal ? { screen: 'deal', id: saved.id } : { screen: 'deals' });
    } catch (error) {
      const placed = placeErrors(error, FIELDS);
      setErrors(placed.inline);
      if (placed.banner) reportError(placed.banner);
      focusFirstError(placed.inline);
      setSaving(false);
    }
  };

  const length = termLength(values.start, values.end);

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
            id="deal-partner"
            field="partner_id"
            label="Partner"
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
              {...describedBy('deal-partner', errors.partner_id)}
              value={values.partnerId}
              onChange={(e) => set('partnerId', e.target.value, 'partner_id')}
            >
              <option value="">Choose a partner</option>
              {(partners ?? []).map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="deal-title" field="title" label="Title" error={errors.title} className="field-grow">
            <input
              {...describedBy('deal-title', errors.title)}
              type="text"
              autoComplete="off"
              placeholder="e.g. Training data licence 2027"
              value={values.title}
              onChange={(e) => set('title', e.target.value, 'title')}
            />
          </Field>
        </div>

        <fieldset
          className={`fieldset ${errors.purposes ? 'field-invalid' : ''}`}
          aria-describedby={errors.purposes ? 'deal-purposes-error' : 'deal-purposes-hint'}
        >
          <legend className="field-label">Permitted purposes</legend>
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
          <Field id="deal-start" field="start_date" label="Start date" error={errors.start_date}>
            <input
              {...describedBy('deal-start', errors.start_date)}
              type="text"
              inputMode="numeric"
              placeholder="YYYY-MM-DD"
              autoComplete="off"
              className="input-date"
              value={values.start}
              onChange={(e) => set('start', e.target.value, 'start_date')}
            />
          </Field>
          <Field
            id="deal-end"
            field="end_date"
            label="End date"
            error={errors.end_date}
            hint={length ? `Inclusive · ${length}` : 'Inclusive: the term covers this day'}
          >
            <input
              {...describedBy('deal-end', errors.end_date, true)}
              type="text"
              inputMode="numeric"
              placeholder="YYYY-MM-DD"
              autoComplete="off"
              className="input-date"
              value={values.end}
              onChange={(e) => set('end', e.target.value, 'end_date')}
            />
          </Field>
        </div>

        <div className="field-row">
          <Field
            id="deal-territory"
            field="territory"
            label="Territory"
            error={errors.territory}
            hint="WORLD, or country codes such as US,CA"
          >
            <input
              {...describedBy('deal-territory', errors.territory, true)}
              type="text"
              autoComplete="off"
              value={values.territory}
              onChange={(e) => set('territory', e.target.value, 'territory')}
            />
          </Field>
          <Field
            id="deal-retention"
            field="retention_days"
            label="Retention"
            error={errors.retention_days}
            hint="How long the partner may keep delivered data; blank for no limit"
          >
            <span className="input-suffix">
              <input
                {...describedBy('deal-retention', errors.retention_days, true)}
                type="number"
                min={1}
                step={1}
                className="input-number"
                value={values.retention}
                onChange={(e) => set('retention', e.target.value, 'retention_days')}
              />
              <span aria-hidden="true">days</span>
            </span>
          </Field>
        </div>

        <fieldset className="fieldset">
          <legend className="field-label">Conditions</legend>
          <div className="checks">
            <Check
              id="deal-exclusive"
              field="exclusive"
              label="Exclusive"
              checked={values.exclusive}
              error={errors.exclusive}
              onChange={(on) => set('exclusive', on, 'exclusive')}
            />
            <Check
              id="deal-attribution"
              field="attribution_required"
              label="Attribution required"
              checked={values.attribution}
              error={errors.attribution_required}
              onChange={(on) => set('attribution', on, 'attribution_required')}
            />
            <Check
              id="deal-sublicensing"
              field="sublicensing_allowed"
              label="Sublicensing allowed"
              checked={values.sublicensing}
              error={errors.sublicensing_allowed}
              onChange={(on) => set('sublicensing', on, 'sublicensing_allowed')}
            />
          </div>
        </fieldset>

        <Field id="deal-notes" field="notes" label="Notes" error={errors.notes}>
          <textarea
            {...describedBy('deal-notes', errors.notes)}
            rows={3}
            value={values.notes}
            onChange={(e) => set('notes', e.target.value, 'notes')}
          />
        </Field>

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
