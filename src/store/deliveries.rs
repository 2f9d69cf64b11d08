//! SQL for signing keys, deliveries and their push receipts.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Tx;
use crate::error::{Error, Result};
use crate::model::deal::DealId;
use crate::model::delivery::{Delivery, DeliveryId, PackageFile, Receipt, SecretStore};
use crate::model::snapshot::SnapshotId;

/// A signing key's row: the public half and where the secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyRow {
    pub id: i64,
    pub key_id: String,
    /// The minisign `RW…` line (key number and public key).
    pub public_key: String,
    pub secret_store: SecretStore,
    pub created_at: String,
    pub retired_at: Option<String>,
}

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<KeyRow> {
    let store: String = r.get(3)?;
    Ok(KeyRow {
        id: r.get(0)?,
        key_id: r.get(1)?,
        public_key: r.get(2)?,
        secret_store: if store == "keyring" {
            SecretStore::Keyring
        } else {
            SecretStore::File
        },
        created_at: r.get(4)?,
        retired_at: r.get(5)?,
    })
}

const KEY_COLUMNS: &str = "id, key_id, public_key, secret_store, created_at, retired_at";

/// Every key, the current one first, then the retired ones newest first.
pub(crate) fn keys(conn: &Connection) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {KEY_COLUMNS} FROM signing_keys ORDER BY retired_at IS NOT NULL, id DESC"
    ))?;
    let rows = stmt.query_map([], key_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One key by its row id.
pub(crate) fn key(conn: &Connection, id: i64) -> Result<KeyRow> {
    conn.query_row(
        &format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE id = ?1"),
        [id],
        key_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "signing key",
        id: id.to_string(),
    })
}

/// The key that signs now, if the store has one yet.
pub(crate) fn current_key(conn: &Connection) -> Result<Option<KeyRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE retired_at IS NULL"),
            [],
            key_from_row,
        )
        .optional()?)
}

/// Records a new current key; the caller retires the old one first.
pub(crate) fn insert_key(
    tx: &Tx<'_>,
    key_id: &str,
    public_key: &str,
    secret_store: SecretStore,
) -> Result<i64> {
    tx.conn().execute(
        "INSERT INTO signing_keys (key_id, public_key, secret_store, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![key_id, public_key, secret_store.token(), tx.now()],
    )?;
    Ok(tx.conn().last_insert_rowid())
}

/// Marks the current key retired.
pub(crate) fn retire_current_key(tx: &Tx<'_>) -> Result<()> {
    tx.conn().execute(
        "UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL",
        [tx.now()],
    )?;
    Ok(())
}

/// Row ids of every key (for `audit verify`).
pub(crate) fn key_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM signing_keys ORDER BY id")
}

fn ids(conn: &Connection, sql: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const COLUMNS: &str = "id, deal_id, snapshot_id, sequence, out_dir, manifest_sha256, key_id,
    files, records, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    let files: String = r.get(7)?;
    Ok(Delivery {
        delivery_id: DeliveryId(r.get(0)?),
        deal_id: DealId(r.get(1)?),
        snapshot_id: SnapshotId(r.get(2)?),
        sequence: r.get::<_, i64>(3)? as u64,
        out_dir: r.get(4)?,
        manifest_sha256: r.get(5)?,
        key_id: r.get(6)?,
        files: serde_json::from_str::<Vec<PackageFile>>(&files).unwrap_or_default(),
        records: r.get::<_, i64>(8)? as u64,
        created_at: r.get(9)?,
    })
}

/// The highest sequence delivered for a deal; 0 if none.
pub(crate) fn last_sequence(conn: &Connection, deal: DealId) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(max(sequence), 0) FROM deliveries WHERE deal_id = ?1",
        [deal.0],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// The id the next delivery will get (rowid = max + 1: rows are never deleted).
pub(crate) fn next_id(conn: &Connection) -> Result<DeliveryId> {
    let n: i64 = conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM deliveries", [], |r| {
        r.get(0)
    })?;
    Ok(DeliveryId(n))
}

/// Records a delivery made; `d.delivery_id` must be [`next_id`].
pub(crate) fn insert(tx: &Tx<'_>, d: &Delivery) -> Result<()> {
    tx.conn().execute(
        &format!(
            "INSERT INTO deliveries ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ),
        params![
            d.delivery_id.0,
            d.deal_id.0,
            d.snapshot_id.0,
            d.sequence as i64,
            d.out_dir,
            d.manifest_sha256,
            d.key_id,
            serde_json::to_string(&d.files).expect("serializable"),
            d.records as i64,
            d.created_at,
        ],
    )?;
    Ok(())
}

/// One delivery.
pub(crate) fn get(conn: &Connection, id: DeliveryId) -> Result<Delivery> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM deliveries WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "delivery",
        id: id.to_string(),
    })
}

/// A deal's deliveries, in sequence order.
/// The deals with at least one delivery, by id.
pub(crate) fn delivered_deals(conn: &Connection) -> Result<Vec<DealId>> {
    let mut stmt = conn.prepare("SELECT DISTINCT deal_id FROM deliveries ORDER BY deal_id")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0).map(DealId))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}

pub(crate) fn list(conn: &Connection, deal: DealId) -> Result<Vec<Delivery>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM deliveries WHERE deal_id = ?1 ORDER BY sequence"
    ))?;
    let rows = stmt.query_map([deal.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Row ids of every delivery (for `audit verify`).
pub(crate) fn delivery_ids(conn: &Connection) -> Result<Vec<i64>> {
    ids(conn, "SELECT id FROM deliveries ORDER BY id")
}

/// Records one stored object; a receipt already there for the same key is kept.
pub(crate) fn insert_receipt(tx: &Tx<'_>, delivery: DeliveryId, r: &Receipt) -> Result<bool> {
    let n = tx.conn().execute(
        "INSERT OR IGNORE INTO delivery_receipts (delivery_id, destination, object_key, bytes,
                sha256, etag, version, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            delivery.0,
            r.destination,
            r.key,
            r.bytes as i64,
            r.sha256,
            r.etag,
            r.version,
            r.uploaded_at
        ],
    )?;
    Ok(n == 1)
}

/// A delivery's receipts, by destination then key.
pub(crate) fn receipts(conn: &Connection, delivery: DeliveryId) -> Result<Vec<Receipt>> {
    let mut stmt = conn.prepare(
        "SELECT destination, object_key, bytes, sha256, etag, version, uploaded_at
         FROM delivery_receipts WHERE delivery_id = ?1 ORDER BY destination, uploaded_at, object_key",
    )?;
    let rows = stmt.query_map([delivery.0], |r| {
        Ok(Receipt {
            destination: r.get(0)?,
            key: r.get(1)?,
            bytes: r.get::<_, i64>(2)? as u64,
            sha256: r.get(3)?,
            etag: r.get(4)?,
            version: r.get(5)?,
            uploaded_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
