//! Importing the user registry and the consent ledger (PRODUCT.md §2) from CSV or JSONL.
//!
//! - A file with any bad row imports nothing, unless `skip_invalid` is set: then the
//!   good rows are imported and the bad ones reported by line number.
//! - Ledger events have a stable identity (a hash of the normalized event), so importing
//!   the same file twice adds nothing.
//! - Registry rows are upserts: a changed row updates the user and records the change
//!   with its time (what later withdrawal notices need); an unchanged row does nothing.
//! - The whole file is read, parsed and checked before the store's write lock is
//!   taken, so a refused file never blocks anyone and two imports started together
//!   both succeed, one after the other. Then everything is written in one transaction,
//!   with one audit entry for the import.
//! - The good rows are held compactly until written (`UserRows`, `EventRows`: no raw
//!   line is kept). The registry's are sorted by user id and merged with the stored
//!   registry in key order (`store::consent::write_registry`); the ledger's new events
//!   are found by identity in one ordered pass and inserted in file order
//!   (`store::consent::write_events`). What is stored, recorded and reported is what
//!   importing row by row gave; ARCHITECTURE.md "How an import writes".
//! - A line longer than `snapshot::MAX_LINE_BYTES` refuses the whole file as soon as it
//!   is seen (even with `skip_invalid`: such a file is not a registry or a ledger), so
//!   memory stays bounded whatever the input, `/dev/zero` included.
//! - A file without the required columns (CSV: its header) or keys (JSON Lines: none of
//!   its first `SNIFF_LINES` non-empty lines has one) is refused at once, naming what it
//!   lacks and what it has (`unlike`), instead of after reading it all for bad rows.
//! - A file may be plain, gzip or zstd (`users.csv.gz`, `ledger.jsonl.zst`), told by its
//!   first bytes and decompressed as it is read (`crate::compression`); a truncated or
//!   damaged compressed file is refused as a whole, like a file with a line too long.
//!   Progress counts the bytes of the file as given (compressed).
//! - `import_*_with` report progress (`ImportProgress`) a few times a second and at
//!   each phase, and stop when `cancel` is set, within 64 rows, reading or writing; a
//!   cancel while writing rolls the transaction back, so a cancelled import wrote
//!   nothing.

//!
//! The formats, options, report and event types are `crate::model::imports`,
//! re-exported here.

pub use crate::model::imports::*;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};

use crate::calendar::{self, parse_instant};
use crate::compression;
use crate::consent::{AccountStatus, Decision};
use crate::country;
use crate::error::{Error, FieldError, LineError, Result};
use crate::model::audit::Action;
use crate::model::digest::Fingerprint;
use crate::model::file_format::Compression;
use crate::purpose::Purpose;
use crate::snapshot::MAX_LINE_BYTES;
use crate::store::{self, Store};
use crate::text;

