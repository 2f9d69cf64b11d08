//! The SQLite store: the only module that writes SQL.
//!
//! `Store::open` and `Store::open_in_memory` both apply the embedded migrations in one
//! transaction and refuse a file written by a newer Consentry. Every connection runs
//! with WAL, foreign keys on, a busy timeout and `synchronous=FULL`, so a committed
//! write survives a power cut.
//!
//! A store that may be written runs `PRAGMA quick_check` before its first write and
//! refuses a damaged file ([`StoreError::Damaged`]) with a message that says how to
//! restore a backup; nothing is written to it. The check costs about 1.5 ms per MB (2 s
//! for a 155 MB store), so where it runs depends on who opens:
//! - `Store::open` (every CLI command that changes something, but a snapshot build and
//!   an import) runs it at once;
//! - `Store::open_checking_behind` (the desktop app, and the CLI's `snapshot build`,
//!   `users import` and `consent import`) runs it on a thread of its own, over a second
//!   read-only connection, while the first screen reads, the build folds the registry
//!   and the ledger, or the import reads its file: none waits for it, and every write
//!   ([`Store::write`], a backup) waits until it has passed and is refused if it failed.
//!   The app shows the refusal as a banner. A build or an import leaves no trace before
//!   its first write, so nothing reaches a damaged store or its folder.
//! - Any open that migrates runs it at once, before the migration writes.
//!
//! Decision: an open for reading only (`Store::open_existing`) skips it, since a report
//! must not pay that on every run; SQLite still refuses any damaged page a query reads.
//! A restore's private copy, which has just passed the fuller `integrity_check`, skips
//! it too.
//!
//! Writes go through [`Store::write`], which opens an `IMMEDIATE` transaction and hands
//! out a [`Tx`]; the audit entry of a mutation is appended through the same `Tx`, so the
//! change and its audit entry commit together or not at all.

pub mod audit;
pub(crate) mod backup;
pub mod consent;
pub mod deals;
pub mod deliveries;
pub mod finance;
pub(crate) mod integrity;
pub mod partners;
pub mod snapshots;
pub mod withdrawals;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::Error;

/// The migrations' SQL, in order; the schema version is how many have been applied.
const MIGRATION_SQL: [&str; 10] = [
    include_str!("../../migrations/0001_foundation.sql"),
    include_str!("../../migrations/0002_consent_and_snapshots.sql"),
    include_str!("../../migrations/0003_trust.sql"),
    include_str!("../../migrations/0004_deliveries.sql"),
    include_str!("../../migrations/0005_finance.sql"),
    include_str!("../../migrations/0006_compressed_sources.sql"),
    include_str!("../../migrations/0007_invoice_state.sql"),
    include_str!("../../migrations/0008_snapshot_users_by_snapshot.sql"),
    include_str!("../../migrations/0009_ledger_identity_index.sql"),
    include_str!("../../migrations/0010_registry_checks.sql"),
];

/// The schema version this build writes; `PRAGMA user_version` of a migrated store.
pub const SCHEMA_VERSION: usize = MIGRATION_SQL.len();

/// The migrations, each its SQL and, where existing rows need a rule of the model to be
/// filled in, a hook run after it in the same transaction.
fn migrations() -> Migrations<'static> {
    let mut list: Vec<M<'static>> = MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect();
    // 0007: every existing invoice's settled state, by `InvoiceState::of` (the column's
    // default, `open`, is right only for an invoice nothing settled).
    list[6] = M::up_with_hook(MIGRATION_SQL[6], settle_invoices);
    Migrations::new(list)
}

