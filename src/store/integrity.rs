//! SQL reads for `crate::integrity`: the audit entries that vouch for data, and the data
//! as it is now. Data is read whatever its SQLite type, since a tampered file may hold
//! anything: a value of the wrong type becomes a reported difference, not a failed read.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::model::digest::{encode_row, Cell, ContentDigest, Fingerprint};

/// The latest audit entry about one entity (`partner` 3, `import` 7, ...).
pub(crate) struct LatestEntry {
    pub entity: String,
    pub entity_id: i64,
    pub seq: i64,
    pub action: String,
    pub at: String,
    pub actor: String,
    /// The after-image as the exact stored text.
    pub after: Option<String>,
}

/// The latest entry of every entity the log names, oldest first.
pub(crate) fn latest_entries(conn: &Connection) -> Result<Vec<LatestEntry>> {
    let mut stmt = conn.prepare(
        "SELECT a.entity, a.entity_id, a.seq, a.action, a.at, a.actor, a.after
         FROM audit_log a
         JOIN (SELECT max(seq) AS seq FROM audit_log GROUP BY entity, entity_id) l
           ON l.seq = a.seq
         ORDER BY a.seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(LatestEntry {
            entity: r.get(0)?,
            entity_id: r.get(1)?,
            seq: r.get(2)?,
            action: r.get(3)?,
            at: r.get(4)?,
            actor: r.get(5)?,
            after: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn ids(conn: &Connection, sql: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn partner_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM partners ORDER BY id")
}

pub(crate) fn deal_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM deals ORDER BY id")
}

pub(crate) fn policy_versions(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT version FROM policies ORDER BY version")
}

/// Every snapshot, sealed or still building.
pub(crate) fn snapshot_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM snapshots ORDER BY id")
}

/// Every row of `imports`, each column by name.
pub(crate) fn import_rows(conn: &Connection) -> Result<Vec<Map<String, Value>>> {
    let mut stmt = conn.prepare("SELECT * FROM imports ORDER BY id")?;
    let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut map = Map::new();
        for (i, name) in names.iter().enumerate() {
            map.insert(name.clone(), json_of(row.get_ref(i)?));
        }
        out.push(map);
    }
    Ok(out)
}

/// One consent event as stored, text fields rendered whatever their type.
#[derive(Debug, Default)]
pub(crate) struct EventRow {
    pub id: i64,
    pub identity: Vec<u8>,
    pub user_id: String,
    pub purpose: String,
    pub decision: String,
    pub effective_at: String,
    pub effective_us: Option<i64>,
    pub source: String,
    pub import_id: Option<i64>,
}

impl EventRow {
    fn read(&mut self, r: &Row<'_>) -> rusqlite::Result<()> {
        self.id = r.get(0)?;
        self.identity.clear();
        self.identity.extend_from_slice(bytes_of(r.get_ref(1)?));
        text_into(r.get_ref(2)?, &mut self.user_id);
        text_into(r.get_ref(3)?, &mut self.purpose);
        text_into(r.get_ref(4)?, &mut self.decision);
        text_into(r.get_ref(5)?, &mut self.effective_at);
        self.effective_us = r.get_ref(6)?.as_i64().ok();
        text_into(r.get_ref(7)?, &mut self.source);
        self.import_id = r.get_ref(8)?.as_i64().ok();
        Ok(())
    }
}

/// Calls `f` with every consent event, in id order; one buffer is reused for every row.
pub(crate) fn each_event(conn: &Connection, mut f: impl FnMut(&EventRow)) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, identity, user_id, purpose, decision, effective_at, effective_us, source,
                import_id
         FROM consent_events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut event = EventRow::default();
    while let Some(row) = rows.next()? {
        event.read(row)?;
        f(&event);
    }
    Ok(())
}

/// Calls `f` with the id and identity of every event of one import, in id order.
pub(crate) fn each_import_event(
    conn: &Connection,
    import_id: i64,
    mut f: impl FnMut(i64, &[u8]),
) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT id, identity FROM consent_events WHERE import_id = ?1 ORDER BY id")?;
    let mut rows = stmt.query([import_id])?;
    while let Some(row) = rows.next()? {
        f(row.get(0)?, bytes_of(row.get_ref(1)?));
    }
    Ok(())
}

/// Calls `f` with every registry row in user-id order: its user id (the key) and the
/// encoding of `user_id, country, birth_date, status` (see `digest::encode_row`).
pub(crate) fn each_user(conn: &Connection, mut f: impl FnMut(&[u8], &[u8])) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT user_id, country, birth_date, status FROM users ORDER BY user_id")?;
    let mut rows = stmt.query([])?;
    let mut content = Vec::new();
    while let Some(row) = rows.next()? {
        let cells = [
            cell_of(row.get_ref(0)?),
            cell_of(row.get_ref(1)?),
            cell_of(row.get_ref(2)?),
            cell_of(row.get_ref(3)?),
        ];
        content.clear();
        encode_row(&cells, &mut content);
        f(bytes_of(row.get_ref(0)?), &content);
    }
    Ok(())
}

/// Calls `f` with every row of `user_changes` in id order: its id, its import, and the
/// encoding of `user_id, changed_at, before, after`. With `import`, only that import's.
pub(crate) fn each_user_change(
    conn: &Connection,
    import: Option<i64>,
    mut f: impl FnMut(i64, Option<i64>, &[u8]),
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, import_id, user_id, changed_at, before, after FROM user_changes
         WHERE ?1 IS NULL OR import_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([import])?;
    let mut content = Vec::new();
    while let Some(row) = rows.next()? {
        let cells = [
            cell_of(row.get_ref(2)?),
            cell_of(row.get_ref(3)?),
            cell_of(row.get_ref(4)?),
            cell_of(row.get_ref(5)?),
        ];
        content.clear();
        encode_row(&cells, &mut content);
        f(row.get(0)?, row.get_ref(1)?.as_i64().ok(), &content);
    }
    Ok(())
}

/// The fingerprint of the whole registry, rows in user-id order.
pub(crate) fn registry_fingerprint(conn: &Connection) -> Result<Fingerprint> {
    let mut digest = ContentDigest::default();
    each_user(conn, |key, content| digest.add(key, content))?;
    Ok(digest.finish())
}

/// A stored value as the fingerprints encode it.
pub(super) fn cell_of(v: ValueRef<'_>) -> Cell<'_> {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(t),
        ValueRef::Blob(b) => Cell::Blob(b),
    }
}

/// The bytes of a text or blob; nothing for other types.
fn bytes_of(v: ValueRef<'_>) -> &[u8] {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => b,
        _ => &[],
    }
}

/// Replaces `out` with the value as text: numbers written out, NULL as nothing,
/// invalid UTF-8 replaced.
fn text_into(v: ValueRef<'_>, out: &mut String) {
    out.clear();
    match v {
        ValueRef::Null => {}
        ValueRef::Integer(i) => out.push_str(&i.to_string()),
        ValueRef::Real(r) => out.push_str(&r.to_string()),
        ValueRef::Text(b) | ValueRef::Blob(b) => out.push_str(&String::from_utf8_lossy(b)),
    }
}

fn json_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(r) => Value::from(r),
        ValueRef::Text(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Blob(b) => Value::String(hex::encode(b)),
    }
}