/// Imports a user registry file (columns `user_id`, `country`, `birth_date`, `status`):
/// new users are added, changed ones updated with the change recorded, one audit entry.
pub fn import_registry(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport> {
    import_registry_with(store, path, options, &mut |_| {}, &AtomicBool::new(false))
}

/// [`import_registry`], calling `progress` a few times a second (and at each phase);
/// setting `cancel` stops it with [`Error::Cancelled`], having written nothing.
pub fn import_registry_with(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let started = Instant::now();
    let today = Utc::now().date_naive();
    let mut meter = Meter::new(progress, cancel);
    let kind = ImportKind::Registry;
    let mut users = UserRows::default();
    let parsed = parse_file(path, options, kind, &mut meter, |row| {
        parse_user(row, today, &mut users)
    })?;
    users.sort();
    store.write(|tx| {
        meter.phase(ImportPhase::Writing)?;
        let import_id = store::consent::begin_import(tx, kind.token(), path)?;
        let written = store::consent::write_registry(tx, import_id, &users, &mut || meter.wrote())?;
        meter.phase(ImportPhase::Writing)?;
        let counts = Counts {
            rows_read: parsed.rows_read,
            added: written.added,
            changed: written.changed,
            unchanged: written.unchanged,
            content: written.content,
            changes: Some(written.changes),
        };
        finish_import(
            tx,
            Action::RegistryImported,
            import_id,
            path,
            counts,
            parsed.bad,
            started,
        )
    })
}

/// Imports a consent ledger file (`user_id`, `purpose`, `decision`, `effective_at`,
/// optional `source`): adds the events not already stored, with one audit entry.
pub fn import_ledger(store: &Store, path: &Path, options: &ImportOptions) -> Result<ImportReport> {
    import_ledger_with(store, path, options, &mut |_| {}, &AtomicBool::new(false))
}

/// [`import_ledger`] with progress and cancel, as [`import_registry_with`].
pub fn import_ledger_with(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let started = Instant::now();
    let mut meter = Meter::new(progress, cancel);
    let kind = ImportKind::Ledger;
    let mut events = EventRows::default();
    let mut buffer = Vec::new();
    let parsed = parse_file(path, options, kind, &mut meter, |row| {
        parse_event(row, &mut events, &mut buffer)
    })?;
    let by_identity = events.by_identity();
    store.write(|tx| {
        meter.phase(ImportPhase::Writing)?;
        let import_id = store::consent::begin_import(tx, kind.token(), path)?;
        let written = tx.with_cache_mib(WRITE_CACHE_MIB, || {
            store::consent::write_events(tx, import_id, &events, by_identity, &mut || meter.wrote())
        })?;
        meter.phase(ImportPhase::Writing)?;
        let counts = Counts {
            rows_read: parsed.rows_read,
            added: written.added,
            changed: 0,
            unchanged: written.unchanged,
            content: written.content,
            changes: None,
        };
        finish_import(
            tx,
            Action::LedgerImported,
            import_id,
            path,
            counts,
            parsed.bad,
            started,
        )
    })
}

/// The page cache a ledger import's transaction may use (SQLite's default is 2 MiB). A
/// new event goes into the identity index at a place of its own, anywhere in it, so
/// each insert lands on some page of it: with the pages in memory that is a search,
/// without them a read of the file. 256 MiB holds the identity index of some 8 million
/// events; at 4.6 million events 1 GiB was not clearly faster (bench/README.md) and
/// took 0.8 GB more. Pages are
/// taken as they are needed, so a small import uses little of it.
const WRITE_CACHE_MIB: i64 = 256;

/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Rows read or written between two looks at the clock and the cancel flag.
const CHECK_EVERY: u64 = 64;

/// One import's progress and cancel: counts what was read and written, reports a few
/// times a second and at each phase, and stops the import when `cancel` is set.
struct Meter<'a> {
    progress: &'a mut dyn FnMut(&ImportProgress),
    cancel: &'a AtomicBool,
    now: ImportProgress,
    last: Instant,
}

impl<'a> Meter<'a> {
    fn new(progress: &'a mut dyn FnMut(&ImportProgress), cancel: &'a AtomicBool) -> Self {
        Meter {
            progress,
            cancel,
            now: ImportProgress::default(),
            last: Instant::now(),
        }
    }

    fn report(&mut self) {
        self.last = Instant::now();
        (self.progress)(&self.now);
    }

    /// Enters `phase` (or reports where the current one stands), unless cancelled.
    fn phase(&mut self, phase: ImportPhase) -> Result<()> {
        self.stop_if_cancelled()?;
        self.now.phase = phase;
        self.report();
        Ok(())
    }

