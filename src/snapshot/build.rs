//! The build itself: check the request, compute every registry user's verdict as of
//! `T`, claim a `building` row and folders, stream the source into a staging folder,
//! publish it and seal the row. What each step guarantees is in its module: `request`,
//! `reader`, `classify`, `stream`, `shards` (over `atomic`), `folders`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::authors::Authors;
use super::folders;
use super::reader::ReadAhead;
use super::request::{self, Plan};
use super::stream::{self, Run};
use super::{BuildPhases, BuildRequest, Progress, Sealed, Snapshot};
use crate::audit::Action;
use crate::consent::{self, Exclusion, Rules};
use crate::deal::DealStatus;
use crate::error::{Error, Result};
use crate::store::{self, Store};

/// Every registry user's verdict as of `T`, and the digest of the events considered.
struct Eligibility {
    users: Authors,
    ledger_sha256: String,
    /// Under a gated policy, records created before this instant are included only on
    /// an explicit allow.
    gate_from_us: Option<i64>,
}

fn eligibility(store: &Store, rules: &Rules, as_of_us: i64) -> Result<Eligibility> {
    let mut users = Authors::builder();
    let mut digest = Sha256::new();
    store.read(|conn| {
        store::consent::with_consent_cursors(conn, as_of_us, |registry, events| {
            consent::fold_as_of(registry, events, &mut digest, |user, latest| {
                users.push(&user.user_id, rules.verdict(Some(user), latest));
            })
        })
    })?;
    Ok(Eligibility {
        users: users.finish(),
        ledger_sha256: hex::encode(digest.finalize()),
        gate_from_us: rules.gate_from_us(),
    })
}

