//! `consentry snapshot ...`: build, list, show and verify a deal's snapshots. The build's
//! flags convert into the core's `BuildRequest`; while it runs, progress goes to stderr
//! when that is a terminal (never with `--json`), and `snapshot verify` exits 1 when the
//! files differ from what was sealed.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Args, Subcommand};

use consentry::deal::DealId;
use consentry::purpose::Purpose;
use consentry::snapshot::{self, BuildPhases, BuildRequest, Progress, Snapshot, SnapshotId};
use consentry::{Result, Store};

use super::output::{lines, table, verdict, warn, Output};

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub(super) enum SnapshotCommand {
    /// Build and seal a snapshot of a signed or active deal.
    Build(BuildArgs),
    /// List a deal's sealed snapshots.
    List {
        #[arg(long, value_name = "ID")]
        deal: i64,
    },
    /// Show one snapshot.
    Show { id: i64 },
    /// Re-hash a snapshot's files and compare them with what was sealed.
    Verify { id: i64 },
}

#[derive(Args)]
pub(super) struct BuildArgs {
    #[arg(long, value_name = "ID")]
    deal: i64,
    /// The posts: JSONL, or CSV with a header line; plain, .gz or .zst.
    #[arg(long, value_name = "FILE")]
    source: String,
    /// jsonl or csv; default: from the file name (posts.jsonl.zst is jsonl).
    #[arg(long)]
    format: Option<String>,
    #[arg(long, default_value = "id")]
    id_field: String,
    #[arg(long, default_value = "author")]
    user_field: String,
    /// Epoch seconds or RFC 3339.
    #[arg(long, default_value = "created_utc")]
    time_field: String,
    /// The cut-off instant T, RFC 3339.
    #[arg(long, value_name = "T")]
    as_of: String,
    /// First day of the content window (inclusive).
    #[arg(long, value_name = "DATE")]
    window_from: Option<String>,
    /// Last day of the content window (inclusive).
    #[arg(long, value_name = "DATE")]
    window_to: Option<String>,
    /// Shard size limit (default 256 MiB).
    #[arg(long, value_name = "N")]
    shard_bytes: Option<u64>,
    /// The folder to create (must not exist or be empty).
    #[arg(long, value_name = "DIR")]
    out: Option<String>,
    /// Fail without sealing above this share of rejected lines (default 1).
    #[arg(long, value_name = "PCT")]
    max_rejected_pct: Option<f64>,
}

impl From<BuildArgs> for BuildRequest {
    fn from(a: BuildArgs) -> Self {
        BuildRequest {
            deal_id: DealId(a.deal),
            source: a.source,
            format: a.format,
            id_field: a.id_field,
            user_field: a.user_field,
            time_field: a.time_field,
            as_of: a.as_of,
            window_from: a.window_from,
            window_to: a.window_to,
            shard_bytes: a.shard_bytes,
            out: a.out,
            max_rejected_pct: a.max_rejected_pct,
        }
    }
}

