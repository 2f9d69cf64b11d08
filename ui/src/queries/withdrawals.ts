//! Withdrawals: a deal's pending users and notices, issuing and acknowledging a notice,
//! and one user's exposure. A notice lists the pending users (so they are no longer
//! pending), may make the signing key, and shows in exposure reports; an
//! acknowledgement changes the notice and the exposure reports that name it.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { AckRequest, DealId, NoticeRequest } from '../bindings';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function usePendingWithdrawals(dealId: DealId) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.withdrawals.pending(dealId),
    queryFn: () => call(() => backend.pendingWithdrawals(dealId)),
  });
}

export function useNotices(dealId: DealId) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.withdrawals.notices(dealId),
    queryFn: () => call(() => backend.listNotices(dealId)),
  });
}

/** The exposure report of `userId`; nothing is asked until there is one. */
export function useExposure(userId: string | null) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.exposure.of(userId ?? ''),
    queryFn: () => call(() => backend.exposure(userId as string)),
    enabled: userId !== null,
  });
}

export function useCreateNotice() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: NoticeRequest) => call(() => backend.createNotice(request)),
    onSuccess: (notice) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.withdrawals.pending(notice.deal_id) }),
        client.invalidateQueries({ queryKey: keys.withdrawals.notices(notice.deal_id) }),
        client.invalidateQueries({ queryKey: keys.signingKey }),
        client.invalidateQueries({ queryKey: keys.exposure.all }),
        client.invalidateQueries({ queryKey: keys.audit.all }),
      ]),
  });
}

export function useAcknowledgeNotice() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: AckRequest) => call(() => backend.acknowledgeNotice(request)),
    onSuccess: (notice) =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.withdrawals.notices(notice.deal_id) }),
        client.invalidateQueries({ queryKey: keys.exposure.all }),
        client.invalidateQueries({ queryKey: keys.audit.all }),
      ]),
  });
}
