//! The backend of the desktop app: each method is one Tauri command of the shell. This
//! is the only module that imports `@tauri-apps/api` (and the dialog plugin's API).
//! Argument names are camelCase in `invoke`'s object; Tauri maps them onto the
//! commands' snake_case parameters. `call` is typed by the commands' declaration
//! (`../commands.ts`, generated from Rust).

import { Channel, invoke } from '@tauri-apps/api/core';
import { open, save, type OpenDialogOptions, type SaveDialogOptions } from '@tauri-apps/plugin-dialog';

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
  ConsentOverview,
  Deal,
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
  DealFilter,
  DealId,
  DealInput,
  DealStatus,
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
import type { Commands } from '../commands';
import { toErrorBody, type Backend, type InvoiceFilter, type PickKind, type SaveKind } from './index';

// A filter matches the last extension: `posts.jsonl.zst` is offered by `zst`. The core
// tells a compressed file by its bytes, whatever its name.
const DATA_FILES = { name: 'CSV or JSON Lines, plain or compressed', extensions: ['csv', 'jsonl', 'gz', 'zst'] };

const PICKERS: Record<PickKind, OpenDialogOptions> = {
  registry: { title: 'Choose the user registry', multiple: false, directory: false, filters: [DATA_FILES] },
  ledger: { title: 'Choose the consent ledger', multiple: false, directory: false, filters: [DATA_FILES] },
  source: { title: 'Choose the source dataset', multiple: false, directory: false, filters: [DATA_FILES] },
  folder: { title: 'Choose the output folder', multiple: false, directory: true },
  'delivery-folder': { title: 'Choose a new or empty folder for the package', multiple: false, directory: true },
  attestation: { title: "Choose the partner's deletion attestation", multiple: false, directory: false },
};

const SAVERS: Record<SaveKind, SaveDialogOptions> = {
  notice: {
    title: 'Save the withdrawal notice as',
    defaultPath: 'withdrawal-notice.json',
    filters: [{ name: 'JSON', extensions: ['json'] }],
  },
  csv: {
    title: 'Export as CSV',
    defaultPath: 'report.csv',
    filters: [{ name: 'CSV', extensions: ['csv'] }],
  },
};

/**
 * Invokes one command of the shell, typed by its declaration in Rust
 * (src-tauri/src/commands.rs, generated into ../commands.ts): a wrong command name,
 * argument or response type does not compile.
 */
async function call<C extends keyof Commands>(
  command: C,
  args?: Commands[C]['args'],
): Promise<Commands[C]['response']> {
  try {
    return await invoke<Commands[C]['response']>(command, args);
  } catch (error) {
    throw toErrorBody(error);
  }
}

/** A channel that hands each message to `onProgress` (or drops it). */
function progressChannel<T>(onProgress?: (progress: T) => void): Channel<T> {
  const channel = new Channel<T>();
  channel.onmessage = onProgress ?? (() => undefined);
  return channel;
}

