// Every control on every screen has an accessible name (what a screen reader says and
// what voice control targets), and everything that opens on a click can be reached and
// opened with the keyboard. Each screen is rendered over a store with something in it:
// a signed deal with fees, invoices, a sealed snapshot and a delivery.

import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { FeeInput } from './bindings';
import type { Route } from './route';
import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';

const FEES: FeeInput = {
  currency: 'USD',
  annual_fee: '1200000.00',
  escalator_pct: '3',
  billing: 'quarterly',
  terms_days: 30,
  recognition: 'ratable',
  per_delivery: null,
  per_1k_records: null,
  minimum: null,
};

async function workspace() {
  const backend = memoryBackend({ pushTickMs: 0 });
  const lab = await addPartner(backend, 'Northwind AI');
  const draft = await dealIn(backend, lab.id, 'negotiating', { title: 'Training licence' });
  await backend.setFees(draft.id, FEES);
  const deal = await backend.transitionDeal(draft.id, 'signed');
  await backend.generateInvoices(deal.id, null);
  const snapshot = await backend.buildSnapshot(buildRequest(deal.id), () => undefined);
  await backend.createDelivery({ deal_id: deal.id, snapshot_id: snapshot.snapshot_id, out: '/data/pkg', platform: null });
  return { backend, deal, snapshot };
}

/** The controls a user can act on. */
const CONTROLS = 'button, input, select, textarea, a[href], [role="button"], [role="tab"], [tabindex]:not([tabindex="-1"])';

/** A control as a failure message names it. */
function shown(el: Element): string {
  return el.outerHTML.slice(0, 160);
}

async function screenWithControls(route: Route, ready: string) {
  const { backend, deal, snapshot } = await workspace();
  const concrete: Route =
    route.screen === 'deal'
      ? { screen: 'deal', id: deal.id }
      : route.screen === 'snapshot'
        ? { screen: 'snapshot', id: snapshot.snapshot_id }
        : route.screen === 'snapshot-new'
          ? { screen: 'snapshot-new', dealId: deal.id }
          : route;
  const view = renderApp(backend, concrete);
  await screen.findByTestId(ready);
  // Let the screen's queries settle (tables fill in after their lists load).
  await waitFor(() => expect(document.querySelector('[aria-busy="true"]')).toBeNull());
  return view;
}

const SCREENS: [string, Route, string][] = [
  ['dashboard', { screen: 'dashboard' }, 'dashboard'],
  ['deals', { screen: 'deals' }, 'deals-table'],
  ['a deal', { screen: 'deal', id: 0 }, 'deliveries-table'],
  ['a new deal', { screen: 'deal-new' }, 'deal-form'],
  ['the snapshot wizard', { screen: 'snapshot-new', dealId: 0 }, 'snapshot-wizard'],
  ['a snapshot', { screen: 'snapshot', id: 0 }, 'snapshot-verify'],
  ['partners', { screen: 'partners' }, 'partners-table'],
  ['consent', { screen: 'consent' }, 'consent-overview'],
  ['finance', { screen: 'finance' }, 'finance-cards'],
  ['user lookup', { screen: 'exposure' }, 'exposure-lookup'],
];

describe('every control has an accessible name', () => {
  it.each(SCREENS)('on %s', async (_name, route, ready) => {
    await screenWithControls(route, ready);
    const controls = [...document.querySelectorAll(CONTROLS)].filter((el) => !el.closest('[aria-hidden="true"]'));
    expect(controls.length).toBeGreaterThan(3);
    const unnamed = controls.filter((el) => {
      try {
        expect(el).toHaveAccessibleName();
        return false;
      } catch {
        return true;
      }
    });
    expect(unnamed.map(shown)).toEqual([]);
  });
});

describe('the keyboard reaches and opens what a click opens', () => {
  it('opens a deal from its row, then a delivery from its row', async () => {
    const { user } = await screenWithControls({ screen: 'deals' }, 'deals-table');
    const row = await screen.findByTestId('deal-row-1');
    // Reachable with Tab: in the tab order, not only clickable.
    expect(row).toHaveAttribute('tabindex', '0');
    row.focus();
    await user.keyboard('{Enter}');
    const delivery = await screen.findByTestId('delivery-row-1');
    expect(delivery).toHaveAttribute('tabindex', '0');
    delivery.focus();
    await user.keyboard(' ');
    expect(await screen.findByTestId('delivery-panel')).toBeInTheDocument();
  });

  it('closes a dialog with Escape and gives the focus back', async () => {
    const { user } = await screenWithControls({ screen: 'partners' }, 'partners-table');
    const open = screen.getByTestId('partner-new');
    open.focus();
    await user.keyboard('{Enter}');
    await screen.findByTestId('partner-form');
    expect(document.activeElement).not.toBe(open);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('partner-form')).not.toBeInTheDocument());
  });
});
