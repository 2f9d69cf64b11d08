//! The home screen's figures: contracted annual value by status, the renewal window's
//! edges, and consent health at month ends, each against numbers worked out by hand.

use consentry::dashboard::{self, RENEWAL_WINDOW_DAYS};
use consentry::deal::{self, DealInput, DealStatus};
use consentry::finance::{self, FeeInput};
use consentry::imports::{self, ImportOptions};
use consentry::partner::{self, PartnerInput};
use consentry::policy::{self, PolicyInput};
use consentry::Store;

use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("consentry.db")).unwrap();
    (dir, store)
}

fn northwind(store: &Store) -> consentry::partner::PartnerId {
    partner::create(
        store,
        PartnerInput {
            name: "Northwind".into(),
            kind: "ai-lab".into(),
            ..Default::default()
        },
    )
    .unwrap()
    .id
}

/// A deal of `partner` over `start..=end`, moved to `status`, with an annual fee when given.
fn deal_in(
    store: &Store,
    partner: consentry::partner::PartnerId,
    title: &str,
    (start, end): (&str, &str),
    fee: Option<(&str, &str, &str)>,
    status: DealStatus,
) -> consentry::deal::Deal {
    let d = deal::create(
        store,
        DealInput {
            partner_id: partner,
            title: title.into(),
            purposes: vec!["search".parse().unwrap()],
            start_date: start.into(),
            end_date: end.into(),
            territory: "WORLD".into(),
            ..Default::default()
        },
    )
    .unwrap();
    if let Some((currency, annual, escalator)) = fee {
        finance::set_fees(
            store,
            d.id,
            FeeInput {
                currency: currency.into(),
                annual_fee: annual.into(),
                escalator_pct: Some(escalator.into()),
                ..Default::default()
            },
        )
        .unwrap();
    }
    if status == DealStatus::Terminated {
        return deal::transition(store, d.id, status).unwrap();
    }
    if status != DealStatus::Draft {
        for to in [
            DealStatus::Negotiating,
            DealStatus::Signed,
            DealStatus::Active,
            DealStatus::Expired,
        ] {
            deal::transition(store, d.id, to).unwrap();
            if to == status {
                break;
            }
        }
    }
    deal::get(store, d.id).unwrap()
}

#[test]
fn contracted_value_is_the_current_contract_year_fee_summed_by_status_and_currency() {
    let (_dir, store) = store();
    let p = northwind(&store);
    // Year 0 from 2025-02-01, year 1 from 2026-02-01: on 2026-06-30 the fee is 60M x 1.03.
    deal_in(
        &store,
        p,
        "A",
        ("2025-02-01", "2028-01-31"),
        Some(("USD", "60000000.00", "3")),
        DealStatus::Active,
    );
    // Not started yet: its first year's fee.
    deal_in(
        &store,
        p,
        "B",
        ("2027-01-01", "2027-12-31"),
        Some(("USD", "1000000.00", "10")),
        DealStatus::Signed,
    );
    // Ended: its last year's full fee (year 1, escalated).
    deal_in(
        &store,
        p,
        "C",
        ("2023-01-01", "2024-12-31"),
        Some(("EUR", "500000.00", "10")),
        DealStatus::Expired,
    );
    deal_in(
        &store,
        p,
        "D",
        ("2026-01-01", "2026-12-31"),
        Some(("USD", "250000.00", "0")),
        DealStatus::Active,
    );
    // No fee schedule: not counted.
    deal_in(
        &store,
        p,
        "E",
        ("2026-01-01", "2026-12-31"),
        None,
        DealStatus::Active,
    );

    let d = dashboard::dashboard(&store, Some(day("2026-06-30"))).unwrap();
    let rows: Vec<(DealStatus, &str, u64, i64)> = d
        .contracted
        .iter()
        .map(|c| (c.status, c.currency.as_str(), c.deals, c.annual_minor))
        .collect();
    assert_eq!(
        rows,
        [
            (DealStatus::Signed, "USD", 1, 100_000_000),
            (DealStatus::Active, "USD", 2, 6_180_000_000 + 25_000_000),
            (DealStatus::Expired, "EUR", 1, 55_000_000),
        ]
    );
}

