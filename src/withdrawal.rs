//! Withdrawal notices and exposure reports (PRODUCT.md §4): a trained model cannot
//! unlearn, so when authors of delivered records are no longer eligible, the partner
//! gets a signed list of exactly the records to delete.
//!
//! A notice for a deal, as of an instant `X`:
//! - evaluates every user whose records the deal's deliveries carried by exactly the
//!   snapshot rules (`consent::Rules`, PRODUCT.md §2) for the deal's purposes, as of `X`,
//!   under the current policy: the ledger's events effective at or before `X`, and the
//!   registry as it stood at `X` (a deletion or suspension counts from its import);
//! - reads each delivery's records index (`records.jsonl` of its snapshot, checked
//!   against its sealed SHA-256 as it is read) line by line, holding only the records
//!   it withdraws;
//! - lists, per delivery, the ids of the records of users no longer eligible that no
//!   earlier notice of the deal listed, with each user's reason;
//! - is signed like a manifest (`FILE`, `FILE.minisig`, `FILE.sig`), numbered per deal,
//!   names its audience (the partner), issue time, due date (issue day + the deal's
//!   `withdrawal_days`) and a nonce, and lists the manifest hashes of the deliveries it
//!   amends.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

pub use crate::model::delivery::{
    AckRequest, ExposedDelivery, ExposedNotice, ExposureReport, Notice, NoticeDelivery, NoticeId,
    NoticeRecord, NoticeReport, NoticeRequest, PendingUser,
};

use crate::calendar::{add_days, parse_date, parse_instant};
use crate::consent::{self, Exclusion, Rules, Verdict};
use crate::deal::{Deal, DealId};
use crate::delivery::Delivery;
use crate::error::{Error, Result};
use crate::keys::{self, Secrets};
use crate::model::audit::Action;
use crate::model::snapshot::{Snapshot, RECORDS_INDEX};
use crate::snapshot::atomic::AtomicFile;
use crate::store::{self, Store};

/// What a notice as of `X` would withdraw: per delivery, the `(record, author)` pairs
/// no earlier notice listed, and each author's reason.
struct Withdrawals {
    deal: Deal,
    as_of: DateTime<Utc>,
    deliveries: Vec<(Delivery, Vec<(String, String)>)>,
    reasons: BTreeMap<String, String>,
}

/// A user's reason, as notices give it: the snapshot's exclusion reason, with the
/// account's status spelled out.
fn reason(verdict: Verdict, user: &consent::RegistryUser) -> Option<String> {
    match verdict {
        Verdict::Included | Verdict::IncludedByDefault => None,
        Verdict::HeldBack => Some(Exclusion::NoConsent.token().to_string()),
        Verdict::Excluded(Exclusion::AccountStatus) => {
            Some(format!("account_{}", user.status.token()))
        }
        Verdict::Excluded(e) => Some(e.token().to_string()),
    }
}

fn instant(as_of: Option<&str>) -> Result<DateTime<Utc>> {
    match as_of.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => parse_instant("as_of", text).map_err(|e| Error::Invalid(vec![e])),
        None => Ok(Utc::now()),
    }
}

