//! Snapshots as data: the request, the sealed record, its shards, progress, the
//! verification report, the source preview, and the digest of included users. Pure:
//! building, sealing and verifying are `crate::snapshot`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::LineError;
use crate::model::deal::DealId;
use crate::model::file_format::Compression;

/// A line still without its end after this many bytes is rejected and skipped without
/// being held in memory (a line that ends within the same 4 MiB read may be read whole).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// How large a shard may grow when the request names no size: 256 MiB.
pub const DEFAULT_SHARD_BYTES: u64 = 256 << 20;

/// A snapshot's id: its SQLite rowid, a plain number in JSON and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct SnapshotId(pub i64);

impl std::fmt::Display for SnapshotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What to build. Text fields are parsed and checked by `build`, naming the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BuildRequest {
    /// The deal to build for; it must be signed or active.
    pub deal_id: DealId,
    /// Path of the source file: one record per line, JSONL or CSV with a header; plain,
    /// or gzip- or zstd-compressed (told by its first bytes).
    pub source: String,
    /// `jsonl` or `csv`; default: from the file name (under any `.gz` or `.zst`).
    #[serde(default)]
    pub format: Option<String>,
    /// The source field holding each record's id; a repeated id is excluded as `duplicate_id`.
    pub id_field: String,
    /// The source field holding each record's author: a user id of the registry.
    pub user_field: String,
    /// The source field holding each record's creation time: epoch seconds or RFC 3339.
    pub time_field: String,
    /// The cut-off instant `T`, RFC 3339.
    pub as_of: String,
    /// First day of the content window (inclusive, UTC), if any.
    #[serde(default)]
    pub window_from: Option<String>,
    /// Last day of the content window (inclusive, UTC), if any.
    #[serde(default)]
    pub window_to: Option<String>,
    /// The size a shard may reach, in bytes: at least 1024, default 256 MiB. A record
    /// larger than that has a shard of its own.
    #[serde(default)]
    pub shard_bytes: Option<u64>,
    /// The folder to create for the snapshot: new or empty. Default:
    /// `<store file>.snapshots/deal-<id>/snapshot-<id>-<time>` beside the store.
    #[serde(default)]
    pub out: Option<String>,
    /// Fail without sealing when more than this percentage of lines are rejected.
    #[serde(default)]
    pub max_rejected_pct: Option<f64>,
}

impl BuildRequest {
    /// A request with the Pushshift field names (`id`, `author`, `created_utc`).
    pub fn new(deal_id: DealId, source: &str, as_of: &str) -> BuildRequest {
        BuildRequest {
            deal_id,
            source: source.to_string(),
            format: None,
            id_field: "id".into(),
            user_field: "author".into(),
            time_field: "created_utc".into(),
            as_of: as_of.to_string(),
            window_from: None,
            window_to: None,
            shard_bytes: None,
            out: None,
            max_rejected_pct: None,
        }
    }
}

/// One file of included records, as sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Shard {
    /// The file's name in the snapshot folder, e.g. `part-00000.jsonl`.
    pub file: String,
    /// How many records it holds (a CSV shard's header line is not one).
    pub records: u64,
    /// Its size in bytes (a CSV shard's header line included).
    pub bytes: u64,
    /// Hex SHA-256 of its content.
    pub sha256: String,
}

/// A snapshot of one deal: the request it was built from and, once sealed, what it
/// holds and the digests that prove it. Sealed, it never changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    /// Assigned when the build starts; what `snapshot show` and `snapshot verify` take.
    pub snapshot_id: SnapshotId,
    /// The deal the snapshot is for.
    pub deal_id: DealId,
    /// Whether the build finished and sealed the row; `false` while it builds (or after a
    /// crash, until the leftovers are cleaned).
    pub sealed: bool,
    /// The source file's absolute path, as read (symbolic links resolved).
    pub source: String,
    /// The source's format: `jsonl` or `csv`.
    pub format: String,
    /// The source field holding each record's id.
    pub id_field: String,
    /// The source field holding each record's author.
    pub user_field: String,
    /// The source field holding each record's creation time.
    pub time_field: String,
    /// The cut-off instant `T`, RFC 3339 UTC with microseconds.
    pub as_of: String,
    /// First day of the content window, `YYYY-MM-DD`, from 00:00 UTC; `None`: no lower
    /// bound.
    pub window_from: Option<String>,
    /// Last day of the content window, `YYYY-MM-DD`, inclusive to the end of that day UTC;
    /// `None`: no upper bound.
    pub window_to: Option<String>,
    /// The deal's permitted purposes when the build started: every included author
    /// consented to all of them.
    pub purposes: Vec<crate::model::purpose::Purpose>,
    /// The version of the consent policy the build applied.
    pub policy_version: i64,
    /// The snapshot's folder, absolute: the shards and `records.jsonl`.
    pub out_dir: String,
    /// Records read from the source, rejected lines included (blank lines are not records).
    pub records_in: u64,
    /// Records written to the shards.
    pub records_included: u64,
    /// Every exclusion reason with its count (zero included).
    pub excluded: BTreeMap<String, u64>,
    /// Lines rejected as malformed: `excluded["rejected"]`.
    pub rejected: u64,
    /// The first rejected lines, with why.
    pub rejected_lines: Vec<LineError>,
    /// The shard files, in source order.
    pub shards: Vec<Shard>,
    /// How many distinct authors have at least one included record.
    pub included_users: u64,
    /// Hex SHA-256 of the included authors' ids, sorted, each followed by `\n`; empty
    /// until sealed.
    pub included_users_sha256: String,
    /// Hex SHA-256 of the identities of the ledger events effective at `T` that the build
    /// considered, in user id then identity order; empty until sealed.
    pub ledger_sha256: String,
    /// Hex SHA-256 of `records.jsonl` (see [`RECORDS_INDEX`]); empty until sealed.
    pub records_index_sha256: String,
    /// Size of the source's text in bytes, as the build read it: decompressed, when the
    /// source is compressed.
    pub source_bytes: u64,
    /// How the source file was compressed (`none`, `gzip`, `zstd`), from its first bytes.
    pub source_compression: Compression,
    /// The compressed source file's size in bytes, as the build read it; `None` for an
    /// uncompressed source (whose size is `source_bytes`).
    pub source_compressed_bytes: Option<u64>,
    /// How long the build took, from the request to the seal, in milliseconds.
    pub duration_ms: u64,
    /// Records excluded as `no_consent` only because of the policy's opt-out gate
    /// (included by the regime default otherwise).
    pub held_back_by_gate: u64,
    /// When the build started, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// When the snapshot was sealed, RFC 3339 UTC with milliseconds; `None` until then.
    pub sealed_at: Option<String>,
}

