//! Tamper evidence for the data, not only for the log.
//!
//! The audit chain proves that its entries were not edited, removed or reordered; the
//! triggers only stop mistakes, and anyone with `sqlite3` can drop them and edit a table
//! directly. This module proves that the data the chain vouches for is still what its
//! entries say, and names the table and row of every difference:
//!
//! - **partners, deals, policies, sealed snapshots**: each row equals the after-image of
//!   its latest audit entry, rendered the same way and compared field by field (a
//!   deal's `partner_name` and `renewed_by` are derived from other rows and left out).
//!   A row without an entry was forged; an entry without its row means a deleted row.
//!   Policy version 1, written by the migration, must be the built-in default.
//! - **imports**: each row matches its import's entry (file, counts, time, actor).
//! - **consent events**: each row still matches its own identity (the hash of its
//!   normalized content) and its `effective_us`; each belongs to a recorded ledger
//!   import; each import's events still hash to the digest its entry recorded; ids are
//!   given out without gaps, so a missing id is a deleted event.
//! - **the registry**: the `users` table still hashes to the digest its latest registry
//!   import recorded.
//! - **snapshot users**: each sealed snapshot still lists the users, record count and
//!   users digest it was sealed with.
//!
//! Digests prove; the sketch beside each one (see [`digest`]) only says which rows
//! differ. Entries written before digests were recorded are not checked against them.
//! Not covered: `user_changes` (the history of registry rows), the snapshot files
//! themselves (`snapshot verify` re-hashes them), and a whole file rewritten with a
//! recomputed chain and digests (only a head kept elsewhere catches that).
//!
//! The comparisons are pure functions; `store::integrity` reads the rows.

pub(crate) mod digest;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::audit::AuditProblem;
use crate::consent::{Decision, DEFAULT_OPT_IN};
use crate::deal::DealId;
use crate::error::Result;
use crate::ledger::{micros, parse_instant, Event};
use crate::partner::PartnerId;
use crate::purpose::Purpose;
use crate::snapshot::SnapshotId;
use crate::store::{self, integrity::EventRow};
use digest::{event_key, ContentDigest, Fingerprint, Locator, Sketch};

/// At most this many problems are listed per table; the rest are counted.
const MAX_LISTED_PER_TABLE: usize = 100;

/// Runs every data check and returns every difference found.
pub(crate) fn check(conn: &Connection) -> Result<Vec<AuditProblem>> {
    let entries = Entries::read(conn)?;
    let mut found = Findings::default();
    for kind in &VOUCHED {
        check_rows(conn, &entries, kind, &mut found)?;
    }
    check_snapshot_users(conn, &entries, &mut found);
    check_imports(conn, &entries, &mut found)?;
    check_events(conn, &entries, &mut found)?;
    check_registry(conn, &entries, &mut found)?;
    Ok(found.into_problems())
}

/// The latest audit entry about one entity.
struct Entry {
    seq: i64,
    action: String,
    at: String,
    actor: String,
    /// `None`: the entry records no after-image.
    after: Option<Value>,
}

impl Entry {
    fn describe(&self) -> String {
        format!("audit entry {} ({})", self.seq, self.action)
    }
}

/// The latest entry of every entity, by entity and id.
struct Entries(BTreeMap<(String, i64), Entry>);

impl Entries {
    fn read(conn: &Connection) -> Result<Entries> {
        let mut map = BTreeMap::new();
        for e in store::integrity::latest_entries(conn)? {
            // Text that is not JSON can only come from tampering, which the chain walk
            // reports; compared as a string it differs from any row.
            let after = e
                .after
                .map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)));
            let entry = Entry {
                seq: e.seq,
                action: e.action,
                at: e.at,
                actor: e.actor,
                after,
            };
            map.insert((e.entity, e.entity_id), entry);
        }
        Ok(Entries(map))
    }

    fn get(&self, entity: &str, id: i64) -> Option<&Entry> {
        self.0.get(&(entity.to_string(), id))
    }

    /// The entries of one kind of entity, by id.
    fn of<'a>(&'a self, entity: &str) -> impl Iterator<Item = (i64, &'a Entry)> + 'a {
        let range = (entity.to_string(), i64::MIN)..=(entity.to_string(), i64::MAX);
        self.0.range(range).map(|((_, id), e)| (*id, e))
    }
}

