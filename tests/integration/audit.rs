//! The audit log records every mutation with before and after, and `audit verify`
//! detects an edited, deleted or truncated chain.

use crate::common::Workspace;
use serde_json::json;

fn sqlite(ws: &Workspace, sql: &str) {
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute_batch(sql).unwrap();
}

/// Three entries: partner created, deal created, deal transitioned.
fn three_entries() -> Workspace {
    let ws = Workspace::new();
    let deal = ws.deal(ws.partner("Example AI"));
    ws.ok(&[
        "deal",
        "transition",
        &deal.to_string(),
        "--to",
        "negotiating",
    ]);
    ws
}

#[test]
fn every_mutation_is_logged_with_who_what_before_and_after() {
    let ws = three_entries();
    let log = ws.ok(&["audit", "list"]);
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let actions: Vec<_> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["partner.created", "deal.created", "deal.transitioned"]
    );
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        assert_eq!(e["actor"], "tester");
        assert!(e["at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(entries[0]["before"], json!(null));
    assert_eq!(entries[0]["after"]["name"], "Example AI");
    assert_eq!(entries[2]["before"]["status"], "draft");
    assert_eq!(entries[2]["after"]["status"], "negotiating");
    assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
    assert_eq!(entries[2]["prev_hash"], entries[1]["hash"]);

    let of_deal = ws.ok(&["audit", "list", "--entity", "deal", "--id", "1"]);
    assert_eq!(of_deal.as_array().unwrap().len(), 2);

    let report = ws.ok(&["audit", "verify"]);
    assert_eq!(report["ok"], true);
    assert_eq!(report["entries"], 3);
    assert_eq!(report["head_hash"], entries[2]["hash"]);
}

#[test]
fn the_log_refuses_ordinary_updates_and_deletes() {
    let ws = three_entries();
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let err = conn
        .execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn
        .execute("UPDATE audit_log SET actor = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

/// Tampering as someone with the file would: drop the guard triggers, then edit.
const UNGUARD: &str = "DROP TRIGGER audit_log_is_append_only_update;
                       DROP TRIGGER audit_log_is_append_only_delete;";

fn verify_fails(ws: &Workspace, needle: &str) {
    let out = ws.cmd(&["audit", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("BROKEN") && stdout.contains(needle),
        "{stdout}"
    );
}

#[test]
fn verify_detects_an_edited_entry() {
    let ws = three_entries();
    sqlite(
        &ws,
        &format!(
            "{UNGUARD} UPDATE audit_log SET after = replace(after, 'negotiating', 'signed') WHERE seq = 3;"
        ),
    );
    verify_fails(&ws, "entry 3 was altered");
}

#[test]
fn verify_detects_an_edited_actor() {
    let ws = three_entries();
    sqlite(
        &ws,
        &format!("{UNGUARD} UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1;"),
    );
    verify_fails(&ws, "entry 1 was altered");
}

#[test]
fn verify_detects_a_deleted_entry() {
    let ws = three_entries();
    sqlite(
        &ws,
        &format!("{UNGUARD} DELETE FROM audit_log WHERE seq = 2;"),
    );
    verify_fails(&ws, "entries 2 to 2 are missing");
}

#[test]
fn verify_detects_entries_deleted_from_the_end() {
    let ws = three_entries();
    sqlite(
        &ws,
        &format!("{UNGUARD} DELETE FROM audit_log WHERE seq = 3;"),
    );
    verify_fails(&ws, "entries 3 to 3 were removed from the end");
}

#[test]
fn verify_detects_a_rehashed_entry_that_no_longer_chains() {
    // Editing an entry and fixing its own hash still breaks the next entry's link.
    let ws = three_entries();
    sqlite(
        &ws,
        &format!(
            "{UNGUARD} UPDATE audit_log SET actor = 'x', hash = '{}' WHERE seq = 2;",
            "ab".repeat(32)
        ),
    );
    verify_fails(&ws, "entry 3 does not follow");
}
