//! The tour: a newcomer's first hour, in the real app. It loads the demo workspace from
//! the first-run panel, then opens every screen, does one real thing on each, and saves
//! a screenshot of each. scripts/e2e.sh runs it twice, in the light and the dark theme
//! (`E2E_THEME`); the screenshots are `tour-<theme>-NN-<screen>.png`.

use std::time::Duration;

use consentry_e2e::{ensure, testid, App, Result};

/// Loading the demo workspace (100,000 users, their consent, posts, snapshots, a
/// delivery, invoices) takes tens of seconds in a debug-built shell.
const SEED_LIMIT: Duration = Duration::from_secs(240);

const FLAGSHIP: &str = "Generative AI training and search licence";

#[tokio::test]
async fn tours_every_screen_of_the_demo_workspace() {
    App::run_for(
        "tours_every_screen_of_the_demo_workspace",
        Duration::from_secs(480),
        tour,
    )
    .await;
}

/// The theme scripts/e2e.sh started the app in.
fn theme() -> String {
    std::env::var("E2E_THEME").unwrap_or_else(|_| "light".into())
}

struct Tour<'a> {
    app: &'a App,
    theme: String,
    shot: usize,
}

impl Tour<'_> {
    async fn screenshot(&mut self, screen: &str) -> Result {
        self.shot += 1;
        let name = format!("tour-{}-{:02}-{screen}", self.theme, self.shot);
        self.app.screenshot(&name).await.map(drop)
    }
}

