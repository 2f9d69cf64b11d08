//! Backups of the whole store, daily backups with retention, and restoring one.
//!
//! - [`create`] writes a consistent copy of the store (SQLite's online backup API, one
//!   read transaction: another process may go on writing) to a new file, published
//!   whole or not at all (temporary name, fsync, linked to its name, never replacing a
//!   file), then appends a `store.backed_up` entry to the store's audit log with the
//!   file's SHA-256 and the audit head the backup holds. The backup is kept even if the
//!   entry cannot be written (the report says why): losing a good backup for want of a
//!   log line would be the worse outcome.
//! - [`daily`] does that once a day into a folder (`consentry-YYYY-MM-DD.db`, local
//!   date) and removes the oldest daily backups beyond `keep`: only files of exactly
//!   that name, only after today's exists.
//! - [`restore`] replaces the store with a backup only after the file passed every
//!   check: its header (a truncated copy), `PRAGMA integrity_check`, its schema version
//!   (a newer one is refused; an older one is migrated) and `audit verify` (the chain
//!   and the data it vouches for). Every check runs on a private copy next to the
//!   store; the backup file is only read. The copy gets a `store.restored` entry
//!   (from which file, which head, where the old store went), then replaces the store by
//!   one rename; the replaced store is kept beside it as
//!   `<store>.before-restore-<time>`. A store open in another process is refused, not
//!   replaced under it. Whatever is refused leaves the store and its folder as they
//!   were.
//!
//! A restore takes the store's path, not a `&Store`: the store must not be open, even
//! in the calling process (the app closes its store, restores, and opens it again).

pub use crate::model::backup::*;

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::audit;
use crate::error::{Error, Result};
use crate::model::audit::{Action, AuditHead, GENESIS};
use crate::model::text::printable;
use crate::snapshot;
use crate::store::{self, backup as sqlite, Store};

/// The audit log's entity for the store as a whole (entries `store.backed_up` and
/// `store.restored`), with id 0.
const ENTITY: &str = "store";

/// Writes a backup of `store` to `out`, a new file in an existing folder (an existing
/// file is refused, never replaced), and records it in the store's audit log.
pub fn create(store: &Store, out: &Path) -> Result<BackupReport> {
    let Some(name) = out.file_name() else {
        return Err(Error::invalid(
            "out",
            format!("{} names no file", shown(out)),
        ));
    };
    let folder = parent(out);
    if !folder.is_dir() {
        return Err(Error::invalid(
            "out",
            format!("the folder {} does not exist", shown(folder)),
        ));
    }
    if out.exists() {
        return Err(exists(out));
    }
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".partial-{}", std::process::id()));
    // A store whose `quick_check` failed is not copied: its daily copy would push a
    // sound backup out of the retention.
    store.checked()?;
    let temp = Temporary::create(folder.join(temp_name))?;
    let copied = store.backup_to(&temp.path)?;
    let (bytes, sha256) = sync_and_hash(&temp.path)?;
    match std::fs::hard_link(&temp.path, out) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists(out)),
        Err(e) => return Err(Error::io(format!("cannot write {}", shown(out)), e)),
    }
    drop(temp);
    snapshot::folders::sync_dir(folder)?;
    let mut report = BackupReport {
        file: absolute(out),
        bytes,
        sha256,
        head: head_of(copied.head),
        schema_version: u32::try_from(copied.schema_version).unwrap_or(0),
        audit_seq: None,
        audit_error: None,
    };
    let record = report.clone();
    match store.write(|tx| {
        tx.audit(Action::StoreBackedUp, ENTITY, 0, None, Some(&record))?;
        Ok(store::audit::newest(tx.conn())?.map(|(seq, _)| seq))
    }) {
        Ok(seq) => report.audit_seq = seq,
        Err(e) => report.audit_error = Some(e.to_string()),
    }
    Ok(report)
}

/// The daily backup as of today's local date: see [`daily_on`].
pub fn daily(store: &Store, dir: &Path, keep: usize) -> Result<DailyReport> {
    daily_on(store, dir, keep, chrono::Local::now().date_naive())
}

