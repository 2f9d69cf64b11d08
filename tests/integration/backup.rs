//! Backups and restore through the `consentry` binary: a backup taken while another
//! process writes is a consistent store holding every write committed before it began;
//! restore refuses a truncated, damaged, newer or tampered file without writing
//! anything, refuses a store open elsewhere, and keeps the store it replaces; daily
//! backups keep `keep` files of their own name; a damaged store is refused at open
//! with what to do about it.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use chrono::NaiveDate;
use serde_json::Value;

use crate::common::{dump, Workspace};
use consentry::backup;
use consentry::Store;

/// `consentry --db DB --actor tester ARGS... --json`.
fn run(db: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("consentry")
        .unwrap()
        .env_remove("CONSENTRY_DB")
        .env("CONSENTRY_SECRET_STORE", "file")
        .arg("--db")
        .arg(db)
        .args(["--actor", "tester"])
        .args(args)
        .arg("--json")
        .output()
        .unwrap()
}

/// [`run`], which must succeed; its JSON.
fn ok(db: &Path, args: &[&str]) -> Value {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `PRAGMA integrity_check` of the file, as SQLite answers it.
fn integrity(db: &Path) -> String {
    crate::common::integrity_of(&rusqlite::Connection::open(db).unwrap())
}

fn partner_ids(db: &Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT id FROM partners ORDER BY id").unwrap();
    let ids = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    ids
}

/// The names in a folder, sorted: to see that a refusal left nothing behind.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A store with a registry big enough that copying it takes a while, and a partner.
fn populated(users: usize) -> Workspace {
    let ws = Workspace::new();
    let mut csv = String::from("user_id,country,birth_date,status\n");
    for i in 0..users {
        csv.push_str(&format!("user-{i:07},US,1990-01-01,active\n"));
    }
    let file = ws.dir.path().join("users.csv");
    std::fs::write(&file, csv).unwrap();
    ws.ok(&["users", "import", path_str(&file)]);
    ws.partner("Before");
    ws
}

#[test]
fn a_backup_taken_while_another_process_writes_holds_every_committed_write() {
    let ws = populated(40_000);
    let db = ws.db.clone();
    // The writer: `consentry partner add` in a loop, each a process of its own; an id
    // counts as committed once its process has reported it.
    let committed: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (committed, stop, db) = (committed.clone(), stop.clone(), db.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let name = format!("Writer {n}");
                let id = ok(
                    &db,
                    &["partner", "add", "--name", &name, "--kind", "ai-lab"],
                )["id"]
                    .as_i64()
                    .unwrap();
                committed.lock().unwrap().push((id, Instant::now()));
            }
        })
    };
    let count = || committed.lock().unwrap().len();
    let mut backups = Vec::new();
    for round in 0..3 {
        while count() < 3 * (round + 1) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let before: Vec<i64> = committed.lock().unwrap().iter().map(|c| c.0).collect();
        let out = ws.dir.path().join(format!("backup-{round}.db"));
        let started = Instant::now();
        let report = ok(&db, &["backup", "--out", path_str(&out)]);
        let finished = Instant::now();
        backups.push((out, before, report, started, finished));
    }
    // Let the writer commit a few more after the last backup, then stop it.
    let last = count();
    while count() < last + 2 {
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let committed = committed.lock().unwrap().clone();

    // The writer was not stopped by the backups: some of its writes were reported
    // while a backup ran.
    let during = committed
        .iter()
        .filter(|(_, at)| backups.iter().any(|b| b.3 < *at && *at < b.4))
        .count();
    assert!(during > 0, "no write was committed while a backup ran");

    for (i, (file, before, report, _, _)) in backups.iter().enumerate() {
        assert_eq!(integrity(file), "ok");
        let restored = ws.dir.path().join(format!("restored-{i}/consentry.db"));
        let restore = ok(&restored, &["restore", path_str(file)]);
        assert_eq!(
            restore["head"], report["head"],
            "the head the backup recorded"
        );
        assert_eq!(restore["sha256"], report["sha256"]);
        assert_eq!(restore["replaced"], Value::Null, "there was no store there");
        assert_eq!(integrity(&restored), "ok");
        let verified = ok(&restored, &["audit", "verify"]);
        assert_eq!(verified["ok"], true, "{verified}");
        let ids = partner_ids(&restored);
        for id in before {
            assert!(
                ids.contains(id),
                "backup {i} lacks partner {id}, committed before it"
            );
        }
        // The restored store names where it came from, as its newest entry.
        let entries = ok(&restored, &["audit", "list", "--entity", "store"]);
        let newest = entries.as_array().unwrap().last().unwrap();
        assert_eq!(newest["action"], "store.restored");
        assert_eq!(newest["after"]["head"], report["head"]);
        assert_eq!(newest["after"]["from"], report["file"]);
        assert_eq!(newest["seq"], report["head"]["seq"].as_i64().unwrap() + 1);
    }
    // Each backup was recorded in the store it was taken from.
    let entries = ok(&db, &["audit", "list", "--entity", "store"]);
    let files: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "store.backed_up")
        .map(|e| &e["after"]["file"])
        .collect();
    assert_eq!(files.len(), 3);
    assert_eq!(ok(&db, &["audit", "verify"])["ok"], true);
}

