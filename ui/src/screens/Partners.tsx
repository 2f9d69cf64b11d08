import type { KeyboardEvent } from 'react';

import type { Partner } from '../bindings';
import { useApp } from '../context';
import { kindLabel } from '../domain/partnerKind';

export function Partners() {
  const { partners, deals, openPartnerForm } = useApp();
  const dealCount = new Map<number, number>();
  for (const d of deals ?? []) dealCount.set(d.partner_id, (dealCount.get(d.partner_id) ?? 0) + 1);

  const onRowKey = (e: KeyboardEvent, partner: Partner) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openPartnerForm(partner);
    }
  };

  return (
    <section className="screen" aria-labelledby="partners-title">
      <header className="screen-header">
        <div>
          <h1 id="partners-title">Partners</h1>
          <p className="screen-subtitle">The companies and institutions you license data to.</p>
        </div>
        <button type="button" className="button button-primary" data-testid="partner-new" onClick={() => openPartnerForm()}>
          New partner
        </button>
      </header>
      <div className="table-wrap">
        <table className="table" data-testid="partners-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Country</th>
              <th scope="col">Contact</th>
              <th scope="col" className="numeric">
                Deals
              </th>
            </tr>
          </thead>
          <tbody>
            {(partners ?? []).map((p) => (
              <tr
                key={p.id}
                data-testid={`partner-row-${p.id}`}
                className="clickable"
                tabIndex={0}
                onClick={() => openPartnerForm(p)}
                onKeyDown={(e) => onRowKey(e, p)}
              >
                <td className="cell-strong">{p.name}</td>
                <td>{kindLabel(p.kind)}</td>
                <td>{p.country ?? <span className="muted">—</span>}</td>
                <td className="cell-truncate">{p.contact ?? <span className="muted">—</span>}</td>
                <td className="numeric">{dealCount.get(p.id) ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {partners && partners.length === 0 && (
          <p className="table-empty">No partners yet. Add the first one with “New partner”.</p>
        )}
      </div>
    </section>
  );
}
