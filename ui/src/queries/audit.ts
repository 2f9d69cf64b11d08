//! Audit trails, oldest first as the core returns them: one entity's, or a deal's with
//! what belongs to it.

import { useQuery } from '@tanstack/react-query';

import type { DealId } from '../bindings';
import { useApp } from '../context';
import { call } from './client';
import { keys, type AuditedEntity } from './keys';

export function useAudit(entity: AuditedEntity, id: number) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.audit.of(entity, id),
    queryFn: () => call(() => backend.listAudit({ entity, entity_id: id })),
  });
}

/**
 * A deal's History: its own entries and those of its fee schedule, snapshots, deliveries
 * and receipts, notices, invoices, payments and credit notes.
 */
export function useDealHistory(id: DealId) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.audit.ofDeal(id),
    queryFn: () => call(() => backend.listAudit({ entity: null, entity_id: null, deal_id: id })),
  });
}
