//! `consentry users import` and `consentry consent import`: one set of flags and one
//! report for both files, the registry and the ledger; only the core function that reads
//! the file differs, and `cli` passes it in.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::imports::{FileFormat, ImportOptions, ImportReport};
use consentry::{Error, Result, Store};

use super::output::Output;

#[derive(Subcommand)]
pub(super) enum ImportCommand {
    /// Import a CSV or JSONL file; a file with bad rows imports nothing unless
    /// --skip-invalid is given.
    Import(ImportArgs),
}

#[derive(Args)]
pub(super) struct ImportArgs {
    file: PathBuf,
    /// csv or jsonl; default: from the file name.
    #[arg(long)]
    format: Option<String>,
    /// Import the good rows and report the bad ones by line.
    #[arg(long)]
    skip_invalid: bool,
}

impl TryFrom<&ImportArgs> for ImportOptions {
    type Error = Error;

    fn try_from(a: &ImportArgs) -> Result<Self> {
        Ok(ImportOptions {
            skip_invalid: a.skip_invalid,
            format: a
                .format
                .as_deref()
                .map(|f| FileFormat::parse("format", f))
                .transpose()?,
        })
    }
}

/// `imports::import_registry` or `imports::import_ledger`.
type Importer = fn(&Store, &Path, &ImportOptions) -> Result<ImportReport>;

impl ImportCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            ImportCommand::Import(_) => true,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output, import: Importer) -> Result<ExitCode> {
        let ImportCommand::Import(args) = self;
        let options = ImportOptions::try_from(&args)?;
        let r = import(store, &args.file, &options)?;
        out.value(&r, || {
            let mut text = format!(
                "Imported {}: {} rows read, {} added, {} changed, {} unchanged, {} skipped \
                 ({} ms, {} rows/s)\n",
                r.file,
                r.rows_read,
                r.added,
                r.changed,
                r.unchanged,
                r.skipped,
                r.duration_ms,
                r.rows_per_second
            );
            for l in &r.skipped_lines {
                text.push_str(&format!("  skipped line {}: {}\n", l.line, l.message));
            }
            text
        });
        Ok(ExitCode::SUCCESS)
    }
}
