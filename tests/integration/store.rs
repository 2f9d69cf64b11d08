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
    assert_eq!(schema_version(&conn), SCHEMA_VERSION);
    let tables = texts(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    );
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
    let primary_key = |conn: &rusqlite::Connection| {
        texts(
            conn,
            "SELECT name FROM pragma_table_info('snapshot_users') WHERE pk > 0 ORDER BY pk",
        )
    };
    assert_eq!(primary_key(&conn), ["user_id", "snapshot_id"]);
    drop(conn);

    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    assert_eq!(schema_version(&conn), SCHEMA_VERSION);
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

/// The schema objects (type, name, table, SQL) of `conn`, in name order.
fn schema_of(conn: &rusqlite::Connection) -> Vec<String> {
    let mut out = String::new();
    crate::common::dump_query(
        conn,
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
        &mut out,
    );
    out.lines().map(str::to_string).collect()
}

/// The migration files' SQL, in order.
fn migration_files() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Migration 0009 makes `consent_events` again with its identity's uniqueness as a
/// named index: a store of schema 8 with a registry and a ledger comes out with every
/// event as it was (id and all), the append-only triggers, both indexes, and a chain
/// and data that `audit verify` passes; imports then go on as before.
#[test]
fn a_ledger_of_schema_8_keeps_its_events_and_verifies_after_migration_9() {
    use crate::common::Workspace;
    let ws = Workspace::new();
    let write = |name: &str, text: &str| {
        let path = ws.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let users = write(
        "users.csv",
        "user_id,country,birth_date,status\nalice,US,1990-01-01,active\nbob,DE,,active\n",
    );
    let header = "user_id,purpose,decision,effective_at,source\n";
    // 420 different events for each month: none repeats in 0..420.
    let line = |i: usize, month: usize| {
        format!(
            "{},{},{},2026-{month:02}-{:02}T00:00:00Z,s{}\n",
            ["alice", "bob", "carol"][i % 3],
            ["search", "ai-training", "genai-training"][i % 3],
            ["allow", "deny"][i % 2],
            1 + i % 28,
            i % 5
        )
    };
    let first: String = (0..300).map(|i| line(i, 1)).collect();
    // 10 events already stored, 20 new.
    let second: String = (290..320).map(|i| line(i, 1)).collect();
    ws.ok(&["users", "import", &users]);
    ws.ok(&[
        "consent",
        "import",
        &write("l1.csv", &format!("{header}{first}")),
    ]);
    ws.ok(&[
        "consent",
        "import",
        &write("l2.csv", &format!("{header}{second}")),
    ]);

    // The ledger as schema 8 has it: consent_events made by 0002's own SQL, the rows
    // put back as they were (and users as 0002 made them, which 0010 makes again).
    let migrations = migration_files();
    let old = &migrations[1];
    let start = old
        .find("-- Append-only: an event is never changed")
        .unwrap();
    let end = old.find("CREATE TABLE policies").unwrap();
    let events_sql = "SELECT * FROM consent_events ORDER BY id".to_string();
    let mut before = String::new();
    {
        let conn = rusqlite::Connection::open(&ws.db).unwrap();
        crate::common::dump_query(&conn, &events_sql, &mut before);
        made_again(&conn, "consent_events", &old[start..end], "id");
        made_again(&conn, "users", users_of_0002(old), "user_id");
        conn.execute_batch("PRAGMA user_version = 8;").unwrap();
        let fresh = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &migrations[..8] {
            fresh.execute_batch(sql).unwrap();
        }
        assert_eq!(schema_of(&conn), schema_of(&fresh), "a store of schema 8");
    }
    assert_eq!(before.lines().count(), 320);

    // Any open migrates; `audit verify` opens, migrates and checks.
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    assert_eq!(schema_version(&conn), SCHEMA_VERSION);
    let mut after = String::new();
    crate::common::dump_query(&conn, &events_sql, &mut after);
    assert_eq!(after, before);
    let objects = texts(
        &conn,
        "SELECT type || ' ' || name FROM sqlite_schema WHERE tbl_name = 'consent_events'
         ORDER BY name",
    );
    assert_eq!(
        objects,
        [
            "table consent_events",
            "trigger consent_events_are_append_only_delete",
            "trigger consent_events_are_append_only_update",
            "index consent_events_by_identity",
            "index consent_events_by_user",
        ]
    );
    let refused = |sql: &str| conn.execute_batch(sql).unwrap_err().to_string();
    assert!(refused("DELETE FROM consent_events WHERE id = 1").contains("append-only"));
    assert!(refused("UPDATE consent_events SET source = 'x'").contains("append-only"));
    assert!(refused(
        "INSERT INTO consent_events (identity, user_id, purpose, decision, effective_at,
             effective_us, source, import_id)
         SELECT identity, 'z', purpose, decision, effective_at, effective_us, source,
             import_id FROM consent_events WHERE id = 1"
    )
    .contains("UNIQUE constraint failed: consent_events.identity"));
    assert_eq!(crate::common::integrity_of(&conn), "ok");
    drop(conn);

    // Imports go on: the same file adds nothing, a larger one (the indexes built again)
    // adds its new events after the old ones.
    let r = ws.ok(&[
        "consent",
        "import",
        &write("l3.csv", &format!("{header}{first}")),
    ]);
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(300))
    );
    let third: String = (0..700).map(|i| line(i, 2)).collect();
    let r = ws.ok(&[
        "consent",
        "import",
        &write("l4.csv", &format!("{header}{third}")),
    ]);
    assert_eq!(r["added"].as_u64(), Some(420));
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let mut kept = String::new();
    crate::common::dump_query(&conn, &format!("{events_sql} LIMIT 320"), &mut kept);
    assert_eq!(kept, before);
}

