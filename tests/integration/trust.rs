//! Trust: consent never fails open, no file is ever destroyed, bad input never panics
//! and never writes half-way. One test per defect found by trying the CLI as a new user
//! and as an attacker would; each is named after what it protects.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::world::post;
use crate::common::{deal_add_args, dump, Workspace};
use serde_json::Value;

const T: &str = "2026-06-01T00:00:00Z";

/// A workspace with a signed deal (id 1) permitting `search`, ten adult US users
/// `u0..u9`, and `posts.jsonl` with one post each.
fn signed() -> (Workspace, String) {
    let ws = Workspace::new();
    ws.signed_deal(ws.partner("Lab"), "search", "2026-01-01", "2026-12-31");
    let mut users = String::from("user_id,country,birth_date,status\n");
    let mut posts = String::new();
    for u in 0..10 {
        users.push_str(&format!("u{u},US,1990-01-01,active\n"));
        posts.push_str(&post(&format!("p{u}"), &format!("u{u}"), 1_700_000_000));
    }
    let users_file = write(&ws, "users.csv", &users);
    ws.ok(&["users", "import", &users_file]);
    let posts = write(&ws, "posts.jsonl", &posts);
    (ws, posts)
}

fn write(ws: &Workspace, name: &str, text: &str) -> String {
    let path = ws.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn build<'a>(posts: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "snapshot", "build", "--deal", "1", "--source", posts, "--as-of", T,
    ];
    args.extend_from_slice(extra);
    args
}

/// Every file under `dir`, relative, with its content.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.push((
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------- 1. output folders

#[test]
fn an_out_that_is_a_file_a_symlink_or_a_non_empty_folder_is_refused_before_reading() {
    let (ws, _) = signed();
    // The source is not even readable: the refusal must come first, naming --out.
    let fifo = ws.dir.path().join("never-read.jsonl");
    let file = write(&ws, "report.txt", "mine");
    let full = ws.dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("thesis.tex"), "years of work").unwrap();
    let link = ws.dir.path().join("link");
    std::os::unix::fs::symlink(&full, &link).unwrap();
    let missing = fifo.display().to_string();
    for (out, what) in [
        (file.clone(), "is a file"),
        (link.display().to_string(), "is a symbolic link"),
        (full.display().to_string(), "is a folder that is not empty"),
    ] {
        ws.refused(&build(&missing, &["--out", &out]), Some("out"), what);
        let out = ws.cmd(&build(&missing, &["--out", &out])).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--out:"), "names the flag: {stderr}");
        assert!(
            stderr.contains("give a new or empty folder"),
            "says what to do: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(
        std::fs::read_to_string(full.join("thesis.tex")).unwrap(),
        "years of work"
    );
}

#[test]
fn a_failed_build_never_removes_a_folder_it_did_not_create() {
    let (ws, _) = signed();
    // Every line rejected: the build fails after streaming, where it used to remove
    // the whole --out folder.
    let bad = write(&ws, "bad.jsonl", "not json\n{\n");
    let out = ws.dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let other = ws.dir.path().join("exports-notes.txt");
    std::fs::write(&other, "keep").unwrap();
    let o = out.display().to_string();
    let result = ws.cmd(&build(&bad, &["--out", &o])).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    assert!(
        out.is_dir(),
        "the empty folder the user gave is still there"
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep");
    let names: Vec<String> = std::fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains(".building-")),
        "the build's own staging folder is gone: {names:?}"
    );
}

