//! The audit log in memory: one entry per change the other modules made
//! (`MemoryState.record`), listed oldest first. Verification re-computes nothing: it
//! answers with the recorded report's shape for this log.

import type { AuditApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import type { MemoryState } from './state';

export function auditApi(state: MemoryState): AuditApi {
  return {
    async listAudit(filter) {
      return recorded(
        state.audit
          .filter((e) => filter.entity === null || e.entity === filter.entity)
          .filter((e) => filter.entity_id === null || e.entity_id === filter.entity_id),
      );
    },

    async verifyAudit() {
      const head = state.audit.length > 0 ? state.audit[state.audit.length - 1].hash : null;
      return { ...recorded(fixtures.responses.auditReport), entries: state.audit.length, head_hash: head };
    },
  };
}