/// Problems in the order found, at most [`MAX_LISTED_PER_TABLE`] listed per table.
#[derive(Default)]
struct Findings {
    problems: Vec<AuditProblem>,
    listed: HashMap<String, usize>,
    unlisted: BTreeMap<String, u64>,
}

impl Findings {
    fn push(&mut self, problem: AuditProblem) {
        let table = problem.table.clone().unwrap_or_default();
        let listed = self.listed.entry(table.clone()).or_default();
        if *listed < MAX_LISTED_PER_TABLE {
            *listed += 1;
            self.problems.push(problem);
        } else {
            *self.unlisted.entry(table).or_default() += 1;
        }
    }

    fn extend(&mut self, problems: impl IntoIterator<Item = AuditProblem>) {
        for p in problems {
            self.push(p);
        }
    }

    fn into_problems(mut self) -> Vec<AuditProblem> {
        for (table, n) in self.unlisted {
            self.problems.push(AuditProblem::data(
                None,
                &table,
                None,
                format!("{n} more differences in {table} are not listed"),
            ));
        }
        self.problems
    }
}

/// A table whose rows are the after-images of their entities' latest audit entries.
struct Vouched {
    /// The entity as the audit log names it.
    entity: &'static str,
    table: &'static str,
    /// Fields derived from other rows, which change without an entry of this entity.
    derived: &'static [&'static str],
    ids: fn(&Connection) -> Result<Vec<i64>>,
    /// The row rendered as its after-images are.
    render: fn(&Connection, i64) -> Result<Value>,
    /// Whether a row must have an entry (a snapshot still being built has none yet).
    needs_entry: fn(&Value) -> bool,
    /// A row that the migrations wrote without an entry, and what it must be.
    built_in: Option<(i64, fn() -> Value)>,
}

