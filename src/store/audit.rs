//! SQL for the hash-chained audit log (see `crate::audit` for the guarantees).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::Tx;
use crate::error::Result;
use crate::model::audit::{entry_hash, Action, AuditEntry, AuditFilter, RawEntry, GENESIS};

impl Tx<'_> {
    /// Appends one entry for a mutation made in this transaction.
    pub fn audit<T: Serialize>(
        &self,
        action: Action,
        entity: &str,
        entity_id: i64,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<()> {
        let to_json =
            |v: Option<&T>| v.map(|v| serde_json::to_string(v).expect("domain types serialize"));
        let (before, after) = (to_json(before), to_json(after));
        let (prev_seq, prev_hash) = self
            .conn()
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
            .unwrap_or((0, GENESIS.to_string()));
        let seq = prev_seq + 1;
        let hash = entry_hash(
            seq,
            self.now(),
            self.actor,
            action.token(),
            entity,
            entity_id,
            before.as_deref(),
            after.as_deref(),
            &prev_hash,
        );
        self.conn().execute(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after,
                                    prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                seq,
                self.now(),
                self.actor,
                action.token(),
                entity,
                entity_id,
                before,
                after,
                prev_hash,
                hash
            ],
        )?;
        self.conn().execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            params![seq, hash],
        )?;
        Ok(())
    }
}

fn raw_from_row(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        entity: row.get(4)?,
        entity_id: row.get(5)?,
        before: row.get(6)?,
        after: row.get(7)?,
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash";

pub(crate) fn list(conn: &Connection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    // What belongs to a deal names it in its after-image (or, for a removal, its
    // before-image) as `deal_id`; a fee schedule's entity id is its deal's; receipts,
    // payments and credit notes are tied through their delivery or invoice.
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)
           AND (?3 IS NULL
                OR (entity IN ('deal', 'fee_schedule') AND entity_id = ?3)
                OR json_extract(coalesce(after, before), '$.deal_id') = ?3
                OR (entity = 'delivery_receipt'
                    AND entity_id IN (SELECT id FROM deliveries WHERE deal_id = ?3))
                OR (entity IN ('payment', 'credit_note')
                    AND json_extract(coalesce(after, before), '$.invoice_id')
                        IN (SELECT id FROM invoices WHERE deal_id = ?3)))
         ORDER BY seq"
    ))?;
    let rows = stmt.query_map(
        params![filter.entity, filter.entity_id, filter.deal_id],
        raw_from_row,
    )?;
    Ok(rows
        .map(|r| r.map(RawEntry::into_entry))
        .collect::<rusqlite::Result<_>>()?)
}

/// The newest entry's seq and hash, if any.
pub(crate) fn newest(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The stored hash of entry `seq`, if there is one.
pub(crate) fn hash_of(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Calls `f` with every entry, in `seq` order.
pub(crate) fn each_entry(conn: &Connection, mut f: impl FnMut(&RawEntry)) -> Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        f(&raw_from_row(row)?);
    }
    Ok(())
}

/// The one-row head record: the newest entry's seq and hash as last written.
pub(crate) fn head_record(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}
