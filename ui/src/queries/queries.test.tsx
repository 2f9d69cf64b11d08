import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';

import type { Backend } from '../backend';
import { fixtures } from '../backend/fixtures';
import { AppContext, type AppServices } from '../context';
import { addPartner, buildRequest, dealIn, dealInput, memoryBackend } from '../test/helpers';
import { useAudit } from './audit';
import { createQueryClient } from './client';
import { useConsentOverview, useImport, usePolicy, useSetPolicy } from './consent';
import { useDeal, useDeals, useRenewDeal, useSaveDeal, useTransitionDeal } from './deals';
import { keys } from './keys';
import { usePartners, useSavePartner } from './partners';
import { useCreateDelivery, useDeliveries, usePushDelivery, useReceipts, useSigningKey } from './deliveries';
import { useBuildSnapshot, useDealSnapshots } from './snapshots';
import { useAcknowledgeNotice, useCreateNotice, useExposure, useNotices, usePendingWithdrawals } from './withdrawals';

const NO_SKIP = { skip_invalid: false, format: null };

/**
 * Mounts hooks over a memory backend as the screens do: the queries stay mounted while
 * the mutation runs, so what they show afterwards comes only from invalidation (nothing
 * remounts and refetches on its own).
 */
function mount<T>(backend: Backend, hook: () => T, client: QueryClient = createQueryClient()) {
  const services: AppServices = {
    backend,
    navigate: () => undefined,
    reportError: () => undefined,
    clearError: () => undefined,
    openPartnerForm: () => undefined,
    scrollElement: () => null,
  };
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <AppContext.Provider value={services}>{children}</AppContext.Provider>
    </QueryClientProvider>
  );
  return { client, ...renderHook(hook, { wrapper }) };
}

describe('query keys', () => {
  it('nest, so that invalidating an entity reaches its lists and items', () => {
    expect(keys.deals.detail(3).slice(0, 1)).toEqual(keys.deals.all);
    expect(keys.deals.list({ status: null, partner_id: null })[0]).toBe('deals');
    expect(keys.snapshots.ofDeal(3)).toEqual(['snapshots', 'deal', 3]);
    expect(keys.audit.of('deal', 3)).not.toEqual(keys.audit.of('partner', 3));
    expect(keys.consent.policy.slice(0, 1)).toEqual(keys.consent.all);
  });
});

