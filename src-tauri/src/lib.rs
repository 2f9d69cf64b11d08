//! The desktop shell: the only crate that knows about Tauri and IPC.
//!
//! Each command is a one-line adapter: it hands its arguments to one core function on a
//! blocking thread (never a SQLite call on the async runtime or the UI thread) and
//! returns the result, or the core's error as `{ code, message, fields }`. The commands
//! are declared once, in `commands.rs`; everything else about them follows from there.

mod backups;
mod commands;
mod declare;
mod folder;
mod reminders;
#[cfg(target_os = "linux")]
mod rendering;

pub use commands::{typescript, COMMANDS};

use std::collections::HashMap;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use consentry::delivery::DeliveryId;
use consentry::imports::ImportKind;
use consentry::keys::Secrets;
use consentry::snapshot;
use consentry::{ErrorBody, ErrorCode, Store};
use tauri::State;

/// The store the app opened (or why it could not be opened, shown by the UI), where new
/// signing secrets go (`CONSENTRY_SECRET_STORE`, or why its value was refused), and the
/// flags that cancel a running snapshot build, running pushes (by delivery) and running
/// imports (by kind: a registry and a ledger import may run at once, and cancelling one
/// must not stop the other).
pub struct AppState {
    store: Result<Arc<Store>, ErrorBody>,
    secrets: Result<Secrets, ErrorBody>,
    cancel: Arc<AtomicBool>,
    pushes: Arc<Running<DeliveryId>>,
    imports: Arc<Running<ImportKind>>,
    backups: backups::Backups,
}

impl AppState {
    /// Opens the store (its `quick_check` runs behind the first screen, and writes wait
    /// for it) and removes what a crashed snapshot build left behind.
    pub fn open(path: Option<PathBuf>) -> AppState {
        let opened = path
            .map_or_else(Store::default_path, Ok)
            .and_then(|path| Store::open_checking_behind(&path))
            .map_err(consentry::Error::from)
            .and_then(|store| snapshot::clean_leftovers(&store).map(|_| store))
            .map(Arc::new)
            .map_err(|e| e.body());
        AppState {
            store: opened,
            secrets: Secrets::from_env().map_err(|e| e.body()),
            cancel: Arc::new(AtomicBool::new(false)),
            pushes: Default::default(),
            imports: Default::default(),
            backups: Default::default(),
        }
    }

    pub fn from_store(store: Store) -> AppState {
        AppState {
            store: Ok(Arc::new(store)),
            secrets: Secrets::from_env().map_err(|e| e.body()),
            cancel: Arc::new(AtomicBool::new(false)),
            pushes: Default::default(),
            imports: Default::default(),
            backups: Default::default(),
        }
    }

    /// Keeps new signing secrets where `secrets` says, whatever the environment says
    /// (the tests keep them in a file, never in the OS keyring).
    pub fn with_secrets(mut self, secrets: Secrets) -> AppState {
        self.secrets = Ok(secrets);
        self
    }
}

type Reply<T> = Result<T, ErrorBody>;

/// The cancel flags of the jobs of one kind that are running, by what they work on
/// (pushes by delivery, imports by kind: two run at once, each stopped alone).
struct Running<K> {
    flags: Mutex<HashMap<K, Arc<AtomicBool>>>,
}

impl<K> Default for Running<K> {
    fn default() -> Self {
        Running {
            flags: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Copy> Running<K> {
    /// A fresh flag for the job on `key`.
    fn start(&self, key: K) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock().insert(key, Arc::clone(&flag));
        flag
    }

    /// Asks the job on `key` to stop; nothing when none runs.
    fn cancel(&self, key: K) {
        if let Some(flag) = self.lock().get(&key) {
            flag.store(true, Ordering::Relaxed);
        }
    }

    fn finish(&self, key: K) {
        self.lock().remove(&key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<AtomicBool>>> {
        // A panic while holding it cannot leave the map half-changed.
        self.flags.lock().unwrap_or_else(|e| e.into_inner())
    }
}

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
                lines_total: None,
                rows_read: None,
            })
        })
}

/// Registers the commands and the state on any Tauri builder (the real one, or the
/// mock one in tests).
pub fn setup<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder.manage(state).invoke_handler(commands::handler())
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

/// The single-instance lock's D-Bus id: one per store file. Launching the app again on
/// the store it already has open brings that window forward instead of opening a second
/// writer; another store opens beside it. (Without a D-Bus session, as under a bare
/// Xvfb, the plugin has nothing to lock with and the app starts normally.)
fn instance_id(state: &AppState) -> String {
    use sha2::{Digest, Sha256};
    let location = match &state.store {
        Ok(store) => store.info().location,
        Err(_) => String::new(),
    };
    let digest = Sha256::digest(location.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("com.consentry.app.store_{hex}")
}

/// Focuses the main window (a second launch on the same store asked for it).
fn bring_forward(app: &tauri::AppHandle) {
    use tauri::Manager;
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Opens the store (`--db PATH`, else `$CONSENTRY_DB`, else the OS data directory) and
/// runs the app: one instance per store, with its window's size and place remembered.
pub fn run() {
    use tauri_plugin_window_state::StateFlags;
    #[cfg(target_os = "linux")]
    rendering::choose();
    let state = AppState::open(db_argument(std::env::args().skip(1)));
    let instance = instance_id(&state);
    let reminder_key = instance.clone();
    setup(tauri::Builder::default(), state)
        // First, so that a second launch exits before it does anything else.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance)
                .callback(|app, _argv, _cwd| bring_forward(app))
                .build(),
        )
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            backups::start(app.handle().clone());
            reminders::start(app.handle().clone(), reminder_key);
            Ok(())
        })
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

    #[test]
    fn cancel_reaches_only_the_running_job_on_its_key() {
        let running = Running::<DeliveryId>::default();
        let one = running.start(DeliveryId(1));
        let two = running.start(DeliveryId(2));
        running.cancel(DeliveryId(1));
        assert!(one.load(Ordering::Relaxed));
        assert!(!two.load(Ordering::Relaxed));
        // A push started again gets a fresh flag; a finished one is not reached.
        let again = running.start(DeliveryId(1));
        assert!(!again.load(Ordering::Relaxed));
        running.finish(DeliveryId(2));
        running.cancel(DeliveryId(2));
        assert!(!two.load(Ordering::Relaxed));
    }
}