    fn stop_if_cancelled(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    /// One more row read, `bytes_read` bytes into the file.
    fn read(&mut self, bad: bool, bytes_read: u64) -> Result<()> {
        self.now.rows_read += 1;
        self.now.bad_rows += u64::from(bad);
        self.now.bytes_read = bytes_read;
        self.tick(self.now.rows_read)
    }

    /// One more row written.
    fn wrote(&mut self) -> Result<()> {
        self.now.rows_written += 1;
        self.tick(self.now.rows_written)
    }

    fn tick(&mut self, rows: u64) -> Result<()> {
        if rows % CHECK_EVERY != 0 {
            return Ok(());
        }
        self.stop_if_cancelled()?;
        if self.last.elapsed() >= PROGRESS_EVERY {
            self.report();
        }
        Ok(())
    }
}

/// What reading a file found: how many rows, and the bad ones. The good rows went to
/// the caller's `accept`.
struct Parsed {
    rows_read: u64,
    bad: BadLines,
}

/// Reads every row of `path`, passing each to `accept`, which parses and keeps it or
/// says why it is bad. A file with bad rows is refused here, before any lock is taken,
/// unless `skip_invalid` is set.
fn parse_file(
    path: &Path,
    options: &ImportOptions,
    kind: ImportKind,
    meter: &mut Meter<'_>,
    mut accept: impl FnMut(Row<'_>) -> std::result::Result<(), String>,
) -> Result<Parsed> {
    let mut parsed = Parsed {
        rows_read: 0,
        bad: BadLines::default(),
    };
    let format = options
        .format
        .or_else(|| FileFormat::of_path(path))
        .ok_or_else(|| {
            Error::invalid(
                "format",
                "cannot tell the format from the file name (it ends neither in .csv nor in \
                 .jsonl, before any .gz or .zst): give the format, csv or jsonl",
            )
        })?;
    let file = compression::open(path, "file")?;
    // A pipe or a device has no size: its progress has no total. A compressed file's
    // progress is over its compressed bytes, the only size known before reading it.
    meter.now.bytes_total = file.file_bytes;
    meter.phase(ImportPhase::Reading)?;
    let bytes_read = std::sync::Arc::clone(&file.file_read);
    let bytes_read = || bytes_read.load(Ordering::Relaxed);
    // Two threads: this one checks the rows (and reports progress) while a second
    // reads the file and cuts it into rows, a batch ahead.
    let columns = kind.columns();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(BATCHES_AHEAD);
    std::thread::scope(|scope| -> Result<()> {
        let reader = scope.spawn(move || -> Result<()> {
            let mut batch = Batch::default();
            read_rows(path, file, format, kind, |line, row| {
                batch.push(line, columns, row);
                if batch.lines.len() == BATCH_ROWS {
                    // The receiver is gone only when the checking stopped (cancelled).
                    sender
                        .send(std::mem::take(&mut batch))
                        .map_err(|_| Error::Cancelled)?;
                }
                Ok(())
            })?;
            if !batch.lines.is_empty() {
                sender.send(batch).map_err(|_| Error::Cancelled)?;
            }
            Ok(())
        });
        let checked = (|| -> Result<()> {
            for batch in receiver.iter() {
                for (r, &line) in batch.lines.iter().enumerate() {
                    parsed.rows_read += 1;
                    let bad = match accept(&|name: &str| batch.get(r, columns, name)) {
                        Ok(()) => false,
                        Err(message) => {
                            parsed.bad.push(line, message);
                            true
                        }
                    };
                    meter.read(bad, bytes_read())?;
                }
            }
            Ok(())
        })();
        drop(receiver);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        checked.and(read)
    })?;
    meter.now.bytes_read = bytes_read();
    meter.phase(ImportPhase::Checking)?;
    if parsed.bad.total > 0 && !options.skip_invalid {
        return Err(Error::BadLines {
            file: text::printable(&path.display().to_string()).into_owned(),
            total: parsed.bad.total,
            rows: Some(parsed.rows_read),
            lines: parsed.bad.listed,
        });
    }
    Ok(parsed)
}

/// Rows a batch of the reading thread holds.
const BATCH_ROWS: usize = 1024;

/// Batches the reading thread may be ahead of the checking one.
const BATCHES_AHEAD: usize = 4;

/// Rows as the reading thread cut them, for the checking thread: per row its line and,
/// for each of its kind's columns, its text, nothing, or why it cannot be read.
#[derive(Default)]
struct Batch {
    text: String,
    lines: Vec<u64>,
    cells: Vec<Cell>,
    errors: Vec<String>,
}

enum Cell {
    Missing,
    Text(usize, usize),
    Error(usize),
}

impl Batch {
    fn push(&mut self, line: u64, columns: &[&str], row: Row<'_>) {
        self.lines.push(line);
        for name in columns {
            let cell = match row(name) {
                Ok(None) => Cell::Missing,
                Ok(Some(text)) => {
                    let start = self.text.len();
                    self.text.push_str(text);
                    Cell::Text(start, text.len())
                }
                Err(message) => {
                    self.errors.push(message);
                    Cell::Error(self.errors.len() - 1)
                }
            };
            self.cells.push(cell);
        }
    }

    /// Row `r`'s `name`, as the row read in the reading thread gave it.
    fn get(
        &self,
        r: usize,
        columns: &[&str],
        name: &str,
    ) -> std::result::Result<Option<&str>, String> {
        let Some(c) = columns.iter().position(|n| *n == name) else {
            return Ok(None);
        };
        match self.cells[r * columns.len() + c] {
            Cell::Missing => Ok(None),
            Cell::Text(start, len) => Ok(Some(&self.text[start..start + len])),
            Cell::Error(e) => Err(self.errors[e].clone()),
        }
    }
}

/// What an import wrote: its counts, and the fingerprints of what it left (see
/// `ImportReport::content_sha256`), taken as it wrote.
struct Counts {
    rows_read: u64,
    added: u64,
    changed: u64,
    unchanged: u64,
    content: Fingerprint,
    changes: Option<Fingerprint>,
}

#[derive(Default)]
struct BadLines {
    total: u64,
    listed: Vec<LineError>,
}

impl BadLines {
    fn push(&mut self, line: u64, message: String) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED_LINES {
            self.listed.push(LineError { line, message });
        }
    }
}

fn finish_import(
    tx: &store::Tx<'_>,
    action: Action,
    import_id: i64,
    path: &Path,
    counts: Counts,
    bad: BadLines,
    started: Instant,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    let elapsed = started.elapsed();
    let report = ImportReport {
        import_id,
        file,
        rows_read: counts.rows_read,
        added: counts.added,
        changed: counts.changed,
        unchanged: counts.unchanged,
        skipped: bad.total,
        skipped_lines: bad.listed,
        duration_ms: elapsed.as_millis() as u64,
        rows_per_second: (counts.rows_read as f64 / elapsed.as_secs_f64().max(1e-6)) as u64,
        content_sha256: Some(counts.content.sha256),
        content_sketch: Some(counts.content.sketch.to_hex()),
        changes_sha256: counts.changes.as_ref().map(|c| c.sha256.clone()),
        changes_sketch: counts.changes.map(|c| c.sketch.to_hex()),
    };
    store::consent::finish_import(tx, &report)?;
    tx.audit(action, "import", import_id, None, Some(&report))?;
    Ok(report)
}

/// A row's fields by column name; `None` for a missing column, an empty CSV cell or a
/// JSON null.
pub(crate) type Row<'a> = &'a dyn Fn(&str) -> std::result::Result<Option<&'a str>, String>;

fn required<'a>(row: Row<'a>, field: &str) -> std::result::Result<&'a str, String> {
    match row(field)?.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{field}: is empty")),
    }
}

