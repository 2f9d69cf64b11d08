//! SQL for the registry, the consent ledger, imports and the policy.

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Statement};

use super::integrity::cell_of;
use super::{text, Tx};

use crate::error::{FieldError, Result};
use crate::model::consent::{AccountStatus, ChangeRow, Cursor, EventRow, Policy, RegistryUser};
use crate::model::digest::{encode_row, row_key, Cell, ContentDigest, Fingerprint};
use crate::model::imports::{micros_text, EventRows, IdentityAt, ImportReport, UserRef, UserRows};

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

/// What writing a registry file did: its counts, and the fingerprints of the registry
/// it left and of the changes it recorded (see `ImportReport::content_sha256`).
pub(crate) struct RegistryWritten {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub content: Fingerprint,
    pub changes: Fingerprint,
}

/// One recorded change: its place in the file, the user before, and the row after.
struct Change {
    order: usize,
    before: RegistryUser,
    after: usize,
}

/// A stored registry row as read for the merge, lent from SQLite.
struct Stored<'r> {
    user_id: &'r [u8],
    cells: [ValueRef<'r>; 4],
}

/// A user as the rows before left them, while the rows of its id are applied.
#[derive(Clone, Copy)]
enum Known<'a> {
    Absent,
    Stored(&'a Stored<'a>),
    Row(UserRef<'a>),
}

impl Known<'_> {
    /// Whether `row` says nothing new about the user.
    fn same_as(&self, row: &UserRef<'_>) -> Result<bool> {
        Ok(match self {
            Known::Absent => false,
            Known::Stored(s) => stored_equal(s, row) || same_user(&stored_user(s)?, row),
            Known::Row(r) => {
                r.country == row.country && r.birth_date == row.birth_date && r.status == row.status
            }
        })
    }

    fn user(&self) -> Result<RegistryUser> {
        match self {
            Known::Absent => unreachable!("an absent user has no image"),
            Known::Stored(s) => stored_user(s),
            Known::Row(r) => Ok(r.to_user()),
        }
    }
}

/// Whether the stored cells are exactly the row's, as the store writes them (the
/// common case, told without building the stored user).
fn stored_equal(s: &Stored<'_>, row: &UserRef<'_>) -> bool {
    let text = |v: ValueRef<'_>, want: &[u8]| matches!(v, ValueRef::Text(t) if t == want);
    let birth = match (s.cells[2], row.birth_date) {
        (ValueRef::Null, None) => true,
        (ValueRef::Text(t), Some(d)) => t == date_bytes(d),
        _ => false,
    };
    text(s.cells[1], row.country.as_bytes())
        && birth
        && text(s.cells[3], row.status.token().as_bytes())
}

