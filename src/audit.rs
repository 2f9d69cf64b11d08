//! The audit log: who changed what, when, with the entity before and after.
//!
//! Every mutation appends one entry in the same transaction as the change itself.
//! Entries form a hash chain: each carries the SHA-256 of its own content and of the
//! entry before it, and the newest entry is also recorded in a one-row head table. An
//! edited, removed or reordered entry, or the removal of the newest ones, breaks the
//! chain and [`verify`] reports where. [`verify`] then checks that the data the chain
//! vouches for is still what its entries say (`crate::integrity`), naming the table and
//! row of every difference.
//!
//! Someone able to rewrite the whole file can recompute the chain and every digest;
//! only a head kept elsewhere catches that: [`head`] gives the newest entry's seq and
//! hash (to keep in a ticket, an e-mail), and [`verify_expecting`] proves that entry is
//! still there with that hash, so nothing up to it was rewritten.
//!
//! The types and the entry hash are `crate::model::audit`, re-exported here.

pub use crate::model::audit::*;

use crate::error::Result;
use crate::integrity;
use crate::store::{self, Store};

/// Entries, oldest first.
pub fn list(store: &Store, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    store.read(|conn| store::audit::list(conn, filter))
}

/// The newest entry; seq 0 with the [`GENESIS`] hash for an empty log.
pub fn head(store: &Store) -> Result<AuditHead> {
    let newest = store.read(store::audit::newest)?;
    Ok(newest
        .map(|(seq, hash)| AuditHead { seq, hash })
        .unwrap_or_else(|| AuditHead {
            seq: 0,
            hash: GENESIS.to_string(),
        }))
}

/// Walks the whole chain and reports every break, then checks every table the chain
/// vouches for against it (see `crate::integrity`).
pub fn verify(store: &Store) -> Result<AuditReport> {
    verify_expecting(store, None)
}

/// [`verify`], and with `expected` also proves that entry `expected.seq` still has
/// exactly `expected.hash`: a chain recomputed after an edit up to that entry fails.
/// Everything is read in one transaction, so a concurrent write cannot look like
/// tampering.
pub fn verify_expecting(store: &Store, expected: Option<&AuditHead>) -> Result<AuditReport> {
    store.read_consistent(|conn| {
        let mut walk = ChainWalk::default();
        store::audit::each_entry(conn, |raw| walk.visit(raw))?;
        let mut report = walk.finish(store::audit::head_record(conn)?);
        if let Some(expected) = expected {
            let found = store::audit::hash_of(conn, expected.seq)?;
            report
                .problems
                .extend(head_problem(expected, found.as_deref(), report.entries));
        }
        report.problems.extend(integrity::check(conn)?);
        report.ok = report.problems.is_empty();
        Ok(report)
    })
}
