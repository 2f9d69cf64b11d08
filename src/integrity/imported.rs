//! The tables that imports fill: `consent_events` and `user_changes` (rows appended by
//! one import each) and `users` (the registry as the latest import left it). Their rows
//! are too many for after-images; each import's entry records a fingerprint of them
//! instead (`ImportReport::content_sha256`, `changes_sha256`), recomputed here.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde_json::Value;

use super::{show, Entries, Entry, Findings};
use crate::audit::AuditProblem;
use crate::calendar::parse_instant;
use crate::consent::Decision;
use crate::error::Result;
use crate::model::digest::{row_key, ContentDigest, Fingerprint, Locator, Sketch};
use crate::model::imports::{micros, Event};
use crate::purpose::Purpose;
use crate::store::{self, integrity::EventRow};

/// Checks the events, the registry changes and the registry.
pub(super) fn check(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    check_events(conn, entries, found)?;
    check_changes(conn, entries, found)?;
    check_registry(conn, entries, found)
}

/// Which report fields of an import's entry describe the rows of one appended table.
struct Recorded {
    /// How many rows the import appended.
    count: &'static str,
    sha256: &'static str,
    sketch: &'static str,
}

/// Rows appended by imports of one kind, checked as they stream by in id order:
/// - each belongs to a recorded import of that kind;
/// - ids run from 1 without gaps (rowid = max + 1, and rows are never deleted), and the
///   imports' counts sum to the number of ids, so a missing id is a deleted row;
/// - each import's rows hash to the digest its entry recorded; the sketch beside it
///   names the rows inserted or edited since.
///
/// An entry without a digest (written before Consentry recorded one) is not checked
/// against it, which is not a failure.
struct Appended<'a> {
    table: &'static str,
    action: &'static str,
    recorded: Recorded,
    imports: BTreeMap<i64, &'a Entry>,
    digests: HashMap<i64, ContentDigest>,
    next_id: i64,
}

impl<'a> Appended<'a> {
    fn new(
        entries: &'a Entries,
        table: &'static str,
        action: &'static str,
        recorded: Recorded,
    ) -> Self {
        Appended {
            table,
            action,
            recorded,
            imports: entries
                .of("import")
                .filter(|(_, e)| e.action == action)
                .collect(),
            digests: HashMap::new(),
            next_id: 1,
        }
    }

