//! The app's command surface, declared once: name, arguments, response, and the core
//! call that answers it. The adapters, the invoke handler, the command list Tauri's
//! permissions come from (`build.rs` reads this file), and the UI's typed client
//! (`ui/src/commands.ts`) all follow from this list (see `declare`). Adding a command is
//! one line here and, if it needs a new core function, that function.
//!
//! Keep one command per line group, starting with its name and `(`: `build.rs` reads
//! the names as text.

use consentry::audit::{self, AuditEntry, AuditFilter, AuditHead, AuditReport};
use consentry::backup::BackupStatus;
use consentry::consent::Policy;
use consentry::dashboard::{self, ConsentHealth, Dashboard};
use consentry::deal::{self, Deal, DealFilter, DealId, DealInput, DealStatus, RenewInput};
use consentry::delivery::{
    self, push::PushEvent, push::PushOptions, Delivery, DeliveryId, DeliveryRequest, PackageReport,
    PushProgress, PushReport, Receipt,
};
use consentry::demo::{self, DemoOptions, DemoProgress, DemoReport};
use consentry::finance::{
    self, AgingReport, CreditNote, CsvExport, DeferredReport, FeeInput, FeeTerms, FinanceSummary,
    FxRateInput, FxRateRecord, Grouping, Invoice, InvoiceId, InvoicePage, Payment, PaymentInput,
    ReportRequest, RevenueReport, RevenueSummary,
};
use consentry::imports::{self, ImportKind, ImportOptions, ImportProgress, ImportReport};
use consentry::keys::{self, KeyReport};
use consentry::overview::{self, ConsentOverview};
use consentry::partner::{self, Partner, PartnerId, PartnerInput};
use consentry::policy::{self, PolicyInput};
use consentry::snapshot::{
    self, BuildRequest, Progress, Snapshot, SnapshotId, SourcePreview, VerifyReport,
};
use consentry::store::StoreInfo;
use consentry::withdrawal::{
    self, AckRequest, ExposureReport, Notice, NoticeReport, NoticeRequest, PendingUser,
};
use tauri::ipc::Channel;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tauri::State;

use crate::declare::commands;
use crate::{call, folder, AppState, Reply};