/// A field error as a bad line's message: `field: message`.
fn line_message(e: FieldError) -> String {
    format!("{}: {}", e.field, e.message)
}

/// An id or a source: required or not, never with a control character.
fn plain<'a>(field: &str, value: &'a str) -> std::result::Result<&'a str, String> {
    text::single_line(field, value).map_err(line_message)?;
    Ok(value)
}

fn parse_user(
    row: Row<'_>,
    today: NaiveDate,
    users: &mut UserRows,
) -> std::result::Result<(), String> {
    let user_id = plain("user_id", required(row, "user_id")?)?;
    // Two letters of any case, told without building a string (a row's country is
    // checked five million times in a large registry); anything else, and every
    // refusal, as `country::parse` tells it.
    let given = required(row, "country")?;
    let code = match given.as_bytes() {
        [a, b] => Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()]),
        _ => None,
    };
    let parsed;
    let country = match code.as_ref().and_then(|c| std::str::from_utf8(c).ok()) {
        Some(c) if country::is_code(c) => c,
        _ => {
            parsed = country::parse("country", given).map_err(line_message)?;
            parsed.as_str()
        }
    };
    let birth_date = match row("birth_date")?.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => {
            Some(calendar::parse_birth_date("birth_date", text, today).map_err(line_message)?)
        }
    };
    let status = required(row, "status")?
        .parse::<AccountStatus>()
        .map_err(|e| format!("status: {}", e.message))?;
    users.push(user_id, country, birth_date, status);
    Ok(())
}

fn parse_event(
    row: Row<'_>,
    events: &mut EventRows,
    buffer: &mut Vec<u8>,
) -> std::result::Result<(), String> {
    let user_id = plain("user_id", required(row, "user_id")?)?;
    let purpose = required(row, "purpose")?
        .parse::<Purpose>()
        .map_err(|e| format!("purpose: {}", e.message))?;
    let decision = required(row, "decision")?
        .parse::<Decision>()
        .map_err(|e| format!("decision: {}", e.message))?;
    let effective_at =
        parse_instant("effective_at", required(row, "effective_at")?).map_err(line_message)?;
    let source = plain("source", row("source")?.unwrap_or("").trim())?;
    events.push(user_id, purpose, decision, effective_at, source, buffer);
    Ok(())
}

/// A file's text, decompressed, under a [`LineCap`].
type Text = LineCap<Box<dyn Read + Send>>;

/// Passes a file's text through, failing with [`LineTooLong`] as soon as a line grows
/// past `MAX_LINE_BYTES`, so that no reader above it holds more than that of one line.
/// (The bytes read, for progress, are counted under the decompression, in the file.)
struct LineCap<R> {
    inner: R,
    /// The 1-based number of the line being read.
    line: u64,
    /// Bytes of that line read so far.
    in_line: u64,
}

#[derive(Debug)]
struct LineTooLong {
    line: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is longer than {} MiB",
            self.line,
            MAX_LINE_BYTES >> 20
        )
    }
}

impl std::error::Error for LineTooLong {}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let cap = MAX_LINE_BYTES as u64;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &buf[..n]) {
            if self.in_line + (end - start) as u64 > cap {
                break;
            }
            self.line += 1;
            self.in_line = 0;
            start = end + 1;
        }
        self.in_line += (n - start) as u64;
        if self.in_line > cap {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                LineTooLong { line: self.line },
            ));
        }
        Ok(n)
    }
}

