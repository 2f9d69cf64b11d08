import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { App } from '../App';
import type { BuildRequest, DealInput, DealStatus, Partner, PartnerKind } from '../bindings';
import { MemoryBackend, type MemoryOptions } from '../backend/memory';
import type { Backend } from '../backend';
import type { Route } from '../route';

/**
 * A backend whose clock advances one minute per write, for ordered audit entries. Its
 * simulated snapshot builds take 4 ticks of 25 ms, and its imports no time, unless
 * `options` say otherwise.
 */
export function memoryBackend(options: MemoryOptions = {}): MemoryBackend {
  let t = Date.UTC(2026, 0, 15, 9, 0, 0);
  return new MemoryBackend({
    actor: 'alice',
    location: '/home/alice/.local/share/consentry/consentry.db',
    now: () => new Date((t += 60_000)),
    buildTicks: 4,
    buildTickMs: 25,
    importTickMs: 0,
    ...options,
  });
}

export function renderApp(backend: Backend = memoryBackend(), initialRoute?: Route) {
  const user = userEvent.setup();
  const view = render(<App backend={backend} initialRoute={initialRoute} />);
  return { user, backend, ...view };
}

export async function addPartner(backend: Backend, name: string, kind: PartnerKind = 'ai-lab'): Promise<Partner> {
  return backend.createPartner({ name, kind, country: 'US', contact: null, notes: null });
}

export function dealInput(partnerId: number, over: Partial<DealInput> = {}): DealInput {
  return {
    partner_id: partnerId,
    title: 'Training data licence',
    purposes: ['genai-training'],
    start_date: '2027-01-01',
    end_date: '2028-12-31',
    territory: 'WORLD',
    exclusive: false,
    retention_days: null,
    withdrawal_days: 30,
    attribution_required: false,
    sublicensing_allowed: false,
    notes: null,
    ...over,
  };
}

/** Walks a new deal forward through the lifecycle to `status`. */
export async function dealIn(backend: Backend, partnerId: number, status: DealStatus, over: Partial<DealInput> = {}) {
  const deal = await backend.createDeal(dealInput(partnerId, over));
  const path: DealStatus[] = ['negotiating', 'signed', 'active', 'expired'];
  if (status === 'terminated') return backend.transitionDeal(deal.id, 'terminated');
  for (const to of path.slice(0, path.indexOf(status as DealStatus) + 1)) {
    await backend.transitionDeal(deal.id, to);
  }
  return backend.getDeal(deal.id);
}

/** The titles of the deal rows, top to bottom. */
export function dealTitles(): string[] {
  const table = screen.getByTestId('deals-table');
  return within(table)
    .queryAllByTestId(/^deal-row-/)
    .map((row) => row.querySelector('td')?.textContent ?? '');
}

/** A build request for `dealId` with the Pushshift field names, cut-off 2026-11-27. */
export function buildRequest(dealId: number, over: Partial<BuildRequest> = {}): BuildRequest {
  return {
    deal_id: dealId,
    source: '/data/posts.jsonl',
    format: null,
    id_field: 'id',
    user_field: 'author',
    time_field: 'created_utc',
    as_of: '2026-11-27T10:00:00Z',
    window_from: null,
    window_to: null,
    shard_bytes: null,
    out: null,
    max_rejected_pct: null,
    ...over,
  };
}
