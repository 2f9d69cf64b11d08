//! A delivery package's folder: made in a staging folder beside `--out`, published with
//! one rename (which the OS refuses onto a non-empty folder), never written into once
//! published. Data files are hard links to the sealed snapshot's shards when the two
//! folders share a file system (a copy otherwise), and each is re-hashed against the
//! sealed SHA-256 before it goes in: a shard changed since sealing is never delivered.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::delivery::PackageFile;
use crate::model::snapshot::Shard;
use crate::snapshot::atomic::AtomicFile;
use crate::snapshot::folders::{absolute, check_out, sync_dir};
use crate::text::printable;

/// The file a package's staging folder holds first, naming the process that made it.
const MARKER: &str = ".consentry-delivery";

fn shown(path: &Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// A package being made. Dropped before [`Staging::publish`], it removes its own
/// folder (created exclusively by it, and still carrying its marker).
pub(crate) struct Staging {
    dir: PathBuf,
    out: PathBuf,
    marker: String,
    published: bool,
}

impl Staging {
    /// Checks `out` (new or empty folder) and creates the staging folder beside it.
    pub fn create(out: &str) -> Result<Staging> {
        let out = absolute(Path::new(out));
        check_out(&out).map_err(|e| Error::Invalid(vec![e]))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .ok_or_else(|| Error::invalid("out", "give a folder to write the package into"))?;
        let dir = out.with_file_name(format!(".{name}.delivering-{}", std::process::id()));
        let shown_dir = shown(&dir);
        let io = |e| Error::io(format!("cannot create {shown_dir}"), e);
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::create_dir(&dir).map_err(io)?;
        let marker = format!(
            "consentry delivery package by process {} for {}\n",
            std::process::id(),
            out.display()
        );
        let staging = Staging {
            dir,
            out,
            marker,
            published: false,
        };
        std::fs::write(staging.dir.join(MARKER), &staging.marker).map_err(io)?;
        Ok(staging)
    }

    /// The final folder, absolute.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Puts a sealed shard of `from` into the package, checking it against the seal.
    pub fn add_shard(&self, from: &Path, shard: &Shard) -> Result<PackageFile> {
        let source = from.join(&shard.file);
        let target = self.dir.join(&shard.file);
        let (bytes, sha256) = match std::fs::hard_link(&source, &target) {
            Ok(()) => hash_file(&target)?,
            Err(_) => copy_hashing(&self.dir, &source, &shard.file)?,
        };
        if bytes != shard.bytes || sha256 != shard.sha256 {
            return Err(Error::Conflict {
                field: Some("snapshot_id".to_string()),
                message: format!(
                    "{} is not what the snapshot sealed ({} bytes, SHA-256 {}; sealed {} \
                     bytes, {}): run `consentry snapshot verify`; nothing was delivered",
                    shown(&source),
                    bytes,
                    sha256,
                    shard.bytes,
                    shard.sha256
                ),
            });
        }
        Ok(PackageFile {
            name: shard.file.clone(),
            bytes,
            sha256,
        })
    }

    /// Writes a small file of the package (the manifest, a signature) durably.
    pub fn write(&self, name: &str, content: &[u8]) -> Result<PackageFile> {
        let io = |e| Error::io(format!("cannot write {name} in {}", shown(&self.dir)), e);
        let mut file = AtomicFile::create(&self.dir, name, "the package").map_err(io)?;
        file.write(content)?;
        let written = file.commit()?;
        Ok(PackageFile {
            name: written.name,
            bytes: written.bytes,
            sha256: written.sha256,
        })
    }

    /// Renames the staging folder onto `out`, which must still be absent or empty.
    pub fn publish(mut self) -> Result<()> {
        let io = |e| Error::io(format!("cannot publish {}", shown(&self.out)), e);
        std::fs::remove_file(self.dir.join(MARKER)).map_err(io)?;
        if let Err(e) = std::fs::rename(&self.dir, &self.out) {
            // Put the marker back so that drop removes our folder, and only ours.
            let _ = std::fs::write(self.dir.join(MARKER), &self.marker);
            return Err(match check_out(&self.out) {
                Err(field) => Error::Conflict {
                    field: Some(field.field),
                    message: format!(
                        "{}; it changed while the package was made. Nothing was delivered",
                        field.message
                    ),
                },
                Ok(()) => io(e),
            });
        }
        self.published = true;
        sync_dir(&self.out)?;
        if let Some(parent) = self.out.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.published {
            return;
        }
        let ours = std::fs::read_to_string(self.dir.join(MARKER)).is_ok_and(|m| m == self.marker);
        if ours {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Size and SHA-256 of a file, read once (`snapshot::hash_file`), the error naming it.
pub(crate) fn hash_file(path: &Path) -> Result<(u64, String)> {
    crate::snapshot::hash_file(path)
        .map_err(|e| Error::io(format!("cannot read {}", shown(path)), e))
}

fn copy_hashing(dir: &Path, source: &Path, name: &str) -> Result<(u64, String)> {
    let io = |e| Error::io(format!("cannot copy {}", shown(source)), e);
    let mut input = File::open(source).map_err(io)?;
    let mut out = AtomicFile::create(dir, name, "a delivered shard").map_err(io)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        out.write(&buf[..n])?;
    }
    let written = out.commit()?;
    Ok((written.bytes, written.sha256))
}

/// The first line of a file (without reading the rest): the CSV header or the first
/// JSON record, from which the manifest names the fields.
pub(crate) fn first_line(path: &Path) -> Result<Vec<u8>> {
    let io = |e| Error::io(format!("cannot read {}", shown(path)), e);
    let mut file = std::io::BufReader::new(File::open(path).map_err(io)?);
    let mut line = Vec::new();
    std::io::BufRead::read_until(
        &mut (&mut file).take(crate::model::snapshot::MAX_LINE_BYTES as u64),
        b'\n',
        &mut line,
    )
    .map_err(io)?;
    Ok(line)
}
