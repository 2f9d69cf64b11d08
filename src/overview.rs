//! The consent overview, as of now: users by status and regime, each purpose's latest
//! decisions, recent imports, and what the policy's opt-out gate holds back.

pub use crate::model::overview::*;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::consent::{self, Decision};
use crate::error::Result;
use crate::model::consent::Policy;
use crate::model::imports::micros;
use crate::purpose::Purpose;
use crate::store::{self, Store};

/// Counts for the consent overview, as of now.
pub fn overview(store: &Store) -> Result<ConsentOverview> {
    let now = Utc::now();
    store.read(|conn| {
        let mut overview = store::consent::overview(conn)?;
        (overview.denied, overview.allowed) = latest_decisions(conn, micros(now))?;
        overview.gate = gate_overview(conn, &overview.policy, now)?;
        Ok(overview)
    })
}

type PerPurpose = std::collections::BTreeMap<String, u64>;

/// Per purpose: how many users' latest decision as of `now_us` is deny, and allow.
fn latest_decisions(conn: &rusqlite::Connection, now_us: i64) -> Result<(PerPurpose, PerPurpose)> {
    let zero = || -> PerPurpose {
        Purpose::ALL
            .iter()
            .map(|p| (p.token().to_string(), 0))
            .collect()
    };
    let (mut denied, mut allowed) = (zero(), zero());
    store::consent::with_event_cursor(conn, now_us, |events| {
        consent::latest_per_user(events, |_, latest| {
            for p in Purpose::ALL {
                let counts = match latest.decision(p) {
                    Some(Decision::Deny) => &mut denied,
                    Some(Decision::Allow) => &mut allowed,
                    None => continue,
                };
                *counts.entry(p.token().to_string()).or_default() += 1;
            }
        })
    })?;
    Ok((denied, allowed))
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
    store::consent::with_consent_cursors(conn, micros(now), |registry, events| {
        consent::fold_as_of(registry, events, &mut Sha256::new(), |user, latest| {
            for (p, rules) in &rules {
                if matches!(
                    rules.verdict(Some(user), latest),
                    Verdict::HeldBack | Verdict::IncludedByDefault
                ) {
                    *held.entry(p.token().to_string()).or_default() += 1;
                }
            }
        })
    })?;
    Ok(Some(GateOverview {
        opt_out_available_from: from,
        notice_days: policy.notice_days,
        default_applies_from: policy.default_applies_from(),
        users_held_back: held,
        records_held_back: store::snapshots::held_back_total(conn)?,
    }))
}
