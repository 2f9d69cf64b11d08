//! The app on Tauri's mock runtime with the real config and capabilities, over a real
//! SQLite file in a temporary folder: what `ipc.rs` and `fixtures.rs` drive.

use std::path::Path;

use consentry::keys::Secrets;
use consentry::Store;
use consentry_app::{setup, AppState};
use serde_json::Value;
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

pub struct Harness {
    window: WebviewWindow<tauri::test::MockRuntime>,
    dir: tempfile::TempDir,
}

impl Harness {
    #[allow(dead_code)] // used by ipc.rs, not by fixtures.rs
    pub fn new() -> Harness {
        Harness::with_actor("ipc-test")
    }

    /// The store is `app.db` in a new temporary folder; the audit log names `actor`.
    pub fn with_actor(actor: &str) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("app.db"))
            .unwrap()
            .with_actor(actor);
        Harness::on(store, dir)
    }

    /// The app on `store`, which the test opened (in `dir`, or anywhere).
    pub fn on(store: Store, dir: tempfile::TempDir) -> Harness {
        // Signing secrets go to a file beside the store, never to the OS keyring.
        let state = AppState::from_store(store).with_secrets(Secrets::File);
        let app = setup(mock_builder(), state)
            .build(tauri::generate_context!("../tauri.conf.json"))
            .unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Harness { window, dir }
    }

    /// The temporary folder that holds the store.
    #[allow(dead_code)] // used by fixtures.rs, not by ipc.rs
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Calls `cmd` as the UI's `invoke` does: `Ok(response)` or `Err(error body)`.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|b| b.deserialize::<Value>().unwrap())
    }
}
