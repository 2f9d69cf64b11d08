//! The core's real answers, for the in-memory backend and the UI tests: `fixtures.json`
//! is written by a Rust test (src-tauri/tests/fixtures.rs) that runs a scripted scenario
//! through the app's real commands on a real store, and fails when the committed file
//! is stale; `make bindings` regenerates it. Responses are what the commands returned
//! (a partner, a deal through its lifecycle, imports, overviews, snapshots, ...);
//! errors are the bodies `{code, message, fields, lines}` of the refusals the UI shows.
//! Volatile values are normalised: paths start with `/data`, times are one fixed
//! instant, audit hashes are numbered placeholders, durations are 40 ms.

import type {
  AgingReport,
  ConsentHealth,
  Dashboard,
  CreditNote,
  CsvExport,
  DeferredReport,
  FeeTerms,
  FinanceSummary,
  FxRateRecord,
  Invoice,
  Payment,
  RevenueReport,
  RevenueSummary,
  AuditEntry,
  AuditReport,
  ConsentOverview,
  Deal,
  Delivery,
  ErrorBody,
  ExposureReport,
  ImportReport,
  KeyReport,
  Notice,
  NoticeReport,
  PackageReport,
  Partner,
  PendingUser,
  Policy,
  PushReport,
  Receipt,
  Snapshot,
  SourcePreview,
  StoreInfo,
  VerifyReport,
} from '../bindings';
import raw from './fixtures.json';

export interface Responses {
  storeInfo: StoreInfo;
  partner: Partner;
  partnerUpdated: Partner;
  /** A new deal (draft), the same with a new title, and moved to negotiating. */
  deal: Deal;
  dealUpdated: Deal;
  dealTransitioned: Deal;
  /** The renewal, without dates, of an active deal running 2026-01-01 to 2027-12-31. */
  renewal: Deal;
  partnerAudit: AuditEntry[];
  dealAudit: AuditEntry[];
  policyAudit: AuditEntry[];
  /** Every action the scenario's audit log holds. */
  auditActions: string[];
  auditReport: AuditReport;
  /** A registry of 1250 users imported, the same file again, and a file with 3 bad lines skipped. */
  registryImport: ImportReport;
  registryReimport: ImportReport;
  registrySkipped: ImportReport;
  ledgerImport: ImportReport;
  /** The overview before any import, after the registry, after the ledger too. */
  overviewEmpty: ConsentOverview;
  overviewRegistry: ConsentOverview;
  overviewImported: ConsentOverview;
  /** Opt-in countries set to DE,US, and the overview under them. */
  policy: Policy;
  overviewOptIn: ConsentOverview;
  /** Then an opt-out gate from 2026-05-01 with the default 30 days' notice. */
  policyGated: Policy;
  overviewGated: ConsentOverview;
  /** The first lines of a JSONL source, its line 3 not JSON. */
  sourcePreview: SourcePreview;
  /** The same source compressed with zstd (`posts.jsonl.zst`): the same lines. */
  sourcePreviewZstd: SourcePreview;
  /** A snapshot sealed before the gate, and one under it (records held back). */
  snapshot: Snapshot;
  snapshotGated: Snapshot;
  snapshotVerified: VerifyReport;
  /** The gated snapshot after one of its shards was overwritten. */
  snapshotTampered: VerifyReport;
  /** No key before the first delivery; the key it made. */
  signingKeyNone: null;
  signingKey: KeyReport;
  /** The first snapshot delivered (sequence 1), and the deal's list then. */
  delivery: Delivery;
  deliveries: Delivery[];
  deliveryVerified: PackageReport;
  /** The package after a file the manifest does not list was added to its folder. */
  deliveryTampered: PackageReport;
  /** Pushed to a `file://` folder, then again (every object skipped); the receipts. */
  pushReport: PushReport;
  pushAgain: PushReport;
  receipts: Receipt[];
  /** After 40 users denied the deal's purpose: who the next notice would list. */
  pendingUsers: PendingUser[];
  notice: NoticeReport;
  pendingAfterNotice: PendingUser[];
  notices: Notice[];
  noticeAcknowledged: Notice;
  /** The first pending user's exposure before and after the acknowledgement; an unknown user's. */
  exposure: ExposureReport;
  exposureAcknowledged: ExposureReport;
  exposureUnknown: ExposureReport;
  /**
   * Finance, on a deal running 2026-01-01 to 2027-12-31: no fees, then USD 1,200,000.00 a
   * year billed quarterly with a 3% escalator; after signing, the invoices through
   * 2026-07-01 (three), and the same call again (none).
   */
  feesNone: null;
  fees: FeeTerms;
  invoicesGenerated: Invoice[];
  invoicesAgain: Invoice[];
  /** The first invoice paid in full, the second in part; the second's payments. */
  payment: Payment;
  paymentPartial: Payment;
  invoicePayments: Payment[];
  /** The third invoice voided; a credit note on the first. */
  invoiceVoided: Invoice;
  creditNote: CreditNote;
  invoiceCredits: CreditNote[];
  /** Every invoice and the deal's, as of 2026-07-15. */
  invoices: Invoice[];
  invoicesOfDeal: Invoice[];
  /** Revenue of 2026 by month; deferred and aging at 2026-07-15; the aging CSV. */
  revenue: RevenueReport;
  deferred: DeferredReport;
  aging: AgingReport;
  /** The same revenue summed per partner; the deferred and aging totals at 2026-07-15. */
  revenueSummary: RevenueSummary;
  financeSummary: FinanceSummary;
  csvExport: CsvExport;
  fxRate: FxRateRecord;
  fxRates: FxRateRecord[];
  /** The dashboard on 2027-11-15 (a deal due for renewal); consent health on 2026-07-15. */
  dashboard: Dashboard;
  consentHealth: ConsentHealth;
}

