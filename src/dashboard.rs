//! The app's home screen: contracted value by deal status, renewals due, withdrawal
//! notices waiting, and the consent health history. The finance cards use the finance
//! reports themselves (`crate::finance`); nothing here repeats them.

pub use crate::model::dashboard::*;

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};

use crate::consent::{self, FoldInstant, Rules, Verdict};
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
/// imported after the day counts as registered then. One pass over the registry, its
/// changes and the ledger gives every point (`consent::fold_at_instants`): at 1,000,000
/// ledger events a pass per point made the thirteen points take 28 s.
pub fn consent_health(
    store: &Store,
    months: u32,
    today: Option<NaiveDate>,
) -> Result<ConsentHealth> {
    let today = today.unwrap_or_else(|| Utc::now().date_naive());
    let days = month_ends(today, months.min(36));
    let ends: Vec<_> = days
        .iter()
        .map(|on| on.and_hms_opt(23, 59, 59).expect("a valid time").and_utc())
        .collect();
    let instants: Vec<FoldInstant> = ends
        .iter()
        .map(|end| FoldInstant {
            as_of_us: micros(*end),
            // Instants are stored as RFC 3339 UTC with milliseconds, so text order is
            // time order.
            registry_at: end.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
        .collect();
    store.read_consistent(|conn| {
        let policy = store::consent::current_policy(conn)?;
        let rules: Vec<Vec<Rules>> = ends
            .iter()
            .map(|end| {
                Purpose::ALL
                    .into_iter()
                    .map(|p| Rules::new(&[p], *end, &policy))
                    .collect()
            })
            .collect();
        let mut users = vec![0u64; days.len()];
        let mut eligible = vec![[0u64; Purpose::ALL.len()]; days.len()];
        let last = instants.last().map_or(i64::MIN, |i| i.as_of_us);
        store::consent::with_registry_history(conn, last, |registry, changes, events| {
            consent::fold_at_instants(registry, changes, events, &instants, |k, user, latest| {
                users[k] += 1;
                for (count, rules) in eligible[k].iter_mut().zip(&rules[k]) {
                    if matches!(
                        rules.verdict(Some(user), latest),
                        Verdict::Included | Verdict::IncludedByDefault
                    ) {
                        *count += 1;
                    }
                }
            })
        })?;
        let points = days
            .into_iter()
            .zip(users)
            .zip(eligible)
            .map(|((on, users), eligible)| HealthPoint {
                on,
                users,
                eligible: Purpose::ALL
                    .iter()
                    .zip(eligible)
                    .map(|(p, n)| (p.token().to_string(), n))
                    .collect(),
            })
            .collect();
        Ok(ConsentHealth { points })
    })
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use chrono::{Days, Utc};

    use super::*;
    use crate::imports::{self, ImportOptions};

    /// The health chart as a pass per point computes it: the registry as it stood at
    /// each point read by SQL (`with_consent_cursors_at`), and `fold_as_of`.
    fn health_point_by_point(store: &Store, days: &[NaiveDate]) -> Vec<HealthPoint> {
        store
            .read(|conn| {
                let policy = store::consent::current_policy(conn)?;
                let mut points = Vec::new();
                for &on in days {
                    let end = on.and_hms_opt(23, 59, 59).unwrap().and_utc();
                    let registry_at = end.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                    let mut users = 0;
                    let mut eligible: BTreeMap<String, u64> = BTreeMap::new();
                    store::consent::with_consent_cursors_at(
                        conn,
                        micros(end),
                        &registry_at,
                        |registry, events| {
                            let mut digest = sha2::Sha256::default();
                            consent::fold_as_of(registry, events, &mut digest, |user, latest| {
                                users += 1;
                                for p in Purpose::ALL {
                                    let verdict =
                                        Rules::new(&[p], end, &policy).verdict(Some(user), latest);
                                    let n = eligible.entry(p.token().to_string()).or_default();
                                    if matches!(
                                        verdict,
                                        Verdict::Included | Verdict::IncludedByDefault
                                    ) {
                                        *n += 1;
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
                Ok(points)
            })
            .unwrap()
    }

    /// A generator of small numbers, the same on every run.
    struct Numbers(u64);

    impl Numbers {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn one_pass_gives_every_point_what_a_pass_per_point_gives() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("consentry.db")).unwrap();
        let mut n = Numbers(0x9e37_79b9_7f4a_7c15);
        let countries = ["US", "DE", "BR", "FR", "JP", "GB"];
        let statuses = ["active", "active", "active", "deleted", "suspended"];
        let births = ["1980-02-29", "2009-06-15", "2011-01-01", "1999-12-31", ""];
        let registry = |n: &mut Numbers| {
            let mut csv = String::from("user_id,country,birth_date,status\n");
            for u in 0..300 {
                let country = countries[n.below(6) as usize];
                let birth = births[n.below(5) as usize];
                let status = statuses[n.below(5) as usize];
                writeln!(csv, "u{u:03},{country},{birth},{status}").unwrap();
            }
            csv
        };
        let options = ImportOptions::default();
        let file = dir.path().join("users.csv");
        std::fs::write(&file, registry(&mut n)).unwrap();
        imports::import_registry(&store, &file, &options).unwrap();

        // Events over the last 400 days, some about users the registry does not know.
        let today = Utc::now().date_naive();
        let mut ledger = String::from("user_id,purpose,decision,effective_at,source\n");
        for _ in 0..2_000 {
            let user = n.below(330);
            let purpose = Purpose::ALL[n.below(Purpose::ALL.len() as u64) as usize].token();
            let decision = ["allow", "deny"][n.below(2) as usize];
            let on = today - Days::new(1 + n.below(400));
            writeln!(
                ledger,
                "u{user:03},{purpose},{decision},{on}T12:00:00Z,settings"
            )
            .unwrap();
        }
        let file = dir.path().join("ledger.csv");
        std::fs::write(&file, ledger).unwrap();
        imports::import_ledger(&store, &file, &options).unwrap();

        // Two later registry imports change users: the points before them read the
        // users as they were.
        for _ in 0..2 {
            let file = dir.path().join("users.csv");
            std::fs::write(&file, registry(&mut n)).unwrap();
            imports::import_registry(&store, &file, &options).unwrap();
        }
        let changes: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM user_changes", [], |r| r.get(0))?))
            .unwrap();
        assert!(changes > 100, "only {changes} registry changes");

        // Month ends from a year ago to 100 days ahead: points on both sides of the
        // registry's changes.
        let on = today + Days::new(100);
        let health = consent_health(&store, 15, Some(on)).unwrap();
        let days: Vec<NaiveDate> = health.points.iter().map(|p| p.on).collect();
        assert_eq!(days, month_ends(on, 15));
        assert_eq!(health.points, health_point_by_point(&store, &days));
        // Not a vacuous match: the points differ from each other.
        let first = &health.points[0].eligible;
        assert!(health.points.iter().any(|p| &p.eligible != first));
    }
}
