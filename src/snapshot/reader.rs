//! The reader: the source cut into chunks of whole lines (about 4 MiB each, numbered in
//! source order) for the parser threads, and a read-ahead that pulls the source into the
//! page cache while the store is read.
//!
//! Memory never holds a line longer than [`MAX_LINE_BYTES`]: such a line is skipped to
//! its end as it streams past and sent as `Oversized`, so that it is counted and
//! reported with its line number (and `/dev/zero` cannot exhaust memory).
//!
//! A compressed source (gzip, zstd) is decompressed here, on the reader thread, as it
//! is read (`crate::compression`): the parsers and the writer see the same text, cut
//! the same way, as from the plain file, so the output is the same. A plain source is
//! read bare, as it always was. Each chunk carries
//! how much of the file as given had been read when it was cut, for progress. A
//! truncated or damaged compressed source fails the reader, and so the build.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use super::request::Plan;
use super::MAX_LINE_BYTES;
use crate::compression;
use crate::error::{Error, Result};
use crate::model::file_format::{Compression, FileFormat};

const BLOCK_BYTES: usize = 4 << 20;

/// Reads a file in the background, discarding the bytes, until dropped: the kernel keeps
/// them in its page cache, so a cold source is read from disk while the build does
/// other work. Best effort: any error just ends it.
pub(super) struct ReadAhead {
    stop: Arc<AtomicBool>,
}

impl ReadAhead {
    pub fn start(path: &Path) -> ReadAhead {
        let stop = Arc::new(AtomicBool::new(false));
        if let Ok(file) = File::open(path) {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                crate::store::page_in(&file, &|| stop.load(Ordering::Relaxed));
            });
        }
        ReadAhead { stop }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A piece of the source: whole lines, or one line too long to hold. `read`: the bytes
/// of the file as given (compressed, when it is) read when it was cut.
pub(super) enum Chunk {
    Lines { seq: u64, data: Vec<u8>, read: u64 },
    Oversized { seq: u64, bytes: u64, read: u64 },
}

/// The source opened for streaming.
pub(super) struct Source {
    /// Its text, decompressed when compressed.
    pub text: Text,
    /// Its size as given (compressed, when it is), for progress.
    pub total: u64,
    /// What was read beyond the CSV header: the start of the first chunk.
    pub leftover: Vec<u8>,
    /// The mapped fields' columns (CSV).
    pub columns: [usize; 3],
    /// A CSV source's header line, ending in '\n': it goes at the top of every shard.
    pub header: Option<Vec<u8>>,
}

/// A source's text as the reader thread reads it: the plain file itself, or the
/// decompressing stream with its count of the file's bytes read; and what to call a
/// failed read.
pub(super) struct Text {
    stream: Stream,
    path: PathBuf,
    compression: Compression,
}

enum Stream {
    /// A plain file, read bare (see `compression::Blocks::Plain`), and the bytes read.
    Plain(File, u64),
    /// A compressed file's text, and the bytes of the file under it read so far.
    Decoded(Box<dyn Read + Send>, Arc<AtomicU64>),
}

impl Text {
    /// Whether the file is compressed.
    pub fn compressed(&self) -> bool {
        self.compression != Compression::None
    }

    /// Bytes of the file as given read so far.
    pub fn file_read(&self) -> u64 {
        match &self.stream {
            Stream::Plain(_, read) => *read,
            Stream::Decoded(_, read) => read.load(Ordering::Relaxed),
        }
    }

    /// Appends up to `max` bytes of the text to `buf`, fewer only at its end; 0 at its
    /// end. Into `buf`'s spare capacity, which a plain file fills without zeroing it.
    fn read_block(&mut self, buf: &mut Vec<u8>, max: u64) -> Result<usize> {
        let n = match &mut self.stream {
            Stream::Plain(file, read) => {
                let n = file.take(max).read_to_end(buf);
                *read += *n.as_ref().unwrap_or(&0) as u64;
                n
            }
            Stream::Decoded(reader, _) => reader.take(max).read_to_end(buf),
        };
        n.map_err(|e| self.error(e))
    }

    /// A failed read: the file's, or (compressed) a truncated or damaged file's.
    fn error(&self, e: std::io::Error) -> Error {
        compression::read_error(&self.path, self.compression, e, "source")
    }
}

