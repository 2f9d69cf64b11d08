import { useEffect, useRef, useState, type ReactNode } from 'react';

import type { BuildRequest, Deal, ErrorBody, Progress, SourcePreview } from '../bindings';
import { toErrorBody } from '../backend';
import { describedBy, Field } from '../components/Field';
import { PurposeChips } from '../components/PurposeChips';
import { StatusBadge } from '../components/StatusBadge';
import { Count } from '../components/Count';
import { useApp } from '../context';
import { isInstant, minuteInstant, parseDate } from '../domain/dates';
import { formatBytes, formatDuration, formatMegabytesPerSecond, perSecond } from '../domain/units';
import { placeErrors, type FieldErrors } from '../forms';
import { useResource } from '../hooks';
import { LineList } from './ImportCard';
import { canSnapshot } from './DealSnapshots';

/** The core's names for the request's fields, in the order the wizard shows them. */
const FIELDS = [
  'source',
  'format',
  'id_field',
  'user_field',
  'time_field',
  'as_of',
  'window_from',
  'window_to',
  'shard_bytes',
  'max_rejected_pct',
  'out',
] as const;

const INPUT_OF: Record<(typeof FIELDS)[number], string> = {
  source: 'wizard-source',
  format: 'wizard-format',
  id_field: 'wizard-id-field',
  user_field: 'wizard-user-field',
  time_field: 'wizard-time-field',
  as_of: 'wizard-as-of',
  window_from: 'wizard-window-from',
  window_to: 'wizard-window-to',
  shard_bytes: 'wizard-shard-mib',
  max_rejected_pct: 'wizard-max-rejected',
  out: 'wizard-out',
};

const MIB = 1024 * 1024;

interface Values {
  source: string;
  format: string;
  idField: string;
  userField: string;
  timeField: string;
  asOf: string;
  windowFrom: string;
  windowTo: string;
  shardMiB: string;
  maxRejected: string;
  out: string;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'building'; progress: Progress | null; cancelling: boolean }
  | { kind: 'cancelled' }
  | { kind: 'refused'; error: ErrorBody };

function optional(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}

/** The mistakes worth catching before the core is asked; it checks everything again. */
function check(v: Values): FieldErrors {
  const errors: FieldErrors = {};
  if (v.source.trim() === '') errors.source = 'Enter the path of the source file, or choose one with Browse…';
  if (v.idField.trim() === '') errors.id_field = 'Name the field that holds the record id.';
  if (v.userField.trim() === '') errors.user_field = 'Name the field that holds the author’s user id.';
  if (v.timeField.trim() === '') errors.time_field = 'Name the field that holds the creation time.';
  if (!isInstant(v.asOf)) errors.as_of = 'Use RFC 3339 with a zone, e.g. 2026-11-27T10:00:00Z.';
  const from = optional(v.windowFrom);
  const to = optional(v.windowTo);
  if (from !== null && parseDate(from) === null) errors.window_from = 'Use the form YYYY-MM-DD.';
  if (to !== null && parseDate(to) === null) errors.window_to = 'Use the form YYYY-MM-DD.';
  else if (from !== null && to !== null && parseDate(from) !== null && to < from)
    errors.window_to = 'The window ends before it starts.';
  const shard = optional(v.shardMiB);
  if (shard !== null && !(Number(shard) > 0)) errors.shard_bytes = 'Enter a size in MiB, e.g. 256.';
  const pct = optional(v.maxRejected);
  if (pct !== null && !(Number(pct) >= 0 && Number(pct) <= 100)) errors.max_rejected_pct = 'Enter a percentage from 0 to 100.';
  return errors;
}

function toRequest(dealId: number, v: Values): BuildRequest {
  const shard = optional(v.shardMiB);
  const pct = optional(v.maxRejected);
  return {
    deal_id: dealId,
    source: v.source.trim(),
    format: optional(v.format),
    id_field: v.idField.trim(),
    user_field: v.userField.trim(),
    time_field: v.timeField.trim(),
    as_of: v.asOf.trim(),
    window_from: optional(v.windowFrom),
    window_to: optional(v.windowTo),
    shard_bytes: shard === null ? null : Math.round(Number(shard) * MIB),
    out: optional(v.out),
    max_rejected_pct: pct === null ? null : Number(pct),
  };
}

