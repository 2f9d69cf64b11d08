//! SQL for deals.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Tx;
use crate::error::{Error, Result};
use crate::model::deal::{Deal, DealFields, DealFilter, DealId, DealStatus};
use crate::model::partner::PartnerId;
use crate::model::purpose::Purpose;

const SELECT: &str = "
    SELECT d.id, d.partner_id, p.name, d.title, d.purposes, d.start_date, d.end_date,
           d.territory, d.exclusive, d.retention_days, d.attribution_required,
           d.sublicensing_allowed, d.notes, d.status, d.renewed_from,
           (SELECT r.id FROM deals r WHERE r.renewed_from = d.id),
           d.created_at, d.updated_at, d.withdrawal_days
    FROM deals d JOIN partners p ON p.id = d.partner_id";

fn conversion(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Deal> {
    let purposes: String = row.get(4)?;
    let status: String = row.get(13)?;
    Ok(Deal {
        id: DealId(row.get(0)?),
        partner_id: PartnerId(row.get(1)?),
        partner_name: row.get(2)?,
        title: row.get(3)?,
        purposes: Purpose::parse_list(&purposes).map_err(|e| conversion(4, e.message))?,
        start_date: row.get(5)?,
        end_date: row.get(6)?,
        territory: row.get(7)?,
        exclusive: row.get(8)?,
        retention_days: row.get(9)?,
        withdrawal_days: row.get(18)?,
        attribution_required: row.get(10)?,
        sublicensing_allowed: row.get(11)?,
        notes: row.get(12)?,
        status: status
            .parse()
            .map_err(|e: crate::error::FieldError| conversion(13, e.message))?,
        renewed_from: row.get::<_, Option<i64>>(14)?.map(DealId),
        renewed_by: row.get::<_, Option<i64>>(15)?.map(DealId),
        created_at: row.get(16)?,
        updated_at: row.get(17)?,
    })
}

pub(crate) fn insert(
    tx: &Tx<'_>,
    d: &DealFields,
    status: DealStatus,
    renewed_from: Option<DealId>,
) -> Result<DealId> {
    tx.conn().execute(
        "INSERT INTO deals (partner_id, title, purposes, start_date, end_date, territory,
                            exclusive, retention_days, attribution_required,
                            sublicensing_allowed, notes, status, renewed_from,
                            created_at, updated_at, withdrawal_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15)",
        params![
            d.partner_id.0,
            d.title,
            Purpose::join(&d.purposes),
            d.start_date,
            d.end_date,
            d.territory,
            d.exclusive,
            d.retention_days,
            d.attribution_required,
            d.sublicensing_allowed,
            d.notes,
            status.token(),
            renewed_from.map(|r| r.0),
            tx.now(),
            d.withdrawal_days,
        ],
    )?;
    Ok(DealId(tx.conn().last_insert_rowid()))
}

pub(crate) fn update_terms(tx: &Tx<'_>, id: DealId, d: &DealFields) -> Result<()> {
    tx.conn().execute(
        "UPDATE deals SET partner_id = ?2, title = ?3, purposes = ?4, start_date = ?5,
                end_date = ?6, territory = ?7, exclusive = ?8, retention_days = ?9,
                attribution_required = ?10, sublicensing_allowed = ?11, notes = ?12,
                updated_at = ?13, withdrawal_days = ?14
         WHERE id = ?1",
        params![
            id.0,
            d.partner_id.0,
            d.title,
            Purpose::join(&d.purposes),
            d.start_date,
            d.end_date,
            d.territory,
            d.exclusive,
            d.retention_days,
            d.attribution_required,
            d.sublicensing_allowed,
            d.notes,
            tx.now(),
            d.withdrawal_days,
        ],
    )?;
    Ok(())
}

pub(crate) fn set_status(tx: &Tx<'_>, id: DealId, status: DealStatus) -> Result<()> {
    tx.conn().execute(
        "UPDATE deals SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id.0, status.token(), tx.now()],
    )?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, id: DealId) -> Result<Deal> {
    conn.query_row(&format!("{SELECT} WHERE d.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "deal",
            id: id.to_string(),
        })
}

pub(crate) fn list(conn: &Connection, filter: &DealFilter) -> Result<Vec<Deal>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT}
         WHERE (?1 IS NULL OR d.status = ?1) AND (?2 IS NULL OR d.partner_id = ?2)
         ORDER BY d.id DESC"
    ))?;
    let rows = stmt.query_map(
        params![
            filter.status.map(|s| s.token()),
            filter.partner_id.map(|p| p.0)
        ],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
