//! Deliveries, signing keys, withdrawal notices and exposure reports (PRODUCT.md §4):
//! the types the operations take and return.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::deal::DealId;
use crate::model::partner::PartnerId;
use crate::model::snapshot::SnapshotId;

/// A delivery's id: its SQLite rowid, a plain number in JSON and on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct DeliveryId(pub i64);

impl std::fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A withdrawal notice's id: its SQLite rowid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(transparent)]
pub struct NoticeId(pub i64);

impl std::fmt::Display for NoticeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The manifest of a delivery package.
pub const MANIFEST: &str = "manifest.json";
/// Its minisign signature (`minisign -Vm manifest.json -P KEY`).
pub const MANIFEST_MINISIG: &str = "manifest.json.minisig";
/// Its raw Ed25519 signature (`openssl pkeyutl -verify -rawin`).
pub const MANIFEST_SIG: &str = "manifest.json.sig";

/// Where the secret half of a signing key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SecretStore {
    /// The operating system's secret store (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// A file beside the store that only its owner can read (mode 0600).
    File,
}

impl SecretStore {
    /// `keyring` or `file`, as the store records it.
    pub fn token(self) -> &'static str {
        match self {
            SecretStore::Keyring => "keyring",
            SecretStore::File => "file",
        }
    }
}

/// One signing key as `key show` prints it: the public half in the forms partners'
/// tools read, and where the secret half is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SigningKey {
    /// minisign's key id (16 hex digits), also in every signature it made.
    pub key_id: String,
    /// The `RW…` line: `minisign -P` takes it.
    pub minisign: String,
    /// The public key as a PEM SubjectPublicKeyInfo: `openssl pkeyutl -pubin -inkey`.
    pub pem: String,
    /// Where the secret half is.
    pub secret_store: SecretStore,
    /// When the key was made, RFC 3339 UTC.
    pub created_at: String,
    /// When `key rotate` replaced it; `None` for the current key.
    pub retired_at: Option<String>,
}

/// The store's keys: the one that signs now, and the retired ones that still verify
/// what they signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyReport {
    /// The key new deliveries and notices are signed with.
    pub current: SigningKey,
    /// Earlier keys, newest first.
    pub retired: Vec<SigningKey>,
    /// Where the current secret is: the keyring entry or the file path.
    pub secret_location: String,
    /// Whether `key show` made the key just now (first use).
    pub created: bool,
}

/// One file of a delivery package, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PackageFile {
    /// The file's name in the package folder (no folders, no `..`).
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// What `delivery create` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryRequest {
    /// The deal; it must be signed or active.
    pub deal_id: DealId,
    /// A sealed snapshot of that deal.
    pub snapshot_id: SnapshotId,
    /// The package folder: new or empty.
    pub out: String,
    /// The platform licensing the data, as the manifest names the assigner; default:
    /// `$CONSENTRY_PLATFORM`, else "The platform".
    #[serde(default)]
    pub platform: Option<String>,
}

/// A delivered package, as the store records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Delivery {
    /// Assigned by the store.
    pub delivery_id: DeliveryId,
    /// The deal delivered under.
    pub deal_id: DealId,
    /// The snapshot delivered.
    pub snapshot_id: SnapshotId,
    /// Per deal, starting at 1; only increases. Re-delivering a snapshot is a new one.
    pub sequence: u64,
    /// The package folder, absolute.
    pub out_dir: String,
    /// SHA-256 of `manifest.json`, hex.
    pub manifest_sha256: String,
    /// The signing key's id.
    pub key_id: String,
    /// The data files the manifest lists (not the manifest and its signatures).
    pub files: Vec<PackageFile>,
    /// Records delivered.
    pub records: u64,
    /// When it was made, RFC 3339 UTC with milliseconds.
    pub created_at: String,
}

