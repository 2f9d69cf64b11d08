//! Deliveries: a deal's list, the signing key, receipts; creating, verifying, pushing
//! and opening one. A delivery adds to its deal's list, may make the signing key (first
//! use), carries users whose later withdrawals become pending, and shows in exposure
//! reports; a push stores receipts. Each writes audit entries.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { DealId, DeliveryId, DeliveryRequest, PushProgress } from '../bindings';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useSigningKey() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.signingKey, queryFn: () => call(() => backend.signingKey()) });
}

export function useDeliveries(dealId: DealId) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.deliveries.ofDeal(dealId),
    queryFn: () => call(() => backend.listDeliveries(dealId)),
  });
}

export function useReceipts(id: DeliveryId | null) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.deliveries.receipts(id ?? 0),
    queryFn: () => call(() => backend.deliveryReceipts(id as DeliveryId)),
    enabled: id !== null,
  });
}

export function useCreateDelivery() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: DeliveryRequest) => call(() => backend.createDelivery(request)),
    onSuccess: (delivery) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.deliveries.ofDeal(delivery.deal_id) }),
        client.invalidateQueries({ queryKey: keys.signingKey }),
        client.invalidateQueries({ queryKey: keys.withdrawals.pending(delivery.deal_id) }),
        client.invalidateQueries({ queryKey: keys.exposure.all }),
        client.invalidateQueries({ queryKey: keys.audit.all }),
      ]),
  });
}

/** Re-reads a package; changes nothing, so it invalidates nothing. */
export function useVerifyDelivery() {
  const { backend } = useApp();
  return useMutation({ mutationFn: (id: DeliveryId) => call(() => backend.verifyDelivery(id)) });
}

export interface PushVariables {
  id: DeliveryId;
  to: string;
  onProgress: (progress: PushProgress) => void;
}

/** A push stores a receipt per object (also when it stops midway): refreshed either way. */
export function usePushDelivery() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, to, onProgress }: PushVariables) => call(() => backend.pushDelivery(id, to, onProgress)),
    onSettled: (_report, _error, { id }) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.deliveries.receipts(id) }),
        client.invalidateQueries({ queryKey: keys.audit.all }),
      ]),
  });
}

/** Opens the package folder in the file manager; changes nothing. */
export function useOpenDeliveryFolder() {
  const { backend } = useApp();
  return useMutation({ mutationFn: (id: DeliveryId) => call(() => backend.openDeliveryFolder(id)) });
}
