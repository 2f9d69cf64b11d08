import { useRef, useState, type FormEvent } from 'react';

import type { Partner, PartnerInput, PartnerKind } from '../bindings';
import { Dialog } from '../components/Dialog';
import { describedBy, Field } from '../components/Field';
import { useApp } from '../context';
import { PARTNER_KINDS } from '../domain/partnerKind';
import { firstErrorField, placeErrors, type FieldErrors } from '../forms';

const FIELDS = ['name', 'kind', 'country', 'contact', 'notes'] as const;
const INPUT_IDS: Record<(typeof FIELDS)[number], string> = {
  name: 'partner-name',
  kind: 'partner-kind',
  country: 'partner-country',
  contact: 'partner-contact',
  notes: 'partner-notes',
};

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

export function PartnerForm({ partner, onClose, onSaved }: PartnerFormProps) {
  const { backend, reportError, clearError } = useApp();
  const [name, setName] = useState(partner?.name ?? '');
  const [kind, setKind] = useState<PartnerKind>(partner?.kind ?? 'ai-lab');
  const [country, setCountry] = useState(partner?.country ?? '');
  const [contact, setContact] = useState(partner?.contact ?? '');
  const [notes, setNotes] = useState(partner?.notes ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const focusFirstError = (found: FieldErrors) => {
    const field = firstErrorField(found, FIELDS);
    if (field) form.current?.querySelector<HTMLElement>(`#${INPUT_IDS[field as keyof typeof INPUT_IDS]}`)?.focus();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const input: PartnerInput = {
      name,
      kind,
      country: country.trim() === '' ? null : country.trim().toUpperCase(),
      contact: contact.trim() === '' ? null : contact,
      notes,
    };
    const found = check(input);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    setSaving(true);
    try {
      const saved = partner
        ? await backend.updatePartner(partner.id, input)
        : await backend.createPartner(input);
      clearError();
      onSaved(saved);
    } catch (error) {
      const placed = placeErrors(error, FIELDS);
      setErrors(placed.inline);
      if (placed.banner) reportError(placed.banner);
      focusFirstError(placed.inline);
      setSaving(false);
    }
  };

  const edited = (field: string) => {
    if (errors[field]) setErrors({ ...errors, [field]: undefined });
  };

  return (
    <Dialog title={partner ? 'Edit partner' : 'New partner'} testId="partner-form-dialog" onClose={onClose} busy={saving}>
      <form ref={form} className="form" data-testid="partner-form" onSubmit={submit} noValidate>
        <Field id="partner-name" field="name" label="Name" error={errors.name}>
          <input
            {...describedBy('partner-name', errors.name)}
            type="text"
            value={name}
            autoComplete="off"
            onChange={(e) => {
              setName(e.target.value);
              edited('name');
            }}
          />
        </Field>
        <div className="field-row">
          <Field id="partner-kind" field="kind" label="Kind" error={errors.kind}>
            <select
              {...describedBy('partner-kind', errors.kind)}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as PartnerKind);
                edited('kind');
              }}
            >
              {PARTNER_KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="partner-country"
            field="country"
            label="Country"
            error={errors.country}
            hint="Two letters, e.g. US"
          >
            <input
              {...describedBy('partner-country', errors.country, true)}
              type="text"
              className="input-short"
              maxLength={2}
              autoComplete="off"
              value={country}
              onChange={(e) => {
                setCountry(e.target.value);
                edited('country');
              }}
            />
          </Field>
        </div>
        <Field id="partner-contact" field="contact" label="Contact" error={errors.contact} hint="Optional: a person or address for licensing matters">
          <input
            {...describedBy('partner-contact', errors.contact, true)}
            type="text"
            autoComplete="off"
            value={contact}
            onChange={(e) => {
              setContact(e.target.value);
              edited('contact');
            }}
          />
        </Field>
        <Field id="partner-notes" field="notes" label="Notes" error={errors.notes}>
          <textarea
            {...describedBy('partner-notes', errors.notes)}
            rows={3}
            value={notes}
            onChange={(e) => {
              setNotes(e.target.value);
              edited('notes');
            }}
          />
        </Field>
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
