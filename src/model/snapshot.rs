//! Snapshots as data: the request, the sealed record, its shards, progress, the
//! verification report, the source preview, and the digest of included users. Pure:
//! building, sealing and verifying are `crate::snapshot`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::LineError;
use crate::model::deal::DealId;

/// A line still without its end after this many bytes is rejected and skipped without
/// being held in memory (a line that ends within the same 4 MiB read may be read whole).
pub const MAX_LINE_BYTES: usize = 16 << 20;

pub const DEFAULT_SHARD_BYTES: u64 = 256 << 20;

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
    pub deal_id: DealId,
    pub source: String,
    /// `jsonl` or `csv`; default: from the file name.
    #[serde(default)]
    pub format: Option<String>,
    pub id_field: String,
    pub user_field: String,
    pub time_field: String,
    /// The cut-off instant `T`, RFC 3339.
    pub as_of: String,
    /// First day of the content window (inclusive, UTC), if any.
    #[serde(default)]
    pub window_from: Option<String>,
    /// Last day of the content window (inclusive, UTC), if any.
    #[serde(default)]
    pub window_to: Option<String>,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Shard {
    pub file: String,
    pub records: u64,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    pub snapshot_id: SnapshotId,
    pub deal_id: DealId,
    pub sealed: bool,
    pub source: String,
    pub format: String,
    pub id_field: String,
    pub user_field: String,
    pub time_field: String,
    pub as_of: String,
    pub window_from: Option<String>,
    pub window_to: Option<String>,
    pub purposes: Vec<crate::model::purpose::Purpose>,
    pub policy_version: i64,
    pub out_dir: String,
    pub records_in: u64,
    pub records_included: u64,
    /// Every exclusion reason with its count (zero included).
    pub excluded: BTreeMap<String, u64>,
    pub rejected: u64,
    /// The first rejected lines, with why.
    pub rejected_lines: Vec<LineError>,
    pub shards: Vec<Shard>,
    pub included_users: u64,
    pub included_users_sha256: String,
    pub ledger_sha256: String,
    pub records_index_sha256: String,
    pub source_bytes: u64,
    pub duration_ms: u64,
    /// Records excluded as `no_consent` only because of the policy's opt-out gate
    /// (included by the regime default otherwise).
    pub held_back_by_gate: u64,
    pub created_at: String,
    pub sealed_at: Option<String>,
}

/// The file beside the shards that lists `[author, record id]` per included record.
pub const RECORDS_INDEX: &str = "records.jsonl";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyReport {
    pub snapshot_id: SnapshotId,
    pub ok: bool,
    pub files_checked: u64,
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
    pub format: String,
    pub bytes: u64,
    /// Field names seen in the first lines (the CSV header, or the JSON keys).
    pub fields: Vec<String>,
    pub lines: Vec<PreviewLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PreviewLine {
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
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub records: u64,
    pub included: u64,
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
    pub duration_ms: u64,
    pub held_back_by_gate: u64,
}

/// The request as stored on the building row: resolved format and fields.
pub(crate) struct PlanText {
    pub source: String,
    pub format: &'static str,
    pub fields: [String; 3],
    pub as_of: String,
}
