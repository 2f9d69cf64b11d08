//! Builds the Tauri context from the root `tauri.conf.json` and declares the app's
//! commands, so that each one is denied unless a capability grants it.

/// Every `#[tauri::command]` in src/lib.rs. Tauri generates `allow-<command>`
/// permissions for them; capabilities/default.json grants exactly these.
const COMMANDS: &[&str] = &[
    "store_info",
    "list_partners",
    "create_partner",
    "update_partner",
    "list_deals",
    "get_deal",
    "create_deal",
    "update_deal",
    "transition_deal",
    "renew_deal",
    "list_audit",
    "verify_audit",
    "import_registry",
    "import_ledger",
    "consent_overview",
    "set_policy",
    "preview_source",
    "build_snapshot",
    "cancel_build",
    "list_snapshots",
    "get_snapshot",
    "verify_snapshot",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build script");
}
