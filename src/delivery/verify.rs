//! `delivery verify`: what a partner's security team checks, and more. Every check
//! runs and every failure is named:
//! - both signatures of `manifest.json` (minisign and raw Ed25519), by the key the
//!   minisign signature names, among the keys given;
//! - every data file the manifest lists: a plain name inside the folder (no `..`, no
//!   folder, not absolute), a regular file (not a symbolic link), its size and SHA-256;
//! - nothing in the folder that the manifest does not list;
//! - with the store at hand, that the sequence is not lower than one already delivered
//!   for the deal (a replayed older package), and that a sequence delivered is this
//!   very manifest.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::package::hash_file;
use super::{PackageReport, MANIFEST, MANIFEST_MINISIG, MANIFEST_SIG};
use crate::deal::DealId;
use crate::error::{Error, Result};
use crate::model::signature::{MinisignSignature, PublicKey};
use crate::store::{self, Store};
use crate::text::printable;

/// Checks the package in `dir` with the given public keys (a partner's copy of the
/// key), or else every key the store ever signed with; with a store, replays too.
/// Problems are in the report (`ok` false); an error only when nothing could be
/// checked (no key to check with).
pub fn verify(
    store: Option<&Store>,
    dir: &Path,
    keys: Option<Vec<PublicKey>>,
) -> Result<PackageReport> {
    let keys = match (keys, store) {
        (Some(keys), _) => keys,
        (None, Some(store)) => crate::keys::public_keys(store)?,
        (None, None) => {
            return Err(Error::invalid(
                "public_key",
                "no store to take the public key from: give --public-key FILE",
            ))
        }
    };
    let mut report = PackageReport {
        dir: dir.display().to_string(),
        ok: false,
        deal_id: None,
        sequence: None,
        key_id: None,
        files_checked: 0,
        problems: Vec::new(),
    };
    let problems = &mut report.problems;
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        problems.push(format!("{} is not a folder", show(&report.dir)));
        return Ok(report);
    }
    let manifest = match read_regular(dir, MANIFEST) {
        Ok(bytes) => bytes,
        Err(problem) => {
            problems.push(problem);
            return Ok(report);
        }
    };
    report.key_id = check_signatures(dir, &manifest, &keys, problems);
    let Ok(doc) = serde_json::from_slice::<Value>(&manifest) else {
        problems.push(format!("{MANIFEST} is not JSON"));
        return Ok(report);
    };
    let block = &doc["consentry:delivery"];
    report.deal_id = block["consentry:deal_id"].as_i64().map(DealId);
    report.sequence = block["consentry:sequence"].as_u64();
    let listed = check_files(dir, &doc, problems, &mut report.files_checked);
    check_extra(dir, &listed, problems);
    if let (Some(store), Some(deal), Some(sequence)) = (store, report.deal_id, report.sequence) {
        check_replay(store, deal, sequence, &manifest, problems)?;
    }
    report.ok = report.problems.is_empty();
    Ok(report)
}

fn show(text: &str) -> String {
    printable(text).into_owned()
}

/// A regular file of the package, read whole (the manifest and its signatures are small).
fn read_regular(dir: &Path, name: &str) -> std::result::Result<Vec<u8>, String> {
    let path = dir.join(name);
    match std::fs::symlink_metadata(&path) {
        Err(_) => Err(format!("{name} is missing")),
        Ok(m) if m.file_type().is_symlink() => Err(format!("{name} is a symbolic link")),
        Ok(m) if !m.is_file() => Err(format!("{name} is not a file")),
        Ok(_) => std::fs::read(&path).map_err(|e| format!("{name} cannot be read: {e}")),
    }
}

