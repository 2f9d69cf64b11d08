//! Consent-filtered dataset snapshots (PRODUCT.md §3): one deal, one source file, one
//! cut-off instant `T`.
//!
//! A build streams the source once. Each line is parsed (completely: a corrupt line is
//! rejected even if its fields are readable), its author's eligibility is looked up in a
//! table computed once from the registry and the ledger as of `T`, and included lines
//! are copied byte for byte into shards, hashed as they are written.
//!
//! Guarantees:
//! - **Exact**: consent is decided by `consent::Rules` (PRODUCT.md §2); whatever cannot
//!   be decided is excluded and counted under its reason.
//! - **Deterministic**: the same source, store and request give byte-identical shards;
//!   threads only parse, one thread writes in source order.
//! - **Atomic**: a `building` row is committed first (so a crash can be cleaned up),
//!   shards are written under temporary names in a staging folder, fsynced, renamed,
//!   the folder renamed to its final name, and the row sealed in one transaction at the
//!   very end. [`clean_leftovers`] removes what a crashed build left. A build removes
//!   only what it created itself (see `folders`).
//! - **Bounded memory**: a table per registry user, 8.9 to 13.4 bytes per record for
//!   duplicate detection (`idset`), and a few blocks of the source in flight; never the
//!   records themselves. A line longer than [`MAX_LINE_BYTES`] is rejected unread.
//! - **Provable**: the sealed row keeps counts by reason, shard hashes, a digest of the
//!   sorted included user ids, a digest of the ledger events considered, and the policy
//!   version; `records.jsonl` beside the shards lists `[author, record id]` of every
//!   included record, in shard order.

mod authors;
pub(crate) mod build;
mod folders;
pub mod idset;
pub mod scan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::deal::DealId;
use crate::error::{Error, LineError, Result};
use crate::store::{self, Store};

pub use build::{build, Progress};

/// A line still without its end after this many bytes is rejected and skipped without
/// being held in memory (a line that ends within the same 4 MiB read may be read whole).
pub const MAX_LINE_BYTES: usize = 16 << 20;

pub const DEFAULT_SHARD_BYTES: u64 = 256 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct SnapshotId(pub i64);

impl std::fmt::Display for SnapshotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What to build. Text fields are parsed and checked by `build`, naming the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BuildRequest {
    pub deal_id: DealId,
    pub source: String,
    /// `jsonl` or `csv`; default: from the file name.
    #[serde(default)]
    pub format: Option<String>,
    pub id_field: String,
    pub user_field: String,
    pub time_field: String,
    /// The cut-off instant `T`, RFC 3339.
    pub as_of: String,
    /// First day of the content window (inclusive, UTC), if any.
    #[serde(default)]
    pub window_from: Option<String>,
    /// Last day of the content window (inclusive, UTC), if any.
    #[serde(default)]
    pub window_to: Option<String>,
    #[serde(default)]
    pub shard_bytes: Option<u64>,
    /// The folder to create for the snapshot: new or empty. Default:
    /// `<store file>.snapshots/deal-<id>/snapshot-<id>-<time>` beside the store.
    #[serde(default)]
    pub out: Option<String>,
    /// Fail without sealing when more than this percentage of lines are rejected.
    #[serde(default)]
    pub max_rejected_pct: Option<f64>,
}