/// A read error, or the refusal of a file with a line too long to be a row, or of a
/// compressed file that is truncated or damaged.
fn read_error(path: &Path, compression: Compression, e: std::io::Error) -> Error {
    let file = text::printable(&path.display().to_string()).into_owned();
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LineTooLong>())
    {
        Some(long) => Error::BadLines {
            file,
            total: 1,
            rows: None,
            lines: vec![LineError {
                line: long.line,
                message: format!(
                    "longer than {} MiB: this is not a registry or ledger row; nothing \
                     was imported (check that the file is the one you meant)",
                    MAX_LINE_BYTES >> 20
                ),
            }],
        },
        None => compression::read_error(path, compression, e, "file"),
    }
}

/// Calls `f` for every data row with its 1-based line number. Errors of `f` stop the
/// reading; a row that cannot be read as a row at all is passed to `f` as a row whose
/// every field is that error. A file without `kind`'s required columns (a CSV header)
/// or keys (the first [`SNIFF_LINES`] lines of JSON Lines) is refused as soon as that
/// is known (see [`unlike`]).
fn read_rows(
    path: &Path,
    file: compression::Opened,
    format: FileFormat,
    kind: ImportKind,
    mut f: impl FnMut(u64, Row<'_>) -> Result<()>,
) -> Result<()> {
    let compression = file.compression;
    let text = LineCap {
        inner: file.reader,
        line: 1,
        in_line: 0,
    };
    let read_error = |e| read_error(path, compression, e);
    match format {
        FileFormat::Csv => read_csv(path, text, kind, &read_error, &mut f),
        FileFormat::Jsonl => read_jsonl(path, text, kind, &read_error, &mut f),
    }
}

/// The refusal of a file that is plainly not a `kind` file: `missing` (of its required
/// columns or keys) is in none of `place`'s names, which are `found`. One message for
/// both formats, naming what is missing and what is there, under the field `file`.
fn unlike(
    path: &Path,
    kind: ImportKind,
    place: Place,
    missing: &[&str],
    found: &[String],
) -> Error {
    let quote = |name: &str| format!("\"{}\"", text::printable(name));
    let missing: Vec<String> = missing.iter().map(|n| quote(n)).collect();
    let missing = match missing.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    let mut shown: Vec<String> = found
        .iter()
        .take(MAX_NAMES_SHOWN)
        .map(|n| quote(n))
        .collect();
    if found.len() > MAX_NAMES_SHOWN {
        shown.push("...".into());
    }
    let shown = shown.join(", ");
    let what = match place {
        Place::Header if found.is_empty() => {
            format!("its header has no {missing} column (it has no column at all)")
        }
        Place::Header => format!("its header has no {missing} column (it has {shown})"),
        Place::FirstLines if found.is_empty() => "none of its first lines is a JSON object".into(),
        Place::FirstLines => format!("its first lines have no {missing} key (they have {shown})"),
    };
    Error::invalid(
        "file",
        format!(
            "{} does not look like a {}: {what}",
            text::printable(&path.display().to_string()),
            kind.token()
        ),
    )
}

/// Where [`unlike`] looked: a CSV header, or the first lines of JSON Lines.
#[derive(Clone, Copy)]
enum Place {
    Header,
    FirstLines,
}

/// How many of a file's column or key names a refusal quotes.
const MAX_NAMES_SHOWN: usize = 20;

/// `required`'s names that are not among `found`.
fn missing<'r>(required: &[&'r str], found: &[String]) -> Vec<&'r str> {
    required
        .iter()
        .copied()
        .filter(|c| !found.iter().any(|h| h == c))
        .collect()
}

fn read_csv(
    path: &Path,
    file: Text,
    kind: ImportKind,
    read_error: &dyn Fn(std::io::Error) -> Error,
    f: &mut dyn FnMut(u64, Row<'_>) -> Result<()>,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(BufReader::new(file));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| match io_error(e) {
            Ok(e) => read_error(e),
            Err(e) => Error::invalid(
                "file",
                format!(
                    "{}: cannot read the header: {e}",
                    text::printable(&path.display().to_string()),
                ),
            ),
        })?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let found: Vec<String> = headers.iter().filter(|h| !h.is_empty()).cloned().collect();
    let absent = missing(kind.required(), &found);
    if !absent.is_empty() {
        return Err(unlike(path, kind, Place::Header, &absent, &found));
    }
    let mut record = csv::StringRecord::new();
    loop {
        let line_before = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line_before, |p| p.line());
                let get = |name: &str| -> std::result::Result<Option<&str>, String> {
                    Ok(headers
                        .iter()
                        .position(|h| h == name)
                        .and_then(|i| record.get(i)))
                };
                f(line, &get)?;
            }
            Err(e) => {
                let line = e.position().map_or(line_before, |p| p.line());
                let e = match io_error(e) {
                    Ok(io) => return Err(read_error(io)),
                    Err(e) => e,
                };
                let message = format!("not a CSV row: {e}");
                let get =
                    |_: &str| -> std::result::Result<Option<&str>, String> { Err(message.clone()) };
                f(line, &get)?;
            }
        }
    }
    Ok(())
}