fn stored(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Withdrawals {
    fn compute(store: &Store, deal: DealId, as_of: DateTime<Utc>) -> Result<Withdrawals> {
        let (deal, delivered, snapshots) = store.read(|conn| {
            let deal = store::deals::get(conn, deal)?;
            let delivered = store::deliveries::list(conn, deal.id)?;
            let mut snapshots: BTreeMap<i64, Snapshot> = BTreeMap::new();
            for d in &delivered {
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    snapshots.entry(d.snapshot_id.0)
                {
                    slot.insert(store::snapshots::get(conn, d.snapshot_id)?);
                }
            }
            Ok((deal, delivered, snapshots))
        })?;
        if delivered.is_empty() {
            return Err(Error::Conflict {
                field: Some("deal_id".to_string()),
                message: format!(
                    "deal {} has no deliveries to withdraw records from",
                    deal.id
                ),
            });
        }
        for s in snapshots.values() {
            let cutoff = parse_instant("as_of", &s.as_of).map_err(|e| Error::Invalid(vec![e]))?;
            if as_of < cutoff {
                return Err(Error::invalid(
                    "as_of",
                    format!(
                        "{} is before the cut-off {} of delivered snapshot {}: a notice looks \
                         forward from what was delivered",
                        stored(as_of),
                        s.as_of,
                        s.snapshot_id
                    ),
                ));
            }
        }
        let reasons = ineligible(store, &deal, as_of, &snapshots)?;
        let mut deliveries = Vec::with_capacity(delivered.len());
        for d in delivered {
            let snapshot = &snapshots[&d.snapshot_id.0];
            let records = if reasons.is_empty() {
                Vec::new()
            } else {
                withdrawn_from(store, &d, snapshot, &reasons)?
            };
            deliveries.push((d, records));
        }
        let listed: std::collections::HashSet<&str> = deliveries
            .iter()
            .flat_map(|(_, r)| r.iter().map(|(_, user)| user.as_str()))
            .collect();
        let reasons = reasons
            .iter()
            .filter(|(user, _)| listed.contains(user.as_str()))
            .map(|(u, r)| (u.clone(), r.clone()))
            .collect();
        Ok(Withdrawals {
            deal,
            as_of,
            deliveries,
            reasons,
        })
    }

    fn record_count(&self) -> u64 {
        self.deliveries.iter().map(|(_, r)| r.len() as u64).sum()
    }
}

/// The delivered users no longer eligible as of `as_of`, with their reason. The fold
/// visits registry users in user-id order, as the delivered users are listed: a merge.
fn ineligible(
    store: &Store,
    deal: &Deal,
    as_of: DateTime<Utc>,
    snapshots: &BTreeMap<i64, Snapshot>,
) -> Result<HashMap<String, String>> {
    let policy = crate::policy::policy(store)?;
    let rules = Rules::new(&deal.purposes, as_of, &policy);
    let ids: Vec<_> = snapshots.values().map(|s| s.snapshot_id).collect();
    let at = stored(as_of);
    let mut out = HashMap::new();
    store.read(|conn| {
        let delivered = store::withdrawals::users_of_snapshots(conn, &ids)?;
        let mut next = 0;
        let mut digest = Sha256::new();
        store::consent::with_consent_cursors_at(
            conn,
            as_of.timestamp_micros(),
            &at,
            |users, events| {
                consent::fold_as_of(users, events, &mut digest, |user, latest| {
                    while next < delivered.len() && delivered[next].as_str() < user.user_id.as_str()
                    {
                        // Delivered, but not in the registry any more: fails closed.
                        out.insert(
                            delivered[next].clone(),
                            Exclusion::UnknownUser.token().to_string(),
                        );
                        next += 1;
                    }
                    if next < delivered.len() && delivered[next] == user.user_id {
                        if let Some(why) = reason(rules.verdict(Some(user), latest), user) {
                            out.insert(user.user_id.clone(), why);
                        }
                        next += 1;
                    }
                })
            },
        )?;
        for user in &delivered[next..] {
            out.insert(user.clone(), Exclusion::UnknownUser.token().to_string());
        }
        Ok(())
    })?;
    Ok(out)
}

/// Reads a delivery's records index, checking it against its seal, and returns the
/// `(record, author)` pairs of ineligible authors that no earlier notice listed.
fn withdrawn_from(
    store: &Store,
    delivery: &Delivery,
    snapshot: &Snapshot,
    reasons: &HashMap<String, String>,
) -> Result<Vec<(String, String)>> {
    let path = Path::new(&snapshot.out_dir).join(RECORDS_INDEX);
    let io = |e| Error::io(format!("cannot read {}", path.display()), e);
    let mut reader =
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path).map_err(io)?);
    let mut hasher = Sha256::new();
    let mut line = Vec::new();
    let mut found = Vec::new();
    store.read(|conn| {
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
                break;
            }
            hasher.update(&line);
            let (author, record): (Cow<str>, Cow<str>) =
                serde_json::from_slice(&line).map_err(|e| Error::Conflict {
                    field: None,
                    message: format!(
                        "{} has a line that is not [author, record id]: {e}",
                        path.display()
                    ),
                })?;
            if reasons.contains_key(author.as_ref())
                && !store::withdrawals::is_withdrawn(conn, delivery.delivery_id, &record)?
            {
                found.push((record.into_owned(), author.into_owned()));
            }
        }
        Ok(())
    })?;
    if hex::encode(hasher.finalize()) != snapshot.records_index_sha256 {
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "{} is not what snapshot {} sealed: run `consentry snapshot verify`; no notice was issued",
                path.display(),
                snapshot.snapshot_id
            ),
        });
    }
    Ok(found)
}

