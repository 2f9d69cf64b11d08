//! `consentry users import` and `consentry consent import`: one set of flags and one
//! report for both files, the registry and the ledger; only the core function that reads
//! the file differs, and `cli` passes it in.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Args, Subcommand};

use consentry::imports::{
    FileFormat, ImportKind, ImportOptions, ImportPhase, ImportProgress, ImportReport,
};
use consentry::{Error, Result, Store};

use super::output::{warn, Output};

#[derive(Subcommand)]
pub(super) enum ImportCommand {
    /// Import a CSV or JSONL file (plain, .gz or .zst); a file with bad rows imports
    /// nothing unless --skip-invalid is given.
    Import(ImportArgs),
}

#[derive(Args)]
pub(super) struct ImportArgs {
    file: PathBuf,
    /// csv or jsonl; default: from the file name (users.csv.gz is csv).
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

/// `imports::import_registry_with` or `imports::import_ledger_with`.
type Importer = fn(
    &Store,
    &Path,
    &ImportOptions,
    &mut dyn FnMut(&ImportProgress),
    &AtomicBool,
) -> Result<ImportReport>;

impl ImportCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            ImportCommand::Import(_) => true,
        }
    }

    /// Runs the import; `kind` is what a refusal's hint calls the file.
    pub(super) fn run(
        self,
        store: &Store,
        out: &Output,
        kind: ImportKind,
        import: Importer,
    ) -> Result<ExitCode> {
        let ImportCommand::Import(args) = self;
        let options = ImportOptions::try_from(&args)?;
        // Progress goes to stderr on a terminal only, as a snapshot build's does.
        let show = !out.json && std::io::stderr().is_terminal();
        let mut progress = |p: &ImportProgress| {
            if show {
                print_progress(p);
            }
        };
        let result = import(
            store,
            &args.file,
            &options,
            &mut progress,
            &AtomicBool::new(false),
        );
        if show {
            warn("");
        }
        let r = match result {
            Ok(r) => r,
            Err(e @ Error::BadLines { rows: Some(_), .. }) => {
                out.refusal(&e);
                warn(&skip_hint(&e, kind.token()));
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e),
        };
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

/// After a file refused for its bad rows: how to import the others, or, when no row is
/// good, that the file is not what it was taken for (skipping would import nothing).
fn skip_hint(e: &Error, kind: &str) -> String {
    match e {
        Error::BadLines {
            total,
            rows: Some(rows),
            ..
        } if total < rows => format!(
            "hint: --skip-invalid imports the other {} rows and lists the bad ones",
            rows - total
        ),
        _ => format!(
            "hint: no row of this file is a valid {kind} row: it does not look like a {kind}; \
             check that it is the file you meant"
        ),
    }
}

/// One progress line, rewritten in place (`\r`), like a snapshot build's.
fn print_progress(p: &ImportProgress) {
    use std::io::Write;
    let mb = |bytes: u64| bytes / 1_000_000;
    let line = match p.phase {
        ImportPhase::Reading | ImportPhase::Checking => format!(
            "\rreading: {}/{} MB, {} rows, {} bad   ",
            mb(p.bytes_read),
            mb(p.bytes_total),
            p.rows_read,
            p.bad_rows
        ),
        ImportPhase::Writing => format!(
            "\rwriting: {} of {} rows   ",
            p.rows_written,
            p.rows_read - p.bad_rows
        ),
    };
    let _ = write!(std::io::stderr(), "{line}");
}