/// Builds and seals a snapshot. `progress` is called a few times a second; setting
/// `cancel` stops the build, which then keeps nothing.
pub fn build(
    store: &Store,
    req: &BuildRequest,
    progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Snapshot> {
    build_timed(store, req, progress, cancel).map(|(snapshot, _)| snapshot)
}

/// [`build`], with how long each of its steps took.
pub fn build_timed(
    store: &Store,
    req: &BuildRequest,
    progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<(Snapshot, BuildPhases)> {
    let started = Instant::now();
    let mut phases = BuildPhases::default();
    let mut lap = Instant::now();
    let mut mark = move || {
        let ms = lap.elapsed().as_millis() as u64;
        lap = Instant::now();
        ms
    };
    let plan = request::check(req)?;
    let deal = crate::deal::get(store, req.deal_id)?;
    if !matches!(deal.status, DealStatus::Signed | DealStatus::Active) {
        return Err(Error::Conflict {
            field: Some("deal_id".into()),
            message: format!(
                "deal {} is {}: snapshots are built for signed or active deals only, whose \
                 permitted purposes can no longer change; sign the deal first",
                deal.id, deal.status
            ),
        });
    }
    let policy = crate::policy::policy(store)?;
    let rules = Rules::new(&deal.purposes, plan.as_of, &policy);
    let as_of_us = plan.as_of.timestamp_micros();
    let eligibility = {
        // While the store is read, the start of the source is read into the page cache.
        let _readahead = ReadAhead::start(&plan.source);
        store.prefetch();
        eligibility(store, &rules, as_of_us)?
    };
    phases.consent_ms = mark();

    let building = store.write(|tx| claim(tx, store, req, &plan, &deal, policy.version))?;
    let mut published = false;
    let result = (|| {
        let staging = folders::create_staging(&building)?;
        phases.publish_ms = mark();
        let run = stream::stream(
            &plan,
            &eligibility.users,
            eligibility.gate_from_us,
            &staging,
            progress,
            cancel,
            started,
        )?;
        phases.stream_ms = mark();
        phases.commit_ms = run.commit_time.as_millis() as u64;
        too_many_rejected(&plan, &run)?;
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        folders::publish(&building)?;
        published = true;
        phases.publish_ms += mark();
        let snapshot = seal(store, &building, &eligibility, &run, started)?;
        phases.seal_ms = mark();
        Ok(snapshot)
    })();
    match result {
        Ok(snapshot) => Ok((snapshot, phases)),
        Err(e) => {
            // Keep nothing of a failed build but what is not ours to remove: the staging
            // folder goes (if it still carries our marker), the output folder never does.
            let _ = folders::remove_staging(&building);
            let _ = store.write(|tx| store::snapshots::delete_building(tx, building.id));
            Err(if published {
                Error::Conflict {
                    field: None,
                    message: format!(
                        "{e}; the snapshot's files were published in {} but not sealed: \
                         remove that folder and build again",
                        crate::text::printable(&building.out_dir)
                    ),
                }
            } else {
                e
            })
        }
    }
}

/// Refuses to seal when more lines were rejected than the request allows.
fn too_many_rejected(plan: &Plan, run: &Run) -> Result<()> {
    let rejected_pct = if run.records_in == 0 {
        0.0
    } else {
        run.count(Exclusion::Rejected) as f64 * 100.0 / run.records_in as f64
    };
    if rejected_pct > plan.max_rejected_pct {
        return Err(Error::BadLines {
            file: format!(
                "{}: {:.2}% of lines rejected, above the {}% limit; not sealed: fix the \
                 lines listed, or raise the limit of rejected lines",
                crate::text::printable(&plan.source.display().to_string()),
                rejected_pct,
                plan.max_rejected_pct
            ),
            total: run.count(Exclusion::Rejected),
            rows: None,
            lines: run.rejected_lines.clone(),
        });
    }
    Ok(())
}

/// Seals the `building` row with the run's counts, shards and digests, and its users,
/// in one transaction with its audit entry.
fn seal(
    store: &Store,
    building: &store::snapshots::Building,
    eligibility: &Eligibility,
    run: &Run,
    started: Instant,
) -> Result<Snapshot> {
    let (included_users, users_sha) = included_users(&eligibility.users, &run.per_user);
    let sealed = Sealed {
        records_in: run.records_in,
        records_included: run.included,
        excluded: Exclusion::ALL
            .iter()
            .map(|r| (r.token().to_string(), run.count(*r)))
            .collect(),
        rejected_lines: run.rejected_lines.clone(),
        shards: run.shards.clone(),
        included_users,
        included_users_sha256: users_sha,
        ledger_sha256: eligibility.ledger_sha256.clone(),
        records_index_sha256: run.records_index_sha256.clone(),
        source_bytes: run.bytes,
        source_compressed_bytes: run.compressed_bytes,
        duration_ms: 0,
        held_back_by_gate: run.held_back_by_gate,
    };
    // The streaming is done and the files are published: a busy store must not cost
    // the seal, so it is tried again while another writer holds the store.
    store.write_retrying(SEAL_ATTEMPTS, |tx| {
        let users = run
            .per_user
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (eligibility.users.id(i), n));
        store::snapshots::insert_users(tx, building.id, users)?;
        // Everything but the commit itself.
        let sealed = Sealed {
            duration_ms: started.elapsed().as_millis() as u64,
            ..sealed.clone()
        };
        store::snapshots::seal(tx, building.id, &sealed)?;
        let snapshot = store::snapshots::get(tx.conn(), building.id)?;
        tx.audit(
            Action::SnapshotSealed,
            "snapshot",
            building.id.0,
            None,
            Some(&snapshot),
        )?;
        Ok(snapshot)
    })
}

/// How many times a finished build tries to seal while another writer holds the store
/// past the busy timeout.
const SEAL_ATTEMPTS: u32 = 5;

/// Commits the `building` row and names the build's folders; refuses a folder that
/// another build of this store writes to or was sealed in.
fn claim(
    tx: &store::Tx<'_>,
    store: &Store,
    req: &BuildRequest,
    plan: &Plan,
    deal: &crate::deal::Deal,
    policy_version: i64,
) -> Result<store::snapshots::Building> {
    let id = store::snapshots::insert_building(
        tx,
        req,
        &request::plan_text(plan),
        &deal.purposes,
        policy_version,
    )?;
    let out = match &plan.out {
        Some(out) => out.clone(),
        None => folders::default_out(store.location(), deal.id, id, tx.now()),
    };
    let out_text = out.display().to_string();
    if let Some((other, sealed)) = store::snapshots::using_out_dir(tx.conn(), &out_text, id)? {
        let what = if sealed {
            format!("snapshot {other} was sealed there")
        } else {
            format!("snapshot {other} is being built there right now")
        };
        return Err(Error::conflict(
            "out",
            format!(
                "{}: {what}; give another folder",
                crate::text::printable(&out_text)
            ),
        ));
    }
    let staging = folders::staging_for(&out, id).display().to_string();
    store::snapshots::set_dirs(tx, id, &staging, &out_text)?;
    store::snapshots::get_building(tx.conn(), id)
}

/// How many users are included, and the digest of their ids (positions are in user-id
/// order, so the ids come out sorted).
fn included_users(users: &Authors, per_user: &[u32]) -> (u64, String) {
    let included = || {
        per_user
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, _)| users.id(i))
    };
    (included().count() as u64, super::users_digest(included()))
}