/// The users of a deal's deliveries no longer eligible as of `as_of` (default now)
/// whose records no notice has withdrawn yet: what the next notice would list. A deal
/// with no delivery has none.
pub fn pending(store: &Store, deal: DealId, as_of: Option<&str>) -> Result<Vec<PendingUser>> {
    let at = instant(as_of)?;
    if store
        .read(|conn| store::deliveries::list(conn, deal))?
        .is_empty()
    {
        store.read(|conn| store::deals::get(conn, deal))?;
        return Ok(Vec::new());
    }
    let w = Withdrawals::compute(store, deal, at)?;
    let mut records: BTreeMap<&str, u64> = BTreeMap::new();
    for (_, list) in &w.deliveries {
        for (_, user) in list {
            *records.entry(user.as_str()).or_default() += 1;
        }
    }
    Ok(records
        .into_iter()
        .map(|(user, n)| PendingUser {
            user_id: user.to_string(),
            reason: w.reasons[user].clone(),
            records: n,
        })
        .collect())
}

/// The three files of a signed notice.
fn notice_files(out: &Path) -> [PathBuf; 3] {
    let with = |ext: &str| {
        let mut name = out.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    [out.to_path_buf(), with(".minisig"), with(".sig")]
}

/// Issues a signed notice for a deal's earlier deliveries (see the module docs).
/// Refused, writing nothing, when there is nothing new to withdraw or `out` exists.
pub fn create(store: &Store, secrets: Secrets, request: NoticeRequest) -> Result<NoticeReport> {
    let out = crate::snapshot::folders::absolute(Path::new(request.out.trim()));
    if request.out.trim().is_empty() {
        return Err(Error::invalid(
            "out",
            "give the file to write the notice to",
        ));
    }
    let files = notice_files(&out);
    for f in &files {
        if std::fs::symlink_metadata(f).is_ok() {
            return Err(Error::invalid(
                "out",
                format!(
                    "{} exists: give a new file (Consentry never replaces one)",
                    f.display()
                ),
            ));
        }
    }
    let w = Withdrawals::compute(store, request.deal_id, instant(request.as_of.as_deref())?)?;
    if w.record_count() == 0 {
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "nothing to withdraw: as of {}, every author of deal {}'s delivered records is \
                 still eligible or already listed by an earlier notice",
                stored(w.as_of),
                w.deal.id
            ),
        });
    }
    let partner = store.read(|conn| store::partners::get(conn, w.deal.partner_id))?;
    let platform = crate::delivery::platform(None)?;
    let signer = keys::signer(store, secrets)?;
    let dir = out.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let policy_version = crate::policy::policy(store)?.version;

    let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
    for r in w.reasons.values() {
        *by_reason.entry(r.clone()).or_default() += 1;
    }
    let deliveries: Vec<NoticeDelivery> = w
        .deliveries
        .iter()
        .map(|(d, records)| NoticeDelivery {
            delivery_id: d.delivery_id,
            sequence: d.sequence,
            manifest_sha256: d.manifest_sha256.clone(),
            record_ids: records.iter().map(|(r, _)| r.clone()).collect(),
        })
        .collect();
    let mut records_digest = Sha256::new();
    let mut pairs: Vec<(i64, &str)> = w
        .deliveries
        .iter()
        .flat_map(|(d, r)| {
            r.iter()
                .map(move |(rec, _)| (d.delivery_id.0, rec.as_str()))
        })
        .collect();
    pairs.sort_unstable();
    for (delivery, record) in &pairs {
        records_digest.update(withdrawn_line(*delivery, record));
    }
    let records_sha256 = hex::encode(records_digest.finalize());

    // The files this call wrote, and only those, are removed if it does not commit.
    let wrote = std::cell::RefCell::new(Vec::new());
    let notice = store.write(|tx| {
        let id = store::withdrawals::next_id(tx.conn())?;
        let sequence = store::withdrawals::last_sequence(tx.conn(), w.deal.id)? + 1;
        let issued_at = tx.now().to_string();
        let issue_day: NaiveDate = parse_instant("issued_at", &issued_at)
            .map_err(|e| Error::Invalid(vec![e]))?
            .date_naive();
        let due = add_days(issue_day, w.deal.withdrawal_days).ok_or_else(|| {
            Error::invalid("withdrawal_days", "the due date falls after the year 2199")
        })?;
        let nonce = {
            let mut bytes = [0u8; 16];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
            hex::encode(bytes)
        };
        let users: Vec<_> = w
            .reasons
            .iter()
            .map(|(user, why)| json!({"user_id": user, "reason": why}))
            .collect();
        let doc = json!({
            "type": "consentry:WithdrawalNotice",
            "notice_id": id,
            "sequence": sequence,
            "issuer": {"name": platform},
            "audience": {"partner_id": partner.id, "name": partner.name},
            "deal": {"deal_id": w.deal.id, "title": w.deal.title},
            "issued_at": issued_at,
            "as_of": stored(w.as_of),
            "due_date": due.to_string(),
            "nonce": nonce,
            "policy_version": policy_version,
            "purposes": w.deal.purposes.iter().map(|p| p.token()).collect::<Vec<_>>(),
            "amends": deliveries.iter().map(|d| &d.manifest_sha256).collect::<Vec<_>>(),
            "deliveries": deliveries,
            "users": users,
            "record_count": w.record_count(),
            "user_count": w.reasons.len(),
            "users_by_reason": by_reason,
            "key_id": signer.number.id(),
        });
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("JSON values serialize");
        bytes.push(b'\n');
        let trusted = format!(
            "consentry withdrawal notice {id} deal {} sequence {sequence} file {}",
            w.deal.id,
            name(&files[0])
        );
        let write = |file: &Path, content: &[u8]| {
            let sha = write_new(&dir, &name(file), content)?;
            wrote.borrow_mut().push(file.to_path_buf());
            Ok::<_, Error>(sha)
        };
        let written = write(&files[0], &bytes)?;
        write(&files[1], signer.sign_minisign(&bytes, &trusted).as_bytes())?;
        write(&files[2], &signer.sign_raw(&bytes))?;
        let row = NoticeRecord {
            notice_id: id,
            deal_id: w.deal.id,
            sequence,
            as_of: stored(w.as_of),
            issued_at,
            due_date: due.to_string(),
            nonce,
            file: files[0].display().to_string(),
            notice_sha256: written,
            key_id: signer.number.id(),
            record_count: w.record_count(),
            user_count: w.reasons.len() as u64,
            records_sha256: records_sha256.clone(),
            acknowledged_on: None,
            attestation: None,
            attestation_sha256: None,
        };
        store::withdrawals::insert(tx, &row)?;
        for (d, records) in &w.deliveries {
            store::withdrawals::insert_records(
                tx,
                id,
                d.delivery_id,
                records.iter().map(|(r, u)| (r.as_str(), u.as_str())),
            )?;
        }
        tx.audit(
            Action::WithdrawalIssued,
            "withdrawal_notice",
            id.0,
            None,
            Some(&image(&row)),
        )?;
        Ok(shown(&row))
    });
    let notice = match notice {
        Ok(n) => n,
        Err(e) => {
            // The transaction did not commit: the files it wrote name nothing.
            for f in wrote.borrow().iter() {
                let _ = std::fs::remove_file(f);
            }
            return Err(e);
        }
    };
    Ok(NoticeReport {
        notice,
        deliveries,
        users_by_reason: by_reason,
    })
}