/// Migration 0007's hook: every invoice's state by its rows.
fn settle_invoices(tx: &rusqlite::Transaction<'_>) -> rusqlite_migration::HookResult {
    finance::settle_all(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
}

/// Why the store could not be opened, read or written. It reaches callers boxed in
/// [`Error::Store`], so that SQLite's specifics stay in this module.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite could not open the file or set up the connection.
    #[error("cannot open the store at {}: {source}", printable_path(.path))]
    Open {
        /// The store file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// [`Store::open_existing`] found no file: a read-only command never creates one.
    #[error(
        "there is no store at {}: check --db or CONSENTRY_DB (a command that only reads \
         never creates a store)", printable_path(.path)
    )]
    Missing {
        /// Where the store was expected.
        path: PathBuf,
    },
    /// The file exists but is not an SQLite database.
    #[error(
        "{} is not a Consentry store (not an SQLite database): check --db or CONSENTRY_DB",
        printable_path(.path)
    )]
    NotAStore {
        /// The file that is not a store.
        path: PathBuf,
    },
    /// SQLite's `quick_check` found the file damaged (or could not read it at all); it
    /// is left untouched.
    #[error(
        "the store at {} is damaged: SQLite's quick_check found {}. Nothing was changed. \
         Restore your latest backup with `consentry --db {} restore BACKUP_FILE`; daily \
         backups are in {} unless they were put elsewhere (consentry-YYYY-MM-DD.db). \
         The damaged file will be kept beside the store as {}.before-restore-<time>",
        printable_path(.path),
        describe_problems(.problems),
        printable_path(.path),
        printable_path(&crate::model::backup::default_dir(.path)),
        printable_path(Path::new(.path.file_name().unwrap_or_default()))
    )]
    Damaged {
        /// The store file.
        path: PathBuf,
        /// What the check found (at most 20 problems).
        problems: Vec<String>,
    },
    /// Another process has the store open, and the request needs it alone (a restore).
    #[error(
        "the store at {} is open in another process (the desktop app, or another consentry \
         command): close it and try again; nothing was changed",
        printable_path(.path)
    )]
    InUse {
        /// The store file.
        path: PathBuf,
    },
    /// The store was written by a newer Consentry; it is left untouched.
    #[error(
        "the store at {path} has schema version {found}, but this Consentry knows versions up to \
         {known}: it was written by a newer Consentry; upgrade Consentry to open it"
    )]
    SchemaTooNew {
        /// The store file, as displayed.
        path: String,
        /// The file's schema version (`PRAGMA user_version`).
        found: usize,
        /// The newest schema version this build knows ([`SCHEMA_VERSION`]).
        known: usize,
    },
    /// Applying the pending migrations failed; none of them was kept.
    #[error("cannot migrate the store: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// No `--db`, no `$CONSENTRY_DB`, and the OS has no data directory.
    #[error("no store location: pass --db PATH or set CONSENTRY_DB")]
    NoLocation,
    /// The folder the store file goes in could not be created.
    #[error("cannot create the store's folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A query or a transaction failed (including a write that waited past the busy
    /// timeout).
    #[error("store error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The first of a check's problems and how many there were.
fn describe_problems(problems: &[String]) -> String {
    let first = problems.first().map(String::as_str).unwrap_or("a problem");
    match problems.len() {
        0 | 1 => format!("\"{first}\""),
        n => format!("{n} problems, the first: \"{first}\""),
    }
}

fn printable_path(path: &Path) -> String {
    crate::model::text::printable(&path.display().to_string()).into_owned()
}

/// How long a write waits for another process's write to finish before giving up. The
/// longest write is an import of the largest registry (minutes for tens of millions of
/// rows), so this is long; reads never wait in WAL mode.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(600);

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::SchemaTooNew { .. } => crate::error::ErrorCode::SchemaTooNew,
            StoreError::InUse { .. } => crate::error::ErrorCode::Conflict,
            _ => crate::error::ErrorCode::Store,
        };
        Error::Store {
            code,
            source: Box::new(e),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::from(StoreError::Sqlite(e))
    }
}

/// Whether `e` is another writer holding the store past the busy timeout.
pub(crate) fn is_busy(e: &Error) -> bool {
    let Error::Store { source, .. } = e else {
        return false;
    };
    match source.downcast_ref::<StoreError>() {
        Some(StoreError::Sqlite(e)) => matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ),
        _ => false,
    }
}

/// Where the store is and who writes to it, for the UI's status line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct StoreInfo {
    /// The store file's path, or `:memory:`.
    pub location: String,
    /// The schema version this build writes ([`SCHEMA_VERSION`]); the store has been
    /// migrated to it.
    pub schema_version: u32,
    /// Who the audit log names for this session's changes.
    pub actor: String,
}

