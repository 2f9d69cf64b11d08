//! Finance through the CLI on a real store: the issue's $60M deal to the minor unit,
//! refusals that write nothing, idempotent generation, numbering, payments, voids,
//! credit notes, an early termination and a renewal.

use serde_json::Value;

use crate::common::Workspace;

/// A draft deal from 2024-02-01 to 2027-01-31 with the issue's fee schedule.
fn sixty_million(ws: &Workspace) -> String {
    let partner = ws.partner("Search Co");
    let deal = ws
        .draft_deal(partner, "genai-training,search", "2024-02-01", "2027-01-31")
        .to_string();
    ws.ok(&[
        "fee",
        "set",
        "--deal",
        &deal,
        "--currency",
        "USD",
        "--annual-fee",
        "60000000.00",
        "--escalator-pct",
        "3",
        "--billing",
        "quarterly",
        "--terms-days",
        "30",
        "--recognition",
        "ratable",
    ]);
    deal
}

fn sign(ws: &Workspace, deal: &str) {
    for to in ["negotiating", "signed"] {
        ws.ok(&["deal", "transition", deal, "--to", to]);
    }
}

fn amounts(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount_minor"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_sixty_million_deal_is_billed_to_the_minor_unit() {
    let ws = Workspace::new();
    let deal = sixty_million(&ws);
    sign(&ws, &deal);
    let made = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2027-01-31",
    ]);
    let mut expected = vec![1_500_000_000; 4];
    expected.extend([1_545_000_000; 4]);
    expected.extend([1_591_350_000; 4]);
    assert_eq!(amounts(&made), expected);
    let numbers: Vec<&str> = made
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers[..5],
        [
            "INV-2024-0001",
            "INV-2024-0002",
            "INV-2024-0003",
            "INV-2024-0004",
            "INV-2025-0001"
        ]
    );
    let first = &made[0];
    for key in [
        "id",
        "number",
        "deal_id",
        "period_start",
        "period_end",
        "issue_date",
        "due_date",
        "currency",
        "amount_minor",
        "paid_minor",
        "status",
    ] {
        assert!(!first[key].is_null(), "invoice list --json lacks {key}");
    }
    assert_eq!(first["period_start"], "2024-02-01");
    assert_eq!(first["period_end"], "2024-04-30");
    assert_eq!(first["due_date"], "2024-03-02");
    // Run twice, it creates nothing new.
    let again = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2027-01-31",
    ]);
    assert_eq!(again, serde_json::json!([]));
    assert_eq!(
        ws.ok(&["invoice", "list", "--deal", &deal])
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

#[test]
fn generation_goes_no_further_than_the_day_given() {
    let ws = Workspace::new();
    let deal = sixty_million(&ws);
    sign(&ws, &deal);
    let made = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-07-31",
    ]);
    assert_eq!(amounts(&made), [1_500_000_000; 2]);
    let more = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-08-01",
    ]);
    assert_eq!(more[0]["number"], "INV-2024-0003");
}

