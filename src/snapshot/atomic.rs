//! A file that appears whole or not at all: written under a temporary name, hashed
//! (SHA-256) and counted as it is written, then flushed, fsynced, renamed to its final
//! name and the folder fsynced. A reader of the folder never sees half a file, and once
//! [`AtomicFile::commit`] returns, the file and its name survive a crash. A large file
//! is also synced behind its writer as it grows (`Flusher`), so that the commit's fsync
//! has little left to do; the commit's own fsync is what makes it durable.
//!
//! Snapshot shards and the records index are written with it; later files that must be
//! sealed the same way (signed delivery manifests, withdrawal notices) are meant to be
//! too. The digest and size it returns are of the exact bytes written, so a caller never
//! reads a file back to prove it.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::folders;
use crate::error::{Error, Result};

/// What a committed file is: its final name, size and SHA-256 (hex), and how long the
/// commit took (flush, fsync, rename, the folder's fsync).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    pub commit_time: Duration,
}

/// A file being written; dropped without [`commit`](AtomicFile::commit), its temporary
/// file is removed (it was created by this writer, exclusively).
pub(crate) struct AtomicFile {
    dir: PathBuf,
    name: String,
    /// `None` once committed.
    out: Option<BufWriter<File>>,
    hasher: Sha256,
    bytes: u64,
    /// Names the file in errors: "cannot write {what}".
    what: &'static str,
    /// Bytes written between two syncs behind the writer, and the count at the last.
    sync_every: u64,
    synced_at: u64,
    flusher: Option<Flusher>,
}

/// How much a large file (a shard) grows between two syncs behind its writer.
const SYNC_EVERY: u64 = 64 << 20;

/// Syncs what was written of a large file on a thread of its own while the writer goes
/// on, so that the commit's fsync finds little left to write (a 2M-post build's commits
/// waited 0.2 s for theirs). The first error is kept and fails the commit: Linux
/// reports a writeback error once per open file, and this thread shares the writer's.
struct Flusher {
    wake: SyncSender<()>,
    done: JoinHandle<std::io::Result<()>>,
}

impl Flusher {
    fn start(file: File) -> Flusher {
        let (wake, woken) = sync_channel::<()>(1);
        let done = std::thread::spawn(move || {
            for () in woken {
                file.sync_data()?;
            }
            Ok(())
        });
        Flusher { wake, done }
    }

    /// Waits for the sync under way, if any; its error, or a panic's, is the commit's.
    fn finish(self) -> std::io::Result<()> {
        drop(self.wake);
        self.done
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the sync behind the writer failed")))
    }
}

impl AtomicFile {
    /// Creates `dir/name.tmp`, refusing to replace an existing file. The error is the
    /// caller's to word: it knows where and why it writes.
    pub fn create(dir: &Path, name: &str, what: &'static str) -> std::io::Result<AtomicFile> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(temporary(dir, name))?;
        Ok(AtomicFile {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            out: Some(BufWriter::with_capacity(1 << 20, file)),
            hasher: Sha256::new(),
            bytes: 0,
            what,
            sync_every: SYNC_EVERY,
            synced_at: 0,
            flusher: None,
        })
    }