/** Builds a snapshot of one source dataset for a deal: source, mapping and cut-off, build. */
export function SnapshotWizard({ dealId }: { dealId: number }) {
  const { backend, navigate } = useApp();
  const deal = useResource(() => backend.getDeal(dealId), [dealId]);

  const back = (
    <button
      type="button"
      className="back-link"
      data-testid="wizard-back"
      onClick={() => navigate({ screen: 'deal', id: dealId })}
    >
      ← {deal.data?.title ?? `Deal #${dealId}`}
    </button>
  );
  if (deal.error) {
    return (
      <section className="screen">
        {back}
        <div className="empty-state">
          <h2>{deal.error.code === 'not_found' ? `Deal #${dealId} does not exist` : 'This deal could not be loaded'}</h2>
          <p>{deal.error.message}</p>
        </div>
      </section>
    );
  }
  if (!deal.data) return <p className="loading">Loading…</p>;
  return <WizardBody deal={deal.data} back={back} />;
}

function WizardBody({ deal, back }: { deal: Deal; back: ReactNode }) {
  const { backend, navigate, reportError, clearError } = useApp();
  const [values, setValues] = useState<Values>(() => ({
    source: '',
    format: '',
    idField: 'id',
    userField: 'author',
    timeField: 'created_utc',
    asOf: minuteInstant(new Date()),
    windowFrom: '',
    windowTo: '',
    shardMiB: '',
    maxRejected: '',
    out: '',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<SourcePreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const form = useRef<HTMLFormElement>(null);
  const building = phase.kind === 'building';

  // Leaving the wizard while a build runs cancels it: nothing half-built is kept.
  const buildingNow = useRef(false);
  buildingNow.current = building;
  useEffect(
    () => () => {
      if (buildingNow.current) void backend.cancelBuild().catch(() => undefined);
    },
    [backend],
  );

  const set = (key: keyof Values, value: string, field: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const focusFirst = (found: FieldErrors) => {
    const field = FIELDS.find((f) => found[f] !== undefined);
    if (field) form.current?.querySelector<HTMLElement>(`#${INPUT_OF[field]}`)?.focus();
  };

  const browse = async (kind: 'source' | 'folder') => {
    try {
      const chosen = await backend.pickFile(kind);
      if (chosen === null) return;
      if (kind === 'source') {
        set('source', chosen, 'source');
        setPreview(null);
      } else {
        set('out', chosen, 'out');
      }
    } catch (error) {
      reportError(error);
    }
  };

  const loadPreview = async () => {
    if (values.source.trim() === '') {
      const found = { source: 'Enter the path of the source file, or choose one with Browse…' };
      setErrors((e) => ({ ...e, ...found }));
      focusFirst(found);
      return;
    }
    setPreviewing(true);
    try {
      const p = await backend.previewSource(values.source.trim(), optional(values.format));
      setPreview(p);
      setErrors((e) => ({ ...e, source: undefined, format: undefined }));
      clearError();
    } catch (error) {
      setPreview(null);
      const placed = placeErrors(error, ['source', 'format']);
      setErrors((e) => ({ ...e, ...placed.inline }));
      if (placed.banner) reportError(placed.banner);
    } finally {
      setPreviewing(false);
    }
  };

  const build = async () => {
    if (building) return;
    const found = check(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirst(found);
      return;
    }
    clearError();
    setPhase({ kind: 'building', progress: null, cancelling: false });
    try {
      const snapshot = await backend.buildSnapshot(toRequest(deal.id, values), (progress) =>
        setPhase((p) => (p.kind === 'building' ? { ...p, progress } : p)),
      );
      buildingNow.current = false;
      navigate({ screen: 'snapshot', id: snapshot.snapshot_id });
    } catch (error) {
      const body = toErrorBody(error);
      if (body.code === 'cancelled') {
        setPhase({ kind: 'cancelled' });
      } else if (body.lines.length > 0) {
        setPhase({ kind: 'refused', error: body });
      } else {
        setPhase({ kind: 'idle' });
        const placed = placeErrors(body, FIELDS);
        setErrors(placed.inline);
        if (placed.banner) reportError(placed.banner);
        focusFirst(placed.inline);
      }
    }
  };

  const cancel = async () => {
    setPhase((p) => (p.kind === 'building' ? { ...p, cancelling: true } : p));
    try {
      await backend.cancelBuild();
    } catch (error) {
      reportError(error);
    }
  };

  const allowed = canSnapshot(deal);
  const mapped = [
    { field: values.idField.trim(), role: 'id' },
    { field: values.userField.trim(), role: 'author' },
    { field: values.timeField.trim(), role: 'created at' },
  ];
  const unknownField = (name: string) =>
    preview !== null && name.trim() !== '' && !preview.fields.includes(name.trim())
      ? 'Not among the fields of the first records.'
      : undefined;

  return (
    <section className="screen" data-testid="snapshot-wizard" aria-labelledby="wizard-title">
      {back}
      <header className="detail-header">
        <div className="detail-heading">
          <h1 id="wizard-title">New snapshot</h1>
          <StatusBadge status={deal.status} />
        </div>
        <p className="screen-subtitle">
          {deal.title} · {deal.partner_name} · Deal #{deal.id}
        </p>
      </header>
      {!allowed && (
        <p className="notice" data-testid="wizard-not-allowed">
          Snapshots are built only for signed or active deals. This deal is {deal.status}
          {deal.status === 'draft' || deal.status === 'negotiating' ? ': sign the deal first.' : '.'}
        </p>
      )}

      <form ref={form} className="wizard" onSubmit={(e) => e.preventDefault()} noValidate>
        <fieldset className="wizard-fieldset" disabled={building}>
          <section className="card wizard-step" aria-labelledby="step-source">
            <h2 id="step-source" className="step-title">
              <span className="step-number">1</span> Source
            </h2>
            <div className="field-row">
              <Field id="wizard-source" field="source" label="Source file" error={errors.source} className="field-grow">
                <div className="path-input">
                  <input
                    {...describedBy('wizard-source', errors.source)}
                    type="text"
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="/data/posts-2026-10.jsonl"
                    value={values.source}
                    onChange={(e) => {
                      set('source', e.target.value, 'source');
                      setPreview(null);
                    }}
                  />
                  <button type="button" className="button" data-testid="wizard-browse" onClick={() => browse('source')}>
                    Browse…
                  </button>
                </div>
              </Field>
              <Field id="wizard-format" field="format" label="Format" error={errors.format} className="field-format">
                <select
                  {...describedBy('wizard-format', errors.format)}
                  value={values.format}
                  onChange={(e) => {
                    set('format', e.target.value, 'format');
                    setPreview(null);
                  }}
                >
                  <option value="">From the file name</option>
                  <option value="jsonl">JSON Lines</option>
                  <option value="csv">CSV</option>
                </select>
              </Field>
              <div className="field field-button">
                <button
                  type="button"
                  className="button"
                  data-testid="wizard-preview"
                  onClick={loadPreview}
                  disabled={previewing}
                >
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
              <MappingField
                id="wizard-id-field"
                field="id_field"
                label="Record id field"
                value={values.idField}
                error={errors.id_field}
                warning={unknownField(values.idField)}
                onChange={(v) => set('idField', v, 'id_field')}
              />
              <MappingField
                id="wizard-user-field"
                field="user_field"
                label="Author field"
                value={values.userField}
                error={errors.user_field}
                warning={unknownField(values.userField)}
                onChange={(v) => set('userField', v, 'user_field')}
              />
              <MappingField
                id="wizard-time-field"
                field="time_field"
                label="Created-at field"
                value={values.timeField}
                error={errors.time_field}
                warning={unknownField(values.timeField) ?? 'Epoch seconds or RFC 3339'}
                onChange={(v) => set('timeField', v, 'time_field')}
              />
            </div>
            <div className="field-row">
              <Field
                id="wizard-as-of"
                field="as_of"
                label="As of (cut-off)"
                error={errors.as_of}
                hint="RFC 3339. Consent, age and account status are judged at this instant."
                className="field-grow"
              >
                <input
                  {...describedBy('wizard-as-of', errors.as_of, true)}
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  className="input-instant"
                  value={values.asOf}
                  onChange={(e) => set('asOf', e.target.value, 'as_of')}
                />
              </Field>
              <Field
                id="wizard-window-from"
                field="window_from"
                label="Content from (optional)"
                error={errors.window_from}
                hint="First day, inclusive (UTC)"
              >
                <input
                  {...describedBy('wizard-window-from', errors.window_from, true)}
                  type="text"
                  inputMode="numeric"
                  placeholder="YYYY-MM-DD"
                  autoComplete="off"
                  className="input-date"
                  value={values.windowFrom}
                  onChange={(e) => set('windowFrom', e.target.value, 'window_from')}
                />
              </Field>
              <Field
                id="wizard-window-to"
                field="window_to"
                label="Content to (optional)"
                error={errors.window_to}
                hint="Last day, inclusive (UTC)"
              >
                <input
                  {...describedBy('wizard-window-to', errors.window_to, true)}
                  type="text"
                  inputMode="numeric"
                  placeholder="YYYY-MM-DD"
                  autoComplete="off"
                  className="input-date"
                  value={values.windowTo}
                  onChange={(e) => set('windowTo', e.target.value, 'window_to')}
                />
              </Field>
            </div>
            <div className="advanced">
              <h3 className="block-title">Advanced (optional)</h3>
              <div className="field-row">
                <Field
                  id="wizard-shard-mib"
                  field="shard_bytes"
                  label="Shard size"
                  error={errors.shard_bytes}
                  hint="Default 256 MiB"
                >
                  <span className="input-suffix">
                    <input
                      {...describedBy('wizard-shard-mib', errors.shard_bytes, true)}
                      type="number"
                      min={0}
                      step="any"
                      placeholder="256"
                      className="input-number"
                      value={values.shardMiB}
                      onChange={(e) => set('shardMiB', e.target.value, 'shard_bytes')}
                    />
                    <span aria-hidden="true">MiB</span>
                  </span>
                </Field>
                <Field
                  id="wizard-max-rejected"
                  field="max_rejected_pct"
                  label="Max. rejected lines"
                  error={errors.max_rejected_pct}
                  hint="Above this, nothing is sealed. Default 1%"
                >
                  <span className="input-suffix">
                    <input
                      {...describedBy('wizard-max-rejected', errors.max_rejected_pct, true)}
                      type="number"
                      min={0}
                      max={100}
                      step="any"
                      placeholder="1"
                      className="input-number"
                      value={values.maxRejected}
                      onChange={(e) => set('maxRejected', e.target.value, 'max_rejected_pct')}
                    />
                    <span aria-hidden="true">%</span>
                  </span>
                </Field>
                <Field
                  id="wizard-out"
                  field="out"
                  label="Output folder"
                  error={errors.out}
                  hint={
                    <>
                      Default: <code>&lt;store file&gt;.snapshots/deal-N/snapshot-N-&lt;time&gt;</code> beside the store. A
                      folder you choose must be new or empty.
                    </>
                  }
                  className="field-grow"
                >
                  <div className="path-input">
                    <input
                      {...describedBy('wizard-out', errors.out, true)}
                      type="text"
                      autoComplete="off"
                      spellCheck={false}
                      value={values.out}
                      onChange={(e) => set('out', e.target.value, 'out')}
                    />
                    <button type="button" className="button" data-testid="wizard-out-browse" onClick={() => browse('folder')}>
                      Browse…
                    </button>
                  </div>
                </Field>
              </div>
            </div>
          </section>
        </fieldset>

        <section className="card wizard-step" aria-labelledby="step-build">
          <h2 id="step-build" className="step-title">
            <span className="step-number">3</span> Build
          </h2>
          <p className="step-hint">
            Each record is included only if its author passes for every purpose the deal permits:{' '}
            <PurposeChips purposes={deal.purposes} />
          </p>
          {phase.kind === 'building' ? (
            <BuildProgress progress={phase.progress} cancelling={phase.cancelling} onCancel={cancel} />
          ) : (
            <div className="build-actions">
              <button
                type="button"
                className="button button-primary button-large"
                data-testid="wizard-build"
                disabled={!allowed}
                onClick={build}
              >
                Build snapshot
              </button>
              {phase.kind === 'cancelled' && (
                <p className="build-cancelled" data-testid="wizard-cancelled" role="status">
                  Cancelled; nothing was kept.
                </p>
              )}
            </div>
          )}
          {phase.kind === 'refused' && (
            <div className="outcome outcome-bad" role="alert" data-testid="wizard-refused">
              <p className="outcome-title">Not sealed: nothing was kept.</p>
              <p className="outcome-note">{phase.error.message}</p>
              <LineList lines={phase.error.lines} testId="wizard-errors" />
            </div>
          )}
        </section>
      </form>
    </section>
  );
}

interface MappingFieldProps {
  id: string;
  field: string;
  label: string;
  value: string;
  error?: string;
  warning?: string;
  onChange: (value: string) => void;
}

function MappingField({ id, field, label, value, error, warning, onChange }: MappingFieldProps) {
  return (
    <Field id={id} field={field} label={label} error={error} hint={warning}>
      <input
        {...describedBy(id, error, warning !== undefined)}
        type="text"
        list="wizard-field-names"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function PreviewTable({ preview, mapped }: { preview: SourcePreview; mapped: { field: string; role: string }[] }) {
  const roleOf = (f: string) => mapped.find((m) => m.field === f)?.role;
  return (
    <div className="preview">
      <p className="preview-meta">
        {preview.format === 'csv' ? 'CSV' : 'JSON Lines'} · {formatBytes(preview.bytes)} · the first{' '}
        {preview.lines.length} records. Highlighted: the mapped fields.
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

function BuildProgress({
  progress,
  cancelling,
  onCancel,
}: {
  progress: Progress | null;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const total = progress?.bytes_total ?? 0;
  const read = progress?.bytes_read ?? 0;
  const pct = total > 0 ? Math.min(100, Math.floor((read / total) * 100)) : 0;
  const elapsed = progress?.elapsed_ms ?? 0;
  const rate = elapsed > 0 ? read / elapsed : 0; // bytes per ms
  const eta = rate > 0 ? (total - read) / rate : null;
  return (
    <div className="build-progress" data-testid="wizard-progress" aria-live="polite">
      <div className="progress-head">
        <span className="progress-pct">{progress ? `${pct}%` : 'Starting…'}</span>
        {progress && (
          <span className="muted">
            {formatBytes(read)} of {formatBytes(total)}
          </span>
        )}
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Build progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <span className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-foot">
        <dl className="progress-stats">
          <div>
            <dt>Speed</dt>
            <dd data-testid="progress-mbps">{formatMegabytesPerSecond(read, elapsed)}</dd>
          </div>
          <div>
            <dt>Records/s</dt>
            <dd>
              <Count value={perSecond(progress?.records ?? 0, elapsed)} testId="progress-rps" />
            </dd>
          </div>
          <div>
            <dt>Records</dt>
            <dd>
              <Count value={progress?.records ?? 0} testId="progress-records" />
            </dd>
          </div>
          <div>
            <dt>Included so far</dt>
            <dd>
              <Count value={progress?.included ?? 0} testId="progress-included" />
            </dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd data-testid="progress-eta">{eta === null ? '—' : `about ${formatDuration(eta)}`}</dd>
          </div>
        </dl>
        <button
          type="button"
          className="button button-danger-outline"
          data-testid="wizard-cancel"
          onClick={onCancel}
          disabled={cancelling}
        >
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