#[test]
fn bad_fees_and_payments_are_refused_and_write_nothing() {
    let ws = Workspace::new();
    let partner = ws.partner("Lab");
    let deal = ws
        .draft_deal(partner, "genai-training", "2024-01-01", "2024-12-31")
        .to_string();
    let set = |extra: &[&str]| {
        let mut args = vec!["fee", "set", "--deal", deal.as_str()];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    for (args, field, needle) in [
        (
            set(&["--currency", "USD", "--annual-fee", "-1.00"]),
            "annual_fee",
            "negative",
        ),
        (
            set(&["--currency", "USD", "--annual-fee", "ten"]),
            "annual_fee",
            "ten",
        ),
        (
            set(&["--currency", "XYZ", "--annual-fee", "1"]),
            "currency",
            "ISO 4217",
        ),
        (
            set(&["--currency", "USD", "--annual-fee", "1.005"]),
            "annual_fee",
            "2 decimals",
        ),
        (
            set(&["--currency", "JPY", "--annual-fee", "100.5"]),
            "annual_fee",
            "0 decimals",
        ),
        (
            set(&[
                "--currency",
                "USD",
                "--annual-fee",
                "1",
                "--escalator-pct",
                "100.01",
            ]),
            "escalator_pct",
            "over 100%",
        ),
        (
            set(&[
                "--currency",
                "USD",
                "--annual-fee",
                "1",
                "--billing",
                "weekly",
            ]),
            "billing",
            "weekly",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ws.refused(&args, Some(field), needle);
    }
    ws.ok(&[
        "fee",
        "set",
        "--deal",
        &deal,
        "--currency",
        "BHD",
        "--annual-fee",
        "1000.500",
    ]);
    sign(&ws, &deal);
    ws.refused(
        &[
            "fee",
            "set",
            "--deal",
            &deal,
            "--currency",
            "BHD",
            "--annual-fee",
            "2000",
        ],
        None,
        "frozen from signed on",
    );
    let made = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-12-31",
    ]);
    assert_eq!(amounts(&made), [1_000_500], "BHD has 3 decimals");
    let id = made[0]["id"].to_string();
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &id,
        "--amount",
        "400.000",
        "--date",
        "2024-02-01",
    ]);
    ws.refused(
        &[
            "payment",
            "add",
            "--invoice",
            &id,
            "--amount",
            "600.501",
            "--date",
            "2024-02-02",
        ],
        Some("amount"),
        "open balance of INV-2024-0001: 600.500 BHD",
    );
    ws.refused(
        &[
            "payment",
            "add",
            "--invoice",
            &id,
            "--amount",
            "0",
            "--date",
            "2024-02-02",
        ],
        Some("amount"),
        "not a positive amount",
    );
    ws.refused(
        &[
            "payment",
            "add",
            "--invoice",
            &id,
            "--amount",
            "1",
            "--date",
            "2023-12-31",
        ],
        Some("date"),
        "before INV-2024-0001 was issued",
    );
    ws.refused(
        &["invoice", "void", &id, "--reason", "x"],
        None,
        "has payments: correct it with a credit note instead",
    );
    // The CLI says how; the message itself names no command (the app shows it too).
    ws.refused(
        &["invoice", "void", &id, "--reason", "x"],
        None,
        &format!("hint: consentry invoice credit {id} --amount A --reason R"),
    );
}

#[test]
fn payments_voids_and_credit_notes_drive_the_status() {
    let ws = Workspace::new();
    let deal = sixty_million(&ws);
    sign(&ws, &deal);
    let made = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-05-01",
    ]);
    let (first, second) = (made[0]["id"].to_string(), made[1]["id"].to_string());
    let status = |id: &str, at: &str| {
        ws.ok(&["invoice", "list", "--deal", &deal, "--at", at])
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id.parse::<i64>().unwrap())
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status(&first, "2024-02-15"), "issued");
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &first,
        "--amount",
        "10000000.00",
        "--date",
        "2024-02-20",
    ]);
    assert_eq!(status(&first, "2024-02-21"), "partially_paid");
    assert_eq!(
        status(&first, "2024-03-03"),
        "overdue",
        "due 2024-03-02, 5M open"
    );
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &first,
        "--amount",
        "5000000",
        "--date",
        "2024-03-05",
    ]);
    assert_eq!(status(&first, "2024-03-06"), "paid");

    ws.ok(&[
        "invoice",
        "void",
        &second,
        "--reason",
        "billed to the wrong entity",
    ]);
    assert_eq!(status(&second, "2024-06-01"), "void");
    ws.refused(
        &[
            "payment",
            "add",
            "--invoice",
            &second,
            "--amount",
            "1",
            "--date",
            "2024-06-01",
        ],
        Some("invoice_id"),
        "is void",
    );
    ws.refused(
        &["invoice", "void", &second, "--reason", "again"],
        None,
        "already void",
    );
    // Voided numbers are never reused: the next invoice gets the next number.
    let next = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-08-01",
    ]);
    assert_eq!(next[0]["number"], "INV-2024-0003");

    // A paid invoice is corrected with a credit note, at most what it billed, dated
    // back if need be (its number is of its own year's series), never before the
    // invoice or in the future.
    let note = ws.ok(&[
        "invoice",
        "credit",
        &first,
        "--amount",
        "1000.00",
        "--reason",
        "SLA credit",
        "--date",
        "2024-03-31",
    ]);
    assert_eq!(note["amount_minor"], 100_000);
    assert_eq!(note["number"], "CN-2024-0001");
    assert_eq!(note["issued_on"], "2024-03-31");
    let credit_on = |date: &str| {
        [
            "invoice", "credit", &first, "--amount", "1.00", "--reason", "SLA", "--date", date,
        ]
        .map(str::to_string)
    };
    let args = credit_on("2024-01-31");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ws.refused(
        &args,
        Some("date"),
        "is before INV-2024-0001 was issued (2024-02-01)",
    );
    // A day that has begun nowhere yet (tomorrow may have, east of UTC).
    let after_tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
    let args = credit_on(&after_tomorrow);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ws.refused(&args, Some("date"), "is in the future");
    let notes = ws.ok(&["invoice", "credits", &first]);
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
    assert_eq!(notes[0]["number"], "CN-2024-0001");
    assert_eq!(notes[0]["issued_on"], "2024-03-31");
    assert_eq!(notes[0]["reason"], "SLA credit");
    assert_eq!(
        ws.ok(&["invoice", "credits", &second]),
        serde_json::json!([])
    );
    ws.refused(
        &[
            "invoice",
            "credit",
            &first,
            "--amount",
            "15000000.00",
            "--reason",
            "too much",
        ],
        Some("amount"),
        "more than is left to credit",
    );
    let listed = ws.ok(&["invoice", "list", "--deal", &deal, "--status", "paid"]);
    assert_eq!(listed[0]["credited_minor"], 100_000);
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

