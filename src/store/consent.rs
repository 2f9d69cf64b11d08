//! SQL for the registry, the consent ledger, imports and the policy.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Statement};

use super::Tx;

use crate::error::{FieldError, Result};
use crate::model::consent::{ChangeRow, Cursor, EventRow, Policy, RegistryUser};
use crate::model::imports::{micros, Event, ImportReport};

pub(crate) fn begin_import(tx: &Tx<'_>, kind: &str, path: &Path) -> Result<i64> {
    tx.conn().execute(
        "INSERT INTO imports (kind, file, rows_read, added, changed, unchanged, skipped,
                              skipped_lines, at, actor)
         VALUES (?1, ?2, 0, 0, 0, 0, 0, '[]', ?3, ?4)",
        params![kind, path.display().to_string(), tx.now(), tx.actor],
    )?;
    Ok(tx.conn().last_insert_rowid())
}

pub(crate) fn finish_import(tx: &Tx<'_>, r: &ImportReport) -> Result<()> {
    tx.conn().execute(
        "UPDATE imports SET rows_read = ?2, added = ?3, changed = ?4, unchanged = ?5,
                skipped = ?6, skipped_lines = ?7
         WHERE id = ?1",
        params![
            r.import_id,
            r.rows_read as i64,
            r.added as i64,
            r.changed as i64,
            r.unchanged as i64,
            r.skipped as i64,
            serde_json::to_string(&r.skipped_lines).expect("serializable"),
        ],
    )?;
    Ok(())
}

/// Records in the report the fingerprints of what its import left, computed at its end
/// inside its transaction: for a registry import the whole registry after it and the
/// changes it recorded, for a ledger import the events it added. The import's audit
/// entry carries them; `audit verify` recomputes them.
pub(crate) fn fingerprint_import(conn: &Connection, report: &mut ImportReport) -> Result<()> {
    let id = report.import_id;
    let kind: String =
        conn.query_row("SELECT kind FROM imports WHERE id = ?1", [id], |r| r.get(0))?;
    let (content, changes) = if kind == "registry" {
        let changes = super::integrity::changes_fingerprint(conn, id)?;
        (super::integrity::registry_fingerprint(conn)?, Some(changes))
    } else {
        (super::integrity::events_fingerprint(conn, id)?, None)
    };
    report.content_sha256 = Some(content.sha256);
    report.content_sketch = Some(content.sketch.to_hex());
    report.changes_sha256 = changes.as_ref().map(|c| c.sha256.clone());
    report.changes_sketch = changes.map(|c| c.sketch.to_hex());
    Ok(())
}

pub(crate) enum Upsert {
    Added,
    Changed,
    Unchanged,
}

fn user_json(u: &RegistryUser) -> String {
    serde_json::to_string(u).expect("serializable")
}

pub(crate) fn upsert_user(tx: &Tx<'_>, import_id: i64, user: &RegistryUser) -> Result<Upsert> {
    let conn = tx.conn();
    let existing = conn
        .prepare_cached("SELECT country, birth_date, status FROM users WHERE user_id = ?1")?
        .query_row([&user.user_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<chrono::NaiveDate>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    let outcome = match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO users (user_id, country, birth_date, status, first_seen_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![user.user_id, user.country, user.birth_date, user.status.token(), tx.now()])?;
            Upsert::Added
        }
        Some((country, birth_date, status))
            if country == user.country
                && birth_date == user.birth_date
                && status == user.status.token() =>
        {
            Upsert::Unchanged
        }
        Some((country, birth_date, status)) => {
            let before = RegistryUser {
                user_id: user.user_id.clone(),
                country,
                birth_date,
                status: status
                    .parse()
                    .map_err(|e: FieldError| conversion(2, e.message))?,
            };
            conn.prepare_cached(
                "UPDATE users SET country = ?2, birth_date = ?3, status = ?4, updated_at = ?5
                 WHERE user_id = ?1",
            )?
            .execute(params![
                user.user_id,
                user.country,
                user.birth_date,
                user.status.token(),
                tx.now()
            ])?;
            conn.prepare_cached(
                "INSERT INTO user_changes (import_id, user_id, changed_at, before, after)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                import_id,
                user.user_id,
                tx.now(),
                user_json(&before),
                user_json(user)
            ])?;
            Upsert::Changed
        }
    };
    Ok(outcome)
}