/// A store with partner "Kept", a backup of it, and partner "Later" added after it.
fn store_and_backup() -> (Workspace, PathBuf) {
    let ws = Workspace::new();
    ws.partner("Kept");
    let backup = ws.dir.path().join("backup.db");
    ws.ok(&["backup", "--out", path_str(&backup)]);
    ws.partner("Later");
    (ws, backup)
}

/// A restore of `file` is refused naming `needle`; the store and its folder unchanged.
fn restore_refused(ws: &Workspace, file: &Path, needle: &str) {
    let before = listing(ws.dir.path());
    ws.refused(&["restore", path_str(file)], Some("file"), needle);
    assert_eq!(
        listing(ws.dir.path()),
        before,
        "the refusal left a file behind"
    );
}

#[test]
fn a_truncated_or_damaged_backup_is_refused_and_nothing_is_written() {
    let (ws, backup) = store_and_backup();
    let len = std::fs::metadata(&backup).unwrap().len();
    let cut = ws.dir.path().join("cut.db");
    std::fs::copy(&backup, &cut).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    restore_refused(&ws, &cut, "it is truncated");

    // Cut at a page boundary too: the header still says how long the file must be.
    std::fs::copy(&backup, &cut).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&cut).unwrap();
    file.set_len(len - 4096).unwrap();
    restore_refused(&ws, &cut, "it is truncated");

    // Whole, but a page in the middle overwritten.
    let damaged = ws.dir.path().join("damaged.db");
    std::fs::copy(&backup, &damaged).unwrap();
    corrupt_table_page(&damaged, "partners");
    restore_refused(
        &ws,
        &damaged,
        "it is damaged: SQLite's integrity_check found",
    );

    let text = ws.dir.path().join("notes.db");
    std::fs::write(&text, "not a database at all").unwrap();
    restore_refused(&ws, &text, "not an SQLite database");
    restore_refused(
        &ws,
        &ws.dir.path().join("absent.db"),
        "there is no such file",
    );
    restore_refused(&ws, &ws.db, "it is the store itself");
}

#[test]
fn a_backup_of_a_newer_schema_is_refused() {
    let (ws, backup) = store_and_backup();
    let conn = rusqlite::Connection::open(&backup).unwrap();
    let newer = consentry::store::SCHEMA_VERSION as i64 + 1;
    conn.pragma_update(None, "user_version", newer).unwrap();
    drop(conn);
    restore_refused(&ws, &backup, "written by a newer Consentry");
}

#[test]
fn a_backup_whose_audit_chain_does_not_verify_is_refused() {
    let (ws, backup) = store_and_backup();
    // A row changed behind the log's back.
    let forged = ws.dir.path().join("forged.db");
    std::fs::copy(&backup, &forged).unwrap();
    let conn = rusqlite::Connection::open(&forged).unwrap();
    conn.execute(
        "UPDATE partners SET name = 'Forged' WHERE name = 'Kept'",
        [],
    )
    .unwrap();
    drop(conn);
    restore_refused(&ws, &forged, "its audit log does not verify");

    // An entry of the log itself rewritten, its trigger dropped first.
    let rewritten = ws.dir.path().join("rewritten.db");
    std::fs::copy(&backup, &rewritten).unwrap();
    let conn = rusqlite::Connection::open(&rewritten).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_is_append_only_update;
         UPDATE audit_log SET actor = 'mallory' WHERE seq = 1;",
    )
    .unwrap();
    drop(conn);
    restore_refused(&ws, &rewritten, "entry 1 was altered");
}

