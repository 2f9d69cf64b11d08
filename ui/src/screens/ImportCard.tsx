import { useState, type FormEvent } from 'react';

import type { ErrorBody, ImportReport } from '../bindings';
import { toErrorBody } from '../backend';
import { Count } from '../components/Count';
import { TextField } from '../components/Field';
import { useApp } from '../context';
import { formatCount } from '../domain/units';
import { useImport, type ImportKind } from '../queries/consent';
import { useBrowse } from '../components/useBrowse';
import { useJobs, type Job } from '../jobs';

export type { ImportKind };

/** The latest import on the screen: its report, or the file's bad lines if it was refused. */
export type ImportOutcome =
  | { kind: ImportKind; report: ImportReport }
  | { kind: ImportKind; refused: ErrorBody };

/** Errors about the file itself, shown under its path rather than in the banner. */
const FILE_FIELDS = ['file', 'format', 'path'];

interface ImportCardProps {
  kind: ImportKind;
  title: string;
  columns: string;
}

/** The job key of an import. */
const importKey = (kind: ImportKind) => `import:${kind}`;

/** What the card's last import came to: its report, or the file's bad lines. */
function outcomeOf(kind: ImportKind, job: Job | undefined): ImportOutcome | null {
  if (job?.status === 'done') return { kind, report: job.value as ImportReport };
  if (job?.status === 'failed' && job.error && job.error.lines.length > 0) return { kind, refused: job.error };
  return null;
}

/**
 * One file import: a path (typed or picked), "skip invalid rows", and what came of it.
 * The import is a job of the app: it goes on if the user leaves the screen, shows in the
 * jobs indicator, and its outcome is here when they come back.
 */
export function ImportCard({ kind, title, columns }: ImportCardProps) {
  const { backend, reportError, clearError } = useApp();
  const jobs = useJobs();
  const job = jobs.find(importKey(kind));
  const [path, setPath] = useState(() => (typeof job?.input === 'string' ? job.input : ''));
  const [skip, setSkip] = useState(false);
  const run = useImport(kind);
  const busy = job?.status === 'running';
  const outcome = outcomeOf(kind, job);
  const [pathError, setPathError] = useState<string | undefined>(undefined);
  const id = `import-${kind}`;

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
    try {
      await jobs.start({
        key: importKey(kind),
        kind: 'import',
        title: `${kind === 'registry' ? 'Registry' : 'Ledger'} import of ${baseName(file)}`,
        input: file,
        run: () => run.mutateAsync({ path: file, options: { skip_invalid: skip, format: null } }),
        done: (report: ImportReport) => ({
          result: { screen: 'consent' },
          outcome: `${formatCount(report.rows_read)} rows read: ${formatCount(report.added)} added, ${formatCount(report.changed)} changed.`,
        }),
      });
      clearError();
    } catch (error) {
      const body = toErrorBody(error);
      const fileFields = body.fields.filter((f) => FILE_FIELDS.includes(f.field));
      if (body.lines.length > 0) {
        clearError();
      } else if (body.code === 'io') {
        setPathError(body.message);
      } else if (fileFields.length > 0 && fileFields.length === body.fields.length) {
        setPathError(fileFields.map((f) => f.message).join('; '));
      } else {
        reportError(body);
      }
    }
  };

  const mine = outcome;

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
          error={pathError}
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
      {mine && 'report' in mine && <ImportResult report={mine.report} />}
      {mine && 'refused' in mine && <ImportRefused error={mine.refused} />}
    </section>
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

function ImportRefused({ error }: { error: ErrorBody }) {
  return (
    <div className="outcome outcome-bad" role="alert">
      <p className="outcome-title">The file was refused; nothing was imported.</p>
      <p className="outcome-note">
        Fix {error.lines.length === 1 ? 'this line' : 'these lines'}, or tick “Skip invalid rows” to import the
        rest.{error.lines.length >= 100 && ' Only the first 100 bad lines are listed.'}
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
