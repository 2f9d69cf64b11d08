//! `consentry demo seed` on real stores: the four deal shapes with their statuses,
//! fees, invoices, snapshots, deliveries and pending withdrawals, all of it made
//! through the real operations (so `audit verify` passes); refusals that write
//! nothing; the same seed giving the same files.

use std::path::Path;

use chrono::Utc;
use serde_json::Value;

use consentry::demo::{self, DemoOptions, DemoProgress, DemoStep};
use consentry::keys::Secrets;
use consentry::Store;

use crate::common::Workspace;

const SMALL: [&str; 6] = ["demo", "seed", "--users", "2000", "--posts", "5000"];

fn deal_of<'a>(report: &'a Value, shape: &str) -> &'a Value {
    report["deals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["shape"] == shape)
        .unwrap_or_else(|| panic!("no {shape} deal in {report:#}"))
}

fn id(v: &Value) -> String {
    v["deal_id"].as_i64().unwrap().to_string()
}

#[test]
fn a_seeded_store_has_every_deal_shape_and_verifies() {
    let ws = Workspace::new();
    let report = ws.ok(&SMALL);
    let today = Utc::now().date_naive().to_string();
    assert_eq!(report["today"], today.as_str());
    assert_eq!(report["users"], 2000);
    let dir = ws.dir.path().join("consentry-demo");
    assert_eq!(report["dir"], dir.display().to_string());
    for file in ["registry.csv", "ledger.csv", "posts.jsonl", "fx-rates.csv"] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    assert_eq!(ws.ok(&["partner", "list"]).as_array().unwrap().len(), 4);
    assert_eq!(ws.ok(&["deal", "list"]).as_array().unwrap().len(), 5);

    // The $60M licence: active, quarterly, one sealed snapshot delivered.
    let licence = deal_of(&report, "training-and-search");
    let deal = ws.ok(&["deal", "show", &id(licence)]);
    assert_eq!(deal["status"], "active");
    assert_eq!(
        deal["purposes"],
        serde_json::json!(["genai-training", "search"])
    );
    let fees = ws.ok(&["fee", "show", "--deal", &id(licence)]);
    assert_eq!(
        (
            &fees["annual_fee_minor"],
            &fees["billing"],
            &fees["currency"]
        ),
        (
            &serde_json::json!(6_000_000_000i64),
            &"quarterly".into(),
            &"USD".into()
        )
    );
    let snapshots = ws.ok(&["snapshot", "list", "--deal", &id(licence)]);
    let snapshot = &snapshots.as_array().unwrap()[0];
    assert_eq!(snapshot["sealed"], true);
    assert!(snapshot["records_included"].as_u64().unwrap() > 0);
    assert!(snapshot["held_back_by_gate"].as_u64().unwrap() > 0);
    assert!(snapshot["as_of"].as_str().unwrap() < today.as_str());
    let verified = ws.ok(&["snapshot", "verify", &snapshot["snapshot_id"].to_string()]);
    assert_eq!(verified["ok"], true);
    let deliveries = ws.ok(&["delivery", "list", "--deal", &id(licence)]);
    let deliveries = deliveries.as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    let package = ws.ok(&[
        "delivery",
        "verify",
        deliveries[0]["out_dir"].as_str().unwrap(),
    ]);
    assert_eq!(package["ok"], true, "{package:#}");

    // Usage-priced API access: monthly fee, a rate per 1,000 records, two deliveries,
    // each billed.
    let api = deal_of(&report, "api-access");
    assert_eq!(ws.ok(&["deal", "show", &id(api)])["status"], "active");
    let fees = ws.ok(&["fee", "show", "--deal", &id(api)]);
    assert_eq!(fees["billing"], "monthly");
    assert_eq!(fees["per_1k_records_minor"], "4000");
    assert_eq!(
        ws.ok(&["delivery", "list", "--deal", &id(api)])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let invoices = ws.ok(&["invoice", "list", "--deal", &id(api)]);
    let kinds: Vec<&str> = invoices
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "delivery").count(), 2);
    assert!(kinds.iter().filter(|k| **k == "installment").count() >= 8);

    // Research only, in negotiation: terms, no invoices.
    let research = deal_of(&report, "research");
    let deal = ws.ok(&["deal", "show", &id(research)]);
    assert_eq!(deal["status"], "negotiating");
    assert_eq!(deal["purposes"], serde_json::json!(["data-mining"]));
    assert!(deal["start_date"].as_str().unwrap() > today.as_str());
    assert_eq!(research["invoices"], 0);

    // The expired deal and its active renewal, linked both ways.
    let expired = deal_of(&report, "expired");
    let renewal = deal_of(&report, "renewal");
    let old = ws.ok(&["deal", "show", &id(expired)]);
    let new = ws.ok(&["deal", "show", &id(renewal)]);
    assert_eq!(old["status"], "expired");
    assert!(old["end_date"].as_str().unwrap() < today.as_str());
    assert_eq!(new["status"], "active");
    assert_eq!(new["renewed_from"], expired["deal_id"]);
    assert_eq!(old["renewed_by"], renewal["deal_id"]);
    assert!(new["start_date"].as_str().unwrap() <= today.as_str());

    // Invoices: most paid, some open, some overdue, one partly paid; the aging has
    // several buckets.
    let all = ws.ok(&["invoice", "list"]);
    let all = all.as_array().unwrap();
    let status = |s: &str| all.iter().filter(|i| i["status"] == s).count();
    assert!(status("paid") > all.len() / 2, "{all:#?}");
    assert!(status("overdue") >= 3, "{all:#?}");
    assert!(all
        .iter()
        .any(|i| i["status"] != "paid" && i["paid_minor"].as_i64().unwrap() > 0));
    assert!(all.iter().any(|i| i["status"] == "issued"));
    assert_eq!(report["invoices"], all.len());
    let aging = ws.ok(&["finance", "aging", "--at", &today]);
    let usd = &aging["totals"]["USD"];
    let buckets = ["current", "1-30", "31-60", "61-90", "over_90"]
        .iter()
        .filter(|b| usd[**b].as_i64().unwrap() > 0)
        .count();
    assert!(buckets >= 3, "{aging:#}");
    assert!(
        usd["over_90"].as_i64().unwrap() > 0,
        "the expired deal's last invoice"
    );

    // Opt-outs after the deliveries: users waiting for a withdrawal notice.
    for deal in [licence, api] {
        let pending = ws.ok(&["withdrawal", "pending", "--deal", &id(deal)]);
        let pending = pending.as_array().unwrap();
        assert!(!pending.is_empty(), "deal {}", id(deal));
        assert_eq!(deal["pending_withdrawals"], pending.len());
        assert!(pending
            .iter()
            .all(|p| ["no_consent", "account_deleted", "account_suspended"]
                .contains(&p["reason"].as_str().unwrap())));
    }

    // A deal's History: the deal and what belongs to it, nothing of another deal.
    let history = ws.ok(&["audit", "list", "--deal", &id(licence)]);
    let history = history.as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = history
        .iter()
        .map(|e| e["entity"].as_str().unwrap())
        .collect();
    for kind in [
        "deal",
        "fee_schedule",
        "snapshot",
        "delivery",
        "invoice",
        "payment",
    ] {
        assert!(
            kinds.contains(kind),
            "no {kind} in the deal's history: {kinds:?}"
        );
    }
    for entry in history {
        let image = if entry["after"].is_null() {
            &entry["before"]
        } else {
            &entry["after"]
        };
        if let Some(deal) = image.get("deal_id") {
            assert_eq!(deal.to_string(), id(licence), "{entry:#}");
        }
        if entry["entity"] == "payment" {
            let of_deal = all.iter().find(|i| i["id"] == image["invoice_id"]).unwrap();
            assert_eq!(of_deal["deal_id"].to_string(), id(licence), "{entry:#}");
        }
    }

    // Everything went through the operations: the log vouches for every row.
    let audit = ws.ok(&["audit", "verify"]);
    assert_eq!(audit["ok"], true, "{audit:#}");
}

