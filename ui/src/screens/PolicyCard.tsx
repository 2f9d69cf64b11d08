import { useState, type FormEvent } from 'react';

import type { Policy, PolicyInput } from '../bindings';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DateField, TextField } from '../components/Field';
import { useApp } from '../context';
import { isCountryCode } from '../domain/country';
import { addDays, isDate } from '../domain/dates';
import { FieldTable, type FieldErrors } from '../forms';
import { useSetPolicy } from '../queries/consent';

const FIELDS = new FieldTable({
  opt_in: { input: 'policy-optin', label: 'Opt-in countries' },
  opt_out_available_from: { input: 'policy-optout-from', label: 'Users could first opt out on' },
  notice_days: { input: 'policy-notice', label: 'Notice days' },
});
const F = FIELDS.fields;

/** The codes in a list separated by commas or spaces, upper case, sorted, without repeats. */
function codesOf(text: string): string[] {
  const codes = text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  return [...new Set(codes)].sort();
}

/** "30 days' notice", "1 day's notice", or "no notice period". */
function noticeText(days: number): string {
  if (days === 0) return 'no notice period';
  return days === 1 ? "1 day's notice" : `${days} days' notice`;
}

/** The policy's opt-out gate in words. */
function gateInWords(policy: Policy): string {
  const from = policy.opt_out_available_from;
  if (from === null) return 'None: users could always opt out.';
  // The same sum as the core's `default_applies_from`, for display only.
  const appliesFrom = addDays(from, policy.notice_days) ?? from;
  return (
    `Users could opt out from ${from}. With ${noticeText(policy.notice_days)}, the opt-out default applies ` +
    `from ${appliesFrom}, to records created from ${from}.`
  );
}

/**
 * The current policy (opt-in countries and the opt-out gate), and a new version of it.
 * Give it `key={policy.version}`: a saved version starts a fresh form.
 */
