//! The UI's only door to the data. Screens talk to a `Backend`; `tauri.ts` implements it
//! over IPC to the Rust core and `memory/` in memory (with the core's recorded answers)
//! for unit tests and the browser preview. Every failure reaches the screens as an
//! `ErrorBody`, and screens branch on its `code` and `fields`, never on message text.

import type {
  AckRequest,
  DemoOptions,
  DemoProgress,
  DemoReport,
  BackupStatus,
  ConsentHealth,
  Dashboard,
  AgingReport,
  CreditNote,
  CsvExport,
  DeferredReport,
  FeeInput,
  FeeTerms,
  FinanceSummary,
  FxRateInput,
  FxRateRecord,
  Grouping,
  Invoice,
  InvoicePage,
  InvoiceId,
  Payment,
  PaymentInput,
  ReportRequest,
  RevenueReport,
  RevenueSummary,
  AuditEntry,
  AuditFilter,
  AuditReport,
  BuildRequest,
  Delivery,
  DeliveryId,
  DeliveryRequest,
  ExposureReport,
  KeyReport,
  Notice,
  NoticeReport,
  NoticeRequest,
  PackageReport,
  PendingUser,
  PushProgress,
  PushReport,
  Receipt,
  ConsentOverview,
  Deal,
  DealFilter,
  DealId,
  DealInput,
  DealStatus,
  ErrorBody,
  ErrorCode,
  FieldError,
  ImportKind,
  ImportOptions,
  ImportProgress,
  ImportReport,
  Partner,
  PartnerId,
  PartnerInput,
  Policy,
  PolicyInput,
  Progress,
  RenewInput,
  Snapshot,
  SnapshotId,
  SourcePreview,
  StoreInfo,
  VerifyReport,
} from '../bindings';

/** What a file picker is for: it decides the dialog's title and filters. */
export type PickKind = 'registry' | 'ledger' | 'source' | 'folder' | 'delivery-folder' | 'attestation';

/** What a save dialog is for: a new file the core will write (a notice), or a CSV export. */
export type SaveKind = 'notice' | 'csv';

/** The store itself. */
export interface StoreApi {
  storeInfo(): Promise<StoreInfo>;
  /**
   * Resolves once the store's integrity check (which runs behind the first screen) has
   * passed; rejects with the refusal every write then gets when it failed.
   */
  storeCheck(): Promise<void>;
  /** Asks the user for a file (or, for `folder`, a folder); null when they cancel. */
  pickFile(kind: PickKind): Promise<string | null>;
  /** The automatic daily backups: where they go, how many are kept, the last run. */
  backupStatus(): Promise<BackupStatus>;
  /** Keeps `keep` daily backups (1 to 3650), removing older ones at once. */
  setBackupKeep(keep: number): Promise<BackupStatus>;
  /** Asks the user where to write a file, suggesting `name`; null when they cancel. */
  pickSaveFile(kind: SaveKind, name?: string): Promise<string | null>;
}

export interface PartnersApi {
  listPartners(): Promise<Partner[]>;
  createPartner(input: PartnerInput): Promise<Partner>;
  updatePartner(id: PartnerId, input: PartnerInput): Promise<Partner>;
}

export interface DealsApi {
  /** Newest first. */
  listDeals(filter: DealFilter): Promise<Deal[]>;
  getDeal(id: DealId): Promise<Deal>;
  createDeal(input: DealInput): Promise<Deal>;
  updateDeal(id: DealId, input: DealInput): Promise<Deal>;
  transitionDeal(id: DealId, to: DealStatus): Promise<Deal>;
  /** Creates the renewal, a new draft deal linked to `id`, and returns it. */
  renewDeal(id: DealId, input: RenewInput): Promise<Deal>;
}

