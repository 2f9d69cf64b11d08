//! The audit log as data: actions, entries, reports, the head, and the hash that
//! chains entries (`entry_hash`). Pure: reading and verifying the log is `crate::audit`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::FieldError;

/// What a mutation did. The token is what the log stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `partner.created`: a partner was added (entity `partner`; `after` is the partner).
    PartnerCreated,
    /// `partner.updated`: a partner's fields changed (`before` and `after`).
    PartnerUpdated,
    /// `deal.created`: a deal was created as a draft (entity `deal`; `after` is the deal).
    DealCreated,
    /// `deal.updated`: a draft or negotiating deal's terms changed (`before` and `after`).
    DealUpdated,
    /// `deal.transitioned`: a deal moved along its lifecycle (`before` and `after`).
    DealTransitioned,
    /// `deal.renewed`: a renewal was created (entity: the new deal, linked to the old one).
    DealRenewed,
    /// `registry.imported`: a user registry file was imported (entity `import`; `after` is
    /// its report, with the digests of what it wrote).
    RegistryImported,
    /// `ledger.imported`: a consent ledger file was imported (entity `import`; `after` is
    /// its report, with the digest of the events it added).
    LedgerImported,
    /// `policy.changed`: a new consent policy version (entity `policy`, id the version).
    PolicyChanged,
    /// `snapshot.sealed`: a snapshot was built and sealed (entity `snapshot`; `after` is the
    /// sealed snapshot).
    SnapshotSealed,
    /// `key.created`: the store's first signing key was made (entity `signing_key`;
    /// `after` is its public half and where its secret is).
    KeyCreated,
    /// `key.rotated`: a new signing key replaced the current one.
    KeyRotated,
    /// `key.retired`: a signing key was replaced (`before` and `after`).
    KeyRetired,
    /// `delivery.created`: a signed package was made (entity `delivery`; `after` is it).
    DeliveryCreated,
    /// `delivery.pushed`: an object of a package was stored at a destination (entity
    /// `delivery`; `after` is the receipt).
    DeliveryPushed,
    /// `withdrawal.issued`: a withdrawal notice was signed (entity `withdrawal_notice`).
    WithdrawalIssued,
    /// `withdrawal.acknowledged`: the partner acknowledged a notice (`before`, `after`).
    WithdrawalAcknowledged,
    /// `fees.set`: a deal's fee schedule was set or replaced (entity `fee_schedule`, id
    /// the deal's), or copied to a renewal.
    FeesSet,
    /// `invoice.issued`: an invoice was generated (entity `invoice`).
    InvoiceIssued,
    /// `invoice.voided`: an invoice with no payment was cancelled (`before`, `after`).
    InvoiceVoided,
    /// `credit.issued`: a credit note corrected an invoice (entity `credit_note`).
    CreditIssued,
    /// `payment.recorded`: a payment was received (entity `payment`).
    PaymentRecorded,
    /// `fx.set`: a rate of the FX table was set or replaced (entity `fx_rate`).
    FxRateSet,
    /// `store.backed_up`: a backup of the whole store was written (entity `store`, id 0;
    /// `after` is the backup: file, size, SHA-256 and the audit head it holds). Appended
    /// after the copy, so the backup itself ends at the entry before it.
    StoreBackedUp,
    /// `store.restored`: the store was replaced by a verified backup (entity `store`, id
    /// 0; `after` says from which file and head, and where the replaced store was kept).
    /// The first entry of the restored store after the backup's own.
    StoreRestored,
}

impl Action {
    /// The action's token as the log stores it, e.g. `deal.transitioned`.
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
            Action::KeyCreated => "key.created",
            Action::KeyRotated => "key.rotated",
            Action::KeyRetired => "key.retired",
            Action::DeliveryCreated => "delivery.created",
            Action::DeliveryPushed => "delivery.pushed",
            Action::WithdrawalIssued => "withdrawal.issued",
            Action::WithdrawalAcknowledged => "withdrawal.acknowledged",
            Action::FeesSet => "fees.set",
            Action::InvoiceIssued => "invoice.issued",
            Action::InvoiceVoided => "invoice.voided",
            Action::CreditIssued => "credit.issued",
            Action::PaymentRecorded => "payment.recorded",
            Action::FxRateSet => "fx.set",
            Action::StoreBackedUp => "store.backed_up",
            Action::StoreRestored => "store.restored",
        }
    }
}

