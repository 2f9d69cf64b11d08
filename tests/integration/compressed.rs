//! Compressed input (issue 11 part 4): snapshot sources and imports may be gzip or zstd,
//! told by their first bytes. The same text gives the same snapshot, byte for byte, and
//! the same rows; a truncated file is refused whole, with nothing sealed or imported.
//! The compressed files are written here with the same crates (`zstd`, `flate2`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use consentry::imports::{self, ImportOptions, ImportProgress};
use consentry::model::file_format::Compression;
use consentry::purpose::Purpose;
use consentry::snapshot::{self, Progress, Snapshot};
use consentry::{ErrorCode, Store};

use crate::common::world::{post, World};
use crate::common::{dump, Workspace};

const T: &str = "2026-06-01T00:00:00Z";

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A registry of adults and minors, some opted out, and about 6 MiB of posts (more than
/// one 4 MiB chunk of the reader) with a bad line, a duplicate and unknown authors.
fn world() -> (World, Vec<u8>) {
    let w = World::new(&[Purpose::GenaiTraining]);
    let users: Vec<(String, &str, &str, &str)> = (0..50)
        .map(|u| {
            let birth = if u % 10 == 9 {
                "2015-01-01"
            } else {
                "1990-01-01"
            };
            (
                format!("u{u}"),
                if u % 2 == 0 { "US" } else { "DE" },
                birth,
                "active",
            )
        })
        .collect();
    let rows: Vec<(&str, &str, &str, &str)> = users
        .iter()
        .map(|(u, c, b, s)| (u.as_str(), *c, *b, *s))
        .collect();
    w.users(&rows);
    w.events(&[
        ("u1", "genai-training", "allow", "2025-01-01T00:00:00Z"),
        ("u4", "ai-training", "deny", "2025-01-01T00:00:00Z"),
    ]);
    let mut text = String::new();
    for i in 0..24_000 {
        let line = post(&format!("p{i}"), &format!("u{}", i % 60), 1_700_000_000 + i);
        // Padded so that lines differ in length and chunks cut them anywhere.
        text.push_str(line.trim_end().trim_end_matches('}'));
        text.push_str(&format!(
            ",\"body\":\"{}\"}}\n",
            "x".repeat(i as usize % 400)
        ));
    }
    text.push_str("{not json\n");
    text.push_str(&post("p7", "u2", 1_700_000_000));
    (w, text.into_bytes())
}

fn build(w: &World, source: &Path, out: &str, shard_bytes: u64) -> (Snapshot, Vec<Progress>) {
    let mut req = w.request(source, T);
    req.shard_bytes = Some(shard_bytes);
    req.out = Some(w.path(out).display().to_string());
    let mut seen = Vec::new();
    let s = snapshot::build(
        &w.store,
        &req,
        &mut |p| seen.push(p.clone()),
        &AtomicBool::new(false),
    )
    .unwrap();
    (s, seen)
}

/// Every file of a snapshot folder, by name, with its bytes.
fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn plain_zstd_and_gzip_sources_give_the_same_snapshot_bytes_and_digests() {
    let (w, text) = world();
    let half = text.len() / 2;
    let cut = half + text[half..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let sources = [
        ("posts.jsonl", text.clone(), Compression::None),
        ("posts.jsonl.zst", zstd(&text), Compression::Zstd),
        ("posts.jsonl.gz", gzip(&text), Compression::Gzip),
        // Two frames and two members, as concatenated or parallel compressors write.
        (
            "frames.jsonl.zst",
            [zstd(&text[..cut]), zstd(&text[cut..])].concat(),
            Compression::Zstd,
        ),
        (
            "members.jsonl.gz",
            [gzip(&text[..cut]), gzip(&text[cut..])].concat(),
            Compression::Gzip,
        ),
        // zstd bytes under a plain name: the bytes decide.
        ("misnamed.jsonl", zstd(&text), Compression::Zstd),
    ];
    let mut built = Vec::new();
    for (k, (name, bytes, compression)) in sources.iter().enumerate() {
        let path = w.write(name, bytes);
        let (s, progress) = build(&w, &path, &format!("out-{k}"), 256 << 10);
        assert_eq!(s.source_compression, *compression, "{name}");
        assert_eq!(s.source_bytes, text.len() as u64, "{name}: the text read");
        let expected = (*compression != Compression::None).then_some(bytes.len() as u64);
        assert_eq!(s.source_compressed_bytes, expected, "{name}");
        // Progress is over the file as given, and ends at its size.
        let last = progress.last().unwrap();
        assert_eq!(last.bytes_total, bytes.len() as u64, "{name}");
        assert_eq!(last.bytes_read, bytes.len() as u64, "{name}");
        assert!(progress
            .windows(2)
            .all(|p| p[0].bytes_read <= p[1].bytes_read));
        assert_eq!(
            snapshot::verify(&w.store, s.snapshot_id).unwrap().problems,
            Vec::<String>::new()
        );
        built.push((name, s));
    }
    let (_, plain) = &built[0];
    assert!(plain.shards.len() > 3, "{} shards", plain.shards.len());
    assert_eq!(plain.rejected, 1);
    assert_eq!(plain.excluded["duplicate_id"], 1);
    assert!(plain.excluded["minor"] > 0 && plain.excluded["unknown_user"] > 0);
    let plain_files = files(&plain.out_dir);
    for (name, s) in &built[1..] {
        assert_eq!(s.shards, plain.shards, "{name}");
        assert_eq!(s.records_index_sha256, plain.records_index_sha256, "{name}");
        assert_eq!(
            s.included_users_sha256, plain.included_users_sha256,
            "{name}"
        );
        assert_eq!(s.ledger_sha256, plain.ledger_sha256, "{name}");
        assert_eq!(s.excluded, plain.excluded, "{name}");
        assert_eq!(s.rejected_lines, plain.rejected_lines, "{name}");
        assert_eq!(
            (s.records_in, s.records_included, s.included_users),
            (
                plain.records_in,
                plain.records_included,
                plain.included_users
            ),
            "{name}"
        );
        assert!(
            files(&s.out_dir) == plain_files,
            "{name}: the folders differ"
        );
    }
    // The sealed rows are what the audit log says they are.
    assert!(consentry::audit::verify(&w.store).unwrap().ok);
}

#[test]
fn a_compressed_csv_source_keeps_its_header_in_every_shard() {
    let (w, _) = world();
    let mut csv = String::from("id,author,created_utc,body\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "c{i},u{},{},\"text, {i}\"\n",
            i % 50,
            1_700_000_000 + i
        ));
    }
    let plain = w.write("posts.csv", &csv);
    let gz = w.write("posts.csv.gz", gzip(csv.as_bytes()));
    let (a, _) = build(&w, &plain, "csv-plain", 16 << 10);
    let (b, _) = build(&w, &gz, "csv-gz", 16 << 10);
    assert!(a.shards.len() > 1);
    assert_eq!(a.shards, b.shards);
    assert!(files(&a.out_dir) == files(&b.out_dir));
    let first = std::fs::read_to_string(Path::new(&b.out_dir).join(&b.shards[1].file)).unwrap();
    assert!(
        first.starts_with("id,author,created_utc,body\n"),
        "{first:.60}"
    );
}