impl SnapshotCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            SnapshotCommand::Build(_) => true,
            SnapshotCommand::List { .. }
            | SnapshotCommand::Show { .. }
            | SnapshotCommand::Verify { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            SnapshotCommand::Build(args) => {
                let show = !out.json && std::io::stderr().is_terminal();
                let mut progress = |p: &Progress| {
                    if show {
                        print_progress(p);
                    }
                };
                let req = BuildRequest::from(args);
                let built =
                    snapshot::build_timed(store, &req, &mut progress, &AtomicBool::new(false));
                if show {
                    warn("");
                }
                let (snapshot, phases) = match built {
                    Err(e @ consentry::Error::BadLines { .. }) => {
                        out.refusal(&e);
                        warn("hint: --max-rejected-pct raises the limit of rejected lines");
                        return Ok(ExitCode::FAILURE);
                    }
                    built => built?,
                };
                let built = Built { snapshot, phases };
                out.value(&built, || {
                    let p = &built.phases;
                    format!(
                        "{}{}",
                        snapshot_lines(&built.snapshot),
                        lines(&[(
                            "phases",
                            format!(
                                "consent {} ms, stream {} ms (of which commits {} ms), \
                                 publish {} ms, seal {} ms",
                                p.consent_ms, p.stream_ms, p.commit_ms, p.publish_ms, p.seal_ms
                            )
                        )])
                    )
                });
                Ok(ExitCode::SUCCESS)
            }
            SnapshotCommand::List { deal } => {
                let list = snapshot::list(store, DealId(deal))?;
                out.value(&list, || {
                    table(
                        &["ID", "AS OF", "IN", "INCLUDED", "SHARDS", "SEALED"],
                        list.iter().map(|s| {
                            vec![
                                s.snapshot_id.to_string(),
                                s.as_of.clone(),
                                s.records_in.to_string(),
                                s.records_included.to_string(),
                                s.shards.len().to_string(),
                                s.sealed_at.clone().unwrap_or_default(),
                            ]
                        }),
                    )
                });
                Ok(ExitCode::SUCCESS)
            }
            SnapshotCommand::Show { id } => {
                let s = snapshot::get(store, SnapshotId(id))?;
                out.value(&s, || snapshot_lines(&s));
                Ok(ExitCode::SUCCESS)
            }
            SnapshotCommand::Verify { id } => {
                let report = snapshot::verify(store, SnapshotId(id))?;
                out.value(&report, || {
                    let mut text = if report.ok {
                        format!(
                            "Snapshot {id} intact: {} files match what was sealed\n",
                            report.files_checked
                        )
                    } else {
                        format!("Snapshot {id} DIFFERS from what was sealed:\n")
                    };
                    for p in &report.problems {
                        text.push_str(&format!("  {p}\n"));
                    }
                    text
                });
                Ok(verdict(report.ok))
            }
        }
    }
}

/// One progress line, rewritten in place (`\r`); the numbers are ours, so they are
/// written as they are.
fn print_progress(p: &Progress) {
    use std::io::Write;
    let mb = p.bytes_read as f64 / 1e6;
    let secs = (p.elapsed_ms as f64 / 1000.0).max(0.001);
    let _ = write!(
        std::io::stderr(),
        "\r{:.0}/{:.0} MB, {} records, {:.0} MB/s   ",
        mb,
        p.bytes_total as f64 / 1e6,
        p.records,
        mb / secs
    );
}

/// The source, its format and size; a compressed one's size as given and as read.
fn source_line(s: &Snapshot) -> String {
    match s.source_compressed_bytes {
        Some(compressed) => format!(
            "{} ({}, {}: {} bytes, {} bytes decompressed)",
            s.source,
            s.format,
            s.source_compression.token(),
            compressed,
            s.source_bytes
        ),
        None => format!("{} ({}, {} bytes)", s.source, s.format, s.source_bytes),
    }
}

/// What `snapshot build` prints: the sealed snapshot, and (`phases`) how long each of
/// the build's steps took.
#[derive(serde::Serialize)]
struct Built {
    #[serde(flatten)]
    snapshot: Snapshot,
    phases: BuildPhases,
}

fn snapshot_lines(s: &Snapshot) -> String {
    let mut text = lines(&[
        ("snapshot", s.snapshot_id.to_string()),
        ("deal", s.deal_id.to_string()),
        ("as of", s.as_of.clone()),
        ("source", source_line(s)),
        ("purposes", Purpose::join(&s.purposes)),
        ("policy", format!("version {}", s.policy_version)),
        ("records in", s.records_in.to_string()),
        (
            "held back",
            if s.held_back_by_gate > 0 {
                format!(
                    "{} record(s) by the policy's opt-out gate (counted under no_consent)",
                    s.held_back_by_gate
                )
            } else {
                String::new()
            },
        ),
        (
            "included",
            format!(
                "{} records from {} users",
                s.records_included, s.included_users
            ),
        ),
        ("folder", s.out_dir.clone()),
        ("users sha256", s.included_users_sha256.clone()),
        ("ledger sha256", s.ledger_sha256.clone()),
        ("duration", format!("{} ms", s.duration_ms)),
    ]);
    text.push_str("excluded\n");
    for (reason, n) in &s.excluded {
        text.push_str(&format!("  {reason:<15}{n}\n"));
    }
    for l in &s.rejected_lines {
        text.push_str(&format!("  rejected line {}: {}\n", l.line, l.message));
    }
    text.push_str("shards\n");
    for sh in &s.shards {
        text.push_str(&format!(
            "  {}  {} records  {} bytes  {}\n",
            sh.file, sh.records, sh.bytes, sh.sha256
        ));
    }
    text
}
