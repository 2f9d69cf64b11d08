import { useState, type FormEvent } from 'react';

import type { ErrorBody, FileFormat, ImportProgress, ImportReport } from '../bindings';
import { toErrorBody } from '../backend';
import { Count } from '../components/Count';
import { TextField } from '../components/Field';
import { ProgressFill } from '../components/ProgressFill';
import { useApp } from '../context';
import { formatBytes, formatCount } from '../domain/units';
import { useImport, type ImportKind } from '../queries/consent';
import { useBrowse } from '../components/useBrowse';
import { useJobs, type Job } from '../jobs';

export type { ImportKind };

/** The latest import on the screen: its report, or the file's bad lines if it was refused. */
export type ImportOutcome =
  | { kind: ImportKind; report: ImportReport }
  | { kind: ImportKind; refused: ErrorBody }
  | { kind: ImportKind; cancelled: true };

/** Errors about the file itself, shown under its path rather than in the banner. */
const FILE_FIELDS = ['file', 'format', 'path'];

interface ImportCardProps {
  kind: ImportKind;
  title: string;
  columns: string;
}

/** What the card's form held when its import started: the job's input. */
interface ImportInput {
  path: string;
  format: FileFormat | null;
}

/** The job key of an import. */
const importKey = (kind: ImportKind) => `import:${kind}`;

/** What the card's last import came to: its report, the file's bad lines, or a cancel. */
function outcomeOf(kind: ImportKind, job: Job | undefined): ImportOutcome | null {
  if (job?.status === 'done') return { kind, report: job.value as ImportReport };
  if (job?.status === 'cancelled') return { kind, cancelled: true };
  if (job?.status === 'failed' && job.error && job.error.lines.length > 0) return { kind, refused: job.error };
  return null;
}

/**
 * What to say under the file field about a refusal, in the UI's words: the core's
 * messages are shared with the CLI, whose words name its flags, so the format refusal
 * is mapped by its field, never by its text. Undefined when the refusal is not about
 * the file (it goes to the banner) or lists bad lines (shown below the form).
 */
export function fileError(error: ErrorBody): string | undefined {
  if (error.lines.length > 0) return undefined;
  if (error.code === 'io') return error.message;
  const fileFields = error.fields.filter((f) => FILE_FIELDS.includes(f.field));
  if (fileFields.length === 0 || fileFields.length !== error.fields.length) return undefined;
  return fileFields
    .map((f) =>
      f.field === 'format'
        ? 'Cannot tell the format from the file name (it ends neither in .csv nor in .jsonl): choose the format.'
        : f.message,
    )
    .join('; ');
}

/** 0 to 1: the share of the file read, then of the good rows written. */
export function importFraction(p: ImportProgress): number | null {
  if (p.phase === 'writing') {
    const good = p.rows_read - p.bad_rows;
    return good > 0 ? Math.min(1, p.rows_written / good) : 1;
  }
  if (p.phase === 'checking') return 1;
  return p.bytes_total > 0 ? Math.min(1, p.bytes_read / p.bytes_total) : null;
}

/** "312 MiB of 755 MiB · 1 200 000 rows", or where writing stands. */
export function importDetail(p: ImportProgress): string {
  const rows = `${formatCount(p.rows_read)} ${p.rows_read === 1 ? 'row' : 'rows'}`;
  const bad = p.bad_rows > 0 ? ` (${formatCount(p.bad_rows)} bad)` : '';
  const read = p.bytes_total > 0 ? `${formatBytes(p.bytes_read)} of ${formatBytes(p.bytes_total)}` : formatBytes(p.bytes_read);
  switch (p.phase) {
    case 'reading':
      return `${read} · ${rows}${bad}`;
    case 'checking':
      return `${rows} read${bad} · waiting to write`;
    case 'writing':
      return `Writing ${formatCount(p.rows_written)} of ${formatCount(p.rows_read - p.bad_rows)} rows`;
  }
}

/** How a refused or failed import ended, in the jobs indicator. */
function failedOutcome(kind: ImportKind, error: ErrorBody): string {
  if (error.lines.length > 0) {
    return allBad(error) ? `Refused: this does not look like a ${kind} file.` : 'Refused for its bad rows; nothing was imported.';
  }
  return fileError(error) ?? error.message;
}

/** Whether every row of a refused file is bad (then skipping them would import nothing). */
function allBad(error: ErrorBody): boolean {
  return error.rows_read !== undefined && error.rows_read === (error.lines_total ?? error.lines.length);
}

