//! Migrations: an empty file becomes the latest schema; a file from a newer Consentry
//! is refused with a clear message, and left untouched.

use consentry::store::{StoreError, SCHEMA_VERSION};
use consentry::{ErrorCode, Store};

#[test]
fn an_empty_file_migrates_to_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/store.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, SCHEMA_VERSION);
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        [
            "audit_head",
            "audit_log",
            "consent_events",
            "credit_notes",
            "deals",
            "deliveries",
            "delivery_receipts",
            "fee_schedules",
            "fx_rates",
            "imports",
            "invoices",
            "partners",
            "payments",
            "policies",
            "signing_keys",
            "snapshot_users",
            "snapshots",
            "user_changes",
            "users",
            "withdrawal_notices",
            "withdrawn_records"
        ]
    );
    // Opening again is a no-op.
    drop(Store::open(&path).unwrap());
}

#[test]
fn a_store_from_a_newer_consentry_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    drop(Store::open(&path).unwrap());
    let newer = SCHEMA_VERSION + 1;
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", newer as i64)
        .unwrap();
    let before = crate::common::dump(&path);

    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::SchemaTooNew { found, known, .. }
        if found == newer && known == SCHEMA_VERSION));
    let message = err.to_string();
    assert!(
        message.contains("written by a newer Consentry"),
        "{message}"
    );
    assert_eq!(consentry::Error::from(err).code(), ErrorCode::SchemaTooNew);

    let out = assert_cmd::Command::cargo_bin("consentry")
        .unwrap()
        .arg("--db")
        .arg(&path)
        .args(["partner", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("schema version {newer}")),
        "{stderr}"
    );
    assert!(stderr.contains("upgrade Consentry"), "{stderr}");
    assert_eq!(before, crate::common::dump(&path));
}

#[test]
fn a_file_that_is_not_a_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not a database, just some text that is long enough",
    )
    .unwrap();
    assert!(Store::open(&path).is_err());
}
