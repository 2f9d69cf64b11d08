//! The UI's TypeScript types must match the Rust types they mirror. Run
//! `make bindings` (UPDATE_BINDINGS=1) after changing a type that crosses into the UI.

use std::path::Path;

#[test]
fn ui_bindings_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let generated = consentry::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is stale: run `make bindings` and commit the result"
    );
}
