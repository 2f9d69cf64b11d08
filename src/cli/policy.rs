//! `consentry policy ...`: show the consent policy, or store a new version of it from
//! the flags given (`PolicyInput` keeps what they do not name), and say in words what
//! its opt-out gate means.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::consent::Policy;
use consentry::policy::{self, PolicyInput};
use consentry::{Result, Store};

use super::output::{lines, Output};

#[derive(Subcommand)]
pub(super) enum PolicyCommand {
    /// Show the current policy.
    Show,
    /// Store a new policy version; what is not given keeps its current value.
    Set(PolicySetArgs),
}

#[derive(Args)]
pub(super) struct PolicySetArgs {
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
}

impl From<PolicySetArgs> for PolicyInput {
    fn from(a: PolicySetArgs) -> Self {
        PolicyInput {
            opt_in: a.opt_in,
            opt_out_available_from: a.opt_out_available_from,
            notice_days: a.notice_days,
        }
    }
}

impl PolicyCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            PolicyCommand::Show => false,
            PolicyCommand::Set(_) => true,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        let policy = match self {
            PolicyCommand::Show => policy::policy(store)?,
            PolicyCommand::Set(args) => policy::set_policy(store, &args.into())?,
        };
        out.value(&policy, || policy_lines(&policy));
        Ok(ExitCode::SUCCESS)
    }
}

fn policy_lines(policy: &Policy) -> String {
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
}