/// Opens the source; for CSV, reads its header and finds the mapped fields' columns.
pub(super) fn open(plan: &Plan) -> Result<Source> {
    let (stream, compression, total) = match compression::open_blocks(&plan.source, "source")? {
        compression::Blocks::Plain(file) => {
            let total = file.metadata().map_or(0, |m| m.len());
            (Stream::Plain(file, 0), Compression::None, total)
        }
        compression::Blocks::Decoded(opened) => (
            Stream::Decoded(opened.reader, opened.file_read),
            opened.compression,
            opened.file_bytes,
        ),
    };
    if compression != plan.compression {
        return Err(Error::conflict(
            "source",
            format!(
                "{} changed while the build started: it was {} and is now {}; build again",
                crate::text::printable(&plan.source.display().to_string()),
                plan.compression.token(),
                compression.token()
            ),
        ));
    }
    let mut text = Text {
        stream,
        path: plan.source.clone(),
        compression,
    };
    let mut leftover = Vec::new();
    let (columns, header) = match plan.format {
        FileFormat::Jsonl => ([0usize; 3], None),
        FileFormat::Csv => {
            let header = read_header(&mut text, &mut leftover)?;
            let text = std::str::from_utf8(&header).map_err(|_| {
                Error::invalid(
                    "source",
                    "the CSV header is not UTF-8: save the file as UTF-8",
                )
            })?;
            let names: Vec<&str> = text
                .trim_end_matches(['\r', '\n'])
                .split(',')
                .map(str::trim)
                .collect();
            let mut cols = [0usize; 3];
            for (k, f) in plan.fields.iter().enumerate() {
                cols[k] = names.iter().position(|n| n == f).ok_or_else(|| {
                    Error::invalid(
                        ["id_field", "user_field", "time_field"][k],
                        format!("the CSV header has no column '{f}'"),
                    )
                })?;
            }
            let mut header = header;
            if !header.ends_with(b"\n") {
                header.push(b'\n');
            }
            (cols, Some(header))
        }
    };
    Ok(Source {
        text,
        total,
        leftover,
        columns,
        header,
    })
}

/// Reads the first line (the CSV header); what was read beyond it goes to `leftover`.
fn read_header(text: &mut Text, leftover: &mut Vec<u8>) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(64 << 10);
    let mut header = Vec::new();
    loop {
        buf.clear();
        let n = text.read_block(&mut buf, 64 << 10)?;
        if n == 0 {
            break;
        }
        if let Some(k) = memchr::memchr(b'\n', &buf[..n]) {
            header.extend_from_slice(&buf[..=k]);
            leftover.extend_from_slice(&buf[k + 1..n]);
            break;
        }
        header.extend_from_slice(&buf[..n]);
        if header.len() > MAX_LINE_BYTES {
            return Err(Error::invalid(
                "source",
                "the CSV header line is longer than 16 MiB: check that the source is a CSV file",
            ));
        }
    }
    let header = header
        .strip_prefix(b"\xef\xbb\xbf")
        .map(<[u8]>::to_vec)
        .unwrap_or(header);
    if header.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid(
            "source",
            "the CSV file has no header line: add one naming the columns",
        ));
    }
    Ok(header)
}

/// Cuts the source into chunks of whole lines. A line longer than MAX_LINE_BYTES is
/// skipped to its end and sent as `Oversized`, so memory never holds it. Returns how
/// many bytes of the file as given were read.
pub(super) fn read_chunks(
    mut text: Text,
    initial: Vec<u8>,
    tx: SyncSender<Chunk>,
    cancel: &AtomicBool,
) -> Result<u64> {
    let mut seq = 0u64;
    let mut buf = initial;
    let mut first = buf.is_empty();
    let mut eof = false;
    let mut skipping: Option<u64> = None;
    while !eof {
        if cancel.load(Ordering::Relaxed) {
            return Ok(text.file_read());
        }
        // read_to_end fills spare capacity without zeroing it first.
        buf.reserve(BLOCK_BYTES);
        let n = text.read_block(&mut buf, BLOCK_BYTES as u64)?;
        eof = n == 0;
        let read = text.file_read();
        if first && buf.len() >= 3 {
            if buf.starts_with(b"\xef\xbb\xbf") {
                buf.drain(..3);
            }
            first = false;
        }
        if let Some(skipped) = skipping {
            match memchr::memchr(b'\n', &buf) {
                Some(k) => {
                    if tx
                        .send(Chunk::Oversized {
                            seq,
                            bytes: skipped + k as u64 + 1,
                            read,
                        })
                        .is_err()
                    {
                        return Ok(text.file_read());
                    }
                    seq += 1;
                    buf.drain(..=k);
                    skipping = None;
                }
                None => {
                    skipping = Some(skipped + buf.len() as u64);
                    if eof {
                        let _ = tx.send(Chunk::Oversized {
                            seq,
                            bytes: skipped + buf.len() as u64,
                            read,
                        });
                        return Ok(text.file_read());
                    }
                    buf.clear();
                    continue;
                }
            }
        }
        let cut = if eof {
            Some(buf.len())
        } else {
            memchr::memrchr(b'\n', &buf).map(|k| k + 1)
        };
        match cut {
            Some(cut) if cut > 0 => {
                // The partial last line starts the next chunk, in a buffer already big
                // enough for a whole block.
                let mut next = Vec::with_capacity(BLOCK_BYTES + buf.len() - cut);
                next.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                let data = std::mem::replace(&mut buf, next);
                if tx.send(Chunk::Lines { seq, data, read }).is_err() {
                    return Ok(text.file_read());
                }
                seq += 1;
            }
            _ => {
                if buf.len() > MAX_LINE_BYTES {
                    skipping = Some(buf.len() as u64);
                    buf.clear();
                }
            }
        }
    }
    Ok(text.file_read())
}
