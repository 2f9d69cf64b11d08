//! The partners list, as the backend orders it (by name), each with its number of deals.
//! Columns are TanStack Table definitions and the body is virtualized like the deals
//! list's; the list has no sorting or filtering controls (it never had).

import { createColumnHelper, metaHelper, tableFeatures, useTable } from '@tanstack/react-table';
import { useMemo } from 'react';

import type { Partner } from '../bindings';
import { VirtualTable } from '../components/VirtualTable';
import { useApp } from '../context';
import { kindLabel } from '../domain/partnerKind';
import { useDeals } from '../queries/deals';
import { usePartners } from '../queries/partners';

interface ColumnLook {
  className?: string;
}

/** A partner with the number of its deals (null while the deals load), the row the table shows. */
interface PartnerRow {
  partner: Partner;
  deals: number | null;
}

const features = tableFeatures({ columnMeta: metaHelper<ColumnLook>() });
const helper = createColumnHelper<typeof features, PartnerRow>();
const none = <span className="muted">—</span>;
const columns = helper.columns([
  helper.accessor((r) => r.partner.name, { id: 'name', header: 'Name', meta: { className: 'cell-strong' } }),
  helper.accessor((r) => r.partner.kind, { id: 'kind', header: 'Kind', cell: ({ getValue }) => kindLabel(getValue()) }),
  helper.accessor((r) => r.partner.country, { id: 'country', header: 'Country', cell: ({ getValue }) => getValue() ?? none }),
  helper.accessor((r) => r.partner.contact, {
    id: 'contact',
    header: 'Contact',
    cell: ({ getValue }) => getValue() ?? none,
    meta: { className: 'cell-truncate' },
  }),
  helper.accessor('deals', {
    id: 'deals',
    header: 'Deals',
    cell: ({ getValue }) => getValue() ?? <span className="muted">…</span>,
    meta: { className: 'numeric' },
  }),
]);

export function Partners() {
  const { openPartnerForm } = useApp();
  const partners = usePartners().data;
  const deals = useDeals().data;
  const data = useMemo(() => {
    const count = new Map<number, number>();
    for (const d of deals ?? []) count.set(d.partner_id, (count.get(d.partner_id) ?? 0) + 1);
    return (partners ?? []).map((partner) => ({ partner, deals: deals ? (count.get(partner.id) ?? 0) : null }));
  }, [partners, deals]);
  const table = useTable({ features, columns, data, getRowId: (r) => String(r.partner.id) });

  const head = table.getHeaderGroups().map((group) => (
    <tr key={group.id}>
      {group.headers.map((header) => (
        <th
          key={header.id}
          scope="col"
          className={header.column.columnDef.meta?.className === 'numeric' ? 'numeric' : undefined}
        >
          <table.FlexRender header={header} />
        </th>
      ))}
    </tr>
  ));

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
        <VirtualTable
          testId="partners-table"
          head={head}
          rows={table.getRowModel().rows}
          columns={columns.length}
          rowKey={(row) => row.id}
          rowTestId={(row) => `partner-row-${row.original.partner.id}`}
          onOpen={(row) => openPartnerForm(row.original.partner)}
          cells={(row) =>
            row.getAllCells().map((cell) => (
              <td key={cell.id} className={cell.column.columnDef.meta?.className}>
                <table.FlexRender cell={cell} />
              </td>
            ))
          }
        />
        {partners && partners.length === 0 && (
          <p className="table-empty">No partners yet. Add the first one with “New partner”.</p>
        )}
      </div>
    </section>
  );
}
