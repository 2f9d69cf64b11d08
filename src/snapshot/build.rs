//! The snapshot build: validation, the eligibility table, the streaming pipeline and the
//! seal. See the module above for the guarantees.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::authors::Authors;
use super::folders;
use super::idset::{self, IdSet};
use super::scan::{self, Value};
use super::{
    BuildRequest, PlanText, Progress, Sealed, Shard, Snapshot, DEFAULT_SHARD_BYTES, MAX_LINE_BYTES,
    RECORDS_INDEX,
};
use crate::audit::Action;
use crate::calendar::{self, parse_instant};
use crate::consent::{self, Exclusion, Rules};
use crate::deal::DealStatus;
use crate::error::{Error, FieldError, LineError, Problems, Result};
use crate::model::file_format::FileFormat;
use crate::model::imports::MAX_LISTED_LINES;
use crate::store::{self, Store};

const BLOCK_BYTES: usize = 4 << 20;
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// A checked request.
struct Plan {
    source: PathBuf,
    format: FileFormat,
    fields: [String; 3],
    as_of: DateTime<Utc>,
    window: Option<(i64, i64)>,
    shard_bytes: u64,
    max_rejected_pct: f64,
    /// `--out`, absolute and checked to be absent or an empty folder.
    out: Option<PathBuf>,
}

fn check(req: &BuildRequest) -> Result<Plan> {
    let mut problems = Problems::default();
    let source = PathBuf::from(req.source.trim());
    if req.source.trim().is_empty() {
        problems.add(
            "source",
            "a source file is required: give the path of the posts file",
        );
    } else if !source.is_file() {
        problems.add(
            "source",
            format!(
                "{} is not a readable file: check the path",
                crate::text::printable(&source.display().to_string())
            ),
        );
    }
    let format = match req
        .format
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        Some(f) => problems.take(FileFormat::parse("format", f).map_err(first_field)),
        None => {
            let f = FileFormat::of_path(&source);
            if f.is_none() && !req.source.trim().is_empty() {
                problems.add(
                    "format",
                    "cannot tell the format from the file name: give jsonl or csv",
                );
            }
            f
        }
    };
    let mut fields = Vec::new();
    for (name, value) in [
        ("id_field", &req.id_field),
        ("user_field", &req.user_field),
        ("time_field", &req.time_field),
    ] {
        if value.trim().is_empty() {
            problems.add(name, "a field name is required");
        } else {
            problems.take(crate::text::single_line(name, value.trim()));
        }
        fields.push(value.trim().to_string());
    }
    let as_of = problems.take(parse_instant("as_of", &req.as_of));
    let day =
        |field: &str, v: &Option<String>| -> Option<std::result::Result<NaiveDate, FieldError>> {
            let text = v.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
            Some(calendar::parse_term_date(field, text))
        };
    let from = day("window_from", &req.window_from).and_then(|r| problems.take(r));
    let to = day("window_to", &req.window_to).and_then(|r| problems.take(r));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            problems.add(
                "window_to",
                format!("window end {t} is before window start {f}"),
            );
        }
    }
    // Term dates lie in 1970..=2199, so the day bounds exist.
    let window = (from.is_some() || to.is_some()).then(|| {
        let start = from.map_or(i64::MIN, calendar::start_of_day_micros);
        let end = to.and_then(calendar::end_of_day_micros).unwrap_or(i64::MAX);
        (start, end)
    });
    let shard_bytes = req.shard_bytes.unwrap_or(DEFAULT_SHARD_BYTES);
    if shard_bytes < 1024 {
        problems.add("shard_bytes", "shards must be at least 1024 bytes");
    }
    let max_rejected_pct = req.max_rejected_pct.unwrap_or(1.0);
    if !(0.0..=100.0).contains(&max_rejected_pct) {
        problems.add("max_rejected_pct", "must be between 0 and 100");
    }
    let out = req
        .out
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| folders::absolute(Path::new(o)));
    if let Some(out) = &out {
        problems.take(folders::check_out(out));
    }
    problems.into_result()?;
    Ok(Plan {
        out,
        source,
        format: format.expect("checked"),
        fields: [fields[0].clone(), fields[1].clone(), fields[2].clone()],
        as_of: as_of.expect("checked"),
        window,
        shard_bytes,
        max_rejected_pct,
    })
}

