import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import type { Deal, DealStatus } from './bindings';
import { sortKey, sortedPositions } from './screens/Deals';
import { addPartner, dealInput, dealTitles, memoryBackend, renderApp } from './test/helpers';

/** Rows are this tall and the window 768 px (test/setup.ts): about 20 rows in view. */
const ROW_HEIGHT = 40;

function rowIds(testId: string, prefix: string): number[] {
  return within(screen.getByTestId(testId))
    .queryAllByTestId(new RegExp(`^${prefix}`))
    .map((row) => Number(row.dataset.testid?.slice(prefix.length)));
}

function scrollTo(top: number) {
  const main = document.querySelector('main') as HTMLElement;
  main.scrollTop = top;
  fireEvent.scroll(main);
}

describe('long tables render only the rows in view', () => {
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockReturnValue(ROW_HEIGHT);
    // Room to scroll: the virtualizer ignores a scroll position past the element's end.
    Object.defineProperty(HTMLElement.prototype, 'scrollHeight', { configurable: true, get: () => 1_000_000 });
    // The rows start at the top of the scrolling area, and move up as it scrolls.
    vi.spyOn(HTMLTableSectionElement.prototype, 'getBoundingClientRect').mockImplementation(() => {
      const top = -(document.querySelector('main')?.scrollTop ?? 0);
      return { top, y: top, left: 0, x: 0, bottom: top, right: 0, width: 0, height: 0, toJSON: () => ({}) };
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
  });

  async function manyDeals(count: number) {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const search = await addPartner(backend, 'Looksee Search', 'search-engine');
    for (let i = 1; i <= count; i++) {
      const n = String(i).padStart(3, '0');
      await backend.createDeal(dealInput(i % 2 ? lab.id : search.id, { title: `Deal ${n}` }));
    }
    const rendered = renderApp(backend);
    await screen.findByTestId('deals-table');
    return rendered;
  }

  it('shows the first screenful of 300 deals, and the last ones once scrolled there', async () => {
    await manyDeals(300);
    const first = rowIds('deals-table', 'deal-row-');
    expect(first[0]).toBe(300);
    expect(first.length).toBeGreaterThan(15);
    expect(first.length).toBeLessThan(40);
    expect(first).not.toContain(1);
    // The rows out of view still count: the scroll height is that of 300 rows.
    expect(screen.getByTestId('deals-table')).toHaveAttribute('aria-rowcount', '301');

    scrollTo(100_000); // past the end: the virtualizer shows the last rows
    await waitFor(() => expect(rowIds('deals-table', 'deal-row-')).toContain(1));
    expect(rowIds('deals-table', 'deal-row-')).not.toContain(300);
  });

  it('filters and sorts all the deals, not only those on screen', async () => {
    const { user } = await manyDeals(300);
    expect(rowIds('deals-table', 'deal-row-')).not.toContain(7);

    await user.type(screen.getByTestId('deals-filter'), 'deal 007');
    expect(dealTitles()).toEqual(['Deal 007']);
    await user.clear(screen.getByTestId('deals-filter'));

    await user.click(screen.getByTestId('sort-title'));
    expect(dealTitles().slice(0, 3)).toEqual(['Deal 001', 'Deal 002', 'Deal 003']);
    await user.selectOptions(screen.getByTestId('deals-status-filter'), 'draft');
    expect(screen.getByText('300 of 300 deals')).toBeInTheDocument();
    await user.type(screen.getByTestId('deals-filter'), 'looksee');
    expect(screen.getByText('150 of 300 deals')).toBeInTheDocument();
    expect(dealTitles()[0]).toBe('Deal 002');
  });

  it('loads every deal\'s invoices a page at a time as the table scrolls', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await backend.createDeal(dealInput(lab.id));
    // 1,200 invoices, newest (1200) first, made from one recorded invoice.
    const template = fixtures.responses.invoicesGenerated[0];
    const page = vi.spyOn(backend, 'invoicePage').mockImplementation(async (_filter, offset, limit) => {
      const ids = Array.from({ length: Math.max(0, Math.min(limit, 1200 - offset)) }, (_, k) => 1200 - offset - k);
      return { invoices: ids.map((id) => ({ ...template, id, deal_id: deal.id, number: `INV-${id}` })), total: 1200 };
    });
    renderApp(backend, { screen: 'finance' });
    await screen.findByTestId('invoices-table');
    expect(page).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('invoice-count')).toHaveTextContent('1,200 invoices');
    const shown = rowIds('invoices-table', 'invoice-row-');
    expect(shown[0]).toBe(1200);
    expect(shown.length).toBeLessThan(40);
    expect(screen.getByTestId('invoices-table')).toHaveAttribute('aria-rowcount', '501');

    // Near the end of what is loaded, the next page is asked for; the rows are all there.
    scrollTo(100_000);
    await waitFor(() => expect(page).toHaveBeenLastCalledWith({ dealId: null, status: null, at: null }, 500, 500));
    await waitFor(() => expect(screen.getByTestId('invoices-table')).toHaveAttribute('aria-rowcount', '1001'));
    scrollTo(200_000);
    await waitFor(() => expect(page).toHaveBeenLastCalledWith({ dealId: null, status: null, at: null }, 1000, 500));
    await waitFor(() => expect(rowIds('invoices-table', 'invoice-row-')).toContain(1));
    // All loaded: no more requests.
    scrollTo(300_000);
    expect(page).toHaveBeenCalledTimes(3);
  });

  it('does the same for partners', async () => {
    const backend = memoryBackend();
    for (let i = 1; i <= 200; i++) await addPartner(backend, `Partner ${String(i).padStart(3, '0')}`);
    renderApp(backend, { screen: 'partners' });
    await screen.findByTestId('partners-table');
    const shown = rowIds('partners-table', 'partner-row-');
    expect(shown.slice(0, 2)).toEqual([1, 2]);
    expect(shown.length).toBeLessThan(40);

    scrollTo(100_000);
    await waitFor(() => expect(rowIds('partners-table', 'partner-row-')).toContain(200));
  });
});