/// Inserts events, ignoring those already stored (same identity).
pub(crate) struct EventInserter<'c> {
    stmt: Statement<'c>,
    import_id: i64,
}

impl<'c> EventInserter<'c> {
    pub fn new(tx: &'c Tx<'_>, import_id: i64) -> Result<Self> {
        let stmt = tx.conn().prepare(
            "INSERT INTO consent_events (identity, user_id, purpose, decision, effective_at,
                                         effective_us, source, import_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (identity) DO NOTHING",
        )?;
        Ok(EventInserter { stmt, import_id })
    }

    /// True when the event is new.
    pub fn insert(&mut self, e: &Event) -> Result<bool> {
        let n = self.stmt.execute(params![
            &e.identity()[..],
            e.user_id,
            e.purpose.token(),
            e.decision.token(),
            e.effective_text(),
            micros(e.effective_at),
            e.source,
            self.import_id,
        ])?;
        Ok(n == 1)
    }
}

const POLICY_COLUMNS: &str = "version, opt_in_countries, opt_out_available_from, notice_days";

fn policy_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Policy> {
    let codes: String = r.get(1)?;
    Ok(Policy {
        version: r.get(0)?,
        opt_in_countries: codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        opt_out_available_from: r.get(2)?,
        notice_days: r.get(3)?,
    })
}

pub(crate) fn current_policy(conn: &Connection) -> Result<Policy> {
    Ok(conn.query_row(
        &format!("SELECT {POLICY_COLUMNS} FROM policies ORDER BY version DESC LIMIT 1"),
        [],
        policy_from_row,
    )?)
}

/// One policy version, rendered as [`current_policy`] renders the latest.
pub(crate) fn policy(conn: &Connection, version: i64) -> Result<Policy> {
    Ok(conn.query_row(
        &format!("SELECT {POLICY_COLUMNS} FROM policies WHERE version = ?1"),
        [version],
        policy_from_row,
    )?)
}

/// Stores a new policy version with these settings and returns it.
pub(crate) fn insert_policy(tx: &Tx<'_>, p: &Policy) -> Result<Policy> {
    tx.conn().execute(
        "INSERT INTO policies (version, opt_in_countries, opt_out_available_from, notice_days,
                               created_at, actor)
         VALUES ((SELECT max(version) + 1 FROM policies), ?1, ?2, ?3, ?4, ?5)",
        params![
            p.opt_in_countries.join(","),
            p.opt_out_available_from,
            p.notice_days,
            tx.now(),
            tx.actor
        ],
    )?;
    current_policy(tx.conn())
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegistryUser> {
    let status: String = r.get(3)?;
    Ok(RegistryUser {
        user_id: r.get(0)?,
        country: r.get(1)?,
        birth_date: r.get(2)?,
        status: status
            .parse()
            .map_err(|e: FieldError| conversion(3, e.message))?,
    })
}

fn conversion(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

/// The registry in user-id order, one user at a time.
pub(crate) struct UserCursor<'s> {
    rows: rusqlite::Rows<'s>,
    current: Option<RegistryUser>,
}

impl Cursor for UserCursor<'_> {
    type Row = RegistryUser;

    fn advance(&mut self) -> Result<()> {
        self.current = match self.rows.next()? {
            Some(row) => Some(user_from_row(row)?),
            None => None,
        };
        Ok(())
    }

    fn current(&self) -> Option<&RegistryUser> {
        self.current.as_ref()
    }
}

/// Consent events in (user id, identity) order, read into one reused buffer.
pub(crate) struct EventCursor<'s> {
    rows: rusqlite::Rows<'s>,
    buffer: EventRow,
    valid: bool,
}

impl<'s> EventCursor<'s> {
    /// The cursor over `EVENTS_AS_OF` prepared in `stmt`, before its first row.
    fn open(stmt: &'s mut Statement<'_>, as_of_us: i64) -> Result<EventCursor<'s>> {
        Ok(EventCursor {
            rows: stmt.query([as_of_us])?,
            buffer: EventRow::default(),
            valid: false,
        })
    }
}

