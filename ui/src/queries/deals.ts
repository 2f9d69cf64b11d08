//! Deals: the list, one deal, and the changes to them. Every change invalidates the list
//! and the deal (the list shows status and terms; a renewal changes the old deal's
//! `renewed_by`) and the deal's audit trail, which gained an entry, and finance (a renewal
//! copies the fees, a termination stops billing).

import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import type { Deal, DealId, DealInput, DealStatus, RenewInput } from '../bindings';
import { ALL_DEALS } from '../backend';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useDeals() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.deals.list(ALL_DEALS), queryFn: () => call(() => backend.listDeals(ALL_DEALS)) });
}

export function useDeal(id: DealId | undefined) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.deals.detail(id ?? 0),
    queryFn: () => call(() => backend.getDeal(id as DealId)),
    enabled: id !== undefined,
  });
}

/**
 * After `deal` changed: show it at once, refetch the lists and its audit trail. The
 * mutations return this promise, so they resolve once what is on screen is current.
 */
function changed(client: QueryClient, deal: Deal) {
  client.setQueryData(keys.deals.detail(deal.id), deal);
  return Promise.all([
    client.invalidateQueries({ queryKey: keys.deals.all }),
    client.invalidateQueries({ queryKey: keys.audit.of('deal', deal.id) }),
    client.invalidateQueries({ queryKey: keys.audit.ofDeal(deal.id) }),
    // A renewal copies the fee schedule; a termination ends billing and recognition.
    client.invalidateQueries({ queryKey: keys.finance.all }),
  ]);
}

/** Creates a deal (no `id`) or edits the terms of one. */
export function useSaveDeal() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: DealId; input: DealInput }) =>
      call(() => (id === undefined ? backend.createDeal(input) : backend.updateDeal(id, input))),
    onSuccess: (deal) => changed(client, deal),
  });
}

export function useTransitionDeal() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, to }: { id: DealId; to: DealStatus }) => call(() => backend.transitionDeal(id, to)),
    onSuccess: (deal) => changed(client, deal),
    // A refused move usually means the deal changed elsewhere (the CLI shares the store):
    // show what it is now.
    onError: (_error, { id }) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.deals.detail(id) }),
        client.invalidateQueries({ queryKey: keys.audit.of('deal', id) }),
        client.invalidateQueries({ queryKey: keys.audit.ofDeal(id) }),
      ]),
  });
}

/** Creates the renewal of deal `id`; the old deal's `renewed_by` changes with it. */
export function useRenewDeal() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: DealId; input: RenewInput }) => call(() => backend.renewDeal(id, input)),
    onSuccess: (renewal) => changed(client, renewal),
  });
}