/// What `delivery verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PackageReport {
    /// The folder checked.
    pub dir: String,
    /// Whether every check passed.
    pub ok: bool,
    /// The deal and sequence the manifest claims (when it could be read).
    pub deal_id: Option<DealId>,
    /// The delivery sequence the manifest claims.
    pub sequence: Option<u64>,
    /// The key that signed it, when the signature could be read.
    pub key_id: Option<String>,
    /// Data files whose size and SHA-256 were checked.
    pub files_checked: u64,
    /// Every problem, each naming the file or check that failed.
    pub problems: Vec<String>,
}

/// One object a push stored (or found already there, the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Receipt {
    /// The destination URL pushed to.
    pub destination: String,
    /// The object's key at the destination.
    pub key: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, hex (also in the object's metadata).
    pub sha256: String,
    /// The server's ETag, if it gave one.
    pub etag: Option<String>,
    /// The server's object version, if it keeps versions.
    pub version: Option<String>,
    /// When the object was stored (or found), RFC 3339 UTC.
    pub uploaded_at: String,
}

/// What `delivery push` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PushReport {
    /// The delivery pushed.
    pub delivery_id: DeliveryId,
    /// Where to.
    pub destination: String,
    /// Objects sent by this push.
    pub uploaded: u64,
    /// Objects already there, the same (size and SHA-256): not sent again.
    pub skipped: u64,
    /// Every object of the package at the destination, in upload order.
    pub receipts: Vec<Receipt>,
}

/// A withdrawal notice as the store records it (and the audit log: its after-image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeRecord {
    /// Assigned by the store.
    pub notice_id: NoticeId,
    /// The deal whose deliveries it amends.
    pub deal_id: DealId,
    /// Per deal, starting at 1.
    pub sequence: u64,
    /// The instant eligibility was evaluated at, RFC 3339 UTC.
    pub as_of: String,
    /// When it was issued, RFC 3339 UTC.
    pub issued_at: String,
    /// The day the partner must have acted by (issue day + the deal's withdrawal days).
    pub due_date: String,
    /// A random value that makes every notice unique.
    pub nonce: String,
    /// The notice file.
    pub file: String,
    /// SHA-256 of the notice file, hex.
    pub notice_sha256: String,
    /// The signing key's id.
    pub key_id: String,
    /// Records withdrawn.
    pub record_count: u64,
    /// Users whose records they are.
    pub user_count: u64,
    /// SHA-256 of the withdrawn `delivery_id \t record_id` lines in key order, which
    /// `audit verify` recomputes from `withdrawn_records`.
    pub records_sha256: String,
    /// The day the partner acknowledged it.
    pub acknowledged_on: Option<String>,
    /// The partner's deletion attestation: a reference, or the file kept beside the store.
    pub attestation: Option<String>,
    /// SHA-256 of the attestation file, when one was given.
    pub attestation_sha256: Option<String>,
}

/// A withdrawal notice as tracked: the record and its status on today's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Notice {
    /// What the store records.
    #[serde(flatten)]
    pub record: NoticeRecord,
    /// `pending`, `overdue` (past the due date, not acknowledged) or `acknowledged`.
    pub status: String,
}

/// The records a notice withdraws from one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeDelivery {
    /// The delivery amended.
    pub delivery_id: DeliveryId,
    /// Its sequence.
    pub sequence: u64,
    /// SHA-256 of its manifest: the notice chains to it.
    pub manifest_sha256: String,
    /// Ids of the records to delete, in the delivery's order.
    pub record_ids: Vec<String>,
}

/// What `withdrawal create` returns: the notice and what it lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeReport {
    /// The notice as tracked.
    #[serde(flatten)]
    pub notice: Notice,
    /// The records per delivery.
    pub deliveries: Vec<NoticeDelivery>,
    /// Per reason (`opted_out`, `deleted`, ...), how many users.
    pub users_by_reason: std::collections::BTreeMap<String, u64>,
}

