//! The deals list: filter by text and status, sort by any column, open a deal. TanStack
//! Table filters (the view lives in the App, so it survives a visit to a deal); the sort
//! is ours: each key's order of the whole list is computed once per list and kept, and
//! a sort click only picks the filtered rows out of it (`sortedPositions`). The body is
//! virtualized.

import {
  columnFilteringFeature,
  columnVisibilityFeature,
  createColumnHelper,
  createFilteredRowModel,
  filterFn_equals,
  filterFn_includesString,
  globalFilteringFeature,
  metaHelper,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useCallback, useEffect, useMemo, type ReactNode } from 'react';

import type { Deal, DealStatus } from '../bindings';
import { PurposeChips } from '../components/PurposeChips';
import { StatusBadge } from '../components/StatusBadge';
import { VirtualTable } from '../components/VirtualTable';
import { useApp } from '../context';
import { statusRank, STATUSES } from '../domain/lifecycle';
import { useDeals } from '../queries/deals';
import { startTiming } from '../timings';

export type SortKey = 'title' | 'partner' | 'status' | 'start' | 'end';

export interface DealsView {
  query: string;
  status: DealStatus | '';
  sort: { key: SortKey; dir: 'asc' | 'desc' } | null;
}

export const INITIAL_VIEW: DealsView = { query: '', status: '', sort: null };

interface ColumnLook {
  className?: string;
  cellClassName?: string;
  /** The sort keys whose buttons the header holds. */
  sortKeys?: readonly SortKey[];
}

const features = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  columnVisibilityFeature,
  filteredRowModel: createFilteredRowModel(),
  filterFns: { equals: filterFn_equals, includesString: filterFn_includesString },
  columnMeta: metaHelper<ColumnLook>(),
});

type Features = typeof features;

/**
 * A text's sort key: letter case and accents ignored, runs of digits compared as
 * numbers ("Deal 9" before "Deal 10"; leading zeros ignored), so that plain `<` on keys
 * orders as a base-sensitivity numeric collation would for titles and names. Keys are
 * made once per distinct text: 10,000 deals take some 140,000 comparisons a sort, and
 * `Intl.Collator` costs about 4 µs each in WebKit (600 ms a sort, bench/README.md).
 */
const keys = new Map<string, string>();
export function sortKey(text: string): string {
  let key = keys.get(text);
  if (key === undefined) {
    key = text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/\d+/g, (run) => {
        const digits = run.replace(/^0+(?=\d)/, '');
        // The length first (as one character), so that a longer number sorts later.
        return String.fromCharCode(48 + Math.min(digits.length, 40)) + digits;
      });
    keys.set(text, key);
  }
  return key;
}

/** What a deal is ordered by under a key, compared with `<`: dates as `YYYY-MM-DD` (their text order is their order). */
function sortValue(deal: Deal, key: SortKey): string | number {
  switch (key) {
    case 'title':
      return sortKey(deal.title);
    case 'partner':
      return sortKey(deal.partner_name);
    case 'status':
      return statusRank(deal.status);
    case 'start':
      return deal.start_date;
    case 'end':
      return deal.end_date;
  }
}

/**
 * The positions in `deals` in the order of one key and direction; ties keep the list's
 * order (newest first) in both directions. Each deal's value is read once and the
 * positions sorted on them: a sort of 10,000 deals through TanStack Table's sorted row
 * model, which reads both rows' values at each of some 140,000 comparisons, was most of
 * a sort click's 130 to 390 ms (bench/README.md "Scale").
 */
export function sortedPositions(deals: readonly Deal[], key: SortKey, dir: 'asc' | 'desc'): Int32Array {
  const values = deals.map((d) => sortValue(d, key));
  const positions = Int32Array.from(deals, (_, i) => i);
  const sign = dir === 'asc' ? 1 : -1;
  positions.sort((a, b) => {
    const x = values[a];
    const y = values[b];
    return x < y ? -sign : x > y ? sign : a - b;
  });
  return positions;
}