describe('the deals sort key', () => {
  it('orders titles as a numeric, case- and accent-blind collation would', () => {
    const titles = ['deal 10', 'Deal 9', 'Éclair', 'eclair 2', 'Deal 009b', 'deal', 'Zeta', 'alpha 100', 'Alpha 20'];
    const sorted = [...titles].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
    expect(sorted).toEqual([...titles].sort(collator.compare));
    expect(sorted).toEqual(['Alpha 20', 'alpha 100', 'deal', 'Deal 9', 'Deal 009b', 'deal 10', 'Éclair', 'eclair 2', 'Zeta']);
  });
});

describe('the deals sort orders', () => {
  /** Deals as the list has them, newest first; the same status, start or title repeats. */
  const deals: Deal[] = (
    [
      ['Deal 10', 'Beta', 'signed', '2024-03-01'],
      ['deal 9', 'alpha', 'draft', '2024-01-01'],
      ['Éclair', 'Beta', 'signed', '2024-01-01'],
      ['Deal 9', 'Gamma', 'active', '2025-01-01'],
      ['Zeta', 'alpha', 'draft', '2024-03-01'],
    ] as const
  ).map(([title, partner_name, status, start_date], i) => ({
    ...fixtures.responses.deal,
    id: 5 - i,
    title,
    partner_name,
    status: status as DealStatus,
    start_date,
  }));
  const titles = (order: Int32Array) => Array.from(order, (i) => deals[i].title);

  it('order by the key both ways, ties in the list order (newest first) both ways', () => {
    expect(titles(sortedPositions(deals, 'title', 'asc'))).toEqual(['deal 9', 'Deal 9', 'Deal 10', 'Éclair', 'Zeta']);
    expect(titles(sortedPositions(deals, 'title', 'desc'))).toEqual(['Zeta', 'Éclair', 'Deal 10', 'deal 9', 'Deal 9']);
    expect(titles(sortedPositions(deals, 'partner', 'asc'))).toEqual(['deal 9', 'Zeta', 'Deal 10', 'Éclair', 'Deal 9']);
    expect(titles(sortedPositions(deals, 'start', 'desc'))).toEqual(['Deal 9', 'Deal 10', 'Zeta', 'deal 9', 'Éclair']);
    // Statuses by the lifecycle, not by name.
    expect(titles(sortedPositions(deals, 'status', 'asc'))).toEqual(['deal 9', 'Zeta', 'Deal 10', 'Éclair', 'Deal 9']);
    expect(titles(sortedPositions(deals, 'status', 'desc'))).toEqual(['Deal 9', 'Deal 10', 'Éclair', 'deal 9', 'Zeta']);
  });
});
