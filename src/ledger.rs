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
//! - A line longer than `snapshot::MAX_LINE_BYTES` refuses the whole file as soon as it
//!   is seen (even with `skip_invalid`: such a file is not a registry or a ledger), so
//!   memory stays bounded whatever the input, `/dev/zero` included.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::calendar::{self, parse_instant};
use crate::snapshot::MAX_LINE_BYTES;
use crate::text;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::audit::Action;
use crate::consent::{AccountStatus, Decision, RegistryUser};
use crate::country;
use crate::error::{Error, FieldError, LineError, Result};
use crate::purpose::Purpose;
use crate::store::{self, Store};

/// How many bad lines a report or an error lists; the rest are counted.
pub const MAX_LISTED_LINES: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Jsonl,
}

impl FileFormat {
    pub fn token(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Jsonl => "jsonl",
        }
    }

    /// From the extension: `.csv` is CSV, `.jsonl`, `.ndjson` and `.json` are JSONL.
    pub fn of_path(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "jsonl" | "ndjson" | "json" => Some(FileFormat::Jsonl),
            _ => None,
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<FileFormat> {
        match text {
            "csv" => Ok(FileFormat::Csv),
            "jsonl" => Ok(FileFormat::Jsonl),
            _ => Err(Error::invalid(
                field,
                format!("unknown format '{text}' (csv or jsonl)"),
            )),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportOptions {
    /// Import the good rows of a file that has bad ones, and report the bad ones.
    #[serde(default)]
    pub skip_invalid: bool,
    /// Override the format that the extension implies.
    #[serde(default)]
    pub format: Option<FileFormat>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub import_id: i64,
    pub file: String,
    pub rows_read: u64,
    /// New users or new events.
    pub added: u64,
    /// Registry rows that changed a known user.
    pub changed: u64,
    /// Rows already known exactly as they are.
    pub unchanged: u64,
    pub skipped: u64,
    /// The first skipped lines, with why.
    pub skipped_lines: Vec<LineError>,
    pub duration_ms: u64,
    pub rows_per_second: u64,
    /// SHA-256 of what the import left, computed at its end inside its transaction: for
    /// a registry import the whole `users` table (rows in user-id order), for a ledger
    /// import the identities of the events it added (in id order). Recorded in the
    /// import's audit entry, recomputed by `audit verify`. `None` in entries written
    /// before Consentry recorded it: such an import's data is not checked this way,
    /// which is not a failure.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub content_sha256: Option<String>,
    /// A 2 KiB hex sketch of the same rows that lets `audit verify` name the rows that
    /// differ (see `integrity::digest`); `None` where `content_sha256` is.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub content_sketch: Option<String>,
    /// For a registry import, SHA-256 of the `user_changes` rows it recorded (the
    /// history withdrawal notices read), in id order; its sketch beside it. `None` for a
    /// ledger import and in older entries.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub changes_sha256: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub changes_sketch: Option<String>,
}

/// One ledger event, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub user_id: String,
    pub purpose: Purpose,
    pub decision: Decision,
    pub effective_at: DateTime<Utc>,
    pub source: String,
}

impl Event {
    /// RFC 3339 UTC with microseconds: the stored text and the hashed text.
    pub fn effective_text(&self) -> String {
        self.effective_at
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// The event's stable identity: 16 bytes of the SHA-256 of its normalized fields.
    pub fn identity(&self) -> [u8; 16] {
        let text = serde_json::json!([
            self.user_id,
            self.purpose.token(),
            self.decision.token(),
            self.effective_text(),
            self.source
        ])
        .to_string();
        let digest = Sha256::digest(text.as_bytes());
        digest[..16].try_into().expect("16 of 32 bytes")
    }
}

/// Microseconds since the Unix epoch.
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn import_registry(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport> {
    const COLUMNS: [&str; 4] = ["user_id", "country", "birth_date", "status"];
    let started = Instant::now();
    let today = Utc::now().date_naive();
    let parsed = parse_file(path, options, &COLUMNS, |row| parse_user(row, today))?;
    store.write(|tx| {
        let import_id = store::consent::begin_import(tx, "registry", path)?;
        let mut counts = Counts::new(parsed.rows_read);
        for user in &parsed.rows {
            match store::consent::upsert_user(tx, import_id, user)? {
                store::consent::Upsert::Added => counts.added += 1,
                store::consent::Upsert::Changed => counts.changed += 1,
                store::consent::Upsert::Unchanged => counts.unchanged += 1,
            }
        }
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

pub fn import_ledger(store: &Store, path: &Path, options: &ImportOptions) -> Result<ImportReport> {
    // `source` is optional: an event without one has an empty source.
    const COLUMNS: [&str; 4] = ["user_id", "purpose", "decision", "effective_at"];
    let started = Instant::now();
    let parsed = parse_file(path, options, &COLUMNS, parse_event)?;
    store.write(|tx| {
        let import_id = store::consent::begin_import(tx, "ledger", path)?;
        let mut counts = Counts::new(parsed.rows_read);
        let mut insert = store::consent::EventInserter::new(tx, import_id)?;
        for event in &parsed.rows {
            if insert.insert(event)? {
                counts.added += 1;
            } else {
                counts.unchanged += 1;
            }
        }
        drop(insert);
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

/// A file's rows, parsed and checked before the store is touched.
struct Parsed<T> {
    rows: Vec<T>,
    rows_read: u64,
    bad: BadLines,
}

/// Reads and parses every row of `path`. A file with bad rows is refused here, before
/// any lock is taken, unless `skip_invalid` is set.
fn parse_file<T>(
    path: &Path,
    options: &ImportOptions,
    columns: &[&str],
    parse: impl Fn(Row<'_>) -> std::result::Result<T, String>,
) -> Result<Parsed<T>> {
    let mut parsed = Parsed {
        rows: Vec::new(),
        rows_read: 0,
        bad: BadLines::default(),
    };
    read_rows(path, options.format, columns, |line, row| {
        parsed.rows_read += 1;
        match parse(row) {
            Ok(value) => parsed.rows.push(value),
            Err(message) => parsed.bad.push(line, message),
        }
        Ok(())
    })?;
    if parsed.bad.total > 0 && !options.skip_invalid {
        return Err(Error::BadLines {
            file: text::printable(&path.display().to_string()).into_owned(),
            total: parsed.bad.total,
            lines: parsed.bad.listed,
        });
    }
    Ok(parsed)
}

struct Counts {
    rows_read: u64,
    added: u64,
    changed: u64,
    unchanged: u64,
}

impl Counts {
    fn new(rows_read: u64) -> Counts {
        Counts {
            rows_read,
            added: 0,
            changed: 0,
            unchanged: 0,
        }
    }
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
    let mut report = ImportReport {
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
        content_sha256: None,
        content_sketch: None,
        changes_sha256: None,
        changes_sketch: None,
    };
    store::consent::finish_import(tx, &report)?;
    store::consent::fingerprint_import(tx.conn(), &mut report)?;
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

fn parse_user(row: Row<'_>, today: NaiveDate) -> std::result::Result<RegistryUser, String> {
    let user_id = plain("user_id", required(row, "user_id")?)?.to_string();
    let country = country::parse("country", required(row, "country")?).map_err(line_message)?;
    let birth_date = match row("birth_date")?.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => {
            Some(calendar::parse_birth_date("birth_date", text, today).map_err(line_message)?)
        }
    };
    let status = required(row, "status")?
        .parse::<AccountStatus>()
        .map_err(|e| format!("status: {}", e.message))?;
    Ok(RegistryUser {
        user_id,
        country,
        birth_date,
        status,
    })
}

fn parse_event(row: Row<'_>) -> std::result::Result<Event, String> {
    Ok(Event {
        user_id: plain("user_id", required(row, "user_id")?)?.to_string(),
        purpose: required(row, "purpose")?
            .parse::<Purpose>()
            .map_err(|e| format!("purpose: {}", e.message))?,
        decision: required(row, "decision")?
            .parse::<Decision>()
            .map_err(|e| format!("decision: {}", e.message))?,
        effective_at: parse_instant("effective_at", required(row, "effective_at")?)
            .map_err(line_message)?,
        source: plain("source", row("source")?.unwrap_or("").trim())?.to_string(),
    })
}

fn open(path: &Path) -> Result<LineCap<std::fs::File>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    Ok(LineCap {
        inner: file,
        line: 1,
        in_line: 0,
    })
}

/// Passes a file through, failing with [`LineTooLong`] as soon as a line grows past
/// `MAX_LINE_BYTES`, so that no reader above it holds more than that of one line.
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

/// A read error, or the refusal of a file with a line too long to be a row.
fn read_error(path: &Path, e: std::io::Error) -> Error {
    let file = text::printable(&path.display().to_string()).into_owned();
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LineTooLong>())
    {
        Some(long) => Error::BadLines {
            file,
            total: 1,
            lines: vec![LineError {
                line: long.line,
                message: format!(
                    "longer than {} MiB: this is not a registry or ledger row; nothing \
                     was imported (check that the file is the one you meant)",
                    MAX_LINE_BYTES >> 20
                ),
            }],
        },
        None => Error::io(format!("cannot read {file}"), e),
    }
}

/// Calls `f` for every data row with its 1-based line number. Errors of `f` stop the
/// reading; a row that cannot be read as a row at all is passed to `f` as a row whose
/// every field is that error.
fn read_rows(
    path: &Path,
    format: Option<FileFormat>,
    columns: &[&str],
    mut f: impl FnMut(u64, Row<'_>) -> Result<()>,
) -> Result<()> {
    let format = format
        .or_else(|| FileFormat::of_path(path))
        .ok_or_else(|| {
            Error::invalid(
                "format",
                "cannot tell the format from the file name: pass --format csv|jsonl",
            )
        })?;
    match format {
        FileFormat::Csv => read_csv(path, columns, &mut f),
        FileFormat::Jsonl => read_jsonl(path, &mut f),
    }
}

fn read_csv(
    path: &Path,
    columns: &[&str],
    f: &mut dyn FnMut(u64, Row<'_>) -> Result<()>,
) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(BufReader::new(open(path)?));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| match io_error(e) {
            Ok(e) => read_error(path, e),
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
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(
            "file",
            format!(
                "{}: the header lacks column(s) {}: name every column in the first line \
                 (expected: {})",
                text::printable(&path.display().to_string()),
                missing.join(", "),
                columns.join(",")
            ),
        ));
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
                    Ok(io) => return Err(read_error(path, io)),
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

fn read_jsonl(path: &Path, f: &mut dyn FnMut(u64, Row<'_>) -> Result<()>) -> Result<()> {
    let mut reader = BufReader::new(open(path)?);
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_error(path, e))?;
        if n == 0 {
            break;
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
        match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes) {
            Ok(object) => {
                let get = |name: &str| -> std::result::Result<Option<&str>, String> {
                    match object.get(name) {
                        None | Some(serde_json::Value::Null) => Ok(None),
                        Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
                        Some(other) => Err(format!("{name}: must be a string, not {other}")),
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
    Ok(())
}

/// The current consent policy.
pub fn policy(store: &Store) -> Result<crate::consent::Policy> {
    store.read(store::consent::current_policy)
}

/// A change to the consent policy. Each field left out keeps its current value; at
/// least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PolicyInput {
    /// Comma-separated ISO 3166-1 alpha-2 codes, or `none` for a platform with no
    /// opt-in countries. Blank is refused: it would silently drop every protection.
    #[serde(default)]
    pub opt_in: Option<String>,
    /// `YYYY-MM-DD`: the day the opt-out setting reached users; `none` removes the gate.
    #[serde(default)]
    pub opt_out_available_from: Option<String>,
    /// Days of notice after that day before the regime default applies (default 30).
    #[serde(default)]
    pub notice_days: Option<i64>,
}

/// The longest notice period accepted: ten years.
const MAX_NOTICE_DAYS: i64 = 3650;

impl PolicyInput {
    /// The policy that results from applying this change to `current`.
    fn apply(&self, current: &crate::consent::Policy) -> Result<crate::consent::Policy> {
        let mut problems = crate::error::Problems::default();
        if self.opt_in.is_none()
            && self.opt_out_available_from.is_none()
            && self.notice_days.is_none()
        {
            problems.add(
                "opt_in",
                "nothing to change: give the opt-in countries, the opt-out date or the notice days",
            );
        }
        let opt_in_countries = match &self.opt_in {
            None => Some(current.opt_in_countries.clone()),
            Some(text) => problems.take(parse_opt_in(text)),
        };
        let opt_out_available_from = match self.opt_out_available_from.as_deref().map(str::trim) {
            None => Some(current.opt_out_available_from),
            Some(t) if t.eq_ignore_ascii_case("none") => Some(None),
            Some(t) => problems
                .take(calendar::parse_term_date("opt_out_available_from", t))
                .map(Some),
        };
        let notice_days = match self.notice_days {
            None => Some(current.notice_days),
            Some(n) if (0..=MAX_NOTICE_DAYS).contains(&n) => Some(n as u32),
            Some(n) => {
                problems.add(
                    "notice_days",
                    format!("{n} is not a notice period: give 0 to {MAX_NOTICE_DAYS} days"),
                );
                None
            }
        };
        if self.notice_days.is_some() && opt_out_available_from == Some(None) {
            problems.add(
                "notice_days",
                "a notice period applies only from an opt-out date: give that date too",
            );
        }
        problems.into_result()?;
        Ok(crate::consent::Policy {
            version: current.version + 1,
            opt_in_countries: opt_in_countries.expect("checked"),
            opt_out_available_from: opt_out_available_from.expect("checked"),
            notice_days: notice_days.expect("checked"),
        })
    }
}

/// `none`, or a non-empty list of country codes, sorted and de-duplicated.
fn parse_opt_in(text: &str) -> std::result::Result<Vec<String>, FieldError> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut codes = text
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| country::parse("opt_in", c))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if codes.is_empty() {
        return Err(FieldError::new(
            "opt_in",
            "an empty list would make every country opt-out: give the opt-in country \
             codes, or 'none' for a platform with no opt-in countries",
        ));
    }
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// Stores a new policy version: the current one with `input`'s changes.
pub fn set_policy(store: &Store, input: &PolicyInput) -> Result<crate::consent::Policy> {
    store.write(|tx| {
        let before = store::consent::current_policy(tx.conn())?;
        let after = store::consent::insert_policy(tx, &input.apply(&before)?)?;
        tx.audit(
            Action::PolicyChanged,
            "policy",
            after.version,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// What the consent overview screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConsentOverview {
    pub policy: crate::consent::Policy,
    pub users: u64,
    /// active, deleted, suspended
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Registry users in opt-in countries (consent needed) and elsewhere.
    pub opt_in_regime: u64,
    pub opt_out_regime: u64,
    pub events: u64,
    /// Per purpose: users whose latest decision, as of now, is deny / allow.
    pub denied: std::collections::BTreeMap<String, u64>,
    pub allowed: std::collections::BTreeMap<String, u64>,
    pub imports: Vec<ImportSummary>,
    /// The current policy's opt-out gate and what it holds back, when it has one.
    pub gate: Option<GateOverview>,
}

/// "No default consent before users could say no", as the consent screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GateOverview {
    pub opt_out_available_from: NaiveDate,
    pub notice_days: u32,
    /// The first day the regime default includes anyone; `None`: never.
    pub default_applies_from: Option<NaiveDate>,
    /// Per purpose: registry users whom, as of now, only the regime default would
    /// include. While the notice period runs they are held back entirely; after it,
    /// their records created before the opt-out date are.
    pub users_held_back: std::collections::BTreeMap<String, u64>,
    /// Records held back by the gate, summed over the sealed snapshots.
    pub records_held_back: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportSummary {
    pub id: i64,
    pub kind: String,
    pub file: String,
    pub rows_read: u64,
    pub added: u64,
    pub changed: u64,
    pub skipped: u64,
    pub at: String,
    pub actor: String,
}

/// Counts for the consent overview, as of now.
pub fn overview(store: &Store) -> Result<ConsentOverview> {
    let now = Utc::now();
    store.read(|conn| {
        let mut overview = store::consent::overview(conn, micros(now))?;
        overview.gate = gate_overview(conn, &overview.policy, now)?;
        Ok(overview)
    })
}

fn gate_overview(
    conn: &rusqlite::Connection,
    policy: &crate::consent::Policy,
    now: DateTime<Utc>,
) -> Result<Option<GateOverview>> {
    use crate::consent::{Rules, Verdict};
    let Some(from) = policy.opt_out_available_from else {
        return Ok(None);
    };
    let rules: Vec<(Purpose, Rules)> = Purpose::ALL
        .into_iter()
        .map(|p| (p, Rules::new(&[p], now, policy)))
        .collect();
    let mut held: std::collections::BTreeMap<String, u64> = Purpose::ALL
        .iter()
        .map(|p| (p.token().to_string(), 0))
        .collect();
    store::consent::fold_consent(conn, micros(now), &mut Sha256::new(), |user, latest| {
        for (p, rules) in &rules {
            if matches!(
                rules.verdict(Some(&user), latest),
                Verdict::HeldBack | Verdict::IncludedByDefault
            ) {
                *held.entry(p.token().to_string()).or_default() += 1;
            }
        }
    })?;
    Ok(Some(GateOverview {
        opt_out_available_from: from,
        notice_days: policy.notice_days,
        default_applies_from: policy.default_applies_from(),
        users_held_back: held,
        records_held_back: store::snapshots::held_back_total(conn)?,
    }))
}