commands! {
    /// Where the store is, its schema version, and who the audit log names.
    store_info() -> StoreInfo => |s: &consentry::Store| Ok(s.info());
    /// Waits for the store's `quick_check`, which runs beside the first screen; the
    /// refusal every write gets when it failed (the UI shows it as a banner).
    store_check() -> () => |s: &consentry::Store| Ok(s.checked()?);
    list_partners() -> Vec<Partner> => partner::list;
    create_partner(input: PartnerInput) -> Partner => |s| partner::create(s, input);
    update_partner(id: PartnerId, input: PartnerInput) -> Partner
        => |s| partner::update(s, id, input);
    list_deals(filter: DealFilter) -> Vec<Deal> => |s| deal::list(s, &filter);
    get_deal(id: DealId) -> Deal => |s| deal::get(s, id);
    create_deal(input: DealInput) -> Deal => |s| deal::create(s, input);
    update_deal(id: DealId, input: DealInput) -> Deal => |s| deal::update(s, id, input);
    transition_deal(id: DealId, to: DealStatus) -> Deal => |s| deal::transition(s, id, to);
    renew_deal(id: DealId, input: RenewInput) -> Deal => |s| deal::renew(s, id, input);
    list_audit(filter: AuditFilter) -> Vec<AuditEntry> => |s| audit::list(s, &filter);
    verify_audit() -> AuditReport => audit::verify;
    /// The newest audit entry's seq and hash: what to keep somewhere else.
    audit_head() -> AuditHead => audit::head;
    /// Imports a registry file, sending progress a few times a second over
    /// `on_progress` (hand-written: it needs the app's import cancel flag).
    import_registry(path: String, options: ImportOptions, on_progress: Channel<ImportProgress>) -> ImportReport;
    /// Imports a ledger file, like `import_registry`.
    import_ledger(path: String, options: ImportOptions, on_progress: Channel<ImportProgress>) -> ImportReport;
    /// Stops the running import of that kind, which then writes nothing (hand-written:
    /// it only sets the app's cancel flag for that kind).
    cancel_import(kind: ImportKind) -> ();
    consent_overview() -> ConsentOverview => overview::overview;
    set_policy(input: PolicyInput) -> Policy => |s| policy::set_policy(s, &input);
    preview_source(path: String, format: Option<String>) -> SourcePreview
        => |_| snapshot::preview(&path, format.as_deref(), 5);
    /// Sends progress a few times a second over `on_progress` (hand-written: it needs
    /// the app's cancel flag).
    build_snapshot(request: BuildRequest, on_progress: Channel<Progress>) -> Snapshot;
    /// Stops the running build (hand-written: it only sets the app's cancel flag).
    cancel_build() -> ();
    list_snapshots(deal_id: DealId) -> Vec<Snapshot> => |s| snapshot::list(s, deal_id);
    get_snapshot(id: SnapshotId) -> Snapshot => |s| snapshot::get(s, id);
    verify_snapshot(id: SnapshotId) -> VerifyReport => |s| snapshot::verify(s, id);
    /// The store's signing keys, or null before the first delivery or notice made one.
    signing_key() -> Option<KeyReport> => keys::existing;
    list_deliveries(deal_id: DealId) -> Vec<Delivery> => |s| delivery::list(s, deal_id);
    /// Packages and signs a sealed snapshot (hand-written: it needs where the app keeps
    /// signing secrets).
    create_delivery(request: DeliveryRequest) -> Delivery;
    /// Checks a delivery's package folder (signatures, files, replays) by its id.
    verify_delivery(id: DeliveryId) -> PackageReport
        => |s| delivery::verify(Some(s), Path::new(&delivery::get(s, id)?.out_dir), None);
    delivery_receipts(id: DeliveryId) -> Vec<Receipt> => |s| delivery::receipts(s, id);
    /// Uploads a delivery, sending progress per object and per part over `on_progress`
    /// (hand-written: it needs the channel).
    push_delivery(id: DeliveryId, to: String, on_progress: Channel<PushProgress>) -> PushReport;
    /// Stops the push of delivery `id`; what it sent keeps its receipts (hand-written: it
    /// only sets that push's cancel flag).
    cancel_push(id: DeliveryId) -> ();
    /// Opens the folder the store recorded for the delivery; the UI never passes a path.
    open_delivery_folder(id: DeliveryId) -> ()
        => |s| folder::open(&delivery::get(s, id)?.out_dir);
    pending_withdrawals(deal_id: DealId) -> Vec<PendingUser>
        => |s| withdrawal::pending(s, deal_id, None);
    list_notices(deal_id: DealId) -> Vec<Notice> => |s| withdrawal::list(s, Some(deal_id), None);
    /// Issues a signed withdrawal notice (hand-written, like `create_delivery`).
    create_notice(request: NoticeRequest) -> NoticeReport;
    acknowledge_notice(request: AckRequest) -> Notice => |s| withdrawal::acknowledge(s, request);
    exposure(user_id: String) -> ExposureReport => |s| withdrawal::exposure(s, &user_id);
    /// A deal's fee schedule, or null before one is set.
    deal_fees(deal_id: DealId) -> Option<FeeTerms> => |s| finance::fees(s, deal_id);
    set_fees(deal_id: DealId, input: FeeInput) -> FeeTerms
        => |s| finance::set_fees(s, deal_id, input);
    /// Issues what is due through `through` (default today); the new invoices.
    generate_invoices(deal_id: DealId, through: Option<String>) -> Vec<Invoice>
        => |s| finance::generate(s, deal_id, through.map(|t| finance::date("through", &t)).transpose()?);
    /// Invoices of a deal or all, by issue date, with their status as of `at` (default today).
    list_invoices(deal_id: Option<DealId>, status: Option<String>, at: Option<String>) -> Vec<Invoice>
        => |s| finance::list(s, deal_id, status.as_deref(), at.map(|a| finance::date("at", &a)).transpose()?);
    /// A page of `list_invoices` newest first (at most 1,000 from `offset`), with the
    /// total: the Finance screen loads its table a page at a time as it scrolls.
    invoice_page(deal_id: Option<DealId>, status: Option<String>, at: Option<String>, offset: u32, limit: u32) -> InvoicePage
        => |s| finance::page(s, deal_id, status.as_deref(), at.map(|a| finance::date("at", &a)).transpose()?, offset.into(), limit.into());
    invoice_payments(id: InvoiceId) -> Vec<Payment> => |s| finance::payments(s, id);
    /// An invoice's credit notes, by date.
    invoice_credits(id: InvoiceId) -> Vec<CreditNote> => |s| finance::credits(s, id);
    add_payment(input: PaymentInput) -> Payment => |s| finance::add_payment(s, input);
    void_invoice(id: InvoiceId, reason: String) -> Invoice => |s| finance::void(s, id, &reason);
    /// Issues a credit note dated `date` (default today).
    credit_invoice(id: InvoiceId, amount: String, reason: String, date: Option<String>) -> CreditNote
        => |s| finance::credit(s, id, &amount, &reason, date.map(|d| finance::date("date", &d)).transpose()?);
    revenue_report(from: String, to: String, group: Grouping, deal_id: Option<DealId>, base: Option<String>) -> RevenueReport
        => |s| finance::revenue(s, finance::date("from", &from)?, finance::date("to", &to)?, group, deal_id, base.as_deref());
    deferred_report(at: String, deal_id: Option<DealId>, base: Option<String>) -> DeferredReport
        => |s| finance::deferred(s, finance::date("at", &at)?, deal_id, base.as_deref());
    aging_report(at: String, deal_id: Option<DealId>, base: Option<String>) -> AgingReport
        => |s| finance::aging(s, finance::date("at", &at)?, deal_id, base.as_deref());
    /// `revenue_report` of every deal summed per partner: what the revenue charts draw.
    revenue_summary(from: String, to: String, group: Grouping) -> RevenueSummary
        => |s| finance::revenue_summary(s, finance::date("from", &from)?, finance::date("to", &to)?, group);
    /// The deferred and aging totals at `at` and their counts: the finance cards.
    finance_summary(at: String) -> FinanceSummary
        => |s| finance::summary(s, finance::date("at", &at)?);
    /// Writes a report's CSV where the user chose in the save dialog.
    export_report_csv(request: ReportRequest, path: String) -> CsvExport
        => |s| finance::export_csv(s, &request, Path::new(&path));
    fx_rates() -> Vec<FxRateRecord> => finance::fx_rates;
    /// The home screen's contracted value, renewals due and withdrawals waiting, on
    /// `today` (default: today).
    dashboard(today: Option<String>) -> Dashboard
        => |s| dashboard::dashboard(s, today.map(|t| finance::date("today", &t)).transpose()?);
    /// Fills an empty store with the demo workspace, sending each step's progress over
    /// `on_progress` (hand-written: it needs the signing secrets and the channel).
    seed_demo(options: DemoOptions, on_progress: Channel<DemoProgress>) -> DemoReport;
    /// The daily backups: where, how many kept, the last run (hand-written: app state).
    backup_status() -> BackupStatus;
    /// Sets how many daily backups to keep and applies it at once.
    set_backup_keep(keep: u32) -> BackupStatus;
    /// Eligibility per purpose at the last 12 month ends and `today` (default: today).
    consent_health(today: Option<String>) -> ConsentHealth
        => |s| dashboard::consent_health(s, 12, today.map(|t| finance::date("today", &t)).transpose()?);
    set_fx_rate(input: FxRateInput) -> FxRateRecord => |s| finance::set_fx(s, &input);
}

