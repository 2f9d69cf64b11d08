//! Imports as data: file formats, options, the report, and one ledger event with its
//! stable identity. Pure: reading files and writing rows is `crate::imports`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use chrono::NaiveDate;

use crate::error::LineError;
use crate::model::consent::{AccountStatus, Decision, RegistryUser};
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

    /// Every column (CSV) or key (JSON Lines) an import reads: the required ones, and
    /// a ledger's optional `source`.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Registry => &["user_id", "country", "birth_date", "status"],
            ImportKind::Ledger => &["user_id", "purpose", "decision", "effective_at", "source"],
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
        instant_text(self.effective_at)
    }

    /// The event's stable identity: 16 bytes of the SHA-256 of its normalized fields.
    pub fn identity(&self) -> [u8; 16] {
        identity(
            &self.user_id,
            self.purpose,
            self.decision,
            &self.effective_text(),
            &self.source,
            &mut Vec::new(),
        )
    }
}

/// An event's stable identity: 16 bytes of the SHA-256 of the JSON array
/// `[user_id, purpose, decision, effective_text, source]` (compact, as serde_json writes
/// it). `buffer` is scratch space, reused by callers that hash many events.
pub fn identity(
    user_id: &str,
    purpose: Purpose,
    decision: Decision,
    effective_text: &str,
    source: &str,
    buffer: &mut Vec<u8>,
) -> [u8; 16] {
    buffer.clear();
    let fields = (
        user_id,
        purpose.token(),
        decision.token(),
        effective_text,
        source,
    );
    serde_json::to_writer(&mut *buffer, &fields).expect("strings always serialize");
    let digest = Sha256::digest(buffer.as_slice());
    digest[..16].try_into().expect("16 of 32 bytes")
}

