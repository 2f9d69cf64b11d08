//! Registry and ledger imports through the CLI and the core: idempotent,
//! change-tracking, all-or-nothing unless --skip-invalid; progress, cancel, and the
//! quick refusal of a file that is not a registry or ledger at all.

use std::sync::atomic::{AtomicBool, Ordering};

use consentry::imports::{self, ImportOptions, ImportPhase, ImportProgress};
use consentry::{Error, Store};

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
        "4 of 6 rows are bad, nothing was written",
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
    ws.refused(&["users", "import", &users], None, "all 3 rows are bad");
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

/// JSON Lines rows of every shape after the first 100 (those past the sniff): flat rows
/// (read without serde_json) and rows with escapes, numbers, nested values, repeated
/// keys, extra whitespace, and broken ones (read by serde_json). Which rows are taken,
/// the lines named and their messages are what the imports said before flat rows were
/// read apart (the same file through the CLI of ec95467).
#[test]
fn json_lines_rows_of_every_shape_are_taken_or_named_as_before() {
    let ws = Workspace::new();
    let row = |i: usize| {
        format!(r#"{{"user_id":"u{i}","country":"US","birth_date":null,"status":"active"}}"#)
    };
    let odd = [
        r#"{"user_id":"a\u0062","country":"DE","birth_date":"1990-01-01","status":"active"}"#,
        "{\"user_id\":\"tab\there\",\"country\":\"DE\",\"birth_date\":null,\"status\":\"active\"}",
        r#"{"user_id":"x1","country":"DE","birth_date":null,"status":"active",}"#,
        r#"{"user_id":"x2","country":1,"birth_date":null,"status":"active"}"#,
        r#"{"user_id":"x3","country":"DEU","birth_date":null,"status":"active"}"#,
        r#"{"user_id":"x4","country":"de","birth_date":"1990-02-30","status":"active"}"#,
        r#"{"user_id":"x5","country":"de","birth_date":null,"status":"gone"}"#,
        r#"{"user_id":"","country":"de","birth_date":null,"status":"active"}"#,
        r#"{"user_id":"x6","country":"de","status":"active"}"#,
        r#"  {"user_id" : "x7" , "country":"fr","birth_date":null,"status":"deleted"}  "#,
        r#"{"user_id":"x8","country":"de","birth_date":null,"status":"active"} trailing"#,
        r#"["not","an","object"]"#,
        r#"{"user_id":"x9","user_id":"x10","country":"de","birth_date":null,"status":"active"}"#,
        r#"{"user_id":"x11","country":"de","birth_date":null,"status":"active","extra":[1,{"a":1e400}]}"#,
        "{\"user_id\":\"x12\",\"country\":\"de\",\"birth_date\":null,\"status\":\"active\",\"extra\":\"\x7f\"}",
        r#"{"user_id":"x13","country":"de","birth_date":null,"status":null}"#,
        r#"{"user_id":"x14","country":"de","birth_date":nul,"status":"active"}"#,
        "",
        r#"{"user_id":"x15","country":"de","birth_date":null,"status":"active""#,
    ];
    let mut lines: Vec<String> = (0..110).map(row).collect();
    lines.extend(odd.iter().map(|l| l.to_string()));
    lines.extend((110..120).map(row));
    let file = write(&ws, "users.jsonl", &format!("{}\n", lines.join("\n")));
    let r = ws.ok(&["users", "import", &file, "--skip-invalid"]);
    assert_eq!(
        (
            r["rows_read"].as_u64(),
            r["added"].as_u64(),
            r["skipped"].as_u64()
        ),
        (Some(138), Some(125), Some(13))
    );
    let skipped: Vec<(u64, &str)> = r["skipped_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            (112, "not a JSON object: control character (\\u0000-\\u001F) found while parsing a string at line 1 column 16"),
            (113, "not a JSON object: trailing comma at line 1 column 68"),
            (114, "country: must be a string, not 1"),
            (115, "country: 'DEU' is not an ISO 3166-1 alpha-2 country code"),
            (116, "birth_date: '1990-02-30' is not a date: write YYYY-MM-DD with a four-digit year, e.g. 2026-01-31"),
            (117, "status: unknown status 'gone' (known: active, deleted, suspended)"),
            (118, "user_id: is empty"),
            (121, "not a JSON object: trailing characters at line 1 column 69"),
            (122, "not a JSON object: invalid type: sequence, expected a map at line 1 column 0"),
            (124, "not a JSON object: number out of range at line 1 column 89"),
            (126, "status: is empty"),
            (127, "not a JSON object: expected ident at line 1 column 49"),
            (129, "not a JSON object: EOF while parsing an object at line 1 column 67"),
        ]
    );
    // The rows taken as serde_json read them: an escape decoded, the last of a
    // repeated key, a value outside the columns ignored.
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let users: Vec<String> = conn
        .prepare(
            "SELECT user_id || ' ' || country || ' ' || coalesce(birth_date, '-') || ' ' || status
             FROM users WHERE user_id NOT LIKE 'u%' ORDER BY user_id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        users,
        [
            "ab DE 1990-01-01 active",
            "x10 DE - active",
            "x12 DE - active",
            "x6 DE - active",
            "x7 FR - deleted",
        ]
    );
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
        "does not look like a registry: its header has no \"birth_date\" column (it has \
         \"user_id\", \"country\", \"status\")",
    );
    let ledger = write(&ws, "ledger.csv", "id,author,body\n1,alice,hi\n");
    ws.refused(
        &["consent", "import", &ledger],
        Some("file"),
        "does not look like a ledger: its header has no \"user_id\", \"purpose\", \
         \"decision\" or \"effective_at\" column (it has \"id\", \"author\", \"body\")",
    );
}

