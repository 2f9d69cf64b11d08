//! `consentry`, the headless CLI. Each subcommand parses its flags, calls one core
//! function and prints the result: a table or a few lines for people, JSON with
//! `--json` for scripts. Exit status: 0 on success, 1 when the request is refused or
//! fails (the message says why and where), 2 when the command line itself is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use consentry::audit::{self, AuditFilter};
use consentry::deal::{self, Deal, DealFilter, DealId, DealInput, DealStatus, RenewInput};
use consentry::partner::{self, Partner, PartnerId, PartnerInput};
use consentry::purpose::Purpose;
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
    /// Check the hash chain; exits 1 if any entry was altered or removed.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.body() }));
            }
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let path = match cli.db {
        Some(path) => path,
        None => Store::default_path()?,
    };
    let mut store = Store::open(&path)?;
    if let Some(actor) = cli.actor {
        store = store.with_actor(actor);
    }
    let out = Output { json: cli.json };
    match cli.command {
        Command::Partner(cmd) => partner_command(&store, &out, cmd),
        Command::Deal(cmd) => deal_command(&store, &out, cmd),
        Command::Audit(cmd) => audit_command(&store, &out, cmd),
    }
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
            let current = partner::get(store, PartnerId(id))?;
            let mut input = PartnerInput::from(&current);
            replace(&mut input.name, name);
            replace(&mut input.kind, kind);
            input.country = country.or(input.country);
            input.contact = contact.or(input.contact);
            input.notes = notes.or(input.notes);
            let p = partner::update(store, PartnerId(id), input)?;
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
            let current = deal::get(store, DealId(id))?;
            let mut input = DealInput::from(&current);
            terms.apply(&mut input)?;
            replace(&mut input.exclusive, exclusive);
            replace(&mut input.attribution_required, attribution);
            replace(&mut input.sublicensing_allowed, sublicensing);
            let d = deal::update(store, DealId(id), input)?;
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
                            e.hash[..12].to_string(),
                        ]
                    }),
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify => {
            let report = audit::verify(store)?;
            out.value(&report, || {
                let mut text = if report.ok {
                    format!("Audit log intact: {} entries", report.entries)
                } else {
                    format!("Audit log BROKEN: {} problem(s)", report.problems.len())
                };
                if let Some(head) = &report.head_hash {
                    text.push_str(&format!("\nhead {head}"));
                }
                for p in &report.problems {
                    text.push_str(&format!("\n  {}", p.message));
                }
                text + "\n"
            });
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
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

/// The message for people: field errors name the command-line flag as well.
fn describe(e: &Error) -> String {
    let fields = e.fields();
    if fields.is_empty() {
        return e.to_string();
    }
    fields
        .iter()
        .map(|f| format!("{}: {}", flag_of(&f.field).unwrap_or(&f.field), f.message))
        .collect::<Vec<_>>()
        .join("\nerror: ")
}

fn flag_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "--name",
        "kind" => "--kind",
        "country" => "--country",
        "partner_id" => "--partner",
        "title" => "--title",
        "purposes" => "--purposes",
        "start_date" => "--start",
        "end_date" => "--end",
        "territory" => "--territory",
        "retention_days" => "--retention-days",
        "status" => "--status",
        "to" => "--to",
        _ => return None,
    })
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
        .map(|(k, v)| format!("{k:<13}{v}\n"))
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
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("serializable")
            );
        } else {
            print!("{}", human());
        }
    }

    /// What every `add` prints: `{"id": N}` for scripts, a sentence for people.
    fn created(&self, id: i64, human: &str) {
        self.value(&serde_json::json!({ "id": id }), || format!("{human}\n"));
    }
}
