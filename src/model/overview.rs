//! What the consent overview screen shows, as data. Computing it is `crate::overview`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::consent::Policy;
use crate::model::imports::ImportSummary;

/// What the consent overview screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConsentOverview {
    /// The consent policy in force: its latest version.
    pub policy: Policy,
    /// Users in the registry, whatever their status.
    pub users: u64,
    /// active, deleted, suspended
    pub by_status: BTreeMap<String, u64>,
    /// Registry users in opt-in countries (consent needed) and elsewhere.
    pub opt_in_regime: u64,
    /// Registry users in every other country: included by default unless they opt out.
    pub opt_out_regime: u64,
    /// Ledger events stored, whatever their effective time.
    pub events: u64,
    /// Per purpose: users whose latest decision, as of now, is deny / allow.
    pub denied: BTreeMap<String, u64>,
    /// Per purpose: users whose latest decision, as of now, is allow; every purpose is
    /// listed, with 0 if none.
    pub allowed: BTreeMap<String, u64>,
    /// The ten most recent imports, newest first.
    pub imports: Vec<ImportSummary>,
    /// The current policy's opt-out gate and what it holds back, when it has one.
    pub gate: Option<GateOverview>,
}

/// "No default consent before users could say no", as the consent screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GateOverview {
    /// The day the opt-out setting reached users (UTC).
    pub opt_out_available_from: NaiveDate,
    /// Days of notice after that day before the regime default includes anyone.
    pub notice_days: u32,
    /// The first day the regime default includes anyone; `None`: never.
    pub default_applies_from: Option<NaiveDate>,
    /// Per purpose: registry users whom, as of now, only the regime default would
    /// include. While the notice period runs they are held back entirely; after it,
    /// their records created before the opt-out date are.
    pub users_held_back: BTreeMap<String, u64>,
    /// Records held back by the gate, summed over the sealed snapshots.
    pub records_held_back: u64,
}