    fn entry(&self, import: Option<i64>) -> Option<&'a Entry> {
        import.and_then(|i| self.imports.get(&i).copied())
    }

    /// One row, in id order, with the content its import's digest covers.
    fn visit(&mut self, id: i64, import: Option<i64>, content: &[u8], found: &mut Findings) {
        if id > self.next_id {
            found.push(self.missing(self.next_id, id - 1));
        }
        self.next_id = self.next_id.max(id.saturating_add(1));
        match import.filter(|i| self.imports.contains_key(i)) {
            Some(import) => self
                .digests
                .entry(import)
                .or_default()
                .add(&row_key(id), content),
            None => found.push(self.row_problem(
                id,
                None,
                format!(
                    "belongs to import {}, which no {} entry records: it was written outside \
                     Consentry",
                    import.map_or("(none)".into(), |i| i.to_string()),
                    self.action
                ),
            )),
        }
    }

    /// After the last row: rows missing at the end, and each import's digest.
    /// `rows_of` calls back with the ids of one import's rows, to name those that differ.
    fn finish(
        mut self,
        found: &mut Findings,
        mut rows_of: impl FnMut(i64, &mut dyn FnMut(i64)) -> Result<()>,
    ) -> Result<()> {
        let count = self.recorded.count;
        let expected: i64 = (self.imports.values())
            .filter_map(|e| e.after.as_ref()?.get(count)?.as_i64())
            .sum();
        if expected >= self.next_id {
            found.push(self.missing(self.next_id, expected));
        }
        for (&import, &entry) in &self.imports {
            let Some((sha, sketch)) = recorded_fingerprint(entry, &self.recorded) else {
                continue;
            };
            let current = self.digests.remove(&import).unwrap_or_default().finish();
            if current.sha256 == sha {
                continue;
            }
            found.push(self.import_problem(import, entry, &current, sha));
            let Some(sketch) = sketch else { continue };
            let mut locator = Locator::new(&sketch, &current.sketch);
            rows_of(import, &mut |id| {
                if locator.differs(&row_key(id)) {
                    found.push(self.row_problem(
                        id,
                        Some(entry),
                        format!(
                            "is not as import {import} added it: it was inserted or edited since"
                        ),
                    ));
                }
            })?;
            if locator.unexplained() {
                found.push(AuditProblem::data(
                    Some(entry.seq),
                    self.table,
                    None,
                    format!(
                        "other {} rows of import {import} were deleted, or changed in ways \
                         that cannot be told apart",
                        self.table
                    ),
                ));
            }
        }
        Ok(())
    }

    fn row_problem(&self, id: i64, entry: Option<&Entry>, what: String) -> AuditProblem {
        AuditProblem::data(
            entry.map(|e| e.seq),
            self.table,
            Some(id.to_string()),
            format!("{} row {id} {what}", self.table),
        )
    }

    fn missing(&self, from: i64, to: i64) -> AuditProblem {
        let (row, which) = if from == to {
            (from.to_string(), format!("row {from} is missing"))
        } else {
            (
                format!("{from}-{to}"),
                format!("rows {from} to {to} are missing"),
            )
        };
        AuditProblem::data(
            None,
            self.table,
            Some(row),
            format!(
                "{} {which}: ids are given out without gaps and rows are never deleted, so \
                 they were deleted",
                self.table
            ),
        )
    }

    fn import_problem(
        &self,
        import: i64,
        entry: &Entry,
        current: &Fingerprint,
        recorded_sha: &str,
    ) -> AuditProblem {
        let count = entry
            .after
            .as_ref()
            .and_then(|a| a.get(self.recorded.count));
        AuditProblem::data(
            Some(entry.seq),
            self.table,
            None,
            format!(
                "the {} rows of import {import} are not those it added: {} records {} rows \
                 with SHA-256 {recorded_sha}, the table holds {} with SHA-256 {}",
                self.table,
                entry.describe(),
                count.map_or("(unknown)".into(), show),
                current.rows,
                current.sha256
            ),
        )
    }
}

/// The digest and sketch an import's entry recorded in these fields, if it did.
fn recorded_fingerprint<'e>(
    entry: &'e Entry,
    fields: &Recorded,
) -> Option<(&'e str, Option<Sketch>)> {
    let after = entry.after.as_ref()?;
    let sha = after.get(fields.sha256)?.as_str()?;
    let sketch = after
        .get(fields.sketch)
        .and_then(Value::as_str)
        .and_then(Sketch::from_hex);
    Some((sha, sketch))
}

fn check_events(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    let recorded = Recorded {
        count: "added",
        sha256: "content_sha256",
        sketch: "content_sketch",
    };
    let mut appended = Appended::new(entries, "consent_events", "ledger.imported", recorded);
    store::integrity::each_event(conn, |row| {
        if let Some(fault) = event_fault(row) {
            found.push(event_problem(row, appended.entry(row.import_id), fault));
        }
        appended.visit(row.id, row.import_id, &row.identity, found);
    })?;
    appended.finish(found, |import, f| {
        store::integrity::each_import_event(conn, import, |id, _| f(id))
    })
}

fn check_changes(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    let recorded = Recorded {
        count: "changed",
        sha256: "changes_sha256",
        sketch: "changes_sketch",
    };
    let mut appended = Appended::new(entries, "user_changes", "registry.imported", recorded);
    store::integrity::each_user_change(conn, None, |id, import, content| {
        appended.visit(id, import, content, found)
    })?;
    appended.finish(found, |import, f| {
        store::integrity::each_user_change(conn, Some(import), |id, _, _| f(id))
    })
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

/// The registry must hash to what its latest import recorded; without any registry
/// import, every row was written outside Consentry.
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
    let fields = Recorded {
        count: "",
        sha256: "content_sha256",
        sketch: "content_sketch",
    };
    let Some((sha, sketch)) = recorded_fingerprint(entry, &fields) else {
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
        let mut unknown = event(None);
        unknown.purpose = "everything".into();
        assert!(event_fault(&unknown).unwrap().contains("not a purpose"));
        assert!(event_fault(&event(Some([0; 16]))).is_some());
    }
}
