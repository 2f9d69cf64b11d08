//! Step 2: which fields hold the record id, the author and the creation time; the
//! cut-off instant and the content window; and the advanced settings.

import type { SourcePreview } from '../../bindings';
import { DateField, TextField, type TextFieldProps } from '../../components/Field';
import type { FieldErrors } from '../../forms';
import { F, type Values, type WizardFieldName } from './fields';

interface MappingStepProps {
  values: Values;
  errors: FieldErrors;
  onChange: (field: WizardFieldName, value: string) => void;
  onBrowseFolder: () => void;
  /** The preview's fields, to suggest names and flag ones the source lacks. */
  preview: SourcePreview | null;
}

const MAPPING = ['id_field', 'user_field', 'time_field'] as const;

export function MappingStep({ values, errors, onChange, onBrowseFolder, preview }: MappingStepProps) {
  /** The props every field of this step shares. */
  const props = (field: WizardFieldName): Pick<TextFieldProps, 'id' | 'field' | 'label' | 'value' | 'error' | 'onChange'> => ({
    id: F[field].input,
    field,
    label: F[field].label,
    value: values[field],
    error: errors[field],
    onChange: (v: string) => onChange(field, v),
  });
  const unknownField = (name: string) =>
    preview !== null && name.trim() !== '' && !preview.fields.includes(name.trim())
      ? 'Not among the fields of the first records.'
      : undefined;

  return (
    <section className="card wizard-step" aria-labelledby="step-mapping">
      <h2 id="step-mapping" className="step-title">
        <span className="step-number">2</span> Mapping and cut-off
      </h2>
      <datalist id="wizard-field-names">
        {(preview?.fields ?? []).map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <div className="field-row">
        {MAPPING.map((field) => (
          <TextField
            key={field}
            {...props(field)}
            list="wizard-field-names"
            code
            hint={unknownField(values[field]) ?? (field === 'time_field' ? 'Epoch seconds or RFC 3339' : undefined)}
          />
        ))}
      </div>
      <div className="field-row">
        <TextField
          {...props('as_of')}
          hint="RFC 3339. Consent, age and account status are judged at this instant."
          className="field-grow"
          inputClassName="input-instant"
          code
        />
        <DateField {...props('window_from')} hint="First day, inclusive (UTC)" />
        <DateField {...props('window_to')} hint="Last day, inclusive (UTC)" />
      </div>
      <div className="advanced">
        <h3 className="block-title">Advanced (optional)</h3>
        <div className="field-row">
          <TextField
            {...props('shard_bytes')}
            hint="Default 256 MiB"
            type="number"
            min={0}
            step="any"
            placeholder="256"
            inputClassName="input-number"
            suffix="MiB"
          />
          <TextField
            {...props('max_rejected_pct')}
            hint="Above this, nothing is sealed. Default 1%"
            type="number"
            min={0}
            max={100}
            step="any"
            placeholder="1"
            inputClassName="input-number"
            suffix="%"
          />
          <TextField
            {...props('out')}
            hint={
              <>
                Default: <code>&lt;store file&gt;.snapshots/deal-N/snapshot-N-&lt;time&gt;</code> beside the store. A
                folder you choose must be new or empty.
              </>
            }
            className="field-grow"
            code
            action={
              <button type="button" className="button" data-testid="wizard-out-browse" onClick={onBrowseFolder}>
                Browse…
              </button>
            }
          />
        </div>
      </div>
    </section>
  );
}