/// One line of a notice's records digest: `delivery_id \t record_id \n`.
pub(crate) fn withdrawn_line(delivery: i64, record: &str) -> Vec<u8> {
    format!("{delivery}\t{record}\n").into_bytes()
}

fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<String> {
    let io = |e| Error::io(format!("cannot write {}", dir.join(name).display()), e);
    let mut file = AtomicFile::create(dir, name, "the withdrawal notice").map_err(io)?;
    file.write(bytes)?;
    Ok(file.commit_new()?.sha256)
}

/// A notice as tracked, its status derived from today's date (UTC).
fn shown(row: &NoticeRecord) -> Notice {
    let today = Utc::now().date_naive().to_string();
    let status = match &row.acknowledged_on {
        Some(_) => "acknowledged",
        None if today > row.due_date => "overdue",
        None => "pending",
    };
    Notice {
        record: row.clone(),
        status: status.to_string(),
    }
}

/// A notice as the audit log records it: the record, without the status (which changes
/// with the date).
pub(crate) fn image(row: &NoticeRecord) -> serde_json::Value {
    serde_json::to_value(row).expect("serializable")
}

/// One notice.
pub fn get(store: &Store, id: NoticeId) -> Result<Notice> {
    store
        .read(|conn| store::withdrawals::get(conn, id))
        .map(|r| shown(&r))
}