fn check_signatures(
    dir: &Path,
    manifest: &[u8],
    keys: &[PublicKey],
    problems: &mut Vec<String>,
) -> Option<String> {
    let minisig = match read_regular(dir, MANIFEST_MINISIG) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(problem) => {
            problems.push(problem);
            String::new()
        }
    };
    let named = MinisignSignature::parse(&minisig).ok().map(|s| s.number);
    // The key the signature names; a PEM key (no number) is tried as it is.
    let key = keys
        .iter()
        .find(|k| Some(k.number) == named)
        .or_else(|| keys.iter().find(|k| k.number.0 == [0; 8]))
        .or(keys.first());
    let Some(key) = key else {
        problems.push("no public key to verify the signatures with".to_string());
        return None;
    };
    if !minisig.is_empty() {
        if let Err(e) = key.verify_minisign(manifest, &minisig) {
            problems.push(format!("{MANIFEST_MINISIG}: {e}"));
        }
    }
    match read_regular(dir, MANIFEST_SIG) {
        Ok(sig) => {
            if let Err(e) = key.verify_raw(manifest, &sig) {
                problems.push(format!("{MANIFEST_SIG}: {e}"));
            }
        }
        Err(problem) => problems.push(problem),
    }
    named.map(|n| n.id())
}

/// Whether a name from the manifest stays inside the package folder.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.starts_with('.')
}

fn check_files(
    dir: &Path,
    doc: &Value,
    problems: &mut Vec<String>,
    checked: &mut u64,
) -> BTreeSet<String> {
    let mut listed = BTreeSet::new();
    let Some(files) = doc["distribution"].as_array() else {
        problems.push(format!("{MANIFEST} lists no distribution"));
        return listed;
    };
    for file in files.iter().filter(|f| f["@type"] == "cr:FileObject") {
        let name = file["contentUrl"].as_str().unwrap_or_default();
        if !plain_name(name) {
            problems.push(format!(
                "file name {:?} escapes the package folder",
                show(name)
            ));
            continue;
        }
        listed.insert(name.to_string());
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Err(_) => {
                problems.push(format!("{} is missing", show(name)));
                continue;
            }
            Ok(m) if m.file_type().is_symlink() => {
                problems.push(format!("{} is a symbolic link", show(name)));
                continue;
            }
            Ok(m) if !m.is_file() => {
                problems.push(format!("{} is not a file", show(name)));
                continue;
            }
            Ok(_) => {}
        }
        let (size, sha) = match hash_file(&path) {
            Ok(v) => v,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        *checked += 1;
        if Some(size) != file["contentSize"].as_str().and_then(size_of) {
            problems.push(format!(
                "{}: {size} bytes, the manifest says {}",
                show(name),
                file["contentSize"]
            ));
        }
        if Some(sha.as_str()) != file["sha256"].as_str() {
            problems.push(format!(
                "{}: SHA-256 {sha}, the manifest says {}",
                show(name),
                file["sha256"]
            ));
        }
    }
    listed
}

/// `contentSize` as Croissant writes it: `"1234 B"` (a bare number is read too).
fn size_of(text: &str) -> Option<u64> {
    text.trim().trim_end_matches('B').trim().parse().ok()
}

fn check_extra(dir: &Path, listed: &BTreeSet<String>, problems: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        problems.push(format!("{} cannot be listed", dir.display()));
        return;
    };
    let mut extra: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| ![MANIFEST, MANIFEST_MINISIG, MANIFEST_SIG].contains(&n.as_str()))
        .filter(|n| !listed.contains(n))
        .collect();
    extra.sort();
    for name in extra {
        problems.push(format!("{} is not in the manifest", show(&name)));
    }
}

fn check_replay(
    store: &Store,
    deal: DealId,
    sequence: u64,
    manifest: &[u8],
    problems: &mut Vec<String>,
) -> Result<()> {
    let delivered = store.read(|conn| match store::deals::get(conn, deal) {
        Ok(_) => store::deliveries::list(conn, deal).map(Some),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    })?;
    let Some(delivered) = delivered else {
        problems.push(format!("the store has no deal {deal}"));
        return Ok(());
    };
    let last = delivered.iter().map(|d| d.sequence).max().unwrap_or(0);
    if sequence < last {
        problems.push(format!(
            "replayed: sequence {sequence} is lower than sequence {last} already delivered for deal {deal}"
        ));
    }
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(manifest));
    match delivered.iter().find(|d| d.sequence == sequence) {
        None => problems.push(format!(
            "the store has no delivery {sequence} of deal {deal}"
        )),
        Some(d) if d.manifest_sha256 != sha => problems.push(format!(
            "delivery {sequence} of deal {deal} was made with another manifest (SHA-256 {})",
            d.manifest_sha256
        )),
        Some(_) => {}
    }
    Ok(())
}