#[test]
fn renewals_are_due_from_90_days_before_the_end_until_the_last_day_unless_renewed() {
    let (_dir, store) = store();
    let p = northwind(&store);
    let today = day("2026-06-30");
    let end = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let edge = end(RENEWAL_WINDOW_DAYS);
    let past = end(RENEWAL_WINDOW_DAYS + 1);
    let today_s = end(0);
    let due_last = deal_in(
        &store,
        p,
        "ends in 90 days",
        ("2026-01-01", &edge),
        None,
        DealStatus::Active,
    );
    deal_in(
        &store,
        p,
        "ends in 91 days",
        ("2026-01-01", &past),
        None,
        DealStatus::Active,
    );
    let due_today = deal_in(
        &store,
        p,
        "ends today",
        ("2026-01-01", &today_s),
        None,
        DealStatus::Signed,
    );
    deal_in(
        &store,
        p,
        "still negotiating",
        ("2026-01-01", &edge),
        None,
        DealStatus::Negotiating,
    );
    let renewed = deal_in(
        &store,
        p,
        "renewed",
        ("2026-01-01", &edge),
        None,
        DealStatus::Active,
    );
    deal::renew(&store, renewed.id, Default::default()).unwrap();

    let d = dashboard::dashboard(&store, Some(today)).unwrap();
    let due: Vec<(_, i64)> = d
        .renewals_due
        .iter()
        .map(|r| (r.deal_id, r.days_left))
        .collect();
    assert_eq!(due, [(due_today.id, 0), (due_last.id, RENEWAL_WINDOW_DAYS)]);
    // The reminder's cheaper read says the same.
    let reminder = dashboard::due(&store, Some(today)).unwrap();
    assert_eq!(reminder.renewals_due, d.renewals_due);
    assert_eq!(reminder.notices, d.notices);
}

#[test]
fn consent_health_counts_who_was_eligible_at_each_month_end() {
    let (dir, store) = store();
    // No opt-in countries and no gate: users are included unless they denied.
    policy::set_policy(
        &store,
        &PolicyInput {
            opt_in: Some("none".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let registry = dir.path().join("users.csv");
    std::fs::write(
        &registry,
        "user_id,country,birth_date,status\n\
         u1,US,1980-01-01,active\n\
         u2,US,1980-01-01,active\n\
         u3,US,2010-05-01,active\n\
         u4,US,,active\n\
         u5,US,1980-01-01,deleted\n",
    )
    .unwrap();
    let ledger = dir.path().join("ledger.csv");
    // u1 denies search in February; u2 denies in April and allows again in May.
    std::fs::write(
        &ledger,
        "user_id,purpose,decision,effective_at,source\n\
         u1,search,deny,2026-02-10T00:00:00Z,settings\n\
         u2,search,deny,2026-04-10T00:00:00Z,settings\n\
         u2,search,allow,2026-05-10T00:00:00Z,settings\n",
    )
    .unwrap();
    let options = ImportOptions::default();
    imports::import_registry(&store, &registry, &options).unwrap();
    imports::import_ledger(&store, &ledger, &options).unwrap();

    let health = dashboard::consent_health(&store, 4, Some(day("2026-05-20"))).unwrap();
    let search: Vec<(NaiveDate, u64, u64)> = health
        .points
        .iter()
        .map(|p| (p.on, p.users, p.eligible["search"]))
        .collect();
    // u3 is a minor, u4's age is unknown, u5 is deleted: never eligible.
    assert_eq!(
        search,
        [
            (day("2026-01-31"), 5, 2),
            (day("2026-02-28"), 5, 1),
            (day("2026-03-31"), 5, 1),
            (day("2026-04-30"), 5, 0),
            (day("2026-05-20"), 5, 1),
        ]
    );
    // A purpose nobody decided on: u1 and u2 throughout.
    assert!(health.points.iter().all(|p| p.eligible["data-mining"] == 2));
}