#[test]
fn an_early_termination_stops_billing_and_shows_what_is_owed_back() {
    let ws = Workspace::new();
    let partner = ws.partner("Lab");
    let deal = ws
        .draft_deal(partner, "genai-training", "2024-01-01", "2030-12-31")
        .to_string();
    ws.ok(&[
        "fee",
        "set",
        "--deal",
        &deal,
        "--currency",
        "EUR",
        "--annual-fee",
        "3650.00",
        "--billing",
        "annual",
    ]);
    sign(&ws, &deal);
    // Billed for 2024 onwards through today: at least the 2024 and 2025 invoices.
    let before = ws.ok(&["invoice", "generate", "--deal", &deal]);
    assert!(before.as_array().unwrap().len() >= 2);
    ws.ok(&["deal", "transition", &deal, "--to", "terminated"]);
    let list = ws.ok(&["invoice", "list", "--deal", &deal]);
    // The deal ended today: the current contract year's invoice billed the days after
    // today, which are owed back; the earlier years' are not.
    let today = chrono::Utc::now().date_naive();
    let current = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["period_end"].as_str().unwrap() >= today.to_string().as_str())
        .expect("the current year's invoice");
    let end: chrono::NaiveDate = current["period_end"].as_str().unwrap().parse().unwrap();
    let days_after = (end - today).num_days();
    let year_days = 365 + i64::from(today.leap_year());
    // 3650.00 EUR over the year's days, the parts of the days after today (each day's
    // part is 1000 or 1001 cents): within one cent per day of the proportion.
    let owed = current["owed_back_minor"].as_i64().unwrap();
    let proportional = 365_000 * days_after / year_days;
    assert!(
        (owed - proportional).abs() <= days_after.max(1),
        "owed back {owed}, about {proportional} expected for {days_after} days"
    );
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["period_end"].as_str().unwrap() < today.to_string().as_str())
        .all(|i| i["owed_back_minor"] == 0));
    // A terminated deal is not billed again.
    ws.refused(
        &["invoice", "generate", "--deal", &deal],
        Some("deal_id"),
        "terminated",
    );
    // Crediting it clears what is owed back.
    let id = current["id"].to_string();
    let major = format!("{}.{:02}", owed / 100, owed % 100);
    ws.ok(&[
        "invoice",
        "credit",
        &id,
        "--amount",
        &major,
        "--reason",
        "termination",
    ]);
    let after = ws.ok(&["invoice", "list", "--deal", &deal]);
    let again = after
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == current["id"])
        .unwrap();
    assert_eq!(again["owed_back_minor"], 0);
}

