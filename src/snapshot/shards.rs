//! The build's output files: the included lines cut into shards of at most `limit`
//! bytes (`part-00000.jsonl`, ...; a CSV source's header at the top of each), and the
//! records index (`records.jsonl`: `["author","record id"]` per included line, in
//! shard order). Each is an [`AtomicFile`]: a shard is renamed to its final name, with
//! its size and SHA-256, as soon as it is full.

use std::path::Path;
use std::time::Duration;

use super::atomic::AtomicFile;
use super::{Shard, RECORDS_INDEX};
use crate::error::{Error, Result};

pub(super) struct ShardWriter<'a> {
    dir: &'a Path,
    header: Option<&'a [u8]>,
    ext: &'static str,
    limit: u64,
    current: Option<OpenShard>,
    done: Vec<Shard>,
    /// The time the shards' commits took (their fsyncs, mostly).
    commit_time: Duration,
}

struct OpenShard {
    file: AtomicFile,
    records: u64,
}

impl<'a> ShardWriter<'a> {
    /// Shards of a JSONL source, or of a CSV one when it has a `header`.
    pub fn new(dir: &'a Path, header: Option<&'a [u8]>, limit: u64) -> ShardWriter<'a> {
        ShardWriter {
            dir,
            header,
            ext: if header.is_some() { "csv" } else { "jsonl" },
            limit,
            current: None,
            done: Vec::new(),
            commit_time: Duration::ZERO,
        }
    }

    /// Appends one record's line (and a '\n' when `newline`); a shard holds at least one
    /// record, so a line longer than the limit makes a shard of its own.
    #[inline]
    pub fn write(&mut self, line: &[u8], newline: bool) -> Result<()> {
        let len = line.len() as u64 + u64::from(newline);
        if let Some(open) = &self.current {
            if open.records > 0 && open.file.bytes() + len > self.limit {
                self.finish()?;
            }
        }
        if self.current.is_none() {
            self.open()?;
        }
        let open = self.current.as_mut().expect("opened above");
        open.file.write(line)?;
        if newline {
            open.file.write(b"\n")?;
        }
        open.records += 1;
        Ok(())
    }

    #[cold]
    fn open(&mut self) -> Result<()> {
        let name = format!("part-{:05}.{}", self.done.len(), self.ext);
        let file = AtomicFile::create(self.dir, &name, "a shard").map_err(|e| {
            Error::io(
                format!("cannot create a shard in {}", self.dir.display()),
                e,
            )
        })?;
        let mut open = OpenShard { file, records: 0 };
        if let Some(h) = self.header {
            open.file.write(h)?;
        }
        self.current = Some(open);
        Ok(())
    }

    /// Commits the open shard under its final name.
    fn finish(&mut self) -> Result<()> {
        if let Some(open) = self.current.take() {
            let written = open.file.commit()?;
            self.commit_time += written.commit_time;
            self.done.push(Shard {
                file: written.name,
                records: open.records,
                bytes: written.bytes,
                sha256: written.sha256,
            });
        }
        Ok(())
    }

    /// Commits the last shard; the shards in order, and the time all their commits took.
    pub fn close(mut self) -> Result<(Vec<Shard>, Duration)> {
        self.finish()?;
        Ok((self.done, self.commit_time))
    }
}

/// `records.jsonl`, written entry by entry as shards take their lines.
pub(super) struct RecordsIndex(AtomicFile);

impl RecordsIndex {
    pub fn create(dir: &Path) -> Result<RecordsIndex> {
        AtomicFile::create(dir, RECORDS_INDEX, "the records index")
            .map(RecordsIndex)
            .map_err(|e| Error::io("cannot create the records index", e))
    }

    /// Appends one rendered entry (see `classify::records_index_entry`).
    #[inline]
    pub fn write(&mut self, entry: &[u8]) -> Result<()> {
        self.0.write(entry)
    }

    /// Commits the index; its SHA-256, and the time the commit took.
    pub fn close(self) -> Result<(String, Duration)> {
        let written = self.0.commit()?;
        Ok((written.sha256, written.commit_time))
    }
}
