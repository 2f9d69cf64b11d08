//! Tamper evidence for the data, not only for the log.
//!
//! The audit chain proves that its entries were not edited, removed or reordered; the
//! triggers only stop mistakes, and anyone with `sqlite3` can drop them and edit a table
//! directly. This module proves that the data the chain vouches for is still what its
//! entries say, and names the table and row of every difference:
//!
//! - [`images`]: `partners`, `deals`, `policies` and sealed `snapshots` rows equal the
//!   after-image of their latest audit entry, rendered the same way and compared field
//!   by field (a deal's `partner_name` and `renewed_by` are derived from other rows and
//!   left out). A row without an entry was forged; an entry without its row means a
//!   deleted row. An invoice's stored state (what the status filter reads) is
//!   recomputed from its void, payments and credit notes. Policy version 1, written by the migration, must be the built-in
//!   default. `imports` rows match their entries; each sealed snapshot still lists the
//!   users, record count and users digest it was sealed with.
//! - [`imported`]: each consent event still matches its own identity (the hash of its
//!   normalized content) and its `effective_us`; consent events and registry changes
//!   (`user_changes`) belong to recorded imports, their ids run without gaps, and each
//!   import's rows still hash to the digest its entry recorded; the `users` table still
//!   hashes to the digest its latest registry import recorded.
//!
//! Digests prove; the sketch beside each one (see [`digest`]) only says which rows
//! differ. Entries written before digests were recorded are not checked against them,
//! which is not a failure. Not covered: the snapshot files themselves (`snapshot verify`
//! re-hashes them), and a whole file rewritten with a recomputed chain and digests
//! (only a head kept elsewhere catches that).
//!
//! The comparisons are pure functions of rows and entries; `store::integrity` reads.

mod images;
mod imported;

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde_json::Value;

use crate::audit::AuditProblem;
use crate::error::Result;
use crate::store;

/// At most this many problems are listed per table; the rest are counted.
const MAX_LISTED_PER_TABLE: usize = 100;

/// Runs every data check and returns every difference found.
pub(crate) fn check(conn: &Connection) -> Result<Vec<AuditProblem>> {
    let entries = Entries::read(conn)?;
    let mut found = Findings::default();
    images::check(conn, &entries, &mut found)?;
    imported::check(conn, &entries, &mut found)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