/// Builds a snapshot, sending progress a few times a second over `on_progress`.
#[tauri::command]
async fn build_snapshot(
    state: State<'_, AppState>,
    request: BuildRequest,
    on_progress: Channel<Progress>,
) -> Reply<Snapshot> {
    let cancel = Arc::clone(&state.cancel);
    cancel.store(false, Ordering::Relaxed);
    call(state, move |s| {
        snapshot::build(
            s,
            &request,
            &mut |p| drop(on_progress.send(p.clone())),
            &cancel,
        )
    })
    .await
}

#[tauri::command]
async fn seed_demo(
    state: State<'_, AppState>,
    options: DemoOptions,
    on_progress: Channel<DemoProgress>,
) -> Reply<DemoReport> {
    let secrets = state.secrets.clone()?;
    call(state, move |s| {
        demo::seed(s, secrets, &options, &mut |p| {
            drop(on_progress.send(p.clone()))
        })
    })
    .await
}

#[tauri::command]
async fn backup_status(state: State<'_, AppState>) -> Reply<BackupStatus> {
    Ok(state.backups.status())
}

#[tauri::command]
async fn set_backup_keep<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    keep: u32,
) -> Reply<BackupStatus> {
    use tauri::Manager;
    // Applying it may write today's backup: on a blocking thread, like every store call.
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.backups.set_keep(&state, keep)
    })
    .await
    .unwrap_or_else(|e| {
        Err(consentry::Error::invalid("keep", format!("the change stopped: {e}")).body())
    })
}