const helper = createColumnHelper<Features, Deal>();
const columns = helper.columns([
  helper.accessor('title', {
    id: 'title',
    meta: { className: 'col-title', cellClassName: 'cell-strong', sortKeys: ['title'] },
  }),
  helper.accessor('partner_name', {
    id: 'partner',
    meta: { className: 'col-partner', sortKeys: ['partner'] },
  }),
  helper.accessor('status', {
    id: 'status',
    filterFn: 'equals',
    cell: ({ row }) => <StatusBadge status={row.original.status} testId={`deal-status-${row.original.id}`} />,
    meta: { sortKeys: ['status'] },
  }),
  helper.display({
    id: 'purposes',
    header: 'Purposes',
    cell: ({ row }) => <PurposeChips purposes={row.original.purposes} />,
  }),
  // The term column shows both dates; the headers of these two hidden ones name their keys.
  helper.accessor('start_date', { id: 'start' }),
  helper.accessor('end_date', { id: 'end' }),
  helper.display({
    id: 'term',
    cell: ({ row }) => (
      <>
        <span className="nowrap">{row.original.start_date} –</span>{' '}
        <span className="nowrap">{row.original.end_date}</span>
      </>
    ),
    meta: { className: 'col-term', cellClassName: 'tabular cell-term', sortKeys: ['start', 'end'] },
  }),
  helper.accessor('territory', {
    id: 'territory',
    header: 'Territory',
    cell: ({ getValue }) => getValue().split(',').join(', '),
    meta: { cellClassName: 'cell-territory' },
  }),
]);
const HIDDEN = { start: false, end: false };
const SEARCHED = new Set(['title', 'partner']);

const LABELS: Record<SortKey, string> = { title: 'Title', partner: 'Partner', status: 'Status', start: 'Start', end: 'End' };

interface DealsProps {
  view: DealsView;
  onViewChange: (view: DealsView) => void;
}

export function Deals({ view, onViewChange }: DealsProps) {
  const { navigate, reportError } = useApp();
  const query = useDeals();
  const deals = query.data;
  useEffect(() => {
    if (query.error) reportError(query.error);
  }, [query.error, reportError]);

  const newButton = (
    <button
      type="button"
      className="button button-primary"
      data-testid="deal-new"
      onClick={() => navigate({ screen: 'deal-new' })}
    >
      New deal
    </button>
  );

  if (!deals) {
    if (query.error) return null;
    return (
      <p className="loading" aria-busy="true">
        Loading the deals…
      </p>
    );
  }
  if (deals.length === 0) {
    return (
      <section className="screen" aria-labelledby="deals-title">
        <header className="screen-header">
          <h1 id="deals-title">Deals</h1>
        </header>
        <div className="empty-state" data-testid="deals-empty">
          <h2>No deals yet</h2>
          <p>Record the terms you are negotiating with a partner: what they may use the data for, where, and for how long.</p>
          {newButton}
        </div>
      </section>
    );
  }

  return (
    <section className="screen" aria-labelledby="deals-title">
      <header className="screen-header">
        <div>
          <h1 id="deals-title">Deals</h1>
          <p className="screen-subtitle">Licensing deals with your partners, newest first.</p>
        </div>
        {newButton}
      </header>
      <DealsTable deals={deals} view={view} onViewChange={onViewChange} />
    </section>
  );
}

