//! Backups as data: what a backup and a restore report (and record in the audit log),
//! the names of daily backups and which of them retention removes, where daily backups
//! live by default, and the name a restore gives the store it replaced. Pure: copying
//! and checking files is `crate::backup`, and SQLite's part of it `crate::store::backup`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::audit::AuditHead;
use crate::model::calendar;

/// What `consentry backup` wrote; also the after-image of its `store.backed_up` entry
/// (without `audit_seq` and `audit_error`, which only the report has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupReport {
    /// The backup file, as an absolute path where it could be made one.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, hex: ties the file to the audit entry that recorded it.
    pub sha256: String,
    /// The newest audit entry the backup holds (seq 0 and 64 zeros for an empty log):
    /// the backup is the store exactly as of that entry.
    pub head: AuditHead,
    /// The backup's schema version (`PRAGMA user_version`).
    pub schema_version: u32,
    /// The `store.backed_up` entry appended to the store afterwards; `None` when it
    /// could not be written (`audit_error` says why). The backup file is kept anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<i64>,
    /// Why the audit entry could not be written, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_error: Option<String>,
}

/// What one run of the daily backup did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DailyReport {
    /// The folder of the daily backups.
    pub dir: String,
    /// Today's backup, if this run wrote it; `None` when it existed already.
    pub created: Option<BackupReport>,
    /// The daily backups kept, oldest first (file names).
    pub kept: Vec<String>,
    /// The daily backups removed because more than `keep` were there (file names).
    pub removed: Vec<String>,
}

/// What `consentry restore` did; also the after-image of the `store.restored` entry it
/// appended to the restored store (without `audit_seq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    /// The store that was restored, as an absolute path where it could be made one.
    pub store: String,
    /// The backup file it was restored from.
    pub from: String,
    /// The backup file's size in bytes.
    pub bytes: u64,
    /// The backup file's SHA-256, hex, as read.
    pub sha256: String,
    /// The backup's newest audit entry, verified before anything was replaced.
    pub head: AuditHead,
    /// The backup's schema version; older ones were migrated before verifying.
    pub schema_version: u32,
    /// Where the replaced store was kept (`<store>.before-restore-<time>`); `None` when
    /// there was no store.
    pub replaced: Option<String>,
    /// The replaced store's newest audit entry, when it could be read.
    pub replaced_head: Option<AuditHead>,
    /// The `store.restored` entry appended to the restored store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<i64>,
}

/// What daily backups are called: `consentry-YYYY-MM-DD.db`.
const DAILY_PREFIX: &str = "consentry-";
const DAILY_SUFFIX: &str = ".db";

/// The file name of the daily backup of `day`: `consentry-2026-03-01.db`.
pub fn daily_name(day: NaiveDate) -> String {
    format!("{DAILY_PREFIX}{}{DAILY_SUFFIX}", day.format("%Y-%m-%d"))
}

/// The day of a daily backup's file name, or `None` for any other name: only what
/// [`daily_name`] writes matches, so retention never touches another file.
pub fn daily_day(name: &str) -> Option<NaiveDate> {
    let date = name
        .strip_prefix(DAILY_PREFIX)?
        .strip_suffix(DAILY_SUFFIX)?;
    let day = calendar::parse_date("name", date).ok()?;
    (daily_name(day) == name).then_some(day)
}

/// The days of the backups beyond the newest `keep`, oldest first: those retention
/// removes.
pub fn beyond_retention(mut days: Vec<NaiveDate>, keep: usize) -> Vec<NaiveDate> {
    days.sort_unstable();
    days.dedup();
    let excess = days.len().saturating_sub(keep);
    days.truncate(excess);
    days
}

/// What the desktop app knows about its automatic daily backups (see [`DailyReport`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct BackupStatus {
    /// Where the daily backups go.
    pub dir: String,
    /// How many daily backups are kept.
    pub keep: u32,
    /// The last run's report: the backup it wrote (none if today's existed), the ones
    /// kept and removed.
    pub last: Option<DailyReport>,
    /// Why the last run failed, if it did.
    pub error: Option<String>,
}

/// Where daily backups of the store at `store` go unless the caller chooses: the
/// `backups` folder beside the store file.
pub fn default_dir(store: &Path) -> PathBuf {
    let folder = store.parent().unwrap_or(Path::new(""));
    folder.join("backups")
}

/// The name a restore gives the store it replaces: `<store>.before-restore-<UTC time>`,
/// with `-2`, `-3`, ... from `attempt` 2 on (two restores within one second).
pub fn replaced_name(store: &Path, at: DateTime<Utc>, attempt: u32) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".before-restore-{}", at.format("%Y%m%dT%H%M%SZ")));
    if attempt > 1 {
        name.push(format!("-{attempt}"));
    }
    store.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_the_daily_names_it_writes_are_daily_backups() {
        let d = day("2026-03-01");
        assert_eq!(daily_name(d), "consentry-2026-03-01.db");
        assert_eq!(daily_day("consentry-2026-03-01.db"), Some(d));
        for other in [
            "consentry-2026-3-01.db",
            "consentry-2026-02-30.db",
            "consentry- 2026-03-01.db",
            "consentry-2026-03-01.db.partial",
            "consentry-2026-03-01.DB",
            "books-2026-03-01.db",
            "consentry.db",
            "consentry-+2026-03-01.db",
        ] {
            assert_eq!(daily_day(other), None, "{other}");
        }
    }

    #[test]
    fn retention_removes_the_oldest_beyond_keep() {
        let days = vec![day("2026-03-03"), day("2026-03-01"), day("2026-03-02")];
        assert_eq!(beyond_retention(days.clone(), 2), vec![day("2026-03-01")]);
        assert_eq!(beyond_retention(days.clone(), 3), vec![]);
        assert_eq!(beyond_retention(days, 9), vec![]);
    }

    #[test]
    fn the_replaced_store_keeps_its_name_and_the_time() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T09:08:07Z")
            .unwrap()
            .with_timezone(&Utc);
        let store = Path::new("/data/consentry.db");
        assert_eq!(
            replaced_name(store, at, 1),
            Path::new("/data/consentry.db.before-restore-20260301T090807Z")
        );
        assert_eq!(
            replaced_name(store, at, 2),
            Path::new("/data/consentry.db.before-restore-20260301T090807Z-2")
        );
        assert_eq!(default_dir(store), Path::new("/data/backups"));
        assert_eq!(default_dir(Path::new("s.db")), Path::new("backups"));
    }
}
