//! `consentry`, the headless CLI. Each subcommand parses its flags, calls one core
//! function and prints the result: a table or a few lines for people, JSON with
//! `--json` for scripts. Exit status: 0 on success, 1 when the request is refused or
//! fails (the message says why and where), 2 when the command line itself is wrong.
//!
//! This file holds what every command shares: the global flags, opening the store the
//! user meant, the cleanup of a crashed build, and the dispatch to one file per command
//! group. What is printed, and how, is `output`'s.

mod audit;
mod backup;
mod deal;
mod delivery;
mod demo;
mod finance;
mod imports;
mod output;
mod partner;
mod policy;
mod snapshot;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use consentry::{Result, Store};

use output::{warn, Output};

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
    Partner(partner::PartnerCommand),
    /// Licensing deals and their lifecycle.
    #[command(subcommand)]
    Deal(deal::DealCommand),
    /// The hash-chained log of every change.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The user registry (user_id, country, birth_date, status).
    #[command(subcommand)]
    Users(imports::ImportCommand),
    /// The consent ledger (user_id, purpose, decision, effective_at, source).
    #[command(subcommand)]
    Consent(imports::ImportCommand),
    /// The consent policy: which countries are opt-in.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Consent-filtered dataset snapshots of a deal.
    #[command(subcommand)]
    Snapshot(snapshot::SnapshotCommand),
    /// The store's signing key for deliveries and notices.
    #[command(subcommand)]
    Key(delivery::KeyCommand),
    /// Signed packages of sealed snapshots for a deal's partner.
    #[command(subcommand)]
    Delivery(delivery::DeliveryCommand),
    /// Signed notices of delivered records whose authors are no longer eligible.
    #[command(subcommand)]
    Withdrawal(delivery::WithdrawalCommand),
    /// Where one user's records went: snapshots, deliveries, partners, notices.
    Exposure(delivery::ExposureArgs),
    /// A deal's fee schedule.
    #[command(subcommand)]
    Fee(finance::FeeCommand),
    /// Invoices: generate, list, void, credit.
    #[command(subcommand)]
    Invoice(finance::InvoiceCommand),
    /// Payments received against invoices.
    #[command(subcommand)]
    Payment(finance::PaymentCommand),
    /// The FX-rate table reports convert with.
    #[command(subcommand)]
    Fx(finance::FxCommand),
    /// Finance reports: revenue, deferred revenue, receivables aging.
    #[command(subcommand)]
    Finance(finance::ReportCommand),
    /// Write a consistent copy of the store to a file, once (--out) or daily (--daily).
    Backup(backup::BackupArgs),
    /// Replace the store with a backup after checking it; the replaced store is kept
    /// beside it as <store>.before-restore-<time>.
    Restore(backup::RestoreArgs),
    /// A demo workspace: fictional partners, deals, users, posts and finance.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output { json: cli.json };
    match run(cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.refusal(&e);
            ExitCode::FAILURE
        }
    }
}

impl Command {
    /// Whether the command may change the store (and so may create it). Each group
    /// answers for its own commands, without a wildcard: a new command does not compile
    /// until someone decides.
    fn writes(&self) -> bool {
        match self {
            Command::Partner(c) => c.writes(),
            Command::Deal(c) => c.writes(),
            Command::Audit(c) => c.writes(),
            Command::Users(c) | Command::Consent(c) => c.writes(),
            Command::Policy(c) => c.writes(),
            Command::Snapshot(c) => c.writes(),
            Command::Key(c) => c.writes(),
            Command::Delivery(c) => c.writes(),
            Command::Withdrawal(c) => c.writes(),
            Command::Exposure(_) => false,
            Command::Fee(c) => c.writes(),
            Command::Invoice(c) => c.writes(),
            Command::Payment(c) => c.writes(),
            Command::Fx(c) => c.writes(),
            Command::Finance(c) => c.writes(),
            // A backup appends its audit entry to a store that must exist; a restore
            // never opens the store as a store (`run` dispatches it first).
            Command::Backup(_) | Command::Restore(_) => false,
            Command::Demo(c) => c.writes(),
        }
    }
}

impl Command {
    /// Whether the store's `quick_check` may run behind the command's reads instead of
    /// before it. A snapshot build folds the whole registry and ledger, and an import
    /// reads and checks its whole file, before the first write, and nothing either does
    /// before that write leaves a trace. The check runs meanwhile, as in the app (10 s on
    /// a 1.6 GB store); the write waits for it and is refused if it failed. Every other
    /// command checks first.
    fn checks_behind(&self) -> bool {
        matches!(
            self,
            Command::Snapshot(snapshot::SnapshotCommand::Build(_))
                | Command::Users(imports::ImportCommand::Import(_))
                | Command::Consent(imports::ImportCommand::Import(_))
        )
    }
}

fn run(cli: Cli, out: &Output) -> Result<ExitCode> {
    let path = match cli.db {
        Some(path) => path,
        None => Store::default_path()?,
    };
    // The store a restore replaces may be damaged, absent or busy: not opened here.
    if let Command::Restore(args) = cli.command {
        return args.run(&path, cli.actor.as_deref(), out);
    }
    // A partner checks a package with its public key and no store.
    if let Command::Delivery(cmd) = &cli.command {
        if cmd.store_optional() && !path.exists() {
            let Command::Delivery(cmd) = cli.command else {
                unreachable!()
            };
            return cmd.run(None, out);
        }
    }
    // A command that only reads never creates a store: a mistyped --db is an error,
    // not an empty store that verifies.
    let mut store = if cli.command.writes() {
        let store = if cli.command.checks_behind() {
            Store::open_checking_behind(&path)?
        } else {
            Store::open(&path)?
        };
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
    // What a crashed snapshot build left is removed at the next start.
    consentry::snapshot::clean_leftovers(&store)?;
    match cli.command {
        Command::Partner(cmd) => cmd.run(&store, out),
        Command::Deal(cmd) => cmd.run(&store, out),
        Command::Audit(cmd) => cmd.run(&store, out),
        Command::Users(cmd) => cmd.run(
            &store,
            out,
            consentry::imports::ImportKind::Registry,
            consentry::imports::import_registry_with,
        ),
        Command::Consent(cmd) => cmd.run(
            &store,
            out,
            consentry::imports::ImportKind::Ledger,
            consentry::imports::import_ledger_with,
        ),
        Command::Policy(cmd) => cmd.run(&store, out),
        Command::Snapshot(cmd) => cmd.run(&store, out),
        Command::Key(cmd) => cmd.run(&store, out),
        Command::Delivery(cmd) => cmd.run(Some(&store), out),
        Command::Withdrawal(cmd) => cmd.run(&store, out),
        Command::Exposure(args) => args.run(&store, out),
        Command::Fee(cmd) => cmd.run(&store, out),
        Command::Invoice(cmd) => cmd.run(&store, out),
        Command::Payment(cmd) => cmd.run(&store, out),
        Command::Fx(cmd) => cmd.run(&store, out),
        Command::Finance(cmd) => cmd.run(&store, out),
        Command::Backup(args) => args.run(&store, out),
        Command::Restore(_) => unreachable!("dispatched before the store is opened"),
        Command::Demo(cmd) => cmd.run(&store, out),
    }
}

/// What every `edit` does with a flag: given, its value replaces the current one (an
/// optional field's too, hence `Into`); not given, the current value stays.
fn set_if_given<T, V: Into<T>>(slot: &mut T, given: Option<V>) {
    if let Some(value) = given {
        *slot = value.into();
    }
}
