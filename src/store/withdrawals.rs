//! SQL for withdrawal notices, the records they withdrew, and exposure reports.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{text, Tx};
use crate::error::{Error, Result};
use crate::model::deal::DealId;
use crate::model::delivery::{DeliveryId, ExposedSnapshot, NoticeId, NoticeRecord};
use crate::model::snapshot::SnapshotId;

const COLUMNS: &str = "id, deal_id, sequence, as_of, issued_at, due_date, nonce, out_file,
    notice_sha256, key_id, record_count, user_count, records_sha256, acknowledged_on,
    attestation, attestation_sha256";

fn from_row(r: &Row<'_>) -> rusqlite::Result<NoticeRecord> {
    Ok(NoticeRecord {
        notice_id: NoticeId(r.get(0)?),
        deal_id: DealId(r.get(1)?),
        sequence: r.get::<_, i64>(2)? as u64,
        as_of: r.get(3)?,
        issued_at: r.get(4)?,
        due_date: r.get(5)?,
        nonce: r.get(6)?,
        file: r.get(7)?,
        notice_sha256: r.get(8)?,
        key_id: r.get(9)?,
        record_count: r.get::<_, i64>(10)? as u64,
        user_count: r.get::<_, i64>(11)? as u64,
        records_sha256: r.get(12)?,
        acknowledged_on: r.get(13)?,
        attestation: r.get(14)?,
        attestation_sha256: r.get(15)?,
    })
}

/// The highest notice sequence of a deal; 0 if none.
pub(crate) fn last_sequence(conn: &Connection, deal: DealId) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(max(sequence), 0) FROM withdrawal_notices WHERE deal_id = ?1",
        [deal.0],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// The id the next notice will get (rows are never deleted).
pub(crate) fn next_id(conn: &Connection) -> Result<NoticeId> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM withdrawal_notices",
        [],
        |r| r.get(0),
    )?;
    Ok(NoticeId(n))
}

/// Records a notice; `n.id` must be [`next_id`].
pub(crate) fn insert(tx: &Tx<'_>, n: &NoticeRecord) -> Result<()> {
    tx.conn().execute(
        &format!(
            "INSERT INTO withdrawal_notices ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ),
        params![
            n.notice_id.0,
            n.deal_id.0,
            n.sequence as i64,
            n.as_of,
            n.issued_at,
            n.due_date,
            n.nonce,
            n.file,
            n.notice_sha256,
            n.key_id,
            n.record_count as i64,
            n.user_count as i64,
            n.records_sha256,
            n.acknowledged_on,
            n.attestation,
            n.attestation_sha256,
        ],
    )?;
    Ok(())
}

/// Records the records a notice withdrew from one delivery.
pub(crate) fn insert_records<'r>(
    tx: &Tx<'_>,
    notice: NoticeId,
    delivery: DeliveryId,
    records: impl Iterator<Item = (&'r str, &'r str)>,
) -> Result<()> {
    let mut insert = tx.conn().prepare_cached(
        "INSERT INTO withdrawn_records (delivery_id, record_id, user_id, notice_id)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (record, user) in records {
        insert.execute(params![delivery.0, record, user, notice.0])?;
    }
    Ok(())
}

/// Whether an earlier notice already withdrew this record of this delivery.
pub(crate) fn is_withdrawn(conn: &Connection, delivery: DeliveryId, record: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM withdrawn_records WHERE delivery_id = ?1 AND record_id = ?2",
        )?
        .exists(params![delivery.0, record])?)
}

/// Sets the acknowledgement of a notice.
pub(crate) fn acknowledge(
    tx: &Tx<'_>,
    id: NoticeId,
    on: &str,
    attestation: Option<&str>,
    attestation_sha256: Option<&str>,
) -> Result<()> {
    tx.conn().execute(
        "UPDATE withdrawal_notices SET acknowledged_on = ?2, attestation = ?3,
                attestation_sha256 = ?4
         WHERE id = ?1 AND acknowledged_on IS NULL",
        params![id.0, on, attestation, attestation_sha256],
    )?;
    Ok(())
}

/// One notice.
pub(crate) fn get(conn: &Connection, id: NoticeId) -> Result<NoticeRecord> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM withdrawal_notices WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "withdrawal notice",
        id: id.to_string(),
    })
}

/// Notices, of one deal or all, newest first.
pub(crate) fn list(conn: &Connection, deal: Option<DealId>) -> Result<Vec<NoticeRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM withdrawal_notices WHERE ?1 IS NULL OR deal_id = ?1
         ORDER BY issued_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([deal.map(|d| d.0)], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Row ids of every notice (for `audit verify`).
pub(crate) fn notice_ids(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM withdrawal_notices ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The withdrawn (delivery, record) pairs of a notice in key order, for its digest.
pub(crate) fn notice_records(
    conn: &Connection,
    notice: NoticeId,
    mut visit: impl FnMut(i64, &str, &str),
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT delivery_id, record_id, user_id FROM withdrawn_records WHERE notice_id = ?1
         ORDER BY delivery_id, record_id",
    )?;
    let mut rows = stmt.query([notice.0])?;
    while let Some(r) = rows.next()? {
        visit(r.get(0)?, text(r, 1)?, text(r, 2)?);
    }
    Ok(())
}

/// The distinct users of the given snapshots, in user-id order.
pub(crate) fn users_of_snapshots(
    conn: &Connection,
    snapshots: &[SnapshotId],
) -> Result<Vec<String>> {
    let list = snapshots
        .iter()
        .map(|s| s.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT user_id FROM snapshot_users WHERE snapshot_id IN ({list}) ORDER BY user_id"
    ))?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The sealed snapshots that included a user's records.
pub(crate) fn snapshots_of_user(conn: &Connection, user: &str) -> Result<Vec<ExposedSnapshot>> {
    // One key lookup of (snapshot, user) per sealed snapshot: snapshot_users is keyed by
    // snapshot first (migration 0008).
    let mut stmt = conn.prepare(
        "SELECT s.id, s.deal_id, su.records FROM snapshots s
         JOIN snapshot_users su ON su.snapshot_id = s.id AND su.user_id = ?1
         WHERE s.state = 'sealed' ORDER BY s.id",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(ExposedSnapshot {
            snapshot_id: SnapshotId(r.get(0)?),
            deal_id: DealId(r.get(1)?),
            records: r.get::<_, i64>(2)? as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Per notice and delivery, how many of a user's records were withdrawn.
pub(crate) fn withdrawn_of_user(
    conn: &Connection,
    user: &str,
) -> Result<Vec<(NoticeId, DeliveryId, u64)>> {
    let mut stmt = conn.prepare(
        "SELECT notice_id, delivery_id, count(*) FROM withdrawn_records WHERE user_id = ?1
         GROUP BY notice_id, delivery_id ORDER BY notice_id, delivery_id",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok((
            NoticeId(r.get(0)?),
            DeliveryId(r.get(1)?),
            r.get::<_, i64>(2)? as u64,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether the registry has this user.
pub(crate) fn registered(conn: &Connection, user: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM users WHERE user_id = ?1")?
        .exists([user])?)
}
