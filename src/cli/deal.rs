//! `consentry deal ...`: the flags of each deal command, turned into the core's
//! `DealInput`, `RenewInput` and `DealFilter` by conversion rather than by hand, and the
//! deal's text rendering. Purposes and statuses are parsed here so that a bad one is
//! refused naming its flag (exit 1), like every other field, not by clap (exit 2).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::deal::{self, Deal, DealFilter, DealId, DealInput, DealStatus, RenewInput};
use consentry::partner::PartnerId;
use consentry::purpose::Purpose;
use consentry::{Error, Result, Store};

use super::output::{lines, table, Output};
use super::set_if_given;

#[derive(Subcommand)]
pub(super) enum DealCommand {
    /// Add a deal as a draft; prints its id.
    Add(DealAddArgs),
    /// Change a draft or negotiating deal's terms; fields not given keep their value.
    Edit {
        id: i64,
        #[command(flatten)]
        changes: DealEditArgs,
    },
    /// List deals, newest first.
    List(DealListArgs),
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
        #[command(flatten)]
        term: RenewArgs,
    },
}

#[derive(Args)]
pub(super) struct DealAddArgs {
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
    /// How many days the partner has to act on a withdrawal notice (default 30).
    #[arg(long, value_name = "N")]
    withdrawal_days: Option<i64>,
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
}

impl TryFrom<DealAddArgs> for DealInput {
    type Error = Error;

    fn try_from(a: DealAddArgs) -> Result<Self> {
        Ok(DealInput {
            partner_id: PartnerId(a.partner),
            title: a.title,
            purposes: parse_purposes(&a.purposes)?,
            start_date: a.start,
            end_date: a.end,
            territory: a.territory,
            exclusive: a.exclusive,
            retention_days: a.retention_days,
            withdrawal_days: a.withdrawal_days,
            attribution_required: a.attribution,
            sublicensing_allowed: a.sublicensing,
            notes: a.notes,
        })
    }
}

/// The terms `deal edit` can change; each one not given keeps its value.
#[derive(Args)]
pub(super) struct DealEditArgs {
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
    /// How many days the partner has to act on a withdrawal notice.
    #[arg(long, value_name = "N")]
    withdrawal_days: Option<i64>,
    #[arg(long)]
    notes: Option<String>,
    #[arg(long, value_name = "BOOL")]
    exclusive: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    attribution: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    sublicensing: Option<bool>,
}

impl DealEditArgs {
    /// Overwrites the fields of `input` that were given on the command line.
    fn apply(self, input: &mut DealInput) -> Result<()> {
        set_if_given(&mut input.partner_id, self.partner.map(PartnerId));
        set_if_given(&mut input.title, self.title);
        if let Some(purposes) = self.purposes {
            input.purposes = parse_purposes(&purposes)?;
        }
        set_if_given(&mut input.start_date, self.start);
        set_if_given(&mut input.end_date, self.end);
        set_if_given(&mut input.territory, self.territory);
        set_if_given(&mut input.retention_days, self.retention_days);
        if self.withdrawal_days.is_some() {
            input.withdrawal_days = self.withdrawal_days;
        }
        set_if_given(&mut input.notes, self.notes);
        set_if_given(&mut input.exclusive, self.exclusive);
        set_if_given(&mut input.attribution_required, self.attribution);
        set_if_given(&mut input.sublicensing_allowed, self.sublicensing);
        Ok(())
    }
}

#[derive(Args)]
pub(super) struct DealListArgs {
    #[arg(long)]
    status: Option<String>,
    #[arg(long, value_name = "ID")]
    partner: Option<i64>,
}

impl TryFrom<DealListArgs> for DealFilter {
    type Error = Error;

    fn try_from(a: DealListArgs) -> Result<Self> {
        Ok(DealFilter {
            status: a.status.map(|s| parse_status("status", &s)).transpose()?,
            partner_id: a.partner.map(PartnerId),
        })
    }
}

#[derive(Args)]
pub(super) struct RenewArgs {
    /// Default: the day after the renewed deal ends.
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Default: a term as long as the renewed deal's.
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
}

impl From<RenewArgs> for RenewInput {
    fn from(a: RenewArgs) -> Self {
        RenewInput {
            start_date: a.start,
            end_date: a.end,
        }
    }
}

impl DealCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            DealCommand::Add(_)
            | DealCommand::Edit { .. }
            | DealCommand::Transition { .. }
            | DealCommand::Renew { .. } => true,
            DealCommand::List(_) | DealCommand::Show { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            DealCommand::Add(args) => {
                let d = deal::create(store, args.try_into()?)?;
                out.created(
                    d.id.0,
                    &format!("Added deal {} ({}) as a draft", d.id, d.title),
                );
            }
            DealCommand::Edit { id, changes } => {
                // Applied inside the write transaction, to the terms as they are then.
                let d = deal::edit(store, DealId(id), |input| changes.apply(input))?;
                out.value(&d, || deal_lines(&d));
            }
            DealCommand::List(args) => {
                let deals = deal::list(store, &args.try_into()?)?;
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
            DealCommand::Renew { id, term } => {
                let d = deal::renew(store, DealId(id), term.into())?;
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
}

fn parse_purposes(text: &str) -> Result<Vec<Purpose>> {
    Purpose::parse_list(text).map_err(|e| Error::Invalid(vec![e]))
}

/// A status named by `flag` (`status` for `--status`, `to` for `--to`).
fn parse_status(flag: &str, text: &str) -> Result<DealStatus> {
    text.parse::<DealStatus>().map_err(|mut e| {
        e.field = flag.to_string();
        Error::Invalid(vec![e])
    })
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
        (
            "withdrawal notices",
            format!("due {} days after issue", d.withdrawal_days),
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