/// An event's instant as the store writes it and its identity reads it: RFC 3339 UTC
/// with microseconds.
pub fn instant_text(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let (year, micros) = (t.year(), t.nanosecond() / 1000);
    // chrono's own formatting (its general formatter, a fifteenth of a ledger import's
    // time) for what the digits below do not write: years outside 0..9999, a leap
    // second. Every event's instant is in 1970..2199 and none is a leap second.
    if !(0..=9999).contains(&year) || micros >= 1_000_000 {
        return t.to_rfc3339_opts(SecondsFormat::Micros, true);
    }
    let mut text = *b"0000-00-00T00:00:00.000000Z";
    let mut digits = |at: usize, width: usize, mut n: u32| {
        for place in (at..at + width).rev() {
            text[place] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    digits(0, 4, year as u32);
    digits(5, 2, t.month());
    digits(8, 2, t.day());
    digits(11, 2, t.hour());
    digits(14, 2, t.minute());
    digits(17, 2, t.second());
    digits(20, 6, micros);
    String::from_utf8(text.to_vec()).expect("ASCII digits")
}

/// [`instant_text`] of `micros` microseconds since the epoch.
pub fn micros_text(micros: i64) -> String {
    instant_text(DateTime::<Utc>::from_timestamp_micros(micros).expect("an instant of 1970..2199"))
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

/// The first 16 bytes of `id`, big-endian, padded with zeros: ordering these keys orders
/// the ids by their bytes (as SQLite's BINARY collation does) up to a tie, which only
/// the whole ids break. (An id holds no NUL, so the padding cannot tie a longer id.)
fn prefix_key(id: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    let n = id.len().min(16);
    bytes[..n].copy_from_slice(&id[..n]);
    u128::from_be_bytes(bytes)
}

/// A registry file's good rows, parsed and checked, held compactly between reading the
/// file and writing the store: the user ids in one text, 48 bytes of fixed fields a row
/// (about 63 bytes a row with a 15-byte id; 5 million rows in some 315 MB). Sorted by
/// user id ([`UserRows::sort`]) so that an import merges them with the stored registry
/// in one pass, in the store's key order.
#[derive(Debug, Default)]
pub struct UserRows {
    ids: String,
    rows: Vec<UserSlot>,
}

#[derive(Debug, Clone, Copy)]
struct UserSlot {
    key: u128,
    /// Where the id starts in `ids`.
    start: usize,
    /// The row's place in the file.
    order: usize,
    len: u32,
    country: [u8; 2],
    birth_date: Option<NaiveDate>,
    status: AccountStatus,
}

/// One row of [`UserRows`], its text lent from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserRef<'a> {
    /// The user id, trimmed.
    pub user_id: &'a str,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: &'a str,
    /// The birth date, if the row has one.
    pub birth_date: Option<NaiveDate>,
    /// The account status.
    pub status: AccountStatus,
    /// The row's place in the file (0 for its first good row; not a line number).
    pub order: usize,
}

impl UserRef<'_> {
    /// The row as an owned [`RegistryUser`] (what a change's images record).
    pub fn to_user(&self) -> RegistryUser {
        RegistryUser {
            user_id: self.user_id.to_string(),
            country: self.country.to_string(),
            birth_date: self.birth_date,
            status: self.status,
        }
    }
}

impl UserRows {
    /// Adds a checked row; `country` is two upper-case ASCII letters.
    pub fn push(
        &mut self,
        user_id: &str,
        country: &str,
        birth_date: Option<NaiveDate>,
        status: AccountStatus,
    ) {
        let c = country.as_bytes();
        assert!(c.len() == 2, "a checked country code");
        let start = self.ids.len();
        self.ids.push_str(user_id);
        self.rows.push(UserSlot {
            key: prefix_key(user_id.as_bytes()),
            start,
            order: self.rows.len(),
            len: u32::try_from(user_id.len()).expect("an id shorter than a line"),
            country: [c[0], c[1]],
            birth_date,
            status,
        });
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Orders the rows by user id (bytes), rows of the same id in file order; then lays
    /// the ids out in that order too, so that reading the rows in order reads the ids
    /// in order (a pass over 5 million ids scattered over 75 MB misses the CPU's caches
    /// at every row).
    pub fn sort(&mut self) {
        let ids = self.ids.as_bytes();
        self.rows.sort_unstable_by(|a, b| {
            a.key
                .cmp(&b.key)
                .then_with(|| {
                    ids[a.start..a.start + a.len as usize]
                        .cmp(&ids[b.start..b.start + b.len as usize])
                })
                .then(a.order.cmp(&b.order))
        });
        let mut sorted = String::with_capacity(self.ids.len());
        for slot in &mut self.rows {
            let start = sorted.len();
            sorted.push_str(&self.ids[slot.start..slot.start + slot.len as usize]);
            slot.start = start;
        }
        self.ids = sorted;
    }

    /// The row at `i` (in the current order).
    pub fn get(&self, i: usize) -> UserRef<'_> {
        let slot = &self.rows[i];
        UserRef {
            user_id: &self.ids[slot.start..slot.start + slot.len as usize],
            country: std::str::from_utf8(&slot.country).expect("ASCII letters"),
            birth_date: slot.birth_date,
            status: slot.status,
            order: slot.order,
        }
    }
}

/// A ledger file's good events, parsed, checked and given their identities, held
/// compactly between reading the file and writing the store: user ids and sources in
/// one text, 56 bytes of fixed fields an event (about 85 bytes an event with a 15-byte
/// id and a short source; 5 million events in some 425 MB), in file order.
#[derive(Debug, Default)]
pub struct EventRows {
    text: String,
    rows: Vec<EventSlot>,
}

#[derive(Debug, Clone, Copy)]
struct EventSlot {
    identity: [u8; 16],
    effective_us: i64,
    user_start: usize,
    source_start: usize,
    user_len: u32,
    source_len: u32,
    purpose: Purpose,
    decision: Decision,
}

/// One event of [`EventRows`], its text lent from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// The event's identity (see [`identity`]).
    pub identity: &'a [u8; 16],
    /// The user id, trimmed.
    pub user_id: &'a str,
    /// The purpose decided on.
    pub purpose: Purpose,
    /// Allow or deny.
    pub decision: Decision,
    /// When it takes effect, microseconds since the epoch (see [`micros_text`]).
    pub effective_us: i64,
    /// Where it was decided, trimmed; may be empty.
    pub source: &'a str,
}

impl EventRows {
    /// Adds a checked event (the fields of an [`Event`]), computing its identity
    /// (`buffer`: scratch space).
    pub fn push(
        &mut self,
        user_id: &str,
        purpose: Purpose,
        decision: Decision,
        effective_at: DateTime<Utc>,
        source: &str,
        buffer: &mut Vec<u8>,
    ) {
        let text = instant_text(effective_at);
        let identity = identity(user_id, purpose, decision, &text, source, buffer);
        let user_start = self.text.len();
        self.text.push_str(user_id);
        let source_start = self.text.len();
        self.text.push_str(source);
        let len = |s: &str| u32::try_from(s.len()).expect("a field shorter than a line");
        self.rows.push(EventSlot {
            identity,
            effective_us: micros(effective_at),
            user_start,
            source_start,
            user_len: len(user_id),
            source_len: len(source),
            purpose,
            decision,
        });
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The event at `i`, in file order.
    pub fn get(&self, i: usize) -> EventRef<'_> {
        let slot = &self.rows[i];
        EventRef {
            identity: &slot.identity,
            user_id: &self.text[slot.user_start..slot.user_start + slot.user_len as usize],
            purpose: slot.purpose,
            decision: slot.decision,
            effective_us: slot.effective_us,
            source: &self.text[slot.source_start..slot.source_start + slot.source_len as usize],
        }
    }