/// What `withdrawal create` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeRequest {
    /// The deal whose earlier deliveries to amend.
    pub deal_id: DealId,
    /// The instant to evaluate eligibility at, RFC 3339; default: now.
    #[serde(default)]
    pub as_of: Option<String>,
    /// The notice file to write; it must not exist.
    pub out: String,
}

/// What `withdrawal ack` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AckRequest {
    /// The notice acknowledged.
    pub notice_id: NoticeId,
    /// The day the partner acknowledged it, `YYYY-MM-DD`.
    pub date: String,
    /// The partner's deletion attestation: a file (hashed into the audit chain) …
    #[serde(default)]
    pub attestation_file: Option<String>,
    /// … or a reference (a ticket, a letter).
    #[serde(default)]
    pub reference: Option<String>,
}

/// A user whose eligibility for a deal changed since their records were delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingUser {
    /// The user.
    pub user_id: String,
    /// Why they are no longer eligible (a snapshot exclusion reason).
    pub reason: String,
    /// Their delivered records not yet withdrawn.
    pub records: u64,
}

/// One delivery that carried a user's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExposedDelivery {
    /// The delivery.
    pub delivery_id: DeliveryId,
    /// Its sequence for the deal.
    pub sequence: u64,
    /// The snapshot delivered.
    pub snapshot_id: SnapshotId,
    /// The deal.
    pub deal_id: DealId,
    /// The partner that received it.
    pub partner_id: PartnerId,
    /// The partner's name.
    pub partner_name: String,
    /// When it was made.
    pub delivered_at: String,
    /// The user's records in it.
    pub records: u64,
    /// Notices that withdrew some of them.
    pub notices: Vec<ExposedNotice>,
}

/// A notice that covered some of a user's delivered records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExposedNotice {
    /// The notice.
    pub notice_id: NoticeId,
    /// Its sequence for the deal.
    pub sequence: u64,
    /// The user's records it withdrew from this delivery.
    pub records: u64,
    /// `pending`, `overdue` or `acknowledged`.
    pub status: String,
    /// When the partner acknowledged it.
    pub acknowledged_on: Option<String>,
}

/// One snapshot that included a user's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExposedSnapshot {
    /// The snapshot.
    pub snapshot_id: SnapshotId,
    /// Its deal.
    pub deal_id: DealId,
    /// The user's records in it.
    pub records: u64,
}

/// Where one user's records went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExposureReport {
    /// The user.
    pub user_id: String,
    /// Whether the registry knows the user.
    pub registered: bool,
    /// Sealed snapshots that included their records.
    pub snapshots: Vec<ExposedSnapshot>,
    /// Deliveries that carried them, with the notices that covered them.
    pub deliveries: Vec<ExposedDelivery>,
}

/// What a push reports as it goes, as the desktop app streams it (one event of
/// `delivery::push::PushEvent`, without borrowed data). Per object: `started`, then for
/// files sent in parts `part` as parts complete, then `done`; `retrying` when an attempt
/// failed and is being sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushProgress {
    /// An object is being looked up, then sent if needed.
    Started {
        /// The object's key at the destination.
        key: String,
        /// Its size in bytes.
        bytes: u64,
    },
    /// Parts of a multipart upload are done.
    Part {
        /// The object's key at the destination.
        key: String,
        /// Bytes of completed parts so far.
        sent: u64,
        /// The object's size in bytes.
        bytes: u64,
    },
    /// An attempt failed; it is being sent again after a backoff.
    Retrying {
        /// The object's key at the destination.
        key: String,
        /// Failed attempts for this key so far.
        failures: u32,
        /// What failed.
        reason: String,
    },
    /// The object is at the destination (sent now, or `skipped`: already there, the same).
    Done {
        /// The object's key at the destination.
        key: String,
        /// Its size in bytes.
        bytes: u64,
        /// Already there with the same size and SHA-256: not sent again.
        skipped: bool,
    },
}
