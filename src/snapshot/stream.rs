//! The streaming pipeline: one reader thread, N parser threads, and the writer on the
//! caller's thread, which takes the parsed chunks back in source order. Only the writer
//! decides what depends on order (duplicate ids, line numbers, shard boundaries), so
//! the output is the same whatever the threads' timing. Channels are bounded: a few
//! chunks in flight, never the records.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::authors::Authors;
use super::classify::{Classifier, Outcome, Parsed};
use super::idset::IdSet;
use super::reader::{self, Chunk};
use super::request::Plan;
use super::shards::{RecordsIndex, ShardWriter};
use super::{Progress, Shard, MAX_LINE_BYTES};
use crate::consent::Exclusion;
use crate::error::{Error, LineError, Result};
use crate::model::imports::MAX_LISTED_LINES;

const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// The outcome of streaming the source.
pub(super) struct Run {
    pub records_in: u64,
    pub included: u64,
    pub counts: [u64; Exclusion::ALL.len()],
    pub rejected_lines: Vec<LineError>,
    pub shards: Vec<Shard>,
    pub records_index_sha256: String,
    pub per_user: Vec<u32>,
    /// The source's text read, in bytes (decompressed).
    pub bytes: u64,
    /// The bytes of the file as given read as of the last chunk written (compressed,
    /// when it is): progress.
    pub file_read: u64,
    /// A compressed source's size as read; `None` for a plain one.
    pub compressed_bytes: Option<u64>,
    pub held_back_by_gate: u64,
    /// The time the output files' commits took (flush, fsync, rename), within the stream.
    pub commit_time: Duration,
}

impl Run {
    pub fn count(&self, reason: Exclusion) -> u64 {
        self.counts[reason as usize]
    }

    /// Where the build stands, out of `total` bytes of the file as given: for a plain
    /// file, the bytes written or dropped; for a compressed one, the compressed bytes
    /// that had been read when the last chunk written was cut.
    fn progress(&self, total: u64, started: Instant) -> Progress {
        Progress {
            bytes_read: self.file_read,
            bytes_total: total,
            records: self.records_in,
            included: self.included,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }
    }
}