impl Cursor for EventCursor<'_> {
    type Row = EventRow;

    fn advance(&mut self) -> Result<()> {
        self.valid = match self.rows.next()? {
            Some(r) => {
                read_event(r, &mut self.buffer)?;
                true
            }
            None => false,
        };
        Ok(())
    }

    fn current(&self) -> Option<&EventRow> {
        self.valid.then_some(&self.buffer)
    }
}

fn read_event(r: &rusqlite::Row<'_>, e: &mut EventRow) -> rusqlite::Result<()> {
    let text = |i: usize| -> rusqlite::Result<&str> { Ok(r.get_ref(i)?.as_str()?) };
    e.identity.clear();
    e.identity
        .extend_from_slice(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
    e.user_id.clear();
    e.user_id.push_str(text(1)?);
    e.purpose = text(2)?
        .parse()
        .map_err(|e: FieldError| conversion(2, e.message))?;
    e.decision = text(3)?
        .parse()
        .map_err(|e: FieldError| conversion(3, e.message))?;
    e.at = r.get(4)?;
    Ok(())
}

const EVENTS_AS_OF: &str = "SELECT identity, user_id, purpose, decision, effective_us
     FROM consent_events WHERE effective_us <= ?1 ORDER BY user_id, identity";

/// Opens a cursor over the registry and one over the events effective at or before
/// `as_of_us`, both in user-id order (what `consent::fold_as_of` merges), for `f`.
pub(crate) fn with_consent_cursors<T>(
    conn: &Connection,
    as_of_us: i64,
    f: impl FnOnce(&mut UserCursor<'_>, &mut EventCursor<'_>) -> Result<T>,
) -> Result<T> {
    cursors(conn, REGISTRY, None, as_of_us, f)
}

/// As [`with_consent_cursors`], with the registry as it stood at `registry_at` (an
/// instant as the store writes them): a user that an import changed after then reads
/// as that import found them (its change's before-image). A change counts from the time
/// it was imported.
pub(crate) fn with_consent_cursors_at<T>(
    conn: &Connection,
    as_of_us: i64,
    registry_at: &str,
    f: impl FnOnce(&mut UserCursor<'_>, &mut EventCursor<'_>) -> Result<T>,
) -> Result<T> {
    cursors(conn, REGISTRY_AT, Some(registry_at), as_of_us, f)
}

const REGISTRY: &str = "SELECT user_id, country, birth_date, status FROM users ORDER BY user_id";

// SQLite returns the bare column `before` of the row that gives min(id): the first
// change after the instant, whose before-image is the user as they stood then.
const REGISTRY_AT: &str = "
    WITH undo AS (
        SELECT user_id, before, min(id) FROM user_changes WHERE changed_at > ?1 GROUP BY user_id
    )
    SELECT u.user_id,
           CASE WHEN c.before IS NULL THEN u.country ELSE c.before ->> '$.country' END,
           CASE WHEN c.before IS NULL THEN u.birth_date ELSE c.before ->> '$.birth_date' END,
           CASE WHEN c.before IS NULL THEN u.status ELSE c.before ->> '$.status' END
    FROM users u LEFT JOIN undo c ON c.user_id = u.user_id
    ORDER BY u.user_id";

fn cursors<T>(
    conn: &Connection,
    registry_sql: &str,
    registry_at: Option<&str>,
    as_of_us: i64,
    f: impl FnOnce(&mut UserCursor<'_>, &mut EventCursor<'_>) -> Result<T>,
) -> Result<T> {
    let mut users_stmt = conn.prepare(registry_sql)?;
    let mut events_stmt = conn.prepare(EVENTS_AS_OF)?;
    let rows = match registry_at {
        Some(at) => users_stmt.query([at])?,
        None => users_stmt.query([])?,
    };
    let mut users = UserCursor {
        rows,
        current: None,
    };
    let mut events = EventCursor::open(&mut events_stmt, as_of_us)?;
    f(&mut users, &mut events)
}

/// Cursors for `consent::fold_at_instants`: the registry as it stands, every registry
/// change, and the events effective at or before `as_of_us` (the last instant), each in
/// user-id order.
pub(crate) fn with_registry_history<T>(
    conn: &Connection,
    as_of_us: i64,
    f: impl FnOnce(&mut UserCursor<'_>, &mut ChangeCursor<'_>, &mut EventCursor<'_>) -> Result<T>,
) -> Result<T> {
    let mut users_stmt = conn.prepare(REGISTRY)?;
    let mut changes_stmt = conn.prepare(
        "SELECT user_id, before ->> '$.country', before ->> '$.birth_date',
                before ->> '$.status', changed_at
         FROM user_changes ORDER BY user_id, id",
    )?;
    let mut events_stmt = conn.prepare(EVENTS_AS_OF)?;
    let mut users = UserCursor {
        rows: users_stmt.query([])?,
        current: None,
    };
    let mut changes = ChangeCursor {
        rows: changes_stmt.query([])?,
        current: None,
    };
    let mut events = EventCursor::open(&mut events_stmt, as_of_us)?;
    f(&mut users, &mut changes, &mut events)
}

/// Registry changes in (user id, change id) order, one at a time.
pub(crate) struct ChangeCursor<'s> {
    rows: rusqlite::Rows<'s>,
    current: Option<ChangeRow>,
}

impl Cursor for ChangeCursor<'_> {
    type Row = ChangeRow;

    fn advance(&mut self) -> Result<()> {
        self.current = match self.rows.next()? {
            Some(row) => Some(ChangeRow {
                before: user_from_row(row)?,
                changed_at: row.get(4)?,
            }),
            None => None,
        };
        Ok(())
    }

    fn current(&self) -> Option<&ChangeRow> {
        self.current.as_ref()
    }
}

