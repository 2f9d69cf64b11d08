//! Imports as data: file formats, options, the report, and one ledger event with its
//! stable identity. Pure: reading files and writing rows is `crate::imports`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::LineError;
use crate::model::consent::Decision;
pub use crate::model::file_format::FileFormat;
use crate::model::purpose::Purpose;

/// How many bad lines a report or an error lists; the rest are counted.
pub const MAX_LISTED_LINES: usize = 100;

/// How many non-empty lines of a JSON Lines file are looked at before a required key
/// that none of them has refuses the file as not a registry or ledger at all. A CSV
/// file says it in its header, at once; JSON Lines has no header, and a registry row
/// may leave out a key it has no value for (a null birth date), so one line is not
/// enough. 100 lines are read in well under a millisecond, and a real registry or
/// ledger whose first 100 rows all lack a required key would have 100 bad lines anyway.
pub const SNIFF_LINES: u64 = 100;

/// Which file an import reads: the user registry or the consent ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Users: `user_id`, `country`, `birth_date`, `status`.
    Registry,
    /// Consent events: `user_id`, `purpose`, `decision`, `effective_at` (and `source`).
    Ledger,
}

impl ImportKind {
    /// `registry` or `ledger`: the kind stored with the import and said in messages.
    pub fn token(self) -> &'static str {
        match self {
            ImportKind::Registry => "registry",
            ImportKind::Ledger => "ledger",
        }
    }

    /// The columns (CSV) or keys (JSON Lines) every row must have. A ledger's `source`
    /// is optional.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Registry => &["user_id", "country", "birth_date", "status"],
            ImportKind::Ledger => &["user_id", "purpose", "decision", "effective_at"],
        }
    }
}

/// Where an import is: its phases follow one another in this order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    /// The file is being read; each row is parsed and checked as it is read.
    #[default]
    Reading,
    /// The whole file is read and checked; the import waits for the store's write lock
    /// (another import or a build may hold it).
    Checking,
    /// The rows are being written, in the import's one transaction.
    Writing,
}

/// How far an import has come, reported a few times a second (and once per phase).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    /// What the import is doing.
    pub phase: ImportPhase,
    /// Bytes of the file read so far; equal to `bytes_total` once it is all read.
    pub bytes_read: u64,
    /// The file's size in bytes when the import opened it; 0 when it has none (a pipe).
    pub bytes_total: u64,
    /// Data rows read so far (header excluded), good and bad.
    pub rows_read: u64,
    /// Of those, the bad ones.
    pub bad_rows: u64,
    /// Rows written so far, while `writing`; the good rows (`rows_read - bad_rows`) in
    /// all.
    pub rows_written: u64,
}

/// How to read an import file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportOptions {
    /// Import the good rows of a file that has bad ones, and report the bad ones.
    #[serde(default)]
    pub skip_invalid: bool,
    /// Override the format that the extension implies.
    #[serde(default)]
    pub format: Option<FileFormat>,
}

/// What an import did, returned to the caller and recorded in its audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// The import's id: the entity id of its audit entry.
    pub import_id: i64,
    /// The imported file's path, as given.
    pub file: String,
    /// Data rows read (header excluded), good and bad.
    pub rows_read: u64,
    /// New users or new events.
    pub added: u64,
    /// Registry rows that changed a known user.
    pub changed: u64,
    /// Rows already known exactly as they are.
    pub unchanged: u64,
    /// Bad rows left out under `skip_invalid`; 0 otherwise (a bad row refuses the file).
    pub skipped: u64,
    /// The first skipped lines, with why.
    pub skipped_lines: Vec<LineError>,
    /// Wall-clock time of the import, in milliseconds, reading and writing.
    pub duration_ms: u64,
    /// `rows_read` per second of `duration_ms`, rounded down.
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
    /// The 2 KiB hex sketch of the same `user_changes` rows (see `content_sketch`); `None`
    /// where `changes_sha256` is.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub changes_sketch: Option<String>,
}

/// One ledger event, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The user the event is about, trimmed; never empty, no control characters.
    pub user_id: String,
    /// The purpose decided on.
    pub purpose: Purpose,
    /// Whether the user allowed or denied it.
    pub decision: Decision,
    /// When the decision takes effect, UTC (years 1970 to 2199).
    pub effective_at: DateTime<Utc>,
    /// Where the decision was made, as the ledger file names it, trimmed; empty if it
    /// names none.
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

/// One past import, as the consent overview lists it (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportSummary {
    /// The import's id: the entity id of its audit entry.
    pub id: i64,
    /// `registry` or `ledger`.
    pub kind: String,
    /// The imported file's path, as given.
    pub file: String,
    /// Data rows read, good and bad.
    pub rows_read: u64,
    /// New users or new events.
    pub added: u64,
    /// Registry rows that changed a known user; 0 for a ledger import.
    pub changed: u64,
    /// Bad rows left out under `skip_invalid`.
    pub skipped: u64,
    /// When the import ran (its transaction), RFC 3339 UTC with milliseconds.
    pub at: String,
    /// Who ran it, as the audit log names them.
    pub actor: String,
}