/// A store in a temporary folder, for the core's own calls.
fn store(ws: &Workspace) -> Store {
    Store::open(&ws.db).unwrap()
}

fn registry_csv(rows: usize) -> String {
    let mut csv = String::from("user_id,country,birth_date,status\n");
    for i in 0..rows {
        csv.push_str(&format!("u{i:07},US,1990-01-01,active\n"));
    }
    csv
}

const NO_SKIP: ImportOptions = ImportOptions {
    skip_invalid: false,
    format: None,
};

#[test]
fn progress_goes_forward_and_ends_at_the_file_size() {
    let ws = Workspace::new();
    let rows = 5_000;
    let file = write(&ws, "users.csv", &registry_csv(rows));
    let size = std::fs::metadata(&file).unwrap().len();
    let mut seen: Vec<ImportProgress> = Vec::new();
    let report = imports::import_registry_with(
        &store(&ws),
        file.as_ref(),
        &NO_SKIP,
        &mut |p| seen.push(p.clone()),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(report.added, rows as u64);
    // At least the start of each phase and the end of writing.
    assert!(seen.len() >= 4, "{seen:?}");
    for pair in seen.windows(2) {
        assert!(pair[0].bytes_read <= pair[1].bytes_read, "{pair:?}");
        assert!(pair[0].rows_read <= pair[1].rows_read, "{pair:?}");
        assert!(pair[0].rows_written <= pair[1].rows_written, "{pair:?}");
        let rank = |p: ImportPhase| p as u8;
        assert!(rank(pair[0].phase) <= rank(pair[1].phase), "{pair:?}");
    }
    assert!(seen.iter().all(|p| p.bytes_total == size), "{seen:?}");
    assert_eq!(seen[0].phase, ImportPhase::Reading);
    let checked = seen
        .iter()
        .find(|p| p.phase == ImportPhase::Checking)
        .expect("a checking report");
    assert_eq!(
        (checked.bytes_read, checked.rows_read, checked.bad_rows),
        (size, rows as u64, 0)
    );
    let last = seen.last().unwrap();
    assert_eq!(
        (last.phase, last.rows_written, last.bytes_read),
        (ImportPhase::Writing, rows as u64, size)
    );
}

/// Imports `file` with `cancel` set by the progress callback once `when` says so.
fn cancelled_when(
    ws: &Workspace,
    file: &str,
    ledger: bool,
    when: impl Fn(&ImportProgress) -> bool,
) -> Error {
    let cancel = AtomicBool::new(false);
    let mut progress = |p: &ImportProgress| {
        if when(p) {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let import = if ledger {
        imports::import_ledger_with
    } else {
        imports::import_registry_with
    };
    import(&store(ws), file.as_ref(), &NO_SKIP, &mut progress, &cancel).unwrap_err()
}

#[test]
fn a_cancelled_import_writes_nothing() {
    let ws = Workspace::new();
    // One import before, so that the audit chain has a head to keep.
    let small = write(&ws, "small.csv", USERS);
    ws.ok(&["users", "import", &small]);
    let before = dump(&ws.db);
    let file = write(&ws, "users.csv", &registry_csv(3_000));
    let mut ledger = String::from("user_id,purpose,decision,effective_at\n");
    for i in 0..3_000 {
        ledger.push_str(&format!("u{i:07},search,allow,2026-01-01T00:00:00Z\n"));
    }
    let ledger = write(&ws, "ledger.csv", &ledger);
    // While reading, and while writing (inside the transaction: rolled back).
    let reading = |p: &ImportProgress| p.phase == ImportPhase::Reading;
    let writing = |p: &ImportProgress| p.phase == ImportPhase::Writing;
    for (file, ledger, when) in [
        (&file, false, &reading as &dyn Fn(&ImportProgress) -> bool),
        (&file, false, &writing),
        (&ledger, true, &reading),
        (&ledger, true, &writing),
    ] {
        let e = cancelled_when(&ws, file, ledger, when);
        assert!(matches!(e, Error::Cancelled), "{e}");
        assert_eq!(e.body().code, consentry::ErrorCode::Cancelled);
        assert_eq!(dump(&ws.db), before, "a cancelled import changed the store");
    }
    let report = consentry::audit::verify(&store(&ws)).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

/// The first lines of a posts file (what a snapshot reads), not a registry.
fn posts(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                "{{\"id\":\"p{i}\",\"author\":\"u{i}\",\"created_utc\":1767225600,\"body\":\"hello\"}}\n"
            )
        })
        .collect()
}

#[test]
fn a_posts_file_taken_for_the_registry_is_refused_from_its_first_lines() {
    let ws = Workspace::new();
    // 100 posts, then a tail that would refuse the file differently if it were read:
    // one line longer than any row may be (17 MiB, no newline).
    let mut text = posts(100).into_bytes();
    text.resize(text.len() + (17 << 20), b'x');
    let path = ws.dir.path().join("posts.jsonl");
    std::fs::write(&path, &text).unwrap();
    let mut furthest = 0;
    let e = imports::import_registry_with(
        &store(&ws),
        &path,
        &NO_SKIP,
        &mut |p| furthest = furthest.max(p.bytes_read),
        &AtomicBool::new(false),
    )
    .unwrap_err();
    let body = e.body();
    assert_eq!(body.fields.len(), 1, "{e}");
    assert_eq!(body.fields[0].field, "file");
    assert!(
        body.fields[0].message.ends_with(
            "posts.jsonl does not look like a registry: its first lines have no \"user_id\", \
             \"country\", \"birth_date\" or \"status\" key (they have \"id\", \"author\", \
             \"created_utc\", \"body\")"
        ),
        "{e}"
    );
    assert!(body.lines.is_empty(), "{e}");
    assert!(furthest < 1 << 20, "read {furthest} bytes");

    // Through the CLI, the same, and nothing written; a ledger too.
    let file = path.display().to_string();
    ws.refused(
        &["users", "import", &file],
        Some("file"),
        "does not look like a registry",
    );
    ws.refused(
        &["consent", "import", &file],
        Some("file"),
        "does not look like a ledger: its first lines have no \"user_id\", \"purpose\", \
         \"decision\" or \"effective_at\" key",
    );
}

#[test]
fn a_short_jsonl_file_without_a_required_key_is_refused_whole() {
    let ws = Workspace::new();
    // Fewer lines than are sniffed: decided at the end of the file, before bad lines.
    let file = write(
        &ws,
        "users.jsonl",
        "{\"user_id\":\"a\",\"country\":\"US\",\"birth_date\":null}\n\
         {\"user_id\":\"b\",\"country\":\"US\",\"birth_date\":\"1990-01-01\"}\n",
    );
    ws.refused(
        &["users", "import", &file],
        Some("file"),
        "its first lines have no \"status\" key (they have \"user_id\", \"country\", \
         \"birth_date\")",
    );
    // A key present in one of the first lines is enough: the others are bad rows.
    let file = write(
        &ws,
        "some.jsonl",
        "{\"user_id\":\"a\",\"country\":\"US\",\"birth_date\":null}\n\
         {\"user_id\":\"b\",\"country\":\"US\",\"birth_date\":null,\"status\":\"active\"}\n",
    );
    ws.refused(&["users", "import", &file], None, "1 of 2 rows are bad");
    let not_json = write(&ws, "garbage.jsonl", "hello\nworld\n");
    ws.refused(
        &["users", "import", &not_json],
        Some("file"),
        "none of its first lines is a JSON object",
    );
}

#[test]
fn skipping_is_suggested_only_when_some_rows_are_good() {
    let ws = Workspace::new();
    let some = write(&ws, "ledger.csv", BAD_LEDGER);
    let out = ws
        .cmd(&["consent", "import", &some, "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hint: --skip-invalid imports the other 2 rows"),
        "{stderr}"
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            body["error"]["lines_total"].as_u64(),
            body["error"]["rows_read"].as_u64()
        ),
        (Some(4), Some(6))
    );

    let all = write(
        &ws,
        "users.csv",
        "user_id,country,birth_date,status\nalice,XX,1990-01-01,active\nbob,US,1990-13-01,active\n",
    );
    let out = ws.cmd(&["users", "import", &all]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("all 2 rows are bad"), "{stderr}");
    assert!(
        stderr.contains("it does not look like a registry"),
        "{stderr}"
    );
    assert!(!stderr.contains("skip"), "{stderr}");
    let e = imports::import_registry(&store(&ws), all.as_ref(), &NO_SKIP).unwrap_err();
    assert!(!e.to_string().contains("skip"), "{e}");

    // Errors other than bad lines keep their JSON shape: no new keys.
    let out = ws
        .cmd(&["users", "import", "/nonexistent/users.csv", "--json"])
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut keys: Vec<&String> = body["error"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "fields", "lines", "message"]);
}