/// Notices, of one deal or all, newest first; `status` keeps only `pending`, `overdue`
/// or `acknowledged` ones.
pub fn list(store: &Store, deal: Option<DealId>, status: Option<&str>) -> Result<Vec<Notice>> {
    if let Some(s) = status {
        if !["pending", "overdue", "acknowledged"].contains(&s) {
            return Err(Error::invalid(
                "status",
                format!("status {s:?} is not one of pending, overdue, acknowledged"),
            ));
        }
    }
    let rows = store.read(|conn| {
        if let Some(deal) = deal {
            store::deals::get(conn, deal)?;
        }
        store::withdrawals::list(conn, deal)
    })?;
    Ok(rows
        .iter()
        .map(shown)
        .filter(|n| status.is_none_or(|s| n.status == s))
        .collect())
}

/// Records that the partner acknowledged a notice on `date`, with their deletion
/// attestation: a file (copied beside the store and hashed into the audit chain) or a
/// reference. Refused for a notice already acknowledged, or a date before its issue.
pub fn acknowledge(store: &Store, request: AckRequest) -> Result<Notice> {
    let date = parse_date("date", request.date.trim()).map_err(|e| Error::Invalid(vec![e]))?;
    let reference = request
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let file = request
        .attestation_file
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reference.is_some() && file.is_some() {
        return Err(Error::invalid(
            "reference",
            "give an attestation file or a reference, not both",
        ));
    }
    if let Some(r) = reference {
        crate::text::single_line("reference", r).map_err(|e| Error::Invalid(vec![e]))?;
    }
    let before = store.read(|conn| store::withdrawals::get(conn, request.notice_id))?;
    if before.acknowledged_on.is_some() {
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "notice {} was already acknowledged on {}",
                before.notice_id,
                before.acknowledged_on.as_deref().unwrap_or_default()
            ),
        });
    }
    if date.to_string().as_str() < &before.issued_at[..10] {
        return Err(Error::invalid(
            "date",
            format!(
                "{date} is before the notice was issued ({})",
                &before.issued_at[..10]
            ),
        ));
    }
    let (attestation, sha) = match file {
        None => (reference.map(str::to_string), None),
        Some(path) => {
            let (kept, sha) = keep_attestation(store, before.notice_id, Path::new(path))?;
            (Some(kept), Some(sha))
        }
    };
    store.write(|tx| {
        let old = store::withdrawals::get(tx.conn(), before.notice_id)?;
        if old.acknowledged_on.is_some() {
            return Err(Error::Conflict {
                field: None,
                message: format!("notice {} was already acknowledged", old.notice_id),
            });
        }
        store::withdrawals::acknowledge(
            tx,
            old.notice_id,
            &date.to_string(),
            attestation.as_deref(),
            sha.as_deref(),
        )?;
        let after = store::withdrawals::get(tx.conn(), old.notice_id)?;
        tx.audit(
            Action::WithdrawalAcknowledged,
            "withdrawal_notice",
            old.notice_id.0,
            Some(&image(&old)),
            Some(&image(&after)),
        )?;
        Ok(shown(&after))
    })
}