#[test]
fn restore_keeps_the_replaced_store_and_records_where_the_store_came_from() {
    let (ws, backup) = store_and_backup();
    let before = dump(&ws.db);
    let head = ws.ok(&["audit", "head"]);
    let report = ws.ok(&["restore", path_str(&backup)]);

    let replaced = PathBuf::from(report["replaced"].as_str().unwrap());
    let name = replaced.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("consentry.db.before-restore-"), "{name}");
    assert_eq!(dump(&replaced), before, "the replaced store is kept whole");
    assert_eq!(report["replaced_head"], head);
    let names: Vec<String> = ws
        .ok(&["partner", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Kept"], "the store is the backup's");
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
    let newest = ws.ok(&["audit", "list"]);
    let newest = newest.as_array().unwrap().last().unwrap();
    assert_eq!(newest["action"], "store.restored");
    assert_eq!(newest["actor"], "tester");
    assert_eq!(newest["after"]["replaced_head"], head);
    // Nothing of the old store was left beside the new one.
    for suffix in ["-wal", "-journal"] {
        let mut companion = ws.db.clone().into_os_string();
        companion.push(suffix);
        assert!(!Path::new(&companion).exists(), "{suffix} left behind");
    }

    // Restoring the replaced store undoes the restore.
    let undone = ws.ok(&["restore", path_str(&replaced)]);
    assert!(undone["replaced"].is_string());
    let names = ws.ok(&["partner", "list"]);
    assert_eq!(names.as_array().unwrap().len(), 2, "{names}");
}

#[test]
fn a_store_open_in_another_process_is_not_replaced() {
    let (ws, backup) = store_and_backup();
    let open = Store::open(&ws.db).unwrap();
    let before = listing(ws.dir.path());
    ws.refused(
        &["restore", path_str(&backup)],
        None,
        "is open in another process",
    );
    assert_eq!(listing(ws.dir.path()), before);
    drop(open);
    ws.ok(&["restore", path_str(&backup)]);
}

#[test]
fn a_backup_never_replaces_a_file_and_needs_a_store() {
    let (ws, backup) = store_and_backup();
    ws.refused(
        &["backup", "--out", path_str(&backup)],
        Some("out"),
        "--out:",
    );
    let missing = ws.dir.path().join("no-such-folder/b.db");
    ws.refused(
        &["backup", "--out", path_str(&missing)],
        Some("out"),
        "does not exist",
    );
    let nowhere = ws.dir.path().join("absent.db");
    let out = run(&nowhere, &["backup", "--out", path_str(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!nowhere.exists(), "backup created a store");
}

#[test]
fn daily_backups_are_written_once_a_day_and_only_their_oldest_removed() {
    let ws = Workspace::new();
    ws.partner("P");
    let store = Store::open(&ws.db).unwrap().with_actor("tester");
    let dir = ws.dir.path().join("backups");
    std::fs::create_dir(&dir).unwrap();
    let others = [
        "notes.txt",
        "consentry-2026-13-01.db",
        "consentry.db",
        "consentry-2000-01-01.db.bak",
    ];
    for name in others {
        std::fs::write(dir.join(name), "mine").unwrap();
    }
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();

    let first = backup::daily_on(&store, &dir, 2, day("2026-03-01")).unwrap();
    let created = first.created.expect("the first backup of the day");
    assert!(created.file.ends_with("consentry-2026-03-01.db"));
    let again = backup::daily_on(&store, &dir, 2, day("2026-03-01")).unwrap();
    assert_eq!(again.created, None, "once a day");
    backup::daily_on(&store, &dir, 2, day("2026-03-02")).unwrap();
    let third = backup::daily_on(&store, &dir, 2, day("2026-03-03")).unwrap();
    assert_eq!(third.removed, ["consentry-2026-03-01.db"]);
    assert_eq!(
        third.kept,
        ["consentry-2026-03-02.db", "consentry-2026-03-03.db"]
    );
    let mut expected: Vec<String> = others.iter().map(|s| s.to_string()).collect();
    expected.extend(third.kept.iter().cloned());
    expected.sort();
    assert_eq!(listing(&dir), expected, "only daily backups were removed");

    let e = backup::daily_on(&store, &dir, 0, day("2026-03-04")).unwrap_err();
    assert_eq!(e.fields()[0].field, "keep");
    assert!(!dir.join("consentry-2026-03-04.db").exists());
    let backed_up = consentry::audit::list(
        &store,
        &consentry::audit::AuditFilter {
            entity: Some("store".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(backed_up.len(), 3);
    drop(store);

    // From the command line: today's, by the local date.
    let cli_dir = ws.dir.path().join("daily");
    let report = ws.ok(&["backup", "--daily", path_str(&cli_dir), "--keep", "3"]);
    let today = backup::daily_name(chrono::Local::now().date_naive());
    assert!(report["created"]["file"]
        .as_str()
        .unwrap()
        .ends_with(&today));
    assert_eq!(listing(&cli_dir), std::slice::from_ref(&today));
    // Without a folder: `backups` beside the store, where the damaged-store message
    // sends people.
    let report = ws.ok(&["backup", "--daily"]);
    assert_eq!(report["dir"], path_str(&dir));
    assert_eq!(report["created"]["file"], path_str(&dir.join(&today)));
}

#[test]
fn a_damaged_store_is_refused_at_open_with_what_to_do() {
    let (ws, backup) = store_and_backup();
    corrupt_table_page(&ws.db, "partners");
    let damaged = std::fs::read(&ws.db).unwrap();

    // A command that would write checks first (one that only reads does not).
    let out = ws
        .cmd(&[
            "partner", "add", "--name", "New", "--kind", "ai-lab", "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let db = ws.db.display().to_string();
    for needle in [
        format!("the store at {db} is damaged: SQLite's quick_check found"),
        "Nothing was changed".to_string(),
        format!("consentry --db {db} restore BACKUP_FILE"),
        ws.dir.path().join("backups").display().to_string(),
    ] {
        assert!(stderr.contains(&needle), "{stderr} lacks {needle}");
    }
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "store");
    assert!(
        std::fs::read(&ws.db).unwrap() == damaged,
        "the open wrote to it"
    );
    // Writing commands are refused the same way, before any migration or write.
    let out = ws
        .cmd(&["partner", "add", "--name", "X", "--kind", "ai-lab"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        std::fs::read(&ws.db).unwrap() == damaged,
        "the open wrote to it"
    );

    // What the message says to do works, and keeps the damaged file: the same pages,
    // but for the journal mode in its header (restore takes it out of WAL mode).
    let report = ws.ok(&["restore", path_str(&backup)]);
    let replaced = std::fs::read(report["replaced"].as_str().unwrap()).unwrap();
    assert_eq!(replaced.len(), damaged.len());
    assert!(
        replaced[100..] == damaged[100..],
        "the replaced store's pages differ"
    );
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

/// The app opens without waiting for `quick_check` (it runs behind the first screen);
/// every write, and the daily backup, waits for it and is refused when it fails.
#[test]
fn the_apps_open_reads_at_once_and_refuses_every_write_once_the_check_fails() {
    let (ws, _backup) = store_and_backup();
    corrupt_table_page(&ws.db, "partners");
    let damaged = std::fs::read(&ws.db).unwrap();

    let store = Store::open_checking_behind(&ws.db).expect("the open does not wait for the check");
    // What the first screen reads from sound pages answers.
    assert!(consentry::audit::head(&store).is_ok());
    let partner = consentry::partner::PartnerInput {
        name: "New".into(),
        kind: "ai-lab".into(),
        country: None,
        contact: None,
        notes: None,
    };
    let refused = consentry::partner::create(&store, partner)
        .unwrap_err()
        .to_string();
    let db = ws.db.display().to_string();
    for needle in [
        format!("the store at {db} is damaged: SQLite's quick_check found"),
        "Nothing was changed".to_string(),
    ] {
        assert!(refused.contains(&needle), "{refused} lacks {needle}");
    }
    assert!(store.checked().is_err(), "the check's outcome is kept");
    // No daily backup of a damaged store: it would push a sound one out of the retention.
    let dir = ws.dir.path().join("daily");
    assert!(backup::daily(&store, &dir, 3).is_err());
    assert_eq!(listing(&dir), Vec::<String>::new());
    drop(store);
    assert!(
        std::fs::read(&ws.db).unwrap() == damaged,
        "something was written"
    );
}

#[test]
fn the_apps_open_writes_once_the_check_has_passed() {
    let (ws, _backup) = store_and_backup();
    let store = Store::open_checking_behind(&ws.db).unwrap();
    let partner = consentry::partner::PartnerInput {
        name: "After the check".into(),
        kind: "ai-lab".into(),
        country: None,
        contact: None,
        notes: None,
    };
    consentry::partner::create(&store, partner).expect("the write waits for the check, then runs");
    assert!(store.checked().is_ok());
}

/// A snapshot build and both imports read (the deal, the registry and the ledger; their
/// whole file) before their first write, and check the store behind those reads: on a
/// damaged store each is refused, and neither the store nor its folder changes.
#[test]
fn a_build_or_an_import_checks_the_store_behind_its_reads_and_writes_nothing_to_a_damaged_one() {
    let ws = Workspace::new();
    let partner = ws.partner("Lab");
    let deal = ws.signed_deal(partner, "ai-training", "2026-01-01", "2026-12-31");
    let deal = deal.to_string();
    let file = |name: &str, text: &str| {
        let path = ws.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let posts = file(
        "posts.jsonl",
        "{\"id\":\"p1\",\"author\":\"u1\",\"created_utc\":1}\n",
    );
    let users = file(
        "users.csv",
        "user_id,country,birth_date,status\nu1,US,1980-01-01,active\n",
    );
    let ledger = file(
        "ledger.csv",
        "user_id,purpose,decision,effective_at,source\nu1,ai-training,allow,2026-01-01T00:00:00Z,app\n",
    );
    let build = [
        "snapshot",
        "build",
        "--deal",
        &deal,
        "--source",
        path_str(&posts),
        "--as-of",
        "2026-06-01T00:00:00Z",
    ];
    // A table none of them reads: only their first write finds that quick_check failed.
    corrupt_table_page(&ws.db, "invoices");
    let damaged = std::fs::read(&ws.db).unwrap();
    let before = listing(ws.dir.path());
    let commands: [(&str, &[&str]); 3] = [
        ("snapshot build", &build),
        ("users import", &["users", "import", path_str(&users)]),
        ("consent import", &["consent", "import", path_str(&ledger)]),
    ];
    for (what, args) in commands {
        let out = ws.cmd(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("is damaged: SQLite's quick_check found")
                && stderr.contains("Nothing was changed"),
            "{what}: {stderr}"
        );
        assert!(
            std::fs::read(&ws.db).unwrap() == damaged,
            "the {what} wrote to it"
        );
        assert_eq!(
            listing(ws.dir.path()),
            before,
            "the {what} left a file behind"
        );
    }
}

/// Overwrites the root page of `table` in the database file `db` (closed, no WAL) with
/// bytes no b-tree page has.
fn corrupt_table_page(db: &Path, table: &str) {
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(db).unwrap();
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (root, size)
    };
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    assert!(!Path::new(&wal).exists(), "the store is not checkpointed");
    use std::io::{Seek, SeekFrom, Write};
    let mut file = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    file.seek(SeekFrom::Start(((root - 1) * page_size) as u64))
        .unwrap();
    file.write_all(&vec![0xA5; page_size as usize]).unwrap();
}

#[test]
fn a_backup_of_an_older_schema_is_migrated_as_it_is_restored() {
    let ws = Workspace::new();
    let old = ws.dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&old).unwrap();
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&migrations)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let older = consentry::store::SCHEMA_VERSION - 1;
    for file in &files[..older] {
        conn.execute_batch(&std::fs::read_to_string(file).unwrap())
            .unwrap();
    }
    conn.pragma_update(None, "user_version", older as i64)
        .unwrap();
    drop(conn);

    let report = ws.ok(&["restore", path_str(&old)]);
    assert_eq!(report["schema_version"], older);
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let now: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(now, consentry::store::SCHEMA_VERSION as i64);
    drop(conn);
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}
