//! Partners: the list every screen shares, and saving one. A rename changes the partner
//! name each deal carries, so saving an existing partner refreshes the deals too.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { PartnerId, PartnerInput } from '../bindings';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function usePartners() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.partners, queryFn: () => call(() => backend.listPartners()) });
}

/** Creates a partner (no `id`) or updates one. */
export function useSavePartner() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: PartnerId; input: PartnerInput }) =>
      call(() => (id === undefined ? backend.createPartner(input) : backend.updatePartner(id, input))),
    // Returned, so the save resolves once the lists on screen show the change.
    onSuccess: (partner, { id }) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.partners }),
        id !== undefined && client.invalidateQueries({ queryKey: keys.deals.all }),
        id !== undefined && client.invalidateQueries({ queryKey: keys.audit.of('partner', partner.id) }),
      ]),
  });
}