impl BuildRequest {
    /// A request with the Pushshift field names (`id`, `author`, `created_utc`).
    pub fn new(deal_id: DealId, source: &str, as_of: &str) -> BuildRequest {
        BuildRequest {
            deal_id,
            source: source.to_string(),
            format: None,
            id_field: "id".into(),
            user_field: "author".into(),
            time_field: "created_utc".into(),
            as_of: as_of.to_string(),
            window_from: None,
            window_to: None,
            shard_bytes: None,
            out: None,
            max_rejected_pct: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Shard {
    pub file: String,
    pub records: u64,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    pub snapshot_id: SnapshotId,
    pub deal_id: DealId,
    pub sealed: bool,
    pub source: String,
    pub format: String,
    pub id_field: String,
    pub user_field: String,
    pub time_field: String,
    pub as_of: String,
    pub window_from: Option<String>,
    pub window_to: Option<String>,
    pub purposes: Vec<crate::purpose::Purpose>,
    pub policy_version: i64,
    pub out_dir: String,
    pub records_in: u64,
    pub records_included: u64,
    /// Every exclusion reason with its count (zero included).
    pub excluded: BTreeMap<String, u64>,
    pub rejected: u64,
    /// The first rejected lines, with why.
    pub rejected_lines: Vec<LineError>,
    pub shards: Vec<Shard>,
    pub included_users: u64,
    pub included_users_sha256: String,
    pub ledger_sha256: String,
    pub records_index_sha256: String,
    pub source_bytes: u64,
    pub duration_ms: u64,
    /// Records excluded as `no_consent` only because of the policy's opt-out gate
    /// (included by the regime default otherwise).
    pub held_back_by_gate: u64,
    pub created_at: String,
    pub sealed_at: Option<String>,
}

/// The file beside the shards that lists `[author, record id]` per included record.
pub const RECORDS_INDEX: &str = "records.jsonl";

pub fn get(store: &Store, id: SnapshotId) -> Result<Snapshot> {
    store.read(|conn| store::snapshots::get(conn, id))
}

/// Sealed snapshots of a deal, newest first.
pub fn list(store: &Store, deal: DealId) -> Result<Vec<Snapshot>> {
    store.read(|conn| {
        store::deals::get(conn, deal)?;
        store::snapshots::list(conn, deal)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyReport {
    pub snapshot_id: SnapshotId,
    pub ok: bool,
    pub files_checked: u64,
    pub problems: Vec<String>,
}

/// Re-hashes every shard and the records index and compares them with the sealed row.
pub fn verify(store: &Store, id: SnapshotId) -> Result<VerifyReport> {
    let snap = get(store, id)?;
    if !snap.sealed {
        return Err(Error::Conflict {
            field: None,
            message: format!("snapshot {id} is not sealed: its build has not finished"),
        });
    }
    let dir = PathBuf::from(&snap.out_dir);
    let mut problems = Vec::new();
    let (users, records, digest) = store.read(|conn| store::snapshots::included_users(conn, id))?;
    if (users, records) != (snap.included_users, snap.records_included) {
        problems.push(format!(
            "the store lists {users} users with {records} records, sealed with {} and {}",
            snap.included_users, snap.records_included
        ));
    }
    if digest != snap.included_users_sha256 {
        problems.push(format!(
            "the included users' SHA-256 is {digest}, sealed with {}",
            snap.included_users_sha256
        ));
    }
    let mut expected: Vec<(String, Option<u64>, String)> = snap
        .shards
        .iter()
        .map(|s| (s.file.clone(), Some(s.bytes), s.sha256.clone()))
        .collect();
    expected.push((
        RECORDS_INDEX.to_string(),
        None,
        snap.records_index_sha256.clone(),
    ));
    for (file, bytes, sha) in &expected {
        match hash_file(&dir.join(file)) {
            Err(e) => problems.push(format!("{file}: cannot read: {e}")),
            Ok((size, digest)) => {
                if let Some(bytes) = bytes {
                    if size != *bytes {
                        problems.push(format!("{file}: {size} bytes, sealed with {bytes}"));
                    }
                }
                if digest != *sha {
                    problems.push(format!("{file}: SHA-256 {digest}, sealed with {sha}"));
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !expected.iter().any(|(f, _, _)| *f == name) {
                problems.push(format!("{name}: not part of the sealed snapshot"));
            }
        }
    }
    Ok(VerifyReport {
        snapshot_id: id,
        ok: problems.is_empty(),
        files_checked: expected.len() as u64,
        problems,
    })
}

/// The digest of a set of included users: SHA-256 of their ids in sorted order, each
/// followed by '\n'.
pub(crate) fn users_digest<'a>(sorted_ids: impl Iterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for id in sorted_ids {
        hasher.update(id.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

pub(crate) fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Removes what crashed builds left: their `building` rows, and their staging folders
/// when they still carry the build's marker. Output folders are never removed: a build
/// killed between publishing and sealing leaves its folder unsealed, for a person to
/// look at. Builds whose process is still running are left alone. Returns how many
/// builds were cleaned.
pub fn clean_leftovers(store: &Store) -> Result<u64> {
    let leftovers = store.read(store::snapshots::building)?;
    let mut cleaned = 0;
    for b in leftovers {
        if b.pid != std::process::id() as i64 && process_alive(b.pid) {
            continue;
        }
        folders::remove_staging(&b)?;
        store.write(|tx| store::snapshots::delete_building(tx, b.id))?;
        cleaned += 1;
    }
    Ok(cleaned)
}

/// Whether a process with this id runs (Linux: /proc). Elsewhere a build is assumed
/// alive, so nothing is removed that might still be written.
fn process_alive(pid: i64) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// The first lines of a source file and the fields they have, for the snapshot wizard's
/// field mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SourcePreview {
    pub format: String,
    pub bytes: u64,
    /// Field names seen in the first lines (the CSV header, or the JSON keys).
    pub fields: Vec<String>,
    pub lines: Vec<PreviewLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PreviewLine {
    pub line: u64,
    /// Each field's value as text (strings as they are, other values as JSON), cut to
    /// 200 characters; empty when the line does not parse.
    pub values: BTreeMap<String, String>,
    /// Why the line does not parse, if it does not.
    pub error: Option<String>,
}

/// Reads up to `limit` records from the start of `source`.
pub fn preview(source: &str, format: Option<&str>, limit: usize) -> Result<SourcePreview> {
    use std::io::{BufRead, BufReader};
    let path = Path::new(source.trim());
    let format = match format.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => crate::ledger::FileFormat::parse("format", f)?,
        None => crate::ledger::FileFormat::of_path(path).ok_or_else(|| {
            Error::invalid(
                "format",
                "cannot tell the format from the file name: choose jsonl or csv",
            )
        })?,
    };
    let file = std::fs::File::open(path).map_err(|e| {
        Error::Invalid(vec![crate::error::FieldError::new(
            "source",
            format!("cannot read {}: {e}", path.display()),
        )])
    })?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = BufReader::new(file);
    let mut fields: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let cut = |s: &str| s.chars().take(200).collect::<String>();
    while lines.len() < limit {
        buf.clear();
        // Never read more than 1 MiB of one line for a preview.
        let n = std::io::Read::take(&mut reader, 1 << 20)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io("cannot read the source", e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if !buf.ends_with(b"\n") && n == 1 << 20 {
            lines.push(PreviewLine {
                line: line_no,
                values: BTreeMap::new(),
                error: Some("longer than 1 MiB: not shown".to_string()),
            });
            break;
        }
        let text = String::from_utf8_lossy(&buf);
        let text = text
            .trim_start_matches('\u{feff}')
            .trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            continue;
        }
        if format == crate::ledger::FileFormat::Csv && header.is_none() {
            let names: Vec<String> = text.split(',').map(|s| s.trim().to_string()).collect();
            fields = names.clone();
            header = Some(names);
            continue;
        }
        let mut values = BTreeMap::new();
        let mut error = None;
        match format {
            crate::ledger::FileFormat::Jsonl => {
                match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
                    Ok(object) => {
                        for (k, v) in object {
                            if !fields.contains(&k) {
                                fields.push(k.clone());
                            }
                            let shown = match v {
                                serde_json::Value::String(s) => cut(&s),
                                other => cut(&other.to_string()),
                            };
                            values.insert(k, shown);
                        }
                    }
                    Err(e) => error = Some(format!("not a JSON object: {e}")),
                }
            }
            crate::ledger::FileFormat::Csv => {
                let names = header.as_ref().expect("read above");
                let all: Vec<usize> = (0..names.len()).collect();
                for chunk in all.chunks(3) {
                    let cols = [
                        chunk[0],
                        *chunk.get(1).unwrap_or(&usize::MAX),
                        *chunk.get(2).unwrap_or(&usize::MAX),
                    ];
                    match scan::csv(text.as_bytes(), &cols) {
                        Ok(mapped) => {
                            for (k, v) in chunk.iter().zip(mapped) {
                                if let Some(scan::Value::Str(s)) = v {
                                    values.insert(names[*k].clone(), cut(&s));
                                }
                            }
                        }
                        Err(e) => error = Some(e),
                    }
                }
            }
        }
        lines.push(PreviewLine {
            line: line_no,
            values,
            error,
        });
    }
    Ok(SourcePreview {
        format: format.token().to_string(),
        bytes,
        fields,
        lines,
    })
}
