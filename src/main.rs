//! `consentry`, the headless CLI. Each subcommand parses its flags, calls one core
//! function and prints the result: a table or a few lines for people, JSON with
//! `--json` for scripts. Exit status: 0 on success, 1 when the request is refused or
//! fails (the message says why and where), 2 when the command line itself is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;

use consentry::audit::{self, AuditFilter, AuditHead};
use consentry::deal::{self, Deal, DealFilter, DealId, DealInput, DealStatus, RenewInput};
use consentry::imports::{self, FileFormat, ImportOptions, ImportReport};
use consentry::partner::{self, Partner, PartnerId, PartnerInput};
use consentry::policy::{self, PolicyInput};
use consentry::purpose::Purpose;
use consentry::snapshot::{self, BuildRequest, Snapshot, SnapshotId};
use consentry::text::printable_lines;
use consentry::{Error, Store};

#[derive(Parser)]
#[command(
    name = "consentry",
    version,
    about = "License a platform's user data to AI partners, honouring every user's consent"
)]
struct Cli {
    /// The store (SQLite file). Default: $CONSENTRY_DB, else the OS data directory.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Who the audit log names for changes. Default: $CONSENTRY_ACTOR, else the OS user.
    #[arg(long, global = true, value_name = "NAME")]
    actor: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Companies the platform licenses data to.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Licensing deals and their lifecycle.
    #[command(subcommand)]
    Deal(DealCommand),
    /// The hash-chained log of every change.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The user registry (user_id, country, birth_date, status).
    #[command(subcommand)]
    Users(ImportCommand),
    /// The consent ledger (user_id, purpose, decision, effective_at, source).
    #[command(subcommand)]
    Consent(ImportCommand),
    /// The consent policy: which countries are opt-in.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Consent-filtered dataset snapshots of a deal.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a CSV or JSONL file; a file with bad rows imports nothing unless
    /// --skip-invalid is given.
    Import {
        file: PathBuf,
        /// csv or jsonl; default: from the file name.
        #[arg(long)]
        format: Option<String>,
        /// Import the good rows and report the bad ones by line.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Show the current policy.
    Show,
    /// Store a new policy version; what is not given keeps its current value.
    Set {
        /// Comma-separated ISO 3166-1 alpha-2 codes, or `none` for no opt-in country.
        #[arg(long, value_name = "CODES")]
        opt_in: Option<String>,
        /// The day users could first opt out (YYYY-MM-DD), if sharing began before it;
        /// `none` removes it.
        #[arg(long, value_name = "DATE")]
        opt_out_available_from: Option<String>,
        /// Days of notice after that day before the opt-out default applies (default 30).
        #[arg(long, value_name = "N")]
        notice_days: Option<i64>,
    },
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum SnapshotCommand {
    /// Build and seal a snapshot of a signed or active deal.
    Build {
        #[arg(long, value_name = "ID")]
        deal: i64,
        /// The posts: JSONL, or CSV with a header line.
        #[arg(long, value_name = "FILE")]
        source: String,
        /// jsonl or csv; default: from the file name.
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
    },
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

#[derive(Subcommand)]
enum PartnerCommand {
    /// Add a partner; prints its id.
    Add {
        #[arg(long)]
        name: String,
        /// ai-lab, search-engine, research or other.
        #[arg(long)]
        kind: String,
        /// ISO 3166-1 alpha-2 code, e.g. US.
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Change a partner; fields not given keep their value.
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// List partners by name.
    List,
    /// Show one partner.
    Show { id: i64 },
}

/// The terms `deal edit` can change; each one not given keeps its value.
#[derive(Args)]
struct DealTerms {
    /// The partner's id.
    #[arg(long, value_name = "ID")]
    partner: Option<i64>,
    #[arg(long)]
    title: Option<String>,
    /// Comma-separated: partner-sharing, ai-training, genai-training, ai-inference,
    /// search, data-mining.
    #[arg(long)]
    purposes: Option<String>,
    /// First day of the term, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Last day of the term (inclusive), YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
    /// WORLD or comma-separated country codes.
    #[arg(long)]
    territory: Option<String>,
    /// How many days the partner may keep delivered data.
    #[arg(long, value_name = "N")]
    retention_days: Option<i64>,
    #[arg(long)]
    notes: Option<String>,
}

#[derive(Subcommand)]
enum DealCommand {
    /// Add a deal as a draft; prints its id.
    Add {
        /// The partner's id.
        #[arg(long, value_name = "ID")]
        partner: i64,
        #[arg(long)]
        title: String,
        /// Comma-separated: partner-sharing, ai-training, genai-training, ai-inference,
        /// search, data-mining.
        #[arg(long)]
        purposes: String,
        /// First day of the term, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        start: String,
        /// Last day of the term (inclusive), YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        end: String,
        /// WORLD or comma-separated country codes.
        #[arg(long, default_value = "WORLD")]
        territory: String,
        /// How many days the partner may keep delivered data.
        #[arg(long, value_name = "N")]
        retention_days: Option<i64>,
        #[arg(long)]
        notes: Option<String>,
        /// The partner gets the data exclusively.
        #[arg(long)]
        exclusive: bool,
        /// The partner must attribute the platform.
        #[arg(long)]
        attribution: bool,
        /// The partner may sublicense the data.
        #[arg(long)]
        sublicensing: bool,
    },
    /// Change a draft or negotiating deal's terms; fields not given keep their value.
    Edit {
        id: i64,
        #[command(flatten)]
        terms: DealTerms,
        #[arg(long, value_name = "BOOL")]
        exclusive: Option<bool>,
        #[arg(long, value_name = "BOOL")]
        attribution: Option<bool>,
        #[arg(long, value_name = "BOOL")]
        sublicensing: Option<bool>,
    },
    /// List deals, newest first.
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_name = "ID")]
        partner: Option<i64>,
    },
    /// Show one deal.
    Show { id: i64 },
    /// Move a deal through its lifecycle.
    Transition {
        id: i64,
        /// negotiating, signed, active, expired or terminated.
        #[arg(long)]
        to: String,
    },
    /// Create the renewal of a signed, active or expired deal as a new draft.
    Renew {
        id: i64,
        /// Default: the day after the renewed deal ends.
        #[arg(long, value_name = "DATE")]
        start: Option<String>,
        /// Default: a term as long as the renewed deal's.
        #[arg(long, value_name = "DATE")]
        end: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// List entries, oldest first.
    List {
        /// partner or deal.
        #[arg(long)]
        entity: Option<String>,
        #[arg(long, value_name = "ID", requires = "entity")]
        id: Option<i64>,
    },
    /// Check the hash chain and that every table it vouches for still matches it;
    /// exits 1 if an entry or a row was altered, added or removed.
    Verify {
        /// Also prove that entry SEQ still has hash HASH, as `audit head` printed it
        /// earlier: catches a chain recomputed after an edit.
        #[arg(long, value_name = "SEQ:HASH", value_parser = parse_head)]
        expect_head: Option<AuditHead>,
    },
    /// Print the newest entry's seq and hash, to keep elsewhere for --expect-head.
    Head,
}

fn parse_head(text: &str) -> Result<AuditHead, String> {
    AuditHead::parse("expect_head", text).map_err(|e| e.message)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if json {
                emit(&format!("{}\n", serde_json::json!({ "error": e.body() })));
            }
            warn(&format!("error: {}", describe(&e)));
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout. A reader that went away (`consentry ... | head`, or `| true`) is
/// not a failure: the command's work is done (a write is committed), and reporting an
/// error would make a script that retries on failure do it twice.
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// A line on stderr, with control characters escaped; never panics.
fn warn(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", printable_lines(text));
}

impl Command {
    /// Whether the command may change the store (and so may create it).
    fn writes(&self) -> bool {
        match self {
            Command::Partner(c) => !matches!(c, PartnerCommand::List | PartnerCommand::Show { .. }),
            Command::Deal(c) => !matches!(c, DealCommand::List { .. } | DealCommand::Show { .. }),
            Command::Audit(_) => false,
            Command::Users(_) | Command::Consent(_) => true,
            Command::Policy(c) => matches!(c, PolicyCommand::Set { .. }),
            Command::Snapshot(c) => matches!(c, SnapshotCommand::Build { .. }),
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let path = match cli.db {
        Some(path) => path,
        None => Store::default_path()?,
    };
    // A command that only reads never creates a store: a mistyped --db is an error,
    // not an empty store that verifies.
    let mut store = if cli.command.writes() {
        let store = Store::open(&path)?;
        if store.created() {
            warn(&format!("note: created a new store at {}", path.display()));
        }
        store
    } else {
        Store::open_existing(&path)?
    };
    if let Some(actor) = cli.actor {
        store = store.with_actor(actor);
    }
    let out = Output { json: cli.json };
    // What a crashed snapshot build left is removed at the next start.
    snapshot::clean_leftovers(&store)?;
    match cli.command {
        Command::Partner(cmd) => partner_command(&store, &out, cmd),
        Command::Deal(cmd) => deal_command(&store, &out, cmd),
        Command::Audit(cmd) => audit_command(&store, &out, cmd),
        Command::Users(cmd) => import_command(&store, &out, imports::import_registry, cmd),
        Command::Consent(cmd) => import_command(&store, &out, imports::import_ledger, cmd),
        Command::Policy(cmd) => policy_command(&store, &out, cmd),
        Command::Snapshot(cmd) => snapshot_command(&store, &out, cmd),
    }
}

type Importer = fn(&Store, &std::path::Path, &ImportOptions) -> consentry::Result<ImportReport>;

fn import_command(
    store: &Store,
    out: &Output,
    import: Importer,
    cmd: ImportCommand,
) -> Result<ExitCode, Error> {
    let ImportCommand::Import {
        file,
        format,
        skip_invalid,
    } = cmd;
    let options = ImportOptions {
        skip_invalid,
        format: format
            .map(|f| FileFormat::parse("format", &f))
            .transpose()?,
    };
    let r = import(store, &file, &options)?;
    out.value(&r, || {
        let mut text = format!(
            "Imported {}: {} rows read, {} added, {} changed, {} unchanged, {} skipped \
             ({} ms, {} rows/s)\n",
            r.file,
            r.rows_read,
            r.added,
            r.changed,
            r.unchanged,
            r.skipped,
            r.duration_ms,
            r.rows_per_second
        );
        for l in &r.skipped_lines {
            text.push_str(&format!("  skipped line {}: {}\n", l.line, l.message));
        }
        text
    });
    Ok(ExitCode::SUCCESS)
}

fn policy_command(store: &Store, out: &Output, cmd: PolicyCommand) -> Result<ExitCode, Error> {
    let policy = match cmd {
        PolicyCommand::Show => policy::policy(store)?,
        PolicyCommand::Set {
            opt_in,
            opt_out_available_from,
            notice_days,
        } => policy::set_policy(
            store,
            &PolicyInput {
                opt_in,
                opt_out_available_from,
                notice_days,
            },
        )?,
    };
    out.value(&policy, || {
        let countries = if policy.opt_in_countries.is_empty() {
            "none".to_string()
        } else {
            policy.opt_in_countries.join(",")
        };
        let gate = match (policy.opt_out_available_from, policy.default_applies_from()) {
            (None, _) => "none: users could always opt out".to_string(),
            (Some(from), Some(applies)) => format!(
                "users could opt out from {from}; with {} days of notice the opt-out \
                 default applies from {applies}, to records created from {from}",
                policy.notice_days
            ),
            (Some(from), None) => {
                format!("users could opt out from {from}; the default never applies")
            }
        };
        lines(&[
            ("policy", format!("version {}", policy.version)),
            ("opt-in", countries),
            ("opt-out gate", gate),
        ])
    });
    Ok(ExitCode::SUCCESS)
}

fn snapshot_command(store: &Store, out: &Output, cmd: SnapshotCommand) -> Result<ExitCode, Error> {
    match cmd {
        SnapshotCommand::Build {
            deal,
            source,
            format,
            id_field,
            user_field,
            time_field,
            as_of,
            window_from,
            window_to,
            shard_bytes,
            out: out_dir,
            max_rejected_pct,
        } => {
            let req = BuildRequest {
                deal_id: DealId(deal),
                source,
                format,
                id_field,
                user_field,
                time_field,
                as_of,
                window_from,
                window_to,
                shard_bytes,
                out: out_dir,
                max_rejected_pct,
            };
            let show = !out.json && std::io::stderr().is_terminal();
            let mut progress = |p: &snapshot::Progress| {
                if show {
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
            };
            let s = snapshot::build(store, &req, &mut progress, &AtomicBool::new(false));
            if show {
                warn("");
            }
            let s = s?;
            out.value(&s, || snapshot_lines(&s));
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
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn snapshot_lines(s: &Snapshot) -> String {
    let mut text = lines(&[
        ("snapshot", s.snapshot_id.to_string()),
        ("deal", s.deal_id.to_string()),
        ("as of", s.as_of.clone()),
        (
            "source",
            format!("{} ({}, {} bytes)", s.source, s.format, s.source_bytes),
        ),
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

fn partner_command(store: &Store, out: &Output, cmd: PartnerCommand) -> Result<ExitCode, Error> {
    match cmd {
        PartnerCommand::Add {
            name,
            kind,
            country,
            contact,
            notes,
        } => {
            let input = PartnerInput {
                name,
                kind,
                country,
                contact,
                notes,
            };
            let p = partner::create(store, input)?;
            out.created(p.id.0, &format!("Added partner {} ({})", p.id, p.name));
        }
        PartnerCommand::Edit {
            id,
            name,
            kind,
            country,
            contact,
            notes,
        } => {
            let p = partner::edit(store, PartnerId(id), |input| {
                replace(&mut input.name, name);
                replace(&mut input.kind, kind);
                input.country = country.or(input.country.take());
                input.contact = contact.or(input.contact.take());
                input.notes = notes.or(input.notes.take());
                Ok(())
            })?;
            out.value(&p, || partner_lines(&p));
        }
        PartnerCommand::List => {
            let partners = partner::list(store)?;
            out.value(&partners, || {
                table(
                    &["ID", "NAME", "KIND", "COUNTRY", "CONTACT"],
                    partners.iter().map(|p| {
                        vec![
                            p.id.to_string(),
                            p.name.clone(),
                            p.kind.to_string(),
                            p.country.clone().unwrap_or_default(),
                            p.contact.clone().unwrap_or_default(),
                        ]
                    }),
                )
            });
        }
        PartnerCommand::Show { id } => {
            let p = partner::get(store, PartnerId(id))?;
            out.value(&p, || partner_lines(&p));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn deal_command(store: &Store, out: &Output, cmd: DealCommand) -> Result<ExitCode, Error> {
    match cmd {
        DealCommand::Add {
            partner,
            title,
            purposes,
            start,
            end,
            territory,
            retention_days,
            notes,
            exclusive,
            attribution,
            sublicensing,
        } => {
            let input = DealInput {
                partner_id: PartnerId(partner),
                title,
                purposes: parse_purposes(&purposes)?,
                start_date: start,
                end_date: end,
                territory,
                exclusive,
                retention_days,
                attribution_required: attribution,
                sublicensing_allowed: sublicensing,
                notes,
            };
            let d = deal::create(store, input)?;
            out.created(
                d.id.0,
                &format!("Added deal {} ({}) as a draft", d.id, d.title),
            );
        }
        DealCommand::Edit {
            id,
            terms,
            exclusive,
            attribution,
            sublicensing,
        } => {
            let d = deal::edit(store, DealId(id), |input| {
                terms.apply(input)?;
                replace(&mut input.exclusive, exclusive);
                replace(&mut input.attribution_required, attribution);
                replace(&mut input.sublicensing_allowed, sublicensing);
                Ok(())
            })?;
            out.value(&d, || deal_lines(&d));
        }
        DealCommand::List { status, partner } => {
            let filter = DealFilter {
                status: status.map(|s| parse_status("status", &s)).transpose()?,
                partner_id: partner.map(PartnerId),
            };
            let deals = deal::list(store, &filter)?;
            out.value(&deals, || {
                table(
                    &["ID", "STATUS", "PARTNER", "TITLE", "TERM", "PURPOSES"],
                    deals.iter().map(|d| {
                        vec![
                            d.id.to_string(),
                            d.status.to_string(),
                            d.partner_name.clone(),
                            d.title.clone(),
                            format!("{}..{}", d.start_date, d.end_date),
                            Purpose::join(&d.purposes),
                        ]
                    }),
                )
            });
        }
        DealCommand::Show { id } => {
            let d = deal::get(store, DealId(id))?;
            out.value(&d, || deal_lines(&d));
        }
        DealCommand::Transition { id, to } => {
            let to = parse_status("to", &to)?;
            let d = deal::transition(store, DealId(id), to)?;
            out.value(&d, || format!("Deal {} is now {}\n", d.id, d.status));
        }
        DealCommand::Renew { id, start, end } => {
            let input = RenewInput {
                start_date: start,
                end_date: end,
            };
            let d = deal::renew(store, DealId(id), input)?;
            out.created(
                d.id.0,
                &format!(
                    "Added deal {} as the renewal of deal {id}, {}..{}",
                    d.id, d.start_date, d.end_date
                ),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn audit_command(store: &Store, out: &Output, cmd: AuditCommand) -> Result<ExitCode, Error> {
    match cmd {
        AuditCommand::List { entity, id } => {
            let entries = audit::list(
                store,
                &AuditFilter {
                    entity,
                    entity_id: id,
                },
            )?;
            out.value(&entries, || {
                table(
                    &["SEQ", "AT", "ACTOR", "ACTION", "ENTITY", "HASH"],
                    entries.iter().map(|e| {
                        vec![
                            e.seq.to_string(),
                            e.at.clone(),
                            e.actor.clone(),
                            e.action.clone(),
                            format!("{} {}", e.entity, e.entity_id),
                            e.hash.get(..12).unwrap_or(&e.hash).to_string(),
                        ]
                    }),
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify { expect_head } => {
            let report = audit::verify_expecting(store, expect_head.as_ref())?;
            out.value(&report, || audit_report_text(&report));
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Head => {
            let head = audit::head(store)?;
            out.value(&head, || format!("seq {} hash {}\n", head.seq, head.hash));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn audit_report_text(report: &audit::AuditReport) -> String {
    let mut text = if report.ok {
        format!(
            "Audit log intact: {} entries; the data matches them",
            report.entries
        )
    } else {
        format!("Audit log BROKEN: {} problem(s)", report.problems.len())
    };
    if let (Some(seq), Some(hash)) = (report.head_seq, &report.head_hash) {
        text.push_str(&format!("\nhead {seq}:{hash}"));
    }
    for p in &report.problems {
        text.push_str(&format!("\n  {}", p.message));
    }
    text + "\n"
}

impl DealTerms {
    /// Overwrites the fields of `input` that were given on the command line.
    fn apply(self, input: &mut DealInput) -> Result<(), Error> {
        if let Some(partner) = self.partner {
            input.partner_id = PartnerId(partner);
        }
        if let Some(purposes) = self.purposes {
            input.purposes = parse_purposes(&purposes)?;
        }
        replace(&mut input.title, self.title);
        replace(&mut input.start_date, self.start);
        replace(&mut input.end_date, self.end);
        replace(&mut input.territory, self.territory);
        if self.retention_days.is_some() {
            input.retention_days = self.retention_days;
        }
        if self.notes.is_some() {
            input.notes = self.notes;
        }
        Ok(())
    }
}

fn replace<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn parse_purposes(text: &str) -> Result<Vec<Purpose>, Error> {
    Purpose::parse_list(text).map_err(|e| Error::Invalid(vec![e]))
}

fn parse_status(flag: &str, text: &str) -> Result<DealStatus, Error> {
    text.parse::<DealStatus>().map_err(|mut e| {
        e.field = flag.to_string();
        Error::Invalid(vec![e])
    })
}

/// The message for people: field errors name the command-line flag, not the field.
fn describe(e: &Error) -> String {
    let fields = e.fields();
    if fields.is_empty() {
        return e.to_string();
    }
    fields
        .iter()
        .map(|f| format!("{}: {}", flag_of(&f.field), f.message))
        .collect::<Vec<_>>()
        .join("\nerror: ")
}

/// The command-line flag of a request field. Every field a command can refuse is here;
/// the test `every_refusal_names_its_flag` (tests/trust.rs) keeps it so.
fn flag_of(field: &str) -> &str {
    match field {
        "name" => "--name",
        "kind" => "--kind",
        "country" => "--country",
        "contact" => "--contact",
        "notes" => "--notes",
        "partner_id" => "--partner",
        "title" => "--title",
        "purposes" => "--purposes",
        "start_date" => "--start",
        "end_date" => "--end",
        "territory" => "--territory",
        "retention_days" => "--retention-days",
        "status" => "--status",
        "to" => "--to",
        "deal_id" => "--deal",
        "source" => "--source",
        "format" => "--format",
        "id_field" => "--id-field",
        "user_field" => "--user-field",
        "time_field" => "--time-field",
        "as_of" => "--as-of",
        "window_from" => "--window-from",
        "window_to" => "--window-to",
        "shard_bytes" => "--shard-bytes",
        "out" => "--out",
        "max_rejected_pct" => "--max-rejected-pct",
        "opt_in" => "--opt-in",
        "opt_out_available_from" => "--opt-out-available-from",
        "notice_days" => "--notice-days",
        "file" => "FILE",
        other => other,
    }
}

fn partner_lines(p: &Partner) -> String {
    lines(&[
        ("id", p.id.to_string()),
        ("name", p.name.clone()),
        ("kind", p.kind.to_string()),
        ("country", p.country.clone().unwrap_or_default()),
        ("contact", p.contact.clone().unwrap_or_default()),
        ("notes", p.notes.clone()),
        ("created", p.created_at.clone()),
        ("updated", p.updated_at.clone()),
    ])
}

fn deal_lines(d: &Deal) -> String {
    let flag = |b: bool| if b { "yes" } else { "no" }.to_string();
    lines(&[
        ("id", d.id.to_string()),
        ("title", d.title.clone()),
        ("partner", format!("{} ({})", d.partner_name, d.partner_id)),
        ("status", d.status.to_string()),
        ("purposes", Purpose::join(&d.purposes)),
        (
            "term",
            format!("{} to {} (inclusive)", d.start_date, d.end_date),
        ),
        ("territory", d.territory.clone()),
        ("exclusive", flag(d.exclusive)),
        (
            "retention",
            d.retention_days
                .map_or("no limit".to_string(), |n| format!("{n} days")),
        ),
        ("attribution", flag(d.attribution_required)),
        ("sublicensing", flag(d.sublicensing_allowed)),
        (
            "renews",
            d.renewed_from.map(|i| i.to_string()).unwrap_or_default(),
        ),
        (
            "renewed by",
            d.renewed_by.map(|i| i.to_string()).unwrap_or_default(),
        ),
        ("notes", d.notes.clone()),
        ("created", d.created_at.clone()),
        ("updated", d.updated_at.clone()),
    ])
}

fn lines(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k:<15}{v}\n"))
        .collect()
}

fn table(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows.collect();
    if rows.is_empty() {
        return "(none)\n".to_string();
    }
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([h.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render = |cells: Vec<&str>| {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        line.join("  ").trim_end().to_string() + "\n"
    };
    let mut text = render(headers.to_vec());
    for row in &rows {
        text.push_str(&render(row.iter().map(String::as_str).collect()));
    }
    text
}

struct Output {
    json: bool,
}

impl Output {
    fn value<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            emit(&(serde_json::to_string_pretty(value).expect("serializable") + "\n"));
        } else {
            // Names, ids and paths come from people and files: no control character of
            // theirs reaches the terminal.
            emit(&printable_lines(&human()));
        }
    }

    /// What every `add` prints: `{"id": N}` for scripts, a sentence for people.
    fn created(&self, id: i64, human: &str) {
        self.value(&serde_json::json!({ "id": id }), || format!("{human}\n"));
    }
}
