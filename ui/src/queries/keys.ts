//! One query key per entity the UI caches. Keys are arrays whose first element names the
//! entity, so invalidating `['deals']` reaches the list and every deal, and invalidating
//! `['snapshots', 'deal', 3]` reaches only deal 3's list. Mutations invalidate keys built
//! here, never literal arrays, so a key and its invalidations cannot drift apart.

import type { DealFilter, DealId, DeliveryId, InvoiceId, SnapshotId } from '../bindings';
import type { InvoiceFilter } from '../backend';

/** The entities whose changes are recorded in the audit log (`AuditEntry.entity`). */
export type AuditedEntity =
  | 'partner'
  | 'deal'
  | 'policy'
  | 'snapshot'
  | 'import'
  | 'signing_key'
  | 'delivery'
  | 'delivery_receipt'
  | 'withdrawal_notice'
  | 'fee_schedule'
  | 'invoice'
  | 'payment'
  | 'credit_note'
  | 'fx_rate';

export const keys = {
  storeInfo: ['store-info'] as const,
  /** The store's integrity check at start: asked once, never invalidated. */
  storeCheck: ['store-check'] as const,
  backups: ['backups'] as const,
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
  /**
   * The last verification of each snapshot in this session: kept by the UI (verifying
   * records nothing), apart from `snapshots` so that no invalidation forgets it.
   */
  verifications: (id: SnapshotId) => ['verifications', 'snapshot', id] as const,
  /** The store's signing keys (made by the first delivery or notice). */
  signingKey: ['signing-key'] as const,
  deliveries: {
    all: ['deliveries'] as const,
    ofDeal: (dealId: DealId) => ['deliveries', 'deal', dealId] as const,
    receipts: (id: DeliveryId) => ['deliveries', 'receipts', id] as const,
  },
  withdrawals: {
    /** Pending users and notices of every deal: what consent changes can move. */
    all: ['withdrawals'] as const,
    pending: (dealId: DealId) => ['withdrawals', 'pending', dealId] as const,
    notices: (dealId: DealId) => ['withdrawals', 'notices', dealId] as const,
  },
  /** Where one user's records went. */
  exposure: {
    all: ['exposure'] as const,
    of: (userId: string) => ['exposure', userId] as const,
  },
  /**
   * Fee schedules, invoices, payments and the reports: a payment or a credit changes an
   * invoice's status and every report, so finance mutations invalidate `all`.
   */
  finance: {
    all: ['finance'] as const,
    fees: (dealId: DealId) => ['finance', 'fees', dealId] as const,
    invoices: (filter: InvoiceFilter) => ['finance', 'invoices', filter] as const,
    invoicePages: (filter: InvoiceFilter) => ['finance', 'invoice-pages', filter] as const,
    payments: (id: InvoiceId) => ['finance', 'payments', id] as const,
    credits: (id: InvoiceId) => ['finance', 'credits', id] as const,
    report: (kind: 'revenue-summary' | 'summary', args: object) => ['finance', 'report', kind, args] as const,
    fx: ['finance', 'fx'] as const,
  },
  /** Read on every visit of the home screen; nothing there changes them. */
  dashboard: ['dashboard'] as const,
  consent: {
    all: ['consent'] as const,
    /** Eligibility at month ends: imports and policy changes move it. */
    health: ['consent', 'health'] as const,
    overview: ['consent', 'overview'] as const,
    /** Read with the overview (the core has no separate read); see `usePolicy`. */
    policy: ['consent', 'policy'] as const,
  },
  audit: {
    all: ['audit'] as const,
    of: (entity: AuditedEntity, id: number) => ['audit', entity, id] as const,
    /** A deal's History: the deal and what belongs to it. */
    ofDeal: (id: DealId) => ['audit', 'deal-history', id] as const,
  },
};
