//! One query key per entity the UI caches. Keys are arrays whose first element names the
//! entity, so invalidating `['deals']` reaches the list and every deal, and invalidating
//! `['snapshots', 'deal', 3]` reaches only deal 3's list. Mutations invalidate keys built
//! here, never literal arrays, so a key and its invalidations cannot drift apart.

import type { DealFilter, DealId, SnapshotId } from '../bindings';

/** The entities whose changes are recorded in the audit log (`AuditEntry.entity`). */
export type AuditedEntity = 'partner' | 'deal' | 'policy' | 'snapshot' | 'import';

export const keys = {
  storeInfo: ['store-info'] as const,
  partners: ['partners'] as const,
  deals: {
    all: ['deals'] as const,
    list: (filter: DealFilter) => ['deals', 'list', filter] as const,
    detail: (id: DealId) => ['deals', 'detail', id] as const,
  },
  snapshots: {
    all: ['snapshots'] as const,
    ofDeal: (dealId: DealId) => ['snapshots', 'deal', dealId] as const,
    detail: (id: SnapshotId) => ['snapshots', 'detail', id] as const,
  },
  consent: {
    all: ['consent'] as const,
    overview: ['consent', 'overview'] as const,
    /** Read with the overview (the core has no separate read); see `usePolicy`. */
    policy: ['consent', 'policy'] as const,
  },
  audit: {
    all: ['audit'] as const,
    of: (entity: AuditedEntity, id: number) => ['audit', entity, id] as const,
  },
};
