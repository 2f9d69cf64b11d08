//! Registry and ledger imports through the CLI: idempotent, change-tracking, and
//! all-or-nothing unless --skip-invalid.

use crate::common::{dump, Workspace};

fn write(ws: &Workspace, name: &str, text: &str) -> String {
    let path = ws.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const USERS: &str =
    "user_id,country,birth_date,status\nalice,US,1990-01-01,active\nbob,de,,active\n";

#[test]
fn a_registry_reimport_adds_nothing_and_changes_are_recorded() {
    let ws = Workspace::new();
    let file = write(&ws, "users.csv", USERS);
    let r = ws.ok(&["users", "import", &file]);
    assert_eq!(
        (r["rows_read"].as_u64(), r["added"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(r["rows_per_second"].as_u64().unwrap() > 0);
    let r = ws.ok(&["users", "import", &file]);
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(2))
    );

    let changed = write(
        &ws,
        "users2.jsonl",
        "{\"user_id\":\"alice\",\"country\":\"US\",\"birth_date\":\"1990-01-01\",\"status\":\"deleted\"}\n\
         {\"user_id\":\"carol\",\"country\":\"JP\",\"birth_date\":null,\"status\":\"active\"}\n",
    );
    let r = ws.ok(&["users", "import", &changed]);
    assert_eq!(
        (r["added"].as_u64(), r["changed"].as_u64()),
        (Some(1), Some(1))
    );
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let (user, before, after): (String, String, String) = conn
        .query_row("SELECT user_id, before, after FROM user_changes", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(user, "alice");
    assert!(
        before.contains("\"active\"") && after.contains("\"deleted\""),
        "{before} {after}"
    );
    let country: String = conn
        .query_row("SELECT country FROM users WHERE user_id = 'bob'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(country, "DE");
}

#[test]
fn a_ledger_reimport_adds_nothing() {
    let ws = Workspace::new();
    let file = write(
        &ws,
        "ledger.csv",
        "user_id,purpose,decision,effective_at,source\n\
         alice,genai-training,deny,2026-01-01T00:00:00Z,settings\n\
         alice,genai-training,deny,2026-01-01T01:00:00+01:00,settings\n\
         bob,search,allow,2026-01-02T00:00:00Z,\n",
    );
    let r = ws.ok(&["consent", "import", &file]);
    // The second row is the first at the same instant: the same event.
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(2), Some(1))
    );
    let before = dump(&ws.db);
    let r = ws.ok(&["consent", "import", &file]);
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(3))
    );
    let after = dump(&ws.db);
    let events = |d: &str| {
        d.split("== consent_events")
            .nth(1)
            .unwrap()
            .split("==")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(events(&before), events(&after));
}

const BAD_LEDGER: &str = "user_id,purpose,decision,effective_at,source\n\
    alice,genai-training,deny,2026-01-01T00:00:00Z,s\n\
    bob,scraping,deny,2026-01-01T00:00:00Z,s\n\
    carol,search,maybe,2026-01-01T00:00:00Z,s\n\
    dave,search,allow,last tuesday,s\n\
    ,search,allow,2026-01-01T00:00:00Z,s\n\
    erin,search,allow,2026-01-01T00:00:00Z,s\n";

#[test]
fn a_file_with_bad_rows_imports_nothing_and_names_the_lines() {
    let ws = Workspace::new();
    let file = write(&ws, "ledger.csv", BAD_LEDGER);
    ws.refused(
        &["consent", "import", &file],
        None,
        "4 bad line(s), nothing was written",
    );
    let out = ws
        .cmd(&["consent", "import", &file, "--json"])
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<(u64, String)> = body["error"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_u64().unwrap(),
                l["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), [3, 4, 5, 6]);
    assert!(
        lines[0].1.contains("unknown purpose 'scraping'"),
        "{lines:?}"
    );
    assert!(lines[1].1.contains("unknown decision 'maybe'"), "{lines:?}");
    assert!(lines[2].1.contains("effective_at"), "{lines:?}");
    assert!(lines[3].1.contains("user_id: is empty"), "{lines:?}");

    let users = write(&ws, "users.csv", "user_id,country,birth_date,status\nalice,XX,1990-01-01,active\nbob,US,1990-13-01,active\ncarol,US,,gone\n");
    ws.refused(&["users", "import", &users], None, "3 bad line(s)");
}

#[test]
fn skip_invalid_imports_the_rest_and_reports_the_skipped_lines() {
    let ws = Workspace::new();
    let file = write(&ws, "ledger.csv", BAD_LEDGER);
    let r = ws.ok(&["consent", "import", &file, "--skip-invalid"]);
    assert_eq!(
        (r["added"].as_u64(), r["skipped"].as_u64()),
        (Some(2), Some(4))
    );
    let skipped: Vec<u64> = r["skipped_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(skipped, [3, 4, 5, 6]);
}

#[test]
fn a_file_missing_a_column_is_refused() {
    let ws = Workspace::new();
    let file = write(
        &ws,
        "users.csv",
        "user_id,country,status\nalice,US,active\n",
    );
    ws.refused(
        &["users", "import", &file],
        Some("file"),
        "lacks column(s) birth_date",
    );
}
