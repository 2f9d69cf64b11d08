import type { Deal, Snapshot } from '../bindings';
import { Count } from '../components/Count';
import { VirtualTable } from '../components/VirtualTable';
import { useApp } from '../context';
import { displayInstant } from '../domain/dates';
import { useDealSnapshots } from '../queries/snapshots';

/** Snapshots can be built only while the deal is in force (the core refuses otherwise). */
export function canSnapshot(deal: Deal): boolean {
  return deal.status === 'signed' || deal.status === 'active';
}

/** A deal's sealed snapshots, newest first (virtualized: a deal runs for years), and the way to build another. */
export function DealSnapshots({ deal }: { deal: Deal }) {
  const { navigate } = useApp();
  const snapshots = useDealSnapshots(deal.id);
  const allowed = canSnapshot(deal);
  const open = (s: Snapshot) => navigate({ screen: 'snapshot', id: s.snapshot_id });
  const list = snapshots.data;

  return (
    <section className="card card-table" data-testid="deal-snapshots" aria-labelledby="snapshots-title">
      <div className="card-header">
        <h2 id="snapshots-title" className="card-title">
          Snapshots
        </h2>
        <div className="card-header-actions">
          {!allowed && (
            <span className="hint-inline" data-testid="snapshot-new-hint">
              {deal.status === 'draft' || deal.status === 'negotiating'
                ? 'Sign the deal first'
                : `No new snapshots: the deal is ${deal.status}`}
            </span>
          )}
          <button
            type="button"
            className="button button-primary"
            data-testid="snapshot-new"
            disabled={!allowed}
            onClick={() => navigate({ screen: 'snapshot-new', dealId: deal.id })}
          >
            New snapshot…
          </button>
        </div>
      </div>
      {snapshots.error && <p className="muted">The snapshots could not be loaded: {snapshots.error.message}</p>}
      {!list && !snapshots.error && <p className="muted">Loading…</p>}
      {list && list.length === 0 && (
        <p className="muted" data-testid="snapshots-empty">
          No snapshots yet. A snapshot freezes which records may be delivered under this deal as of a cut-off
          instant.
        </p>
      )}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <VirtualTable
            testId="snapshots-table"
            rows={list}
            columns={6}
            rowKey={(s) => String(s.snapshot_id)}
            rowTestId={(s) => `snapshot-row-${s.snapshot_id}`}
            onOpen={open}
            head={
              <tr>
                <th scope="col">Snapshot</th>
                <th scope="col">As of</th>
                <th scope="col" className="numeric">
                  Records in
                </th>
                <th scope="col" className="numeric">
                  Included
                </th>
                <th scope="col" className="numeric">
                  Shards
                </th>
                <th scope="col">Sealed at</th>
              </tr>
            }
            cells={(s) => (
              <>
                <td className="cell-strong">#{s.snapshot_id}</td>
                <td className="nowrap">
                  <code>{s.as_of}</code>
                </td>
                <td className="numeric">
                  <Count value={s.records_in} />
                </td>
                <td className="numeric">
                  <Count value={s.records_included} />
                </td>
                <td className="numeric">{s.shards.length}</td>
                <td className="nowrap">
                  {s.sealed_at ? (
                    <time dateTime={s.sealed_at} title={s.sealed_at}>
                      {displayInstant(s.sealed_at)}
                    </time>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </>
            )}
          />
        </div>
      )}
    </section>
  );
}