/// One entry of the hash-chained audit log: who changed what, when, and the entity
/// before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    /// Position in the chain, from 1 with no gaps.
    pub seq: i64,
    /// RFC 3339 UTC instant of the transaction.
    pub at: String,
    /// Who made the change: `--actor`, else `$CONSENTRY_ACTOR`, else the OS login name;
    /// not authenticated.
    pub actor: String,
    /// e.g. `deal.transitioned`.
    pub action: String,
    /// What the entry is about: `partner`, `deal`, `import`, `policy` or `snapshot`.
    pub entity: String,
    /// The id of that entity: a partner, deal, import or snapshot id, or a policy version.
    pub entity_id: i64,
    /// The entity as it was before, as JSON; `None` when the entry created it (a new
    /// partner, deal or renewal, an import, a seal).
    pub before: Option<serde_json::Value>,
    /// The entity as it is after, as JSON (for an import, its report).
    pub after: Option<serde_json::Value>,
    /// The `hash` of the entry before this one; 64 zeros ([`GENESIS`]) for the first.
    pub prev_hash: String,
    /// SHA-256, hex, of this entry's content and `prev_hash`.
    pub hash: String,
}

/// Which entries [`crate::audit::list`] returns; an absent criterion matches every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditFilter {
    /// Only entries about this kind of entity: `partner`, `deal`, `import`, `policy` or
    /// `snapshot`.
    #[serde(default)]
    pub entity: Option<String>,
    /// Only entries about the entity with this id (a policy's is its version).
    #[serde(default)]
    pub entity_id: Option<i64>,
    /// Only entries about this deal and what belongs to it: the deal, its fee schedule,
    /// snapshots, deliveries and their push receipts, withdrawal notices, invoices, and
    /// the invoices' payments and credit notes (a deal's History).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub deal_id: Option<i64>,
}

/// One thing `audit verify` found wrong: a break in the chain, or data that no longer
/// matches what the chain recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditProblem {
    /// The entry at fault, or the entry that vouches for the data at fault, when one
    /// can be named.
    pub seq: Option<i64>,
    /// The table where the difference is: `audit_log` for the chain itself, else the
    /// data table (`deals`, `consent_events`, `users`, ...).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub table: Option<String>,
    /// The row in that table (its id, or the user id), when one can be named.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub row: Option<String>,
    /// A sentence for people that names the table and row too.
    pub message: String,
}

impl AuditProblem {
    /// A problem with the chain itself, at entry `seq`.
    pub(crate) fn entry(seq: i64, message: String) -> AuditProblem {
        AuditProblem::data(Some(seq), "audit_log", Some(seq.to_string()), message)
    }

    /// A difference in `table` (and `row`, when known), vouched for by entry `seq`.
    pub(crate) fn data(
        seq: Option<i64>,
        table: &str,
        row: Option<String>,
        message: String,
    ) -> AuditProblem {
        AuditProblem {
            seq,
            table: Some(table.to_string()),
            row,
            message,
        }
    }
}

/// What `audit verify` found: the chain checked end to end, then the data it vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditReport {
    /// True when the chain is whole and every table it vouches for matches it.
    pub ok: bool,
    /// How many entries the log holds.
    pub entries: i64,
    /// The hash of the newest entry: keep it elsewhere to detect a rewritten chain.
    pub head_hash: Option<String>,
    /// The seq of the newest entry; with `head_hash`, what `--expect-head` takes.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub head_seq: Option<i64>,
    /// Chain problems first, then differences in the data.
    pub problems: Vec<AuditProblem>,
}