function DealsTable({ deals, view, onViewChange }: { deals: Deal[] } & DealsProps) {
  const { navigate } = useApp();
  // The sort keys are made when the list arrives, not on the first click of a header.
  useMemo(() => {
    for (const d of deals) {
      sortKey(d.title);
      sortKey(d.partner_name);
    }
  }, [deals]);
  // Each key and direction's order of this list, made on its first use and kept.
  const orders = useMemo(() => new Map<string, Int32Array>(), [deals]);
  const orderOf = useCallback(
    (key: SortKey, dir: 'asc' | 'desc') => {
      let order = orders.get(`${key} ${dir}`);
      if (!order) {
        order = sortedPositions(deals, key, dir);
        orders.set(`${key} ${dir}`, order);
      }
      return order;
    },
    [deals, orders],
  );
  const query = view.query.trim();
  const table = useTable({
    features,
    columns,
    data: deals,
    getRowId: (deal) => String(deal.id),
    state: {
      globalFilter: query === '' ? undefined : query,
      columnFilters: view.status === '' ? [] : [{ id: 'status', value: view.status }],
      columnVisibility: HIDDEN,
    },
    globalFilterFn: 'includesString',
    getColumnCanGlobalFilter: (column) => SEARCHED.has(column.id),
  });

  // The filtered rows (in the list's order), in the sort's: picked out of the key's
  // order by their position in the list, in one pass and with no comparison.
  const filteredRows = table.getRowModel().rows;
  const sortKeyOf = view.sort?.key;
  const sortDir = view.sort?.dir;
  const rows = useMemo(() => {
    if (!sortKeyOf || !sortDir) return filteredRows;
    const byPosition = new Array<(typeof filteredRows)[number] | undefined>(deals.length);
    for (const row of filteredRows) byPosition[row.index] = row;
    const sorted: typeof filteredRows = [];
    for (const position of orderOf(sortKeyOf, sortDir)) {
      const row = byPosition[position];
      if (row) sorted.push(row);
    }
    return sorted;
  }, [filteredRows, sortKeyOf, sortDir, orderOf, deals.length]);
  const sortBy = (key: SortKey) => {
    const dir = view.sort?.key === key && view.sort.dir === 'asc' ? 'desc' : 'asc';
    startTiming('deals', 'sort');
    onViewChange({ ...view, sort: { key, dir } });
  };
  const sortButton = (key: SortKey) => <SortButton key={key} label={LABELS[key]} sortKey={key} view={view} onSort={sortBy} />;
  const filtered = query !== '' || view.status !== '';

  const head = table.getHeaderGroups().map((group) => (
    <tr key={group.id}>
      {group.headers.map((header) => {
        const look = header.column.columnDef.meta;
        const keys = look?.sortKeys ?? [];
        let content: ReactNode;
        if (header.column.id === 'term') {
          content = (
            <>
              <span className="visually-hidden">Term: </span>
              {sortButton('start')}
              <span className="th-sep" aria-hidden="true">
                –
              </span>
              {sortButton('end')}
            </>
          );
        } else if (keys.length > 0) {
          content = sortButton(keys[0]);
        } else {
          content = <table.FlexRender header={header} />;
        }
        return (
          <th key={header.id} scope="col" className={look?.className} aria-sort={ariaSort(view, keys)}>
            {content}
          </th>
        );
      })}
    </tr>
  ));

  return (
    <>
      <div className="toolbar">
        <label className="visually-hidden" htmlFor="deals-filter">
          Filter deals by title or partner
        </label>
        <input
          id="deals-filter"
          data-testid="deals-filter"
          className="toolbar-search"
          type="text"
          placeholder="Filter by title or partner"
          autoComplete="off"
          value={view.query}
          onChange={(e) => {
            startTiming('deals', 'filter');
            onViewChange({ ...view, query: e.target.value });
          }}
        />
        <label className="visually-hidden" htmlFor="deals-status-filter">
          Status
        </label>
        <select
          id="deals-status-filter"
          data-testid="deals-status-filter"
          value={view.status}
          onChange={(e) => {
            startTiming('deals', 'filter');
            onViewChange({ ...view, status: e.target.value as DealStatus | '' });
          }}
        >
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0].toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
        <span className="toolbar-count" aria-live="polite">
          {filtered ? `${rows.length} of ${deals.length} deals` : `${deals.length} ${deals.length === 1 ? 'deal' : 'deals'}`}
        </span>
      </div>
      <div className="table-wrap">
        <VirtualTable
          testId="deals-table"
          head={head}
          rows={rows}
          columns={table.getVisibleLeafColumns().length}
          rowKey={(row) => row.id}
          rowTestId={(row) => `deal-row-${row.original.id}`}
          onOpen={(row) => navigate({ screen: 'deal', id: row.original.id })}
          cells={(row) =>
            row.getVisibleCells().map((cell) => (
              <td key={cell.id} className={cell.column.columnDef.meta?.cellClassName}>
                <table.FlexRender cell={cell} />
              </td>
            ))
          }
        />
        {rows.length === 0 && (
          <div className="table-empty" data-testid="deals-no-match">
            No deals match these filters.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => onViewChange({ ...view, query: '', status: '' })}
            >
              Clear filters
            </button>
          </div>
        )}
      </div>
    </>
  );
}

interface SortButtonProps {
  label: string;
  sortKey: SortKey;
  view: DealsView;
  onSort: (key: SortKey) => void;
}

function SortButton({ label, sortKey, view, onSort }: SortButtonProps) {
  const active = view.sort?.key === sortKey ? view.sort.dir : null;
  return (
    <button
      type="button"
      className={`sort-button ${active ? 'sort-active' : ''}`}
      data-testid={`sort-${sortKey}`}
      onClick={() => onSort(sortKey)}
      title={`Sort by ${label.toLowerCase()}`}
    >
      {label}
      <span className="sort-arrow" aria-hidden="true">
        {active === 'asc' ? '▲' : active === 'desc' ? '▼' : '↕'}
      </span>
    </button>
  );
}

function ariaSort(view: DealsView, keys: readonly SortKey[]) {
  if (!view.sort || !keys.includes(view.sort.key)) return undefined;
  return view.sort.dir === 'asc' ? 'ascending' : 'descending';
}