/**
 * One file import: a path (typed or picked), its format, "skip invalid rows", the
 * progress while it runs (with Cancel), and what came of it. The import is a job of
 * the app: it goes on if the user leaves the screen, shows in the jobs indicator, and
 * its outcome (or refusal) is here when they come back.
 */
export function ImportCard({ kind, title, columns }: ImportCardProps) {
  const { backend, reportError, clearError } = useApp();
  const jobs = useJobs();
  const job = jobs.find(importKey(kind));
  const started = job?.input as ImportInput | undefined;
  const [path, setPath] = useState(() => started?.path ?? '');
  const [format, setFormat] = useState<FileFormat | null>(() => started?.format ?? null);
  const [skip, setSkip] = useState(false);
  const run = useImport(kind);
  const busy = job?.status === 'running';
  const outcome = outcomeOf(kind, job);
  const [pathError, setPathError] = useState<string | undefined>(undefined);
  const id = `import-${kind}`;
  // A refusal about the file stays under it while the field holds that file, also
  // after the user left the screen and came back.
  const jobFileError =
    job?.status === 'failed' && job.error && started?.path === path.trim() ? fileError(job.error) : undefined;

  const browseFor = useBrowse();
  const browse = () =>
    browseFor(() => backend.pickFile(kind), (chosen) => {
      setPath(chosen);
      setPathError(undefined);
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (path.trim() === '') {
      setPathError('Enter the path of a CSV or JSON Lines file, or choose one with Browse…');
      return;
    }
    setPathError(undefined);
    const file = path.trim();
    const input: ImportInput = { path: file, format };
    try {
      await jobs.start({
        key: importKey(kind),
        kind: 'import',
        title: `${kind === 'registry' ? 'Registry' : 'Ledger'} import of ${baseName(file)}`,
        input,
        cancel: () => backend.cancelImport(kind),
        run: (report) =>
          run.mutateAsync({
            path: file,
            options: { skip_invalid: skip, format },
            onProgress: (p) => report(p, importFraction(p), importDetail(p)),
          }),
        done: (report: ImportReport) => ({
          result: { screen: 'consent' },
          outcome: `${formatCount(report.rows_read)} rows read: ${formatCount(report.added)} added, ${formatCount(report.changed)} changed.`,
        }),
        failed: (error) => failedOutcome(kind, error),
      });
      clearError();
    } catch (error) {
      const body = toErrorBody(error);
      if (body.lines.length > 0 || body.code === 'cancelled' || fileError(body) !== undefined) {
        clearError();
      } else {
        reportError(body);
      }
    }
  };

  const progress = busy ? (job?.progress as ImportProgress | null) : null;

  return (
    <section className="card import-card" aria-labelledby={`${id}-title`} aria-busy={busy}>
      <h2 id={`${id}-title`} className="card-title">
        {title}
      </h2>
      <p className="card-intro">
        CSV or JSON Lines with <code>{columns}</code>. Rows already known are counted, not duplicated.
      </p>
      <form className="form import-form" onSubmit={submit} noValidate>
        <TextField
          id={`${id}-path`}
          field={`${id}-path`}
          label="File"
          error={pathError ?? jobFileError}
          code
          placeholder={kind === 'registry' ? '/data/registry.csv' : '/data/consent-ledger.jsonl'}
          value={path}
          disabled={busy}
          onChange={(v) => {
            setPath(v);
            setPathError(undefined);
          }}
          action={
            <button type="button" className="button" data-testid={`${id}-browse`} onClick={browse} disabled={busy}>
              Browse…
            </button>
          }
        />
        <div className="import-actions">
          <div className="import-options">
            <label className="import-format">
              Format{' '}
              <select
                data-testid={`${id}-format`}
                value={format ?? ''}
                disabled={busy}
                onChange={(e) => setFormat(e.target.value === '' ? null : (e.target.value as FileFormat))}
              >
                <option value="">From the file name</option>
                <option value="csv">CSV</option>
                <option value="jsonl">JSON Lines</option>
              </select>
            </label>
            <div className="check">
              <input
                id={`${id}-skip`}
                data-testid={`${id}-skip`}
                type="checkbox"
                checked={skip}
                disabled={busy}
                onChange={(e) => setSkip(e.target.checked)}
              />
              <label htmlFor={`${id}-skip`}>Skip invalid rows</label>
            </div>
          </div>
          <button type="submit" className="button button-primary" data-testid={`${id}-submit`} disabled={busy}>
            {busy ? (
              <>
                <span className="spinner" aria-hidden="true" /> Importing…
              </>
            ) : (
              'Import'
            )}
          </button>
        </div>
      </form>
      {busy && job && (
        <ImportProgressBar
          id={id}
          progress={progress}
          cancelling={job.cancelling}
          onCancel={() => jobs.cancel(job.id)}
        />
      )}
      {outcome && 'report' in outcome && <ImportResult report={outcome.report} />}
      {outcome && 'refused' in outcome && <ImportRefused kind={kind} error={outcome.refused} />}
      {outcome && 'cancelled' in outcome && (
        <div className="outcome" role="status" data-testid={`${id}-cancelled`}>
          <p className="outcome-title">Cancelled; nothing was imported.</p>
        </div>
      )}
    </section>
  );
}

/** The running import: how much of the file is read (then written), and Cancel. */
function ImportProgressBar({
  id,
  progress,
  cancelling,
  onCancel,
}: {
  id: string;
  progress: ImportProgress | null;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const fraction = progress ? importFraction(progress) : null;
  const pct = fraction === null ? null : Math.floor(fraction * 100);
  return (
    <div className="import-progress" data-testid={`${id}-progress`} aria-live="polite">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
      >
        <ProgressFill percent={pct ?? 0} />
      </div>
      <div className="progress-foot">
        <span className="muted" data-testid={`${id}-progress-detail`}>
          {cancelling ? 'Cancelling…' : progress ? importDetail(progress) : 'Starting…'}
        </span>
        <button
          type="button"
          className="button button-danger-outline"
          data-testid={`${id}-cancel`}
          onClick={onCancel}
          disabled={cancelling}
        >
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}

function ImportResult({ report }: { report: ImportReport }) {
  const stats: [string, string, number][] = [
    ['rows_read', 'Rows read', report.rows_read],
    ['added', 'Added', report.added],
    ['changed', 'Changed', report.changed],
    ['unchanged', 'Unchanged', report.unchanged],
    ['skipped', 'Skipped', report.skipped],
    ['rows_per_second', 'Rows/s', report.rows_per_second],
  ];
  return (
    <div className="outcome outcome-ok" data-testid="import-result" role="status">
      <p className="outcome-title">
        Imported <span className="path-text" title={report.file}>{baseName(report.file)}</span>
      </p>
      <dl className="stats">
        {stats.map(([key, label, value]) => (
          <div key={key} className={key === 'skipped' && value > 0 ? 'stat stat-warn' : 'stat'}>
            <dt>{label}</dt>
            <dd>
              <Count value={value} testId={`import-${key}`} />
            </dd>
          </div>
        ))}
      </dl>
      {report.skipped_lines.length > 0 && (
        <>
          <p className="outcome-note">
            {report.skipped > report.skipped_lines.length
              ? `The first ${report.skipped_lines.length} of ${formatCount(report.skipped)} skipped lines:`
              : 'Skipped lines:'}
          </p>
          <LineList lines={report.skipped_lines} testId="import-skipped-lines" />
        </>
      )}
    </div>
  );
}

function ImportRefused({ kind, error }: { kind: ImportKind; error: ErrorBody }) {
  const listed = error.lines.length;
  const bad = error.lines_total ?? listed;
  const rows = error.rows_read;
  const first = listed < bad ? ` The first ${formatCount(listed)}:` : '';
  let note: string;
  if (rows === undefined) {
    // A line that cannot be a row at all (too long): skipping it would not help.
    note = `Fix ${listed === 1 ? 'this line' : 'these lines'}, or check that it is the file you meant.`;
  } else if (bad === rows) {
    note = `None of its ${formatCount(rows)} ${rows === 1 ? 'row is' : 'rows are'} a valid ${kind} row: this does not look like a ${kind} file. Check that it is the file you meant.${first}`;
  } else {
    note = `${formatCount(bad)} of ${formatCount(rows)} rows are bad. Fix them, or tick “Skip invalid rows” to import the other ${formatCount(rows - bad)}.${first}`;
  }
  return (
    <div className="outcome outcome-bad" role="alert" data-testid="import-refused">
      <p className="outcome-title">The file was refused; nothing was imported.</p>
      <p className="outcome-note" data-testid="import-refused-note">
        {note}
      </p>
      <LineList lines={error.lines} testId="import-errors" />
    </div>
  );
}

export function LineList({ lines, testId }: { lines: { line: number; message: string }[]; testId: string }) {
  return (
    <ul className="line-list" data-testid={testId}>
      {lines.map((l, i) => (
        <li key={`${l.line}-${i}`}>
          <span className="line-no">line {l.line}:</span> {l.message}
        </li>
      ))}
    </ul>
  );
}

/** The last part of a path, for a compact label; the full path goes in the title. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