/// A registry row as a test writes it: user id, country, birth date, status.
type UserLine = (&'static str, &'static str, &'static str, &'static str);

fn registry_file(ws: &Workspace, name: &str, rows: &[UserLine]) -> String {
    let mut csv = String::from("user_id,country,birth_date,status\n");
    for (id, country, birth, status) in rows {
        csv.push_str(&format!("{id},{country},{birth},{status}\n"));
    }
    write(ws, name, &csv)
}

/// Rows of one query, each value in its debug form.
fn rows_of(db: &std::path::Path, sql: &str) -> Vec<String> {
    let mut out = String::new();
    crate::common::dump_query(&rusqlite::Connection::open(db).unwrap(), sql, &mut out);
    out.lines().map(str::to_string).collect()
}

/// The registry and its changes as importing `files` row by row leaves them: each row
/// against the user as the rows before it left them (the rule an import keeps, however
/// it writes). Times are the import's number, as `imports.at` is replaced in the store.
fn registry_row_by_row(files: &[&[UserLine]]) -> (Vec<String>, Vec<String>) {
    use consentry::consent::{AccountStatus, RegistryUser};
    use std::collections::BTreeMap;
    let mut users: BTreeMap<String, (RegistryUser, usize, usize)> = BTreeMap::new();
    let mut changes = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let import = i + 1;
        for (id, country, birth, status) in file.iter() {
            let user = RegistryUser {
                user_id: id.trim().to_string(),
                country: country.trim().to_ascii_uppercase(),
                birth_date: (!birth.is_empty()).then(|| birth.parse().unwrap()),
                status: status.parse::<AccountStatus>().unwrap(),
            };
            match users.get_mut(&user.user_id) {
                None => {
                    users.insert(user.user_id.clone(), (user, import, import));
                }
                Some((known, _, _)) if *known == user => {}
                Some((known, _, updated)) => {
                    changes.push(format!(
                        "{import}|{}|{import}|{}|{}",
                        user.user_id,
                        serde_json::to_string(known).unwrap(),
                        serde_json::to_string(&user).unwrap()
                    ));
                    *known = user;
                    *updated = import;
                }
            }
        }
    }
    let users = users
        .values()
        .map(|(u, first, updated)| {
            let birth = u.birth_date.map_or("".into(), |d| d.to_string());
            format!(
                "{}|{}|{birth}|{}|{first}|{updated}",
                u.user_id,
                u.country,
                u.status.token()
            )
        })
        .collect();
    (users, changes)
}