/// Writes a registry file's rows (`users`, sorted by user id) in one pass over the
/// stored registry in user-id order: a user the store lacks is added, a different row
/// updates it and records the change (before and after images), an equal row does
/// nothing. Rows of one id apply in file order, each against the one before. The
/// registry's fingerprint is taken from the merge (the rows it leaves, in user-id
/// order), the changes' from the rows as inserted: what `audit verify` reads back,
/// without reading the tables again. Then the writes, in key order (new users
/// [`BATCH_ROWS`] to a statement); the changes in file order (the ids they get are
/// the ones a row-by-row import gave). `tick` is called once per row of the file, to
/// report progress and to cancel.
pub(crate) fn write_registry(
    tx: &Tx<'_>,
    import_id: i64,
    users: &UserRows,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<RegistryWritten> {
    let conn = tx.conn();
    let mut content = ContentDigest::default();
    // The rows (in `users` order) the file's new and changed users end as.
    let mut inserts: Vec<usize> = Vec::new();
    let mut updates: Vec<usize> = Vec::new();
    let mut changes: Vec<Change> = Vec::new();
    let (mut added, mut changed, mut unchanged) = (0u64, 0u64, 0u64);
    let mut encoded = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT user_id, country, birth_date, status FROM users ORDER BY user_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut stored = rows.next()?;
        let mut next = 0;
        loop {
            let file_id = (next < users.len()).then(|| users.get(next).user_id.as_bytes());
            let stored_row = match stored {
                Some(r) => Some(Stored {
                    user_id: r.get_ref(0)?.as_bytes().map_err(rusqlite::Error::from)?,
                    cells: [r.get_ref(0)?, r.get_ref(1)?, r.get_ref(2)?, r.get_ref(3)?],
                }),
                None => None,
            };
            let take_stored = match (&stored_row, file_id) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(s), Some(f)) => s.user_id < f,
            };
            if take_stored {
                let s = stored_row.expect("a stored row");
                encoded.clear();
                encode_row(&s.cells.map(cell_of), &mut encoded);
                content.add(s.user_id, &encoded);
                stored = rows.next()?;
                continue;
            }
            // The file's rows of this id, against the stored row of the same id if any.
            let id = file_id.expect("a file row");
            let mut end = next + 1;
            while end < users.len() && users.get(end).user_id.as_bytes() == id {
                end += 1;
            }
            let same = stored_row.filter(|s| s.user_id == id);
            let mut known = match &same {
                Some(s) => Known::Stored(s),
                None => Known::Absent,
            };
            let mut touched = false;
            for i in next..end {
                let row = users.get(i);
                if matches!(known, Known::Absent) {
                    added += 1;
                } else if known.same_as(&row)? {
                    unchanged += 1;
                    tick()?;
                    continue;
                } else {
                    changed += 1;
                    changes.push(Change {
                        order: row.order,
                        before: known.user()?,
                        after: i,
                    });
                }
                known = Known::Row(row);
                touched = true;
                if i + 1 < end {
                    // Only the last row of the id is written; it ticks when it is.
                    tick()?;
                }
            }
            encoded.clear();
            match (touched, &same) {
                (true, _) => {
                    let last = users.get(end - 1);
                    let birth = last.birth_date.map(date_bytes);
                    encode_row(
                        &[
                            Cell::Text(last.user_id.as_bytes()),
                            Cell::Text(last.country.as_bytes()),
                            birth.as_ref().map_or(Cell::Null, |b| Cell::Text(b)),
                            Cell::Text(last.status.token().as_bytes()),
                        ],
                        &mut encoded,
                    );
                    if same.is_some() {
                        updates.push(end - 1);
                    } else {
                        inserts.push(end - 1);
                    }
                }
                (false, Some(s)) => encode_row(&s.cells.map(cell_of), &mut encoded),
                (false, None) => unreachable!("a new user is always written"),
            }
            content.add(id, &encoded);
            if same.is_some() {
                stored = rows.next()?;
            }
            next = end;
        }
    }
    let now = tx.now();
    insert_chunked(
        conn,
        (USER_INSERT, USER_ROW),
        &[&now],
        4,
        USER_BATCH_ROWS,
        &inserts,
        tick,
        |stmt, at, i| {
            let u = users.get(i);
            let birth = u.birth_date.map(date_bytes);
            stmt.raw_bind_parameter(at + 1, u.user_id)?;
            stmt.raw_bind_parameter(at + 2, u.country)?;
            stmt.raw_bind_parameter(at + 3, birth.as_ref().map(date_str))?;
            stmt.raw_bind_parameter(at + 4, u.status.token())?;
            Ok(())
        },
    )?;
    let mut update = conn.prepare_cached(
        "UPDATE users SET country = ?2, birth_date = ?3, status = ?4, updated_at = ?5
         WHERE user_id = ?1",
    )?;
    for &i in &updates {
        let u = users.get(i);
        let birth = u.birth_date.map(date_bytes);
        let birth = birth.as_ref().map(date_str);
        update.execute(params![u.user_id, u.country, birth, u.status.token(), now])?;
        tick()?;
    }
    changes.sort_unstable_by_key(|c| c.order);
    let mut record = conn.prepare_cached(
        "INSERT INTO user_changes (import_id, user_id, changed_at, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut digest = ContentDigest::default();
    for change in &changes {
        let before = user_json(&change.before);
        let after = user_json(&users.get(change.after).to_user());
        let user_id = &change.before.user_id;
        record.execute(params![import_id, user_id, now, before, after])?;
        encoded.clear();
        encode_row(
            &[
                Cell::Text(user_id.as_bytes()),
                Cell::Text(now.as_bytes()),
                Cell::Text(before.as_bytes()),
                Cell::Text(after.as_bytes()),
            ],
            &mut encoded,
        );
        digest.add(&row_key(conn.last_insert_rowid()), &encoded);
    }
    Ok(RegistryWritten {
        added,
        changed,
        unchanged,
        content: content.finish(),
        changes: digest.finish(),
    })
}

