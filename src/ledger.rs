//! Importing the user registry and the consent ledger (PRODUCT.md §2) from CSV or JSONL.
//!
//! - A file with any bad row imports nothing, unless `skip_invalid` is set: then the
//!   good rows are imported and the bad ones reported by line number.
//! - Ledger events have a stable identity (a hash of the normalized event), so importing
//!   the same file twice adds nothing.
//! - Registry rows are upserts: a changed row updates the user and records the change
//!   with its time (what later withdrawal notices need); an unchanged row does nothing.
//! - Everything is written in one transaction, with one audit entry for the import.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
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

pub fn parse_instant(field: &str, text: &str) -> std::result::Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| FieldError::new(field, format!("'{text}' is not an RFC 3339 instant")))
}

pub fn import_registry(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport> {
    const COLUMNS: [&str; 4] = ["user_id", "country", "birth_date", "status"];
    let started = Instant::now();
    store.write(|tx| {
        let import_id = store::consent::begin_import(tx, "registry", path)?;
        let mut counts = Counts::default();
        let mut bad = BadLines::default();
        read_rows(path, options.format, &COLUMNS, |line, row| {
            counts.rows_read += 1;
            match parse_user(row) {
                Ok(user) => match store::consent::upsert_user(tx, import_id, &user)? {
                    store::consent::Upsert::Added => counts.added += 1,
                    store::consent::Upsert::Changed => counts.changed += 1,
                    store::consent::Upsert::Unchanged => counts.unchanged += 1,
                },
                Err(message) => bad.push(line, message),
            }
            Ok(())
        })?;
        finish_import(
            tx,
            Action::RegistryImported,
            import_id,
            path,
            options,
            counts,
            bad,
            started,
        )
    })
}

pub fn import_ledger(store: &Store, path: &Path, options: &ImportOptions) -> Result<ImportReport> {
    // `source` is optional: an event without one has an empty source.
    const COLUMNS: [&str; 4] = ["user_id", "purpose", "decision", "effective_at"];
    let started = Instant::now();
    store.write(|tx| {
        let import_id = store::consent::begin_import(tx, "ledger", path)?;
        let mut counts = Counts::default();
        let mut bad = BadLines::default();
        let mut insert = store::consent::EventInserter::new(tx, import_id)?;
        read_rows(path, options.format, &COLUMNS, |line, row| {
            counts.rows_read += 1;
            match parse_event(row) {
                Ok(event) => {
                    if insert.insert(&event)? {
                        counts.added += 1;
                    } else {
                        counts.unchanged += 1;
                    }
                }
                Err(message) => bad.push(line, message),
            }
            Ok(())
        })?;
        drop(insert);
        finish_import(
            tx,
            Action::LedgerImported,
            import_id,
            path,
            options,
            counts,
            bad,
            started,
        )
    })
}

#[derive(Default)]
struct Counts {
    rows_read: u64,
    added: u64,
    changed: u64,
    unchanged: u64,
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

#[allow(clippy::too_many_arguments)]
fn finish_import(
    tx: &store::Tx<'_>,
    action: Action,
    import_id: i64,
    path: &Path,
    options: &ImportOptions,
    counts: Counts,
    bad: BadLines,
    started: Instant,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    if bad.total > 0 && !options.skip_invalid {
        // Returning the error rolls the whole transaction back.
        return Err(Error::BadLines {
            file,
            total: bad.total,
            lines: bad.listed,
        });
    }
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

fn parse_user(row: Row<'_>) -> std::result::Result<RegistryUser, String> {
    let user_id = required(row, "user_id")?.to_string();
    let country = country::parse("country", required(row, "country")?)
        .map_err(|e| format!("country: {}", e.message))?;
    let birth_date = match row("birth_date")?.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => Some(
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("birth_date: '{text}' is not a date (YYYY-MM-DD)"))?,
        ),
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
        user_id: required(row, "user_id")?.to_string(),
        purpose: required(row, "purpose")?
            .parse::<Purpose>()
            .map_err(|e| format!("purpose: {}", e.message))?,
        decision: required(row, "decision")?
            .parse::<Decision>()
            .map_err(|e| format!("decision: {}", e.message))?,
        effective_at: parse_instant("effective_at", required(row, "effective_at")?)
            .map_err(|e| format!("{}: {}", e.field, e.message))?,
        source: row("source")?.unwrap_or("").trim().to_string(),
    })
}

fn open(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))
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
        .map_err(|e| {
            Error::invalid(
                "file",
                format!("{}: cannot read the header: {e}", path.display()),
            )
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
                "{}: the header lacks column(s) {}",
                path.display(),
                missing.join(", ")
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
                let message = format!("not a CSV row: {e}");
                let get =
                    |_: &str| -> std::result::Result<Option<&str>, String> { Err(message.clone()) };
                f(line, &get)?;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok(())
}

fn read_jsonl(path: &Path, f: &mut dyn FnMut(u64, Row<'_>) -> Result<()>) -> Result<()> {
    let mut reader = BufReader::new(open(path)?);
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
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

/// Stores a new policy version with these opt-in countries.
pub fn set_policy(store: &Store, opt_in_countries: &str) -> Result<crate::consent::Policy> {
    let mut codes = Vec::new();
    for code in opt_in_countries
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        codes.push(country::parse("opt_in_countries", code).map_err(|e| Error::Invalid(vec![e]))?);
    }
    codes.sort();
    codes.dedup();
    store.write(|tx| {
        let before = store::consent::current_policy(tx.conn())?;
        let after = store::consent::insert_policy(tx, &codes)?;
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
    let now = micros(Utc::now());
    store.read(|conn| store::consent::overview(conn, now))
}
