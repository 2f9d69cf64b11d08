import { useState, type FormEvent } from 'react';

import type { Policy } from '../bindings';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { describedBy, Field } from '../components/Field';
import { useApp } from '../context';
import { isCountryCode } from '../domain/country';
import { placeErrors } from '../forms';

/** The codes in a list separated by commas or spaces, upper case, sorted, without repeats. */
function codesOf(text: string): string[] {
  const codes = text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  return [...new Set(codes)].sort();
}

/** The opt-in countries of the current policy, and a new version of them. */
export function PolicyCard({ policy, onSaved }: { policy: Policy; onSaved: (policy: Policy) => void }) {
  const { backend, reportError, clearError } = useApp();
  const [text, setText] = useState(policy.opt_in_countries.join(', '));
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);

  const next = codesOf(text);
  const added = next.filter((c) => !policy.opt_in_countries.includes(c));
  const removed = policy.opt_in_countries.filter((c) => !next.includes(c));
  const changed = added.length > 0 || removed.length > 0;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const wrong = next.filter((c) => !isCountryCode(c));
    if (wrong.length > 0) {
      setError(`Not ISO 3166-1 alpha-2 country codes: ${wrong.join(', ')}`);
      return;
    }
    if (changed) setConfirming(true);
  };

  const save = async () => {
    try {
      const saved = await backend.setPolicy(next.join(','));
      clearError();
      setText(saved.opt_in_countries.join(', '));
      onSaved(saved);
    } catch (failure) {
      const placed = placeErrors(failure, ['opt_in_countries']);
      setError(placed.inline.opt_in_countries);
      if (placed.banner) reportError(placed.banner);
    } finally {
      setConfirming(false);
    }
  };

  return (
    <section className="card" data-testid="consent-policy" aria-labelledby="policy-title">
      <h2 id="policy-title" className="card-title">
        Opt-in policy <span className="card-title-note" data-testid="policy-version">version {policy.version}</span>
      </h2>
      <p className="card-intro">
        In opt-in countries a user is excluded unless they allowed the purpose; elsewhere a user is included unless
        they denied it.
      </p>
      <form className="policy-form" onSubmit={submit} noValidate>
        <Field
          id="policy-optin"
          field="opt_in_countries"
          label={`Opt-in countries (${policy.opt_in_countries.length})`}
          error={error}
          hint="Comma-separated ISO country codes. The default is the EEA, GB and CH."
          className="field-grow"
        >
          <textarea
            {...describedBy('policy-optin', error, true)}
            rows={2}
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setError(undefined);
            }}
          />
        </Field>
        <button type="submit" className="button button-primary" data-testid="policy-save" disabled={!changed}>
          Save as version {policy.version + 1}…
        </button>
      </form>
      {confirming && (
        <ConfirmDialog
          title={`Save policy version ${policy.version + 1}?`}
          confirmLabel="Save policy"
          onConfirm={save}
          onCancel={() => setConfirming(false)}
        >
          <p>
            Snapshots built from now on treat {next.length === 0 ? 'no country' : `these ${next.length} countries`} as
            opt-in. Sealed snapshots keep the version they were built with.
          </p>
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
        </ConfirmDialog>
      )}
    </section>
  );
}