/// The import's time, `?1`, is bound once a statement for all its rows.
const USER_INSERT: &str = "INSERT INTO users (first_seen_at, updated_at, user_id, country,
    birth_date, status) VALUES ";
const USER_ROW: &str = "(?1, ?1, ?, ?, ?, ?)";

/// A birth date as the store writes it: chrono's `%F`, as rusqlite binds a date (the
/// same text for the years 0 to 9999, and a birth date is from 1900 to today).
fn date_bytes(d: NaiveDate) -> [u8; 10] {
    use chrono::Datelike;
    let (y, m, day) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    let digit = |n: u32| b'0' + (n % 10) as u8;
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ]
}

fn date_str(bytes: &[u8; 10]) -> &str {
    std::str::from_utf8(bytes).expect("ASCII digits")
}

/// The stored row as a user, read as a row-by-row import read it.
fn stored_user(s: &Stored<'_>) -> Result<RegistryUser> {
    use rusqlite::types::FromSql;
    let text = |i: usize| -> rusqlite::Result<String> {
        String::column_result(s.cells[i]).map_err(|e| from_sql(i, e))
    };
    let birth_date = Option::<NaiveDate>::column_result(s.cells[2]).map_err(|e| from_sql(2, e))?;
    Ok(RegistryUser {
        user_id: text(0)?,
        country: text(1)?,
        birth_date,
        status: text(3)?
            .parse()
            .map_err(|e: FieldError| conversion(3, e.message))?,
    })
}

fn from_sql(column: usize, e: rusqlite::types::FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
}

fn same_user(stored: &RegistryUser, row: &UserRef<'_>) -> bool {
    stored.country == row.country
        && stored.birth_date == row.birth_date
        && stored.status == row.status
}

fn user_json(u: &RegistryUser) -> String {
    serde_json::to_string(u).expect("serializable")
}

/// What writing a ledger file did: the events added and those already stored (or
/// repeated in the file), and the fingerprint of the added ones.
pub(crate) struct EventsWritten {
    pub added: u64,
    pub unchanged: u64,
    pub content: Fingerprint,
}

