import type { AuditEntry, ErrorBody } from '../bindings';
import { displayInstant } from '../domain/dates';
import { summarize } from '../domain/auditDiff';

/**
 * A deal's audit trail, newest first, with what each change did; `currency` is the deal's
 * (its payments and credit notes are in it).
 */
export function AuditHistory({
  entries,
  error,
  currency = null,
}: {
  entries: AuditEntry[] | undefined;
  error: ErrorBody | null;
  currency?: string | null;
}) {
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title" className="card-title">
        History
      </h2>
      {error && <p className="muted">The history could not be loaded: {error.message}</p>}
      {!entries && !error && <p className="muted">Loading…</p>}
      {entries && (
        <ol className="audit" data-testid="deal-audit">
          {[...entries].reverse().map((entry) => {
            const summary = summarize(entry, currency);
            return (
              <li key={entry.seq} className="audit-entry" data-testid="audit-entry">
                <div className="audit-head">
                  <span className="audit-title">{summary.title}</span>
                  <time className="audit-when" dateTime={entry.at} title={entry.at}>
                    {displayInstant(entry.at)}
                  </time>
                </div>
                <div className="audit-meta">
                  by <span className="actor">{entry.actor}</span> · <code>{entry.action}</code>
                </div>
                {summary.note && <div className="audit-note">{summary.note}</div>}
                {summary.changes.length > 0 && (
                  <ul className="audit-changes">
                    {summary.changes.map((c) => (
                      <li key={c.field}>
                        <span className="change-field">{c.label}</span>: <del>{c.before}</del> →{' '}
                        <ins>{c.after}</ins>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