#[test]
fn a_renewal_carries_the_fee_schedule() {
    let ws = Workspace::new();
    let deal = sixty_million(&ws);
    sign(&ws, &deal);
    let renewal = ws.ok(&["deal", "renew", &deal])["id"].to_string();
    let fees = ws.ok(&["fee", "show", "--deal", &renewal]);
    assert_eq!(fees["annual_fee_minor"], 6_000_000_000i64);
    assert_eq!(fees["billing"], "quarterly");
    assert_eq!(fees["escalator_pct"], "3");
    // One entry records the copy, made from nothing.
    let entries = ws.ok(&[
        "audit",
        "list",
        "--entity",
        "fee_schedule",
        "--id",
        &renewal,
    ]);
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0]["before"].is_null());
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

#[test]
fn reports_read_the_store_as_the_issue_states() {
    let ws = Workspace::new();
    let deal = sixty_million(&ws);
    sign(&ws, &deal);
    let made = ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-12-31",
    ]);
    let first = made[0]["id"].to_string();
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &first,
        "--amount",
        "15000000.00",
        "--date",
        "2024-03-01",
    ]);
    let report = ws.ok(&[
        "finance",
        "revenue",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--group",
        "year",
    ]);
    let row = &report["rows"][0];
    for key in [
        "period",
        "deal_id",
        "currency",
        "recognized_minor",
        "billed_minor",
        "collected_minor",
    ] {
        assert!(!row[key].is_null(), "revenue row lacks {key}");
    }
    assert_eq!(
        row["recognized_minor"], 5_491_803_278i64,
        "335 of 366 days of 60M"
    );
    assert_eq!(row["billed_minor"], 4 * 1_500_000_000i64);
    assert_eq!(row["collected_minor"], 1_500_000_000i64);
    assert_eq!(report["totals"]["USD"], 5_491_803_278i64);

    // A base currency needs a rate; the error names the pair and the date.
    let args = [
        "finance",
        "revenue",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--group",
        "year",
        "--base",
        "EUR",
    ];
    ws.refused(
        &args,
        Some("base"),
        "no USD→EUR rate on or before 2024-12-31",
    );
    ws.ok(&[
        "fx",
        "set",
        "--date",
        "2024-01-01",
        "--from",
        "USD",
        "--to",
        "EUR",
        "--rate",
        "0.92",
    ]);
    let based = ws.ok(&args);
    // 54,918,032.78 USD x 0.92 = 50,524,590.1576 EUR, half to even: 50,524,590.16.
    assert_eq!(based["in_base"]["recognized_minor"], 5_052_459_016i64);

    let aging = ws.ok(&["finance", "aging", "--at", "2024-06-15"]);
    // INV-2024-0001 is paid; INV-2024-0002 (issued 2024-05-01, due 2024-05-31) is 15
    // days late.
    assert_eq!(aging["totals"]["USD"]["1-30"], 1_500_000_000i64);
    assert_eq!(aging["totals"]["USD"]["total"], 1_500_000_000i64);
    let deferred = ws.ok(&["finance", "deferred", "--at", "2024-06-30"]);
    let d = &deferred["rows"][0];
    assert_eq!(
        d["deferred_minor"].as_i64().unwrap(),
        d["billed_minor"].as_i64().unwrap() - d["recognized_minor"].as_i64().unwrap()
    );
}

