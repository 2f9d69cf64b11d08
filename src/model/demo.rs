//! The demo workspace as data: what `consentry demo seed` takes, the progress it
//! reports and what it made. Pure: seeding a store is `crate::demo`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Problems, Result};
use crate::model::deal::{DealId, DealStatus};
use crate::model::delivery::DeliveryId;
use crate::model::partner::PartnerId;
use crate::model::snapshot::SnapshotId;

/// Registry users when the request does not say.
pub const DEFAULT_USERS: u64 = 100_000;
/// Posts when the request does not say.
pub const DEFAULT_POSTS: u64 = 300_000;
/// The generator's seed when the request does not say.
pub const DEFAULT_SEED: u64 = 1;
/// The folder made beside the store when the request names none.
pub const DEFAULT_DIR_NAME: &str = "consentry-demo";
/// The fewest users or posts a demo is made with.
pub const MIN_SIZE: u64 = 100;
/// The most registry users a demo is made with.
pub const MAX_USERS: u64 = 5_000_000;
/// The most posts a demo is made with (about 5 GB of JSONL).
pub const MAX_POSTS: u64 = 20_000_000;

/// What `demo seed` takes. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoOptions {
    /// Registry users to generate, 100 to 5,000,000; default 100,000.
    #[serde(default)]
    pub users: Option<u64>,
    /// Posts to generate, 100 to 20,000,000; default 300,000.
    #[serde(default)]
    pub posts: Option<u64>,
    /// The folder for the generated files, new or empty; default
    /// `<the store's folder>/consentry-demo`.
    #[serde(default)]
    pub dir: Option<String>,
    /// The generator's seed; default 1. The same seed on the same day gives the same
    /// files.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// [`DemoOptions`] checked, with the defaults filled in (the folder is resolved by
/// `crate::demo`, which knows the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSizes {
    /// Registry users.
    pub users: u64,
    /// Posts.
    pub posts: u64,
    /// The generator's seed.
    pub seed: u64,
}

impl DemoOptions {
    /// Checks the sizes (every problem at once, naming its field) and fills in the
    /// defaults.
    pub fn sizes(&self) -> Result<DemoSizes> {
        let mut problems = Problems::default();
        let mut size = |field: &str, given: Option<u64>, default: u64, max: u64| match given {
            None => default,
            Some(n) if (MIN_SIZE..=max).contains(&n) => n,
            Some(n) => {
                problems.add(
                    field,
                    format!("{n} is out of range: give {MIN_SIZE} to {max}"),
                );
                default
            }
        };
        let users = size("users", self.users, DEFAULT_USERS, MAX_USERS);
        let posts = size("posts", self.posts, DEFAULT_POSTS, MAX_POSTS);
        if let Some(dir) = &self.dir {
            if dir.trim().is_empty() {
                problems.add("dir", "give a folder, or leave it out for the default");
            } else {
                problems.take(crate::model::text::single_line("dir", dir));
            }
        }
        problems.into_result()?;
        Ok(DemoSizes {
            users,
            posts,
            seed: self.seed.unwrap_or(DEFAULT_SEED),
        })
    }
}

/// The steps of a seed, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum DemoStep {
    /// Writing `registry.csv` (count: users).
    Registry,
    /// Writing `ledger.csv` (count: users considered).
    Ledger,
    /// Writing `posts.jsonl` (count: posts).
    Posts,
    /// Importing the registry and the ledger, and setting the policy's opt-out date.
    Consent,
    /// Partners, deals, fee schedules and lifecycle moves (count: deals).
    Deals,
    /// Building the snapshots (count: source bytes read, per snapshot).
    Snapshots,
    /// Signing and packaging the deliveries (count: deliveries).
    Deliveries,
    /// Invoices, payments and the FX-rate table (count: deals billed).
    Finance,
    /// The opt-outs and account deletions after the deliveries (count: users).
    Withdrawals,
}

impl DemoStep {
    /// Every step, in order.
    pub const ALL: [DemoStep; 9] = [
        DemoStep::Registry,
        DemoStep::Ledger,
        DemoStep::Posts,
        DemoStep::Consent,
        DemoStep::Deals,
        DemoStep::Snapshots,
        DemoStep::Deliveries,
        DemoStep::Finance,
        DemoStep::Withdrawals,
    ];