/// Writes `dir/consentry-<today>.db` unless it exists (creating `dir` if needed), then
/// removes the oldest daily backups in `dir` beyond the newest `keep` (at least 1).
/// Only files named exactly as daily backups are counted or removed, and nothing is
/// removed when today's backup could not be written.
pub fn daily_on(store: &Store, dir: &Path, keep: usize, today: NaiveDate) -> Result<DailyReport> {
    if keep == 0 {
        return Err(Error::invalid(
            "keep",
            "keep at least 1 daily backup (0 would remove today's too)",
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", shown(dir)), e))?;
    let today_file = dir.join(daily_name(today));
    let created = if today_file.exists() {
        None
    } else {
        match create(store, &today_file) {
            Ok(report) => Some(report),
            // Another process wrote today's backup at the same moment.
            Err(Error::Conflict { .. }) if today_file.exists() => None,
            Err(e) => return Err(e),
        }
    };
    let days = daily_days(dir)?;
    let removed: Vec<String> = beyond_retention(days.clone(), keep)
        .into_iter()
        .map(daily_name)
        .collect();
    for name in &removed {
        let path = dir.join(name);
        std::fs::remove_file(&path)
            .map_err(|e| Error::io(format!("cannot remove {}", shown(&path)), e))?;
    }
    let kept = days
        .into_iter()
        .map(daily_name)
        .filter(|n| !removed.contains(n))
        .collect();
    Ok(DailyReport {
        dir: absolute(dir),
        created,
        kept,
        removed,
    })
}

/// The days of the daily backups in `dir`, oldest first.
fn daily_days(dir: &Path) -> Result<Vec<NaiveDate>> {
    let read = |e| Error::io(format!("cannot read {}", shown(dir)), e);
    let mut days = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let entry = entry.map_err(read)?;
        let day = entry.file_name().to_str().and_then(daily_day);
        if let Some(day) = day.filter(|_| entry.file_type().is_ok_and(|t| t.is_file())) {
            days.push(day);
        }
    }
    days.sort_unstable();
    Ok(days)
}

/// Replaces the store at `store_path` (or creates it, when there is none) with the
/// backup `file`, after checking the file; `actor` is who the `store.restored` entry
/// names (by default, as for [`Store::open`]). See the module's documentation for the
/// order of things.
pub fn restore(store_path: &Path, file: &Path, actor: Option<&str>) -> Result<RestoreReport> {
    let refuse = |why: String| {
        Error::invalid(
            "file",
            format!(
                "{} cannot be restored: {why}; nothing was changed",
                shown(file)
            ),
        )
    };
    match std::fs::metadata(file) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(refuse("it is not a file".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse("there is no such file".into()))
        }
        Err(e) => return Err(Error::io(format!("cannot read {}", shown(file)), e)),
    }
    if same_file(file, store_path) {
        return Err(refuse("it is the store itself".into()));
    }
    // A backup is one file. A database with a write-ahead log or a hot journal beside
    // it is a live store (or a copy of one without its log): restoring the file alone
    // would lose what its log holds.
    let [wal, _, journal] = sqlite::companions(file);
    for log in [wal, journal] {
        if std::fs::metadata(&log).is_ok_and(|m| m.len() > 0) {
            return Err(refuse(format!(
                "{} lies beside it, so it is a live store rather than a backup; make a \
                 backup of it with `consentry --db {} backup --out NEW_FILE` and restore that",
                shown(&log),
                shown(file)
            )));
        }
    }

    let folder = parent(store_path);
    let made_folder = !folder.exists();
    std::fs::create_dir_all(folder).map_err(|e| {
        Error::io(
            format!("cannot create the store's folder {}", shown(folder)),
            e,
        )
    })?;
    let result = restore_into(store_path, folder, file, actor, &refuse);
    if result.is_err() && made_folder {
        let _ = std::fs::remove_dir(folder);
    }
    result
}

fn restore_into(
    store_path: &Path,
    folder: &Path,
    file: &Path,
    actor: Option<&str>,
    refuse: &dyn Fn(String) -> Error,
) -> Result<RestoreReport> {
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(store_path.file_name().unwrap_or_default());
    temp_name.push(format!(".restore-{}", std::process::id()));
    let temp = Temporary::create(folder.join(temp_name))?;
    let (bytes, sha256, header) = copy_and_hash(file, &temp.path)?;
    if let Some(why) = sqlite::header_problem(&header, bytes) {
        return Err(refuse(why));
    }
    let checked = sqlite::check_file(&temp.path).map_err(refuse)?;
    if !checked.problems.is_empty() {
        return Err(refuse(format!(
            "it is damaged: SQLite's integrity_check found {} problem(s), the first: \"{}\"",
            checked.problems.len(),
            checked.problems[0]
        )));
    }
    let version = usize::try_from(checked.schema_version).unwrap_or(usize::MAX);
    if version > store::SCHEMA_VERSION {
        return Err(refuse(format!(
            "it has schema version {version}, but this Consentry knows versions up to {}: it \
             was written by a newer Consentry; restore it with that version or a newer one",
            store::SCHEMA_VERSION
        )));
    }
    // An older backup is migrated here, on the copy, and verified as migrated.
    let mut restored = Store::open_checked(&temp.path)
        .map_err(|e| refuse(format!("it cannot be opened as a store: {e}")))?;
    if let Some(actor) = actor {
        restored = restored.with_actor(actor);
    }
    let verified = audit::verify(&restored)?;
    if !verified.ok {
        let first = verified.problems.first().map(|p| p.message.as_str());
        return Err(refuse(format!(
            "its audit log does not verify ({} problem(s), the first: {}): the file was \
             altered after it was written; `consentry --db {} audit verify` lists them",
            verified.problems.len(),
            first.unwrap_or("-"),
            shown(file)
        )));
    }
    let head = head_of(verified.head_seq.zip(verified.head_hash));

    // The store being replaced: nobody else may have it open from here to the swap.
    let present = store_path.exists();
    let companions_present = sqlite::companions(store_path).iter().any(|c| c.exists());
    let hold = if present {
        Some(sqlite::hold(store_path).map_err(Error::from)?)
    } else {
        None
    };
    let replaced = (present || companions_present).then(|| free_replaced_name(store_path));
    let mut report = RestoreReport {
        store: absolute(store_path),
        from: absolute(file),
        bytes,
        sha256,
        head,
        schema_version: u32::try_from(version).unwrap_or(0),
        replaced: replaced.as_deref().map(absolute),
        replaced_head: hold
            .as_ref()
            .and_then(|h| h.head.clone())
            .map(|(seq, hash)| AuditHead { seq, hash }),
        audit_seq: None,
    };
    let record = report.clone();
    report.audit_seq = restored.write(|tx| {
        tx.audit(Action::StoreRestored, ENTITY, 0, None, Some(&record))?;
        Ok(store::audit::newest(tx.conn())?.map(|(seq, _)| seq))
    })?;
    // Closing the last connection copies the copy's WAL into it and removes the WAL.
    drop(restored);
    let [wal, ..] = sqlite::companions(&temp.path);
    if wal.exists() {
        return Err(Error::io(
            format!("cannot finish the restored copy ({} remains)", shown(&wal)),
            std::io::Error::other("its write-ahead log was not copied back"),
        ));
    }
    sync_file(&temp.path)?;
    swap(&temp, store_path, replaced.as_deref())?;
    temp.keep();
    snapshot::folders::sync_dir(folder)?;
    drop(hold);
    Ok(report)
}

/// Puts the checked copy in the store's place: the store (if any) is linked to its
/// `replaced` name first, so that the store's name always names a whole store, then
/// the copy is renamed onto it. Its `-wal`, `-shm` and `-journal` (left only by a
/// damaged store) follow it. Where the file system has no hard links, the store is
/// renamed instead, and for an instant there is no file at the store's name.
fn swap(temp: &Temporary, store_path: &Path, replaced: Option<&Path>) -> Result<()> {
    let io = |what: &Path| {
        let what = shown(what);
        move |e| Error::io(format!("cannot move {what} aside"), e)
    };
    let mut moved = Vec::new();
    if let Some(replaced) = replaced {
        if store_path.exists() {
            match std::fs::hard_link(store_path, replaced) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(io(replaced)(e))
                }
                Err(_) => std::fs::rename(store_path, replaced).map_err(io(store_path))?,
            }
        }
        for (from, to) in sqlite::companions(store_path)
            .into_iter()
            .zip(sqlite::companions(replaced))
        {
            if from.exists() {
                if let Err(e) = std::fs::rename(&from, &to) {
                    undo(&moved, store_path, replaced);
                    return Err(io(&from)(e));
                }
                moved.push((from, to));
            }
        }
    }
    if let Err(e) = std::fs::rename(&temp.path, store_path) {
        if let Some(replaced) = replaced {
            undo(&moved, store_path, replaced);
        }
        return Err(Error::io(format!("cannot write {}", shown(store_path)), e));
    }
    Ok(())
}

