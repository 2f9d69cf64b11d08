//! SQLite's part of backups and restores: the online backup of a live store, the checks
//! a file must pass before it may replace one (header, `integrity_check`, schema
//! version), `quick_check` at open, and an exclusive hold on the store being replaced.
//!
//! A backup copies every page in one step of SQLite's online backup API, inside a read
//! transaction of its own connection: in WAL mode that transaction sees one committed
//! state of the store and never blocks a writer, and a one-step copy cannot be
//! restarted by a write from another process (a copy in several steps would start over
//! after each one). The copy is then switched out of WAL mode, so a backup is one
//! self-contained file.
//!
//! A store in WAL mode lives in up to three files: the database, `-wal` (committed
//! pages not yet copied back) and `-shm` (the index of the WAL, shared by the processes
//! that have the store open). [`companions`] names them; a database file must never be
//! separated from its `-wal`, or be given another's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{Store, StoreError};
use crate::error::Result;

/// At most this many problems of a check are kept (SQLite stops after them).
const MAX_PROBLEMS: usize = 20;

/// How long a restore waits for the store it replaces to be free before refusing.
const HOLD_TIMEOUT: Duration = Duration::from_secs(2);

/// What one consistent read of a store saw while copying it.
pub(crate) struct Copied {
    /// The newest audit entry (seq, hash), as of the copy.
    pub head: Option<(i64, String)>,
    /// `PRAGMA user_version` as of the copy.
    pub schema_version: i64,
}

impl Store {
    /// Copies the whole store, as of one instant, into the new database file `dest`
    /// (which must be empty or absent), in rollback-journal mode. A file store is read
    /// through a read-only connection of its own, so that this store's connection (the
    /// app's, shared by its commands) stays free while the pages are copied.
    pub(crate) fn backup_to(&self, dest: &Path) -> Result<Copied> {
        match &self.path {
            Some(path) => {
                let source = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|source| StoreError::Open {
                    path: path.clone(),
                    source,
                })?;
                source.busy_timeout(super::BUSY_TIMEOUT)?;
                copy(&source, dest)
            }
            None => copy(&self.lock(), dest),
        }
    }
}

fn copy(source: &Connection, dest: &Path) -> Result<Copied> {
    // The head, the version and every page come from this one read transaction.
    let read = source.unchecked_transaction()?;
    let head = read
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let schema_version: i64 = read.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let mut out = Connection::open(dest)?;
    {
        let backup = Backup::new(&read, &mut out)?;
        // -1: every page in one step, under the read transaction above.
        match backup.step(-1)? {
            StepResult::Done => {}
            _ => return Err(busy("the backup's destination is in use").into()),
        }
    }
    read.commit()?;
    // The pages came from a WAL store; without this the copy would open in WAL mode and
    // could grow a -wal of its own.
    let mode: String = out.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(busy("the backup could not be left in rollback-journal mode").into());
    }
    out.close().map_err(|(_, e)| e)?;
    Ok(Copied {
        head,
        schema_version,
    })
}

fn busy(message: &str) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some(message.to_string()),
    ))
}

/// `PRAGMA quick_check`: the problems it found, none when the file is sound. A file too
/// damaged for the check to run at all is one problem, SQLite's error.
pub(crate) fn quick_check(conn: &Connection) -> std::result::Result<Vec<String>, rusqlite::Error> {
    check(conn, "quick_check")
}

fn check(conn: &Connection, pragma: &str) -> std::result::Result<Vec<String>, rusqlite::Error> {
    let found: std::result::Result<Vec<String>, rusqlite::Error> = conn
        .prepare(&format!("PRAGMA {pragma}({MAX_PROBLEMS})"))
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect());
    match found {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(Vec::new()),
        Ok(rows) => Ok(rows),
        Err(e) if is_damage(&e) => Ok(vec![e.to_string()]),
        Err(e) => Err(e),
    }
}

/// Whether `e` says the file is damaged or not a database at all.
pub(crate) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// What a file offered for restore is, as SQLite reads it.
pub(crate) struct Checked {
    /// What `PRAGMA integrity_check` found; empty when the file is sound.
    pub problems: Vec<String>,
    /// `PRAGMA user_version`.
    pub schema_version: i64,
}

/// Runs `PRAGMA integrity_check` on the database file at `path` (a private copy: the
/// check may roll back a journal) and reads its schema version.
pub(crate) fn check_file(path: &Path) -> std::result::Result<Checked, String> {
    let run = || -> std::result::Result<Checked, rusqlite::Error> {
        let conn = Connection::open(path)?;
        let problems = check(&conn, "integrity_check")?;
        let schema_version = if problems.is_empty() {
            conn.pragma_query_value(None, "user_version", |r| r.get(0))?
        } else {
            0
        };
        Ok(Checked {
            problems,
            schema_version,
        })
    };
    run().map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => "it is not an SQLite database".to_string(),
        _ => format!("SQLite cannot read it: {e}"),
    })
}

