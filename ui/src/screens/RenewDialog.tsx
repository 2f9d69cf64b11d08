import { useState, type FormEvent } from 'react';

import type { Deal } from '../bindings';
import { Dialog } from '../components/Dialog';
import { describedBy, Field } from '../components/Field';
import { useApp } from '../context';
import { nextTerm, parseDate } from '../domain/dates';
import { placeErrors, type FieldErrors } from '../forms';

const FIELDS = ['start_date', 'end_date'] as const;

interface RenewDialogProps {
  deal: Deal;
  onClose: () => void;
  onRenewed: (renewal: Deal) => void;
}

/** Asks for the renewal's term (blank = the next term of the same length) and creates it. */
export function RenewDialog({ deal, onClose, onRenewed }: RenewDialogProps) {
  const { backend, reportError, clearError } = useApp();
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const next = nextTerm(deal.start_date, deal.end_date);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const found: FieldErrors = {};
    if (start.trim() !== '' && parseDate(start) === null) found.start_date = 'Use the form YYYY-MM-DD.';
    if (end.trim() !== '' && parseDate(end) === null) found.end_date = 'Use the form YYYY-MM-DD.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    try {
      const renewal = await backend.renewDeal(deal.id, {
        start_date: start.trim() === '' ? null : start.trim(),
        end_date: end.trim() === '' ? null : end.trim(),
      });
      clearError();
      onRenewed(renewal);
    } catch (error) {
      const placed = placeErrors(error, FIELDS);
      setErrors(placed.inline);
      if (placed.banner) {
        reportError(placed.banner);
        onClose();
      }
      setSaving(false);
    }
  };

  return (
    <Dialog title="Renew this deal" testId="renew-dialog" onClose={onClose} size="small" busy={saving}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="dialog-body">
          The renewal is a new draft deal with the same terms, linked to this one. Leave the dates
          blank for the next term of the same length
          {next && (
            <>
              : <span className="nowrap">{next[0]}</span> to <span className="nowrap">{next[1]}</span>
            </>
          )}
          .
        </p>
        <div className="field-row">
          <Field id="renew-start" field="start_date" label="Start date" error={errors.start_date}>
            <input
              {...describedBy('renew-start', errors.start_date)}
              type="text"
              className="input-date"
              placeholder="YYYY-MM-DD"
              autoComplete="off"
              value={start}
              onChange={(e) => setStart(e.target.value)}
            />
          </Field>
          <Field id="renew-end" field="end_date" label="End date" error={errors.end_date}>
            <input
              {...describedBy('renew-end', errors.end_date)}
              type="text"
              className="input-date"
              placeholder="YYYY-MM-DD"
              autoComplete="off"
              value={end}
              onChange={(e) => setEnd(e.target.value)}
            />
          </Field>
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="renew-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="renew-confirm" disabled={saving}>
            Create renewal
          </button>
        </div>
      </form>
    </Dialog>
  );
}