    /// The step's 1-based number, of [`DemoStep::ALL`]`.len()`.
    pub fn number(self) -> u32 {
        DemoStep::ALL
            .iter()
            .position(|s| *s == self)
            .expect("every step is listed") as u32
            + 1
    }
}

/// How far a seed has come: the step, and the count within it. Reported when a step
/// starts, a few dozen times during a long one, and when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoProgress {
    /// The step running.
    pub step: DemoStep,
    /// Its 1-based number.
    pub step_number: u32,
    /// How many steps there are.
    pub steps: u32,
    /// What it does, for a person to read.
    pub label: String,
    /// Done so far in this step (users, posts, bytes, deals: the label says).
    pub done: u64,
    /// The step's total in the same unit; 0 when unknown.
    pub total: u64,
}

/// Which of the demo's deal shapes a deal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum DemoShape {
    /// A flat-fee generative-training and search licence billed quarterly (about $60M a
    /// year), with a delivery.
    TrainingAndSearch,
    /// Usage-priced API access: a monthly platform fee plus a fee per 1,000 delivered
    /// records, with deliveries.
    ApiAccess,
    /// A research-only deal still in negotiation.
    Research,
    /// A deal whose term ended a few months ago.
    Expired,
    /// The renewal of the expired deal, active.
    Renewal,
}

/// One deal the demo made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoDeal {
    /// The deal.
    pub deal_id: DealId,
    /// Its shape.
    pub shape: DemoShape,
    /// Its title.
    pub title: String,
    /// Its partner.
    pub partner_name: String,
    /// Its status at the end of the seed.
    pub status: DealStatus,
    /// Its sealed snapshots, in build order.
    pub snapshots: Vec<SnapshotId>,
    /// Its deliveries, in sequence order.
    pub deliveries: Vec<DeliveryId>,
    /// Invoices issued for it.
    pub invoices: u64,
    /// Users whose delivered records wait for a withdrawal notice.
    pub pending_withdrawals: u64,
}

/// One file the demo wrote in its folder (snapshot and package folders aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoFile {
    /// Its name in the folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Data lines (the header excluded).
    pub rows: u64,
}

/// What `demo seed` made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoReport {
    /// The folder of the generated files, absolute.
    pub dir: String,
    /// The seed used.
    pub seed: u64,
    /// The day the demo is relative to (UTC): terms, consent dates and invoices are
    /// placed around it.
    pub today: String,
    /// Registry users generated.
    pub users: u64,
    /// Consent events imported, after the deliveries' opt-outs included.
    pub events: u64,
    /// Posts generated (duplicate and malformed lines included).
    pub posts: u64,
    /// The generated files.
    pub files: Vec<DemoFile>,
    /// The partners made.
    pub partners: Vec<PartnerId>,
    /// The deals made, one per shape.
    pub deals: Vec<DemoDeal>,
    /// Invoices issued, over every deal.
    pub invoices: u64,
    /// Payments recorded.
    pub payments: u64,
    /// Invoices overdue today.
    pub overdue: u64,
    /// Wall-clock time of the seed, in milliseconds.
    pub duration_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn defaults_fill_in_and_bad_sizes_name_their_field() {
        let sizes = DemoOptions::default().sizes().unwrap();
        assert_eq!(
            (sizes.users, sizes.posts, sizes.seed),
            (DEFAULT_USERS, DEFAULT_POSTS, DEFAULT_SEED)
        );
        let bad = DemoOptions {
            users: Some(5),
            posts: Some(MAX_POSTS + 1),
            dir: Some("  ".into()),
            seed: None,
        };
        let Err(Error::Invalid(errors)) = bad.sizes() else {
            panic!("expected invalid")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["users", "posts", "dir"]);
    }

    #[test]
    fn steps_are_numbered_from_one() {
        assert_eq!(DemoStep::Registry.number(), 1);
        assert_eq!(DemoStep::Withdrawals.number(), DemoStep::ALL.len() as u32);
    }
}