/// Writes a ledger file's events: those whose identity is neither stored nor earlier in
/// the file are inserted, in file order (so they get the ids a row-by-row import gave
/// them). Which ones are new is decided first, over the events in identity order
/// (`by_identity`): against the stored identities read in the same order when the file
/// is large beside the ledger, else looked up one by one. The fingerprint of the added
/// events is taken as they are inserted (what `audit verify` reads back). `by_identity`
/// is freed once that is decided, before the inserts (its 20 bytes an event would add
/// to the peak the page cache makes then).
/// `tick` is called once per event.
pub(crate) fn write_events(
    tx: &Tx<'_>,
    import_id: i64,
    events: &EventRows,
    by_identity: Vec<IdentityAt>,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<EventsWritten> {
    let conn = tx.conn();
    let mut new = vec![false; events.len()];
    let ledger_rows: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM consent_events", [], |r| {
            r.get(0)
        })?;
    let merge = (events.len() as i64).saturating_mul(MERGE_RATIO) >= ledger_rows;
    {
        let mut scan =
            conn.prepare_cached("SELECT identity FROM consent_events ORDER BY identity")?;
        let mut probe = conn.prepare_cached("SELECT 1 FROM consent_events WHERE identity = ?1")?;
        let mut rows = if merge { Some(scan.query([])?) } else { None };
        let mut stored: Option<[u8; 16]> = None;
        let advance = |rows: &mut Option<rusqlite::Rows<'_>>| -> Result<Option<[u8; 16]>> {
            let Some(rows) = rows else { return Ok(None) };
            Ok(match rows.next()? {
                Some(r) => Some(identity_of(r.get_ref(0)?)),
                None => None,
            })
        };
        if merge {
            stored = advance(&mut rows)?;
        }
        let mut previous: Option<&[u8; 16]> = None;
        for &IdentityAt {
            ref identity,
            at: i,
        } in &by_identity
        {
            if previous == Some(identity) {
                tick()?;
                continue;
            }
            previous = Some(identity);
            let known = if merge {
                while stored.is_some_and(|s| s < *identity) {
                    stored = advance(&mut rows)?;
                }
                stored == Some(*identity)
            } else {
                probe.exists([&identity[..]])?
            };
            if known {
                tick()?;
            }
            new[i as usize] = !known;
        }
    }
    // Not needed any more: its memory is free before SQLite's cache grows for the inserts.
    drop(by_identity);
    // An import that at least doubles the ledger builds the identity and by-user indexes
    // again after its inserts (one sort each) instead of inserting into them event by
    // event, each at a place of its own: the same indexes, in a fraction of the time.
    // In this transaction, so a failed or cancelled import leaves them as they were;
    // the identity index is `UNIQUE`, so building it fails (and the import with it) if
    // two events share an identity, as an insert into it would have.
    let adding = new.iter().filter(|n| **n).count() as i64;
    let mut rebuilt: Vec<String> = Vec::new();
    if adding > 0 && adding >= ledger_rows {
        for name in REBUILT {
            let sql: Option<String> = conn
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(sql) = sql {
                conn.execute_batch(&format!("DROP INDEX {name}"))?;
                rebuilt.push(sql);
            }
        }
    }
    let rows: Vec<usize> = (0..events.len()).filter(|&i| new[i]).collect();
    insert_chunked(
        conn,
        (EVENT_INSERT, EVENT_ROW),
        &[&import_id],
        7,
        match rebuilt.is_empty() {
            true => EVENT_BATCH_ROWS,
            false => EVENT_BATCH_ROWS_UNINDEXED,
        },
        &rows,
        tick,
        |stmt, at, i| {
            let e = events.get(i);
            stmt.raw_bind_parameter(at + 1, &e.identity[..])?;
            stmt.raw_bind_parameter(at + 2, e.user_id)?;
            stmt.raw_bind_parameter(at + 3, e.purpose.token())?;
            stmt.raw_bind_parameter(at + 4, e.decision.token())?;
            stmt.raw_bind_parameter(at + 5, micros_text(e.effective_us))?;
            stmt.raw_bind_parameter(at + 6, e.effective_us)?;
            stmt.raw_bind_parameter(at + 7, e.source)?;
            Ok(())
        },
    )?;
    // The ids the inserts gave, one after the other in file order (as row by row).
    let added = rows.len() as u64;
    let first = conn.last_insert_rowid() - added as i64 + 1;
    let mut digest = ContentDigest::default();
    for (n, &i) in rows.iter().enumerate() {
        digest.add(&row_key(first + n as i64), events.get(i).identity);
    }
    if !rebuilt.is_empty() {
        // SQLite's sorter may sort in a second thread while the first reads.
        let threads: i64 = conn.pragma_query_value(None, "threads", |r| r.get(0))?;
        conn.pragma_update(None, "threads", 2)?;
        // A small cache while sorting: SQLite sorts runs of the cache's size in memory
        // and merges them, and runs that fit the CPU's caches sort faster than runs of
        // 256 MiB (bench/README.md, 2026-12-01).
        let created = tx.with_cache_mib(SORT_CACHE_MIB, || {
            Ok(rebuilt.iter().try_for_each(|sql| conn.execute_batch(sql))?)
        });
        conn.pragma_update(None, "threads", threads)?;
        created?;
    }
    Ok(EventsWritten {
        added,
        unchanged: events.len() as u64 - added,
        content: digest.finish(),
    })
}

/// The import, `?1`, is bound once a statement for all its events.
const EVENT_INSERT: &str = "INSERT INTO consent_events (import_id, identity, user_id, purpose,
    decision, effective_at, effective_us, source) VALUES ";
const EVENT_ROW: &str = "(?1, ?, ?, ?, ?, ?, ?, ?)";

/// Inserts `rows` with `insert` (`INSERT INTO t (columns) VALUES ` and the parameters
/// of one row, `shared` first as `?1`, `?2`...: values all rows take, bound once a
/// statement, then `columns` of the row's own as `?`), [`BATCH_ROWS`] rows to a
/// statement: a statement runs its opcodes and opens and closes its cursors once per
/// batch instead of once per row. Rows get their rowids in the order given, as
/// row-by-row inserts give them. `bind` binds one row's own values from parameter
/// `at + 1` on; `tick` is called once per row.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_chunked<T: Copy>(
    conn: &Connection,
    insert: (&str, &str),
    shared: &[&dyn rusqlite::ToSql],
    columns: usize,
    batch: usize,
    rows: &[T],
    tick: &mut dyn FnMut() -> Result<()>,
    mut bind: impl FnMut(&mut Statement<'_>, usize, T) -> Result<()>,
) -> Result<()> {
    let mut full = conn.prepare_cached(&batch_sql(insert, batch))?;
    for chunk in rows.chunks(batch) {
        let mut tail;
        let stmt: &mut Statement<'_> = if chunk.len() == batch {
            &mut full
        } else {
            tail = conn.prepare(&batch_sql(insert, chunk.len()))?;
            &mut tail
        };
        for (n, value) in shared.iter().enumerate() {
            stmt.raw_bind_parameter(n + 1, value)?;
        }
        for (k, row) in chunk.iter().enumerate() {
            bind(stmt, shared.len() + k * columns, *row)?;
        }
        stmt.raw_execute()?;
        for _ in chunk {
            tick()?;
        }
    }
    Ok(())
}

