//! Deliveries (PRODUCT.md §4): a sealed snapshot of a signed or active deal, packaged
//! with a signed Croissant manifest, checked, and pushed to the partner's bucket.
//!
//! A package folder holds the snapshot's shards, `manifest.json` (Croissant 1.1
//! JSON-LD, `crate::model::manifest`), `manifest.json.minisig` (minisign) and
//! `manifest.json.sig` (raw Ed25519, for `openssl pkeyutl -rawin`). The manifest lists
//! every data file with its size and SHA-256, the deal's terms as an ODRL agreement,
//! the delivery's sequence, and the store's audit head when it was made: the signed
//! manifest is an outside witness of the audit chain.

mod aws_profile;
mod package;
pub mod push;
mod verify;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::model::delivery::*;
pub use verify::verify;

use crate::deal::{DealId, DealStatus};
use crate::error::{Error, Result};
use crate::keys::{self, Secrets};
use crate::model::audit::Action;
use crate::model::file_format::FileFormat;
use crate::model::manifest::{croissant, infer_fields, ManifestInput};
use crate::snapshot::SnapshotId;
use crate::store::{self, Store};

/// The platform's name when a request does not give one and `CONSENTRY_PLATFORM` is
/// not set: the manifest's creator and the agreement's assigner.
pub const DEFAULT_PLATFORM: &str = "The platform";

/// One delivery.
pub fn get(store: &Store, id: DeliveryId) -> Result<Delivery> {
    store.read(|conn| store::deliveries::get(conn, id))
}

/// A deal's deliveries, in sequence order.
pub fn list(store: &Store, deal: DealId) -> Result<Vec<Delivery>> {
    store.read(|conn| {
        store::deals::get(conn, deal)?;
        store::deliveries::list(conn, deal)
    })
}

/// What a delivery's pushes stored, by destination.
pub fn receipts(store: &Store, id: DeliveryId) -> Result<Vec<Receipt>> {
    store.read(|conn| {
        store::deliveries::get(conn, id)?;
        store::deliveries::receipts(conn, id)
    })
}

/// Packages a sealed snapshot of a signed or active deal into `request.out` (a new or
/// empty folder), signs its manifest with the store's key (made on first use), and
/// records the delivery with the next sequence of the deal. Refused, writing nothing,
/// for a deal not signed or active, a snapshot not sealed or of another deal, an output
/// folder that is not empty, or a shard that no longer matches its seal.
pub fn create(store: &Store, secrets: Secrets, request: DeliveryRequest) -> Result<Delivery> {
    let (deal, partner, snapshot) = store.read(|conn| {
        let deal = store::deals::get(conn, request.deal_id)?;
        let snapshot = store::snapshots::get(conn, request.snapshot_id)?;
        let partner = store::partners::get(conn, deal.partner_id)?;
        Ok((deal, partner, snapshot))
    })?;
    if !matches!(deal.status, DealStatus::Signed | DealStatus::Active) {
        return Err(Error::Conflict {
            field: Some("deal_id".to_string()),
            message: format!(
                "deal {} is {}: only a signed or active deal may deliver",
                deal.id, deal.status
            ),
        });
    }
    check_snapshot(
        request.snapshot_id,
        deal.id,
        snapshot.deal_id,
        snapshot.sealed,
    )?;
    let platform = platform(request.platform.as_deref())?;
    let staging = package::Staging::create(&request.out)?;
    // After every check that can refuse: the first use makes the key.
    let signer = keys::signer(store, secrets)?;
    let from = Path::new(&snapshot.out_dir);
    let files = snapshot
        .shards
        .iter()
        .map(|shard| staging.add_shard(from, shard))
        .collect::<Result<Vec<_>>>()?;
    let format = FileFormat::parse("format", &snapshot.format)?;
    let fields = match snapshot.shards.first() {
        Some(first) => infer_fields(format, &package::first_line(&from.join(&first.file))?)
            .map_err(|e| Error::Invalid(vec![e]))?,
        None => Vec::new(),
    };
    let out_dir = staging.out().display().to_string();

    store.write(move |tx| {
        let sequence = store::deliveries::last_sequence(tx.conn(), deal.id)? + 1;
        let delivery_id = store::deliveries::next_id(tx.conn())?;
        let (audit_seq, audit_hash) = store::audit::newest(tx.conn())?
            .unwrap_or_else(|| (0, crate::model::audit::GENESIS.to_string()));
        let manifest = croissant(&ManifestInput {
            deal: &deal,
            partner: &partner,
            snapshot: &snapshot,
            delivery_id: delivery_id.0,
            sequence,
            platform: platform.clone(),
            issued_at: tx.now().to_string(),
            audit_seq,
            audit_hash,
            fields: fields.clone(),
        });
        let mut bytes = serde_json::to_vec_pretty(&manifest).expect("JSON values serialize");
        bytes.push(b'\n');
        let written = staging.write(MANIFEST, &bytes)?;
        let trusted = format!(
            "consentry delivery {delivery_id} deal {} sequence {sequence} file {MANIFEST}",
            deal.id
        );
        staging.write(
            MANIFEST_MINISIG,
            signer.sign_minisign(&bytes, &trusted).as_bytes(),
        )?;
        staging.write(MANIFEST_SIG, &signer.sign_raw(&bytes))?;
        let delivery = Delivery {
            delivery_id,
            deal_id: deal.id,
            snapshot_id: snapshot.snapshot_id,
            sequence,
            out_dir: out_dir.clone(),
            manifest_sha256: written.sha256,
            key_id: signer.number.id(),
            files: files.clone(),
            records: snapshot.records_included,
            created_at: tx.now().to_string(),
        };
        store::deliveries::insert(tx, &delivery)?;
        tx.audit(
            Action::DeliveryCreated,
            "delivery",
            delivery_id.0,
            None,
            Some(&delivery),
        )?;
        // Published last, inside the transaction: a refused publish records nothing.
        staging.publish()?;
        Ok(delivery)
    })
}