    /// Appends `bytes`, hashing and counting them.
    #[inline]
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let out = self.out.as_mut().expect("not committed");
        out.write_all(bytes).map_err(|e| self.error(e))?;
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        if self.bytes - self.synced_at >= self.sync_every {
            self.sync_behind();
        }
        Ok(())
    }

    /// Wakes the flusher (started the first time), unless it is still syncing. Best
    /// effort: a file that cannot be shared is synced by the commit alone.
    #[cold]
    fn sync_behind(&mut self) {
        self.synced_at = self.bytes;
        if self.flusher.is_none() {
            let out = self.out.as_ref().expect("not committed");
            self.flusher = out.get_ref().try_clone().ok().map(Flusher::start);
        }
        if let Some(flusher) = &self.flusher {
            let _ = flusher.wake.try_send(());
        }
    }

    /// How many bytes were written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes, fsyncs, renames the file to its final name and fsyncs the folder.
    pub fn commit(self) -> Result<Written> {
        self.finish(false)
    }

    /// As [`AtomicFile::commit`], but refused (the temporary file removed) when a file
    /// of the final name exists: the name is linked, never replaced.
    pub fn commit_new(self) -> Result<Written> {
        self.finish(true)
    }

    fn finish(mut self, no_replace: bool) -> Result<Written> {
        let started = Instant::now();
        let out = self.out.take().expect("not committed");
        let temp = temporary(&self.dir, &self.name);
        let behind = match self.flusher.take() {
            Some(flusher) => flusher.finish().map_err(|e| self.error(e)),
            None => Ok(()),
        };
        let file = behind.and_then(|()| out.into_inner().map_err(|e| self.error(e.into_error())));
        let synced = file.and_then(|f| f.sync_all().map_err(|e| self.error(e)));
        let placed = synced.and_then(|()| {
            let target = self.dir.join(&self.name);
            if no_replace {
                std::fs::hard_link(&temp, target)
                    .and_then(|()| std::fs::remove_file(&temp))
                    .map_err(|e| self.error(e))
            } else {
                std::fs::rename(&temp, target).map_err(|e| self.error(e))
            }
        });
        if let Err(e) = placed {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
        folders::sync_dir(&self.dir)?;
        Ok(Written {
            name: std::mem::take(&mut self.name),
            bytes: self.bytes,
            sha256: hex::encode(std::mem::take(&mut self.hasher).finalize()),
            commit_time: started.elapsed(),
        })
    }

    #[cold]
    fn error(&self, e: std::io::Error) -> Error {
        Error::io(format!("cannot write {}", self.what), e)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(temporary(&self.dir, &self.name));
        }
    }
}

fn temporary(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("consentry-atomic-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_file_appears_under_its_name_only_when_committed() {
        let dir = folder("commit");
        let mut file = AtomicFile::create(&dir, "part-00000.jsonl", "a shard").unwrap();
        file.write(b"abc").unwrap();
        file.write(b"\n").unwrap();
        assert_eq!(file.bytes(), 4);
        assert_eq!(names(&dir), ["part-00000.jsonl.tmp"]);
        let written = file.commit().unwrap();
        assert_eq!(names(&dir), ["part-00000.jsonl"]);
        assert_eq!(
            std::fs::read(dir.join("part-00000.jsonl")).unwrap(),
            b"abc\n"
        );
        // `printf 'abc\n' | sha256sum`
        assert_eq!(
            written,
            Written {
                name: "part-00000.jsonl".into(),
                bytes: 4,
                sha256: "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb".into(),
                commit_time: written.commit_time,
            }
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file synced behind its writer as it grows commits the same bytes and digest.
    #[test]
    fn a_file_synced_behind_its_writer_commits_whole() {
        let dir = folder("behind");
        let mut file = AtomicFile::create(&dir, "part-00000.jsonl", "a shard").unwrap();
        file.sync_every = 1000;
        let line = [b'x'; 99];
        let mut hasher = Sha256::new();
        for _ in 0..100 {
            file.write(&line).unwrap();
            file.write(b"\n").unwrap();
            hasher.update(line);
            hasher.update(b"\n");
        }
        assert!(file.flusher.is_some());
        let written = file.commit().unwrap();
        assert_eq!(written.bytes, 10_000);
        assert_eq!(written.sha256, hex::encode(hasher.finalize()));
        assert_eq!(names(&dir), ["part-00000.jsonl"]);
        assert_eq!(
            std::fs::read(dir.join("part-00000.jsonl")).unwrap().len(),
            10_000
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_abandoned_file_leaves_nothing_and_an_existing_one_is_not_replaced() {
        let dir = folder("abandon");
        let mut file = AtomicFile::create(&dir, "records.jsonl", "the records index").unwrap();
        file.write(b"x").unwrap();
        drop(file);
        assert!(names(&dir).is_empty());

        std::fs::write(dir.join("notes.txt.tmp"), b"someone's").unwrap();
        assert!(AtomicFile::create(&dir, "notes.txt", "notes").is_err());
        assert_eq!(
            std::fs::read(dir.join("notes.txt.tmp")).unwrap(),
            b"someone's"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