/// The I/O error inside a CSV error, or the CSV error itself.
fn io_error(e: csv::Error) -> std::result::Result<std::io::Error, csv::Error> {
    if !matches!(e.kind(), csv::ErrorKind::Io(_)) {
        return Err(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Ok(io),
        _ => unreachable!("the kind was matched above"),
    }
}

/// What the first [`SNIFF_LINES`] non-empty lines of a JSON Lines file hold: the keys
/// seen (in order of first sight), and whether each required key was among them.
struct Sniff {
    kind: ImportKind,
    lines: u64,
    keys: Vec<String>,
}

impl Sniff {
    fn new(kind: ImportKind) -> Self {
        Sniff {
            kind,
            lines: 0,
            keys: Vec::new(),
        }
    }

    /// Looks at one more non-empty line (`None`: not a JSON object), and, at the last
    /// line it looks at, refuses a file whose lines had none of a required key.
    fn look(
        &mut self,
        path: &Path,
        object: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Result<()> {
        if self.lines >= SNIFF_LINES {
            return Ok(());
        }
        self.lines += 1;
        for key in object.into_iter().flat_map(|o| o.keys()) {
            if !self.keys.contains(key) {
                self.keys.push(key.clone());
            }
        }
        if self.lines == SNIFF_LINES {
            self.verdict(path)?;
        }
        Ok(())
    }

    /// Whether the lines it looks at are all seen (and the file was not refused).
    fn done(&self) -> bool {
        self.lines >= SNIFF_LINES
    }

    /// At the end of a file shorter than [`SNIFF_LINES`] lines: the same refusal. An
    /// empty file is not refused (it imports nothing).
    fn verdict(&self, path: &Path) -> Result<()> {
        let absent = missing(self.kind.required(), &self.keys);
        if self.lines == 0 || absent.is_empty() {
            return Ok(());
        }
        Err(unlike(
            path,
            self.kind,
            Place::FirstLines,
            &absent,
            &self.keys,
        ))
    }
}

fn read_jsonl(
    path: &Path,
    file: Text,
    kind: ImportKind,
    read_error: &dyn Fn(std::io::Error) -> Error,
    f: &mut dyn FnMut(u64, Row<'_>) -> Result<()>,
) -> Result<()> {
    let mut reader = BufReader::new(file);
    let mut sniff = Sniff::new(kind);
    let names = kind.columns();
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(read_error)?;
        if n == 0 {
            return sniff.verdict(path);
        }
        line += 1;
        let mut bytes = buf.as_slice();
        if line == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        let bytes = bytes.trim_ascii_end();
        if bytes.is_empty() {
            continue;
        }
        if sniff.done() {
            // A flat object of strings without escapes and nulls, the common row, is
            // read by `flat_fields`; anything else by serde_json as before.
            if let Some(fields) = flat_fields(bytes, names) {
                f(line, &|name: &str| fields.get(name))?;
                continue;
            }
            // The fields read straight from the line; anything it cannot take (not an
            // object, bad JSON) is read again below, for the same message as ever.
            let mut fields = Fields::new(names);
            let mut de = serde_json::Deserializer::from_slice(bytes);
            if serde::Deserializer::deserialize_map(&mut de, FieldsVisitor(&mut fields)).is_ok()
                && de.end().is_ok()
            {
                f(line, &|name: &str| fields.get(name))?;
                continue;
            }
        }
        let parsed = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes);
        sniff.look(path, parsed.as_ref().ok())?;
        match parsed {
            Ok(object) => {
                let get = |name: &str| -> std::result::Result<Option<&str>, String> {
                    match object.get(name) {
                        None | Some(serde_json::Value::Null) => Ok(None),
                        Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
                        Some(other) => Err(not_a_string(name, other)),
                    }
                };
                f(line, &get)?;
            }
            Err(e) => {
                let message = format!("not a JSON object: {e}");
                let get =
                    |_: &str| -> std::result::Result<Option<&str>, String> { Err(message.clone()) };
                f(line, &get)?;
            }
        }
    }
}

/// The fields of a JSON Lines row that is one flat object whose values are all strings
/// without escapes or `null` (what exports write, and most rows), read in one pass over
/// its bytes; `None` for anything else, which the caller reads with serde_json. It
/// takes only lines serde_json takes, and gives the same fields: its UTF-8 is checked
/// for the whole line at once, a string with a backslash or a control character (an
/// escape, or an error serde_json words) is left to serde_json, as are numbers,
/// booleans, arrays, nested objects and anything malformed; a repeated key's last value
/// counts and null is no value, as in [`FieldsVisitor`]. serde_json's general reading
/// (a visitor call per key and value, a UTF-8 check per string) made the reading thread
/// the bottleneck of a JSON Lines import (bench/README.md, 2026-12-01, later).
fn flat_fields<'a>(line: &'a [u8], names: &'static [&'static str]) -> Option<Fields<'a>> {
    let text = simdutf8::basic::from_utf8(line).ok()?;
    let b = line;
    let mut fields = Fields::new(names);
    let ws = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    };
    // The string whose opening quote is at `i`: its text and the place after it.
    let string = |i: usize| -> Option<(&'a str, usize)> {
        let rest = b.get(i + 1..)?;
        let end = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        (rest[end] == b'"').then(|| (&text[i + 1..i + 1 + end], i + end + 2))
    };
    let mut i = ws(0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let (key, after) = string(i)?;
            i = ws(after);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = ws(i + 1);
            let value = match b.get(i)? {
                b'"' => {
                    let (value, after) = string(i)?;
                    i = after;
                    Field::Text(std::borrow::Cow::Borrowed(value))
                }
                b'n' if b[i..].starts_with(b"null") => {
                    i += 4;
                    Field::Missing
                }
                _ => return None,
            };
            if let Some(k) = names.iter().position(|n| *n == key) {
                fields.values[k] = value;
            }
            i = ws(i);
            match b.get(i)? {
                b',' => i = ws(i + 1),
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (ws(i) == b.len()).then_some(fields)
}

/// Why a JSON Lines row's `name` cannot be read: it holds `value`, not a string.
fn not_a_string(name: &str, value: &serde_json::Value) -> String {
    format!("{name}: must be a string, not {value}")
}

/// The fields of one JSON Lines row that an import reads (`ImportKind::columns`), taken
/// in one pass over the line, borrowed from it unless they hold escapes. Read as the
/// line read into a `serde_json::Map` reads: a missing key or null is no value, the last
/// of a repeated key counts, any other key is read (and checked) as any JSON value.
struct Fields<'a> {
    names: &'static [&'static str],
    values: [Field<'a>; MAX_COLUMNS],
}