describe('mutations refresh what they change', () => {
  it('a transition refreshes the deal, the deals list and the deal’s audit trail, not the partners', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await backend.createDeal(dealInput(lab.id));
    const listPartners = vi.spyOn(backend, 'listPartners');
    const { result } = mount(backend, () => ({
      list: useDeals(),
      one: useDeal(deal.id),
      audit: useAudit('deal', deal.id),
      partners: usePartners(),
      move: useTransitionDeal(),
    }));
    await waitFor(() => expect(result.current.audit.data).toHaveLength(1));
    await waitFor(() => expect(result.current.partners.data).toHaveLength(1));

    await act(() => result.current.move.mutateAsync({ id: deal.id, to: 'negotiating' }));

    await waitFor(() => expect(result.current.one.data?.status).toBe('negotiating'));
    await waitFor(() => expect(result.current.list.data?.[0].status).toBe('negotiating'));
    await waitFor(() => expect(result.current.audit.data).toHaveLength(2));
    expect(listPartners).toHaveBeenCalledTimes(1);
  });

  it('a refused transition shows the deal as it is now', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await backend.createDeal(dealInput(lab.id));
    const { result } = mount(backend, () => ({ one: useDeal(deal.id), move: useTransitionDeal() }));
    await waitFor(() => expect(result.current.one.data?.status).toBe('draft'));
    await backend.transitionDeal(deal.id, 'terminated');

    await act(async () => {
      await expect(result.current.move.mutateAsync({ id: deal.id, to: 'negotiating' })).rejects.toMatchObject({
        code: 'illegal_transition',
      });
    });
    await waitFor(() => expect(result.current.one.data?.status).toBe('terminated'));
  });

  it('a new deal shows up in the list; a renewal marks the deal it renews', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const old = await dealIn(backend, lab.id, 'active');
    const { result } = mount(backend, () => ({
      list: useDeals(),
      old: useDeal(old.id),
      save: useSaveDeal(),
      renew: useRenewDeal(),
    }));
    await waitFor(() => expect(result.current.list.data).toHaveLength(1));

    await act(() => result.current.save.mutateAsync({ input: dealInput(lab.id, { title: 'Second' }) }));
    await waitFor(() => expect(result.current.list.data?.map((d) => d.title)).toEqual(['Second', 'Training data licence']));

    const renewal = await act(() => result.current.renew.mutateAsync({ id: old.id, input: { start_date: null, end_date: null } }));
    await waitFor(() => expect(result.current.old.data?.renewed_by).toBe(renewal.id));
    await waitFor(() => expect(result.current.list.data).toHaveLength(3));
  });

  it('renaming a partner refreshes the partner name the deals carry', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    await backend.createDeal(dealInput(lab.id));
    const { result } = mount(backend, () => ({ deals: useDeals(), partners: usePartners(), save: useSavePartner() }));
    await waitFor(() => expect(result.current.deals.data?.[0].partner_name).toBe('Northwind AI'));

    await act(() =>
      result.current.save.mutateAsync({
        id: lab.id,
        input: { name: 'Northwind Labs', kind: 'ai-lab', country: 'US', contact: null, notes: null },
      }),
    );
    await waitFor(() => expect(result.current.partners.data?.[0].name).toBe('Northwind Labs'));
    await waitFor(() => expect(result.current.deals.data?.[0].partner_name).toBe('Northwind Labs'));
  });

  it('an import refreshes the consent overview and nothing about deals', async () => {
    const backend = memoryBackend();
    const listDeals = vi.spyOn(backend, 'listDeals');
    const { result } = mount(backend, () => ({
      overview: useConsentOverview(),
      deals: useDeals(),
      run: useImport('registry'),
    }));
    await waitFor(() => expect(result.current.overview.data?.users).toBe(0));
    await waitFor(() => expect(result.current.deals.data).toEqual([]));

    await act(() => result.current.run.mutateAsync({ path: '/data/registry.csv', options: NO_SKIP }));
    await waitFor(() => expect(result.current.overview.data?.users).toBe(fixtures.responses.overviewRegistry.users));
    expect(listDeals).toHaveBeenCalledTimes(1);
  });

  it('a policy change refreshes the policy and the overview together', async () => {
    const backend = memoryBackend();
    await backend.importRegistry('/data/registry.csv', NO_SKIP);
    const consentOverview = vi.spyOn(backend, 'consentOverview');
    const { result } = mount(backend, () => ({
      overview: useConsentOverview(),
      policy: usePolicy(),
      set: useSetPolicy(),
    }));
    await waitFor(() => expect(result.current.policy.data?.version).toBe(1));
    // The policy came with the overview: one read, not two.
    expect(consentOverview).toHaveBeenCalledTimes(1);

    await act(() => result.current.set.mutateAsync({ opt_in: 'none', opt_out_available_from: null, notice_days: null }));
    await waitFor(() => expect(result.current.policy.data?.version).toBe(2));
    await waitFor(() => expect(result.current.overview.data?.policy.version).toBe(2));
    expect(result.current.overview.data?.policy.opt_in_countries).toEqual([]);
  });

  it('a build adds the snapshot to its deal’s list and refreshes the opt-out gate', async () => {
    const backend = memoryBackend();
    await backend.importRegistry('/data/registry.csv', NO_SKIP);
    await backend.importLedger('/data/ledger.jsonl', NO_SKIP);
    await backend.setPolicy({ opt_in: null, opt_out_available_from: '2026-05-01', notice_days: null });
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'signed');
    const { result, client } = mount(backend, () => ({
      snapshots: useDealSnapshots(deal.id),
      overview: useConsentOverview(),
      build: useBuildSnapshot(),
    }));
    await waitFor(() => expect(result.current.snapshots.data).toEqual([]));
    await waitFor(() => expect(result.current.overview.data?.gate?.records_held_back).toBe(0));

    const snapshot = await act(() =>
      result.current.build.mutateAsync({
        request: buildRequest(deal.id),
        onProgress: () => undefined,
      }),
    );
    await waitFor(() => expect(result.current.snapshots.data?.map((s) => s.snapshot_id)).toEqual([snapshot.snapshot_id]));
    const held = fixtures.responses.snapshotGated.held_back_by_gate;
    expect(held).toBeGreaterThan(0);
    await waitFor(() => expect(result.current.overview.data?.gate?.records_held_back).toBe(held));
    // The result screen opens on the sealed snapshot without asking again.
    expect(client.getQueryData(keys.snapshots.detail(snapshot.snapshot_id))).toEqual(snapshot);
  });
});

