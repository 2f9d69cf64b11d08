//! Consent-filtered dataset snapshots (PRODUCT.md §3): one deal, one source file, one
//! cut-off instant `T`. The source may be plain, gzip- or zstd-compressed (told by its
//! first bytes, decompressed as it streams); the output does not depend on which.
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

pub(crate) mod atomic;
mod authors;
pub(crate) mod build;
mod classify;
pub(crate) mod folders;
pub mod idset;
mod reader;
mod request;
pub mod scan;
mod shards;
mod stream;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::deal::DealId;
use crate::error::{Error, Result};
use crate::store::{self, Store};

pub use crate::model::snapshot::*;
pub use build::{build, build_timed};

/// One snapshot, sealed or still building.
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

/// Whether `path` is a file a build can read, or what it is instead, in words that name
/// it: a folder is called a folder.
pub(crate) fn source_file(path: &Path) -> std::result::Result<(), String> {
    let shown = crate::text::printable(&path.display().to_string()).into_owned();
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(m) if m.is_dir() => Err(format!(
            "{shown} is a folder: give the posts file inside it (JSON Lines or CSV)"
        )),
        Ok(_) => Err(format!(
            "{shown} is not a regular file: give the posts file"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("there is no file at {shown}: check the path"))
        }
        Err(e) => Err(format!("{shown} cannot be read: {e}")),
    }
}

/// Reads up to `limit` records from the start of `source` (decompressed, when it is
/// compressed).
pub fn preview(source: &str, format: Option<&str>, limit: usize) -> Result<SourcePreview> {
    use std::io::{BufRead, BufReader};
    let path = Path::new(source.trim());
    source_file(path).map_err(|why| Error::invalid("source", why))?;
    let format = match format.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => crate::model::file_format::FileFormat::parse("format", f)?,
        None => crate::model::file_format::FileFormat::of_path(path).ok_or_else(|| {
            Error::invalid(
                "format",
                "cannot tell the format from the file name (it ends neither in .jsonl nor in \
                 .csv, before any .gz or .zst): choose jsonl or csv",
            )
        })?,
    };
    let file = crate::compression::open(path, "source").map_err(|e| match e {
        Error::Io { context, source } => Error::Invalid(vec![crate::error::FieldError::new(
            "source",
            format!("{context}: {source}"),
        )]),
        other => other,
    })?;
    let (bytes, compression) = (file.file_bytes, file.compression);
    let read_error = |e| crate::compression::read_error(path, compression, e, "source");
    let mut reader = BufReader::new(file.reader);
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
            .map_err(read_error)?;
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
        if format == crate::model::file_format::FileFormat::Csv && header.is_none() {
            let names: Vec<String> = text.split(',').map(|s| s.trim().to_string()).collect();
            fields = names.clone();
            header = Some(names);
            continue;
        }
        let mut values = BTreeMap::new();
        let mut error = None;
        match format {
            crate::model::file_format::FileFormat::Jsonl => {
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
            crate::model::file_format::FileFormat::Csv => {
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
        compression,
        bytes,
        fields,
        lines,
    })
}
