//! The app as a user meets it: first run, partners, deals and their lifecycle, and form
//! validation, each test in a fresh app with an empty store. Run with `make e2e`;
//! screenshots land in target/e2e/screenshots/.

mod common;

use common::add_first_partner;
use consentry_e2e::{ensure, testid, App, Result};

const PARTNER: &str = "Example AI Lab";
const DEAL_TITLE: &str = "Training data licence 2027";

#[tokio::test]
async fn creates_partner_and_deal_and_moves_it_to_negotiating() {
    App::run(
        "creates_partner_and_deal_and_moves_it_to_negotiating",
        deal_lifecycle,
    )
    .await;
}

#[tokio::test]
async fn form_shows_inline_errors_and_writes_nothing() {
    App::run(
        "form_shows_inline_errors_and_writes_nothing",
        rejected_deal_form,
    )
    .await;
}

async fn deal_lifecycle(app: &App) -> Result {
    app.wait_for(&testid("first-run")).await?;
    app.screenshot("01-first-run").await?;

    let partner_id = add_first_partner(app, PARTNER).await?;
    app.screenshot("02-partners").await?;

    app.click_testid("nav-deals").await?;
    app.click_testid("deal-new").await?;
    app.wait_for(&testid("deal-form")).await?;
    app.select_testid("deal-partner", &partner_id).await?;
    app.fill_testid("deal-title", DEAL_TITLE).await?;
    app.set_checked("deal-purpose-genai-training", true).await?;
    app.set_checked("deal-purpose-ai-inference", true).await?;
    app.fill_testid("deal-start", "2027-01-01").await?;
    app.fill_testid("deal-end", "2028-12-31").await?;
    app.screenshot("03-deal-form").await?;
    app.click_testid("deal-save").await?;

    let table = testid("deals-table");
    app.wait_for(&table).await?;
    let mut deal_ids = Vec::new();
    app.wait_until("the new deal's row in deals-table", async || {
        deal_ids = app.ids_with_prefix(&table, "deal-row-").await?;
        Ok(!deal_ids.is_empty())
    })
    .await?;
    ensure!(
        deal_ids.len() == 1,
        "one deal saved, but deals-table has rows {deal_ids:?}"
    );
    let deal_id = &deal_ids[0];
    let row = app.text_of(&format!("deal-row-{deal_id}")).await?;
    ensure!(
        row.contains(DEAL_TITLE),
        "deal row reads {row:?}, without the title"
    );
    app.wait_for_text(&format!("deal-status-{deal_id}"), "draft")
        .await?;

    app.click_testid(&format!("deal-row-{deal_id}")).await?;
    app.wait_for(&testid("deal-detail")).await?;
    app.wait_for_text("deal-detail-status", "draft").await?;
    app.click_testid("transition-negotiating").await?;
    app.wait_for_text("deal-detail-status", "negotiating")
        .await?;
    // Creation and the transition are both audited.
    let entries = format!(r#"{} [data-testid="audit-entry"]"#, testid("deal-audit"));
    app.wait_until("at least 2 entries in deal-audit", async || {
        Ok(app.find_all(&entries).await?.len() >= 2)
    })
    .await?;
    app.screenshot("04-deal-detail").await?;

    app.click_testid("nav-deals").await?;
    let status_cell = format!("deal-status-{deal_id}");
    // A filter that matches nothing hides the row; part of the title brings it back.
    app.fill_testid("deals-filter", "no deal is called this")
        .await?;
    app.wait_until("the filter to hide every row", async || {
        Ok(app.ids_with_prefix(&table, "deal-row-").await?.is_empty())
    })
    .await?;
    app.fill_testid("deals-filter", "licence 2027").await?;
    app.wait_for_text(&status_cell, "negotiating").await?;
    let shown = app.ids_with_prefix(&table, "deal-row-").await?;
    ensure!(
        shown == [deal_id.clone()],
        "filtered deals-table shows rows {shown:?}"
    );
    app.screenshot("05-deals-table").await?;
    Ok(())
}

async fn rejected_deal_form(app: &App) -> Result {
    let partner_id = add_first_partner(app, PARTNER).await?;

    app.click_testid("nav-deals").await?;
    app.click_testid("deal-new").await?;
    app.wait_for(&testid("deal-form")).await?;
    // Everything valid except the two fields under test: no title, and an end date
    // before the start date.
    app.select_testid("deal-partner", &partner_id).await?;
    app.set_checked("deal-purpose-ai-training", true).await?;
    app.fill_testid("deal-start", "2027-06-01").await?;
    app.fill_testid("deal-end", "2027-01-01").await?;
    app.click_testid("deal-save").await?;

    app.wait_for(&testid("error-title")).await?;
    app.wait_for(&testid("error-end_date")).await?;
    app.wait_for(&testid("deal-form")).await?;
    for field in ["partner_id", "purposes"] {
        let shown = app.find_all(&testid(&format!("error-{field}"))).await?;
        ensure!(
            shown.is_empty(),
            "error-{field} shown although {field} is valid"
        );
    }
    app.screenshot("06-deal-form-errors").await?;

    app.click_testid("nav-deals").await?;
    // The list has loaded once it shows either its empty state or a row: no sleeping.
    app.wait_until("the deals list to load", async || {
        Ok(!app.find_all(&testid("deals-empty")).await?.is_empty()
            || !app.ids_with_prefix("body", "deal-row-").await?.is_empty())
    })
    .await?;
    let rows = app.ids_with_prefix("body", "deal-row-").await?;
    ensure!(
        rows.is_empty(),
        "the rejected deal was saved: deal rows {rows:?}"
    );
    app.screenshot("07-deals-after-rejected-save").await?;
    Ok(())
}
