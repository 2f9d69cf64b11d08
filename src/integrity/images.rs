//! The tables whose rows are after-images in the audit log: `partners`, `deals`,
//! `policies`, sealed `snapshots` (with their `snapshot_users`) and `imports`, and the
//! finance tables. Each row must equal what the latest entry about it recorded; an
//! invoice's `state`, derived from its void, payments and credit notes and recorded by
//! no entry, must be the state those rows give.

use std::borrow::Cow;
use std::collections::HashSet;

use rusqlite::Connection;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{differing_fields, show, Entries, Entry, Findings};
use crate::audit::AuditProblem;
use crate::consent::{DEFAULT_NOTICE_DAYS, DEFAULT_OPT_IN};
use crate::deal::{DealId, DEFAULT_WITHDRAWAL_DAYS};
use crate::delivery::{DeliveryId, NoticeId};
use crate::error::Result;
use crate::finance::InvoiceId;
use crate::partner::PartnerId;
use crate::snapshot::SnapshotId;
use crate::store;
use sha2::Digest;

/// Checks every table whose rows are after-images.
pub(super) fn check(conn: &Connection, entries: &Entries, found: &mut Findings) -> Result<()> {
    for kind in &VOUCHED {
        check_rows(conn, entries, kind, found)?;
    }
    check_snapshot_users(conn, entries, found);
    check_withdrawn_records(conn, entries, found);
    check_invoice_states(conn, found)?;
    check_imports(conn, entries, found)
}

/// Each invoice's stored state (`invoices.state`, what the status filter reads) is the
/// one its void, amount, payments and credit notes give: those rows are vouched for by
/// their own entries, the state is derived from them and has no entry of its own.
fn check_invoice_states(conn: &Connection, found: &mut Findings) -> Result<()> {
    store::finance::settlements(conn, |s, stored| {
        let state = s.state();
        if stored != Some(state.token()) {
            found.push(AuditProblem::data(
                None,
                "invoices",
                Some(s.id.to_string()),
                format!(
                    "invoices row {}: its state is {}, but its payments, credit notes and \
                     void make it {} (the status filter would list it wrongly)",
                    s.id,
                    stored.map_or_else(|| "not text".to_string(), |t| format!("{t:?}")),
                    state.token()
                ),
            ));
        }
        Ok(())
    })
}

/// A field added to an entity later, and the value rows written before then render.
type AddedField = (&'static str, fn() -> Value);

/// A table whose rows are the after-images of their entities' latest audit entries.
struct Vouched {
    /// The entity as the audit log names it.
    entity: &'static str,
    table: &'static str,
    /// Fields derived from other rows, which change without an entry of this entity.
    derived: &'static [&'static str],
    /// Fields the entity gained after entries were first written, with the value a row
    /// written before then renders: an older after-image without the field reads as if
    /// it had that value, so an upgraded store verifies clean.
    added_later: &'static [AddedField],
    ids: fn(&Connection) -> Result<Vec<i64>>,
    /// The row rendered as its after-images are.
    render: fn(&Connection, i64) -> Result<Value>,
    /// Whether a row must have an entry (a snapshot still being built has none yet).
    needs_entry: fn(&Value) -> bool,
    /// A row that the migrations wrote without an entry, and what it must be.
    built_in: Option<(i64, fn() -> Value)>,
}

