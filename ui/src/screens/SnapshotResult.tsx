import type { Snapshot } from '../bindings';
import { BarChart } from '../components/BarChart';
import { PurposeChips } from '../components/PurposeChips';
import { Copyable } from '../components/Copyable';
import { Count } from '../components/Count';
import { useApp } from '../context';
import { displayDate, displayInstant } from '../domain/dates';
import { REASONS, reasonCounts, reasonLabel } from '../domain/reasons';
import { formatBytes, formatCount, formatDuration, formatShare } from '../domain/units';
import { useDeal } from '../queries/deals';
import { useSnapshot, useVerifySnapshot } from '../queries/snapshots';
import { LineList } from './ImportCard';

const DESCRIPTIONS = new Map(REASONS.map((r) => [r.token, r.description]));

/** A sealed snapshot: what went in, what was left out and why, and the files it wrote. */
export function SnapshotResult({ id }: { id: number }) {
  const { navigate } = useApp();
  const snapshot = useSnapshot(id);
  const s = snapshot.data;
  const deal = useDeal(s?.deal_id);

  if (snapshot.error && !s) {
    return (
      <section className="screen">
        <button type="button" className="back-link" onClick={() => navigate({ screen: 'deals' })}>
          ← Deals
        </button>
        <div className="empty-state">
          <h2>{snapshot.error.code === 'not_found' ? `Snapshot #${id} does not exist` : 'This snapshot could not be loaded'}</h2>
          <p>{snapshot.error.message}</p>
        </div>
      </section>
    );
  }
  if (!s) return <p className="loading">Loading…</p>;

  return (
    <section className="screen" data-testid="snapshot-result" aria-labelledby="snapshot-title">
      <button
        type="button"
        className="back-link"
        data-testid="snapshot-back"
        onClick={() => navigate({ screen: 'deal', id: s.deal_id })}
      >
        ← {deal.data?.title ?? `Deal #${s.deal_id}`}
      </button>
      <header className="detail-header">
        <div className="detail-heading">
          <h1 id="snapshot-title">Snapshot #{s.snapshot_id}</h1>
          <span className={s.sealed ? 'badge badge-active' : 'badge badge-draft'}>{s.sealed ? 'sealed' : 'not sealed'}</span>
        </div>
        <p className="screen-subtitle">
          {deal.data ? `${deal.data.title} · ${deal.data.partner_name}` : `Deal #${s.deal_id}`} · as of{' '}
          <span className="nowrap">{s.as_of}</span>
        </p>
      </header>

      <div className="metrics">
        <Metric label="Records in" value={s.records_in} testId="count-records_in" />
        <Metric
          label="Included"
          value={s.records_included}
          testId="count-included"
          note={formatShare(s.records_included, s.records_in)}
          tone="good"
        />
        <Metric label="Excluded" value={s.records_in - s.records_included} note={formatShare(s.records_in - s.records_included, s.records_in)} />
        <Metric label="Included users" value={s.included_users} />
      </div>

      <div className="detail-grid">
        <section className="card" aria-labelledby="counts-title">
          <h2 id="counts-title" className="card-title">
            Records by outcome
          </h2>
          <Counts snapshot={s} />
          {s.rejected_lines.length > 0 && (
            <div className="rejected">
              <h3 className="block-title">
                Rejected lines
                {s.rejected > s.rejected_lines.length && (
                  <span className="muted"> (the first {s.rejected_lines.length} of {formatCount(s.rejected)})</span>
                )}
              </h3>
              <LineList lines={s.rejected_lines} testId="snapshot-rejected" />
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="cutoff-title">
          <h2 id="cutoff-title" className="card-title">
            Cut-off and checks
          </h2>
          <CutOff snapshot={s} />
        </section>
      </div>

      <section className="card" aria-labelledby="provenance-title">
        <h2 id="provenance-title" className="card-title">
          Provenance
        </h2>
        <Provenance snapshot={s} />
      </section>

      <Shards snapshot={s} />
    </section>
  );
}

function Metric({
  label,
  value,
  testId,
  note,
  tone,
}: {
  label: string;
  value: number;
  testId?: string;
  note?: string;
  tone?: 'good';
}) {
  return (
    <div className={`metric ${tone ? `metric-${tone}` : ''}`}>
      <span className="metric-label">{label}</span>
      <span className="metric-value">
        <Count value={value} testId={testId} />
        {note && <span className="metric-note">{note}</span>}
      </span>
    </div>
  );
}

function Counts({ snapshot: s }: { snapshot: Snapshot }) {
  const reasons = reasonCounts(s.excluded);
  const max = Math.max(s.records_included, ...reasons.map((r) => r.count), 1);
  return (
    <div className="snapshot-counts" data-testid="snapshot-counts">
      <BarChart
        wide
        max={max}
        groups={[
          [
            {
              key: 'included',
              label: 'Included',
              value: s.records_included,
              tone: 'good',
              note: formatShare(s.records_included, s.records_in),
              title: `Included: ${formatCount(s.records_included)}`,
            },
          ],
          reasons.map((r) => ({
            key: r.token,
            label: reasonLabel(r.token),
            labelTitle: `${r.token}: ${DESCRIPTIONS.get(r.token) ?? ''}`,
            value: r.count,
            tone: r.count === 0 ? 'neutral' : 'bad',
            testId: `count-${r.token}`,
            note: r.count > 0 ? formatShare(r.count, s.records_in) : undefined,
            title: `${reasonLabel(r.token)}: ${formatCount(r.count)}`,
          })),
        ]}
      />
      {s.held_back_by_gate > 0 && (
        <p className="block-note" data-testid="snapshot-held-back">
          Of the records without consent, <Count value={s.held_back_by_gate} testId="count-held_back_by_gate" />{' '}
          {s.held_back_by_gate === 1 ? 'is' : 'are'} held back by the policy&rsquo;s opt-out gate: only the opt-out
          default would include them, and they were created before users could opt out, or the notice period had not
          ended at the cut-off.
        </p>
      )}
    </div>
  );
}

function CutOff({ snapshot: s }: { snapshot: Snapshot }) {
  const { reportError } = useApp();
  const { verify: verifier, last } = useVerifySnapshot(s.snapshot_id);
  const report = last?.report ?? null;
  const verifying = verifier.isPending;
  const verify = async () => {
    try {
      await verifier.mutateAsync();
    } catch (error) {
      reportError(error);
    }
  };
  const shards = s.shards.length;
  const files = `${shards} ${shards === 1 ? 'shard' : 'shards'} and the records index`;
  const contentWindow =
    s.window_from || s.window_to
      ? `${s.window_from ? displayDate(s.window_from) : 'the beginning'} – ${s.window_to ? displayDate(s.window_to) : 'the cut-off'}`
      : 'None';
  return (
    <>
      <dl className="terms terms-compact">
        <dt>As of</dt>
        <dd>
          <code className="code-chip" data-testid="snapshot-as-of">{s.as_of}</code>
        </dd>
        <dt>Content window</dt>
        <dd>{contentWindow}</dd>
        <dt>Purposes</dt>
        <dd>
          <PurposeChips purposes={s.purposes} />
        </dd>
        <dt>Policy</dt>
        <dd data-testid="snapshot-policy">version {s.policy_version}</dd>
        <dt>Sealed</dt>
        <dd>
          {s.sealed_at ? displayInstant(s.sealed_at) : <span className="muted">not sealed</span>}
          <span className="muted"> · built in {formatDuration(s.duration_ms)}</span>
        </dd>
      </dl>
      <div className="verify">
        <p className="verify-hint">
          Re-reads every shard and the records index and compares their sizes and SHA-256 with the sealed record.
        </p>
        <button type="button" className="button" data-testid="snapshot-verify" onClick={verify} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify files'}
        </button>
        {report && report.ok && (
          <p className="verify-ok" data-testid="snapshot-verify-result" role="status">
            Intact: the {files} match the sealed record.{' '}
            <span className="muted" data-testid="snapshot-verified-at">
              Verified {last && displayInstant(last.at)}.
            </span>
          </p>
        )}
        {report && !report.ok && (
          <div className="verify-bad" data-testid="snapshot-verify-result" role="alert">
            <p>
              <strong>Problems found</strong> ({files} checked{last && `, ${displayInstant(last.at)}`}):
            </p>
            <ul>
              {report.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </>
  );
}

function Provenance({ snapshot: s }: { snapshot: Snapshot }) {
  return (
    <dl className="terms terms-compact terms-wide">
      <dt>Source</dt>
      <dd>
        <code className="path-text">{s.source}</code>
        <span className="muted">
          {' '}
          · {s.format === 'csv' ? 'CSV' : 'JSON Lines'} ·{' '}
          {s.source_compressed_bytes === null
            ? formatBytes(s.source_bytes)
            : `${s.source_compression}-compressed, ${formatBytes(s.source_compressed_bytes)} (${formatBytes(s.source_bytes)} decompressed)`}
        </span>
      </dd>
      <dt>Field mapping</dt>
      <dd className="mapping">
        <span>
          record id <code>{s.id_field}</code>
        </span>
        <span>
          author <code>{s.user_field}</code>
        </span>
        <span>
          created at <code>{s.time_field}</code>
        </span>
      </dd>
      <dt>Output folder</dt>
      <dd>
        <Copyable text={s.out_dir} testId="snapshot-out" label="the output folder" />
      </dd>
      <dt>Included users</dt>
      <dd>
        <Copyable text={s.included_users_sha256} testId="snapshot-users-sha" label="the included users digest" />
        <p className="field-hint">
          SHA-256 of the sorted ids of the {formatCount(s.included_users)} users with at least one included record
        </p>
      </dd>
      <dt>Ledger</dt>
      <dd>
        <Copyable text={s.ledger_sha256} testId="snapshot-ledger-sha" label="the ledger digest" />
        <p className="field-hint">SHA-256 of the consent events considered at the cut-off</p>
      </dd>
      <dt>Records index</dt>
      <dd>
        <Copyable text={s.records_index_sha256} testId="snapshot-index-sha" label="the records index digest" />
      </dd>
    </dl>
  );
}

function Shards({ snapshot: s }: { snapshot: Snapshot }) {
  const total = s.shards.reduce((sum, x) => sum + x.bytes, 0);
  return (
    <section className="card card-table" aria-labelledby="shards-title">
      <h2 id="shards-title" className="card-title">
        Shards <span className="card-title-note">{s.shards.length} · {formatBytes(total)}</span>
      </h2>
      {s.shards.length === 0 ? (
        <p className="muted">No record was included, so no shard was written.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="snapshot-shards">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col" className="numeric">
                  Records
                </th>
                <th scope="col" className="numeric">
                  Size
                </th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {s.shards.map((shard) => (
                <tr key={shard.file} data-testid={`shard-${shard.file}`}>
                  <td className="nowrap">
                    <code>{shard.file}</code>
                  </td>
                  <td className="numeric">
                    <Count value={shard.records} />
                  </td>
                  <td className="numeric nowrap" title={`${shard.bytes} bytes`}>
                    {formatBytes(shard.bytes)}
                  </td>
                  <td>
                    <Copyable text={shard.sha256} label={`the SHA-256 of ${shard.file}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