/// New users come in key order, so a batch of them touches a page or two.
pub(super) const BATCH_ROWS: usize = 64;

/// A registry import's new users, which come in key order too, a statement: a
/// statement runs its setup (opcodes, cursors) once for all of them. (Before migration
/// 0010 it also built, once per run, the table the `status IN (...)` check looked
/// values up in.)
const USER_BATCH_ROWS: usize = 256;

/// New events land on pages of the identity index all over it, and a statement of
/// several rows keeps the pages it changes in a statement journal (a file past 64 KiB),
/// which costs more than it saves: one row a statement.
const EVENT_BATCH_ROWS: usize = 1;

/// Without those indexes (dropped for a large import) new events only append to the
/// table: a statement journals the last page or two, and a statement of many rows runs
/// its setup (opcodes, cursors, the table `purpose IN (...)` is checked against) once.
const EVENT_BATCH_ROWS_UNINDEXED: usize = 64;

/// `insert` followed by `rows` copies of its row. SQLite numbers a plain `?` one past
/// the highest number before it, so each row's own parameters follow the ones before.
fn batch_sql((insert, row): (&str, &str), rows: usize) -> String {
    format!("{insert}{}", vec![row; rows].join(","))
}

/// The page cache while the ledger's indexes are built again: SQLite's default.
const SORT_CACHE_MIB: i64 = 2;

/// The ledger's indexes a large import builds again after its inserts: the identity's
/// uniqueness (migration 0009) and the events by user (0002, made again by 0009).
const REBUILT: [&str; 2] = ["consent_events_by_identity", "consent_events_by_user"];

/// A file with at least 1/`MERGE_RATIO` as many events as the ledger holds is checked
/// against the ledger by reading the stored identities in order (one pass over their
/// index); a smaller one by looking its identities up. Either way gives the same events.
const MERGE_RATIO: i64 = 16;

