//! Helpers shared by the integration tests: a CLI runner on a real SQLite file and a
//! dump of every table, to prove that a refused command changed nothing.

#![allow(dead_code)]

pub mod world;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("consentry.db");
        // Created up front, so that a refused first command can be seen to change nothing.
        drop(consentry::Store::open(&db).unwrap());
        Workspace { dir, db }
    }

    /// `consentry --db <this store> --actor tester ARGS...`
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("consentry").unwrap();
        // Signing keys go in a file beside the test's store, never a developer's keyring.
        cmd.env_remove("CONSENTRY_DB")
            .env("CONSENTRY_SECRET_STORE", "file")
            .arg("--db")
            .arg(&self.db)
            .args(["--actor", "tester"])
            .args(args);
        cmd
    }

    /// Runs a command that must succeed with `--json` and returns its output.
    pub fn ok(&self, args: &[&str]) -> Value {
        let out = self.cmd(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Runs a command that must be refused; checks exit status 1, that stderr names
    /// `needle`, that the JSON error names `field` (when given), and that the store is
    /// unchanged.
    pub fn refused(&self, args: &[&str], field: Option<&str>, needle: &str) {
        let before = dump(&self.db);
        let out = self.cmd(args).arg("--json").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: stderr {stderr:?} lacks {needle:?}"
        );
        let body: Value = serde_json::from_slice(&out.stdout).expect("JSON error on stdout");
        if let Some(field) = field {
            let fields: Vec<&str> = body["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert!(
                fields.contains(&field),
                "{args:?}: fields {fields:?} lack {field}"
            );
        }
        assert_eq!(before, dump(&self.db), "{args:?} changed the store");
    }

    pub fn partner(&self, name: &str) -> i64 {
        self.ok(&["partner", "add", "--name", name, "--kind", "ai-lab"])["id"]
            .as_i64()
            .unwrap()
    }

    pub fn deal(&self, partner: i64) -> i64 {
        self.ok(&[
            "deal",
            "add",
            "--partner",
            &partner.to_string(),
            "--title",
            "Training licence",
            "--purposes",
            "genai-training,ai-inference",
            "--start",
            "2026-01-01",
            "--end",
            "2028-12-31",
        ])["id"]
            .as_i64()
            .unwrap()
    }
}

impl Workspace {
    /// A deal permitting `purposes` over `start..=end`, moved to `signed`; its id.
    pub fn signed_deal(&self, partner: i64, purposes: &str, start: &str, end: &str) -> i64 {
        let id = self.draft_deal(partner, purposes, start, end);
        for to in ["negotiating", "signed"] {
            self.ok(&["deal", "transition", &id.to_string(), "--to", to]);
        }
        id
    }

    /// A draft deal permitting `purposes` over `start..=end`; its id.
    pub fn draft_deal(&self, partner: i64, purposes: &str, start: &str, end: &str) -> i64 {
        let args = deal_add_args(partner, purposes, start, end);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.ok(&args)["id"].as_i64().unwrap()
    }
}

/// `deal add` for a deal titled "T" permitting `purposes` over `start..=end`.
pub fn deal_add_args(partner: i64, purposes: &str, start: &str, end: &str) -> Vec<String> {
    let partner = partner.to_string();
    [
        "deal",
        "add",
        "--partner",
        &partner,
        "--title",
        "T",
        "--purposes",
        purposes,
        "--start",
        start,
        "--end",
        end,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Every row of every table, as text, in a stable order.
/// `PRAGMA integrity_check` over a connection, as SQLite answers it ("ok" when sound).
pub fn integrity_of(conn: &rusqlite::Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

pub fn dump(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!("== {table}\n"));
        dump_query(
            &conn,
            &format!("SELECT * FROM \"{table}\" ORDER BY 1"),
            &mut out,
        );
    }
    out
}

/// Appends every row `sql` returns to `out`, as text: one line per row.
pub fn dump_query(conn: &rusqlite::Connection, sql: &str, out: &mut String) {
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        for i in 0..columns {
            let value: rusqlite::types::Value = row.get(i).unwrap();
            out.push_str(&format!("{value:?}|"));
        }
        out.push('\n');
    }
}
