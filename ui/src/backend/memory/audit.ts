//! The audit log in memory: one entry per change the other modules made
//! (`MemoryState.record`), listed oldest first. Verification re-computes nothing: it
//! answers with the recorded report's shape for this log.

import type { AuditEntry } from '../../bindings';
import type { AuditApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import type { MemoryState } from './state';

export function auditApi(state: MemoryState): AuditApi {
  return {
    async listAudit(filter) {
      const deal = filter.deal_id ?? null;
      return recorded(
        state.audit
          .filter((e) => filter.entity === null || e.entity === filter.entity)
          .filter((e) => filter.entity_id === null || e.entity_id === filter.entity_id)
          .filter((e) => deal === null || ofDeal(state, e, deal)),
      );
    },

    async verifyAudit() {
      const head = state.audit.length > 0 ? state.audit[state.audit.length - 1].hash : null;
      return { ...recorded(fixtures.responses.auditReport), entries: state.audit.length, head_hash: head };
    },
  };
}

/** Whether an entry belongs to deal `deal`'s History, as the core decides it. */
function ofDeal(state: MemoryState, e: AuditEntry, deal: number): boolean {
  const image = (e.after ?? e.before) as Record<string, unknown> | null;
  if (e.entity === 'deal' || e.entity === 'fee_schedule') return e.entity_id === deal;
  if (image?.deal_id === deal) return true;
  if (e.entity === 'delivery_receipt') return state.deliveries.some((d) => d.delivery_id === e.entity_id && d.deal_id === deal);
  if (e.entity === 'payment' || e.entity === 'credit_note') {
    return state.invoices.some((i) => i.id === image?.invoice_id && i.deal_id === deal);
  }
  return false;
}