/// The newest entry's position and hash. Kept somewhere the store's owner cannot
/// rewrite, it proves later that the chain up to it was not recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditHead {
    /// The entry's position in the chain; 0 (with [`GENESIS`]) stands for an empty log.
    pub seq: i64,
    /// The entry's hash: 64 lower-case hex digits.
    pub hash: String,
}

impl AuditHead {
    /// Parses `SEQ:HASH`, as `consentry audit head` prints it (`seq N hash H` is also
    /// accepted). `field` names the input in the error.
    pub fn parse(field: &str, text: &str) -> std::result::Result<AuditHead, FieldError> {
        let bad = |why: &str| {
            FieldError::new(
                field,
                format!("'{text}' is not a head: {why} (expected SEQ:HASH, e.g. 12:3f9a...)"),
            )
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        let (seq, hash) = match words.as_slice() {
            ["seq", seq, "hash", hash] => (*seq, *hash),
            _ => text.trim().split_once(':').ok_or_else(|| bad("no ':'"))?,
        };
        let seq: i64 = seq
            .trim()
            .parse()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| bad("SEQ must be a whole number, 0 or more"))?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("HASH must be 64 hex digits"));
        }
        Ok(AuditHead { seq, hash })
    }
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

/// Whether entry `expected.seq`, whose stored hash is `found`, is the head kept
/// elsewhere.
pub(crate) fn head_problem(
    expected: &AuditHead,
    found: Option<&str>,
    entries: i64,
) -> Option<AuditProblem> {
    let AuditHead { seq, hash } = expected;
    let message = match found {
        _ if *seq == 0 && hash == GENESIS => return None,
        _ if *seq == 0 => format!("the expected head 0:{hash} is not the start of any chain"),
        None => format!(
            "entry {seq} of the expected head does not exist (the log has {entries} entries): \
             the log was truncated or replaced"
        ),
        Some(found) if found == hash => return None,
        Some(found) => format!(
            "entry {seq} has hash {found}, not {hash} as the expected head says: the chain up \
             to entry {seq} was rewritten"
        ),
    };
    Some(AuditProblem::entry(*seq, message))
}

/// One stored row, with before/after as the exact text that was hashed.
pub struct RawEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// RFC 3339 UTC instant of the transaction, as stored.
    pub at: String,
    /// Who made the change.
    pub actor: String,
    /// The action's token, e.g. `deal.transitioned`.
    pub action: String,
    /// `partner`, `deal`, `import`, `policy` or `snapshot`.
    pub entity: String,
    /// The id of that entity (a policy's is its version).
    pub entity_id: i64,
    /// The exact stored JSON text of the entity before; `None` when the entry created it.
    pub before: Option<String>,
    /// The exact stored JSON text of the entity after.
    pub after: Option<String>,
    /// The stored hash of the entry before this one.
    pub prev_hash: String,
    /// The stored hash of this entry, hex SHA-256.
    pub hash: String,
}

