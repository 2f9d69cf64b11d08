import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';
import { LAYOUT } from './test/setup';

const NO_SKIP = { skip_invalid: false, format: null };
const imported = fixtures.responses.overviewImported;

/** The drawn length of a bar (the charts are as wide as the test window, LAYOUT.width). */
function length(bar: Element): number {
  return Number(bar.getAttribute('width'));
}

describe('snapshot: records by outcome', () => {
  /** A sealed snapshot; `excluded` changes its counts (the recorded one excluded some for every reason). */
  async function result(excluded: Record<string, number> = {}) {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'signed');
    const built = await backend.buildSnapshot(buildRequest(deal.id), () => undefined);
    const s = { ...built, excluded: { ...built.excluded, ...excluded } };
    vi.spyOn(backend, 'getSnapshot').mockResolvedValue(s);
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
    const { counts, s } = await result({ outside_window: 0, duplicate_id: 1 });
    expect(within(counts).getByTestId('count-outside_window').textContent).toBe('0');
    expect(within(counts).queryByTestId('bar-outside_window')).not.toBeInTheDocument();
    // 1 of the included records would be under a pixel wide; it still shows.
    expect(LAYOUT.width / s.records_included).toBeLessThan(1);
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
    await waitFor(() =>
      expect(within(card).getByTestId('optout-genai-training').textContent).toBe(String(imported.denied['genai-training'])),
    );
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
    const { denied: d, allowed: a } = imported;
    expect(denied).toEqual({ search: d.search, genai: d['genai-training'], sharing: d['partner-sharing'] });
    expect(allowed.search).toBe(a.search);

    const denyGenai = length(deny.getByTestId('bar-genai-training'));
    const denySharing = length(deny.getByTestId('bar-partner-sharing'));
    const allowSearch = length(allow.getByTestId('bar-search'));
    expect(denySharing / denyGenai).toBeCloseTo(denied.sharing / denied.genai, 3);
    // Deny and allow share the scale: a deny count is drawn in proportion to an allow count.
    expect(denyGenai / allowSearch).toBeCloseTo(denied.genai / allowed.search, 3);
  });

  it('splits the regime bar in proportion to the users in each', async () => {
    const card = await overview();
    const optIn = length(within(card).getByTestId('segment-opt-in'));
    const optOut = length(within(card).getByTestId('segment-opt-out'));
    const { opt_in_regime: inRegime, opt_out_regime: outRegime } = imported;
    expect(within(card).getByTestId('regime-opt-in').textContent).toBe(String(inRegime));
    expect(within(card).getByTestId('regime-opt-out').textContent).toBe(String(outRegime));
    expect(optIn / optOut).toBeCloseTo(inRegime / outRegime, 3);
  });

  it('draws account statuses as shares of all users', async () => {
    const card = await overview();
    const status = within(within(card).getByTestId('overview-status'));
    const active = imported.by_status.active;
    expect(status.getByTestId('status-active').textContent).toBe(String(active));
    // A share of all users: the track is the whole registry, not the largest status.
    expect(active).toBeLessThan(imported.users);
    expect(length(status.getByTestId('bar-active')) / LAYOUT.width).toBeCloseTo(active / imported.users, 3);
  });
});