fn first_field(e: Error) -> FieldError {
    e.fields()
        .into_iter()
        .next()
        .unwrap_or_else(|| FieldError::new("format", e.to_string()))
}

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
    let started = Instant::now();
    let plan = check(req)?;
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

    let building = store.write(|tx| claim(tx, store, req, &plan, &deal, policy.version))?;
    let mut published = false;
    let result = (|| {
        let staging = folders::create_staging(&building)?;
        let run = stream(&plan, &eligibility, &staging, progress, cancel, started)?;
        let rejected_pct = if run.records_in == 0 {
            0.0
        } else {
            run.count(Exclusion::Rejected) as f64 * 100.0 / run.records_in as f64
        };
        if rejected_pct > plan.max_rejected_pct {
            return Err(Error::BadLines {
                file: format!(
                    "{}: {:.2}% of lines rejected, above the {}% limit (--max-rejected-pct); \
                     not sealed: fix the lines listed, or raise the limit",
                    crate::text::printable(&plan.source.display().to_string()),
                    rejected_pct,
                    plan.max_rejected_pct
                ),
                total: run.count(Exclusion::Rejected),
                lines: run.rejected_lines.clone(),
            });
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        folders::publish(&building)?;
        published = true;
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
    })();
    match result {
        Ok(snapshot) => Ok(snapshot),
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
        &plan_text(plan),
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

/// Reads a file in the background, discarding the bytes, until dropped: the kernel keeps
/// them in its page cache, so a cold source is read from disk while the build does
/// other work. Best effort: any error just ends it.
struct ReadAhead {
    stop: Arc<AtomicBool>,
}

impl ReadAhead {
    fn start(path: &Path) -> ReadAhead {
        let stop = Arc::new(AtomicBool::new(false));
        if let Ok(mut file) = File::open(path) {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 1 << 20];
                while !stop.load(Ordering::Relaxed) {
                    match file.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
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

fn plan_text(plan: &Plan) -> PlanText {
    let source = std::fs::canonicalize(&plan.source).unwrap_or_else(|_| plan.source.clone());
    PlanText {
        source: source.display().to_string(),
        format: plan.format.token(),
        fields: plan.fields.clone(),
        as_of: plan
            .as_of
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    }
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

/// The outcome of streaming the source.
struct Run {
    records_in: u64,
    included: u64,
    counts: [u64; Exclusion::ALL.len()],
    rejected_lines: Vec<LineError>,
    shards: Vec<Shard>,
    records_index_sha256: String,
    per_user: Vec<u32>,
    bytes: u64,
    held_back_by_gate: u64,
}

impl Run {
    fn count(&self, reason: Exclusion) -> u64 {
        self.counts[reason as usize]
    }
}

/// A piece of the source: whole lines, or one line too long to hold.
enum Chunk {
    Lines { seq: u64, data: Vec<u8> },
    Oversized { seq: u64, bytes: u64 },
}

/// What a worker found in one chunk, line by line.
enum Outcome {
    Rejected(String),
    Record {
        /// Byte range of the line in the chunk, up to its '\n' (exclusive).
        start: u32,
        end: u32,
        /// Byte range of the line's records index entry in `Parsed::entries`, for an
        /// eligible line.
        entry: (u32, u32),
        id_hash: u64,
        /// Registry index of the author when the line is eligible.
        user: u32,
        verdict: Option<Exclusion>,
        /// Excluded as `no_consent` by the opt-out gate.
        held_back: bool,
    },
}

struct Parsed {
    seq: u64,
    data: Vec<u8>,
    outcomes: Vec<Outcome>,
    entries: Vec<u8>,
    oversized: Option<u64>,
}

fn stream(
    plan: &Plan,
    elig: &Eligibility,
    staging: &Path,
    progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
    started: Instant,
) -> Result<Run> {
    let mut file = File::open(&plan.source)
        .map_err(|e| Error::io(format!("cannot read {}", plan.source.display()), e))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    // A CSV source's header line goes at the top of every shard.
    let mut leftover = Vec::new();
    let (columns, header) = match plan.format {
        FileFormat::Jsonl => ([0usize; 3], None),
        FileFormat::Csv => {
            let header = read_header(&mut file, &mut leftover, &plan.source)?;
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
    let header_len = header.as_ref().map_or(0, |h| h.len() as u64);

    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<Parsed>(workers * 2);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let names = [
        plan.fields[0].as_str(),
        plan.fields[1].as_str(),
        plan.fields[2].as_str(),
    ];
    let as_of_us = plan.as_of.timestamp_micros();

    std::thread::scope(|scope| -> Result<Run> {
        let reader = scope.spawn(move || read_chunks(file, leftover, chunk_tx, cancel));
        for _ in 0..workers {
            let rx = Arc::clone(&chunk_rx);
            let tx = done_tx.clone();
            let format = plan.format;
            let window = plan.window;
            scope.spawn(move || loop {
                let chunk = match rx.lock().expect("chunk queue").recv() {
                    Ok(c) => c,
                    Err(_) => return,
                };
                let parsed = parse_chunk(chunk, format, &names, &columns, as_of_us, window, elig);
                if tx.send(parsed).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let run = write_in_order(
            done_rx,
            elig,
            staging,
            header.as_deref(),
            plan.shard_bytes,
            total,
            header_len,
            progress,
            cancel,
            started,
        );
        // Stop the reader and workers if writing failed half-way.
        let reader_result = reader.join().expect("reader thread");
        let run = run?;
        reader_result?;
        Ok(run)
    })
}

/// Reads the first line (the CSV header); what was read beyond it goes to `leftover`.
fn read_header(file: &mut File, leftover: &mut Vec<u8>, path: &Path) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; 64 << 10];
    let mut header = Vec::new();
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
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
/// skipped to its end and sent as `Oversized`, so memory never holds it.
fn read_chunks(
    mut file: File,
    initial: Vec<u8>,
    tx: std::sync::mpsc::SyncSender<Chunk>,
    cancel: &AtomicBool,
) -> Result<()> {
    let mut seq = 0u64;
    let mut buf = initial;
    let mut first = buf.is_empty();
    let mut eof = false;
    let mut skipping: Option<u64> = None;
    let read_err = |e| Error::io("cannot read the source", e);
    while !eof {
        if cancel.load(Ordering::Relaxed) {
            return Ok(());
        }
        // read_to_end fills spare capacity without zeroing it first.
        buf.reserve(BLOCK_BYTES);
        let n = (&mut file)
            .take(BLOCK_BYTES as u64)
            .read_to_end(&mut buf)
            .map_err(read_err)?;
        eof = n == 0;
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
                        })
                        .is_err()
                    {
                        return Ok(());
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
                        });
                        return Ok(());
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
                if tx.send(Chunk::Lines { seq, data }).is_err() {
                    return Ok(());
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
    Ok(())
}

fn parse_chunk(
    chunk: Chunk,
    format: FileFormat,
    names: &[&str; 3],
    columns: &[usize; 3],
    as_of_us: i64,
    window: Option<(i64, i64)>,
    elig: &Eligibility,
) -> Parsed {
    let (seq, data) = match chunk {
        Chunk::Oversized { seq, bytes } => {
            return Parsed {
                seq,
                data: Vec::new(),
                outcomes: Vec::new(),
                entries: Vec::new(),
                oversized: Some(bytes),
            };
        }
        Chunk::Lines { seq, data } => (seq, data),
    };
    let mut outcomes = Vec::with_capacity(data.len() / 256 + 1);
    let mut entries = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let line = &data[pos..end];
        let content = line.strip_suffix(b"\r").unwrap_or(line);
        let start = pos;
        pos = end + 1;
        if content.iter().all(u8::is_ascii_whitespace) {
            outcomes.push(Outcome::Rejected(String::new()));
            continue;
        }
        let mapped = match format {
            FileFormat::Jsonl => scan::json(content, names),
            FileFormat::Csv => scan::csv(content, columns),
        };
        let outcome =
            match mapped.and_then(|m| classify(m, names, as_of_us, window, elig, &mut entries)) {
                Ok((entry, id_hash, user, verdict, held_back)) => Outcome::Record {
                    start: start as u32,
                    end: end as u32,
                    entry,
                    id_hash,
                    user,
                    verdict,
                    held_back,
                },
                Err(message) => Outcome::Rejected(message),
            };
        outcomes.push(outcome);
    }
    Parsed {
        seq,
        data,
        outcomes,
        entries,
        oversized: None,
    }
}

type Classified = ((u32, u32), u64, u32, Option<Exclusion>, bool);

fn classify(
    mapped: scan::Mapped<'_>,
    names: &[&str; 3],
    as_of_us: i64,
    window: Option<(i64, i64)>,
    elig: &Eligibility,
    entries: &mut Vec<u8>,
) -> std::result::Result<Classified, String> {
    let [id, user, time] = mapped;
    let id = match id {
        Some(Value::Str(s)) if !s.is_empty() => s,
        Some(Value::Str(_)) => return Err(format!("{}: is empty", names[0])),
        Some(Value::Num(n)) => {
            return Err(format!(
                "{}: must be a string, not the number {n}",
                names[0]
            ))
        }
        Some(Value::Other(kind)) => {
            return Err(format!("{}: must be a string, not {kind}", names[0]))
        }
        None => return Err(format!("{}: is missing", names[0])),
    };
    let user = match user {
        Some(Value::Str(s)) if !s.is_empty() => s,
        Some(Value::Str(_)) => return Err(format!("{}: is empty", names[1])),
        Some(Value::Num(_)) => return Err(format!("{}: must be a string, not a number", names[1])),
        Some(Value::Other(kind)) => {
            return Err(format!("{}: must be a string, not {kind}", names[1]))
        }
        None => return Err(format!("{}: is missing", names[1])),
    };
    let created = match time {
        Some(v) => scan::instant_micros(&v).map_err(|m| format!("{}: {m}", names[2]))?,
        None => return Err(format!("{}: is missing", names[2])),
    };
    let id_hash = idset::hash(id.as_bytes());
    let none = (0, 0);
    if created > as_of_us {
        return Ok((none, id_hash, 0, Some(Exclusion::AfterCutoff), false));
    }
    if let Some((from, to)) = window {
        if created < from || created > to {
            return Ok((none, id_hash, 0, Some(Exclusion::OutsideWindow), false));
        }
    }
    let Some((u, verdict)) = elig.users.get(&user) else {
        return Ok((none, id_hash, 0, Some(Exclusion::UnknownUser), false));
    };
    if let Some((reason, held_back)) = verdict.for_record(created, elig.gate_from_us) {
        return Ok((none, id_hash, u, Some(reason), held_back));
    }
    // Rendered here, in parallel, so that the single writer only copies bytes. The
    // author is the registry's user id: it was just found under that key.
    let start = entries.len() as u32;
    records_index_entry(entries, &user, &id);
    Ok(((start, entries.len() as u32), id_hash, u, None, false))
}

/// One line of `records.jsonl`: `["author","record id"]\n`.
fn records_index_entry(out: &mut Vec<u8>, user: &str, id: &str) {
    out.push(b'[');
    serde_json::to_writer(&mut *out, user).expect("writing to memory");
    out.push(b',');
    serde_json::to_writer(&mut *out, id).expect("writing to memory");
    out.extend_from_slice(b"]\n");
}

struct ShardWriter<'a> {
    dir: &'a Path,
    header: Option<&'a [u8]>,
    ext: &'static str,
    limit: u64,
    current: Option<OpenShard>,
    done: Vec<Shard>,
}

struct OpenShard {
    name: String,
    out: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    records: u64,
}

impl ShardWriter<'_> {
    fn write(&mut self, line: &[u8], newline: bool) -> Result<()> {
        let len = line.len() as u64 + u64::from(newline);
        if let Some(open) = &self.current {
            if open.records > 0 && open.bytes + len > self.limit {
                self.finish()?;
            }
        }
        if self.current.is_none() {
            let name = format!("part-{:05}.{}", self.done.len(), self.ext);
            let file = File::create(self.dir.join(format!("{name}.tmp"))).map_err(|e| {
                Error::io(
                    format!("cannot create a shard in {}", self.dir.display()),
                    e,
                )
            })?;
            let mut open = OpenShard {
                name,
                out: BufWriter::with_capacity(1 << 20, file),
                hasher: Sha256::new(),
                bytes: 0,
                records: 0,
            };
            if let Some(h) = self.header {
                put(&mut open, h)?;
            }
            self.current = Some(open);
        }
        let open = self.current.as_mut().expect("opened above");
        put(open, line)?;
        if newline {
            put(open, b"\n")?;
        }
        open.records += 1;
        Ok(())
    }

    /// Flushes, fsyncs and renames the open shard to its final name.
    fn finish(&mut self) -> Result<()> {
        if let Some(open) = self.current.take() {
            let io = |e| Error::io("cannot write a shard", e);
            let file = open.out.into_inner().map_err(|e| io(e.into_error()))?;
            file.sync_all().map_err(io)?;
            std::fs::rename(
                self.dir.join(format!("{}.tmp", open.name)),
                self.dir.join(&open.name),
            )
            .map_err(io)?;
            self.done.push(Shard {
                file: open.name,
                records: open.records,
                bytes: open.bytes,
                sha256: hex::encode(open.hasher.finalize()),
            });
        }
        Ok(())
    }
}

fn put(open: &mut OpenShard, bytes: &[u8]) -> Result<()> {
    open.out
        .write_all(bytes)
        .map_err(|e| Error::io("cannot write a shard", e))?;
    open.hasher.update(bytes);
    open.bytes += bytes.len() as u64;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_in_order(
    rx: Receiver<Parsed>,
    elig: &Eligibility,
    dir: &Path,
    header: Option<&[u8]>,
    shard_bytes: u64,
    total: u64,
    header_len: u64,
    progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
    started: Instant,
) -> Result<Run> {
    let mut shards = ShardWriter {
        dir,
        header,
        ext: if header.is_some() { "csv" } else { "jsonl" },
        limit: shard_bytes,
        current: None,
        done: Vec::new(),
    };
    let index_path = dir.join(format!("{RECORDS_INDEX}.tmp"));
    let index_file =
        File::create(&index_path).map_err(|e| Error::io("cannot create the records index", e))?;
    let mut index = BufWriter::with_capacity(1 << 20, index_file);
    let mut index_hasher = Sha256::new();
    let mut seen = IdSet::new();
    let mut run = Run {
        records_in: 0,
        included: 0,
        counts: [0; Exclusion::ALL.len()],
        rejected_lines: Vec::new(),
        shards: Vec::new(),
        records_index_sha256: String::new(),
        per_user: vec![0; elig.users.len()],
        bytes: header_len,
        held_back_by_gate: 0,
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
            for outcome in p.outcomes {
                line_no += 1;
                match outcome {
                    Outcome::Rejected(message) if message.is_empty() => {} // a blank line
                    Outcome::Rejected(message) => reject(&mut run, line_no, message),
                    Outcome::Record {
                        start,
                        end,
                        entry,
                        id_hash,
                        user,
                        verdict,
                        held_back,
                    } => {
                        run.records_in += 1;
                        if !seen.insert(id_hash) {
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
                        index
                            .write_all(entry)
                            .map_err(|e| Error::io("cannot write the records index", e))?;
                        index_hasher.update(entry);
                    }
                }
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                progress(&Progress {
                    bytes_read: run.bytes,
                    bytes_total: total,
                    records: run.records_in,
                    included: run.included,
                    elapsed_ms: started.elapsed().as_millis() as u64,
                });
            }
        }
    }
    if !pending.is_empty() {
        // The reader stopped early (cancelled or failed); the caller reports why.
        return Err(Error::Cancelled);
    }
    shards.finish()?;
    let index_file = index
        .into_inner()
        .map_err(|e| Error::io("cannot write the records index", e.into_error()))?;
    index_file
        .sync_all()
        .map_err(|e| Error::io("cannot write the records index", e))?;
    std::fs::rename(&index_path, dir.join(RECORDS_INDEX))
        .map_err(|e| Error::io("cannot write the records index", e))?;
    folders::sync_dir(dir)?;
    run.shards = shards.done;
    run.records_index_sha256 = hex::encode(index_hasher.finalize());
    progress(&Progress {
        bytes_read: run.bytes,
        bytes_total: total,
        records: run.records_in,
        included: run.included,
        elapsed_ms: started.elapsed().as_millis() as u64,
    });
    Ok(run)
}
