//! The app's home screen: contracted value by deal status, renewals due, withdrawal
//! notices waiting, and the consent health history. The finance cards use the finance
//! reports themselves (`crate::finance`); nothing here repeats them.

pub use crate::model::dashboard::*;

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::consent::{self, Rules, Verdict};
use crate::deal::{Deal, DealStatus};
use crate::error::Result;
use crate::model::finance::schedule_of;
use crate::model::imports::micros;
use crate::purpose::Purpose;
use crate::store::{self, Store};
use crate::withdrawal;

/// The dashboard's figures on `today` (default: today, UTC).
pub fn dashboard(store: &Store, today: Option<NaiveDate>) -> Result<Dashboard> {
    let today = today.unwrap_or_else(|| Utc::now().date_naive());
    let (deals, fees) = store.read_consistent(|conn| {
        Ok((
            store::deals::list(conn, &Default::default())?,
            store::finance::all_fees(conn)?,
        ))
    })?;
    let fees: BTreeMap<_, _> = fees.into_iter().map(|f| (f.deal_id, f)).collect();

    // Keyed by the status's place in the lifecycle, so that the rows come in its order.
    let order = |s: DealStatus| DealStatus::ALL.iter().position(|t| *t == s);
    let mut contracted: BTreeMap<(Option<usize>, String), (DealStatus, u64, i64)> = BTreeMap::new();
    for deal in &deals {
        if let Some(terms) = fees.get(&deal.id) {
            let schedule = schedule_of(deal, &terms.fields()?)?;
            let sum = contracted
                .entry((order(deal.status), terms.currency.clone()))
                .or_insert((deal.status, 0, 0));
            sum.1 += 1;
            sum.2 += annual_value(&schedule, today);
        }
    }
    let renewals_due = renewals(&deals, today);
    let notices = open_notices(store)?;

    let delivered: Vec<_> = store.read(store::deliveries::delivered_deals)?;
    let mut pending_withdrawals = Vec::new();
    for deal in delivered {
        let users = withdrawal::pending(store, deal, None)?;
        if !users.is_empty() {
            pending_withdrawals.push(PendingWithdrawals {
                deal_id: deal,
                users: users.len() as u64,
                records: users.iter().map(|u| u.records).sum(),
            });
        }
    }

    Ok(Dashboard {
        today,
        contracted: contracted
            .into_iter()
            .map(
                |((_, currency), (status, deals, annual_minor))| ContractedValue {
                    status,
                    currency,
                    deals,
                    annual_minor,
                },
            )
            .collect(),
        renewals_due,
        notices,
        pending_withdrawals,
    })
}

/// What the daily reminder needs: the renewals due and the open notices, without the
/// dashboard's costlier figures (contracted value, and the consent fold per delivered
/// deal behind the pending withdrawals).
pub fn due(store: &Store, today: Option<NaiveDate>) -> Result<Due> {
    let today = today.unwrap_or_else(|| Utc::now().date_naive());
    let deals = store.read(|conn| store::deals::list(conn, &Default::default()))?;
    Ok(Due {
        renewals_due: renewals(&deals, today),
        notices: open_notices(store)?,
    })
}

/// The deals due for renewal on `today`, soonest first.
fn renewals(deals: &[Deal], today: NaiveDate) -> Vec<RenewalDue> {
    let mut due: Vec<RenewalDue> = deals
        .iter()
        .filter_map(|deal| {
            renewal_due(deal, today).map(|days_left| RenewalDue {
                deal_id: deal.id,
                title: deal.title.clone(),
                partner_name: deal.partner_name.clone(),
                status: deal.status,
                end_date: deal.end_date,
                days_left,
            })
        })
        .collect();
    due.sort_by_key(|r| (r.days_left, r.deal_id));
    due
}

/// The withdrawal notices not yet acknowledged.
fn open_notices(store: &Store) -> Result<Vec<OpenNotice>> {
    Ok(withdrawal::list(store, None, None)?
        .into_iter()
        .filter(|n| n.status != "acknowledged")
        .map(|n| OpenNotice {
            notice_id: n.record.notice_id,
            deal_id: n.record.deal_id,
            sequence: n.record.sequence,
            due_date: n.record.due_date.clone(),
            status: n.status,
        })
        .collect())
}

/// Per purpose, how many registry users were eligible at the end of each of the last
/// `months` months and today, under the policy in force now (PRODUCT.md §2: each
/// point is what a snapshot for that purpose alone, cut off that day, would include).
///
/// Decision: the registry is read as it stands, with the status, country and birth date
/// each user had on the day (imports keep every change's before-image); a user first
/// imported after the day counts as registered then. One pass over the registry and
/// the ledger per point.
pub fn consent_health(
    store: &Store,
    months: u32,
    today: Option<NaiveDate>,
) -> Result<ConsentHealth> {
    let today = today.unwrap_or_else(|| Utc::now().date_naive());
    let days = month_ends(today, months.min(36));
    store.read_consistent(|conn| {
        let policy = store::consent::current_policy(conn)?;
        let mut points = Vec::with_capacity(days.len());
        for on in days {
            let end = on.and_hms_opt(23, 59, 59).expect("a valid time").and_utc();
            let rules: Vec<(Purpose, Rules)> = Purpose::ALL
                .into_iter()
                .map(|p| (p, Rules::new(&[p], end, &policy)))
                .collect();
            let mut eligible: BTreeMap<String, u64> = Purpose::ALL
                .iter()
                .map(|p| (p.token().to_string(), 0))
                .collect();
            let mut users = 0u64;
            // Instants are stored as RFC 3339 UTC with milliseconds, so text order is time order.
            let registry_at = end.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            store::consent::with_consent_cursors_at(
                conn,
                micros(end),
                &registry_at,
                |registry, events| {
                    consent::fold_as_of(registry, events, &mut Sha256::new(), |user, latest| {
                        users += 1;
                        for (p, rules) in &rules {
                            if matches!(
                                rules.verdict(Some(user), latest),
                                Verdict::Included | Verdict::IncludedByDefault
                            ) {
                                *eligible.entry(p.token().to_string()).or_default() += 1;
                            }
                        }
                    })
                },
            )?;
            points.push(HealthPoint {
                on,
                users,
                eligible,
            });
        }
        Ok(ConsentHealth { points })
    })
}
