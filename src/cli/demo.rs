//! `consentry demo seed`: fills an empty store with the demo workspace; while it runs,
//! each step and its counts go to stderr on a terminal.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::demo::{self, DemoOptions, DemoProgress, DemoReport};
use consentry::keys::Secrets;
use consentry::{Result, Store};

use super::output::{table, warn, Output};

#[derive(Subcommand)]
pub(super) enum DemoCommand {
    /// Fill an EMPTY store with fictional partners, deals, users, consent, posts,
    /// snapshots, deliveries, invoices and payments, dated around today.
    Seed(DemoSeedArgs),
}

#[derive(Args)]
pub(super) struct DemoSeedArgs {
    /// Registry users to generate (100 to 5,000,000).
    #[arg(long, value_name = "N", default_value_t = demo::DEFAULT_USERS)]
    users: u64,
    /// Posts to generate (100 to 20,000,000).
    #[arg(long, value_name = "N", default_value_t = demo::DEFAULT_POSTS)]
    posts: u64,
    /// Folder for the generated files, new or empty (default: consentry-demo beside
    /// the store).
    #[arg(long, value_name = "DIR")]
    dir: Option<String>,
    /// The generator's seed: the same seed on the same day gives the same files.
    #[arg(long, value_name = "N", default_value_t = demo::DEFAULT_SEED)]
    seed: u64,
}

impl From<DemoSeedArgs> for DemoOptions {
    fn from(a: DemoSeedArgs) -> Self {
        DemoOptions {
            users: Some(a.users),
            posts: Some(a.posts),
            dir: a.dir,
            seed: Some(a.seed),
        }
    }
}

impl DemoCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            DemoCommand::Seed(_) => true,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        let DemoCommand::Seed(args) = self;
        let secrets = Secrets::from_env()?;
        let show = !out.json && std::io::stderr().is_terminal();
        let mut last_step = 0;
        let mut progress = |p: &DemoProgress| {
            if show {
                print_progress(p, &mut last_step);
            }
        };
        let report = demo::seed(store, secrets, &args.into(), &mut progress);
        if show {
            warn("");
        }
        let report = report?;
        out.value(&report, || report_text(&report));
        Ok(ExitCode::SUCCESS)
    }
}

/// `[3/9] Writing 300000 posts to posts.jsonl  120000/300000`, rewritten in place; a
/// new line for each step.
fn print_progress(p: &DemoProgress, last_step: &mut u32) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    if p.step_number != *last_step && *last_step != 0 {
        let _ = writeln!(err);
    }
    *last_step = p.step_number;
    let count = if p.total > 0 {
        format!("  {}/{}", p.done, p.total)
    } else {
        String::new()
    };
    let line = format!("[{}/{}] {}{count}", p.step_number, p.steps, p.label);
    // Padded over what a longer line before it left.
    let _ = write!(
        err,
        "\r{:<110}",
        consentry::text::printable_lines(&line).trim_end()
    );
}

fn report_text(r: &DemoReport) -> String {
    let mut text = format!(
        "Demo workspace seeded in {:.1} s (seed {}, dated around {}), files in {}\n\n",
        r.duration_ms as f64 / 1000.0,
        r.seed,
        r.today,
        r.dir
    );
    text.push_str(&table(
        &["FILE", "ROWS", "BYTES"],
        r.files
            .iter()
            .map(|f| vec![f.name.clone(), f.rows.to_string(), f.bytes.to_string()]),
    ));
    text.push('\n');
    text.push_str(&table(
        &[
            "DEAL",
            "SHAPE",
            "STATUS",
            "PARTNER",
            "SNAPSHOTS",
            "DELIVERIES",
            "INVOICES",
            "PENDING WITHDRAWALS",
        ],
        r.deals.iter().map(|d| {
            let shape = serde_json::to_value(d.shape)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            vec![
                d.deal_id.to_string(),
                shape,
                d.status.to_string(),
                d.partner_name.clone(),
                d.snapshots.len().to_string(),
                d.deliveries.len().to_string(),
                d.invoices.to_string(),
                d.pending_withdrawals.to_string(),
            ]
        }),
    ));
    text.push_str(&format!(
        "\n{} users, {} consent events, {} posts; {} invoices ({} overdue), {} payments.\n\
         Next: consentry deal list; consentry withdrawal pending --deal ID; \
         consentry finance aging --at {}; consentry audit verify\n",
        r.users, r.events, r.posts, r.invoices, r.overdue, r.payments, r.today
    ));
    text
}
