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

/// Migration 0008 re-keys `snapshot_users` by snapshot. A seeded store is put back in
/// the layout before it (keyed by user, schema 7); opened again, it migrates, keeps every
/// row, still verifies, answers exposure reports as before, and still refuses to change
/// a sealed snapshot's users.
#[test]
fn snapshot_users_keyed_by_user_migrate_to_keyed_by_snapshot() {
    let ws = crate::common::Workspace::new();
    ws.ok(&["demo", "seed", "--users", "300", "--posts", "800"]);
    let rows = |conn: &rusqlite::Connection| -> Vec<(i64, String, i64)> {
        conn.prepare("SELECT snapshot_id, user_id, records FROM snapshot_users ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let before = rows(&conn);
    let snapshots: std::collections::BTreeSet<i64> = before.iter().map(|r| r.0).collect();
    assert!(
        snapshots.len() >= 2,
        "the demo seals several snapshots: {snapshots:?}"
    );
    // The users of each snapshot and of none, and their exposure as reported now.
    let users: Vec<String> = [
        &before[0].1,
        &before[before.len() - 1].1,
        &"nobody".to_string(),
    ]
    .into_iter()
    .cloned()
    .collect();
    let exposure = |ws: &crate::common::Workspace| -> Vec<serde_json::Value> {
        users
            .iter()
            .map(|u| ws.ok(&["exposure", "--user", u]))
            .collect()
    };
    let exposed = exposure(&ws);
    assert!(
        exposed[0]["snapshots"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{exposed:?}"
    );

    // Schema 7: the table as migration 0002 made it.
    conn.execute_batch(
        "BEGIN;
         CREATE TABLE by_user (
             user_id     TEXT NOT NULL,
             snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
             records     INTEGER NOT NULL CHECK (records > 0),
             PRIMARY KEY (user_id, snapshot_id)
         ) STRICT, WITHOUT ROWID;
         INSERT INTO by_user SELECT user_id, snapshot_id, records FROM snapshot_users;
         DROP TABLE snapshot_users;
         ALTER TABLE by_user RENAME TO snapshot_users;
         PRAGMA user_version = 7;
         COMMIT;",
    )
    .unwrap();
    let primary_key = |conn: &rusqlite::Connection| -> Vec<String> {
        conn.prepare(
            "SELECT name FROM pragma_table_info('snapshot_users') WHERE pk > 0 ORDER BY pk",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    assert_eq!(primary_key(&conn), ["user_id", "snapshot_id"]);
    drop(conn);

    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, SCHEMA_VERSION);
    assert_eq!(primary_key(&conn), ["snapshot_id", "user_id"]);
    assert_eq!(rows(&conn), before);
    assert_eq!(exposure(&ws), exposed);
    let sealed = snapshots.first().unwrap();
    for sql in [
        "UPDATE snapshot_users SET records = records + 1 WHERE snapshot_id = ?1",
        "DELETE FROM snapshot_users WHERE snapshot_id = ?1",
    ] {
        let err = conn.execute(sql, [sealed]).unwrap_err().to_string();
        assert!(err.contains("a sealed snapshot never changes"), "{err}");
    }
}