export interface AuditApi {
  /** Oldest first. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  verifyAudit(): Promise<AuditReport>;
}

export interface ConsentApi {
  /**
   * Imports a user registry file; a file with bad rows is refused unless told to skip
   * them. Reports progress a few times a second (and at each phase); rejects with code
   * `cancelled` after `cancelImport('registry')`, having written nothing.
   */
  importRegistry(path: string, options: ImportOptions, onProgress?: (progress: ImportProgress) => void): Promise<ImportReport>;
  /** Imports consent ledger events, under the same rules as the registry. */
  importLedger(path: string, options: ImportOptions, onProgress?: (progress: ImportProgress) => void): Promise<ImportReport>;
  /** Stops the running import of that kind. */
  cancelImport(kind: ImportKind): Promise<void>;
  consentOverview(): Promise<ConsentOverview>;
  /**
   * Stores a new policy version: the current one with the fields `input` gives (null
   * keeps a field). `opt_in` is comma-separated country codes or `none`, never blank;
   * `opt_out_available_from` is YYYY-MM-DD or `none` (no gate).
   */
  setPolicy(input: PolicyInput): Promise<Policy>;
}

export interface SnapshotsApi {
  /** The first records of a source file, to check the field mapping before a build. */
  previewSource(path: string, format: string | null): Promise<SourcePreview>;
  /**
   * Builds and seals a snapshot, reporting progress a few times a second. Rejects with
   * code `cancelled` after `cancelBuild`, having kept nothing.
   */
  buildSnapshot(request: BuildRequest, onProgress: (progress: Progress) => void): Promise<Snapshot>;
  cancelBuild(): Promise<void>;
  /** A deal's sealed snapshots, newest first. */
  listSnapshots(dealId: DealId): Promise<Snapshot[]>;
  getSnapshot(id: SnapshotId): Promise<Snapshot>;
  /** Re-reads a snapshot's shards and checks them against the sealed record. */
  verifySnapshot(id: SnapshotId): Promise<VerifyReport>;
}

export interface DeliveriesApi {
  /** The store's signing keys; null until the first delivery or notice made one. */
  signingKey(): Promise<KeyReport | null>;
  /** A deal's deliveries, in sequence order. */
  listDeliveries(dealId: DealId): Promise<Delivery[]>;
  /** Packages a sealed snapshot into a new or empty folder and signs its manifest. */
  createDelivery(request: DeliveryRequest): Promise<Delivery>;
  /** Checks the package folder: signatures, files, replays; every problem named. */
  verifyDelivery(id: DeliveryId): Promise<PackageReport>;
  /** What the delivery's pushes stored, by destination. */
  deliveryReceipts(id: DeliveryId): Promise<Receipt[]>;
  /** Uploads the package to `to`, reporting progress per object and per part. */
  pushDelivery(id: DeliveryId, to: string, onProgress: (progress: PushProgress) => void): Promise<PushReport>;
  /**
   * Stops the push of `id` at its next object or part: `pushDelivery` then rejects with
   * code `cancelled`, and the objects already sent keep their receipts.
   */
  cancelPush(id: DeliveryId): Promise<void>;
  /** Opens the folder the store recorded for the delivery in the file manager. */
  openDeliveryFolder(id: DeliveryId): Promise<void>;
}

export interface WithdrawalsApi {
  /** Users of the deal's deliveries no longer eligible whose records no notice listed yet. */
  pendingWithdrawals(dealId: DealId): Promise<PendingUser[]>;
  /** The deal's notices, newest first. */
  listNotices(dealId: DealId): Promise<Notice[]>;
  /** Issues a signed notice; refused when there is nothing new to withdraw. */
  createNotice(request: NoticeRequest): Promise<NoticeReport>;
  acknowledgeNotice(request: AckRequest): Promise<Notice>;
  /** Where one user's records went: snapshots, deliveries, partners, notices. */
  exposure(userId: string): Promise<ExposureReport>;
}

/** An invoice list's filter: one deal or all, one status or all, statuses as of `at`. */
export interface InvoiceFilter {
  dealId: DealId | null;
  status: string | null;
  /** The day statuses (overdue) are judged at; null is today. */
  at: string | null;
}