#[test]
fn crash_cleanup_never_removes_what_a_user_put_in_the_output_folder() {
    let (ws, posts) = signed();
    // A build that died after it was recorded: its process is gone, its row stays.
    let out = ws.dir.path().join("delivery");
    let o = out.display().to_string();
    ws.ok(&build(&posts, &["--out", &o]));
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let staging = ws.dir.path().join(".delivery2.building-9");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("unmarked.txt"), "not a build's").unwrap();
    let later = ws.dir.path().join("delivery2");
    std::fs::create_dir(&later).unwrap();
    std::fs::write(later.join("contract.pdf"), "signed copy").unwrap();
    conn.execute(
        "INSERT INTO snapshots (id, deal_id, state, pid, staging_dir, out_dir, source_path,
                source_format, id_field, user_field, time_field, as_of, purposes,
                policy_version, created_at)
         VALUES (9, 1, 'building', 999999999, ?1, ?2, 'x', 'jsonl', 'id', 'author',
                 'created_utc', ?3, 'search', 1, '2026-01-01T00:00:00.000Z')",
        rusqlite::params![
            staging.display().to_string(),
            later.display().to_string(),
            T
        ],
    )
    .unwrap();
    drop(conn);
    let before_out = tree(&out);
    ws.ok(&["deal", "list"]);
    assert_eq!(
        std::fs::read_to_string(later.join("contract.pdf")).unwrap(),
        "signed copy"
    );
    assert_eq!(
        std::fs::read_to_string(staging.join("unmarked.txt")).unwrap(),
        "not a build's",
        "a staging folder without the build's marker is not removed"
    );
    assert_eq!(tree(&out), before_out, "the sealed snapshot is untouched");
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM snapshots WHERE id = 9", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(rows, 0, "the dead build's row is cleaned");
}

#[test]
fn two_stores_in_one_folder_never_share_a_default_output_folder() {
    let (ws, posts) = signed();
    // A second store in the same folder, and a backup, with the same deal: their
    // snapshot ids will be the same.
    let other_db = ws.dir.path().join("other.db");
    let backup = ws.dir.path().join("backup.db");
    std::fs::copy(&ws.db, &other_db).unwrap();
    std::fs::copy(&ws.db, &backup).unwrap();
    let first = ws.ok(&build(&posts, &[]));
    let second = Command::new(env!("CARGO_BIN_EXE_consentry"))
        .arg("--db")
        .arg(&other_db)
        .args(build(&posts, &["--json"]))
        .output()
        .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let second: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(first["snapshot_id"], second["snapshot_id"]);
    assert_ne!(first["out_dir"], second["out_dir"]);
    // The store restored from the backup starts its ids again: still no collision, and
    // the first snapshot's files are untouched.
    let first_dir = PathBuf::from(first["out_dir"].as_str().unwrap());
    let first_files = tree(&first_dir);
    std::fs::copy(&backup, &ws.db).unwrap();
    let again = ws.ok(&build(&posts, &[]));
    assert_eq!(again["snapshot_id"], first["snapshot_id"]);
    assert_ne!(again["out_dir"], first["out_dir"]);
    assert_eq!(tree(&first_dir), first_files);
    ws.ok(&["snapshot", "verify", &again["snapshot_id"].to_string()]);
}