fn check_snapshot(id: SnapshotId, deal: DealId, of: DealId, sealed: bool) -> Result<()> {
    if of != deal {
        return Err(Error::invalid(
            "snapshot_id",
            format!("snapshot {id} belongs to deal {of}, not deal {deal}"),
        ));
    }
    if !sealed {
        return Err(Error::Conflict {
            field: Some("snapshot_id".to_string()),
            message: format!("snapshot {id} is not sealed: its build has not finished"),
        });
    }
    Ok(())
}

pub(crate) fn platform(given: Option<&str>) -> Result<String> {
    let name = given
        .map(str::to_string)
        .or_else(|| std::env::var("CONSENTRY_PLATFORM").ok())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| DEFAULT_PLATFORM.to_string());
    crate::text::single_line("platform", &name).map_err(|e| Error::Invalid(vec![e]))?;
    Ok(name)
}

/// Uploads a delivery's package to `to` (`s3://bucket/prefix`, `gs://`, `az://`,
/// `file:///folder`): the data files first, then the manifest and its signatures, so a
/// partner never sees a manifest before its files. Each object's receipt is stored (with
/// an audit entry) as soon as the object is there, so an interrupted push keeps what it
/// did, and a re-run skips objects already there with the same size and SHA-256.
/// `progress` sees every event (for large files, progress per part). Setting `cancel`
/// stops the push at its next event (an object's start or end, a part sent): the objects
/// already there keep their receipts, a multipart upload under way is aborted, and
/// pushing again resumes.
pub fn push(
    store: &Store,
    id: DeliveryId,
    to: &str,
    options: &push::PushOptions,
    progress: &mut dyn FnMut(&push::PushEvent),
    cancel: &AtomicBool,
) -> Result<PushReport> {
    let delivery = get(store, id)?;
    let dir = Path::new(&delivery.out_dir);
    let mut uploads: Vec<push::Upload> = delivery
        .files
        .iter()
        .map(|f| push::Upload {
            key: f.name.clone(),
            path: dir.join(&f.name),
            bytes: f.bytes,
            sha256: f.sha256.clone(),
        })
        .collect();
    for name in [MANIFEST, MANIFEST_MINISIG, MANIFEST_SIG] {
        let path = dir.join(name);
        let (bytes, sha256) = package::hash_file(&path)?;
        if name == MANIFEST && sha256 != delivery.manifest_sha256 {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{} is not the manifest delivery {id} was made with: run `consentry \
                     delivery verify {}`; nothing was pushed",
                    path.display(),
                    dir.display()
                ),
            });
        }
        uploads.push(push::Upload {
            key: name.to_string(),
            path,
            bytes,
            sha256,
        });
    }
    let destination = to.trim().to_string();
    let mut report = PushReport {
        delivery_id: id,
        destination: destination.clone(),
        uploaded: 0,
        skipped: 0,
        receipts: Vec::new(),
    };
    push::push(&destination, &uploads, options, &mut |event| {
        progress(&event);
        if let push::PushEvent::Done(r) = event {
            let receipt = Receipt {
                destination: destination.clone(),
                key: r.key.clone(),
                bytes: r.bytes,
                sha256: r.sha256.clone(),
                etag: r.etag.clone(),
                version: r.version.clone(),
                uploaded_at: r.uploaded_at.clone(),
            };
            store.write(|tx| {
                if store::deliveries::insert_receipt(tx, id, &receipt)? {
                    tx.audit(
                        Action::DeliveryPushed,
                        "delivery_receipt",
                        id.0,
                        None,
                        Some(&receipt),
                    )?;
                }
                Ok(())
            })?;
            if r.skipped {
                report.skipped += 1;
            } else {
                report.uploaded += 1;
            }
            report.receipts.push(receipt);
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Stopped(format!(
                "the push to {destination} was stopped after {} of {} objects; those keep \
                 their receipts, and pushing again resumes",
                report.receipts.len(),
                uploads.len()
            )));
        }
        Ok(())
    })?;
    Ok(report)
}
