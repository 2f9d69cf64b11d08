//! A snapshot's folders: owned, never assumed.
//!
//! A build writes into a staging folder it creates itself, exclusively, under a name
//! made unique by the snapshot id, and marks it with a file naming that build. It
//! removes only that folder, and only while the marker is still there. The output
//! folder is never removed by anyone:
//! - `--out` must be a new or empty folder; a file, a symbolic link or a folder with
//!   anything in it is refused before the source is read;
//! - publishing is one `rename` of the staging folder onto it, which the OS refuses if
//!   the folder gained an entry in the meantime (another build, or a person): that build
//!   is then refused and its own staging folder removed, and nothing of theirs touched;
//! - two builds of one store cannot even start on the same folder.
//!
//! The default output folder is `<store file>.snapshots/deal-<id>/snapshot-<id>-<time>`
//! beside the store: two stores in one folder have different file names, and a store
//! restored from a backup (whose snapshot ids start again) stamps a different time.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::deal::DealId;
use crate::error::{Error, FieldError, Result};
use crate::store::snapshots::Building;
use crate::text::printable;

use super::SnapshotId;

/// The file a build writes into its staging folder first, naming itself.
pub const MARKER: &str = ".consentry-build";

fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// Refuses an `--out` that is a file, a symbolic link or a folder that is not empty.
pub(crate) fn check_out(out: &Path) -> std::result::Result<(), FieldError> {
    let refuse = |what: &str| {
        Err(FieldError::new(
            "out",
            format!(
                "{} {what}: give a new or empty folder (Consentry never writes into, or \
                 removes, what is already there)",
                shown(out)
            ),
        ))
    };
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => refuse(&format!("cannot be inspected ({e})")),
        Ok(meta) if meta.file_type().is_symlink() => refuse("is a symbolic link"),
        Ok(meta) if !meta.is_dir() => refuse("is a file"),
        Ok(_) => match std::fs::read_dir(out).map(|mut entries| entries.next().is_some()) {
            Err(e) => refuse(&format!("cannot be read ({e})")),
            Ok(true) => refuse("is a folder that is not empty"),
            Ok(false) => Ok(()),
        },
    }
}

/// Where a snapshot goes when `--out` is not given (see the module docs).
pub(crate) fn default_out(
    store_location: &str,
    deal: DealId,
    id: SnapshotId,
    created_at: &str,
) -> PathBuf {
    let stamp: String = created_at
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let root = match store_location {
        ":memory:" => std::env::temp_dir().join(format!("consentry-{}", std::process::id())),
        path => PathBuf::from(format!("{path}.snapshots")),
    };
    absolute(
        &root
            .join(format!("deal-{deal}"))
            .join(format!("snapshot-{id}-{stamp}")),
    )
}

/// The staging folder of a build: hidden, beside the output folder (so publishing is a
/// rename within one file system), unique by snapshot id.
pub(crate) fn staging_for(out: &Path, id: SnapshotId) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.building-{id}"))
}

pub(crate) fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn marker_text(b: &Building) -> String {
    format!(
        "consentry snapshot build {} started {}\n",
        b.id, b.created_at
    )
}

/// Creates the build's staging folder (never an existing one) and marks it.
pub(crate) fn create_staging(b: &Building) -> Result<PathBuf> {
    let staging = PathBuf::from(&b.staging_dir);
    let io = |e| Error::io(format!("cannot create {}", shown(&staging)), e);
    if let Some(parent) = staging.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::create_dir(&staging).map_err(io)?;
    let mut marker = File::create(staging.join(MARKER)).map_err(io)?;
    marker.write_all(marker_text(b).as_bytes()).map_err(io)?;
    marker.sync_all().map_err(io)?;
    Ok(staging)
}

/// Removes the build's staging folder if it still carries the build's marker (or is
/// empty); anything else is left alone. Returns whether it removed it.
pub(crate) fn remove_staging(b: &Building) -> Result<bool> {
    let staging = Path::new(&b.staging_dir);
    if !std::fs::symlink_metadata(staging).is_ok_and(|m| m.is_dir()) {
        return Ok(false);
    }
    let expected = marker_text(b);
    let marker = std::fs::read_to_string(staging.join(MARKER)).ok();
    if marker.as_deref() == Some(expected.as_str()) {
        std::fs::remove_dir_all(staging)
            .map_err(|e| Error::io(format!("cannot remove {}", shown(staging)), e))?;
        return Ok(true);
    }
    // A build killed between creating the folder and finishing its marker left the
    // folder empty, or holding nothing but the start of that marker: removing those
    // destroys nothing of anyone's. Anything else stays.
    let partial_marker = marker.is_some_and(|m| expected.starts_with(m.as_str()));
    let only_marker = std::fs::read_dir(staging).is_ok_and(|entries| entries.count() == 1);
    if partial_marker && only_marker {
        let _ = std::fs::remove_file(staging.join(MARKER));
    }
    Ok(std::fs::remove_dir(staging).is_ok())
}

/// Renames the finished staging folder onto the output folder, which must still be
/// absent or empty, and makes that durable.
pub(crate) fn publish(b: &Building) -> Result<()> {
    let (staging, out) = (Path::new(&b.staging_dir), Path::new(&b.out_dir));
    let io = |e| Error::io(format!("cannot publish {}", shown(out)), e);
    // The marker travels with the folder and is removed only once it is published, so
    // that at every instant the staging folder either carries it or is gone.
    if let Err(e) = std::fs::rename(staging, out) {
        return Err(match check_out(out) {
            Err(field) => Error::Conflict {
                field: Some(field.field),
                message: format!(
                    "{}; it changed while the snapshot was built (another build, or someone \
                     else, wrote there). Nothing was sealed",
                    field.message
                ),
            },
            Ok(()) => io(e),
        });
    }
    std::fs::remove_file(out.join(MARKER)).map_err(io)?;
    sync_dir(out)?;
    if let Some(parent) = out.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(format!("cannot sync {}", shown(dir)), e))
}