/// The one SQLite store: partners, deals, consent, snapshots and the audit log. Every
/// operation takes `&Store`. Writes share one connection, one at a time; each read runs
/// on a read-only connection of its own, beside the others and beside the writer (WAL).
pub struct Store {
    /// Connections that only read (`PRAGMA query_only`), kept for the next read. With
    /// WAL, reads run beside each other and beside the writer, so a long report does
    /// not hold up a short list, nor a snapshot build's reading the screens' reads.
    /// Declared (so dropped) before `conn`: the last connection to close checkpoints
    /// the WAL and removes it, which only the writer can.
    readers: Mutex<Vec<Connection>>,
    /// The connection that writes (and reads, for a store in memory).
    conn: Mutex<Connection>,
    actor: String,
    location: String,
    /// The file, `None` in memory.
    path: Option<PathBuf>,
    created: bool,
    /// Whether `quick_check` ran while opening (asked for, or before a migration).
    checked_at_open: bool,
    /// The `quick_check` that writes wait for.
    check: Arc<Check>,
}

/// Read connections kept open between reads (more may be open at once).
const IDLE_READERS: usize = 4;

/// A connection that cannot write, for [`Store::read`].
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// `quick_check` over a read-only connection of its own, beside the store's.
fn check_file(path: &Path) -> CheckState {
    let found = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|conn| {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            backup::quick_check(&conn)
        })
        .unwrap_or_else(|e| vec![e.to_string()]);
    match found.is_empty() {
        true => CheckState::Passed,
        false => CheckState::Failed(found),
    }
}

/// Where the store's `quick_check` stands: writes wait while it runs.
#[derive(Default)]
struct Check {
    state: Mutex<CheckState>,
    settled: Condvar,
}

#[derive(Clone, Default)]
enum CheckState {
    /// Passed, or not needed (an in-memory store, a copy that passed `integrity_check`,
    /// a store opened only to read).
    #[default]
    Passed,
    Running,
    /// The problems it found (or why it could not run).
    Failed(Vec<String>),
}

impl Check {
    fn settle(&self, state: CheckState) {
        *self.lock() = state;
        self.settled.notify_all();
    }

    /// Waits until the check has ended; its problems, none when it passed.
    fn wait(&self) -> Vec<String> {
        let mut state = self.lock();
        loop {
            match &*state {
                CheckState::Passed => return Vec::new(),
                CheckState::Failed(problems) => return problems.clone(),
                CheckState::Running => {
                    state = self
                        .settled
                        .wait(state)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, CheckState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it to the latest
    /// schema. [`Store::created`] tells whether the file is new.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_checking(path, true)
    }

    /// [`Store::open`] without `quick_check`, for a file whose `integrity_check` (which
    /// covers it) just passed: a restore's private copy.
    pub(crate) fn open_checked(path: &Path) -> Result<Store, StoreError> {
        Store::open_checking(path, false)
    }

    /// [`Store::open`] for the desktop app: `quick_check` runs on a thread of its own
    /// while the store is read, and writes wait for it (see the module's documentation).
    /// An open that migrates checks at once, as [`Store::open`] does.
    pub fn open_checking_behind(path: &Path) -> Result<Store, StoreError> {
        let store = Store::open_checking(path, false)?;
        if store.checked_at_open {
            return Ok(store);
        }
        store.check.settle(CheckState::Running);
        let (check, file) = (Arc::clone(&store.check), path.to_path_buf());
        let behind = std::thread::Builder::new()
            .name("quick_check".into())
            .spawn(move || check.settle(check_file(&file)));
        if behind.is_err() {
            // No thread to be had: check now, as `Store::open` does.
            store.check.settle(check_file(path));
        }
        Ok(store)
    }

    /// Waits for the store's `quick_check` if it is running; the refusal every write
    /// gets if it failed.
    pub fn checked(&self) -> Result<(), StoreError> {
        let problems = self.check.wait();
        match problems.is_empty() {
            true => Ok(()),
            false => Err(StoreError::Damaged {
                path: PathBuf::from(&self.location),
                problems,
            }),
        }
    }

    fn open_checking(path: &Path, quick_check: bool) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let created = !path.exists();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store::prepare(conn, path, quick_check)?;
        store.created = created;
        store.path = Some(path.to_path_buf());
        Ok(store)
    }

    /// Opens the store at `path`, which must exist: what commands that only read use,
    /// so that a mistyped `--db` is an error instead of an empty store.
    /// A damaged page is then reported by SQLite when a query reads it; `quick_check`
    /// runs only if a migration is about to write.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open_checking(path, false)
    }

    /// A new, migrated store that lives in memory and is gone when dropped (for tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::prepare(Connection::open_in_memory()?, Path::new(":memory:"), true)
    }