/// A stored identity; a value of another shape (a tampered store) as no identity a
/// file's event can have.
fn identity_of(v: ValueRef<'_>) -> [u8; 16] {
    match v {
        ValueRef::Blob(b) if b.len() == 16 => b.try_into().expect("16 bytes"),
        _ => [0; 16],
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
    let mut user = blank_user();
    read_user(r, &mut user)?;
    Ok(user)
}

/// A user to read rows into.
fn blank_user() -> RegistryUser {
    RegistryUser {
        user_id: String::new(),
        country: String::new(),
        birth_date: None,
        status: AccountStatus::Active,
    }
}

/// Reads a registry row into `u`, reusing its strings: a fold over every user then
/// allocates nothing per user.
fn read_user(r: &rusqlite::Row<'_>, u: &mut RegistryUser) -> rusqlite::Result<()> {
    u.user_id.clear();
    u.user_id.push_str(text(r, 0)?);
    u.country.clear();
    u.country.push_str(text(r, 1)?);
    // Stored as `YYYY-MM-DD` (calendar::date_bytes): read by the strict parser, several
    // times cheaper than chrono's format-driven one for a fold over every user.
    u.birth_date = match r.get_ref(2)?.as_str_or_null()? {
        None => None,
        Some(text) => Some(
            crate::model::calendar::parse_date("birth_date", text)
                .map_err(|e| conversion(2, e.message))?,
        ),
    };
    u.status = text(r, 3)?
        .parse()
        .map_err(|e: FieldError| conversion(3, e.message))?;
    Ok(())
}

fn conversion(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

/// The registry in user-id order, one user at a time, read into one reused buffer.
pub(crate) struct UserCursor<'s> {
    rows: rusqlite::Rows<'s>,
    buffer: RegistryUser,
    valid: bool,
}

impl<'s> UserCursor<'s> {
    fn new(rows: rusqlite::Rows<'s>) -> UserCursor<'s> {
        UserCursor {
            rows,
            buffer: blank_user(),
            valid: false,
        }
    }
}

impl Cursor for UserCursor<'_> {
    type Row = RegistryUser;

    fn advance(&mut self) -> Result<()> {
        self.valid = match self.rows.next()? {
            Some(row) => {
                read_user(row, &mut self.buffer)?;
                true
            }
            None => false,
        };
        Ok(())
    }

    fn current(&self) -> Option<&RegistryUser> {
        self.valid.then_some(&self.buffer)
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
    e.identity.clear();
    e.identity
        .extend_from_slice(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
    e.user_id.clear();
    e.user_id.push_str(text(r, 1)?);
    e.purpose = text(r, 2)?
        .parse()
        .map_err(|e: FieldError| conversion(2, e.message))?;
    e.decision = text(r, 3)?
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
    let mut users = UserCursor::new(rows);
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
    let mut users = UserCursor::new(users_stmt.query([])?);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::consent::Decision;
    use crate::model::purpose::Purpose;
    use crate::store::Store;

    /// One event for each of `users` (the same decision at the same instant), as a
    /// file gives them: a user named twice is the same event twice.
    fn events(users: &[&str]) -> EventRows {
        let mut rows = EventRows::default();
        let mut buffer = Vec::new();
        let at = chrono::DateTime::from_timestamp(86_400, 0).unwrap();
        for user in users {
            rows.push(user, Purpose::Search, Decision::Deny, at, "s", &mut buffer);
        }
        rows
    }

    /// Writes `events` as a ledger import, taking them in `order` (an import passes them
    /// in identity order, which is how it tells a repeat from a new event).
    fn import(store: &Store, events: &EventRows, order: Vec<IdentityAt>) -> Result<u64> {
        store.write(|tx| {
            let id = begin_import(tx, "ledger", Path::new("ledger.csv"))?;
            Ok(write_events(tx, id, events, order, &mut || Ok(()))?.added)
        })
    }

    /// `events` in file order, not identity order.
    fn file_order(events: &EventRows) -> Vec<IdentityAt> {
        (0..events.len())
            .map(|i| IdentityAt {
                identity: *events.get(i).identity,
                at: i as u32,
            })
            .collect()
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.lock().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The ledger's identities stay unique whichever way an import writes: a repeated
    /// event that got past the check (here: taken out of identity order, so the two
    /// are not side by side) fails the import, and it wrote nothing; both indexes stay.
    #[test]
    fn an_event_repeated_past_the_check_fails_the_import_whole() {
        let store = Store::open_in_memory().unwrap();
        let indexes = "SELECT count(*) FROM sqlite_schema WHERE type = 'index'
                       AND name IN ('consent_events_by_identity', 'consent_events_by_user')";
        // A large import (the indexes dropped and built again): `a` at index 0 and 6.
        let large = events(&["a", "b", "c", "d", "e", "f", "a"]);
        assert_eq!(large.get(0).identity, large.get(6).identity);
        let e = import(&store, &large, file_order(&large))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UNIQUE constraint failed"), "{e}");
        assert_eq!(count(&store, "SELECT count(*) FROM consent_events"), 0);
        assert_eq!(count(&store, "SELECT count(*) FROM imports"), 0);
        assert_eq!(count(&store, indexes), 2);
        // In identity order the same events import, the repeat once.
        assert_eq!(import(&store, &large, large.by_identity()).unwrap(), 6);
        // A small import beside the ledger (the indexes kept): `g` twice.
        let many: Vec<String> = (0..100).map(|i| format!("u{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let ledger = events(&many);
        assert_eq!(import(&store, &ledger, ledger.by_identity()).unwrap(), 100);
        let small = events(&["g", "h", "g"]);
        let e = import(&store, &small, file_order(&small))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UNIQUE constraint failed"), "{e}");
        assert_eq!(count(&store, "SELECT count(*) FROM consent_events"), 106);
        assert_eq!(count(&store, "SELECT count(*) FROM imports"), 2);
        assert_eq!(count(&store, indexes), 2);
        assert_eq!(import(&store, &small, small.by_identity()).unwrap(), 2);
    }
}
