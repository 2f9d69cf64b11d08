import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';
import { LAYOUT } from './test/setup';

const NO_SKIP = { skip_invalid: false, format: null };

/** The drawn length of a bar (the charts are as wide as the test window, LAYOUT.width). */
function length(bar: Element): number {
  return Number(bar.getAttribute('width'));
}

describe('snapshot: records by outcome', () => {
  async function result() {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'signed');
    const s = await backend.buildSnapshot(
      buildRequest(deal.id),
      () => undefined,
    );
    renderApp(backend, { screen: 'snapshot', id: s.snapshot_id });
    const counts = await screen.findByTestId('snapshot-counts');
    await waitFor(() => expect(within(counts).getByTestId('bar-included')).toBeInTheDocument());
    return { counts, s };
  }

  it('draws each count to scale, the largest across the whole track', async () => {
    const { counts, s } = await result();
    const included = length(within(counts).getByTestId('bar-included'));
    const noConsent = length(within(counts).getByTestId('bar-no_consent'));
    expect(included).toBe(LAYOUT.width);
    expect(s.records_included).toBeGreaterThan(s.excluded.no_consent ?? 0);
    expect(noConsent / included).toBeCloseTo((s.excluded.no_consent ?? 0) / s.records_included, 3);
    // The text beside each bar is the exact count.
    expect(within(counts).getByTestId('count-no_consent').textContent).toBe(String(s.excluded.no_consent));
  });

  it('draws no bar for a reason that excluded nothing, and a visible sliver for a handful', async () => {
    const { counts, s } = await result();
    const zero = Object.entries(s.excluded).find(([, n]) => n === 0)?.[0] ?? 'rejected';
    expect(within(counts).getByTestId(`count-${zero}`).textContent).toBe('0');
    expect(within(counts).queryByTestId(`bar-${zero}`)).not.toBeInTheDocument();
    expect(s.excluded.duplicate_id).toBe(12);
    // 12 of 31 485 would be under half a pixel; it still shows.
    expect(length(within(counts).getByTestId('bar-duplicate_id'))).toBeGreaterThanOrEqual(LAYOUT.width * 0.006);
  });
});

describe('consent overview charts', () => {
  async function overview() {
    const backend = memoryBackend();
    await backend.importRegistry('/data/registry.csv', NO_SKIP);
    await backend.importLedger('/data/ledger.jsonl', NO_SKIP);
    const { user } = renderApp(backend);
    await user.click(await screen.findByTestId('nav-consent'));
    const card = await screen.findByTestId('consent-overview');
    await waitFor(() => expect(within(card).getByTestId('optout-genai-training').textContent).toBe('318'));
    await waitFor(() => expect(within(screen.getByTestId('decisions-deny')).getByTestId('bar-genai-training')).toBeInTheDocument());
    return card;
  }

  it('draws deny and allow per purpose on one scale', async () => {
    const card = await overview();
    const deny = within(within(card).getByTestId('decisions-deny'));
    const allow = within(within(card).getByTestId('decisions-allow'));
    const counts = (prefix: string) => ({
      search: Number(within(card).getByTestId(`${prefix}-search`).textContent),
      genai: Number(within(card).getByTestId(`${prefix}-genai-training`).textContent),
      sharing: Number(within(card).getByTestId(`${prefix}-partner-sharing`).textContent),
    });
    const denied = counts('optout');
    const allowed = counts('optin');
    expect(denied).toEqual({ search: 22, genai: 318, sharing: 61 });
    expect(allowed.search).toBe(530);

    const denyGenai = length(deny.getByTestId('bar-genai-training'));
    const denySharing = length(deny.getByTestId('bar-partner-sharing'));
    const allowSearch = length(allow.getByTestId('bar-search'));
    expect(denySharing / denyGenai).toBeCloseTo(61 / 318, 3);
    // Deny and allow share the scale: 318 deny is drawn 318/530 as long as 530 allow.
    expect(denyGenai / allowSearch).toBeCloseTo(318 / 530, 3);
  });

  it('splits the regime bar in proportion to the users in each', async () => {
    const card = await overview();
    const optIn = length(within(card).getByTestId('segment-opt-in'));
    const optOut = length(within(card).getByTestId('segment-opt-out'));
    expect(within(card).getByTestId('regime-opt-in').textContent).toBe('460');
    expect(within(card).getByTestId('regime-opt-out').textContent).toBe('790');
    expect(optIn / optOut).toBeCloseTo(460 / 790, 3);
  });

  it('draws account statuses as shares of all users', async () => {
    const card = await overview();
    const status = within(within(card).getByTestId('overview-status'));
    expect(status.getByTestId('status-active').textContent).toBe('1188');
    // 1188 of 1250 users: the track is the whole registry, not the largest status.
    expect(length(status.getByTestId('bar-active')) / LAYOUT.width).toBeCloseTo(1188 / 1250, 3);
  });
});