/// What is wrong with a database file's first 100 bytes given its length `len`, if
/// anything: not SQLite, an impossible page size, or fewer bytes than its header says
/// it holds (a truncated copy). Pure; `header` may be shorter than 100 bytes.
pub(crate) fn header_problem(header: &[u8], len: u64) -> Option<String> {
    const MAGIC: &[u8] = b"SQLite format 3\0";
    if len == 0 {
        return Some("the file is empty".into());
    }
    if len < 100 || !header.starts_with(MAGIC) || header.len() < 100 {
        return Some("it is not an SQLite database (no SQLite header)".into());
    }
    let be4 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => return Some(format!("its header is damaged (page size {n})")),
    };
    if len % page_size != 0 {
        return Some(format!(
            "it is truncated: {len} bytes is not a whole number of {page_size}-byte pages"
        ));
    }
    // The page count in the header is valid only when the change counter matches the
    // version-valid-for number (SQLite's own rule).
    let pages = u64::from(be4(28));
    if pages > 0 && be4(24) == be4(92) && len < pages * page_size {
        return Some(format!(
            "it is truncated: its header says {pages} pages ({} bytes), the file holds {len} bytes",
            pages * page_size
        ));
    }
    None
}

/// The files that belong to the database at `path`: `-wal`, `-shm` and `-journal`.
pub(crate) fn companions(path: &Path) -> [PathBuf; 3] {
    ["-wal", "-shm", "-journal"].map(|suffix| {
        let mut name = OsString::from(path.as_os_str());
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// An exclusive lock on the store a restore replaces, held until dropped.
pub(crate) struct Hold {
    /// `None` for a damaged store that SQLite cannot lock: it is replaced as it is.
    _conn: Option<Connection>,
    /// The store's newest audit entry, when it could be read.
    pub head: Option<(i64, String)>,
}

/// Takes the store at `path` (which exists) for a restore: leaves WAL mode, which
/// SQLite allows only when no other connection has the store open (so a store open in
/// the app or another command is refused, [`StoreError::InUse`]) and which copies the
/// WAL into the database file, so nothing stays in a `-wal`; then holds an exclusive
/// lock, so nobody opens it again until the hold is dropped. A file SQLite finds damaged
/// is held without a lock. Leaving WAL mode changes no data; the next open returns to
/// it.
pub(crate) fn hold(path: &Path) -> std::result::Result<Hold, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.busy_timeout(HOLD_TIMEOUT)?;
    let in_use = |e: &rusqlite::Error| {
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    };
    let left_wal = conn
        .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
        .and_then(|mode| {
            conn.execute_batch("BEGIN EXCLUSIVE")?;
            Ok(mode)
        });
    match left_wal {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => {
            let head = conn
                .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .ok()
                .flatten();
            Ok(Hold {
                _conn: Some(conn),
                head,
            })
        }
        Ok(_) => Err(StoreError::InUse {
            path: path.to_path_buf(),
        }),
        Err(e) if in_use(&e) => Err(StoreError::InUse {
            path: path.to_path_buf(),
        }),
        Err(e) if is_damage(&e) => Ok(Hold {
            _conn: None,
            head: None,
        }),
        Err(e) => Err(StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(page_size: u16, pages: u32, valid: bool) -> Vec<u8> {
        let mut h = vec![0u8; 100];
        h[..16].copy_from_slice(b"SQLite format 3\0");
        h[16..18].copy_from_slice(&page_size.to_be_bytes());
        h[24..28].copy_from_slice(&7u32.to_be_bytes());
        h[28..32].copy_from_slice(&pages.to_be_bytes());
        let vvf: u32 = if valid { 7 } else { 6 };
        h[92..96].copy_from_slice(&vvf.to_be_bytes());
        h
    }

    #[test]
    fn a_header_says_how_long_the_file_must_be() {
        assert_eq!(header_problem(&header(4096, 3, true), 3 * 4096), None);
        assert_eq!(header_problem(&header(1, 2, true), 2 * 65_536), None);
        let short = header_problem(&header(4096, 3, true), 2 * 4096).unwrap();
        assert!(
            short.contains("truncated") && short.contains("3 pages"),
            "{short}"
        );
        let ragged = header_problem(&header(4096, 3, true), 3 * 4096 - 10).unwrap();
        assert!(ragged.contains("whole number"), "{ragged}");
        // A stale page count is not trusted, as SQLite does not trust it.
        assert_eq!(header_problem(&header(4096, 3, false), 2 * 4096), None);
        assert!(header_problem(&header(1000, 3, true), 3000)
            .unwrap()
            .contains("page size"));
        assert!(header_problem(b"hello", 5)
            .unwrap()
            .contains("not an SQLite"));
        assert!(header_problem(&[0u8; 100], 4096)
            .unwrap()
            .contains("not an SQLite"));
        assert!(header_problem(&[], 0).unwrap().contains("empty"));
    }

    #[test]
    fn a_database_has_three_companions() {
        let [wal, shm, journal] = companions(Path::new("/d/s.db"));
        assert_eq!(wal, Path::new("/d/s.db-wal"));
        assert_eq!(shm, Path::new("/d/s.db-shm"));
        assert_eq!(journal, Path::new("/d/s.db-journal"));
    }
}