#[test]
fn csv_exports_neutralize_formula_cells_and_fx_imports_all_or_nothing() {
    let ws = Workspace::new();
    let partner = ws.ok(&[
        "partner",
        "add",
        "--name",
        "=HYPERLINK(\"http://evil\")",
        "--kind",
        "ai-lab",
    ])["id"]
        .as_i64()
        .unwrap();
    let deal = ws
        .draft_deal(partner, "search", "2024-01-01", "2024-12-31")
        .to_string();
    ws.ok(&[
        "fee",
        "set",
        "--deal",
        &deal,
        "--currency",
        "USD",
        "--annual-fee",
        "1200.00",
    ]);
    sign(&ws, &deal);
    ws.ok(&[
        "invoice",
        "generate",
        "--deal",
        &deal,
        "--through",
        "2024-12-31",
    ]);
    let out = ws
        .cmd(&[
            "finance",
            "revenue",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");

    let rates = ws.dir.path().join("rates.csv");
    std::fs::write(
        &rates,
        "date,from,to,rate\n2024-01-31,USD,EUR,0.92\n2024-02-30,USD,EUR,0.91\n",
    )
    .unwrap();
    ws.refused(&["fx", "import", rates.to_str().unwrap()], None, "line 3");
    std::fs::write(
        &rates,
        "date,from,to,rate\n2024-01-31,USD,EUR,0.92\n2024-02-29,EUR,JPY,161.5\n",
    )
    .unwrap();
    let imported = ws.ok(&["fx", "import", rates.to_str().unwrap()]);
    assert_eq!(imported.as_array().unwrap().len(), 2);
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

/// The Finance screen's pages (`finance::page`, newest first) are the full list reversed
/// and cut, with and without a status, for one deal or all; the total counts every match.
#[test]
fn invoice_pages_are_the_list_newest_first() {
    use consentry::finance::{self, MAX_PAGE};
    use consentry::model::deal::DealId;

    let ws = Workspace::new();
    let mut deals = vec![sixty_million(&ws)];
    let partner = ws.partner("Other Co");
    let other = ws.draft_deal(partner, "search", "2024-02-01", "2027-01-31");
    deals.push(other.to_string());
    let fees = [
        "--currency",
        "EUR",
        "--annual-fee",
        "1000.00",
        "--billing",
        "monthly",
    ];
    ws.ok(&[&["fee", "set", "--deal", &deals[1]][..], &fees[..]].concat());
    for deal in &deals {
        sign(&ws, deal);
        let through = ["--through", "2026-12-31"];
        ws.ok(&[&["invoice", "generate", "--deal", deal][..], &through[..]].concat());
    }
    // Statuses to filter on: a paid invoice, a part-paid one, a void one; the rest
    // issued or overdue depending on the day.
    let first = ws.ok(&["invoice", "list", "--deal", &deals[0]]);
    let id = |n: usize| first[n]["id"].to_string();
    let major = |n: usize| format!("{}.00", first[n]["amount_minor"].as_i64().unwrap() / 100);
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &id(0),
        "--amount",
        &major(0),
        "--date",
        "2024-03-01",
    ]);
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &id(1),
        "--amount",
        "1.00",
        "--date",
        "2024-06-01",
    ]);
    ws.ok(&["invoice", "void", &id(2), "--reason", "sent twice"]);
    // Part-paid and not yet due on the day listed below.
    let last = first.as_array().unwrap().len() - 1;
    let issued = first[last]["issue_date"].as_str().unwrap();
    ws.ok(&[
        "payment",
        "add",
        "--invoice",
        &id(last),
        "--amount",
        "1.00",
        "--date",
        issued,
    ]);

    let store = consentry::Store::open(&ws.db).unwrap();
    let at = Some("2025-06-30".parse().unwrap());
    let deal = Some(DealId(deals[1].parse().unwrap()));
    for (deal, status) in [
        (None, None),
        (deal, None),
        (None, Some("paid")),
        (None, Some("partially_paid")),
        (None, Some("void")),
        (None, Some("overdue")),
        (None, Some("issued")),
        (deal, Some("overdue")),
    ] {
        let mut all = finance::list(&store, deal, status, at).unwrap();
        all.reverse();
        assert!(!all.is_empty(), "{deal:?} {status:?}");
        let last = (all.len() as u64).saturating_sub(1);
        for (offset, limit) in [(0, 3), (3, 3), (0, 1000), (last, 5)] {
            let page = finance::page(&store, deal, status, at, offset, limit).unwrap();
            assert_eq!(page.total, all.len() as u64, "{deal:?} {status:?}");
            let want: Vec<_> = all
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .cloned()
                .collect();
            assert_eq!(page.invoices, want, "{deal:?} {status:?} from {offset}");
        }
    }
    assert_eq!(
        finance::page(&store, None, None, at, 0, u64::MAX)
            .unwrap()
            .invoices
            .len(),
        finance::list(&store, None, None, at)
            .unwrap()
            .len()
            .min(MAX_PAGE as usize)
    );
    let refused = finance::page(&store, None, Some("lost"), at, 0, 10).unwrap_err();
    assert_eq!(refused.body().fields[0].field, "status");
}