#[tauri::command]
async fn cancel_build(state: State<'_, AppState>) -> Reply<()> {
    state.cancel.store(true, Ordering::Relaxed);
    Ok(())
}

/// `imports::import_registry_with` or `imports::import_ledger_with`.
type Importer = fn(
    &consentry::Store,
    &Path,
    &ImportOptions,
    &mut dyn FnMut(&ImportProgress),
    &std::sync::atomic::AtomicBool,
) -> consentry::Result<ImportReport>;

/// Runs an import with the app's cancel flag for its kind (cleared first), sending its
/// progress over `on_progress`.
async fn import(
    state: State<'_, AppState>,
    kind: ImportKind,
    path: String,
    options: ImportOptions,
    on_progress: Channel<ImportProgress>,
) -> Reply<ImportReport> {
    let import: Importer = match kind {
        ImportKind::Registry => imports::import_registry_with,
        ImportKind::Ledger => imports::import_ledger_with,
    };
    let cancel = state.imports.start(kind);
    let imports = Arc::clone(&state.imports);
    let reply = call(state, move |s| {
        import(
            s,
            path.as_ref(),
            &options,
            &mut |p| drop(on_progress.send(p.clone())),
            &cancel,
        )
    })
    .await;
    imports.finish(kind);
    reply
}

#[tauri::command]
async fn import_registry(
    state: State<'_, AppState>,
    path: String,
    options: ImportOptions,
    on_progress: Channel<ImportProgress>,
) -> Reply<ImportReport> {
    import(state, ImportKind::Registry, path, options, on_progress).await
}

#[tauri::command]
async fn import_ledger(
    state: State<'_, AppState>,
    path: String,
    options: ImportOptions,
    on_progress: Channel<ImportProgress>,
) -> Reply<ImportReport> {
    import(state, ImportKind::Ledger, path, options, on_progress).await
}

#[tauri::command]
async fn cancel_import(state: State<'_, AppState>, kind: ImportKind) -> Reply<()> {
    state.imports.cancel(kind);
    Ok(())
}

#[tauri::command]
async fn create_delivery(state: State<'_, AppState>, request: DeliveryRequest) -> Reply<Delivery> {
    let secrets = state.secrets.clone()?;
    call(state, move |s| delivery::create(s, secrets, request)).await
}