#[test]
fn a_store_with_a_partner_or_a_registry_is_refused_and_nothing_is_written() {
    let ws = Workspace::new();
    ws.partner("Real partner");
    ws.refused(&SMALL, None, "not empty (1 partners, 0 deals)");
    assert!(!ws.dir.path().join("consentry-demo").exists());

    let ws = Workspace::new();
    let users = ws.dir.path().join("users.csv");
    std::fs::write(
        &users,
        "user_id,country,birth_date,status\nu1,US,1990-01-01,active\n",
    )
    .unwrap();
    ws.ok(&["users", "import", users.to_str().unwrap()]);
    ws.refused(&SMALL, None, "not empty (1 users, 0 consent events)");
    assert!(!ws.dir.path().join("consentry-demo").exists());
}

#[test]
fn a_second_seed_is_refused_and_changes_nothing() {
    let ws = Workspace::new();
    ws.ok(&["demo", "seed", "--users", "300", "--posts", "500"]);
    let files = listing(&ws.dir.path().join("consentry-demo"));
    let elsewhere = ws.dir.path().join("second");
    let elsewhere = elsewhere.to_str().unwrap();
    ws.refused(
        &[
            "demo", "seed", "--users", "300", "--posts", "500", "--dir", elsewhere,
        ],
        None,
        "not empty",
    );
    assert!(!Path::new(elsewhere).exists());
    assert_eq!(files, listing(&ws.dir.path().join("consentry-demo")));
}

#[test]
fn a_folder_with_files_or_bad_sizes_are_refused_naming_the_flag() {
    let ws = Workspace::new();
    let dir = ws.dir.path().join("consentry-demo");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    ws.refused(&SMALL, Some("dir"), "--dir:");
    assert_eq!(listing(&dir), ["notes.txt"]);
    ws.refused(
        &["demo", "seed", "--users", "5", "--posts", "500000000"],
        Some("posts"),
        "--users: 5 is out of range",
    );
}

/// Every path under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_same_seed_gives_the_same_files_and_progress_covers_every_step() {
    let seed = |n: u64| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.db"))
            .unwrap()
            .with_actor("test");
        let mut seen: Vec<DemoProgress> = Vec::new();
        let options = DemoOptions {
            users: Some(400),
            posts: Some(900),
            dir: None,
            seed: Some(n),
        };
        let report = demo::seed(&store, Secrets::File, &options, &mut |p| {
            seen.push(p.clone())
        })
        .unwrap();
        let read =
            |name: &str| std::fs::read(dir.path().join("consentry-demo").join(name)).unwrap();
        let files: Vec<Vec<u8>> = ["registry.csv", "ledger.csv", "posts.jsonl"]
            .iter()
            .map(|f| read(f))
            .collect();
        assert_eq!(report.posts, 900);
        (dir, files, seen)
    };
    let (_a, first, seen) = seed(3);
    let (_b, again, _) = seed(3);
    let (_c, other, _) = seed(4);
    assert!(first == again, "same seed, same day: the same files");
    assert!(first != other, "another seed: other files");
    let steps: Vec<DemoStep> = seen.iter().map(|p| p.step).collect();
    let mut distinct = steps.clone();
    distinct.dedup();
    assert_eq!(distinct, DemoStep::ALL, "every step, in order");
    assert!(seen.len() < 1000, "batched: {} reports", seen.len());
    assert!(seen
        .iter()
        .all(|p| p.steps == 9 && (p.total == 0 || p.done <= p.total)));
}
