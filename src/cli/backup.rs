//! `consentry backup` and `consentry restore`: a consistent copy of the store, once or
//! daily with retention, and the store replaced by a verified backup (the replaced one
//! kept beside it). `backup` never creates a store; `restore` runs before any store is
//! opened, since the store it replaces may be damaged, absent or in use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args};

use consentry::backup::{self, BackupReport, DailyReport, RestoreReport};
use consentry::{Result, Store};

use super::output::{lines, warn, Output};

#[derive(Args)]
#[command(group(ArgGroup::new("where").required(true).args(["out", "daily"])))]
pub(super) struct BackupArgs {
    /// Write the backup to FILE (a new file; an existing one is refused).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write today's backup into DIR as consentry-YYYY-MM-DD.db, unless it is there, and
    /// remove the oldest daily backups beyond --keep. DIR defaults to `backups` beside
    /// the store.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    daily: Option<Option<PathBuf>>,
    /// How many daily backups to keep (with --daily).
    #[arg(long, value_name = "N", default_value_t = 7, requires = "daily")]
    keep: usize,
}

#[derive(Args)]
pub(super) struct RestoreArgs {
    /// The backup to restore (a file `consentry backup` wrote).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl BackupArgs {
    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match (self.out, self.daily) {
            (Some(file), _) => {
                let report = backup::create(store, &file)?;
                out.value(&report, || backup_lines(&report));
                note_unaudited(&report);
            }
            (None, Some(dir)) => {
                let dir = match (dir, store.path()) {
                    (Some(dir), _) => dir,
                    (None, Some(path)) => backup::default_dir(path),
                    (None, None) => unreachable!("the CLI's store is a file"),
                };
                let report = backup::daily(store, &dir, self.keep)?;
                out.value(&report, || daily_lines(&report));
                if let Some(created) = &report.created {
                    note_unaudited(created);
                }
            }
            (None, None) => unreachable!("clap requires --out or --daily"),
        }
        Ok(ExitCode::SUCCESS)
    }
}

impl RestoreArgs {
    pub(super) fn run(self, store: &Path, actor: Option<&str>, out: &Output) -> Result<ExitCode> {
        let report = backup::restore(store, &self.file, actor)?;
        out.value(&report, || restore_lines(&report));
        Ok(ExitCode::SUCCESS)
    }
}

fn note_unaudited(report: &BackupReport) {
    if let Some(why) = &report.audit_error {
        warn(&format!(
            "note: the backup is complete, but its audit entry could not be written: {why}"
        ));
    }
}

fn backup_lines(r: &BackupReport) -> String {
    lines(&[
        ("backup", r.file.clone()),
        ("bytes", r.bytes.to_string()),
        ("sha256", r.sha256.clone()),
        ("audit head", format!("{}:{}", r.head.seq, r.head.hash)),
        ("schema", format!("version {}", r.schema_version)),
        (
            "audit entry",
            r.audit_seq.map(|s| s.to_string()).unwrap_or_default(),
        ),
    ])
}

fn daily_lines(r: &DailyReport) -> String {
    let mut text = match &r.created {
        Some(created) => backup_lines(created),
        None => format!("today's backup is already in {}\n", r.dir),
    };
    text.push_str(&lines(&[
        ("kept", r.kept.join(", ")),
        ("removed", r.removed.join(", ")),
    ]));
    text
}

fn restore_lines(r: &RestoreReport) -> String {
    let replaced = match &r.replaced {
        Some(path) => format!("kept as {path}"),
        None => "none (there was no store)".to_string(),
    };
    lines(&[
        ("restored", r.store.clone()),
        ("from", r.from.clone()),
        ("sha256", r.sha256.clone()),
        (
            "audit head",
            format!("{}:{} (verified)", r.head.seq, r.head.hash),
        ),
        ("schema", format!("version {}", r.schema_version)),
        ("replaced", replaced),
        (
            "audit entry",
            r.audit_seq
                .map(|s| format!("{s} (store.restored)"))
                .unwrap_or_default(),
        ),
    ])
}
