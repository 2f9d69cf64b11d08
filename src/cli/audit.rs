//! `consentry audit ...`: list the log, print its head, and verify it. None of them
//! writes; `audit verify` exits 1 when the log or the data it vouches for has changed,
//! so that a script can stop on it.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::audit::{self, AuditFilter, AuditHead, AuditReport};
use consentry::{Result, Store};

use super::output::{table, verdict, Output};

#[derive(Subcommand)]
pub(super) enum AuditCommand {
    /// List entries, oldest first.
    List(AuditListArgs),
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

#[derive(Args)]
pub(super) struct AuditListArgs {
    /// partner, deal, import, policy or snapshot.
    #[arg(long)]
    entity: Option<String>,
    #[arg(long, value_name = "ID", requires = "entity")]
    id: Option<i64>,
    /// Only the entries of this deal and what belongs to it (fee schedule, snapshots,
    /// deliveries, receipts, notices, invoices, payments, credit notes).
    #[arg(long, value_name = "ID")]
    deal: Option<i64>,
}

impl From<AuditListArgs> for AuditFilter {
    fn from(a: AuditListArgs) -> Self {
        AuditFilter {
            entity: a.entity,
            entity_id: a.id,
            deal_id: a.deal,
        }
    }
}

/// `--expect-head` is parsed by clap: a malformed head is a usage error (exit 2).
fn parse_head(text: &str) -> std::result::Result<AuditHead, String> {
    AuditHead::parse("expect_head", text).map_err(|e| e.message)
}

impl AuditCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            AuditCommand::List(_) | AuditCommand::Verify { .. } | AuditCommand::Head => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            AuditCommand::List(args) => {
                let entries = audit::list(store, &args.into())?;
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
                out.value(&report, || report_text(&report));
                Ok(verdict(report.ok))
            }
            AuditCommand::Head => {
                let head = audit::head(store)?;
                out.value(&head, || format!("seq {} hash {}\n", head.seq, head.hash));
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

fn report_text(report: &AuditReport) -> String {
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