const MAX_COLUMNS: usize = 5;

enum Field<'a> {
    Missing,
    Text(std::borrow::Cow<'a, str>),
    Other(serde_json::Value),
}

impl<'a> Fields<'a> {
    fn new(names: &'static [&'static str]) -> Self {
        assert!(
            names.len() <= MAX_COLUMNS,
            "a kind reads at most {MAX_COLUMNS} columns"
        );
        Fields {
            names,
            values: std::array::from_fn(|_| Field::Missing),
        }
    }

    fn get(&self, name: &str) -> std::result::Result<Option<&str>, String> {
        let Some(i) = self.names.iter().position(|n| *n == name) else {
            return Ok(None);
        };
        match &self.values[i] {
            Field::Missing => Ok(None),
            Field::Text(s) => Ok(Some(s)),
            Field::Other(other) => Err(not_a_string(name, other)),
        }
    }
}

struct FieldsVisitor<'f, 'a>(&'f mut Fields<'a>);

impl<'de, 'f> serde::de::Visitor<'de> for FieldsVisitor<'f, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key(self.0.names))? {
            match key {
                Some(i) => self.0.values[i] = map.next_value::<Field<'de>>()?,
                None => {
                    map.next_value::<serde_json::Value>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key, as its place among the names read (`None`: a key not read), without copying it.
struct Key(&'static [&'static str]);

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Key {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Option<usize>, E> {
        Ok(self.0.iter().position(|n| *n == v))
    }
}

impl<'de> serde::Deserialize<'de> for Field<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> serde::de::Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Text(std::borrow::Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Text(std::borrow::Cow::Owned(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Text(std::borrow::Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Missing)
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Other(v.into()))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Other(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Other(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Field<'de>, E> {
        Ok(Field::Other(v.into()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        seq: A,
    ) -> std::result::Result<Field<'de>, A::Error> {
        use serde::Deserialize;
        let value =
            serde_json::Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Field::Other(value))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        map: A,
    ) -> std::result::Result<Field<'de>, A::Error> {
        use serde::Deserialize;
        let value =
            serde_json::Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Field::Other(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A line's fields as serde_json reads them (the path `flat_fields` spares), each
    /// column's value or error; `None` where serde_json does not take the line.
    fn by_serde(line: &[u8], names: &'static [&'static str]) -> Option<Vec<Cell>> {
        let mut fields = Fields::new(names);
        let mut de = serde_json::Deserializer::from_slice(line);
        serde::Deserializer::deserialize_map(&mut de, FieldsVisitor(&mut fields)).ok()?;
        de.end().ok()?;
        Some(cells(&fields, names))
    }

    type Cell = std::result::Result<Option<String>, String>;

    fn cells(fields: &Fields<'_>, names: &[&str]) -> Vec<Cell> {
        names
            .iter()
            .map(|n| fields.get(n).map(|v| v.map(str::to_string)))
            .collect()
    }

    const NAMES: &[&str] = &["user_id", "purpose", "decision", "effective_at", "source"];

    #[test]
    fn flat_rows_are_read_without_serde_and_read_the_same() {
        for line in [
            &br#"{"user_id":"u1","purpose":"search","decision":"allow","effective_at":"2026-01-01T00:00:00Z"}"#[..],
            br#" { "user_id" : "\u00e9" , "source":null,"x":"y" } "#,
            "{\"user_id\":\"é\",\"user_id\":\"b\",\"purpose\":null}".as_bytes(),
            b"{}",
            b"{\"source\":\"a\x7fb\"}",
        ] {
            let text = String::from_utf8_lossy(line);
            let want = by_serde(line, NAMES);
            let flat = flat_fields(line, NAMES);
            if text.contains('\\') {
                assert!(flat.is_none(), "{text}: an escape is serde_json's");
            } else {
                let flat = flat.unwrap_or_else(|| panic!("{text}: a flat row"));
                assert_eq!(Some(cells(&flat, NAMES)), want, "{text}");
            }
        }
        // Lines serde_json refuses or reads otherwise are left to it.
        for line in [
            &b"{\"user_id\":\"a\tb\"}"[..],
            b"{\"user_id\":\"a\xffb\"}",
            b"{\"user_id\":1}",
            b"{\"user_id\":true}",
            b"{\"user_id\":\"a\",}",
            b"{\"user_id\":\"a\"} x",
            b"{\"user_id\":\"a\"",
            b"{\"user_id\":nul}",
            b"{\"user_id\":nullx}",
            b"{\"x\":[\"a\"]}",
            b"[\"user_id\"]",
            b"{\"user_id\" \"a\"}",
            b"",
        ] {
            assert!(
                flat_fields(line, NAMES).is_none(),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    /// A JSON-ish line: keys the import reads and others, values of every kind, and
    /// mistakes (whitespace anywhere, a byte cut or added).
    fn line() -> impl Strategy<Value = Vec<u8>> {
        let key = prop_oneof![
            Just("user_id".to_string()),
            Just("source".to_string()),
            Just("purpose".to_string()),
            Just("user\\u005fid".to_string()),
            Just(String::new()),
            "[a-z_\"\\\\]{0,6}",
        ];
        let value = prop_oneof![
            "\"[a-zé\u{7f}\u{1}\t\"\\\\/]{0,8}\"",
            "\"(\\\\[nt\"\\\\/u]|[a-z])*[0-9a-f]{0,4}\"",
            Just("null".to_string()),
            Just("nul".to_string()),
            Just("true".to_string()),
            Just("-1.5e3".to_string()),
            Just("[\"a\", null]".to_string()),
            Just("{\"user_id\":\"x\"}".to_string()),
        ];
        let ws = "[ \t\r\u{c}]{0,2}";
        let pair =
            (ws, key, ws, value, ws).prop_map(|(a, k, b, v, c)| format!("{a}\"{k}\"{b}:{c}{v}"));
        (
            prop::collection::vec(pair, 0..6),
            ws,
            any::<Option<(prop::sample::Index, u8)>>(),
            any::<Option<prop::sample::Index>>(),
        )
            .prop_map(|(pairs, end, added, cut)| {
                let mut line = format!("{{{}}}{end}", pairs.join(",")).into_bytes();
                if let Some((at, byte)) = added {
                    line.insert(at.index(line.len() + 1), byte);
                }
                if let Some(at) = cut {
                    line.truncate(at.index(line.len() + 1));
                }
                line
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whatever the line, `flat_fields` takes it only if serde_json takes it too,
        /// and then reads every column as serde_json does.
        #[test]
        fn flat_fields_reads_what_serde_reads(line in line()) {
            if let Some(flat) = flat_fields(&line, NAMES) {
                prop_assert_eq!(Some(cells(&flat, NAMES)), by_serde(&line, NAMES));
            }
        }
    }
}
