//! Tamper evidence for the data: someone with `sqlite3` drops the guard triggers and
//! edits a table behind Consentry's back. `audit verify` must exit 1 and name the table
//! and the row, while an untouched store with a realistic history verifies clean. A
//! whole chain recomputed by the attacker is caught only against a head kept elsewhere.

use crate::common::Workspace;
use consentry::calendar::parse_instant;
use consentry::consent::Decision;
use consentry::imports::Event;
use consentry::purpose::Purpose;
use rusqlite::Connection;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const T: &str = "2026-06-01T00:00:00Z";

/// A store with a history like a real one, and what it was built with.
struct History {
    ws: Workspace,
    /// The sealed snapshot, as `snapshot build --json` printed it.
    snapshot: Value,
    /// The ledger import's id.
    ledger_import: i64,
}

fn write(ws: &Workspace, name: &str, content: &str) -> String {
    let path = ws.dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

/// Partner, deal (territory US) signed, renewed, partner renamed, registry imported and
/// re-imported with changes, ledger imported twice (the second adds nothing), policy
/// set, snapshot sealed. Event ids
/// follow the ledger file: row 1 is u1's opt-out of ai-training.
fn history() -> History {
    let ws = Workspace::new();
    let partner = ws.partner("Example AI").to_string();
    let deal = ws.ok(&[
        "deal",
        "add",
        "--partner",
        &partner,
        "--title",
        "Training licence",
        "--purposes",
        "genai-training,ai-inference",
        "--start",
        "2026-01-01",
        "--end",
        "2027-12-31",
        "--territory",
        "US",
    ])["id"]
        .as_i64()
        .unwrap()
        .to_string();
    for to in ["negotiating", "signed"] {
        ws.ok(&["deal", "transition", &deal, "--to", to]);
    }
    ws.ok(&["deal", "renew", &deal]);
    ws.ok(&["partner", "edit", &partner, "--name", "Example Labs"]);
    let users = "user_id,country,birth_date,status\n\
                 u1,US,1990-01-01,active\n\
                 u2,US,2012-05-05,active\n\
                 u3,DE,1985-03-03,active\n\
                 u4,US,1970-07-07,active\n\
                 u5,FR,,active\n";
    ws.ok(&["users", "import", &write(&ws, "users.csv", users)]);
    let users = users.replace("u4,US,1970-07-07,active", "u4,US,1970-07-07,deleted")
        + "u6,GB,1999-09-09,active\n";
    let report = ws.ok(&["users", "import", &write(&ws, "users-2.csv", &users)]);
    assert_eq!(
        (report["added"].as_i64(), report["changed"].as_i64()),
        (Some(1), Some(1))
    );
    let ledger = "user_id,purpose,decision,effective_at,source\n\
                  u1,ai-training,deny,2026-02-01T00:00:00Z,settings\n\
                  u1,ai-training,allow,2026-01-01T00:00:00Z,settings\n\
                  u3,partner-sharing,allow,2026-01-15T10:00:00+01:00,banner\n\
                  u4,genai-training,allow,2026-01-01T00:00:00Z,settings\n\
                  u6,partner-sharing,allow,2026-01-01T00:00:00Z,settings\n\
                  u5,search,deny,2026-03-01T00:00:00Z,settings\n";
    let report = ws.ok(&["consent", "import", &write(&ws, "ledger.csv", ledger)]);
    let ledger_import = report["import_id"].as_i64().unwrap();
    assert!(report["content_sha256"].is_string(), "{report}");
    let again = ws.ok(&["consent", "import", &write(&ws, "ledger-again.csv", ledger)]);
    assert_eq!(again["added"], 0, "a re-import adds nothing: {again}");
    ws.ok(&["policy", "set", "--opt-in", "DE,FR"]);
    let posts: String = ["u1", "u2", "u3", "u4", "u6", "u7", "u3"]
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!("{{\"id\":\"t3_{i}\",\"author\":\"{u}\",\"created_utc\":1700000000,\"title\":\"hello\"}}\n")
        })
        .collect();
    let posts = write(&ws, "posts.jsonl", &posts);
    let snapshot = ws.ok(&[
        "snapshot", "build", "--deal", &deal, "--source", &posts, "--as-of", T,
    ]);
    assert_eq!(snapshot["records_included"], 3, "{snapshot:#}");
    History {
        ws,
        snapshot,
        ledger_import,
    }
}