/// Puts back what [`swap`] moved before it failed.
fn undo(moved: &[(PathBuf, PathBuf)], store_path: &Path, replaced: &Path) {
    for (from, to) in moved {
        let _ = std::fs::rename(to, from);
    }
    if store_path.exists() {
        // The store was linked: drop the second name.
        let _ = std::fs::remove_file(replaced);
    } else {
        let _ = std::fs::rename(replaced, store_path);
    }
}

/// `<store>.before-restore-<now>`, or with `-2`, `-3`, ... if taken.
fn free_replaced_name(store_path: &Path) -> PathBuf {
    let now = chrono::Utc::now();
    (1..)
        .map(|attempt| replaced_name(store_path, now, attempt))
        .find(|p| !p.exists() && sqlite::companions(p).iter().all(|c| !c.exists()))
        .expect("an unused name")
}

/// A file this process created (exclusively), removed with its SQLite companions when
/// dropped unless kept.
struct Temporary {
    path: PathBuf,
    kept: bool,
}

impl Temporary {
    fn create(path: PathBuf) -> Result<Temporary> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot create {}", shown(&path)), e))?;
        Ok(Temporary { path, kept: false })
    }

    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
        for companion in sqlite::companions(&self.path) {
            let _ = std::fs::remove_file(companion);
        }
    }
}

