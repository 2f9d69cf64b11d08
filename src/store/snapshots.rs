//! SQL for snapshots.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Tx;
use crate::error::{Error, Result};
use crate::model::deal::DealId;
use crate::model::file_format::Compression;
use crate::model::purpose::Purpose;
use crate::model::snapshot::{BuildRequest, Snapshot, SnapshotId};
use crate::model::snapshot::{PlanText, Sealed};

/// A build that has not been sealed (running, or left by a crash).
pub(crate) struct Building {
    pub id: SnapshotId,
    pub pid: i64,
    pub staging_dir: String,
    pub out_dir: String,
    pub created_at: String,
}

impl Building {
    /// From `id, pid, staging_dir, out_dir, created_at`.
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Building> {
        Ok(Building {
            id: SnapshotId(r.get(0)?),
            pid: r.get(1)?,
            staging_dir: r.get(2)?,
            out_dir: r.get(3)?,
            created_at: r.get(4)?,
        })
    }
}

/// Inserts the `building` row that lets a crashed build be cleaned up; its folders are
/// named by [`set_dirs`] in the same transaction, once the id is known.
pub(crate) fn insert_building(
    tx: &Tx<'_>,
    req: &BuildRequest,
    plan: &PlanText,
    purposes: &[Purpose],
    policy_version: i64,
) -> Result<SnapshotId> {
    tx.conn().execute(
        "INSERT INTO snapshots (deal_id, state, pid, staging_dir, out_dir, source_path,
                                source_format, id_field, user_field, time_field, as_of,
                                window_from, window_to, purposes, policy_version, created_at,
                                source_compression)
         VALUES (?1, 'building', ?2, '', '', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                 ?14)",
        params![
            req.deal_id.0,
            std::process::id(),
            plan.source,
            plan.format,
            plan.fields[0],
            plan.fields[1],
            plan.fields[2],
            plan.as_of,
            req.window_from
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty()),
            req.window_to
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty()),
            Purpose::join(purposes),
            policy_version,
            tx.now(),
            plan.compression.token(),
        ],
    )?;
    Ok(SnapshotId(tx.conn().last_insert_rowid()))
}

pub(crate) fn set_dirs(
    tx: &Tx<'_>,
    id: SnapshotId,
    staging_dir: &str,
    out_dir: &str,
) -> Result<()> {
    tx.conn().execute(
        "UPDATE snapshots SET staging_dir = ?2, out_dir = ?3 WHERE id = ?1 AND state = 'building'",
        params![id.0, staging_dir, out_dir],
    )?;
    Ok(())
}

/// Another snapshot of this store that writes to, or was sealed in, `out_dir`.
pub(crate) fn using_out_dir(
    conn: &Connection,
    out_dir: &str,
    except: SnapshotId,
) -> Result<Option<(SnapshotId, bool)>> {
    Ok(conn
        .query_row(
            "SELECT id, state = 'sealed' FROM snapshots WHERE out_dir = ?1 AND id != ?2
             ORDER BY id DESC LIMIT 1",
            params![out_dir, except.0],
            |r| Ok((SnapshotId(r.get(0)?), r.get(1)?)),
        )
        .optional()?)
}

/// Records which users a snapshot being sealed included, and how many records each.
pub(crate) fn insert_users<'u>(
    tx: &Tx<'_>,
    id: SnapshotId,
    users: impl Iterator<Item = (&'u str, u32)>,
) -> Result<()> {
    // In user-id order, appended to the snapshot's range (migration 0008), 64 rows to a
    // statement as imports insert new users.
    let users: Vec<(&str, u32)> = users.collect();
    super::consent::insert_chunked(
        tx.conn(),
        (
            "INSERT INTO snapshot_users (snapshot_id, user_id, records) VALUES ",
            "(?, ?, ?)",
        ),
        &[],
        3,
        super::consent::BATCH_ROWS,
        &users,
        &mut || Ok(()),
        |stmt, at, (user, records)| {
            stmt.raw_bind_parameter(at + 1, id.0)?;
            stmt.raw_bind_parameter(at + 2, user)?;
            stmt.raw_bind_parameter(at + 3, records)?;
            Ok(())
        },
    )
}

/// Marks a building snapshot sealed, with its outcome. From here on it never changes.
pub(crate) fn seal(tx: &Tx<'_>, id: SnapshotId, s: &Sealed) -> Result<()> {
    let json = |v: &dyn erased::Json| v.json();
    tx.conn().execute(
        "UPDATE snapshots SET state = 'sealed', records_in = ?2, records_included = ?3,
                excluded = ?4, rejected_lines = ?5, shards = ?6, included_users = ?7,
                included_users_sha256 = ?8, ledger_sha256 = ?9, records_index_sha256 = ?10,
                source_bytes = ?11, duration_ms = ?12, sealed_at = ?13, held_back_by_gate = ?14,
                source_compressed_bytes = ?15
         WHERE id = ?1 AND state = 'building'",
        params![
            id.0,
            s.records_in as i64,
            s.records_included as i64,
            json(&s.excluded),
            json(&s.rejected_lines),
            json(&s.shards),
            s.included_users as i64,
            s.included_users_sha256,
            s.ledger_sha256,
            s.records_index_sha256,
            s.source_bytes as i64,
            s.duration_ms as i64,
            tx.now(),
            s.held_back_by_gate as i64,
            s.source_compressed_bytes.map(|n| n as i64),
        ],
    )?;
    Ok(())
}

mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("serializable")
        }
    }
}

/// How many users and records the store lists for a snapshot, and the digest of the
/// users' ids (see `snapshot::users_digest`).
pub(crate) fn included_users(conn: &Connection, id: SnapshotId) -> Result<(u64, u64, String)> {
    let mut stmt = conn.prepare(
        "SELECT user_id, records FROM snapshot_users WHERE snapshot_id = ?1 ORDER BY user_id",
    )?;
    let rows: Vec<(String, i64)> = stmt
        .query_map([id.0], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let records = rows.iter().map(|(_, n)| *n as u64).sum();
    let digest = crate::model::snapshot::users_digest(rows.iter().map(|(u, _)| u.as_str()));
    Ok((rows.len() as u64, records, digest))
}

/// Records held back by a policy's opt-out gate, over every sealed snapshot.
pub(crate) fn held_back_total(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(sum(held_back_by_gate), 0) FROM snapshots WHERE state = 'sealed'",
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

pub(crate) fn delete_building(tx: &Tx<'_>, id: SnapshotId) -> Result<()> {
    tx.conn()
        .execute("DELETE FROM snapshot_users WHERE snapshot_id = ?1", [id.0])?;
    tx.conn().execute(
        "DELETE FROM snapshots WHERE id = ?1 AND state = 'building'",
        [id.0],
    )?;
    Ok(())
}

pub(crate) fn building(conn: &Connection) -> Result<Vec<Building>> {
    let mut stmt = conn.prepare(
        "SELECT id, pid, staging_dir, out_dir, created_at FROM snapshots
         WHERE state = 'building' ORDER BY id",
    )?;
    let rows = stmt.query_map([], Building::from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const COLUMNS: &str = "id, deal_id, state, source_path, source_format, id_field, user_field,
    time_field, as_of, window_from, window_to, purposes, policy_version, out_dir, records_in,
    records_included, excluded, rejected_lines, shards, included_users, included_users_sha256,
    ledger_sha256, records_index_sha256, source_bytes, duration_ms, created_at, sealed_at,
    held_back_by_gate, source_compression, source_compressed_bytes";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Snapshot> {
    fn parse<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> T {
        text.and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }
    let state: String = r.get(2)?;
    let purposes: String = r.get(11)?;
    let excluded: std::collections::BTreeMap<String, u64> = parse(r.get(16)?);
    Ok(Snapshot {
        snapshot_id: SnapshotId(r.get(0)?),
        deal_id: DealId(r.get(1)?),
        sealed: state == "sealed",
        source: r.get(3)?,
        format: r.get(4)?,
        id_field: r.get(5)?,
        user_field: r.get(6)?,
        time_field: r.get(7)?,
        as_of: r.get(8)?,
        window_from: r.get(9)?,
        window_to: r.get(10)?,
        purposes: Purpose::parse_list(&purposes).unwrap_or_default(),
        policy_version: r.get(12)?,
        out_dir: r.get(13)?,
        records_in: r.get::<_, Option<i64>>(14)?.unwrap_or(0) as u64,
        records_included: r.get::<_, Option<i64>>(15)?.unwrap_or(0) as u64,
        rejected: excluded.get("rejected").copied().unwrap_or(0),
        excluded,
        rejected_lines: parse(r.get(17)?),
        shards: parse(r.get(18)?),
        included_users: r.get::<_, Option<i64>>(19)?.unwrap_or(0) as u64,
        included_users_sha256: r.get::<_, Option<String>>(20)?.unwrap_or_default(),
        ledger_sha256: r.get::<_, Option<String>>(21)?.unwrap_or_default(),
        records_index_sha256: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
        source_bytes: r.get::<_, Option<i64>>(23)?.unwrap_or(0) as u64,
        duration_ms: r.get::<_, Option<i64>>(24)?.unwrap_or(0) as u64,
        created_at: r.get(25)?,
        sealed_at: r.get(26)?,
        held_back_by_gate: r.get::<_, Option<i64>>(27)?.unwrap_or(0) as u64,
        source_compression: match r.get::<_, String>(28)?.as_str() {
            "gzip" => Compression::Gzip,
            "zstd" => Compression::Zstd,
            _ => Compression::None,
        },
        source_compressed_bytes: r.get::<_, Option<i64>>(29)?.map(|n| n as u64),
    })
}

/// The `building` row of a build in progress.
pub(crate) fn get_building(conn: &Connection, id: SnapshotId) -> Result<Building> {
    conn.query_row(
        "SELECT id, pid, staging_dir, out_dir, created_at FROM snapshots
         WHERE id = ?1 AND state = 'building'",
        [id.0],
        Building::from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "snapshot build",
        id: id.to_string(),
    })
}

pub(crate) fn get(conn: &Connection, id: SnapshotId) -> Result<Snapshot> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM snapshots WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "snapshot",
        id: id.to_string(),
    })
}

pub(crate) fn list(conn: &Connection, deal: DealId) -> Result<Vec<Snapshot>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM snapshots WHERE deal_id = ?1 AND state = 'sealed' ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([deal.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
