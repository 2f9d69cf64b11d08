//! The consent overview, as of now: users by status and regime, each purpose's latest
//! decisions, recent imports, and what the policy's opt-out gate holds back.

pub use crate::model::overview::*;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::model::consent::Policy;
use crate::model::imports::micros;
use crate::purpose::Purpose;
use crate::store::{self, Store};

/// Counts for the consent overview, as of now.
pub fn overview(store: &Store) -> Result<ConsentOverview> {
    let now = Utc::now();
    store.read(|conn| {
        let mut overview = store::consent::overview(conn, micros(now))?;
        overview.gate = gate_overview(conn, &overview.policy, now)?;
        Ok(overview)
    })
}

fn gate_overview(
    conn: &rusqlite::Connection,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Option<GateOverview>> {
    use crate::consent::{Rules, Verdict};
    let Some(from) = policy.opt_out_available_from else {
        return Ok(None);
    };
    let rules: Vec<(Purpose, Rules)> = Purpose::ALL
        .into_iter()
        .map(|p| (p, Rules::new(&[p], now, policy)))
        .collect();
    let mut held: std::collections::BTreeMap<String, u64> = Purpose::ALL
        .iter()
        .map(|p| (p.token().to_string(), 0))
        .collect();
    store::consent::fold_consent(conn, micros(now), &mut Sha256::new(), |user, latest| {
        for (p, rules) in &rules {
            if matches!(
                rules.verdict(Some(&user), latest),
                Verdict::HeldBack | Verdict::IncludedByDefault
            ) {
                *held.entry(p.token().to_string()).or_default() += 1;
            }
        }
    })?;
    Ok(Some(GateOverview {
        opt_out_available_from: from,
        notice_days: policy.notice_days,
        default_applies_from: policy.default_applies_from(),
        users_held_back: held,
        records_held_back: store::snapshots::held_back_total(conn)?,
    }))
}