export interface FinanceApi {
  /** A deal's fee schedule; null before one is set. */
  dealFees(dealId: DealId): Promise<FeeTerms | null>;
  /** Sets (replaces) the schedule; refused once the deal is signed. */
  setFees(dealId: DealId, input: FeeInput): Promise<FeeTerms>;
  /** Issues what is due through `through` (null: today) and was not issued yet. */
  generateInvoices(dealId: DealId, through: string | null): Promise<Invoice[]>;
  /** By issue date. */
  listInvoices(filter: InvoiceFilter): Promise<Invoice[]>;
  /** The same newest first, `limit` (at most 1,000) from `offset`, with how many match in all. */
  invoicePage(filter: InvoiceFilter, offset: number, limit: number): Promise<InvoicePage>;
  invoicePayments(id: InvoiceId): Promise<Payment[]>;
  /** An invoice's credit notes, by date. */
  invoiceCredits(id: InvoiceId): Promise<CreditNote[]>;
  /** Partial payments are allowed; an overpayment or a void invoice is refused. */
  addPayment(input: PaymentInput): Promise<Payment>;
  voidInvoice(id: InvoiceId, reason: string): Promise<Invoice>;
  /** A credit note dated `date` (null: today). */
  creditInvoice(id: InvoiceId, amount: string, reason: string, date: string | null): Promise<CreditNote>;
  revenueReport(
    from: string,
    to: string,
    group: Grouping,
    dealId: DealId | null,
    base: string | null,
  ): Promise<RevenueReport>;
  deferredReport(at: string, dealId: DealId | null, base: string | null): Promise<DeferredReport>;
  agingReport(at: string, dealId: DealId | null, base: string | null): Promise<AgingReport>;
  /** The revenue report of every deal summed per partner and currency: what the charts draw. */
  revenueSummary(from: string, to: string, group: Grouping): Promise<RevenueSummary>;
  /** The deferred and aging reports' totals at `at`, per currency, and their counts: the cards. */
  financeSummary(at: string): Promise<FinanceSummary>;
  /** Writes the report's CSV (formula cells neutralized) to `path`. */
  exportReportCsv(request: ReportRequest, path: string): Promise<CsvExport>;
  fxRates(): Promise<FxRateRecord[]>;
  setFxRate(input: FxRateInput): Promise<FxRateRecord>;
}

export interface DemoApi {
  /** Fills an empty store with the demo workspace, reporting each step's progress. */
  seedDemo(options: DemoOptions, onProgress: (progress: DemoProgress) => void): Promise<DemoReport>;
}

export interface DashboardApi {
  /** Contracted value by status, renewals due, notices and withdrawals waiting, on `today` (null: today). */
  dashboard(today: string | null): Promise<Dashboard>;
  /** Per purpose, registry users eligible at the last 12 month ends and `today`. */
  consentHealth(today: string | null): Promise<ConsentHealth>;
}

/**
 * Everything the screens may ask, one interface per domain. The commands behind it
 * are declared once, in Rust (src-tauri/src/commands.rs); `tauri.ts` calls them typed by `../commands.ts`.
 */
export interface Backend
  extends StoreApi,
    PartnersApi,
    DealsApi,
    AuditApi,
    ConsentApi,
    SnapshotsApi,
    DeliveriesApi,
    WithdrawalsApi,
    FinanceApi,
    DashboardApi,
    DemoApi {}

const CODES: readonly ErrorCode[] = [
  'invalid',
  'not_found',
  'conflict',
  'illegal_transition',
  'schema_too_new',
  'store',
  'io',
  'cancelled',
  'unreachable',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function toFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((f) =>
    isRecord(f) && typeof f.field === 'string'
      ? [{ field: f.field, message: typeof f.message === 'string' ? f.message : '' }]
      : [],
  );
}

/**
 * Whatever a failed call rejected with, as an `ErrorBody`. The core's own errors pass
 * through; anything else (an IPC failure, a bug that threw) becomes code `store`.
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (isRecord(error) && CODES.includes(error.code as ErrorCode)) {
    return {
      code: error.code as ErrorCode,
      message: typeof error.message === 'string' ? error.message : String(error.code),
      fields: toFieldErrors(error.fields),
      lines: Array.isArray(error.lines) ? (error.lines as ErrorBody['lines']) : [],
      // Only a refused file has these: absent, not undefined, on every other error.
      ...(typeof error.lines_total === 'number' ? { lines_total: error.lines_total } : {}),
      ...(typeof error.rows_read === 'number' ? { rows_read: error.rows_read } : {}),
    };
  }
  let message: string;
  if (typeof error === 'string') message = error;
  else if (error instanceof Error) message = error.message;
  else if (isRecord(error) && typeof error.message === 'string') message = error.message;
  else message = 'Something went wrong while talking to the store.';
  return { code: 'store', message: message || 'Unknown error', fields: [], lines: [] };
}

/** A filter that selects every deal. */
export const ALL_DEALS: DealFilter = { status: null, partner_id: null };
