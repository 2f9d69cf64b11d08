// Generated from src-tauri/src/commands.rs by `make bindings`. Do not edit.

import type * as B from './bindings';

/** The channel a command streams progress through (the UI passes a Tauri Channel). */
export interface Channel<T> {
  onmessage: (message: T) => void;
}

/** Per command: its arguments as the UI passes them, and its response. */
export type Commands = {
  store_info: { args: Record<string, never>; response: B.StoreInfo };
  store_check: { args: Record<string, never>; response: null };
  list_partners: { args: Record<string, never>; response: Array<B.Partner> };
  create_partner: { args: { input: B.PartnerInput }; response: B.Partner };
  update_partner: { args: { id: B.PartnerId; input: B.PartnerInput }; response: B.Partner };
  list_deals: { args: { filter: B.DealFilter }; response: Array<B.Deal> };
  get_deal: { args: { id: B.DealId }; response: B.Deal };
  create_deal: { args: { input: B.DealInput }; response: B.Deal };
  update_deal: { args: { id: B.DealId; input: B.DealInput }; response: B.Deal };
  transition_deal: { args: { id: B.DealId; to: B.DealStatus }; response: B.Deal };
  renew_deal: { args: { id: B.DealId; input: B.RenewInput }; response: B.Deal };
  list_audit: { args: { filter: B.AuditFilter }; response: Array<B.AuditEntry> };
  verify_audit: { args: Record<string, never>; response: B.AuditReport };
  audit_head: { args: Record<string, never>; response: B.AuditHead };
  import_registry: { args: { path: string; options: B.ImportOptions; onProgress: Channel<B.ImportProgress> }; response: B.ImportReport };
  import_ledger: { args: { path: string; options: B.ImportOptions; onProgress: Channel<B.ImportProgress> }; response: B.ImportReport };
  cancel_import: { args: { kind: B.ImportKind }; response: null };
  consent_overview: { args: Record<string, never>; response: B.ConsentOverview };
  set_policy: { args: { input: B.PolicyInput }; response: B.Policy };
  preview_source: { args: { path: string; format: string | null }; response: B.SourcePreview };
  build_snapshot: { args: { request: B.BuildRequest; onProgress: Channel<B.Progress> }; response: B.Snapshot };
  cancel_build: { args: Record<string, never>; response: null };
  list_snapshots: { args: { dealId: B.DealId }; response: Array<B.Snapshot> };
  get_snapshot: { args: { id: B.SnapshotId }; response: B.Snapshot };
  verify_snapshot: { args: { id: B.SnapshotId }; response: B.VerifyReport };
  signing_key: { args: Record<string, never>; response: B.KeyReport | null };
  list_deliveries: { args: { dealId: B.DealId }; response: Array<B.Delivery> };
  create_delivery: { args: { request: B.DeliveryRequest }; response: B.Delivery };
  verify_delivery: { args: { id: B.DeliveryId }; response: B.PackageReport };
  delivery_receipts: { args: { id: B.DeliveryId }; response: Array<B.Receipt> };
  push_delivery: { args: { id: B.DeliveryId; to: string; onProgress: Channel<B.PushProgress> }; response: B.PushReport };
  cancel_push: { args: { id: B.DeliveryId }; response: null };
  open_delivery_folder: { args: { id: B.DeliveryId }; response: null };
  pending_withdrawals: { args: { dealId: B.DealId }; response: Array<B.PendingUser> };
  list_notices: { args: { dealId: B.DealId }; response: Array<B.Notice> };
  create_notice: { args: { request: B.NoticeRequest }; response: B.NoticeReport };
  acknowledge_notice: { args: { request: B.AckRequest }; response: B.Notice };
  exposure: { args: { userId: string }; response: B.ExposureReport };
  deal_fees: { args: { dealId: B.DealId }; response: B.FeeTerms | null };
  set_fees: { args: { dealId: B.DealId; input: B.FeeInput }; response: B.FeeTerms };
  generate_invoices: { args: { dealId: B.DealId; through: string | null }; response: Array<B.Invoice> };
  list_invoices: { args: { dealId: B.DealId | null; status: string | null; at: string | null }; response: Array<B.Invoice> };
  invoice_page: { args: { dealId: B.DealId | null; status: string | null; at: string | null; offset: number; limit: number }; response: B.InvoicePage };
  invoice_payments: { args: { id: B.InvoiceId }; response: Array<B.Payment> };
  invoice_credits: { args: { id: B.InvoiceId }; response: Array<B.CreditNote> };
  add_payment: { args: { input: B.PaymentInput }; response: B.Payment };
  void_invoice: { args: { id: B.InvoiceId; reason: string }; response: B.Invoice };
  credit_invoice: { args: { id: B.InvoiceId; amount: string; reason: string; date: string | null }; response: B.CreditNote };
  revenue_report: { args: { from: string; to: string; group: B.Grouping; dealId: B.DealId | null; base: string | null }; response: B.RevenueReport };
  deferred_report: { args: { at: string; dealId: B.DealId | null; base: string | null }; response: B.DeferredReport };
  aging_report: { args: { at: string; dealId: B.DealId | null; base: string | null }; response: B.AgingReport };
  revenue_summary: { args: { from: string; to: string; group: B.Grouping }; response: B.RevenueSummary };
  finance_summary: { args: { at: string }; response: B.FinanceSummary };
  export_report_csv: { args: { request: B.ReportRequest; path: string }; response: B.CsvExport };
  fx_rates: { args: Record<string, never>; response: Array<B.FxRateRecord> };
  dashboard: { args: { today: string | null }; response: B.Dashboard };
  seed_demo: { args: { options: B.DemoOptions; onProgress: Channel<B.DemoProgress> }; response: B.DemoReport };
  backup_status: { args: Record<string, never>; response: B.BackupStatus };
  set_backup_keep: { args: { keep: number }; response: B.BackupStatus };
  consent_health: { args: { today: string | null }; response: B.ConsentHealth };
  set_fx_rate: { args: { input: B.FxRateInput }; response: B.FxRateRecord };
};