#[test]
fn two_builds_into_one_folder_at_once_seal_one_and_refuse_the_other() {
    let (ws, _) = signed();
    // Big enough that the two builds overlap.
    let mut posts = String::new();
    for i in 0..200_000 {
        posts.push_str(&post(
            &format!("p{i}"),
            &format!("u{}", i % 10),
            1_700_000_000,
        ));
    }
    let posts = write(&ws, "many.jsonl", &posts);
    let out = ws.dir.path().join("shared");
    let o = out.display().to_string();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_consentry"))
            .arg("--db")
            .arg(&ws.db)
            .args(build(&posts, &["--out", &o, "--json"]))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let results = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let ok: Vec<&std::process::Output> = results.iter().filter(|r| r.status.success()).collect();
    assert_eq!(ok.len(), 1, "exactly one seals");
    let refused = results.iter().find(|r| !r.status.success()).unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--out"), "{stderr}");
    let sealed: Value = serde_json::from_slice(&ok[0].stdout).unwrap();
    ws.ok(&["snapshot", "verify", &sealed["snapshot_id"].to_string()]);
    let listed = ws.ok(&["snapshot", "list", "--deal", "1"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- 2. strict dates

#[test]
fn a_two_digit_year_never_makes_a_minor_an_adult() {
    let ws = Workspace::new();
    let users = write(
        &ws,
        "users.csv",
        "user_id,country,birth_date,status\nadult,US,1990-01-01,active\nteen,US,10-06-15,active\n",
    );
    ws.refused(
        &["users", "import", &users],
        None,
        "line 3: birth_date: '10-06-15' is not a date",
    );
}

#[test]
fn birth_dates_in_the_future_or_before_1900_are_refused_with_their_line() {
    let ws = Workspace::new();
    let users = write(
        &ws,
        "users.jsonl",
        "{\"user_id\":\"a\",\"country\":\"US\",\"birth_date\":\"2999-01-01\",\"status\":\"active\"}\n\
         {\"user_id\":\"b\",\"country\":\"US\",\"birth_date\":\"1850-01-01\",\"status\":\"active\"}\n\
         {\"user_id\":\"c\",\"country\":\"US\",\"birth_date\":\"+262142-01-01\",\"status\":\"active\"}\n",
    );
    let out = ws
        .cmd(&["users", "import", &users, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<(i64, String)> = body["error"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["line"].as_i64().unwrap(),
                l["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].1.contains("in the future"), "{lines:?}");
    assert!(lines[1].1.contains("before 1900"), "{lines:?}");
    assert!(lines[2].1.contains("four-digit year"), "{lines:?}");
}

#[test]
fn deal_dates_need_four_digit_years_in_a_sane_range() {
    let ws = Workspace::new();
    ws.partner("Lab");
    let add = |start: &str, end: &str| deal_add_args(1, "search", start, end);
    for (start, end, field, needle) in [
        (
            "26-01-01",
            "2026-12-31",
            "start_date",
            "--start: '26-01-01' is not a date",
        ),
        (
            "2026-01-01",
            "+262142-01-01",
            "end_date",
            "--end: '+262142-01-01' is not a date",
        ),
        ("1969-12-31", "2026-12-31", "start_date", "out of range"),
        ("2026-01-01", "2200-01-01", "end_date", "out of range"),
    ] {
        let args = add(start, end);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ws.refused(&args, Some(field), needle);
    }
}

#[test]
fn a_renewal_at_the_end_of_the_calendar_is_refused_not_a_panic() {
    let ws = Workspace::new();
    ws.signed_deal(ws.partner("Lab"), "search", "2150-01-01", "2199-12-31");
    ws.refused(
        &["deal", "renew", "1"],
        Some("start_date"),
        "give the renewal's start and end dates",
    );
    ws.refused(
        &[
            "deal",
            "renew",
            "1",
            "--start",
            "2200-01-01",
            "--end",
            "2200-12-31",
        ],
        Some("start_date"),
        "out of range",
    );
}

#[test]
fn cut_offs_and_windows_are_strict_and_never_panic() {
    let (ws, posts) = signed();
    for (flags, field) in [
        (vec!["--as-of", "+262142-01-01T00:00:00Z"], "as_of"),
        (vec!["--as-of", "9999-12-31T23:59:59Z"], "as_of"),
        (vec!["--window-to", "+262142-12-31"], "window_to"),
        (vec!["--window-to", "+262143-12-31"], "window_to"),
        (vec!["--window-from", "262142-12-31"], "window_from"),
    ] {
        let mut args = vec!["snapshot", "build", "--deal", "1", "--source", &posts];
        if field != "as_of" {
            args.extend(["--as-of", T]);
        }
        args.extend(flags);
        ws.refused(&args, Some(field), "");
    }
}

// ---------------------------------------------------------------- 3. protection

#[test]
fn an_empty_opt_in_list_is_refused_and_none_must_be_said() {
    let ws = Workspace::new();
    ws.refused(
        &["policy", "set", "--opt-in", ""],
        Some("opt_in"),
        "--opt-in: an empty list would make every country opt-out",
    );
    ws.refused(
        &["policy", "set", "--opt-in", " , "],
        Some("opt_in"),
        "'none'",
    );
    let policy = ws.ok(&["policy", "set", "--opt-in", "none"]);
    assert_eq!(policy["opt_in_countries"], serde_json::json!([]));
    assert_eq!(policy["version"], 2);
}

#[test]
fn the_opt_out_gate_is_set_shown_and_recorded_by_snapshots() {
    let (ws, posts) = signed();
    let policy = ws.ok(&[
        "policy",
        "set",
        "--opt-out-available-from",
        "2026-05-01",
        "--notice-days",
        "45",
    ]);
    assert_eq!(policy["opt_out_available_from"], "2026-05-01");
    assert_eq!(policy["notice_days"], 45);
    assert!(
        !policy["opt_in_countries"].as_array().unwrap().is_empty(),
        "kept"
    );
    let shown = ws.cmd(&["policy", "show"]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("applies from 2026-06-15"), "{shown}");
    // Every post was created before the opt-out date: all held back.
    let s = ws.ok(&build(&posts, &[]));
    assert_eq!(s["policy_version"], 2);
    assert_eq!(s["records_included"], 0);
    assert_eq!(s["held_back_by_gate"], 10);
    ws.refused(
        &[
            "policy",
            "set",
            "--opt-out-available-from",
            "none",
            "--notice-days",
            "5",
        ],
        Some("notice_days"),
        "--notice-days: a notice period applies only from an opt-out date",
    );
}

#[test]
fn control_characters_never_reach_the_store_or_the_terminal() {
    let ws = Workspace::new();
    ws.refused(
        &[
            "partner",
            "add",
            "--name",
            "Evil\u{1b}[2J",
            "--kind",
            "ai-lab",
        ],
        Some("name"),
        "--name: contains the control character",
    );
    ws.partner("Lab");
    ws.refused(
        &[
            "deal",
            "add",
            "--partner",
            "1",
            "--title",
            "T\u{1b}]0;owned\u{7}",
            "--purposes",
            "search",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
        ],
        Some("title"),
        "--title: contains the control character",
    );
    let users = write(
        &ws,
        "users.csv",
        "user_id,country,birth_date,status\n\"a\u{1b}[31m\",US,1990-01-01,active\n",
    );
    ws.refused(
        &["users", "import", &users],
        None,
        "user_id: contains the control character",
    );
    // What is printed is escaped anyway: a path is not ours to refuse.
    let odd = ws.dir.path().join("x\u{1b}[31m.csv");
    let out = ws
        .cmd(&["users", "import", odd.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !out.stderr.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("\\u{1b}"));
}

// ---------------------------------------------------------------- 4. no panics

#[test]
fn a_shortened_hash_in_the_audit_log_is_shown_not_a_panic() {
    let ws = Workspace::new();
    ws.partner("Lab");
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_is_append_only_update;
         UPDATE audit_log SET hash = 'abc' WHERE seq = 1;",
    )
    .unwrap();
    let out = ws.cmd(&["audit", "list"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("abc"));
    let out = ws.cmd(&["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_closed_stdout_after_a_commit_is_not_a_failure() {
    let ws = Workspace::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_consentry"))
        .arg("--db")
        .arg(&ws.db)
        .args([
            "partner", "add", "--name", "Lab", "--kind", "ai-lab", "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `| true`: the reader is gone before the output
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ws.ok(&["partner", "list"]).as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- 5. the store you meant

#[test]
fn a_command_that_only_reads_refuses_a_store_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("consentyr.db");
    for args in [
        vec!["audit", "verify"],
        vec!["deal", "list"],
        vec!["partner", "show", "1"],
        vec!["snapshot", "verify", "1"],
        vec!["policy", "show"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_consentry"))
            .arg("--db")
            .arg(&typo)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("there is no store at"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("check --db"), "{stderr}");
        assert!(!typo.exists(), "{args:?} created the store");
    }
}

#[test]
fn a_command_that_writes_creates_the_store_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let out = Command::new(env!("CARGO_BIN_EXE_consentry"))
        .arg("--db")
        .arg(&db)
        .args(["partner", "add", "--name", "Lab", "--kind", "ai-lab"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("created a new store at"), "{stderr}");
    assert!(db.exists());
    let again = Command::new(env!("CARGO_BIN_EXE_consentry"))
        .arg("--db")
        .arg(&db)
        .args(["partner", "add", "--name", "Other", "--kind", "ai-lab"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&again.stderr).contains("created"));
}

#[test]
fn a_file_that_is_not_a_store_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "this is not a database, just text that is long enough to read",
    )
    .unwrap();
    for args in [
        vec!["deal", "list"],
        vec!["partner", "add", "--name", "A", "--kind", "other"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_consentry"))
            .arg("--db")
            .arg(&notes)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{} is not a Consentry store", notes.display())),
            "{stderr}"
        );
    }
    assert!(std::fs::read_to_string(&notes)
        .unwrap()
        .starts_with("this is not"));
}

// ---------------------------------------------------------------- 6. concurrent writers

fn registry(ws: &Workspace, name: &str, rows: usize) -> String {
    let path = ws.dir.path().join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "user_id,country,birth_date,status").unwrap();
    for i in 0..rows {
        writeln!(f, "{name}-user-{i:07},US,1990-01-01,active").unwrap();
    }
    drop(f);
    path.display().to_string()
}

#[test]
fn two_big_imports_started_together_both_succeed() {
    let ws = Workspace::new();
    let a = registry(&ws, "a.csv", 500_000);
    let b = registry(&ws, "b.csv", 500_000);
    let spawn = |file: &str| ws.cmd(&["users", "import", file]).output();
    let (ra, rb) = std::thread::scope(|s| {
        let ha = s.spawn(|| spawn(&a).unwrap());
        let hb = s.spawn(|| spawn(&b).unwrap());
        (ha.join().unwrap(), hb.join().unwrap())
    });
    for r in [&ra, &rb] {
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    }
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1_000_000);
}

#[test]
fn a_refused_import_never_takes_the_write_lock() {
    let ws = Workspace::new();
    let bad = write(
        &ws,
        "bad.csv",
        "user_id,country,birth_date,status\nx,ZZ,1990-01-01,active\n",
    );
    // Another writer holds the store for the whole time: the refusal still comes at once.
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let out = ws.cmd(&["users", "import", &bad]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: country"));
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    conn.execute_batch("ROLLBACK").unwrap();
}

// ---------------------------------------------------------------- 7. bounded memory

#[test]
fn an_endless_line_is_refused_with_bounded_memory() {
    let ws = Workspace::new();
    let before = dump(&ws.db);
    for format in ["jsonl", "csv"] {
        let out = ws
            .cmd(&["users", "import", "/dev/zero", "--format", format, "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("line 1: longer than 16 MiB"),
            "{format}: {stderr}"
        );
    }
    assert_eq!(before, dump(&ws.db));
}

// ---------------------------------------------------------------- 9. messages

#[test]
fn refusals_name_the_flag_and_carry_no_line_continuation() {
    let ws = Workspace::new();
    ws.draft_deal(ws.partner("Lab"), "search", "2026-01-01", "2026-12-31");
    let posts = write(&ws, "p.jsonl", "");
    let out = ws
        .cmd(&[
            "snapshot", "build", "--deal", "1", "--source", &posts, "--as-of", T,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--deal: deal 1 is draft"), "{stderr}");
    assert!(
        stderr.contains("sign the deal first"),
        "says what to do: {stderr}"
    );
    assert!(
        !stderr.contains('\\') && !stderr.contains("  "),
        "{stderr:?}"
    );
    let out = ws
        .cmd(&[
            "snapshot",
            "build",
            "--deal",
            "1",
            "--source",
            &posts,
            "--as-of",
            "yesterday",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--as-of: 'yesterday' is not an RFC 3339 instant"),
        "{stderr}"
    );
    assert!(
        stderr.contains("write e.g. 2026-06-01T00:00:00Z"),
        "{stderr}"
    );
}

#[test]
fn a_store_constraint_never_reaches_the_user() {
    // Text dates compared by SQLite used to hit "CHECK constraint failed" for an end
    // date like +262142-01-01; every input is now checked first.
    let ws = Workspace::new();
    ws.partner("Lab");
    let args = deal_add_args(1, "search", "2026-01-01", "+262142-01-01");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ws.cmd(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr.contains("constraint"), "{stderr}");
}

#[test]
fn deal_edit_reads_and_writes_in_one_transaction() {
    let ws = Workspace::new();
    ws.deal(ws.partner("Lab"));
    // Someone else is changing the title right now; `deal edit --notes` must wait and
    // then change the notes of the deal as it is, not write back the title it read.
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; UPDATE deals SET title = 'Renamed' WHERE id = 1;")
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_consentry"))
        .arg("--db")
        .arg(&ws.db)
        .args(["deal", "edit", "1", "--notes", "call legal", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    conn.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let deal = ws.ok(&["deal", "show", "1"]);
    assert_eq!(deal["notes"], "call legal");
    assert_eq!(deal["title"], "Renamed", "the other change survived");
}

#[test]
fn every_refusal_names_its_flag() {
    let (ws, posts) = signed();
    assert_eq!(ws.deal(1), 2, "a draft to edit");
    let dir = ws.dir.path().display().to_string();
    // Every line rejected: over the limit, which the core words without a flag.
    let broken = write(&ws, "broken.jsonl", "{broken\n{\"also\": broken}\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            build(&broken, &[]),
            "hint: --max-rejected-pct raises the limit of rejected lines",
        ),
        (
            vec![
                "snapshot", "build", "--deal", "1", "--source", "", "--as-of", T,
            ],
            "--source:",
        ),
        (build(&posts, &["--format", "xml"]), "--format:"),
        (build(&posts, &["--id-field", " "]), "--id-field:"),
        (build(&posts, &["--user-field", "a\tb"]), "--user-field:"),
        (build(&posts, &["--time-field", ""]), "--time-field:"),
        (
            build(&posts, &["--window-from", "2026-02-30"]),
            "--window-from:",
        ),
        (
            build(
                &posts,
                &["--window-from", "2026-03-02", "--window-to", "2026-03-01"],
            ),
            "--window-to:",
        ),
        (build(&posts, &["--shard-bytes", "10"]), "--shard-bytes:"),
        (
            build(&posts, &["--max-rejected-pct", "101"]),
            "--max-rejected-pct:",
        ),
        (build(&posts, &["--out", &dir]), "--out:"),
        (
            vec![
                "snapshot", "build", "--deal", "9", "--source", &posts, "--as-of", T,
            ],
            "deal 9 not found: check the id",
        ),
        (vec!["policy", "set", "--opt-in", "XX"], "--opt-in:"),
        (
            vec!["policy", "set", "--opt-out-available-from", "01/05/2026"],
            "--opt-out-available-from:",
        ),
        (
            vec![
                "policy",
                "set",
                "--opt-out-available-from",
                "2026-05-01",
                "--notice-days",
                "4000",
            ],
            "--notice-days:",
        ),
        (vec!["policy", "set"], "--opt-in: nothing to change"),
        (
            vec![
                "partner",
                "add",
                "--name",
                "N",
                "--kind",
                "ai-lab",
                "--contact",
                "a\u{7}",
            ],
            "--contact:",
        ),
        (
            vec![
                "partner", "add", "--name", "N", "--kind", "ai-lab", "--notes", "\u{1b}c",
            ],
            "--notes:",
        ),
        (
            vec!["partner", "edit", "1", "--country", "ZZ"],
            "--country:",
        ),
        (vec!["deal", "edit", "2", "--notes", "x\u{1b}"], "--notes:"),
        (vec!["deal", "edit", "2", "--start", "2026-1-1"], "--start:"),
    ];
    for (args, needle) in cases {
        let out = ws.cmd(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
