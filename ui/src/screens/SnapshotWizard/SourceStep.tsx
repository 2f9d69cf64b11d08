//! Step 1: the source file (typed or picked), its format, and a preview of its first
//! records with the mapped fields highlighted.

import type { SourcePreview } from '../../bindings';
import { describedBy, Field, TextField } from '../../components/Field';
import { formatBytes } from '../../domain/units';
import type { FieldErrors } from '../../forms';
import { F, type Values } from './fields';

interface SourceStepProps {
  values: Values;
  errors: FieldErrors;
  /** Changes the source or the format (either makes the preview stale). */
  onChange: (field: 'source' | 'format', value: string) => void;
  onBrowse: () => void;
  onPreview: () => void;
  previewing: boolean;
  preview: SourcePreview | null;
  /** The fields the mapping names, with the role each plays. */
  mapped: { field: string; role: string }[];
}

export function SourceStep({ values, errors, onChange, onBrowse, onPreview, previewing, preview, mapped }: SourceStepProps) {
  return (
    <section className="card wizard-step" aria-labelledby="step-source">
      <h2 id="step-source" className="step-title">
        <span className="step-number">1</span> Source
      </h2>
      <div className="field-row">
        <TextField
          id={F.source.input}
          field="source"
          label={F.source.label}
          value={values.source}
          error={errors.source}
          className="field-grow"
          code
          placeholder="/data/posts-2026-10.jsonl"
          onChange={(v) => onChange('source', v)}
          action={
            <button type="button" className="button" data-testid="wizard-browse" onClick={onBrowse}>
              Browse…
            </button>
          }
        />
        <Field id={F.format.input} field="format" label={F.format.label} error={errors.format} className="field-format">
          <select
            {...describedBy(F.format.input, errors.format)}
            value={values.format}
            onChange={(e) => onChange('format', e.target.value)}
          >
            <option value="">From the file name</option>
            <option value="jsonl">JSON Lines</option>
            <option value="csv">CSV</option>
          </select>
        </Field>
        <div className="field field-button">
          <button type="button" className="button" data-testid="wizard-preview" onClick={onPreview} disabled={previewing}>
            {previewing ? 'Reading…' : 'Preview'}
          </button>
        </div>
      </div>
      {preview ? (
        <PreviewTable preview={preview} mapped={mapped} />
      ) : (
        <p className="muted step-hint">Preview the first records to check which fields hold the id, the author and the time.</p>
      )}
    </section>
  );
}

function PreviewTable({ preview, mapped }: { preview: SourcePreview; mapped: { field: string; role: string }[] }) {
  const roleOf = (f: string) => mapped.find((m) => m.field === f)?.role;
  return (
    <div className="preview">
      <p className="preview-meta">
        {preview.format === 'csv' ? 'CSV' : 'JSON Lines'}
        {preview.compression !== 'none' && (
          <span data-testid="wizard-preview-compression">, {preview.compression}-compressed</span>
        )}{' '}
        · {formatBytes(preview.bytes)} · the first {preview.lines.length} records. Highlighted: the mapped fields.
      </p>
      <div className="table-wrap preview-wrap">
        <table className="table table-compact" data-testid="wizard-preview-table">
          <thead>
            <tr>
              <th scope="col" className="numeric">
                Line
              </th>
              {preview.fields.map((f) => {
                const role = roleOf(f);
                return (
                  <th key={f} scope="col" className={role ? 'col-mapped' : undefined} data-testid={`preview-field-${f}`}>
                    {f}
                    {role && role !== f && <span className="mapped-tag">{role}</span>}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {preview.lines.map((line) => (
              <tr key={line.line}>
                <td className="numeric muted">{line.line}</td>
                {line.error !== null ? (
                  <td colSpan={Math.max(1, preview.fields.length)} className="preview-error">
                    {line.error}
                  </td>
                ) : (
                  preview.fields.map((f) => (
                    <td key={f} className={roleOf(f) ? 'col-mapped preview-cell' : 'preview-cell'} title={line.values[f]}>
                      {line.values[f] ?? <span className="muted">—</span>}
                    </td>
                  ))
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