    /// Whether [`Store::open`] created the file.
    pub fn created(&self) -> bool {
        self.created
    }

    /// How long writes wait for a busy store (default [`BUSY_TIMEOUT`]).
    pub fn with_busy_timeout(self, timeout: Duration) -> Store {
        self.lock()
            .busy_timeout(timeout)
            .expect("setting the busy timeout cannot fail");
        self
    }

    /// The store location when none is given: `$CONSENTRY_DB`, else
    /// `<OS data dir>/consentry/consentry.db`.
    pub fn default_path() -> Result<PathBuf, StoreError> {
        match std::env::var_os("CONSENTRY_DB").filter(|v| !v.is_empty()) {
            Some(path) => Ok(PathBuf::from(path)),
            None => dirs::data_dir()
                .map(|d| d.join("consentry").join("consentry.db"))
                .ok_or(StoreError::NoLocation),
        }
    }

    fn prepare(mut conn: Connection, path: &Path, quick_check: bool) -> Result<Store, StoreError> {
        let location = path.display().to_string();
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA foreign_keys = ON;
             PRAGMA synchronous = FULL;",
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotAStore {
                path: path.to_path_buf(),
            },
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
                path: path.to_path_buf(),
                problems: vec![e.to_string()],
            },
            _ => StoreError::Open {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                path: location,
                found,
                known: SCHEMA_VERSION,
            });
        }
        // Before anything is written (migrations included): a damaged store is refused
        // as it is. The cost grows with the file (ARCHITECTURE.md, "Backups and
        // restore": about 0.1 s for 70 MB, 1-2 s for 200 MB), so an open that will only
        // read skips it unless a migration is about to write.
        let checked_at_open = quick_check || found < SCHEMA_VERSION;
        let problems = match checked_at_open {
            true => backup::quick_check(&conn)?,
            false => Vec::new(),
        };
        if !problems.is_empty() {
            return Err(StoreError::Damaged {
                path: path.to_path_buf(),
                problems,
            });
        }
        migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            actor: default_actor(),
            location,
            path: None,
            created: false,
            check: Arc::default(),
            checked_at_open,
        })
    }

    /// Who the audit log names for this store's mutations.
    pub fn with_actor(mut self, actor: impl Into<String>) -> Store {
        self.actor = actor.into();
        self
    }

    /// Who the audit log names for this store's mutations (see [`Store::with_actor`]).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The file path of the store, or `:memory:`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The store's file; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Location, schema version and actor, for the UI's status line.
    pub fn info(&self) -> StoreInfo {
        StoreInfo {
            location: self.location.clone(),
            schema_version: SCHEMA_VERSION as u32,
            actor: self.actor.clone(),
        }
    }

    /// Reads the store file once from start to end, so that a query about to visit most
    /// of it (a snapshot build reads every user and consent event) finds its pages in
    /// the OS cache instead of reading them from disk one at a time, out of order.
    /// Best effort: an in-memory store or a read error does nothing.
    pub fn prefetch(&self) {
        if let Ok(file) = std::fs::File::open(&self.location) {
            page_in(&file, &|| false);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written transaction
        // behind (rusqlite rolls back on drop), so the connection is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs read-only queries, on a connection of their own (see `readers`).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let Some(path) = self.path.as_deref() else {
            return f(&self.lock());
        };
        let idle = self.idle_readers().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_reader(path)?,
        };
        let value = f(&conn);
        let mut idle = self.idle_readers();
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        value
    }

    /// Runs read-only queries in one read transaction: they all see the store as of one
    /// instant, even while another process writes to it.
    pub(crate) fn read_consistent<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    fn idle_readers(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one `IMMEDIATE` transaction: committed when `f` returns `Ok`, rolled
    /// back when it returns `Err`, so a refused request writes nothing.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        self.checked()?;
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let scope = Tx {
            tx,
            actor: &self.actor,
            now: now(),
        };
        let value = f(&scope)?;
        scope.tx.commit()?;
        Ok(value)
    }

    /// [`Store::write`], tried again (up to `attempts` times, with growing pauses) while
    /// another writer holds the store past the busy timeout: for a write that must not
    /// be lost after long work, such as a snapshot's seal.
    pub(crate) fn write_retrying<T>(
        &self,
        attempts: u32,
        f: impl Fn(&Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut pause = Duration::from_millis(50);
        let mut attempt = 1;
        loop {
            match self.write(&f) {
                Err(e) if is_busy(&e) && attempt < attempts => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(5));
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

/// One write transaction, with the actor and the instant that its audit entries record.
pub(crate) struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    actor: &'a str,
    now: String,
}

impl Tx<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The instant of this transaction, RFC 3339 UTC with milliseconds.
    pub fn now(&self) -> &str {
        &self.now
    }

    /// Runs `f` with this connection's page cache allowed to grow to `mib` MiB, then
    /// puts the connection's own limit back (whatever `f` returned). SQLite takes cache
    /// pages as it needs them, so a small write under a large limit uses no more memory.
    pub fn with_cache_mib<T>(
        &self,
        mib: i64,
        f: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let conn = self.conn();
        let before: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", -mib * 1024)?;
        let value = f();
        conn.pragma_update(None, "cache_size", before)?;
        value
    }
}

/// A text column borrowed from SQLite's row: valid until the next row, copied nowhere;
/// an error names the column.
pub(crate) fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The current instant as stored: RFC 3339, UTC, milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `$CONSENTRY_ACTOR`, else the login name from the environment, else the name of the
/// process's user in /etc/passwd, else `unknown`.
fn default_actor() -> String {
    ["CONSENTRY_ACTOR", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .or_else(passwd_name)
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(unix)]
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut parts = line.split(':');
        let name = parts.next()?;
        (parts.nth(1)? == uid).then(|| name.to_string())
    })
}