/// Copies `from` to `to` (created empty beforehand), returning the size, the SHA-256
/// of what was read and its first 100 bytes.
fn copy_and_hash(from: &Path, to: &Path) -> Result<(u64, String, Vec<u8>)> {
    use sha2::{Digest, Sha256};
    let read_err = |e| Error::io(format!("cannot read {}", shown(from)), e);
    let write_err = |e| Error::io(format!("cannot write {}", shown(to)), e);
    let mut input = File::open(from).map_err(read_err)?;
    let mut output = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(to)
        .map_err(write_err)?;
    let (mut hasher, mut bytes, mut header) = (Sha256::new(), 0u64, Vec::with_capacity(100));
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if header.len() < 100 {
            let take = (100 - header.len()).min(n);
            header.extend_from_slice(&chunk[..take]);
        }
        hasher.update(chunk);
        output.write_all(chunk).map_err(write_err)?;
        bytes += n as u64;
    }
    output.sync_all().map_err(write_err)?;
    Ok((bytes, hex::encode(hasher.finalize()), header))
}

/// fsyncs the file at `path`, then returns its size and SHA-256.
fn sync_and_hash(path: &Path) -> Result<(u64, String)> {
    sync_file(path)?;
    snapshot::hash_file(path).map_err(|e| Error::io(format!("cannot read {}", shown(path)), e))
}

/// fsyncs the file at `path`.
fn sync_file(path: &Path) -> Result<()> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(format!("cannot sync {}", shown(path)), e))
}

fn head_of(head: Option<(i64, String)>) -> AuditHead {
    match head {
        Some((seq, hash)) => AuditHead { seq, hash },
        None => AuditHead {
            seq: 0,
            hash: GENESIS.to_string(),
        },
    }
}

fn exists(out: &Path) -> Error {
    Error::conflict(
        "out",
        format!(
            "{} exists; a backup never replaces a file: choose a new name",
            shown(out)
        ),
    )
}

/// Whether `a` and `b` are the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The path as an absolute path (without resolving links), for reports and the log.
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}
