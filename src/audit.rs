//! The audit log: who changed what, when, with the entity before and after.
//!
//! Every mutation appends one entry in the same transaction as the change itself.
//! Entries form a hash chain: each carries the SHA-256 of its own content and of the
//! entry before it, and the newest entry is also recorded in a one-row head table. An
//! edited, removed or reordered entry, or the removal of the newest ones, breaks the
//! chain and [`verify`] reports where. Someone able to rewrite the whole file can
//! recompute the chain; `verify` prints the head hash so that it can be kept
//! elsewhere (in a ticket, an e-mail) and compared later.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::store::{self, Store};

/// What a mutation did. The token is what the log stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PartnerCreated,
    PartnerUpdated,
    DealCreated,
    DealUpdated,
    DealTransitioned,
    DealRenewed,
    RegistryImported,
    LedgerImported,
    PolicyChanged,
    SnapshotSealed,
}

impl Action {
    pub fn token(self) -> &'static str {
        match self {
            Action::PartnerCreated => "partner.created",
            Action::PartnerUpdated => "partner.updated",
            Action::DealCreated => "deal.created",
            Action::DealUpdated => "deal.updated",
            Action::DealTransitioned => "deal.transitioned",
            Action::DealRenewed => "deal.renewed",
            Action::RegistryImported => "registry.imported",
            Action::LedgerImported => "ledger.imported",
            Action::PolicyChanged => "policy.changed",
            Action::SnapshotSealed => "snapshot.sealed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    /// Position in the chain, from 1 with no gaps.
    pub seq: i64,
    /// RFC 3339 UTC instant of the transaction.
    pub at: String,
    pub actor: String,
    /// e.g. `deal.transitioned`.
    pub action: String,
    /// `partner` or `deal`.
    pub entity: String,
    pub entity_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditFilter {
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub entity_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditProblem {
    /// The entry at fault, when one can be named.
    pub seq: Option<i64>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditReport {
    pub ok: bool,
    pub entries: i64,
    /// The hash of the newest entry: keep it elsewhere to detect a rewritten chain.
    pub head_hash: Option<String>,
    pub problems: Vec<AuditProblem>,
}

/// The hash of the entry before the first.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The SHA-256, hex, of one entry's content and its predecessor's hash. The fields are
/// hashed as a JSON array, which is unambiguous whatever the fields contain.
#[allow(clippy::too_many_arguments)]
pub(crate) fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: i64,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let content =
        serde_json::json!([seq, at, actor, action, entity, entity_id, before, after, prev_hash]);
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// Entries, oldest first.
pub fn list(store: &Store, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    store.read(|conn| store::audit::list(conn, filter))
}

/// Walks the whole chain and reports every break.
pub fn verify(store: &Store) -> Result<AuditReport> {
    store.read(store::audit::verify)
}
