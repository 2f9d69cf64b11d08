//! SQL for partners.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Tx;
use crate::error::{Error, Result};
use crate::model::partner::{Partner, PartnerFields, PartnerId};

const COLUMNS: &str = "id, name, kind, country, contact, notes, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Partner> {
    let kind: String = row.get(2)?;
    Ok(Partner {
        id: PartnerId(row.get(0)?),
        name: row.get(1)?,
        kind: kind.parse().map_err(|e: crate::error::FieldError| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                e.message.into(),
            )
        })?,
        country: row.get(3)?,
        contact: row.get(4)?,
        notes: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

pub(crate) fn insert(tx: &Tx<'_>, p: &PartnerFields) -> Result<PartnerId> {
    tx.conn().execute(
        "INSERT INTO partners (name, kind, country, contact, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            p.name,
            p.kind.token(),
            p.country,
            p.contact,
            p.notes,
            tx.now()
        ],
    )?;
    Ok(PartnerId(tx.conn().last_insert_rowid()))
}

pub(crate) fn update(tx: &Tx<'_>, id: PartnerId, p: &PartnerFields) -> Result<()> {
    tx.conn().execute(
        "UPDATE partners SET name = ?2, kind = ?3, country = ?4, contact = ?5, notes = ?6,
                updated_at = ?7
         WHERE id = ?1",
        params![
            id.0,
            p.name,
            p.kind.token(),
            p.country,
            p.contact,
            p.notes,
            tx.now()
        ],
    )?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, id: PartnerId) -> Result<Partner> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM partners WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "partner",
        id: id.to_string(),
    })
}

pub(crate) fn exists(conn: &Connection, id: PartnerId) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM partners WHERE id = ?1", [id.0], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Partner>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM partners WHERE name = ?1 COLLATE NOCASE"),
            [name],
            from_row,
        )
        .optional()?)
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Partner>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM partners ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
