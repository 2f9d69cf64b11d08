import type { KeyboardEvent } from 'react';

import type { Deal, DealStatus } from '../bindings';
import { PurposeChips } from '../components/PurposeChips';
import { StatusBadge } from '../components/StatusBadge';
import { useApp } from '../context';
import { statusRank, STATUSES } from '../domain/lifecycle';

export type SortKey = 'title' | 'partner' | 'status' | 'start' | 'end';

export interface DealsView {
  query: string;
  status: DealStatus | '';
  sort: { key: SortKey; dir: 'asc' | 'desc' } | null;
}

export const INITIAL_VIEW: DealsView = { query: '', status: '', sort: null };

const text = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });

const COMPARE: Record<SortKey, (a: Deal, b: Deal) => number> = {
  title: (a, b) => text(a.title, b.title),
  partner: (a, b) => text(a.partner_name, b.partner_name),
  status: (a, b) => statusRank(a.status) - statusRank(b.status),
  start: (a, b) => a.start_date.localeCompare(b.start_date),
  end: (a, b) => a.end_date.localeCompare(b.end_date),
};

/** The deals the view shows, in the order it shows them. */
export function visibleDeals(deals: readonly Deal[], view: DealsView): Deal[] {
  const query = view.query.trim().toLowerCase();
  const shown = deals.filter(
    (d) =>
      (view.status === '' || d.status === view.status) &&
      (query === '' ||
        d.title.toLowerCase().includes(query) ||
        d.partner_name.toLowerCase().includes(query)),
  );
  const { sort } = view;
  if (!sort) return shown;
  const sign = sort.dir === 'asc' ? 1 : -1;
  // Ties keep a stable, predictable order: newest deal first.
  return [...shown].sort((a, b) => sign * COMPARE[sort.key](a, b) || b.id - a.id);
}

interface SortHeaderProps {
  label: string;
  sortKey: SortKey;
  view: DealsView;
  onSort: (key: SortKey) => void;
}

function SortButton({ label, sortKey, view, onSort }: SortHeaderProps) {
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

function ariaSort(view: DealsView, keys: SortKey[]) {
  if (!view.sort || !keys.includes(view.sort.key)) return undefined;
  return view.sort.dir === 'asc' ? 'ascending' : 'descending';
}

interface DealsProps {
  view: DealsView;
  onViewChange: (view: DealsView) => void;
}

export function Deals({ view, onViewChange }: DealsProps) {
  const { deals, navigate } = useApp();
  if (!deals) return null;

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

  const shown = visibleDeals(deals, view);
  const sortBy = (key: SortKey) => {
    const dir = view.sort?.key === key && view.sort.dir === 'asc' ? 'desc' : 'asc';
    onViewChange({ ...view, sort: { key, dir } });
  };
  const filtered = view.query.trim() !== '' || view.status !== '';
  const open = (e: KeyboardEvent, deal: Deal) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      navigate({ screen: 'deal', id: deal.id });
    }
  };

  return (
    <section className="screen" aria-labelledby="deals-title">
      <header className="screen-header">
        <div>
          <h1 id="deals-title">Deals</h1>
          <p className="screen-subtitle">Licensing deals with your partners, newest first.</p>
        </div>
        {newButton}
      </header>
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
          onChange={(e) => onViewChange({ ...view, query: e.target.value })}
        />
        <label className="visually-hidden" htmlFor="deals-status-filter">
          Status
        </label>
        <select
          id="deals-status-filter"
          data-testid="deals-status-filter"
          value={view.status}
          onChange={(e) => onViewChange({ ...view, status: e.target.value as DealStatus | '' })}
        >
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0].toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
        <span className="toolbar-count" aria-live="polite">
          {filtered ? `${shown.length} of ${deals.length} deals` : `${deals.length} ${deals.length === 1 ? 'deal' : 'deals'}`}
        </span>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="deals-table">
          <thead>
            <tr>
              <th scope="col" aria-sort={ariaSort(view, ['title'])} className="col-title">
                <SortButton label="Title" sortKey="title" view={view} onSort={sortBy} />
              </th>
              <th scope="col" aria-sort={ariaSort(view, ['partner'])} className="col-partner">
                <SortButton label="Partner" sortKey="partner" view={view} onSort={sortBy} />
              </th>
              <th scope="col" aria-sort={ariaSort(view, ['status'])}>
                <SortButton label="Status" sortKey="status" view={view} onSort={sortBy} />
              </th>
              <th scope="col">Purposes</th>
              <th scope="col" aria-sort={ariaSort(view, ['start', 'end'])} className="col-term">
                <span className="visually-hidden">Term: </span>
                <SortButton label="Start" sortKey="start" view={view} onSort={sortBy} />
                <span className="th-sep" aria-hidden="true">
                  –
                </span>
                <SortButton label="End" sortKey="end" view={view} onSort={sortBy} />
              </th>
              <th scope="col">Territory</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <tr
                key={d.id}
                data-testid={`deal-row-${d.id}`}
                className="clickable"
                tabIndex={0}
                onClick={() => navigate({ screen: 'deal', id: d.id })}
                onKeyDown={(e) => open(e, d)}
              >
                <td className="cell-strong">{d.title}</td>
                <td>{d.partner_name}</td>
                <td>
                  <StatusBadge status={d.status} testId={`deal-status-${d.id}`} />
                </td>
                <td>
                  <PurposeChips purposes={d.purposes} />
                </td>
                <td className="tabular cell-term">
                  <span className="nowrap">{d.start_date} –</span> <span className="nowrap">{d.end_date}</span>
                </td>
                <td className="cell-territory">{d.territory.split(',').join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {shown.length === 0 && (
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
    </section>
  );
}