    /// The events' identities with their places in the file, ordered by identity (then
    /// file order): what an import merges with the stored identities, and where
    /// duplicates sit side by side. Each identity is copied beside its place, so that
    /// the pass in identity order reads one array in order (20 bytes an event) instead
    /// of each event's slot at a place of its own (a cache miss an event: a sixth of
    /// an unchanged ledger import's time, bench/README.md 2026-12-01, later).
    pub fn by_identity(&self) -> Vec<IdentityAt> {
        let mut order: Vec<IdentityAt> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, e)| IdentityAt {
                identity: e.identity,
                at: u32::try_from(i).expect("fewer than 4 billion events"),
            })
            .collect();
        order.sort_unstable_by_key(|e| (u128::from_be_bytes(e.identity), e.at));
        order
    }
}

/// An event's identity and its place in the file (see [`EventRows::by_identity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityAt {
    /// The event's identity.
    pub identity: [u8; 16],
    /// Its place among the file's events (an index of [`EventRows::get`]).
    pub at: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_is_the_hash_of_the_events_json_array() {
        let event = Event {
            user_id: "al\"ice\\ ü".into(),
            purpose: Purpose::GenaiTraining,
            decision: Decision::Deny,
            effective_at: "2026-01-01T01:00:00.1234567+01:00".parse().unwrap(),
            source: "app/settings".into(),
        };
        let text = serde_json::json!([
            event.user_id,
            event.purpose.token(),
            event.decision.token(),
            event.effective_text(),
            event.source
        ])
        .to_string();
        let digest = Sha256::digest(text.as_bytes());
        assert_eq!(event.identity()[..], digest[..16]);
        assert_eq!(
            micros_text(micros(event.effective_at)),
            event.effective_text()
        );
    }

    proptest::proptest! {
        /// The instant's text written by hand is chrono's RFC 3339 with microseconds.
        #[test]
        fn the_instant_text_is_chronos(micros in -62_135_596_800_000_000i64..253_402_300_800_000_000) {
            let t = DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
            proptest::prop_assert_eq!(
                instant_text(t),
                t.to_rfc3339_opts(SecondsFormat::Micros, true)
            );
        }
    }

    #[test]
    fn instants_chrono_writes_itself_stay_its_own() {
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_micro_opt(23, 59, 59, 1_500_000)
            .unwrap()
            .and_utc();
        let far = DateTime::<Utc>::from_timestamp(253_402_300_800, 0).unwrap();
        for t in [leap, far, DateTime::<Utc>::MIN_UTC] {
            assert_eq!(
                instant_text(t),
                t.to_rfc3339_opts(SecondsFormat::Micros, true)
            );
        }
        assert_eq!(instant_text(leap), "2016-12-31T23:59:60.500000Z");
    }

    #[test]
    fn users_sort_by_their_ids_bytes_and_keep_the_file_order_of_an_id() {
        let ids = [
            "zed",
            "a-very-long-user-id-2",
            "b",
            "a-very-long-user-id-10",
            "b",
            "é",
            "a-very-long-user-id-1",
            "A",
        ];
        let mut rows = UserRows::default();
        for (i, id) in ids.iter().enumerate() {
            let status = if i == 4 {
                AccountStatus::Deleted
            } else {
                AccountStatus::Active
            };
            rows.push(id, "US", None, status);
        }
        rows.sort();
        let got: Vec<(&str, usize)> = (0..rows.len())
            .map(|i| (rows.get(i).user_id, rows.get(i).order))
            .collect();
        let mut want: Vec<(&str, usize)> = ids.iter().copied().zip(0..).collect();
        want.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
        assert_eq!(got, want);
        let b: Vec<AccountStatus> = (0..rows.len())
            .map(|i| rows.get(i))
            .filter(|u| u.user_id == "b")
            .map(|u| u.status)
            .collect();
        assert_eq!(b, [AccountStatus::Active, AccountStatus::Deleted]);
    }
}