export class TauriBackend implements Backend {
  storeInfo(): Promise<StoreInfo> {
    return call('store_info');
  }
  async storeCheck(): Promise<void> {
    await call('store_check');
  }
  listPartners(): Promise<Partner[]> {
    return call('list_partners');
  }
  createPartner(input: PartnerInput): Promise<Partner> {
    return call('create_partner', { input });
  }
  updatePartner(id: PartnerId, input: PartnerInput): Promise<Partner> {
    return call('update_partner', { id, input });
  }
  listDeals(filter: DealFilter): Promise<Deal[]> {
    return call('list_deals', { filter });
  }
  getDeal(id: DealId): Promise<Deal> {
    return call('get_deal', { id });
  }
  createDeal(input: DealInput): Promise<Deal> {
    return call('create_deal', { input });
  }
  updateDeal(id: DealId, input: DealInput): Promise<Deal> {
    return call('update_deal', { id, input });
  }
  transitionDeal(id: DealId, to: DealStatus): Promise<Deal> {
    return call('transition_deal', { id, to });
  }
  renewDeal(id: DealId, input: RenewInput): Promise<Deal> {
    return call('renew_deal', { id, input });
  }
  listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    return call('list_audit', { filter });
  }
  verifyAudit(): Promise<AuditReport> {
    return call('verify_audit');
  }
  importRegistry(path: string, options: ImportOptions, onProgress?: (progress: ImportProgress) => void): Promise<ImportReport> {
    return call('import_registry', { path, options, onProgress: progressChannel(onProgress) });
  }
  importLedger(path: string, options: ImportOptions, onProgress?: (progress: ImportProgress) => void): Promise<ImportReport> {
    return call('import_ledger', { path, options, onProgress: progressChannel(onProgress) });
  }
  async cancelImport(kind: ImportKind): Promise<void> {
    await call('cancel_import', { kind });
  }
  consentOverview(): Promise<ConsentOverview> {
    return call('consent_overview');
  }
  setPolicy(input: PolicyInput): Promise<Policy> {
    return call('set_policy', { input });
  }
  previewSource(path: string, format: string | null): Promise<SourcePreview> {
    return call('preview_source', { path, format });
  }
  buildSnapshot(request: BuildRequest, onProgress: (progress: Progress) => void): Promise<Snapshot> {
    const channel = new Channel<Progress>();
    channel.onmessage = onProgress;
    return call('build_snapshot', { request, onProgress: channel });
  }
  async cancelBuild(): Promise<void> {
    await call('cancel_build');
  }
  listSnapshots(dealId: DealId): Promise<Snapshot[]> {
    return call('list_snapshots', { dealId });
  }
  getSnapshot(id: SnapshotId): Promise<Snapshot> {
    return call('get_snapshot', { id });
  }
  verifySnapshot(id: SnapshotId): Promise<VerifyReport> {
    return call('verify_snapshot', { id });
  }
  signingKey(): Promise<KeyReport | null> {
    return call('signing_key');
  }
  listDeliveries(dealId: DealId): Promise<Delivery[]> {
    return call('list_deliveries', { dealId });
  }
  createDelivery(request: DeliveryRequest): Promise<Delivery> {
    return call('create_delivery', { request });
  }
  verifyDelivery(id: DeliveryId): Promise<PackageReport> {
    return call('verify_delivery', { id });
  }
  deliveryReceipts(id: DeliveryId): Promise<Receipt[]> {
    return call('delivery_receipts', { id });
  }
  pushDelivery(id: DeliveryId, to: string, onProgress: (progress: PushProgress) => void): Promise<PushReport> {
    const channel = new Channel<PushProgress>();
    channel.onmessage = onProgress;
    return call('push_delivery', { id, to, onProgress: channel });
  }
  async cancelPush(id: DeliveryId): Promise<void> {
    await call('cancel_push', { id });
  }
  async openDeliveryFolder(id: DeliveryId): Promise<void> {
    await call('open_delivery_folder', { id });
  }
  pendingWithdrawals(dealId: DealId): Promise<PendingUser[]> {
    return call('pending_withdrawals', { dealId });
  }
  listNotices(dealId: DealId): Promise<Notice[]> {
    return call('list_notices', { dealId });
  }
  createNotice(request: NoticeRequest): Promise<NoticeReport> {
    return call('create_notice', { request });
  }
  acknowledgeNotice(request: AckRequest): Promise<Notice> {
    return call('acknowledge_notice', { request });
  }
  exposure(userId: string): Promise<ExposureReport> {
    return call('exposure', { userId });
  }
  dealFees(dealId: DealId): Promise<FeeTerms | null> {
    return call('deal_fees', { dealId });
  }
  setFees(dealId: DealId, input: FeeInput): Promise<FeeTerms> {
    return call('set_fees', { dealId, input });
  }
  generateInvoices(dealId: DealId, through: string | null): Promise<Invoice[]> {
    return call('generate_invoices', { dealId, through });
  }
  listInvoices({ dealId, status, at }: InvoiceFilter): Promise<Invoice[]> {
    return call('list_invoices', { dealId, status, at });
  }
  invoicePage({ dealId, status, at }: InvoiceFilter, offset: number, limit: number): Promise<InvoicePage> {
    return call('invoice_page', { dealId, status, at, offset, limit });
  }
  invoicePayments(id: InvoiceId): Promise<Payment[]> {
    return call('invoice_payments', { id });
  }
  invoiceCredits(id: InvoiceId): Promise<CreditNote[]> {
    return call('invoice_credits', { id });
  }
  addPayment(input: PaymentInput): Promise<Payment> {
    return call('add_payment', { input });
  }
  voidInvoice(id: InvoiceId, reason: string): Promise<Invoice> {
    return call('void_invoice', { id, reason });
  }
  creditInvoice(id: InvoiceId, amount: string, reason: string, date: string | null): Promise<CreditNote> {
    return call('credit_invoice', { id, amount, reason, date });
  }
  revenueReport(
    from: string,
    to: string,
    group: Grouping,
    dealId: DealId | null,
    base: string | null,
  ): Promise<RevenueReport> {
    return call('revenue_report', { from, to, group, dealId, base });
  }
  deferredReport(at: string, dealId: DealId | null, base: string | null): Promise<DeferredReport> {
    return call('deferred_report', { at, dealId, base });
  }
  agingReport(at: string, dealId: DealId | null, base: string | null): Promise<AgingReport> {
    return call('aging_report', { at, dealId, base });
  }
  revenueSummary(from: string, to: string, group: Grouping): Promise<RevenueSummary> {
    return call('revenue_summary', { from, to, group });
  }
  financeSummary(at: string): Promise<FinanceSummary> {
    return call('finance_summary', { at });
  }
  exportReportCsv(request: ReportRequest, path: string): Promise<CsvExport> {
    return call('export_report_csv', { request, path });
  }
  fxRates(): Promise<FxRateRecord[]> {
    return call('fx_rates');
  }
  setFxRate(input: FxRateInput): Promise<FxRateRecord> {
    return call('set_fx_rate', { input });
  }
  seedDemo(options: DemoOptions, onProgress: (progress: DemoProgress) => void): Promise<DemoReport> {
    const channel = new Channel<DemoProgress>();
    channel.onmessage = onProgress;
    return call('seed_demo', { options, onProgress: channel });
  }
  backupStatus(): Promise<BackupStatus> {
    return call('backup_status');
  }
  setBackupKeep(keep: number): Promise<BackupStatus> {
    return call('set_backup_keep', { keep });
  }
  dashboard(today: string | null): Promise<Dashboard> {
    return call('dashboard', { today });
  }
  consentHealth(today: string | null): Promise<ConsentHealth> {
    return call('consent_health', { today });
  }
  async pickSaveFile(kind: SaveKind, name?: string): Promise<string | null> {
    try {
      const options = SAVERS[kind];
      const chosen = await save(name ? { ...options, defaultPath: name } : options);
      return typeof chosen === 'string' ? chosen : null;
    } catch (error) {
      throw toErrorBody(error);
    }
  }
  async pickFile(kind: PickKind): Promise<string | null> {
    try {
      const chosen = await open(PICKERS[kind]);
      return typeof chosen === 'string' ? chosen : null;
    } catch (error) {
      throw toErrorBody(error);
    }
  }
}