const VOUCHED: [Vouched; 12] = [
    Vouched {
        entity: "partner",
        table: "partners",
        derived: &[],
        added_later: &[],
        ids: store::integrity::partner_ids,
        render: |conn, id| rendered(store::partners::get(conn, PartnerId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "deal",
        table: "deals",
        derived: &["partner_name", "renewed_by"],
        added_later: &[("withdrawal_days", || json!(DEFAULT_WITHDRAWAL_DAYS))],
        ids: store::integrity::deal_ids,
        render: |conn, id| rendered(store::deals::get(conn, DealId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "policy",
        table: "policies",
        derived: &[],
        added_later: &[
            ("opt_out_available_from", || Value::Null),
            ("notice_days", || json!(DEFAULT_NOTICE_DAYS)),
        ],
        ids: store::integrity::policy_versions,
        render: |conn, version| rendered(store::consent::policy(conn, version)),
        needs_entry: |_| true,
        built_in: Some((1, default_policy)),
    },
    Vouched {
        entity: "snapshot",
        table: "snapshots",
        derived: &[],
        added_later: &[
            ("held_back_by_gate", || json!(0)),
            ("source_compression", || json!("none")),
            ("source_compressed_bytes", || Value::Null),
        ],
        ids: store::integrity::snapshot_ids,
        render: |conn, id| rendered(store::snapshots::get(conn, SnapshotId(id))),
        needs_entry: |row| row.get("sealed") == Some(&Value::Bool(true)),
        built_in: None,
    },
    Vouched {
        entity: "signing_key",
        table: "signing_keys",
        derived: &[],
        added_later: &[],
        ids: store::deliveries::key_ids,
        render: |conn, id| {
            rendered(store::deliveries::key(conn, id).and_then(|k| crate::keys::image(&k)))
        },
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "delivery",
        table: "deliveries",
        derived: &[],
        added_later: &[],
        ids: store::deliveries::delivery_ids,
        render: |conn, id| rendered(store::deliveries::get(conn, DeliveryId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "withdrawal_notice",
        table: "withdrawal_notices",
        derived: &[],
        added_later: &[],
        ids: store::withdrawals::notice_ids,
        render: |conn, id| {
            store::withdrawals::get(conn, NoticeId(id)).map(|n| crate::withdrawal::image(&n))
        },
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "fee_schedule",
        table: "fee_schedules",
        derived: &[],
        added_later: &[],
        ids: store::finance::fee_deal_ids,
        render: |conn, id| rendered(store::finance::fees(conn, DealId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "invoice",
        table: "invoices",
        derived: &[],
        added_later: &[],
        ids: store::finance::invoice_ids,
        render: |conn, id| rendered(store::finance::invoice(conn, InvoiceId(id))),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "payment",
        table: "payments",
        derived: &[],
        added_later: &[],
        ids: store::finance::payment_ids,
        render: |conn, id| rendered(store::finance::payment(conn, id)),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "credit_note",
        table: "credit_notes",
        derived: &[],
        added_later: &[],
        ids: store::finance::credit_ids,
        render: |conn, id| rendered(store::finance::credit(conn, id)),
        needs_entry: |_| true,
        built_in: None,
    },
    Vouched {
        entity: "fx_rate",
        table: "fx_rates",
        derived: &[],
        added_later: &[],
        ids: store::finance::fx_ids,
        render: |conn, id| rendered(store::finance::fx(conn, id)),
        needs_entry: |_| true,
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
                    "{} row {id} cannot be read as Consentry writes it (it or a row it \
                     refers to was altered): {e}",
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
    let recorded = with_added_fields(recorded, kind.added_later);
    let diffs = differing_fields(&recorded, row, kind.derived);
    if diffs.is_empty() {
        return None;
    }
    problem(seq, format!("differs from {source}: {}", diffs.join("; ")))
}

/// `recorded` with each field in `added` that it lacks, at its default value.
fn with_added_fields<'a>(recorded: Cow<'a, Value>, added: &[AddedField]) -> Cow<'a, Value> {
    let lacks = |k: &str| recorded.as_object().is_some_and(|o| !o.contains_key(k));
    if !added.iter().any(|(k, _)| lacks(k)) {
        return recorded;
    }
    let mut value = recorded.into_owned();
    if let Some(object) = value.as_object_mut() {
        for (k, default) in added {
            object.entry(k.to_string()).or_insert_with(default);
        }
    }
    Cow::Owned(value)
}

/// Whether the records each notice withdrew are the ones its entry recorded (their
/// digest): a row deleted or added would let a record be delivered again unnoticed.
fn check_withdrawn_records(conn: &Connection, entries: &Entries, found: &mut Findings) {
    for (id, entry) in entries.of("withdrawal_notice") {
        let Some(after) = &entry.after else { continue };
        let mut digest = sha2::Sha256::new();
        let mut count = 0u64;
        let read = store::withdrawals::notice_records(conn, NoticeId(id), |delivery, record, _| {
            digest.update(crate::withdrawal::withdrawn_line(delivery, record));
            count += 1;
        });
        let sha = hex::encode(digest.finalize());
        let recorded = (
            after["records_sha256"].as_str(),
            after["record_count"].as_u64(),
        );
        let message = match read {
            Err(e) => format!("the records notice {id} withdrew cannot be read: {e}"),
            Ok(()) if recorded == (Some(sha.as_str()), Some(count)) => continue,
            Ok(()) => format!(
                "notice {id} lists {count} withdrawn records (SHA-256 {sha}); {} recorded {} \
                 and {}",
                entry.describe(),
                show(&after["record_count"]),
                show(&after["records_sha256"]),
            ),
        };
        found.push(AuditProblem::data(
            Some(entry.seq),
            "withdrawn_records",
            Some(format!("notice_id {id}")),
            message,
        ));
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