impl RawEntry {
    /// The hash this entry's content and `prev_hash` give; differs from `hash` when the
    /// entry was altered.
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            self.entity_id,
            self.before.as_deref(),
            self.after.as_deref(),
            &self.prev_hash,
        )
    }

    /// The entry as shown: `before` and `after` parsed as JSON (a stored text that is not
    /// JSON, which only tampering makes, is kept as a string).
    pub fn into_entry(self) -> AuditEntry {
        // Text that is not JSON can only come from tampering; show it as a string
        // rather than hide the entry.
        let json = |text: Option<String>| {
            text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
        };
        AuditEntry {
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            before: json(self.before),
            after: json(self.after),
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// The walk of the chain in `seq` order: gaps (deleted entries), broken links, altered
/// content, and at the end a head record that does not name the last entry (entries
/// removed from the end).
#[derive(Debug)]
pub(crate) struct ChainWalk {
    expected_seq: i64,
    prev_hash: String,
    entries: i64,
    problems: Vec<AuditProblem>,
}

impl Default for ChainWalk {
    fn default() -> Self {
        ChainWalk {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            entries: 0,
            problems: Vec::new(),
        }
    }
}

impl ChainWalk {
    /// The next entry, in `seq` order.
    pub fn visit(&mut self, raw: &RawEntry) {
        let seq = raw.seq;
        self.entries += 1;
        if seq != self.expected_seq {
            let message = format!("entries {} to {} are missing", self.expected_seq, seq - 1);
            self.problems.push(AuditProblem::entry(seq, message));
        }
        if raw.prev_hash != self.prev_hash {
            let message = format!("entry {seq} does not follow the entry before it in the chain");
            self.problems.push(AuditProblem::entry(seq, message));
        }
        if raw.computed_hash() != raw.hash {
            let message =
                format!("entry {seq} was altered: its content no longer matches its hash");
            self.problems.push(AuditProblem::entry(seq, message));
        }
        self.expected_seq = seq + 1;
        self.prev_hash.clone_from(&raw.hash);
    }

    /// The report, given the head record as stored (`seq`, `hash`).
    pub fn finish(mut self, head: Option<(i64, String)>) -> AuditReport {
        let last_seq = self.expected_seq - 1;
        let problem = |seq: Option<i64>, message: String| {
            Some(AuditProblem::data(
                seq,
                "audit_head",
                Some("1".into()),
                message,
            ))
        };
        let head_problem = match head {
            None if self.entries > 0 => {
                problem(None, "the chain's head record is missing".to_string())
            }
            Some((seq, _)) if seq > last_seq => problem(
                Some(seq),
                format!(
                    "entries {} to {seq} were removed from the end of the log",
                    last_seq + 1
                ),
            ),
            Some((seq, hash)) if seq != last_seq || hash != self.prev_hash => problem(
                Some(seq),
                format!("the chain's head record does not match entry {last_seq}"),
            ),
            _ => None,
        };
        self.problems.extend(head_problem);
        let entries = self.entries;
        AuditReport {
            ok: self.problems.is_empty(),
            entries,
            head_hash: (entries > 0).then(|| self.prev_hash.clone()),
            head_seq: (entries > 0).then_some(last_seq),
            problems: self.problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_seq_colon_hash_and_errors_name_the_field() {
        let hash = "AB".repeat(32);
        let head = AuditHead::parse("expect_head", &format!(" 12:{hash} ")).unwrap();
        assert_eq!(head.seq, 12);
        assert_eq!(head.hash, hash.to_ascii_lowercase());
        let printed = AuditHead::parse("expect_head", &format!("seq 12 hash {hash}\n")).unwrap();
        assert_eq!(printed, head);
        for bad in [
            "",
            "12",
            "x:ab",
            "-1:ab",
            "12:abc",
            &format!("12:{}", "g".repeat(64)),
        ] {
            let e = AuditHead::parse("expect_head", bad).unwrap_err();
            assert_eq!(e.field, "expect_head", "{bad}");
        }
    }

    #[test]
    fn the_expected_head_must_be_the_entry_at_its_seq() {
        let head = |seq: i64, hash: &str| AuditHead {
            seq,
            hash: hash.to_string(),
        };
        let h = "a".repeat(64);
        assert_eq!(head_problem(&head(3, &h), Some(&h), 5), None);
        assert_eq!(head_problem(&head(0, GENESIS), None, 0), None);
        let rewritten = head_problem(&head(3, &h), Some(&"b".repeat(64)), 5).unwrap();
        assert!(rewritten.message.contains("rewritten"), "{rewritten:?}");
        assert_eq!(rewritten.row.as_deref(), Some("3"));
        let missing = head_problem(&head(9, &h), None, 5).unwrap();
        assert!(missing.message.contains("does not exist"), "{missing:?}");
        assert!(head_problem(&head(0, &h), None, 5).is_some());
    }
}
