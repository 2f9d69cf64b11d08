//! SQL for the hash-chained audit log (see `crate::audit` for the guarantees).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::Tx;
use crate::error::Result;
use crate::model::audit::{
    entry_hash, Action, AuditEntry, AuditFilter, AuditProblem, AuditReport, GENESIS,
};

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

/// One stored row, with before/after as the exact text that was hashed.
struct Raw {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: i64,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Raw {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Raw> {
        Ok(Raw {
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

    fn computed_hash(&self) -> String {
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

    fn into_entry(self) -> AuditEntry {
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

const COLUMNS: &str = "seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash";

pub(crate) fn list(conn: &Connection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)
         ORDER BY seq"
    ))?;
    let rows = stmt.query_map(params![filter.entity, filter.entity_id], Raw::from_row)?;
    Ok(rows
        .map(|r| r.map(Raw::into_entry))
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

pub(crate) fn verify(conn: &Connection) -> Result<AuditReport> {
    let mut problems = Vec::new();
    let mut problem = |seq: i64, message: String| problems.push(AuditProblem::entry(seq, message));
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let (mut expected_seq, mut prev_hash, mut entries) = (1_i64, GENESIS.to_string(), 0_i64);
    while let Some(row) = rows.next()? {
        let raw = Raw::from_row(row)?;
        entries += 1;
        if raw.seq != expected_seq {
            problem(
                raw.seq,
                format!("entries {expected_seq} to {} are missing", raw.seq - 1),
            );
        }
        if raw.prev_hash != prev_hash {
            problem(
                raw.seq,
                format!(
                    "entry {} does not follow the entry before it in the chain",
                    raw.seq
                ),
            );
        }
        if raw.computed_hash() != raw.hash {
            problem(
                raw.seq,
                format!(
                    "entry {} was altered: its content no longer matches its hash",
                    raw.seq
                ),
            );
        }
        expected_seq = raw.seq + 1;
        prev_hash = raw.hash;
    }
    let last_seq = expected_seq - 1;
    if let Some(p) = head_record_problem(conn, entries, last_seq, &prev_hash)? {
        problems.push(p);
    }
    Ok(AuditReport {
        ok: problems.is_empty(),
        entries,
        head_hash: (entries > 0).then(|| prev_hash.clone()),
        head_seq: (entries > 0).then_some(last_seq),
        problems,
    })
}

/// Whether the one-row head record still names the last entry of the chain.
fn head_record_problem(
    conn: &Connection,
    entries: i64,
    last_seq: i64,
    last_hash: &str,
) -> Result<Option<AuditProblem>> {
    let head: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let problem = |seq: Option<i64>, message: String| {
        Some(AuditProblem::data(
            seq,
            "audit_head",
            Some("1".into()),
            message,
        ))
    };
    Ok(match head {
        None if entries > 0 => problem(None, "the chain's head record is missing".to_string()),
        Some((seq, _)) if seq > last_seq => problem(
            Some(seq),
            format!(
                "entries {} to {seq} were removed from the end of the log",
                last_seq + 1
            ),
        ),
        Some((seq, hash)) if seq != last_seq || hash != last_hash => problem(
            Some(seq),
            format!("the chain's head record does not match entry {last_seq}"),
        ),
        _ => None,
    })
}