#[cfg(not(unix))]
fn passwd_name() -> Option<String> {
    None
}

/// Reads `file` from its current position into the OS page cache, 8 MiB at a time, until
/// its end or until `stop()`; best effort (an error ends it). On Unix the bytes go to
/// `/dev/null` through `std::io::copy`, which on Linux is `sendfile`: the kernel reads
/// the pages and copies them nowhere. A `read` into a scratch buffer instead copied every
/// byte once more, for nothing: a tenth of a snapshot build's CPU time when the source
/// was already cached.
pub(crate) fn page_in(file: &std::fs::File, stop: &dyn Fn() -> bool) {
    use std::io::Read;
    #[cfg(unix)]
    let sink = std::fs::OpenOptions::new().write(true).open("/dev/null");
    #[cfg(not(unix))]
    let sink: std::io::Result<std::io::Sink> = Ok(std::io::sink());
    let Ok(mut sink) = sink else { return };
    while !stop() {
        match std::io::copy(&mut file.take(8 << 20), &mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_is_durable_and_checks_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let conn = store.lock();
        let text = |name: &str| -> String {
            conn.pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(text("journal_mode"), "Text(\"wal\")");
        assert_eq!(text("foreign_keys"), "Integer(1)");
        assert_eq!(text("synchronous"), "Integer(2)", "FULL");
        assert_eq!(text("busy_timeout"), "Integer(600000)");
        assert_eq!(text("user_version"), format!("Integer({SCHEMA_VERSION})"));
    }

    /// `page_in` reads the whole file, 8 MiB at a time (its position ends at the end),
    /// and reads nothing once told to stop.
    #[test]
    fn page_in_reads_to_the_end_unless_stopped() {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = tempfile::tempfile().unwrap();
        let len = (8 << 20) * 2 + 12_345;
        file.write_all(&vec![b'x'; len]).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        page_in(&file, &|| true);
        assert_eq!(file.stream_position().unwrap(), 0);
        let calls = std::cell::Cell::new(0);
        page_in(&file, &|| {
            calls.set(calls.get() + 1);
            false
        });
        assert_eq!(file.stream_position().unwrap(), len as u64);
        assert_eq!(calls.get(), 4, "three pieces, then the end");
    }

    /// SQLite is built without memory statistics by default (`.cargo/config.toml`):
    /// with them every allocation inside it takes a global mutex.
    #[test]
    fn sqlite_keeps_no_memory_statistics() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.lock();
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }

    /// Migration 0007 gives every invoice of an older store the state its rows make
    /// (the column's default, `open`, would be wrong for all but the first here).
    #[test]
    fn migration_6_sets_the_state_of_the_invoices_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATION_SQL[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO partners (id, name, kind, created_at, updated_at)
                 VALUES (1, 'A', 'ai-lab', 'x', 'x');",
        )
        .unwrap();
        // (amount, void, payments, credits) and the state expected.
        type Case = (i64, bool, &'static [i64], &'static [i64], &'static str);
        let cases: [Case; 7] = [
            (100, false, &[], &[], "open"),
            (100, false, &[60, 40], &[], "paid"),
            (100, false, &[40], &[], "partly_paid"),
            (100, true, &[], &[], "void"),
            (100, false, &[], &[100], "paid"),
            (0, false, &[], &[], "paid"),
            (100, false, &[30], &[20], "partly_paid"),
        ];
        for (n, (amount, void, paid, credited, _)) in cases.iter().enumerate() {
            let id = n as i64 + 1;
            conn.execute(
                "INSERT INTO invoices (id, number, year, seq, deal_id, kind, source,
                     period_start, period_end, issue_date, due_date, currency, amount_minor,
                     voided_at, created_at)
                 VALUES (?1, 'INV-' || ?1, 2024, ?1, 1, 'installment', 'i:' || ?1,
                     '2024-01-01', '2024-01-31', '2024-01-01', '2024-01-31', 'USD', ?2, ?3, 'x')",
                rusqlite::params![id, amount, void.then_some("2024-01-02T00:00:00Z")],
            )
            .unwrap();
            for minor in paid.iter() {
                conn.execute(
                    "INSERT INTO payments (invoice_id, amount_minor, paid_on, reference, created_at)
                     VALUES (?1, ?2, '2024-01-05', '', 'x')",
                    rusqlite::params![id, minor],
                )
                .unwrap();
            }
            for minor in credited.iter() {
                conn.execute(
                    "INSERT INTO credit_notes (number, year, seq, invoice_id, amount_minor, reason,
                         issued_on, created_at)
                     VALUES ('CN-' || ?1 || '-' || ?2, 2024,
                         (SELECT count(*) + 1 FROM credit_notes), ?1, ?2, '', '2024-01-05', 'x')",
                    rusqlite::params![id, minor],
                )
                .unwrap();
            }
        }
        drop(conn);
        let store = Store::open(&path).unwrap();
        let states: Vec<String> = store
            .read(|c| {
                let mut stmt = c.prepare("SELECT state FROM invoices ORDER BY id")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let expected: Vec<&str> = cases.iter().map(|c| c.4).collect();
        assert_eq!(states, expected);
    }

    #[test]
    fn a_long_read_holds_up_neither_another_read_nor_a_write_and_reads_cannot_write() {
        use std::sync::mpsc::channel;
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("s.db")).unwrap());
        let count = |c: &Connection| -> Result<i64, Error> {
            Ok(c.query_row("SELECT count(*) FROM partners", [], |r| r.get(0))?)
        };
        let (inside, entered) = channel();
        let (release, released) = channel::<()>();
        let long = {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                store.read(|c| {
                    let tx = c.unchecked_transaction()?;
                    let before = count(&tx)?;
                    inside.send(()).unwrap();
                    released.recv().unwrap();
                    Ok((before, count(&tx)?))
                })
            })
        };
        entered.recv().unwrap();
        let (done, finished) = channel();
        let other = {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let read = store.read(count);
                let wrote = store.write(|tx| {
                    tx.conn().execute(
                        "INSERT INTO partners (name, kind, created_at, updated_at)
                         VALUES ('A', 'ai-lab', 'x', 'x')",
                        [],
                    )?;
                    Ok(())
                });
                done.send((read.is_ok(), wrote.is_ok())).unwrap();
            })
        };
        let outcome = finished.recv_timeout(Duration::from_secs(20));
        release.send(()).unwrap();
        assert_eq!(
            outcome,
            Ok((true, true)),
            "a read and a write while a read is open"
        );
        other.join().unwrap();
        // The long read saw one instant throughout; a new read sees the write.
        assert_eq!(long.join().unwrap().unwrap(), (0, 0));
        assert_eq!(store.read(count).unwrap(), 1);
        let refused = store.read(|c| Ok(c.execute("DELETE FROM partners", [])?));
        assert!(refused.is_err(), "a read's connection cannot write");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let store = Store::open_in_memory().unwrap();
        let result: Result<(), Error> = store.write(|tx| {
            tx.conn().execute(
                "INSERT INTO partners (name, kind, created_at, updated_at)
                 VALUES ('A', 'ai-lab', 'x', 'x')",
                [],
            )?;
            Err(Error::invalid("name", "refused after the insert"))
        });
        assert!(result.is_err());
        let count: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM partners", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(count, 0);
    }
}
