//! User lookup (PRODUCT.md §4, exposure): for one user id, every sealed snapshot that
//! included their records, every delivery that carried them and to which partner, and
//! the withdrawal notices that covered them, acknowledged or not.

import { useState, type FormEvent } from 'react';

import type { ExposedDelivery } from '../bindings';
import { Count } from '../components/Count';
import { TextField } from '../components/Field';
import { VirtualTable } from '../components/VirtualTable';
import { useApp } from '../context';
import { displayDate, displayInstant } from '../domain/dates';
import { placeErrors } from '../forms';
import { useExposure } from '../queries/withdrawals';
import { NoticeStatus } from './DealWithdrawals';

export function Exposure({ userId }: { userId?: string }) {
  const { navigate } = useApp();
  const [text, setText] = useState(userId ?? '');
  const [asked, setAsked] = useState<string | null>(userId ?? null);
  const report = useExposure(asked);
  const placed = report.error ? placeErrors(report.error, ['user_id']) : null;
  const inline = placed?.inline.user_id;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked(text);
  };
  const r = report.data;
  const withdrawn = (d: ExposedDelivery) => d.notices.reduce((n, x) => n + x.records, 0);

  return (
    <section className="screen" aria-labelledby="exposure-title">
      <header className="screen-header">
        <div>
          <h1 id="exposure-title">User lookup</h1>
          <p className="screen-subtitle">
            Where one user’s records went: the snapshots that included them, the partners that received them, and the
            withdrawal notices that covered them.
          </p>
        </div>
      </header>
      <form className="lookup-form card" onSubmit={submit} noValidate role="search" aria-label="Look up a user">
        <TextField
          id="exposure-user"
          field="user_id"
          label="User id"
          value={text}
          onChange={setText}
          error={inline}
          className="field-grow"
          placeholder="u0042"
          code
          action={
            <button type="submit" className="button button-primary" data-testid="exposure-lookup">
              Look up
            </button>
          }
        />
      </form>
      {placed?.banner && (
        <p className="verify-bad" role="alert" data-testid="exposure-error">
          {placed.banner.message}
        </p>
      )}
      {report.isFetching && !r && <p className="muted">Looking up…</p>}
      {r && !report.error && (
        <div className="exposure" data-testid="exposure-report">
          <p className="exposure-summary" data-testid="exposure-summary">
            <code>{r.user_id}</code>{' '}
            {r.registered ? 'is in the registry.' : <strong>is not in the registry.</strong>}{' '}
            {r.snapshots.length === 0
              ? 'No sealed snapshot included their records.'
              : `${r.snapshots.length} ${r.snapshots.length === 1 ? 'snapshot' : 'snapshots'} included their records; ${r.deliveries.length} ${r.deliveries.length === 1 ? 'delivery' : 'deliveries'} carried them to ${new Set(r.deliveries.map((d) => d.partner_id)).size} ${new Set(r.deliveries.map((d) => d.partner_id)).size === 1 ? 'partner' : 'partners'}.`}
          </p>
          {r.deliveries.length > 0 && (
            <section className="card card-table" aria-labelledby="exposure-deliveries">
              <h2 id="exposure-deliveries" className="card-title">
                Deliveries
              </h2>
              <div className="table-wrap">
                <VirtualTable
                  testId="exposure-deliveries-table"
                  columns={6}
                  rows={r.deliveries}
                  rowKey={(d) => String(d.delivery_id)}
                  rowTestId={(d) => `exposure-delivery-${d.delivery_id}`}
                  onOpen={(d) => navigate({ screen: 'deal', id: d.deal_id })}
                  head={
                    <tr>
                      <th scope="col">Partner</th>
                      <th scope="col">Deal</th>
                      <th scope="col">Delivery</th>
                      <th scope="col">Delivered</th>
                      <th scope="col" className="numeric">
                        Records
                      </th>
                      <th scope="col">Withdrawal notices</th>
                    </tr>
                  }
                  cells={(d) => (
                    <>
                      <td className="cell-strong">{d.partner_name}</td>
                      <td>#{d.deal_id}</td>
                      <td>
                        #{d.sequence} <span className="muted">(snapshot #{d.snapshot_id})</span>
                      </td>
                      <td className="nowrap">{displayInstant(d.delivered_at)}</td>
                      <td className="numeric">
                        <Count value={d.records} />
                      </td>
                      <td>
                        {d.notices.length === 0 ? (
                          <span className="muted">none</span>
                        ) : (
                          <ul className="exposure-notices">
                            {d.notices.map((n) => (
                              <li key={n.notice_id} data-testid={`exposure-notice-${n.notice_id}`}>
                                Notice #{n.sequence}: {n.records} {n.records === 1 ? 'record' : 'records'}{' '}
                                <NoticeStatus status={n.status} />
                                {n.acknowledged_on && <span className="muted"> on {displayDate(n.acknowledged_on)}</span>}
                              </li>
                            ))}
                          </ul>
                        )}
                        {d.notices.length > 0 && withdrawn(d) < d.records && (
                          <span className="muted"> · {d.records - withdrawn(d)} not withdrawn</span>
                        )}
                      </td>
                    </>
                  )}
                />
              </div>
            </section>
          )}
          {r.snapshots.length > 0 && (
            <section className="card card-table" aria-labelledby="exposure-snapshots">
              <h2 id="exposure-snapshots" className="card-title">
                Snapshots
              </h2>
              <div className="table-wrap">
                <VirtualTable
                  testId="exposure-snapshots-table"
                  columns={3}
                  rows={r.snapshots}
                  rowKey={(s) => String(s.snapshot_id)}
                  rowTestId={(s) => `exposure-snapshot-${s.snapshot_id}`}
                  onOpen={(s) => navigate({ screen: 'snapshot', id: s.snapshot_id })}
                  head={
                    <tr>
                      <th scope="col">Snapshot</th>
                      <th scope="col">Deal</th>
                      <th scope="col" className="numeric">
                        Records
                      </th>
                    </tr>
                  }
                  cells={(s) => (
                    <>
                      <td className="cell-strong">#{s.snapshot_id}</td>
                      <td>#{s.deal_id}</td>
                      <td className="numeric">
                        <Count value={s.records} />
                      </td>
                    </>
                  )}
                />
              </div>
            </section>
          )}
        </div>
      )}
    </section>
  );
}