export function PolicyCard({ policy }: { policy: Policy }) {
  const { reportError, clearError } = useApp();
  const setPolicy = useSetPolicy();
  const [text, setText] = useState(policy.opt_in_countries.join(', '));
  const [noOptIn, setNoOptIn] = useState(policy.opt_in_countries.length === 0);
  const [from, setFrom] = useState(policy.opt_out_available_from ?? '');
  const [notice, setNotice] = useState(String(policy.notice_days));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState<PolicyInput | null>(null);

  const next = noOptIn ? [] : codesOf(text);
  const added = next.filter((c) => !policy.opt_in_countries.includes(c));
  const removed = policy.opt_in_countries.filter((c) => !next.includes(c));
  const optInChanged = added.length > 0 || removed.length > 0 || noOptIn !== (policy.opt_in_countries.length === 0);
  const fromChanged = from.trim() !== (policy.opt_out_available_from ?? '');
  const noticeChanged = notice.trim() !== String(policy.notice_days);
  const changed = optInChanged || fromChanged || noticeChanged;

  const clear = (field: (typeof FIELDS.names)[number]) => setErrors((e) => ({ ...e, [field]: undefined }));

  /** Only what changed is sent: a field left null keeps its current value in the core. */
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: FieldErrors = {};
    const wrong = next.filter((c) => !isCountryCode(c));
    if (wrong.length > 0) problems.opt_in = `Not ISO 3166-1 alpha-2 country codes: ${wrong.join(', ')}`;
    else if (!noOptIn && next.length === 0) {
      problems.opt_in = 'Enter the opt-in country codes, or tick “This platform has no opt-in countries”.';
    }
    const day = from.trim();
    if (day !== '' && !isDate(day)) problems.opt_out_available_from = 'Write the date as YYYY-MM-DD, e.g. 2026-05-01.';
    if (!/^\d+$/.test(notice.trim())) problems.notice_days = 'Enter a whole number of days (the default is 30).';
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !changed) return;
    setConfirming({
      opt_in: optInChanged ? (noOptIn ? 'none' : next.join(',')) : null,
      opt_out_available_from: fromChanged ? (day === '' ? 'none' : day) : null,
      notice_days: noticeChanged ? Number(notice.trim()) : null,
    });
  };

  const save = async (input: PolicyInput) => {
    try {
      await setPolicy.mutateAsync(input);
      clearError();
    } catch (failure) {
      const placed = FIELDS.place(failure);
      setErrors(placed.inline);
      if (placed.banner) reportError(placed.banner);
    } finally {
      setConfirming(null);
    }
  };

  return (
    <section className="card" data-testid="consent-policy" aria-labelledby="policy-title">
      <h2 id="policy-title" className="card-title">
        Consent policy <span className="card-title-note" data-testid="policy-version">version {policy.version}</span>
      </h2>
      <p className="card-intro">
        In opt-in countries a user is excluded unless they allowed the purpose; elsewhere a user is included unless
        they denied it, but only once they could say no: the opt-out gate.
      </p>
      <form className="policy-form" onSubmit={submit} noValidate>
        <div>
          <TextField
            id={F.opt_in.input}
            field="opt_in"
            label={`${F.opt_in.label} (${policy.opt_in_countries.length})`}
            error={errors.opt_in}
            hint="Comma-separated ISO country codes. The default is the EEA, GB and CH."
            rows={2}
            code
            disabled={noOptIn}
            value={noOptIn ? '' : text}
            onChange={(v) => {
              setText(v);
              clear('opt_in');
            }}
          />
          <div className="check policy-none">
            <input
              id="policy-no-optin"
              data-testid="policy-no-optin"
              type="checkbox"
              checked={noOptIn}
              onChange={(e) => {
                setNoOptIn(e.target.checked);
                clear('opt_in');
              }}
            />
            <label htmlFor="policy-no-optin">This platform has no opt-in countries</label>
          </div>
        </div>

        <div>
          <h3 className="block-title">Opt-out gate</h3>
          <p className="policy-gate" data-testid="policy-gate">
            {gateInWords(policy)}
          </p>
          <div className="field-row">
            <DateField
              id={F.opt_out_available_from.input}
              field="opt_out_available_from"
              label={F.opt_out_available_from.label}
              error={errors.opt_out_available_from}
              hint="YYYY-MM-DD. Empty: users could always opt out."
              value={from}
              onChange={(v) => {
                setFrom(v);
                clear('opt_out_available_from');
              }}
            />
            <TextField
              id={F.notice_days.input}
              field="notice_days"
              label={F.notice_days.label}
              error={errors.notice_days}
              hint="From the opt-out date until the default applies. Default 30."
              type="number"
              min={0}
              step={1}
              inputClassName="input-number"
              suffix="days"
              value={notice}
              onChange={(v) => {
                setNotice(v);
                clear('notice_days');
              }}
            />
          </div>
        </div>

        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="policy-save" disabled={!changed}>
            Save as version {policy.version + 1}…
          </button>
        </div>
      </form>
      {confirming && (
        <ConfirmDialog
          title={`Save policy version ${policy.version + 1}?`}
          confirmLabel="Save policy"
          onConfirm={() => save(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Snapshots built from now on follow the new version. Sealed snapshots keep the version they were built with.
          </p>
          {confirming.opt_in !== null && (
            <p>
              Opt-in countries:{' '}
              {next.length === 0 ? 'none (every country is opt-out)' : `these ${next.length} countries`}.
            </p>
          )}
          {added.length > 0 && (
            <p className="policy-diff">
              Added: <code>{added.join(', ')}</code>
            </p>
          )}
          {removed.length > 0 && (
            <p className="policy-diff">
              Removed: <code>{removed.join(', ')}</code>
            </p>
          )}
          {confirming.opt_out_available_from === 'none' && <p>Opt-out gate: removed.</p>}
          {confirming.opt_out_available_from !== null && confirming.opt_out_available_from !== 'none' && (
            <p>
              Users could first opt out on <code>{confirming.opt_out_available_from}</code>.
            </p>
          )}
          {confirming.notice_days !== null && (
            <p>
              Notice period: {confirming.notice_days} {confirming.notice_days === 1 ? 'day' : 'days'}.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