/// Opens a cursor over the events effective at or before `as_of_us`, in user-id order.
pub(crate) fn with_event_cursor<T>(
    conn: &Connection,
    as_of_us: i64,
    f: impl FnOnce(&mut EventCursor<'_>) -> Result<T>,
) -> Result<T> {
    let mut stmt = conn.prepare(EVENTS_AS_OF)?;
    let mut events = EventCursor::open(&mut stmt, as_of_us)?;
    f(&mut events)
}

/// The overview's counts; the per-purpose decisions are left to the operation.
pub(crate) fn overview(conn: &Connection) -> Result<crate::model::overview::ConsentOverview> {
    use std::collections::BTreeMap;
    let policy = current_policy(conn)?;
    let count = |sql: &str| -> rusqlite::Result<u64> {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
    };
    let users = count("SELECT count(*) FROM users")?;
    let events = count("SELECT count(*) FROM consent_events")?;
    let mut by_status = BTreeMap::new();
    for s in ["active", "deleted", "suspended"] {
        by_status.insert(s.to_string(), 0);
    }
    let mut stmt = conn.prepare("SELECT status, count(*) FROM users GROUP BY status")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (s, n) = row?;
        by_status.insert(s, n as u64);
    }
    let placeholders = policy
        .opt_in_countries
        .iter()
        .map(|_| "?")
        .collect::<Vec<_>>()
        .join(",");
    let opt_in_regime: i64 = conn.query_row(
        &format!("SELECT count(*) FROM users WHERE country IN ({placeholders})"),
        rusqlite::params_from_iter(policy.opt_in_countries.iter()),
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(
        "SELECT id, kind, file, rows_read, added, changed, skipped, at, actor
         FROM imports ORDER BY id DESC LIMIT 10",
    )?;
    let imports = stmt
        .query_map([], |r| {
            Ok(crate::model::imports::ImportSummary {
                id: r.get(0)?,
                kind: r.get(1)?,
                file: r.get(2)?,
                rows_read: r.get::<_, i64>(3)? as u64,
                added: r.get::<_, i64>(4)? as u64,
                changed: r.get::<_, i64>(5)? as u64,
                skipped: r.get::<_, i64>(6)? as u64,
                at: r.get(7)?,
                actor: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(crate::model::overview::ConsentOverview {
        policy,
        users,
        by_status,
        opt_in_regime: opt_in_regime as u64,
        opt_out_regime: users - opt_in_regime as u64,
        events,
        // Decided by `consent::latest_per_user` over `with_event_cursor`: the rule that
        // deny wins a tie lives once, in the model.
        denied: BTreeMap::new(),
        allowed: BTreeMap::new(),
        imports,
        gate: None,
    })
}
