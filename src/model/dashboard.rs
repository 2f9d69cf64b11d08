//! What the app's home screen shows, as data, and the pure rules behind it: a deal's
//! contracted annual value, which deals are due for renewal, and what the notices need.
//! Computing it over the store is `crate::dashboard`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::deal::{Deal, DealId, DealStatus};
use crate::model::delivery::NoticeId;
use crate::model::fees::FeeSchedule;

/// How far ahead a renewal counts as due.
pub const RENEWAL_WINDOW_DAYS: i64 = 90;

/// The home screen's figures that are not finance reports (those come from
/// `finance revenue|deferred|aging`) or the consent history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Dashboard {
    /// The day the figures are for.
    pub today: NaiveDate,
    /// Per deal status and currency: the deals with a fee schedule and their annual value.
    pub contracted: Vec<ContractedValue>,
    /// Signed or active deals ending within [`RENEWAL_WINDOW_DAYS`] days and not yet
    /// renewed, soonest first.
    pub renewals_due: Vec<RenewalDue>,
    /// Withdrawal notices not yet acknowledged.
    pub notices: Vec<OpenNotice>,
    /// Per deal with a delivery: users no notice listed yet who are no longer eligible.
    pub pending_withdrawals: Vec<PendingWithdrawals>,
}

/// What the daily desktop reminder tells of: the dashboard's renewals due and open
/// notices, read without its other figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Due {
    /// As [`Dashboard::renewals_due`].
    pub renewals_due: Vec<RenewalDue>,
    /// As [`Dashboard::notices`].
    pub notices: Vec<OpenNotice>,
}

/// Deals of one status in one currency and what they are contracted for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContractedValue {
    /// The deals' status.
    pub status: DealStatus,
    /// ISO 4217.
    pub currency: String,
    /// How many deals.
    pub deals: u64,
    /// The sum of their annual values, minor units (see [`annual_value`]).
    pub annual_minor: i64,
}

/// A deal due for renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RenewalDue {
    /// The deal.
    pub deal_id: DealId,
    /// Its title.
    pub title: String,
    /// Its partner.
    pub partner_name: String,
    /// Its status: signed or active.
    pub status: DealStatus,
    /// The last day of its term.
    pub end_date: NaiveDate,
    /// Days from today to the end date (0: it ends today).
    pub days_left: i64,
}

/// A withdrawal notice waiting for the partner's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenNotice {
    /// The notice.
    pub notice_id: NoticeId,
    /// Its deal.
    pub deal_id: DealId,
    /// Its number within the deal.
    pub sequence: u64,
    /// When the acknowledgement is due.
    pub due_date: String,
    /// `pending` or `overdue`.
    pub status: String,
}

/// A deal whose delivered records have authors who are no longer eligible and whom no
/// notice listed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingWithdrawals {
    /// The deal.
    pub deal_id: DealId,
    /// Users the next notice would list.
    pub users: u64,
    /// Their delivered records.
    pub records: u64,
}

/// The share of registry users eligible for each purpose at month ends: the consent
/// health chart's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConsentHealth {
    /// One point per month end, oldest first; the last is today.
    pub points: Vec<HealthPoint>,
}

/// Eligibility on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HealthPoint {
    /// The day (a month's last day, or today).
    pub on: NaiveDate,
    /// Users in the registry.
    pub users: u64,
    /// Per purpose: users whose posts a snapshot for that purpose alone would include on
    /// that day (explicit allow, or the opt-out regime's default after the gate).
    pub eligible: BTreeMap<String, u64>,
}

/// A deal's annual value on `today`: the full (escalated) fee of the contract year
/// containing it; before the term, the first year's; after it, the last year's.
pub fn annual_value(schedule: &FeeSchedule, today: NaiveDate) -> i64 {
    let years = schedule.years();
    let year = years
        .iter()
        .find(|y| y.year.first <= today && today <= y.year.last)
        .or_else(|| {
            if years.first().is_some_and(|y| today < y.year.first) {
                years.first()
            } else {
                years.last()
            }
        });
    year.map_or(0, |y| y.full_fee.minor)
}

/// Whether `deal` is due for renewal on `today`, and in how many days it ends.
pub fn renewal_due(deal: &Deal, today: NaiveDate) -> Option<i64> {
    if !matches!(deal.status, DealStatus::Signed | DealStatus::Active) || deal.renewed_by.is_some()
    {
        return None;
    }
    let days_left = (deal.end_date - today).num_days();
    (0..=RENEWAL_WINDOW_DAYS)
        .contains(&days_left)
        .then_some(days_left)
}

/// The month ends of the `months` months before `today`'s month, then `today`, oldest
/// first: 2026-06-15 with 3 gives 2026-03-31, 2026-04-30, 2026-05-31, 2026-06-15.
pub fn month_ends(today: NaiveDate, months: u32) -> Vec<NaiveDate> {
    use chrono::{Datelike, Months};
    let first_of_month = today.with_day(1).expect("day 1 exists");
    let mut days: Vec<NaiveDate> = (1..=months)
        .rev()
        .filter_map(|k| first_of_month.checked_sub_months(Months::new(k - 1)))
        .filter_map(|first| first.pred_opt())
        .collect();
    days.push(today);
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_ends_step_back_from_today() {
        assert_eq!(
            month_ends(day("2026-06-15"), 3),
            [
                day("2026-03-31"),
                day("2026-04-30"),
                day("2026-05-31"),
                day("2026-06-15")
            ]
        );
        assert_eq!(
            month_ends(day("2024-03-01"), 2),
            [day("2024-01-31"), day("2024-02-29"), day("2024-03-01")]
        );
        assert_eq!(month_ends(day("2026-01-10"), 0), [day("2026-01-10")]);
    }
}