/// What someone with `sqlite3` does: drop every guard trigger, then edit.
fn tamper(ws: &Workspace, sql: &str) {
    let conn = Connection::open(&ws.db).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\";"))
            .unwrap();
    }
    conn.execute_batch(sql).unwrap();
}

/// `audit verify` exits 1; its JSON names `table` and `row` in one problem, whose
/// message contains `needle`, and so does the text people read. The chain itself is
/// intact: the data check is what caught it. Returns the problems.
fn caught(ws: &Workspace, table: &str, row: &str, needle: &str) -> Vec<Value> {
    let out = ws.cmd(&["audit", "verify", "--json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let problems = report["problems"].as_array().unwrap().clone();
    assert!(
        problems.iter().any(|p| p["table"] == table
            && p["row"] == row
            && p["message"].as_str().unwrap().contains(needle)),
        "no problem names {table} row {row} with {needle:?}: {problems:#?}"
    );
    assert!(
        problems.iter().all(|p| p["table"] != "audit_log"),
        "the chain was not touched: {problems:#?}"
    );
    let out = ws.cmd(&["audit", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("BROKEN") && text.contains(needle), "{text}");
    problems
}

fn verifies(ws: &Workspace, extra: &[&str]) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let report = ws.ok(&args);
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(report["problems"], json!([]));
}

/// The identity Consentry gives an event, hex for SQL: what an attacker who read the
/// source computes.
fn identity_hex(
    user: &str,
    purpose: Purpose,
    decision: Decision,
    at: &str,
    source: &str,
) -> String {
    let event = Event {
        user_id: user.into(),
        purpose,
        decision,
        effective_at: parse_instant("effective_at", at).unwrap(),
        source: source.into(),
    };
    hex::encode(event.identity())
}

#[test]
fn an_untouched_store_with_a_realistic_history_verifies_clean() {
    let h = history();
    verifies(&h.ws, &[]);
    let report = h.ws.ok(&["audit", "verify"]);
    assert_eq!(report["entries"], 12, "{report:#}");
    let out = h.ws.cmd(&["audit", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Audit log intact: 12 entries"), "{text}");
    let id = h.snapshot["snapshot_id"].to_string();
    assert_eq!(h.ws.ok(&["snapshot", "verify", &id])["ok"], true);
}

#[test]
fn a_flipped_opt_out_is_caught_with_its_row() {
    let h = history();
    tamper(
        &h.ws,
        "UPDATE consent_events SET decision = 'allow' WHERE id = 1;",
    );
    caught(&h.ws, "consent_events", "1", "consent_events row 1");
}

#[test]
fn a_flipped_opt_out_with_a_recomputed_identity_is_caught_with_its_row() {
    let h = history();
    let identity = identity_hex(
        "u1",
        Purpose::AiTraining,
        Decision::Allow,
        "2026-02-01T00:00:00Z",
        "settings",
    );
    tamper(
        &h.ws,
        &format!(
            "UPDATE consent_events SET decision = 'allow', identity = X'{identity}' WHERE id = 1;"
        ),
    );
    let problems = caught(&h.ws, "consent_events", "1", "consent_events row 1");
    assert!(
        problems.iter().any(|p| p["row"].is_null()
            && p["message"]
                .as_str()
                .unwrap()
                .contains(&format!("import {}", h.ledger_import))),
        "the import's digest differs too: {problems:#?}"
    );
}

#[test]
fn a_forged_event_in_an_existing_import_is_caught_with_its_row() {
    let h = history();
    let at = "2026-05-01T00:00:00.000000Z";
    let identity = identity_hex("u1", Purpose::AiTraining, Decision::Allow, at, "settings");
    let us = parse_instant("at", at).unwrap().timestamp_micros();
    tamper(
        &h.ws,
        &format!(
            "INSERT INTO consent_events (identity, user_id, purpose, decision, effective_at,
                                         effective_us, source, import_id)
             VALUES (X'{identity}', 'u1', 'ai-training', 'allow', '{at}', {us}, 'settings', {});",
            h.ledger_import
        ),
    );
    caught(&h.ws, "consent_events", "7", "consent_events row 7");
}

#[test]
fn a_forged_event_in_a_new_import_is_caught_with_its_row() {
    let h = history();
    let at = "2026-05-01T00:00:00.000000Z";
    let identity = identity_hex("u1", Purpose::AiTraining, Decision::Allow, at, "settings");
    let us = parse_instant("at", at).unwrap().timestamp_micros();
    tamper(
        &h.ws,
        &format!(
            "INSERT INTO imports (id, kind, file, rows_read, added, changed, unchanged, skipped,
                                  skipped_lines, at, actor)
             VALUES (99, 'ledger', 'x.csv', 1, 1, 0, 0, 0, '[]', '2026-05-01T00:00:00.000Z', 'x');
             INSERT INTO consent_events (identity, user_id, purpose, decision, effective_at,
                                         effective_us, source, import_id)
             VALUES (X'{identity}', 'u1', 'ai-training', 'allow', '{at}', {us}, 'settings', 99);"
        ),
    );
    caught(&h.ws, "consent_events", "7", "belongs to import 99");
    caught(&h.ws, "imports", "99", "imports row 99 has no audit entry");
}

#[test]
fn a_deleted_event_is_caught_with_its_row() {
    let h = history();
    tamper(&h.ws, "DELETE FROM consent_events WHERE id = 3;");
    caught(
        &h.ws,
        "consent_events",
        "3",
        "consent_events row 3 is missing",
    );
}

#[test]
fn a_deleted_last_event_is_caught_with_its_row() {
    let h = history();
    tamper(&h.ws, "DELETE FROM consent_events WHERE id = 6;");
    caught(
        &h.ws,
        "consent_events",
        "6",
        "consent_events row 6 is missing",
    );
}

#[test]
fn an_edited_birth_date_is_caught_with_its_user() {
    let h = history();
    // The minor u2 made an adult, so that their posts would be shared.
    tamper(
        &h.ws,
        "UPDATE users SET birth_date = '1990-05-05' WHERE user_id = 'u2';",
    );
    let problems = caught(&h.ws, "users", "u2", "users row 'u2'");
    let named: Vec<&Value> = problems.iter().filter(|p| p["table"] == "users").collect();
    assert!(
        named.iter().all(|p| p["row"].is_null() || p["row"] == "u2"),
        "{named:#?}"
    );
}

#[test]
fn an_edited_registry_change_is_caught_with_its_row() {
    let h = history();
    // The history withdrawal notices read: u4's deletion made to look like nothing.
    tamper(
        &h.ws,
        "UPDATE user_changes SET after = replace(after, 'deleted', 'active') WHERE id = 1;",
    );
    caught(
        &h.ws,
        "user_changes",
        "1",
        "user_changes row 1 is not as import 2 added it",
    );
}

#[test]
fn a_deleted_registry_change_is_caught_with_its_row() {
    let h = history();
    tamper(&h.ws, "DELETE FROM user_changes WHERE id = 1;");
    caught(&h.ws, "user_changes", "1", "user_changes row 1 is missing");
}

#[test]
fn a_widened_deal_territory_is_caught_with_its_row() {
    let h = history();
    tamper(&h.ws, "UPDATE deals SET territory = 'WORLD' WHERE id = 1;");
    caught(
        &h.ws,
        "deals",
        "1",
        "territory is \"WORLD\", recorded \"US\"",
    );
}

#[test]
fn an_emptied_policy_is_caught_with_its_version() {
    let h = history();
    tamper(
        &h.ws,
        "UPDATE policies SET opt_in_countries = '' WHERE version = 2;",
    );
    caught(&h.ws, "policies", "2", "policies row 2 differs");
}

#[test]
fn an_edited_built_in_policy_is_caught_against_the_default() {
    let h = history();
    tamper(
        &h.ws,
        "UPDATE policies SET opt_in_countries = 'DE' WHERE version = 1;",
    );
    caught(&h.ws, "policies", "1", "the built-in default");
}

#[test]
fn a_snapshot_rewritten_with_its_shard_is_caught_though_snapshot_verify_passes() {
    let h = history();
    let dir = std::path::PathBuf::from(h.snapshot["out_dir"].as_str().unwrap());
    let mut shards = h.snapshot["shards"].clone();
    let file = dir.join(shards[0]["file"].as_str().unwrap());
    let bytes = std::fs::read_to_string(&file)
        .unwrap()
        .replace("hello", "HELLO");
    std::fs::write(&file, &bytes).unwrap();
    shards[0]["sha256"] = json!(hex::encode(Sha256::digest(bytes.as_bytes())));
    shards[0]["bytes"] = json!(bytes.len());
    let id = h.snapshot["snapshot_id"].as_i64().unwrap();
    tamper(
        &h.ws,
        &format!("UPDATE snapshots SET shards = '{shards}' WHERE id = {id};"),
    );
    let report = h.ws.ok(&["snapshot", "verify", &id.to_string()]);
    assert_eq!(report["ok"], true, "files and row agree: {report:#}");
    caught(&h.ws, "snapshots", &id.to_string(), "shards is");
}

#[test]
fn a_snapshot_user_list_edited_is_caught() {
    let h = history();
    let id = h.snapshot["snapshot_id"].as_i64().unwrap();
    tamper(
        &h.ws,
        &format!("DELETE FROM snapshot_users WHERE snapshot_id = {id} AND user_id = 'u3';"),
    );
    caught(
        &h.ws,
        "snapshot_users",
        &format!("snapshot_id {id}"),
        &format!("snapshot_users of snapshot {id}"),
    );
}

/// The SHA-256 of an entry as `consentry::audit` computes it (`entry_hash`): the JSON
/// array of its fields, before/after as their stored text.
fn entry_hash(row: &[rusqlite::types::Value], prev_hash: &str) -> String {
    use rusqlite::types::Value as V;
    let j = |v: &V| match v {
        V::Null => Value::Null,
        V::Integer(i) => json!(i),
        V::Text(t) => json!(t),
        other => panic!("unexpected {other:?}"),
    };
    let content = json!([
        j(&row[0]),
        j(&row[1]),
        j(&row[2]),
        j(&row[3]),
        j(&row[4]),
        j(&row[5]),
        j(&row[6]),
        j(&row[7]),
        prev_hash
    ]);
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// Rewrites every entry's hash from the first on, as an attacker with the source would.
fn recompute_chain(ws: &Workspace) {
    let conn = Connection::open(&ws.db).unwrap();
    let rows: Vec<Vec<rusqlite::types::Value>> = conn
        .prepare("SELECT seq, at, actor, action, entity, entity_id, before, after FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| (0..8).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = "0".repeat(64);
    for row in rows {
        let hash = entry_hash(&row, &prev);
        let rusqlite::types::Value::Integer(seq) = row[0] else {
            unreachable!()
        };
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![prev, hash, seq],
        )
        .unwrap();
        conn.execute(
            "UPDATE audit_head SET seq = ?1, hash = ?2",
            rusqlite::params![seq, hash],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn a_recomputed_chain_is_caught_against_a_head_kept_elsewhere() {
    let h = history();
    let head = h.ws.ok(&["audit", "head"]);
    assert_eq!(
        head.as_object().unwrap().len(),
        2,
        "exactly seq and hash: {head}"
    );
    let kept = format!("{}:{}", head["seq"], head["hash"].as_str().unwrap());
    verifies(&h.ws, &["--expect-head", &kept]);

    // Widen the territory and make the log say it always was: the deal's latest entry
    // rewritten, every hash and the head recomputed.
    tamper(
        &h.ws,
        "UPDATE deals SET territory = 'WORLD' WHERE id = 1;
         UPDATE audit_log SET after = replace(after, '\"territory\":\"US\"', '\"territory\":\"WORLD\"')
         WHERE seq = (SELECT max(seq) FROM audit_log WHERE entity = 'deal' AND entity_id = 1);",
    );
    recompute_chain(&h.ws);
    // Nothing inside the file disagrees any more: this is the limit of a self-contained
    // check, and why the head is kept elsewhere.
    verifies(&h.ws, &[]);

    let out =
        h.ws.cmd(&["audit", "verify", "--json", "--expect-head", &kept])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let seq = head["seq"].to_string();
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["table"] == "audit_log"
                && p["row"] == seq
                && p["message"].as_str().unwrap().contains("was rewritten")),
        "{report:#}"
    );
}

#[test]
fn import_entries_written_before_digests_existed_are_not_a_failure() {
    let h = history();
    // What an older Consentry wrote: the same reports without the digests.
    tamper(
        &h.ws,
        "UPDATE audit_log SET after = json_remove(after, '$.content_sha256',
                '$.content_sketch', '$.changes_sha256', '$.changes_sketch')
         WHERE entity = 'import';",
    );
    recompute_chain(&h.ws);
    verifies(&h.ws, &[]);
    // The events are still checked against their identities.
    tamper(
        &h.ws,
        "UPDATE consent_events SET decision = 'allow' WHERE id = 1;",
    );
    caught(
        &h.ws,
        "consent_events",
        "1",
        "no longer matches its identity",
    );
}

#[test]
fn after_images_written_before_the_opt_out_gate_existed_are_not_a_failure() {
    let h = history();
    // What Consentry wrote before policies had an opt-out gate and snapshots counted
    // what it held back: the same after-images without those fields.
    tamper(
        &h.ws,
        "UPDATE audit_log SET after = json_remove(after, '$.opt_out_available_from',
                '$.notice_days') WHERE entity = 'policy';
         UPDATE audit_log SET after = json_remove(after, '$.held_back_by_gate')
         WHERE entity = 'snapshot';",
    );
    recompute_chain(&h.ws);
    verifies(&h.ws, &[]);
    // The fields are still checked: a gate that no entry set is caught.
    tamper(
        &h.ws,
        "UPDATE policies SET notice_days = 0 WHERE version = 2;",
    );
    caught(&h.ws, "policies", "2", "notice_days is 0, recorded 30");
}

#[test]
fn an_older_head_still_verifies_and_a_missing_one_does_not() {
    let ws = Workspace::new();
    let empty = ws.ok(&["audit", "head"]);
    assert_eq!(empty, json!({"seq": 0, "hash": "0".repeat(64)}));
    let out = ws.cmd(&["audit", "head"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("seq 0 hash {}\n", "0".repeat(64))
    );
    ws.partner("Example AI");
    let first = ws.ok(&["audit", "head"]);
    ws.partner("Other AI");
    let kept = format!("{}:{}", first["seq"], first["hash"].as_str().unwrap());
    verifies(&ws, &["--expect-head", &kept]);
    // The human form `audit head` prints is accepted too.
    let printed = format!("seq 1 hash {}", first["hash"].as_str().unwrap());
    verifies(&ws, &["--expect-head", &printed]);
    let beyond = format!("9:{}", first["hash"].as_str().unwrap());
    let out = ws
        .cmd(&["audit", "verify", "--expect-head", &beyond])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("entry 9 of the expected head does not exist"),
        "{text}"
    );
}

#[test]
fn a_malformed_expected_head_is_refused_naming_the_flag() {
    let ws = Workspace::new();
    for bad in ["12", "x:y", &format!("-1:{}", "a".repeat(64)), "3:abc"] {
        let flag = format!("--expect-head={bad}");
        let out = ws.cmd(&["audit", "verify", &flag]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--expect-head"), "{bad}: {stderr}");
    }
}

/// An invoice's stored state (what the Finance screen's status filter reads) set to
/// `paid` while nothing was paid, or back to `open` after a payment: the rows the log
/// vouches for say otherwise, and verify names the invoice.
#[test]
fn an_edited_invoice_state_is_caught_with_its_row() {
    let ws = Workspace::new();
    let partner = ws.partner("Example AI");
    let deal = ws
        .draft_deal(partner, "search", "2024-01-01", "2024-12-31")
        .to_string();
    let fees = [
        "fee",
        "set",
        "--deal",
        &deal,
        "--currency",
        "USD",
        "--annual-fee",
        "1200.00",
        "--billing",
        "monthly",
    ];
    ws.ok(&fees);
    for to in ["negotiating", "signed"] {
        ws.ok(&["deal", "transition", &deal, "--to", to]);
    }
    ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-03-31",
    ]);
    let list = ws.ok(&["invoice", "list", "--deal", &deal]);
    let id = |n: usize| list[n]["id"].to_string();
    let pay = [
        "payment",
        "add",
        "--invoice",
        &id(0),
        "--amount",
        "100.00",
        "--date",
        "2024-01-05",
    ];
    ws.ok(&pay);
    verifies(&ws, &[]);

    tamper(
        &ws,
        &format!("UPDATE invoices SET state = 'paid' WHERE id = {}", id(1)),
    );
    caught(&ws, "invoices", &id(1), "its state is \"paid\"");
    tamper(
        &ws,
        &format!(
            "UPDATE invoices SET state = 'open' WHERE id = {0};
             UPDATE invoices SET state = 'open' WHERE id = {1}",
            id(0),
            id(1)
        ),
    );
    caught(&ws, "invoices", &id(0), "make it paid");
}