/** The refusals recorded, by what was refused. */
export const ERROR_NAMES = [
  'partnerNameBlank',
  'partnerNameTaken',
  'partnerNotFound',
  'dealTitleAndEnd',
  'dealTerritory',
  'dealDates',
  'dealNotFound',
  'termsFrozen',
  'transitionNotAllowed',
  'renewalNotAllowed',
  'renewedTwice',
  'renewalEndBeforeStart',
  'importBadLines',
  'importAllBad',
  'importNotRegistry',
  'importMissingColumn',
  'importNoFormat',
  'importUnreadable',
  'importCancelled',
  'storeDamaged',
  'policyCountry',
  'policyNoticeDays',
  'previewUnreadable',
  'buildNotSigned',
  'buildInvalid',
  'buildOutNotEmpty',
  'buildTooManyRejected',
  'buildCancelled',
  'snapshotNotFound',
  'deliveryNotSigned',
  'deliveryOutNotEmpty',
  'deliveryNotFound',
  'pushBadDestination',
  'pushStopped',
  'nothingToWithdraw',
  'noticeOutExists',
  'exposureBlank',
  'ackDateBeforeIssue',
  'ackFileAndReference',
  'ackTwice',
  'noticeNotFound',
  'feesInvalid',
  'feesDecimals',
  'invoicesNotSigned',
  'feesFrozen',
  'overpayment',
  'paymentBadAmount',
  'paymentOnVoid',
  'voidPaid',
  'creditBeforeIssue',
  'invoiceStatusUnknown',
  'revenueDates',
  'revenueNoRate',
  'invoiceNotFound',
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

export interface Fixtures {
  responses: Responses;
  errors: Record<ErrorName, ErrorBody>;
}

/** The recorded answers. Treat as read-only: hand out copies (`recorded`). */
export const fixtures = raw as unknown as Fixtures;

/** A fresh copy of a recorded value, safe to change and to hand to the screens. */
export function recorded<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
