//! The desktop shell: the only crate that knows about Tauri and IPC.
//!
//! Each command is a one-line adapter: it hands its arguments to one core function on a
//! blocking thread (never a SQLite call on the async runtime or the UI thread) and
//! returns the result, or the core's error as `{ code, message, fields }`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use consentry::audit::{self, AuditEntry, AuditFilter, AuditReport};
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
use consentry::{ErrorBody, ErrorCode, Store};
use tauri::ipc::Channel;
use tauri::State;

/// The store the app opened (or why it could not be opened, shown by the UI), and the
/// flag that cancels a running snapshot build.
pub struct AppState {
    store: Result<Arc<Store>, ErrorBody>,
    cancel: Arc<AtomicBool>,
}

impl AppState {
    /// Opens the store and removes what a crashed snapshot build left behind.
    pub fn open(path: Option<PathBuf>) -> AppState {
        let opened = path
            .map_or_else(Store::default_path, Ok)
            .and_then(|path| Store::open(&path))
            .map_err(consentry::Error::from)
            .and_then(|store| snapshot::clean_leftovers(&store).map(|_| store))
            .map(Arc::new)
            .map_err(|e| e.body());
        AppState {
            store: opened,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn from_store(store: Store) -> AppState {
        AppState {
            store: Ok(Arc::new(store)),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }
}

type Reply<T> = Result<T, ErrorBody>;

/// Runs one core call on a blocking thread.
async fn call<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(&Store) -> consentry::Result<T> + Send + 'static,
) -> Reply<T> {
    let store = state.store.clone()?;
    tauri::async_runtime::spawn_blocking(move || f(&store).map_err(|e| e.body()))
        .await
        .unwrap_or_else(|e| {
            Err(ErrorBody {
                code: ErrorCode::Store,
                message: format!("the request stopped unexpectedly: {e}"),
                fields: Vec::new(),
                lines: Vec::new(),
            })
        })
}

#[tauri::command]
async fn store_info(state: State<'_, AppState>) -> Reply<StoreInfo> {
    call(state, |s| Ok(s.info())).await
}

#[tauri::command]
async fn list_partners(state: State<'_, AppState>) -> Reply<Vec<Partner>> {
    call(state, partner::list).await
}

#[tauri::command]
async fn create_partner(state: State<'_, AppState>, input: PartnerInput) -> Reply<Partner> {
    call(state, move |s| partner::create(s, input)).await
}

#[tauri::command]
async fn update_partner(
    state: State<'_, AppState>,
    id: PartnerId,
    input: PartnerInput,
) -> Reply<Partner> {
    call(state, move |s| partner::update(s, id, input)).await
}

#[tauri::command]
async fn list_deals(state: State<'_, AppState>, filter: DealFilter) -> Reply<Vec<Deal>> {
    call(state, move |s| deal::list(s, &filter)).await
}

#[tauri::command]
async fn get_deal(state: State<'_, AppState>, id: DealId) -> Reply<Deal> {
    call(state, move |s| deal::get(s, id)).await
}

#[tauri::command]
async fn create_deal(state: State<'_, AppState>, input: DealInput) -> Reply<Deal> {
    call(state, move |s| deal::create(s, input)).await
}

#[tauri::command]
async fn update_deal(state: State<'_, AppState>, id: DealId, input: DealInput) -> Reply<Deal> {
    call(state, move |s| deal::update(s, id, input)).await
}

#[tauri::command]
async fn transition_deal(state: State<'_, AppState>, id: DealId, to: DealStatus) -> Reply<Deal> {
    call(state, move |s| deal::transition(s, id, to)).await
}

#[tauri::command]
async fn renew_deal(state: State<'_, AppState>, id: DealId, input: RenewInput) -> Reply<Deal> {
    call(state, move |s| deal::renew(s, id, input)).await
}

#[tauri::command]
async fn list_audit(state: State<'_, AppState>, filter: AuditFilter) -> Reply<Vec<AuditEntry>> {
    call(state, move |s| audit::list(s, &filter)).await
}

#[tauri::command]
async fn verify_audit(state: State<'_, AppState>) -> Reply<AuditReport> {
    call(state, audit::verify).await
}

#[tauri::command]
async fn import_registry(
    state: State<'_, AppState>,
    path: String,
    options: ImportOptions,
) -> Reply<ImportReport> {
    call(state, move |s| {
        imports::import_registry(s, path.as_ref(), &options)
    })
    .await
}

#[tauri::command]
async fn import_ledger(
    state: State<'_, AppState>,
    path: String,
    options: ImportOptions,
) -> Reply<ImportReport> {
    call(state, move |s| {
        imports::import_ledger(s, path.as_ref(), &options)
    })
    .await
}

#[tauri::command]
async fn consent_overview(state: State<'_, AppState>) -> Reply<ConsentOverview> {
    call(state, overview::overview).await
}

#[tauri::command]
async fn set_policy(state: State<'_, AppState>, input: PolicyInput) -> Reply<Policy> {
    call(state, move |s| policy::set_policy(s, &input)).await
}

#[tauri::command]
async fn preview_source(
    state: State<'_, AppState>,
    path: String,
    format: Option<String>,
) -> Reply<SourcePreview> {
    call(state, move |_| {
        snapshot::preview(&path, format.as_deref(), 5)
    })
    .await
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

#[tauri::command]
async fn list_snapshots(state: State<'_, AppState>, deal_id: DealId) -> Reply<Vec<Snapshot>> {
    call(state, move |s| snapshot::list(s, deal_id)).await
}

#[tauri::command]
async fn get_snapshot(state: State<'_, AppState>, id: SnapshotId) -> Reply<Snapshot> {
    call(state, move |s| snapshot::get(s, id)).await
}

#[tauri::command]
async fn verify_snapshot(state: State<'_, AppState>, id: SnapshotId) -> Reply<VerifyReport> {
    call(state, move |s| snapshot::verify(s, id)).await
}

/// Registers the commands and the state on any Tauri builder (the real one, or the
/// mock one in tests).
pub fn setup<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            store_info,
            list_partners,
            create_partner,
            update_partner,
            list_deals,
            get_deal,
            create_deal,
            update_deal,
            transition_deal,
            renew_deal,
            list_audit,
            verify_audit,
            import_registry,
            import_ledger,
            consent_overview,
            set_policy,
            preview_source,
            build_snapshot,
            cancel_build,
            list_snapshots,
            get_snapshot,
            verify_snapshot,
        ])
}

/// `--db PATH` (or `--db=PATH`) from the command line, if given.
fn db_argument(args: impl IntoIterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--db=") {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// Opens the store (`--db PATH`, else `$CONSENTRY_DB`, else the OS data directory) and
/// runs the app.
pub fn run() {
    let state = AppState::open(db_argument(std::env::args().skip(1)));
    setup(tauri::Builder::default(), state)
        .plugin(tauri_plugin_dialog::init())
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("the Consentry window could not be started");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_db_argument_is_read_in_both_forms() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(db_argument(args(&["--db", "/x.db"])), Some("/x.db".into()));
        assert_eq!(db_argument(args(&["--db=/y.db"])), Some("/y.db".into()));
        assert_eq!(db_argument(args(&["--other"])), None);
    }
}