/// How long each step of one build took, in milliseconds, measured as it ran: what
/// `consentry snapshot build` prints beside the snapshot and `bench/run.sh` sets against
/// the machine's limits. Not stored: a sealed snapshot keeps its `duration_ms`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildPhases {
    /// Checking the request and the deal, and every registry user's verdict from the
    /// store (the consent fold).
    pub consent_ms: u64,
    /// Reading, parsing and classifying the source, writing and hashing the shards and
    /// the records index, and committing them.
    pub stream_ms: u64,
    /// Of `stream_ms`: committing the output files (flush, fsync, rename, the folder's
    /// fsync), which waits for the disk.
    pub commit_ms: u64,
    /// Claiming the snapshot's row and folders, and publishing the staging folder.
    pub publish_ms: u64,
    /// The seal: the included users and the sealed row, in one transaction.
    pub seal_ms: u64,
}

/// The file beside the shards that lists `[author, record id]` per included record.
pub const RECORDS_INDEX: &str = "records.jsonl";

/// What `snapshot verify` found: the sealed snapshot's files and user list checked
/// against its sealed row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyReport {
    /// The snapshot checked.
    pub snapshot_id: SnapshotId,
    /// True when every file matches the sealed row, nothing else is in the folder and the
    /// stored user list matches its digest.
    pub ok: bool,
    /// Files re-hashed: every shard and `records.jsonl`.
    pub files_checked: u64,
    /// Each difference found, one sentence naming the file or the count; empty when `ok`.
    pub problems: Vec<String>,
}

/// The digest of a set of included users: SHA-256 of their ids in sorted order, each
/// followed by '\n'.
pub(crate) fn users_digest<'a>(sorted_ids: impl Iterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for id in sorted_ids {
        hasher.update(id.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// The first lines of a source file and the fields they have, for the snapshot wizard's
/// field mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SourcePreview {
    /// `jsonl` or `csv`: as given, or from the file name.
    pub format: String,
    /// How the file is compressed, from its first bytes.
    pub compression: Compression,
    /// Size of the whole file in bytes, as given (compressed, when it is).
    pub bytes: u64,
    /// Field names seen in the first lines (the CSV header, or the JSON keys).
    pub fields: Vec<String>,
    /// The first lines of the file, each with its values or why it does not parse.
    pub lines: Vec<PreviewLine>,
}

/// One line of a source preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PreviewLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// Each field's value as text (strings as they are, other values as JSON), cut to
    /// 200 characters; empty when the line does not parse.
    pub values: BTreeMap<String, String>,
    /// Why the line does not parse, if it does not.
    pub error: Option<String>,
}

/// How far a build has come, reported a few times a second.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Progress {
    /// Bytes of the source file read so far: of the file as given, so compressed bytes
    /// for a compressed source (its text is larger; the time left is in proportion).
    pub bytes_read: u64,
    /// Size of the source file in bytes, as given (compressed, when it is).
    pub bytes_total: u64,
    /// Records read so far, rejected lines included.
    pub records: u64,
    /// Records written to the shards so far.
    pub included: u64,
    /// Milliseconds since the build started.
    pub elapsed_ms: u64,
}

/// What the seal writes.
#[derive(Clone)]
pub(crate) struct Sealed {
    pub records_in: u64,
    pub records_included: u64,
    pub excluded: BTreeMap<String, u64>,
    pub rejected_lines: Vec<LineError>,
    pub shards: Vec<Shard>,
    pub included_users: u64,
    pub included_users_sha256: String,
    pub ledger_sha256: String,
    pub records_index_sha256: String,
    pub source_bytes: u64,
    pub source_compressed_bytes: Option<u64>,
    pub duration_ms: u64,
    pub held_back_by_gate: u64,
}

/// The request as stored on the building row: resolved format and fields.
pub(crate) struct PlanText {
    pub source: String,
    pub format: &'static str,
    pub compression: Compression,
    pub fields: [String; 3],
    pub as_of: String,
}