fn snapshot_rows(store: &Path) -> i64 {
    let conn = rusqlite::Connection::open(store).unwrap();
    conn.query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0))
        .unwrap()
}

/// Every path under `dir` but the store's own files.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("store.db") {
            continue;
        }
        out.push(e.path());
        if e.file_type().unwrap().is_dir() {
            out.extend(tree(&e.path()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_truncated_source_is_refused_naming_the_file_and_nothing_is_sealed() {
    let (w, text) = world();
    for (name, whole) in [
        ("cut.jsonl.zst", zstd(&text)),
        ("cut.jsonl.gz", gzip(&text)),
    ] {
        // Cut past the first chunks, so that shards were being written when it failed.
        let path = w.write(name, &whole[..whole.len() * 4 / 5]);
        let before = tree(w.dir.path());
        let mut req = w.request(&path, T);
        req.shard_bytes = Some(1 << 20);
        req.out = Some(w.path("out").display().to_string());
        let err = w.build(&req).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Invalid, "{err}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("{} is truncated", path.display())),
            "{message}"
        );
        assert_eq!(err.fields()[0].field, "source");
        assert_eq!(
            snapshot_rows(&w.path("store.db")),
            0,
            "{name}: a snapshot row is left"
        );
        assert!(snapshot::list(&w.store, w.deal).unwrap().is_empty());
        // No staging folder, no output folder: the folders are as they were.
        assert_eq!(tree(w.dir.path()), before, "{name}: files were left");
    }
    // A name that says zstd over plain text is refused before anything is written.
    let path = w.write("plain.jsonl.zst", &text);
    let err = w.build(&w.request(&path, T)).unwrap_err();
    assert!(
        err.to_string()
            .contains("is named as zstd (.zst) but is not zstd data"),
        "{err}"
    );
    assert_eq!(snapshot_rows(&w.path("store.db")), 0);
}

#[test]
fn the_preview_reads_a_compressed_source_and_says_so() {
    let (w, text) = world();
    let path = w.write("posts.jsonl.zst", zstd(&text));
    let p = snapshot::preview(path.to_str().unwrap(), None, 3).unwrap();
    assert_eq!(
        (p.format.as_str(), p.compression),
        ("jsonl", Compression::Zstd)
    );
    assert_eq!(p.bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(p.lines.len(), 3);
    assert_eq!(p.lines[0].values["id"], "p0");
}

const USERS: &str = "user_id,country,birth_date,status\n\
                     alice,US,1990-01-01,active\n\
                     bob,DE,,active\n\
                     carol,JP,2001-02-03,suspended\n";

fn ledger_jsonl() -> String {
    (0..2000)
        .map(|i| {
            format!(
                "{{\"user_id\":\"u{}\",\"purpose\":\"genai-training\",\"decision\":\"{}\",\
                 \"effective_at\":\"2025-01-01T00:{:02}:{:02}Z\",\"source\":\"app\"}}\n",
                i % 300,
                if i % 3 == 0 { "deny" } else { "allow" },
                i / 60 % 60,
                i % 60
            )
        })
        .collect()
}

/// A store with `users` and `ledger` imported from files named `users_name` and
/// `ledger_name`, written with `users_bytes` and `ledger_bytes`.
fn imported(
    users: (&str, Vec<u8>),
    ledger: (&str, Vec<u8>),
) -> (tempfile::TempDir, String, [Vec<ImportProgress>; 2]) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.db"))
        .unwrap()
        .with_actor("test");
    let mut progress: [Vec<ImportProgress>; 2] = Default::default();
    let users_path = dir.path().join(users.0);
    std::fs::write(&users_path, &users.1).unwrap();
    let r = imports::import_registry_with(
        &store,
        &users_path,
        &ImportOptions::default(),
        &mut |p| progress[0].push(p.clone()),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(r.added, 3);
    let ledger_path = dir.path().join(ledger.0);
    std::fs::write(&ledger_path, &ledger.1).unwrap();
    let r = imports::import_ledger_with(
        &store,
        &ledger_path,
        &ImportOptions::default(),
        &mut |p| progress[1].push(p.clone()),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(r.added, 2000);
    drop(store);
    let rows = rows(&dir.path().join("store.db"));
    (dir, rows, progress)
}

/// The imported rows: users, their changes and the consent events, without the import
/// ids' file names and times.
fn rows(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for sql in [
        "SELECT user_id, country, birth_date, status FROM users ORDER BY user_id",
        "SELECT id, user_id, purpose, decision, effective_at, source, identity FROM consent_events ORDER BY id",
        "SELECT kind, rows_read, added, changed, unchanged, skipped FROM imports ORDER BY id",
    ] {
        crate::common::dump_query(&conn, sql, &mut out);
    }
    out
}

#[test]
fn imports_from_csv_gz_and_jsonl_zst_give_the_same_rows_as_the_plain_files() {
    let ledger = ledger_jsonl();
    let (_plain_dir, plain, _) = imported(
        ("users.csv", USERS.as_bytes().to_vec()),
        ("ledger.jsonl", ledger.as_bytes().to_vec()),
    );
    assert!(plain.contains("\"alice\"") && plain.lines().count() > 2000);
    let users_gz = gzip(USERS.as_bytes());
    let ledger_zst = zstd(ledger.as_bytes());
    let (ledger_size, users_size) = (ledger_zst.len() as u64, users_gz.len() as u64);
    let (_dir, compressed, progress) =
        imported(("users.csv.gz", users_gz), ("ledger.jsonl.zst", ledger_zst));
    assert_eq!(compressed, plain);
    // Progress is over the compressed file, and its last report of reading is its size.
    for (p, size) in progress.iter().zip([users_size, ledger_size]) {
        assert!(p.iter().all(|p| p.bytes_total == size), "{p:?}");
        assert_eq!(p.last().unwrap().bytes_read, size);
    }
    // The other way round, and with the compression under a plain name.
    let (_dir, swapped, _) = imported(
        ("users.csv.zst", zstd(USERS.as_bytes())),
        ("ledger.jsonl", gzip(ledger.as_bytes())),
    );
    assert_eq!(swapped, plain);
}

#[test]
fn a_truncated_compressed_import_writes_nothing() {
    let ws = Workspace::new();
    let users = ws.dir.path().join("users.csv");
    std::fs::write(&users, USERS).unwrap();
    ws.ok(&["users", "import", users.to_str().unwrap()]);
    let mut big = String::from("user_id,country,birth_date,status\n");
    for u in 0..20_000 {
        big.push_str(&format!("user{u},US,1990-01-01,active\n"));
    }
    let ledger = ledger_jsonl().repeat(5);
    for (command, name, whole) in [
        ("users", "users.csv.gz", gzip(big.as_bytes())),
        ("users", "users.csv.zst", zstd(big.as_bytes())),
        ("consent", "ledger.jsonl.zst", zstd(ledger.as_bytes())),
        ("consent", "ledger.jsonl.gz", gzip(ledger.as_bytes())),
    ] {
        let path = ws.dir.path().join(name);
        std::fs::write(&path, &whole[..whole.len() - whole.len() / 3]).unwrap();
        let needle = format!("{} is truncated", path.display());
        ws.refused(
            &[command, "import", path.to_str().unwrap()],
            Some("file"),
            &needle,
        );
        // Even when told to skip invalid rows: the file as a whole is refused.
        ws.refused(
            &[command, "import", path.to_str().unwrap(), "--skip-invalid"],
            Some("file"),
            &needle,
        );
    }
    let before = dump(&ws.db);
    let plain = ws.dir.path().join("plain.csv.gz");
    std::fs::write(&plain, &big).unwrap();
    ws.refused(
        &["users", "import", plain.to_str().unwrap()],
        Some("file"),
        "is named as gzip (.gz) but is not gzip data",
    );
    assert_eq!(dump(&ws.db), before);
}

#[test]
fn the_cli_json_reports_compressed_and_uncompressed_bytes() {
    let ws = Workspace::new();
    ws.signed_deal(ws.partner("Lab"), "search", "2026-01-01", "2026-12-31");
    let mut users = String::from("user_id,country,birth_date,status\n");
    let mut posts = String::new();
    for u in 0..200 {
        users.push_str(&format!("u{u},US,1990-01-01,active\n"));
        posts.push_str(&post(&format!("p{u}"), &format!("u{u}"), 1_700_000_000));
    }
    let users_file = ws.dir.path().join("users.csv.gz");
    std::fs::write(&users_file, gzip(users.as_bytes())).unwrap();
    let r = ws.ok(&["users", "import", users_file.to_str().unwrap()]);
    assert_eq!(r["added"], 200);
    let zst = zstd(posts.as_bytes());
    let source = ws.dir.path().join("RS_2026-01.jsonl.zst");
    std::fs::write(&source, &zst).unwrap();
    let source = source.to_str().unwrap();
    let s = ws.ok(&[
        "snapshot", "build", "--deal", "1", "--source", source, "--as-of", T,
    ]);
    assert_eq!(s["format"], "jsonl");
    assert_eq!(s["source_compression"], "zstd");
    assert_eq!(s["source_compressed_bytes"], zst.len() as u64);
    assert_eq!(s["source_bytes"], posts.len() as u64);
    assert_eq!(s["records_included"], 200);
    // `snapshot show` says the same, in JSON and in words.
    let shown = ws.ok(&["snapshot", "show", "1"]);
    assert_eq!(
        shown["source_compressed_bytes"],
        s["source_compressed_bytes"]
    );
    let text = ws.cmd(&["snapshot", "show", "1"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let expected = format!(
        "(jsonl, zstd: {} bytes, {} bytes decompressed)",
        zst.len(),
        posts.len()
    );
    assert!(text.contains(&expected), "{text}");
    // A plain source reports no compressed size.
    let plain = ws.dir.path().join("posts.jsonl");
    std::fs::write(&plain, &posts).unwrap();
    let s = ws.ok(&[
        "snapshot",
        "build",
        "--deal",
        "1",
        "--source",
        plain.to_str().unwrap(),
        "--as-of",
        T,
    ]);
    assert_eq!(s["source_compression"], "none");
    assert_eq!(s["source_compressed_bytes"], serde_json::Value::Null);
    assert_eq!(s["source_bytes"], posts.len() as u64);
    // Beside the snapshot, how long each step took: they add up to the whole build
    // (each rounded down to the millisecond), and the commits are part of the stream.
    let phases = &s["phases"];
    let ms = |k: &str| {
        phases[k]
            .as_u64()
            .unwrap_or_else(|| panic!("phases.{k}: {phases}"))
    };
    let steps = ["consent_ms", "stream_ms", "publish_ms", "seal_ms"];
    let sum: u64 = steps.iter().map(|k| ms(k)).sum();
    let duration = s["duration_ms"].as_u64().unwrap();
    assert!(
        sum + steps.len() as u64 >= duration,
        "{phases} against {duration} ms"
    );
    assert!(ms("commit_ms") <= ms("stream_ms"), "{phases}");
    // `snapshot show` is the stored snapshot: no phases.
    assert!(ws.ok(&["snapshot", "show", "2"]).get("phases").is_none());
    // A truncated source through the CLI: refused, the store unchanged.
    let cut = ws.dir.path().join("cut.jsonl.zst");
    std::fs::write(&cut, &zst[..zst.len() / 2]).unwrap();
    ws.refused(
        &[
            "snapshot",
            "build",
            "--deal",
            "1",
            "--source",
            cut.to_str().unwrap(),
            "--as-of",
            T,
        ],
        Some("source"),
        "is truncated",
    );
}