/// Copies an attestation file beside the store (never replacing one); its path there
/// and SHA-256.
fn keep_attestation(store: &Store, notice: NoticeId, file: &Path) -> Result<(String, String)> {
    let bytes = std::fs::read(file)
        .map_err(|e| Error::io(format!("cannot read the attestation {}", file.display()), e))?;
    let dir = match store.location() {
        ":memory:" => std::env::temp_dir().join(format!("consentry-{}", std::process::id())),
        path => PathBuf::from(format!("{path}.attestations")),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let base = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attestation".to_string());
    let name = format!("notice-{notice}-{base}");
    let sha = write_new(&dir, &name, &bytes)?;
    Ok((dir.join(name).display().to_string(), sha))
}

/// Where one user's records went: the snapshots that included them, the deliveries
/// that carried them to which partner, and the notices that withdrew them.
pub fn exposure(store: &Store, user: &str) -> Result<ExposureReport> {
    let user = user.trim();
    if user.is_empty() {
        return Err(Error::invalid("user_id", "give a user id"));
    }
    store.read(|conn| {
        let registered = store::withdrawals::registered(conn, user)?;
        let snapshots = store::withdrawals::snapshots_of_user(conn, user)?;
        let withdrawn = store::withdrawals::withdrawn_of_user(conn, user)?;
        let mut deliveries = Vec::new();
        let mut deals: HashMap<i64, Deal> = HashMap::new();
        for s in &snapshots {
            if let std::collections::hash_map::Entry::Vacant(slot) = deals.entry(s.deal_id.0) {
                slot.insert(store::deals::get(conn, s.deal_id)?);
            }
            let deal = &deals[&s.deal_id.0];
            for d in store::deliveries::list(conn, s.deal_id)?
                .into_iter()
                .filter(|d| d.snapshot_id == s.snapshot_id)
            {
                let mut notices = Vec::new();
                for (notice, _, records) in
                    withdrawn.iter().filter(|(_, on, _)| *on == d.delivery_id)
                {
                    let n = shown(&store::withdrawals::get(conn, *notice)?);
                    notices.push(ExposedNotice {
                        notice_id: n.record.notice_id,
                        sequence: n.record.sequence,
                        records: *records,
                        status: n.status,
                        acknowledged_on: n.record.acknowledged_on,
                    });
                }
                deliveries.push(ExposedDelivery {
                    delivery_id: d.delivery_id,
                    sequence: d.sequence,
                    snapshot_id: d.snapshot_id,
                    deal_id: d.deal_id,
                    partner_id: deal.partner_id,
                    partner_name: deal.partner_name.clone(),
                    delivered_at: d.created_at,
                    records: s.records,
                    notices,
                });
            }
        }
        Ok(ExposureReport {
            user_id: user.to_string(),
            registered,
            snapshots,
            deliveries,
        })
    })
}