/// The store's registry and changes, with each time replaced by the number of the
/// import that ran at it.
fn registry_stored(db: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let at = "(SELECT id FROM imports WHERE at = {})";
    let users = rows_of(
        db,
        &format!(
            "SELECT user_id || '|' || country || '|' || coalesce(birth_date, '') || '|' ||
                    status || '|' || {} || '|' || {} FROM users ORDER BY user_id",
            at.replace("{}", "first_seen_at"),
            at.replace("{}", "updated_at"),
        ),
    );
    let changes = rows_of(
        db,
        &format!(
            "SELECT import_id || '|' || user_id || '|' || {} || '|' || before || '|' || after
             FROM user_changes ORDER BY id",
            at.replace("{}", "changed_at"),
        ),
    );
    let text = |rows: Vec<String>| {
        rows.into_iter()
            .map(|r| {
                r.trim_start_matches("Text(\"")
                    .trim_end_matches("\")|")
                    .replace("\\\"", "\"")
            })
            .collect()
    };
    (text(users), text(changes))
}

#[test]
fn a_registry_import_leaves_what_importing_row_by_row_leaves() {
    let ws = Workspace::new();
    let first: &[UserLine] = &[
        ("carol", "JP", "", "active"),
        ("alice", "US", "1990-01-01", "active"),
        ("bob", "de", "1985-05-05", "active"),
        ("dave", "FR", "2000-02-29", "suspended"),
        // The same user twice in one file: added, then changed.
        ("erin", "GB", "1970-01-01", "active"),
        ("erin", "GB", "1970-01-01", "deleted"),
    ];
    let second: &[UserLine] = &[
        ("zed", "CA", "", "active"),
        ("dave", "FR", "2000-02-29", "active"),
        ("alice", "US", "1990-01-01", "active"),
        ("bob", "DE", "", "active"),
        ("aaron", "US", "1999-09-09", "active"),
        // Changed and changed back: two changes, the user as before.
        ("carol", "KR", "", "active"),
        ("carol", "JP", "", "active"),
        (" erin ", "gb", "1970-01-01", "deleted"),
    ];
    let files = [first, second, second];
    for (i, rows) in files.iter().enumerate() {
        let file = registry_file(&ws, &format!("users{i}.csv"), rows);
        ws.ok(&["users", "import", &file]);
    }
    assert_eq!(registry_stored(&ws.db), registry_row_by_row(&files));
    // Again, without the row that changes carol and back: nothing to write.
    let again: Vec<UserLine> = second.iter().copied().filter(|r| r.1 != "KR").collect();
    let last = ws.ok(&["users", "import", &registry_file(&ws, "again.csv", &again)]);
    assert_eq!(
        (last["added"].as_u64(), last["changed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(last["unchanged"].as_u64(), Some(again.len() as u64));
    // The fingerprints taken while writing are the ones `audit verify` reads back.
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

#[test]
fn a_ledger_import_adds_what_importing_row_by_row_adds() {
    use consentry::imports::Event;
    let ws = Workspace::new();
    let line = |i: usize| {
        format!(
            "u{:03},{},{},2026-01-{:02}T00:00:00Z,s{}\n",
            i % 37,
            ["search", "ai-training", "genai-training"][i % 3],
            ["allow", "deny"][i % 2],
            1 + i % 28,
            i % 5
        )
    };
    let header = "user_id,purpose,decision,effective_at,source\n";
    // 600 lines with repeats: large beside the empty ledger, read against it in order.
    let big: String = (0..600).map(|i| line(i * 7 % 450)).collect();
    // 20 lines, 10 new: small beside the ledger, looked up event by event.
    let small: String = (590..610)
        .map(|i| line(i * 7 % 450))
        .chain((2000..2010).map(line))
        .collect();
    // 600 new events, more than the ledger then holds: its indexes are dropped and
    // built again around the inserts, with events already stored.
    let larger: String = (3000..3600).map(line).collect();
    let files = [big.clone(), small, big, larger];
    let mut expected = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, body) in files.iter().enumerate() {
        let file = write(&ws, &format!("ledger{i}.csv"), &format!("{header}{body}"));
        let r = ws.ok(&["consent", "import", &file]);
        let mut added = 0;
        for row in body.lines() {
            let f: Vec<&str> = row.split(',').collect();
            let event = Event {
                user_id: f[0].into(),
                purpose: f[1].parse().unwrap(),
                decision: f[2].parse().unwrap(),
                effective_at: consentry::calendar::parse_instant("at", f[3]).unwrap(),
                source: f[4].into(),
            };
            if seen.insert(event.identity()) {
                added += 1;
                expected.push(format!(
                    "Blob({:?})|Text({:?})|Text({:?})|Text({:?})|Text({:?})|Text({:?})|Integer({})|Integer({})|",
                    event.identity().to_vec(),
                    event.user_id,
                    f[1],
                    f[2],
                    event.effective_text(),
                    event.source,
                    consentry::imports::micros(event.effective_at),
                    i + 1
                ));
            }
        }
        assert_eq!(r["added"].as_u64(), Some(added), "import {i}");
    }
    let stored = rows_of(
        &ws.db,
        "SELECT identity, user_id, purpose, decision, effective_at, source, effective_us,
                import_id FROM consent_events ORDER BY id",
    );
    assert_eq!(stored, expected);
    let ids = rows_of(&ws.db, "SELECT id FROM consent_events ORDER BY id");
    let consecutive: Vec<String> = (1..=expected.len())
        .map(|i| format!("Integer({i})|"))
        .collect();
    assert_eq!(ids, consecutive);
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    // The indexes built again are there, and hold the table's rows.
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN
                 ('consent_events_by_identity', 'consent_events_by_user')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 2);
    assert_eq!(crate::common::integrity_of(&conn), "ok");
}
