//! `consentry partner ...`: the flags of each partner command, turned into the core's
//! `PartnerInput` by conversion rather than by hand, and the partner's text rendering.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::partner::{self, Partner, PartnerId, PartnerInput};
use consentry::{Result, Store};

use super::output::{lines, table, Output};
use super::set_if_given;

#[derive(Subcommand)]
pub(super) enum PartnerCommand {
    /// Add a partner; prints its id.
    Add(PartnerAddArgs),
    /// Change a partner; fields not given keep their value.
    Edit {
        id: i64,
        #[command(flatten)]
        changes: PartnerEditArgs,
    },
    /// List partners by name.
    List,
    /// Show one partner.
    Show { id: i64 },
}

#[derive(Args)]
pub(super) struct PartnerAddArgs {
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
}

impl From<PartnerAddArgs> for PartnerInput {
    fn from(a: PartnerAddArgs) -> Self {
        PartnerInput {
            name: a.name,
            kind: a.kind,
            country: a.country,
            contact: a.contact,
            notes: a.notes,
        }
    }
}

/// The fields `partner edit` can change; each one not given keeps its value.
#[derive(Args)]
pub(super) struct PartnerEditArgs {
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
}

impl PartnerEditArgs {
    /// Overwrites the fields of `input` that were given on the command line.
    fn apply(self, input: &mut PartnerInput) {
        set_if_given(&mut input.name, self.name);
        set_if_given(&mut input.kind, self.kind);
        set_if_given(&mut input.country, self.country);
        set_if_given(&mut input.contact, self.contact);
        set_if_given(&mut input.notes, self.notes);
    }
}

impl PartnerCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            PartnerCommand::Add(_) | PartnerCommand::Edit { .. } => true,
            PartnerCommand::List | PartnerCommand::Show { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            PartnerCommand::Add(args) => {
                let p = partner::create(store, args.into())?;
                out.created(p.id.0, &format!("Added partner {} ({})", p.id, p.name));
            }
            PartnerCommand::Edit { id, changes } => {
                // Applied inside the write transaction, to the partner as it is then.
                let p = partner::edit(store, PartnerId(id), |input| {
                    changes.apply(input);
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