/// Migration 0010 makes `users` again with its checks worded per row (no `IN` list): a
/// store of schema 9 with a registry changed twice comes out with every user as it was,
/// the same history, a chain and data that `audit verify` passes, the same rules (an
/// unknown status, an empty id, a three-letter country refused), and imports go on.
#[test]
fn a_registry_of_schema_9_keeps_its_users_and_verifies_after_migration_10() {
    use crate::common::Workspace;
    let ws = Workspace::new();
    let write = |name: &str, text: &str| {
        let path = ws.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let header = "user_id,country,birth_date,status\n";
    let statuses = ["active", "deleted", "suspended"];
    let first: String = (0..300)
        .map(|i| format!("u{i:03},US,,{}\n", statuses[i % 3]))
        .collect();
    // 30 users changed (u270 to u299), 30 added.
    let second: String = (270..330)
        .map(|i| format!("u{i:03},DE,1990-01-0{},active\n", 1 + i % 9))
        .collect();
    ws.ok(&[
        "users",
        "import",
        &write("r1.csv", &format!("{header}{first}")),
    ]);
    let r = ws.ok(&[
        "users",
        "import",
        &write("r2.csv", &format!("{header}{second}")),
    ]);
    assert_eq!(
        (r["added"].as_u64(), r["changed"].as_u64()),
        (Some(30), Some(30))
    );

    // The registry as schema 9 has it: users made by 0002's own SQL, the rows put back.
    let migrations = migration_files();
    let users_sql = "SELECT * FROM users ORDER BY user_id";
    let changes_sql = "SELECT * FROM user_changes ORDER BY id";
    let (mut users_before, mut changes_before) = (String::new(), String::new());
    {
        let conn = rusqlite::Connection::open(&ws.db).unwrap();
        crate::common::dump_query(&conn, users_sql, &mut users_before);
        crate::common::dump_query(&conn, changes_sql, &mut changes_before);
        made_again(&conn, "users", users_of_0002(&migrations[1]), "user_id");
        conn.execute_batch("PRAGMA user_version = 9;").unwrap();
        let fresh = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &migrations[..9] {
            fresh.execute_batch(sql).unwrap();
        }
        assert_eq!(schema_of(&conn), schema_of(&fresh), "a store of schema 9");
        let sql = texts(&conn, "SELECT sql FROM sqlite_schema WHERE name = 'users'");
        assert!(sql[0].contains("status IN ("), "{sql:?}");
    }
    assert_eq!(users_before.lines().count(), 330);

    // Any open migrates; `audit verify` opens, migrates and checks.
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    assert_eq!(schema_version(&conn), SCHEMA_VERSION);
    let (mut users_after, mut changes_after) = (String::new(), String::new());
    crate::common::dump_query(&conn, users_sql, &mut users_after);
    crate::common::dump_query(&conn, changes_sql, &mut changes_after);
    assert_eq!(users_after, users_before);
    assert_eq!(changes_after, changes_before);
    let sql = texts(
        &conn,
        "SELECT sql FROM sqlite_schema WHERE tbl_name = 'users'",
    );
    assert_eq!(sql.len(), 1, "the table alone: {sql:?}");
    assert!(!sql[0].contains(" IN ("), "{sql:?}");
    let without_rowid: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_index_list('users') WHERE origin = 'pk'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(without_rowid, 1, "keyed by user_id");
    // The same rules as 0002's: each row breaking one is refused, each status taken.
    let insert = |id: &str, country: &str, status: &str| {
        conn.execute(
            "INSERT INTO users (user_id, country, birth_date, status, first_seen_at, updated_at)
             VALUES (?1, ?2, NULL, ?3, 't', 't')",
            [id, country, status],
        )
        .map_err(|e| e.to_string())
    };
    for (id, country, status) in [
        ("x1", "US", "closed"),
        ("x2", "US", "Active"),
        ("", "US", "active"),
        ("x3", "USA", "active"),
        ("x4", "U", "active"),
    ] {
        let err = insert(id, country, status).unwrap_err();
        assert!(
            err.contains("CHECK constraint failed"),
            "{id} {country} {status}: {err}"
        );
    }
    for (id, status) in [("y1", "active"), ("y2", "deleted"), ("y3", "suspended")] {
        insert(id, "ÉÜ", status).unwrap();
    }
    conn.execute("DELETE FROM users WHERE user_id LIKE 'y%'", [])
        .unwrap();
    assert_eq!(crate::common::integrity_of(&conn), "ok");
    drop(conn);

    // Imports go on: the same file changes nothing, a changed one records its changes.
    let r = ws.ok(&[
        "users",
        "import",
        &write("r3.csv", &format!("{header}{second}")),
    ]);
    assert_eq!(
        (r["added"].as_u64(), r["changed"].as_u64()),
        (Some(0), Some(0))
    );
    let r = ws.ok(&[
        "users",
        "import",
        &write("r4.csv", &format!("{header}{first}")),
    ]);
    assert_eq!(
        (r["added"].as_u64(), r["changed"].as_u64()),
        (Some(0), Some(30))
    );
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

/// `table` made again by `create` (an older migration's SQL for it), its rows put back
/// as they were, in `key` order.
fn made_again(conn: &rusqlite::Connection, table: &str, create: &str, key: &str) {
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE kept AS SELECT * FROM {table};
         DROP TABLE {table};
         {create}
         INSERT INTO {table} SELECT * FROM kept ORDER BY {key};
         DROP TABLE kept;"
    ))
    .unwrap();
}

/// Migration 0002's SQL for the `users` table.
fn users_of_0002(sql: &str) -> &str {
    let start = sql.find("CREATE TABLE users (").unwrap();
    let end = sql.find("CREATE TABLE user_changes").unwrap();
    &sql[start..end]
}

/// The store's schema version, as SQLite keeps it.
fn schema_version(conn: &rusqlite::Connection) -> usize {
    conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

/// The first column of every row `sql` gives, as text.
fn texts(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
