import { useState, type FormEvent } from 'react';

import type { Deal } from '../bindings';
import { DateField } from '../components/Field';
import { Dialog } from '../components/Dialog';
import { useApp } from '../context';
import { nextTerm, parseDate } from '../domain/dates';
import { FieldTable, type FieldErrors } from '../forms';
import { useRenewDeal } from '../queries/deals';

const FIELDS = new FieldTable({
  start_date: { input: 'renew-start', label: 'Start date' },
  end_date: { input: 'renew-end', label: 'End date' },
});
type Values = Record<(typeof FIELDS.names)[number], string>;

interface RenewDialogProps {
  deal: Deal;
  onClose: () => void;
  onRenewed: (renewal: Deal) => void;
}

/** Asks for the renewal's term (blank = the next term of the same length) and creates it. */
export function RenewDialog({ deal, onClose, onRenewed }: RenewDialogProps) {
  const { reportError, clearError } = useApp();
  const renew = useRenewDeal();
  const [values, setValues] = useState<Values>({ start_date: '', end_date: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = renew.isPending;
  const next = nextTerm(deal.start_date, deal.end_date);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    const found: FieldErrors = {};
    for (const field of FIELDS.names) {
      if (values[field].trim() !== '' && parseDate(values[field]) === null) found[field] = 'Use the form YYYY-MM-DD.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const blankIsNull = (text: string) => (text.trim() === '' ? null : text.trim());
      const renewal = await renew.mutateAsync({
        id: deal.id,
        input: { start_date: blankIsNull(values.start_date), end_date: blankIsNull(values.end_date) },
      });
      clearError();
      onRenewed(renewal);
    } catch (error) {
      FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
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
          {FIELDS.names.map((field) => (
            <DateField
              key={field}
              id={FIELDS.fields[field].input}
              field={field}
              label={FIELDS.fields[field].label}
              value={values[field]}
              error={errors[field]}
              onChange={(v) => setValues((old) => ({ ...old, [field]: v }))}
            />
          ))}
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