/// Streams the source through classification into the staging folder.
pub(super) fn stream(
    plan: &Plan,
    users: &Authors,
    gate_from_us: Option<i64>,
    staging: &Path,
    progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
    started: Instant,
) -> Result<Run> {
    let source = reader::open(plan)?;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<Parsed>(workers * 2);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let classifier = Classifier {
        format: plan.format,
        names: [
            plan.fields[0].as_str(),
            plan.fields[1].as_str(),
            plan.fields[2].as_str(),
        ],
        columns: source.columns,
        as_of_us: plan.as_of.timestamp_micros(),
        window: plan.window,
        users,
        gate_from_us,
    };
    let classifier = &classifier;
    let out = Output {
        dir: staging,
        header: source.header.as_deref(),
        shard_bytes: plan.shard_bytes,
        users: users.len(),
        total: source.total,
    };

    let compressed = source.text.compressed();
    std::thread::scope(|scope| -> Result<Run> {
        let (text, leftover) = (source.text, source.leftover);
        let reader = scope.spawn(move || reader::read_chunks(text, leftover, chunk_tx, cancel));
        for _ in 0..workers {
            let rx = Arc::clone(&chunk_rx);
            let tx = done_tx.clone();
            scope.spawn(move || loop {
                let chunk = match rx.lock().expect("chunk queue").recv() {
                    Ok(c) => c,
                    Err(_) => return,
                };
                if tx.send(classifier.parse_chunk(chunk)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let run = write_in_order(done_rx, &out, progress, cancel, started);
        // Stop the reader and workers if writing failed half-way.
        let reader_result = reader.join().expect("reader thread");
        let mut run = run?;
        let file_read = reader_result?;
        run.compressed_bytes = compressed.then_some(file_read);
        Ok(run)
    })
}

/// Where and how the writer writes.
struct Output<'a> {
    dir: &'a Path,
    /// A CSV source's header line: at the top of every shard, and counted as read.
    header: Option<&'a [u8]>,
    shard_bytes: u64,
    /// How many registry users there are.
    users: usize,
    /// The source's size, for progress.
    total: u64,
}

/// The writer: takes the parsed chunks back in source order, counts every line under
/// its reason, drops duplicate ids, and writes the included lines and their index
/// entries.
fn write_in_order(
    rx: Receiver<Parsed>,
    out: &Output<'_>,
    progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
    started: Instant,
) -> Result<Run> {
    let (header, total) = (out.header, out.total);
    let mut shards = ShardWriter::new(out.dir, header, out.shard_bytes);
    let mut index = RecordsIndex::create(out.dir)?;
    let mut seen = IdSet::new();
    let mut first_seen = Vec::new();
    let mut run = Run {
        records_in: 0,
        included: 0,
        counts: [0; Exclusion::ALL.len()],
        rejected_lines: Vec::new(),
        shards: Vec::new(),
        records_index_sha256: String::new(),
        per_user: vec![0; out.users],
        bytes: header.map_or(0, |h| h.len() as u64),
        file_read: 0,
        compressed_bytes: None,
        held_back_by_gate: 0,
        commit_time: Duration::ZERO,
    };
    let mut pending: BTreeMap<u64, Parsed> = BTreeMap::new();
    let mut next_seq = 0u64;
    let mut line_no = u64::from(header.is_some());
    let mut last_report = Instant::now();
    let reject = |run: &mut Run, line: u64, message: String| {
        run.records_in += 1;
        run.counts[Exclusion::Rejected as usize] += 1;
        if run.rejected_lines.len() < MAX_LISTED_LINES {
            run.rejected_lines.push(LineError { line, message });
        }
    };
    for parsed in rx {
        pending.insert(parsed.seq, parsed);
        while let Some(p) = pending.remove(&next_seq) {
            next_seq += 1;
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            run.file_read = run.file_read.max(p.read);
            if let Some(bytes) = p.oversized {
                line_no += 1;
                run.bytes += bytes;
                reject(
                    &mut run,
                    line_no,
                    format!("line longer than {} MiB, not read", MAX_LINE_BYTES >> 20),
                );
                continue;
            }
            run.bytes += p.data.len() as u64;
            // The chunk's ids are checked against those seen before, in source order,
            // all at once (`IdSet::insert_all`).
            let ids: Vec<u64> = p
                .outcomes
                .iter()
                .filter_map(|outcome| match outcome {
                    Outcome::Record { id_hash, .. } => Some(*id_hash),
                    Outcome::Rejected(_) => None,
                })
                .collect();
            first_seen.clear();
            seen.insert_all(&ids, &mut first_seen);
            let mut first = first_seen.iter();
            for outcome in p.outcomes {
                line_no += 1;
                match outcome {
                    Outcome::Rejected(message) if message.is_empty() => {} // a blank line
                    Outcome::Rejected(message) => reject(&mut run, line_no, message),
                    Outcome::Record {
                        start,
                        end,
                        entry,
                        user,
                        verdict,
                        held_back,
                        ..
                    } => {
                        run.records_in += 1;
                        if !first.next().expect("one per record") {
                            run.counts[Exclusion::DuplicateId as usize] += 1;
                            continue;
                        }
                        if let Some(reason) = verdict {
                            run.counts[reason as usize] += 1;
                            run.held_back_by_gate += u64::from(held_back);
                            continue;
                        }
                        // Byte for byte with its line end ('\n' or "\r\n"). The last line
                        // of the file may lack one; shards always end their lines.
                        let (start, end) = (start as usize, end as usize);
                        if end < p.data.len() {
                            shards.write(&p.data[start..=end], false)?;
                        } else {
                            shards.write(&p.data[start..end], true)?;
                        }
                        run.included += 1;
                        run.per_user[user as usize] += 1;
                        let entry = &p.entries[entry.0 as usize..entry.1 as usize];
                        index.write(entry)?;
                    }
                }
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                progress(&run.progress(total, started));
            }
        }
    }
    if !pending.is_empty() {
        // The reader stopped early (cancelled or failed); the caller reports why.
        return Err(Error::Cancelled);
    }
    let (shards, shards_commit) = shards.close()?;
    let (index_sha256, index_commit) = index.close()?;
    run.shards = shards;
    run.records_index_sha256 = index_sha256;
    run.commit_time = shards_commit + index_commit;
    progress(&run.progress(total, started));
    Ok(run)
}