/// The screens' summaries (`finance::revenue_summary`, `finance::summary`) are the full
/// reports summed, to the minor unit: on books in three currencies, with two deals of one
/// partner in one currency, one partner in two currencies, full, partial and no
/// payments, a void, a credit note and a terminated deal, over several ranges and days.
#[test]
fn the_summaries_are_the_full_reports_summed() {
    use std::collections::BTreeMap;

    use chrono::{Datelike, NaiveDate};
    use consentry::finance::{self, Grouping};

    let ws = Workspace::new();
    let usd = sixty_million(&ws);
    let search = ws.ok(&["partner", "list"])[0]["id"].as_i64().unwrap();
    let other = ws.partner("Other Co");
    let lab = ws.partner("Lab");
    let fees = |deal: &str, currency: &str, fee: &str, billing: &str| {
        let args = [
            "fee",
            "set",
            "--deal",
            deal,
            "--currency",
            currency,
            "--annual-fee",
            fee,
            "--billing",
            billing,
        ];
        ws.ok(&args);
    };
    let deal = |partner: i64, start: &str, end: &str| {
        ws.draft_deal(partner, "search", start, end).to_string()
    };
    let search_eur = deal(search, "2024-03-15", "2026-09-30");
    fees(&search_eur, "EUR", "1000.00", "monthly");
    let search_eur2 = deal(search, "2025-01-01", "2026-12-31");
    fees(&search_eur2, "EUR", "2500.50", "quarterly");
    let other_eur = deal(other, "2024-01-01", "2026-12-31");
    fees(&other_eur, "EUR", "3650.00", "annual");
    let other_jpy = deal(other, "2024-06-01", "2027-05-31");
    fees(&other_jpy, "JPY", "1200000", "monthly");
    let lab_eur = deal(lab, "2024-01-01", "2030-12-31");
    fees(&lab_eur, "EUR", "730.00", "annual");
    let deals = [
        &usd,
        &search_eur,
        &search_eur2,
        &other_eur,
        &other_jpy,
        &lab_eur,
    ];
    for d in deals {
        sign(&ws, d);
        ws.ok(&[
            "invoice",
            "generate",
            "--deal",
            d,
            "--through",
            "2026-12-31",
        ]);
    }
    ws.ok(&["deal", "transition", &lab_eur, "--to", "terminated"]);
    // Every invoice of every deal: some paid in full, some in part, one void, one
    // credited; the rest open.
    let mut all = Vec::new();
    for d in deals {
        all.extend(
            ws.ok(&["invoice", "list", "--deal", d])
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    for (n, invoice) in all.iter().enumerate() {
        let id = invoice["id"].to_string();
        let amount = invoice["amount_minor"].as_i64().unwrap();
        let issued = invoice["issue_date"].as_str().unwrap();
        let jpy = invoice["currency"] == "JPY";
        let major = |minor: i64| match jpy {
            true => minor.to_string(),
            false => format!("{}.{:02}", minor / 100, minor % 100),
        };
        let pay = |minor: i64| {
            let args = [
                "payment",
                "add",
                "--invoice",
                &id,
                "--amount",
                &major(minor),
                "--date",
                issued,
            ];
            ws.ok(&args);
        };
        match n % 5 {
            0 => pay(amount),
            1 if amount > 1 => pay(amount / 2),
            2 if n == 2 => {
                ws.ok(&["invoice", "void", &id, "--reason", "sent twice"]);
            }
            3 if n == 3 => pay(amount / 3),
            _ => {}
        }
    }
    let first = all[5]["id"].to_string();
    ws.ok(&[
        "invoice", "credit", &first, "--amount", "1.00", "--reason", "SLA",
    ]);

    let store = consentry::Store::open(&ws.db).unwrap();
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let mut currencies = std::collections::BTreeSet::new();
    for (from, to, group) in [
        ("2024-01-01", "2024-12-31", Grouping::Month),
        ("2025-01-01", "2025-12-31", Grouping::Month),
        ("2026-01-01", "2026-12-31", Grouping::Month),
        ("2024-02-15", "2026-11-30", Grouping::Quarter),
        ("2023-01-01", "2027-12-31", Grouping::Year),
    ] {
        let (from, to) = (d(from), d(to));
        let report = finance::revenue(&store, from, to, group, None, None).unwrap();
        let summary = finance::revenue_summary(&store, from, to, group).unwrap();
        // Every period of the range, labelled as the rows are.
        let mut labels = Vec::new();
        let mut day = from;
        while day <= to {
            let label = match group {
                Grouping::Month => format!("{:04}-{:02}", day.year(), day.month()),
                Grouping::Quarter => format!("{:04}-Q{}", day.year(), day.month0() / 3 + 1),
                Grouping::Year => format!("{:04}", day.year()),
            };
            if labels.last() != Some(&label) {
                labels.push(label);
            }
            day = day.succ_opt().unwrap();
        }
        assert_eq!(summary.periods, labels, "{from}..{to}");
        // The rows summed per (currency, partner) and period.
        let mut expected: BTreeMap<(String, String), [Vec<i64>; 3]> = BTreeMap::new();
        for row in &report.rows {
            let at = labels.iter().position(|l| *l == row.period).unwrap();
            let cell = expected
                .entry((row.currency.clone(), row.partner_name.clone()))
                .or_insert_with(|| std::array::from_fn(|_| vec![0; labels.len()]));
            cell[0][at] += row.recognized_minor;
            cell[1][at] += row.billed_minor;
            cell[2][at] += row.collected_minor;
        }
        let got: BTreeMap<(String, String), [Vec<i64>; 3]> = summary
            .partners
            .iter()
            .map(|p| {
                (
                    (p.currency.clone(), p.partner_name.clone()),
                    [
                        p.recognized_minor.clone(),
                        p.billed_minor.clone(),
                        p.collected_minor.clone(),
                    ],
                )
            })
            .collect();
        assert_eq!(
            got.len(),
            summary.partners.len(),
            "one entry per partner and currency"
        );
        assert_eq!(got, expected, "{from}..{to} {group:?}");
        assert_eq!(summary.sums, report.sums);
        currencies.extend(report.sums.keys().cloned());
    }
    assert_eq!(
        currencies.into_iter().collect::<Vec<_>>(),
        ["EUR", "JPY", "USD"],
        "three currencies"
    );

    let today = chrono::Utc::now().date_naive();
    let mut overdue_seen = false;
    for at in [
        d("2024-01-15"),
        d("2024-06-30"),
        d("2025-06-30"),
        d("2026-12-31"),
        today,
    ] {
        let deferred = finance::deferred(&store, at, None, None).unwrap();
        let aging = finance::aging(&store, at, None, None).unwrap();
        let summary = finance::summary(&store, at).unwrap();
        assert_eq!(summary.at, at);
        assert_eq!(summary.deferred, deferred.totals, "{at}");
        assert_eq!(summary.deals, deferred.rows.len() as u64, "{at}");
        assert_eq!(summary.aging, aging.totals, "{at}");
        assert_eq!(summary.open_invoices, aging.invoices.len() as u64, "{at}");
        let overdue = aging
            .invoices
            .iter()
            .filter(|i| i.days_past_due > 0)
            .count();
        assert_eq!(summary.overdue_invoices, overdue as u64, "{at}");
        overdue_seen |= overdue > 0 && summary.aging.len() == 3;
    }
    assert!(
        overdue_seen,
        "a day with overdue invoices in every currency"
    );
    let owed_back: i64 = finance::summary(&store, today)
        .unwrap()
        .deferred
        .values()
        .map(|s| s.owed_back_minor)
        .sum();
    assert!(owed_back > 0, "the terminated deal owes something back");
}
