//! The app's command surface, declared once: name, arguments, response, and the core
//! call that answers it. The adapters, the invoke handler, the command list Tauri's
//! permissions come from (`build.rs` reads this file), and the UI's typed client
//! (`ui/src/commands.ts`) all follow from this list (see `declare`). Adding a command is
//! one line here and, if it needs a new core function, that function.
//!
//! Keep one command per line group, starting with its name and `(`: `build.rs` reads
//! the names as text.

use consentry::audit::{self, AuditEntry, AuditFilter, AuditHead, AuditReport};
use consentry::consent::Policy;
use consentry::deal::{self, Deal, DealFilter, DealId, DealInput, DealStatus, RenewInput};
use consentry::imports::{self, ImportOptions, ImportReport};
use consentry::overview::{self, ConsentOverview};
use consentry::partner::{self, Partner, PartnerId, PartnerInput};
use consentry::policy::{self, PolicyInput};
use consentry::snapshot::{
    self, BuildRequest, Progress, Snapshot, SnapshotId, SourcePreview, VerifyReport,
};
use consentry::store::StoreInfo;
use tauri::ipc::Channel;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tauri::State;

use crate::declare::commands;
use crate::{call, AppState, Reply};

commands! {
    /// Where the store is, its schema version, and who the audit log names.
    store_info() -> StoreInfo => |s: &consentry::Store| Ok(s.info());
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
    import_registry(path: String, options: ImportOptions) -> ImportReport
        => |s| imports::import_registry(s, path.as_ref(), &options);
    import_ledger(path: String, options: ImportOptions) -> ImportReport
        => |s| imports::import_ledger(s, path.as_ref(), &options);
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
async fn cancel_build(state: State<'_, AppState>) -> Reply<()> {
    state.cancel.store(true, Ordering::Relaxed);
    Ok(())
}