#[tauri::command]
async fn create_notice(state: State<'_, AppState>, request: NoticeRequest) -> Reply<NoticeReport> {
    let secrets = state.secrets.clone()?;
    call(state, move |s| withdrawal::create(s, secrets, request)).await
}

/// Pushes a delivery, sending its progress over `on_progress` (see [`forward`]).
#[tauri::command]
async fn push_delivery(
    state: State<'_, AppState>,
    id: DeliveryId,
    to: String,
    on_progress: Channel<PushProgress>,
) -> Reply<PushReport> {
    let cancel = state.pushes.start(id);
    let pushes = Arc::clone(&state.pushes);
    let reply = call(state, move |s| {
        let mut send = forward(move |p| drop(on_progress.send(p)), PART_INTERVAL);
        delivery::push(s, id, &to, &PushOptions::default(), &mut send, &cancel)
    })
    .await;
    pushes.finish(id);
    reply
}

/// Stops the push of delivery `id` at its next object or part.
#[tauri::command]
async fn cancel_push(state: State<'_, AppState>, id: DeliveryId) -> Reply<()> {
    state.pushes.cancel(id);
    Ok(())
}

/// How often at most the progress of one object's parts reaches the UI.
const PART_INTERVAL: Duration = Duration::from_millis(100);

/// Turns push events into what the UI receives: every object's start, retries and end,
/// and its parts' progress at most once per `interval` (a few updates a second).
fn forward(mut send: impl FnMut(PushProgress), interval: Duration) -> impl FnMut(&PushEvent<'_>) {
    let mut last_part: Option<Instant> = None;
    move |event| {
        if let PushEvent::Progress { .. } = event {
            if last_part.is_some_and(|at| at.elapsed() < interval) {
                return;
            }
            last_part = Some(Instant::now());
        }
        send(progress(event));
    }
}

/// A push event as the UI receives it.
fn progress(event: &PushEvent) -> PushProgress {
    match *event {
        PushEvent::Started { key, bytes } => PushProgress::Started {
            key: key.to_string(),
            bytes,
        },
        PushEvent::Progress { key, sent, bytes } => PushProgress::Part {
            key: key.to_string(),
            sent,
            bytes,
        },
        PushEvent::AttemptFailed {
            key,
            failures,
            reason,
        } => PushProgress::Retrying {
            key: key.to_string(),
            failures,
            reason: reason.to_string(),
        },
        PushEvent::Done(r) => PushProgress::Done {
            key: r.key.clone(),
            bytes: r.bytes,
            skipped: r.skipped,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consentry::delivery::push::Receipt as Landed;

    #[test]
    fn push_progress_keeps_every_object_and_batches_parts() {
        let mut seen = Vec::new();
        let mut send = forward(|p| seen.push(p), Duration::from_secs(3600));
        let landed = Landed {
            key: "prefix/part-00000.jsonl".into(),
            bytes: 30,
            sha256: "0".repeat(64),
            etag: None,
            version: None,
            uploaded_at: "2026-01-01T00:00:00.000Z".into(),
            skipped: false,
        };
        let key = landed.key.as_str();
        send(&PushEvent::Started { key, bytes: 30 });
        for sent in [10, 20, 30] {
            send(&PushEvent::Progress {
                key,
                sent,
                bytes: 30,
            });
        }
        send(&PushEvent::AttemptFailed {
            key,
            failures: 1,
            reason: "503",
        });
        send(&PushEvent::Done(&landed));
        drop(send);
        assert_eq!(
            seen,
            [
                PushProgress::Started {
                    key: key.into(),
                    bytes: 30
                },
                PushProgress::Part {
                    key: key.into(),
                    sent: 10,
                    bytes: 30
                },
                PushProgress::Retrying {
                    key: key.into(),
                    failures: 1,
                    reason: "503".into()
                },
                PushProgress::Done {
                    key: key.into(),
                    bytes: 30,
                    skipped: false
                },
            ]
        );
    }
}