async fn tour(app: &App) -> Result {
    let mut tour = Tour {
        app,
        theme: theme(),
        shot: 0,
    };
    // The theme follows the system's: the WebView says which one it was given.
    let dark = app
        .client()
        .execute(
            "return window.matchMedia('(prefers-color-scheme: dark)').matches",
            vec![],
        )
        .await?;
    ensure!(
        dark == serde_json::Value::Bool(tour.theme == "dark"),
        "E2E_THEME={} but prefers-color-scheme: dark is {dark}",
        tour.theme
    );

    // First run: the demo workspace, as a job with its progress, then the dashboard.
    app.wait_for(&testid("first-run")).await?;
    tour.screenshot("first-run").await?;
    app.click_testid("first-run-demo").await?;
    app.wait_until_within(
        "the dashboard after the demo seed",
        SEED_LIMIT,
        async || Ok(app.find_all(&testid("card-contracted")).await?.len() == 1),
    )
    .await?;
    // Every card read (the pending withdrawals fold consent per delivered deal).
    app.wait_until_within(
        "every dashboard card filled",
        Duration::from_secs(60),
        async || Ok(app.find_all("[aria-busy=\"true\"]").await?.is_empty()),
    )
    .await?;
    app.wait_for(&testid("contracted-table")).await?;
    app.wait_for(&testid("consent-health")).await?;
    tour.screenshot("dashboard").await?;

    // Dashboard -> the deals behind the contracted value card.
    app.click_testid("card-contracted-open").await?;
    let table = testid("deals-table");
    app.wait_for(&table).await?;
    let all = app.ids_with_prefix(&table, "deal-row-").await?;
    ensure!(
        all.len() == 5,
        "the demo has 5 deals, the list shows {all:?}"
    );
    // Deals: filtered by a word of the title.
    app.fill_testid("deals-filter", "licence").await?;
    app.wait_until("only the licences in deals-table", async || {
        Ok(app.ids_with_prefix(&table, "deal-row-").await?.len() < all.len())
    })
    .await?;
    tour.screenshot("deals-filtered").await?;
    let flagship = app
        .id_with_text(&table, "deal-row-", FLAGSHIP)
        .await?
        .ok_or("the flagship licence is not among the filtered deals")?;

    // The deal: its delivery verified.
    app.click_testid(&format!("deal-row-{flagship}")).await?;
    app.wait_for(&testid("deal-detail")).await?;
    tour.screenshot("deal").await?;
    let deliveries = testid("deliveries-table");
    app.wait_for(&deliveries).await?;
    let delivery = app.ids_with_prefix(&deliveries, "delivery-row-").await?;
    ensure!(!delivery.is_empty(), "the flagship deal has no delivery");
    app.click_testid(&format!("delivery-row-{}", delivery[0]))
        .await?;
    app.click_testid("delivery-verify").await?;
    app.wait_for_text_containing("delivery-verify-result", "Intact")
        .await?;
    tour.screenshot("deal-delivery-verified").await?;

    // Withdrawals: the users who opted out after the delivery get their notice.
    let section = testid("deal-withdrawals");
    app.wait_for(&section).await?;
    // The rows are `pending-<user id>`; the demo's user ids read `quiet_otter_42`.
    let pending: Vec<String> = app
        .ids_with_prefix(&section, "pending-")
        .await?
        .into_iter()
        .filter(|id| id.contains('_'))
        .collect();
    ensure!(
        !pending.is_empty(),
        "no pending withdrawal on the flagship deal"
    );
    app.click_testid("notice-new").await?;
    let notice = app.db_path().with_file_name("notice-1.json");
    app.fill_testid("notice-out", notice.to_str().unwrap())
        .await?;
    app.click_testid("notice-create").await?;
    app.wait_for(&testid("notice-issued")).await?;
    ensure!(notice.is_file(), "no notice at {}", notice.display());
    tour.screenshot("deal-notice-issued").await?;

    // A snapshot: its files verified against the seal.
    let snapshots = testid("snapshots-table");
    let snapshot = app.ids_with_prefix(&snapshots, "snapshot-row-").await?;
    ensure!(!snapshot.is_empty(), "the flagship deal has no snapshot");
    app.click_testid(&format!("snapshot-row-{}", snapshot[0]))
        .await?;
    app.click_testid("snapshot-verify").await?;
    app.wait_for_text_containing("snapshot-verify-result", "Intact")
        .await?;
    tour.screenshot("snapshot-verified").await?;

    // Partners: one more, through the form.
    app.click_testid("nav-partners").await?;
    let partners = testid("partners-table");
    app.wait_for(&partners).await?;
    let before = app.ids_with_prefix(&partners, "partner-row-").await?.len();
    app.click_testid("partner-new").await?;
    app.fill_testid("partner-name", "Tour Robotics").await?;
    app.select_testid("partner-kind", "ai-lab").await?;
    app.fill_testid("partner-country", "GB").await?;
    app.click_testid("partner-save").await?;
    app.wait_until("the new partner's row", async || {
        Ok(app.ids_with_prefix(&partners, "partner-row-").await?.len() == before + 1)
    })
    .await?;
    tour.screenshot("partners").await?;

    // Consent: the demo's ledger imported again adds nothing.
    app.click_testid("nav-consent").await?;
    app.wait_for(&testid("consent-overview")).await?;
    tour.screenshot("consent").await?;
    let ledger = app
        .db_path()
        .with_file_name("consentry-demo")
        .join("ledger.csv");
    ensure!(ledger.is_file(), "no demo ledger at {}", ledger.display());
    app.fill_testid("import-ledger-path", ledger.to_str().unwrap())
        .await?;
    app.click_testid("import-ledger-submit").await?;
    app.wait_until_within(
        "the re-import's outcome",
        Duration::from_secs(60),
        async || Ok(app.text_of("import-added").await.is_ok_and(|t| t == "0")),
    )
    .await?;
    let read = app.text_of("import-rows_read").await?;
    ensure!(read != "0", "the re-import read {read} rows");
    tour.screenshot("consent-reimported").await?;

    // User lookup: where a user who withdrew went.
    app.click_testid("nav-exposure").await?;
    app.fill_testid("exposure-user", &pending[0]).await?;
    app.click_testid("exposure-lookup").await?;
    app.wait_for(&testid("exposure-report")).await?;
    let summary = app.text_of("exposure-summary").await?;
    ensure!(
        summary.contains(&pending[0]),
        "the lookup of {} reads {summary:?}",
        pending[0]
    );
    tour.screenshot("user-lookup").await?;

    // Finance: what was collected, then the overdue invoices.
    app.click_testid("nav-finance").await?;
    app.wait_for(&testid("finance-cards")).await?;
    app.click_testid("measure-collected").await?;
    tour.screenshot("finance").await?;
    app.select_testid("invoice-filter-status", "overdue")
        .await?;
    let invoices = testid("invoices-card");
    app.wait_until("only overdue invoices", async || {
        let rows = app.ids_with_prefix(&invoices, "invoice-status-").await?;
        let mut all_overdue = !rows.is_empty();
        for id in &rows {
            all_overdue &= app.text_of(&format!("invoice-status-{id}")).await? == "overdue";
        }
        Ok(all_overdue)
    })
    .await?;
    app.scroll_to_testid("invoices-card").await?;
    tour.screenshot("finance-overdue").await?;

    // The store and its backups (a dialog; its one setting is the user's, not the
    // test's to change).
    app.click_testid("store-open").await?;
    app.wait_for(&testid("backup-latest")).await?;
    tour.screenshot("store-and-backups").await?;
    app.click_testid("store-close").await?;

    ensure!(
        app.error_banner().await.is_none(),
        "an error banner is showing at the end of the tour"
    );
    Ok(())
}
