//! Crash safety: the CLI is killed with SIGKILL at many points of a build. Afterwards no
//! half-built snapshot is sealed, the next start removes every leftover, and a clean
//! rebuild is byte-identical to an undisturbed one.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::world::post;
use common::Workspace;
use serde_json::Value;

const T: &str = "2026-06-01T00:00:00Z";

fn setup() -> (Workspace, String) {
    let ws = Workspace::new();
    ws.ok(&["partner", "add", "--name", "Lab", "--kind", "ai-lab"]);
    ws.ok(&[
        "deal",
        "add",
        "--partner",
        "1",
        "--title",
        "T",
        "--purposes",
        "search",
        "--start",
        "2026-01-01",
        "--end",
        "2026-12-31",
    ]);
    ws.ok(&["deal", "transition", "1", "--to", "negotiating"]);
    ws.ok(&["deal", "transition", "1", "--to", "signed"]);
    let users = ws.dir.path().join("users.csv");
    let mut f = std::fs::File::create(&users).unwrap();
    writeln!(f, "user_id,country,birth_date,status").unwrap();
    for u in 0..2000 {
        writeln!(
            f,
            "u{u},{},1990-01-01,active",
            if u % 4 == 0 { "DE" } else { "US" }
        )
        .unwrap();
    }
    drop(f);
    ws.ok(&["users", "import", users.to_str().unwrap()]);
    let posts = ws.dir.path().join("posts.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&posts).unwrap());
    let body = "x".repeat(200);
    for i in 0..60_000 {
        let line = post(
            &format!("t3_{i}"),
            &format!("u{}", i % 2100),
            1_700_000_000 + i,
        );
        let line = line.replace("\"title\":\"t\"", &format!("\"title\":\"{body}\""));
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    (ws, posts.display().to_string())
}

fn build_args<'a>(posts: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "snapshot",
        "build",
        "--deal",
        "1",
        "--source",
        posts,
        "--as-of",
        T,
        "--out",
        out,
        "--shard-bytes",
        "2000000",
    ]
}

fn leftovers(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.contains(".building-") || name.ends_with(".tmp") {
            found.push(entry.path().display().to_string());
        }
        if entry.file_type().unwrap().is_dir() {
            leftovers(&entry.path(), found);
        }
    }
}

fn shard_bytes(snapshot: &Value) -> Vec<u8> {
    let dir = Path::new(snapshot["out_dir"].as_str().unwrap());
    snapshot["shards"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| std::fs::read(dir.join(s["file"].as_str().unwrap())).unwrap())
        .collect()
}

#[test]
fn killed_builds_leave_nothing_sealed_and_nothing_behind() {
    let (ws, posts) = setup();
    let reference_out = ws.dir.path().join("reference").display().to_string();
    let started = Instant::now();
    let reference = ws.ok(&build_args(&posts, &reference_out));
    let full = started.elapsed();
    let reference_bytes = shard_bytes(&reference);
    assert!(reference["shards"].as_array().unwrap().len() >= 3);

    let mut killed_mid_build = 0;
    for k in 0..16u32 {
        let out = ws.dir.path().join(format!("run-{k}")).display().to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_consentry"))
            .arg("--db")
            .arg(&ws.db)
            .args(build_args(&posts, &out))
            .arg("--json")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From the very start to past the usual end of a build.
        std::thread::sleep(full.mul_f64(f64::from(k) / 12.0));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();

        let mut conn_check = Command::new(env!("CARGO_BIN_EXE_consentry"));
        conn_check
            .arg("--db")
            .arg(&ws.db)
            .args(["snapshot", "list", "--deal", "1", "--json"]);
        let listed: Value = serde_json::from_slice(&conn_check.output().unwrap().stdout).unwrap();
        let sealed_here: Vec<&Value> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["out_dir"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("run-{k}"))
            })
            .collect();
        if sealed_here.is_empty() {
            killed_mid_build += 1;
            assert!(!finished, "run {k} finished but was not sealed");
            // A build never removes an output folder. Killed in the instant between
            // publishing (one rename) and sealing, it leaves the whole folder, unsealed,
            // for a person to look at; never a part of one.
            if Path::new(&out).exists() {
                let published = std::fs::read_dir(&out).unwrap().count();
                assert_eq!(
                    published,
                    reference["shards"].as_array().unwrap().len() + 1,
                    "run {k}: a partial output folder {out}"
                );
            }
        } else {
            // Sealed before the kill: it must be whole.
            let id = sealed_here[0]["snapshot_id"].to_string();
            ws.ok(&["snapshot", "verify", &id]);
            assert_eq!(shard_bytes(sealed_here[0]), reference_bytes);
        }
        let mut found = Vec::new();
        leftovers(ws.dir.path(), &mut found);
        assert!(found.is_empty(), "after run {k}, left behind: {found:?}");
        let conn = rusqlite::Connection::open(&ws.db).unwrap();
        let building: i64 = conn
            .query_row(
                "SELECT count(*) FROM snapshots WHERE state = 'building'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(building, 0, "after run {k}");
    }
    assert!(
        killed_mid_build >= 6,
        "only {killed_mid_build} runs were killed mid-build"
    );

    let rebuilt_out = ws.dir.path().join("rebuilt").display().to_string();
    let rebuilt = ws.ok(&build_args(&posts, &rebuilt_out));
    assert_eq!(rebuilt["shards"], reference["shards"]);
    assert_eq!(shard_bytes(&rebuilt), reference_bytes);
}
