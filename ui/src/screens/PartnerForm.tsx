import { useRef, useState, type FormEvent } from 'react';

import type { Partner, PartnerInput, PartnerKind } from '../bindings';
import { Dialog } from '../components/Dialog';
import { describedBy, Field, TextField } from '../components/Field';
import { useApp } from '../context';
import { PARTNER_KINDS } from '../domain/partnerKind';
import { FieldTable, type FieldErrors } from '../forms';
import { useSavePartner } from '../queries/partners';

/** The form's fields, in the order it shows them. */
const FIELDS = new FieldTable({
  name: { input: 'partner-name', label: 'Name' },
  kind: { input: 'partner-kind', label: 'Kind' },
  country: { input: 'partner-country', label: 'Country' },
  contact: { input: 'partner-contact', label: 'Contact' },
  notes: { input: 'partner-notes', label: 'Notes' },
});
const F = FIELDS.fields;

type Values = Record<'name' | 'country' | 'contact' | 'notes', string> & { kind: PartnerKind };

interface PartnerFormProps {
  /** The partner to edit; a new partner when absent. */
  partner?: Partner;
  onClose: () => void;
  onSaved: (partner: Partner) => void;
}

function check(values: PartnerInput): FieldErrors {
  const errors: FieldErrors = {};
  if (values.name.trim() === '') errors.name = 'Enter the partner’s name.';
  const country = (values.country ?? '').trim();
  if (country !== '' && !/^[A-Za-z]{2}$/.test(country)) {
    errors.country = 'Use the two-letter ISO code, such as US or DE.';
  }
  return errors;
}

function toInput(v: Values): PartnerInput {
  const country = v.country.trim();
  return {
    name: v.name,
    kind: v.kind,
    country: country === '' ? null : country.toUpperCase(),
    contact: v.contact.trim() === '' ? null : v.contact,
    notes: v.notes,
  };
}

export function PartnerForm({ partner, onClose, onSaved }: PartnerFormProps) {
  const { reportError, clearError } = useApp();
  const save = useSavePartner();
  const [values, setValues] = useState<Values>(() => ({
    name: partner?.name ?? '',
    kind: partner?.kind ?? 'ai-lab',
    country: partner?.country ?? '',
    contact: partner?.contact ?? '',
    notes: partner?.notes ?? '',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = useRef<HTMLFormElement>(null);
  const saving = save.isPending;

  const set = <K extends keyof Values>(field: K, value: Values[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const input = toInput(values);
    const found = check(input);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      FIELDS.focusFirstError(form.current, found);
      return;
    }
    try {
      const saved = await save.mutateAsync({ id: partner?.id, input });
      clearError();
      onSaved(saved);
    } catch (error) {
      const placed = FIELDS.place(error);
      setErrors(placed.inline);
      if (placed.banner) reportError(placed.banner);
      FIELDS.focusFirstError(form.current, placed.inline);
    }
  };

  return (
    <Dialog title={partner ? 'Edit partner' : 'New partner'} testId="partner-form-dialog" onClose={onClose} busy={saving}>
      <form ref={form} className="form" data-testid="partner-form" onSubmit={submit} noValidate>
        <TextField
          id={F.name.input}
          field="name"
          label={F.name.label}
          value={values.name}
          error={errors.name}
          onChange={(v) => set('name', v)}
        />
        <div className="field-row">
          <Field id={F.kind.input} field="kind" label={F.kind.label} error={errors.kind}>
            <select
              {...describedBy(F.kind.input, errors.kind)}
              value={values.kind}
              onChange={(e) => set('kind', e.target.value as PartnerKind)}
            >
              {PARTNER_KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          </Field>
          <TextField
            id={F.country.input}
            field="country"
            label={F.country.label}
            value={values.country}
            error={errors.country}
            hint="Two letters, e.g. US"
            inputClassName="input-short"
            maxLength={2}
            onChange={(v) => set('country', v)}
          />
        </div>
        <TextField
          id={F.contact.input}
          field="contact"
          label={F.contact.label}
          value={values.contact}
          error={errors.contact}
          hint="Optional: a person or address for licensing matters"
          onChange={(v) => set('contact', v)}
        />
        <TextField
          id={F.notes.input}
          field="notes"
          label={F.notes.label}
          value={values.notes}
          error={errors.notes}
          rows={3}
          onChange={(v) => set('notes', v)}
        />
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="partner-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="partner-save" disabled={saving}>
            {partner ? 'Save changes' : 'Add partner'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