describe('deliveries and withdrawals refresh what they change', () => {
  it('a delivery refreshes the deal’s deliveries, the key, the pending withdrawals and the audit', async () => {
    const backend = memoryBackend({ pushTickMs: 0 });
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'signed');
    const snapshot = await backend.buildSnapshot(buildRequest(deal.id), () => undefined);
    const { result } = mount(backend, () => ({
      deliveries: useDeliveries(deal.id),
      key: useSigningKey(),
      pending: usePendingWithdrawals(deal.id),
      audit: useAudit('delivery', 1),
      receipts: useReceipts(1),
      create: useCreateDelivery(),
      push: usePushDelivery(),
    }));
    await waitFor(() => expect(result.current.deliveries.data).toEqual([]));
    await waitFor(() => expect(result.current.key.data).toBeNull());
    await waitFor(() => expect(result.current.pending.data).toEqual([]));
    await waitFor(() => expect(result.current.audit.data).toEqual([]));

    await act(() =>
      result.current.create.mutateAsync({ deal_id: deal.id, snapshot_id: snapshot.snapshot_id, out: '/data/p', platform: null }),
    );
    await waitFor(() => expect(result.current.deliveries.data).toHaveLength(1));
    await waitFor(() => expect(result.current.key.data?.current.key_id).toBe(fixtures.responses.signingKey.current.key_id));
    await waitFor(() => expect(result.current.pending.data).toHaveLength(fixtures.responses.pendingUsers.length));
    await waitFor(() => expect(result.current.audit.data?.map((e) => e.action)).toEqual(['delivery.created']));

    await act(() => result.current.push.mutateAsync({ id: 1, to: 'file:///data/b', onProgress: () => undefined }));
    await waitFor(() => expect(result.current.receipts.data).toHaveLength(fixtures.responses.pushReport.receipts.length));
  });

  it('a notice refreshes the pending users, the notices and the exposure; an acknowledgement the notices and exposure', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'signed');
    const snapshot = await backend.buildSnapshot(buildRequest(deal.id), () => undefined);
    await backend.createDelivery({ deal_id: deal.id, snapshot_id: snapshot.snapshot_id, out: '/data/p', platform: null });
    const user = fixtures.responses.exposure.user_id;
    const { result } = mount(backend, () => ({
      pending: usePendingWithdrawals(deal.id),
      notices: useNotices(deal.id),
      exposure: useExposure(user),
      create: useCreateNotice(),
      ack: useAcknowledgeNotice(),
    }));
    await waitFor(() => expect(result.current.pending.data?.length).toBeGreaterThan(0));
    await waitFor(() => expect(result.current.notices.data).toEqual([]));
    await waitFor(() => expect(result.current.exposure.data?.user_id).toBe(user));
    const listNotices = vi.spyOn(backend, 'listNotices');

    await act(() => result.current.create.mutateAsync({ deal_id: deal.id, as_of: null, out: '/data/n.json' }));
    await waitFor(() => expect(result.current.pending.data).toEqual([]));
    await waitFor(() => expect(result.current.notices.data).toHaveLength(1));
    const exposure = vi.spyOn(backend, 'exposure');

    await act(() => result.current.ack.mutateAsync({ notice_id: 1, date: '2026-01-20', attestation_file: null, reference: 'T' }));
    await waitFor(() => expect(result.current.notices.data?.[0].status).toBe('acknowledged'));
    await waitFor(() => expect(exposure).toHaveBeenCalledWith(user));
    expect(listNotices).toHaveBeenCalledTimes(2);
  });
});

describe('failures', () => {
  it('reach the screens as ErrorBody, whatever the backend threw', async () => {
    const backend = memoryBackend();
    vi.spyOn(backend, 'listPartners').mockRejectedValue(new Error('IPC channel closed'));
    const { result } = mount(backend, () => usePartners());
    await waitFor(() => expect(result.current.error).toEqual({ code: 'store', message: 'IPC channel closed', fields: [], lines: [] }));
  });
});