const VOUCHED: [Vouched; 4] = [
    Vouched {
        entity: "partner",
        table: "partners",
        derived: &[],
        ids: store::integrity::partner_ids,
        render: |conn, id| rendered(store::partners::get(conn, PartnerId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "deal",
        table: "deals",
        derived: &["partner_name", "renewed_by"],
        ids: store::integrity::deal_ids,
        render: |conn, id| rendered(store::deals::get(conn, DealId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "policy",
        table: "policies",
        derived: &[],
        ids: store::integrity::policy_versions,
        render: |conn, version| rendered(store::consent::policy(conn, version)),
        needs_entry: |_| true,
        built_in: Some((1, default_policy)),
    },
    Vouched {
        entity: "snapshot",
        table: "snapshots",
        derived: &[],
        ids: store::integrity::snapshot_ids,
        render: |conn, id| rendered(store::snapshots::get(conn, SnapshotId(id))),
        needs_entry: |row| row.get("sealed") == Some(&Value::Bool(true)),
        built_in: None,
    },
];

fn rendered<T: Serialize>(row: Result<T>) -> Result<Value> {
    // Domain types always serialize; were one not to, the null differs from any
    // after-image and is reported.
    row.map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
}

/// Policy version 1 as migration 0002 writes it. Only the fields it sets: later fields
/// are compared as null (see [`differing_fields`]).
fn default_policy() -> Value {
    json!({ "version": 1, "opt_in_countries": DEFAULT_OPT_IN })
}

fn check_rows(
    conn: &Connection,
    entries: &Entries,
    kind: &Vouched,
    found: &mut Findings,
) -> Result<()> {
    let ids = (kind.ids)(conn)?;
    for &id in &ids {
        let entry = entries.get(kind.entity, id);
        match (kind.render)(conn, id) {
            Ok(row) => found.extend(compare_row(kind, id, entry, &row)),
            Err(e) => found.push(AuditProblem::data(
                entry.map(|e| e.seq),
                kind.table,
                Some(id.to_string()),
                format!(
                    "{} row {id} cannot be read, so it was altered: {e}",
                    kind.table
                ),
            )),
        }
    }
    let present: HashSet<i64> = ids.into_iter().collect();
    for (id, entry) in entries.of(kind.entity) {
        if entry.after.is_some() && !present.contains(&id) {
            found.push(AuditProblem::data(
                Some(entry.seq),
                kind.table,
                Some(id.to_string()),
                format!(
                    "{} row {id} was deleted: {} records it",
                    kind.table,
                    entry.describe()
                ),
            ));
        }
    }
    if let Some((id, _)) = kind.built_in.filter(|(id, _)| !present.contains(id)) {
        found.push(AuditProblem::data(
            None,
            kind.table,
            Some(id.to_string()),
            format!(
                "{} row {id}, written by the migrations, was deleted",
                kind.table
            ),
        ));
    }
    Ok(())
}

/// Whether one current row is what its latest entry (or the migrations) say.
fn compare_row(
    kind: &Vouched,
    id: i64,
    entry: Option<&Entry>,
    row: &Value,
) -> Option<AuditProblem> {
    let problem = |seq: Option<i64>, message: String| {
        Some(AuditProblem::data(
            seq,
            kind.table,
            Some(id.to_string()),
            format!("{} row {id} {message}", kind.table),
        ))
    };
    let (seq, recorded, source): (Option<i64>, Cow<'_, Value>, String) = match entry {
        Some(e) => match &e.after {
            Some(after) => (Some(e.seq), Cow::Borrowed(after), e.describe()),
            None => {
                return problem(
                    Some(e.seq),
                    format!(
                        "exists, but {} leaves no such {}",
                        e.describe(),
                        kind.entity
                    ),
                )
            }
        },
        None => match kind.built_in {
            Some((built_in, value)) if built_in == id => {
                (None, Cow::Owned(value()), "the built-in default".into())
            }
            _ if !(kind.needs_entry)(row) => return None,
            _ => {
                return problem(
                    None,
                    "has no audit entry: it was written outside Consentry".into(),
                )
            }
        },
    };
    let diffs = differing_fields(&recorded, row, kind.derived);
    if diffs.is_empty() {
        return None;
    }
    problem(seq, format!("differs from {source}: {}", diffs.join("; ")))
}

/// The fields of two JSON objects whose values differ, `ignored` left out, each as
/// `field is NOW, recorded THEN`. A field missing on one side counts as null there, so
/// an after-image written before a field existed matches a row whose new field is
/// empty. Values that are not both objects are compared whole.
fn differing_fields(recorded: &Value, current: &Value, ignored: &[&str]) -> Vec<String> {
    let (Some(r), Some(c)) = (recorded.as_object(), current.as_object()) else {
        return if recorded == current {
            Vec::new()
        } else {
            vec![format!("is {}, recorded {}", show(current), show(recorded))]
        };
    };
    let mut keys: Vec<&String> = c.keys().collect();
    keys.extend(r.keys().filter(|k| !c.contains_key(*k)));
    keys.into_iter()
        .filter(|k| !ignored.contains(&k.as_str()))
        .filter_map(|k| {
            let (then, now) = (
                r.get(k).unwrap_or(&Value::Null),
                c.get(k).unwrap_or(&Value::Null),
            );
            (then != now).then(|| format!("{k} is {}, recorded {}", show(now), show(then)))
        })
        .collect()
}

/// A value as compact JSON, cut to 80 characters.
fn show(v: &Value) -> String {
    const MAX: usize = 80;
    let text = v.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

fn check_snapshot_users(conn: &Connection, entries: &Entries, found: &mut Findings) {
    for (id, entry) in entries.of("snapshot") {
        let Some(after) = &entry.after else { continue };
        let listed = store::snapshots::included_users(conn, SnapshotId(id));
        found.extend(compare_snapshot_users(id, entry, after, listed));
    }
}

/// Whether a sealed snapshot's user list is the one its sealing entry recorded.
fn compare_snapshot_users(
    id: i64,
    entry: &Entry,
    after: &Value,
    listed: Result<(u64, u64, String)>,
) -> Option<AuditProblem> {
    let sealed = (
        after["included_users"].as_u64(),
        after["records_included"].as_u64(),
        after["included_users_sha256"].as_str(),
    );
    let message = match listed {
        Err(e) => {
            format!("snapshot_users of snapshot {id} cannot be read, so they were altered: {e}")
        }
        Ok((users, records, sha)) if (Some(users), Some(records), Some(sha.as_str())) == sealed => {
            return None
        }
        Ok((users, records, sha)) => format!(
            "snapshot_users of snapshot {id} list {users} users with {records} records (users \
             SHA-256 {sha}); {} sealed it with {}, {} and {}",
            entry.describe(),
            show(&after["included_users"]),
            show(&after["records_included"]),
            show(&after["included_users_sha256"]),
        ),
    };
    Some(AuditProblem::data(
        Some(entry.seq),
        "snapshot_users",
        Some(format!("snapshot_id {id}")),
        message,
    ))
}

/// The fields of an `imports` row that its entry's after-image (the `ImportReport`)
/// also has.
const IMPORT_FIELDS: [&str; 6] = [
    "file",
    "rows_read",
    "added",
    "changed",
    "unchanged",
    "skipped",
];

fn check_imports(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    let mut present = HashSet::new();
    for row in store::integrity::import_rows(conn)? {
        let Some(id) = row.get("id").and_then(Value::as_i64) else {
            continue;
        };
        present.insert(id);
        found.extend(compare_import(id, &row, entries.get("import", id)));
    }
    for (id, entry) in entries.of("import") {
        if !present.contains(&id) {
            found.push(AuditProblem::data(
                Some(entry.seq),
                "imports",
                Some(id.to_string()),
                format!(
                    "imports row {id} was deleted: {} records it",
                    entry.describe()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether an `imports` row is what its entry recorded.
fn compare_import(
    id: i64,
    row: &Map<String, Value>,
    entry: Option<&Entry>,
) -> Option<AuditProblem> {
    let problem = |seq: Option<i64>, message: String| {
        Some(AuditProblem::data(
            seq,
            "imports",
            Some(id.to_string()),
            format!("imports row {id} {message}"),
        ))
    };
    let Some(entry) = entry else {
        return problem(
            None,
            "has no audit entry: it was written outside Consentry".into(),
        );
    };
    let after = entry.after.as_ref().unwrap_or(&Value::Null);
    let column = |name: &str| row.get(name).cloned().unwrap_or(Value::Null);
    let mut recorded = Map::new();
    let mut current = Map::new();
    for field in IMPORT_FIELDS {
        recorded.insert(field.into(), after[field].clone());
        current.insert(field.into(), column(field));
    }
    // Stored as JSON text; text that is not JSON is compared as it is.
    let skipped = column("skipped_lines");
    let skipped = match skipped.as_str().map(serde_json::from_str::<Value>) {
        Some(Ok(parsed)) => parsed,
        _ => skipped,
    };
    recorded.insert("skipped_lines".into(), after["skipped_lines"].clone());
    current.insert("skipped_lines".into(), skipped);
    let kind = entry
        .action
        .strip_suffix(".imported")
        .unwrap_or(&entry.action);
    for (field, then) in [("kind", kind), ("at", &entry.at), ("actor", &entry.actor)] {
        recorded.insert(field.into(), Value::from(then));
        current.insert(field.into(), column(field));
    }
    let diffs = differing_fields(&Value::Object(recorded), &Value::Object(current), &[]);
    if diffs.is_empty() {
        return None;
    }
    problem(
        Some(entry.seq),
        format!("differs from {}: {}", entry.describe(), diffs.join("; ")),
    )
}

/// The digest and sketch an import's entry recorded, if it recorded them.
fn recorded_content(entry: &Entry) -> Option<(&str, Option<Sketch>)> {
    let after = entry.after.as_ref()?;
    let sha = after.get("content_sha256")?.as_str()?;
    let sketch = after
        .get("content_sketch")
        .and_then(Value::as_str)
        .and_then(Sketch::from_hex);
    Some((sha, sketch))
}

fn check_events(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    let imports: BTreeMap<i64, &Entry> = entries
        .of("import")
        .filter(|(_, e)| e.action == "ledger.imported")
        .collect();
    let mut digests: HashMap<i64, ContentDigest> = HashMap::new();
    let mut next_id = 1_i64;
    store::integrity::each_event(conn, |row| {
        if row.id > next_id {
            found.push(missing_events(next_id, row.id - 1));
        }
        next_id = next_id.max(row.id.saturating_add(1));
        let entry = row.import_id.and_then(|i| imports.get(&i).copied());
        if let Some(fault) = event_fault(row) {
            found.push(event_problem(row, entry, fault));
        }
        match (row.import_id, entry) {
            (Some(import), Some(_)) => digests
                .entry(import)
                .or_default()
                .add(&event_key(row.id), &row.identity),
            _ => found.push(event_problem(
                row,
                None,
                format!(
                    "belongs to import {}, which no ledger import entry records: it was \
                     written outside Consentry",
                    row.import_id.map_or("(none)".into(), |i| i.to_string())
                ),
            )),
        }
    })?;
    // Every event was added by exactly one import, and ids have no gaps: the imports'
    // counts say how many ids there must be.
    let added: i64 = imports
        .values()
        .filter_map(|e| e.after.as_ref()?.get("added")?.as_i64())
        .sum();
    if added >= next_id {
        found.push(missing_events(next_id, added));
    }
    for (&import, entry) in &imports {
        let Some((sha, sketch)) = recorded_content(entry) else {
            continue;
        };
        let current = digests.remove(&import).unwrap_or_default().finish();
        if current.sha256 != sha {
            found.push(import_events_problem(import, entry, &current, sha));
            name_changed_events(conn, import, entry, sketch, &current, found)?;
        }
    }
    Ok(())
}

/// Ids are given out one after the other and events are never deleted, so an id
/// missing between `from` and `to` (or after the last) is a deleted event.
fn missing_events(from: i64, to: i64) -> AuditProblem {
    let (rows, which) = if from == to {
        (
            from.to_string(),
            format!("consent_events row {from} is missing"),
        )
    } else {
        (
            format!("{from}-{to}"),
            format!("consent_events rows {from} to {to} are missing"),
        )
    };
    AuditProblem::data(
        None,
        "consent_events",
        Some(rows),
        format!("{which}: event ids are given out without gaps, so these events were deleted"),
    )
}

fn event_problem(row: &EventRow, entry: Option<&Entry>, fault: String) -> AuditProblem {
    AuditProblem::data(
        entry.map(|e| e.seq),
        "consent_events",
        Some(row.id.to_string()),
        format!(
            "consent_events row {} ({} {} {} at {}) {fault}",
            row.id, row.user_id, row.purpose, row.decision, row.effective_at
        ),
    )
}

/// Why a stored event is not what its identity says, if it is not. The identity is the
/// hash of the normalized event, written when it was imported.
fn event_fault(row: &EventRow) -> Option<String> {
    let Ok(purpose) = row.purpose.parse::<Purpose>() else {
        return Some(format!(
            "has purpose '{}', which is not a purpose",
            row.purpose
        ));
    };
    let Ok(decision) = row.decision.parse::<Decision>() else {
        return Some(format!(
            "has decision '{}', which is not a decision",
            row.decision
        ));
    };
    let Ok(at) = parse_instant("effective_at", &row.effective_at) else {
        return Some(format!(
            "has effective_at '{}', which is not an instant",
            row.effective_at
        ));
    };
    let event = Event {
        user_id: row.user_id.clone(),
        purpose,
        decision,
        effective_at: at,
        source: row.source.clone(),
    };
    if event.effective_text() != row.effective_at {
        return Some(format!(
            "has effective_at '{}', not as imported ('{}')",
            row.effective_at,
            event.effective_text()
        ));
    }
    if row.effective_us != Some(micros(at)) {
        return Some(format!(
            "has effective_us {}, which is not its effective_at ({})",
            row.effective_us
                .map_or("(none)".into(), |us| us.to_string()),
            micros(at)
        ));
    }
    if event.identity()[..] != row.identity[..] {
        return Some(
            "no longer matches its identity: its user, purpose, decision, time or source was \
             edited"
                .into(),
        );
    }
    None
}

fn import_events_problem(
    import: i64,
    entry: &Entry,
    current: &Fingerprint,
    recorded_sha: &str,
) -> AuditProblem {
    let added = entry.after.as_ref().and_then(|a| a.get("added"));
    AuditProblem::data(
        Some(entry.seq),
        "consent_events",
        None,
        format!(
            "the events of import {import} are not those it added: {} records {} events with \
             SHA-256 {recorded_sha}, the table holds {} with SHA-256 {}",
            entry.describe(),
            added.map_or("(unknown)".into(), show),
            current.rows,
            current.sha256
        ),
    )
}

/// Names the events of one import that were inserted or edited since, from the sketch
/// its entry recorded.
fn name_changed_events(
    conn: &Connection,
    import: i64,
    entry: &Entry,
    recorded: Option<Sketch>,
    current: &Fingerprint,
    found: &mut Findings,
) -> Result<()> {
    let Some(recorded) = recorded else {
        return Ok(());
    };
    let mut locator = Locator::new(&recorded, &current.sketch);
    store::integrity::each_import_event(conn, import, |id, _| {
        if locator.differs(&event_key(id)) {
            found.push(AuditProblem::data(
                Some(entry.seq),
                "consent_events",
                Some(id.to_string()),
                format!(
                    "consent_events row {id} is not as import {import} added it ({}): it was \
                     inserted or edited since, its identity recomputed",
                    entry.describe()
                ),
            ));
        }
    })?;
    if locator.unexplained() {
        found.push(AuditProblem::data(
            Some(entry.seq),
            "consent_events",
            None,
            format!(
                "other events of import {import} were deleted, or changed in ways that cannot \
                 be told apart"
            ),
        ));
    }
    Ok(())
}

fn check_registry(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    let latest = entries
        .of("import")
        .filter(|(_, e)| e.action == "registry.imported")
        .max_by_key(|(_, e)| e.seq);
    let Some((import, entry)) = latest else {
        return store::integrity::each_user(conn, |key, _| {
            found.push(user_problem(
                key,
                None,
                "has no registry import entry: it was written outside Consentry",
            ))
        });
    };
    let Some((sha, sketch)) = recorded_content(entry) else {
        return Ok(());
    };
    let current = store::integrity::registry_fingerprint(conn)?;
    if current.sha256 == sha {
        return Ok(());
    }
    found.push(AuditProblem::data(
        Some(entry.seq),
        "users",
        None,
        format!(
            "the users table is not what registry import {import} left: it holds {} rows with \
             SHA-256 {}, {} recorded SHA-256 {sha}",
            current.rows,
            current.sha256,
            entry.describe(),
        ),
    ));
    let Some(sketch) = sketch else {
        return Ok(());
    };
    let mut locator = Locator::new(&sketch, &current.sketch);
    let changed =
        format!("is not as registry import {import} left it: it was inserted or edited since");
    store::integrity::each_user(conn, |key, _| {
        if locator.differs(key) {
            found.push(user_problem(key, Some(entry.seq), &changed));
        }
    })?;
    if locator.unexplained() {
        found.push(AuditProblem::data(
            Some(entry.seq),
            "users",
            None,
            "other users rows were deleted, or changed in ways that cannot be told apart".into(),
        ));
    }
    Ok(())
}

fn user_problem(key: &[u8], seq: Option<i64>, what: &str) -> AuditProblem {
    let user = String::from_utf8_lossy(key);
    AuditProblem::data(
        seq,
        "users",
        Some(user.to_string()),
        format!("users row '{user}' {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_missing_on_one_side_are_null_and_derived_fields_are_ignored() {
        let recorded = json!({"version": 2, "opt_in_countries": ["DE"]});
        let current = json!({"version": 2, "opt_in_countries": ["DE"], "notice_days": null});
        assert!(differing_fields(&recorded, &current, &[]).is_empty());
        let current = json!({"version": 2, "opt_in_countries": [], "notice_days": 30});
        assert_eq!(
            differing_fields(&recorded, &current, &["notice_days"]),
            ["opt_in_countries is [], recorded [\"DE\"]"]
        );
        assert_eq!(
            differing_fields(&json!(1), &json!("x"), &[]),
            ["is \"x\", recorded 1"]
        );
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let shown = show(&Value::String("é".repeat(200)));
        assert!(
            shown.ends_with("...") && shown.chars().count() == 83,
            "{shown}"
        );
    }

    fn event(identity: Option<[u8; 16]>) -> EventRow {
        let e = Event {
            user_id: "u1".into(),
            purpose: Purpose::AiTraining,
            decision: Decision::Deny,
            effective_at: parse_instant("t", "2026-01-01T00:00:00Z").unwrap(),
            source: "app".into(),
        };
        EventRow {
            id: 1,
            identity: identity.unwrap_or_else(|| e.identity()).to_vec(),
            user_id: e.user_id.clone(),
            purpose: "ai-training".into(),
            decision: "deny".into(),
            effective_at: e.effective_text(),
            effective_us: Some(micros(e.effective_at)),
            source: e.source.clone(),
            import_id: Some(1),
        }
    }

    #[test]
    fn an_event_must_match_its_identity_and_its_micros() {
        assert_eq!(event_fault(&event(None)), None);
        let mut flipped = event(None);
        flipped.decision = "allow".into();
        assert!(event_fault(&flipped).unwrap().contains("identity"));
        let mut moved = event(None);
        moved.effective_us = Some(0);
        assert!(event_fault(&moved).unwrap().contains("effective_us"));
        let mut garbled = event(None);
        garbled.effective_at = "yesterday".into();
        assert!(event_fault(&garbled).unwrap().contains("not an instant"));
        let mut respelled = event(None);
        respelled.effective_at = "2026-01-01T01:00:00+01:00".into();
        assert!(event_fault(&respelled).unwrap().contains("not as imported"));
        assert!(event_fault(&event(Some([0; 16]))).is_some());
    }
}
