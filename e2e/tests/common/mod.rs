//! Flows shared by the end-to-end tests.

use consentry_e2e::{ensure, testid, App, Result};

/// From the first-run panel, adds the partner through the form and returns its id, read
/// from its row in the partners table.
pub async fn add_first_partner(app: &App, name: &str) -> Result<String> {
    app.click_testid("first-run-add-partner").await?;
    app.wait_for(&testid("partner-form")).await?;
    app.fill_testid("partner-name", name).await?;
    app.select_testid("partner-kind", "ai-lab").await?;
    app.fill_testid("partner-country", "US").await?;
    app.click_testid("partner-save").await?;

    let table = testid("partners-table");
    let mut ids = Vec::new();
    app.wait_until("the new partner's row in partners-table", async || {
        ids = app.ids_with_prefix(&table, "partner-row-").await?;
        Ok(!ids.is_empty())
    })
    .await?;
    ensure!(
        ids.len() == 1,
        "one partner saved, but partners-table has rows {ids:?}"
    );
    let row = app.text_of(&format!("partner-row-{}", ids[0])).await?;
    ensure!(
        row.contains(name),
        "partner row reads {row:?}, without the name"
    );
    // The partner went to this test's store, not to a developer's real one.
    ensure!(
        app.db_path().is_file(),
        "no store at {}: did the app ignore --db?",
        app.db_path().display()
    );
    Ok(ids.remove(0))
}

/// Adds a draft deal through the form (its partner, title, the purposes ticked, the
/// term) and returns its id, read from its row in the deals table.
#[allow(dead_code)] // app.rs uses only add_first_partner
pub async fn add_deal(
    app: &App,
    partner: &str,
    title: &str,
    purposes: &[&str],
    term: (&str, &str),
) -> Result<String> {
    app.click_testid("nav-deals").await?;
    app.click_testid("deal-new").await?;
    app.wait_for(&testid("deal-form")).await?;
    app.select_testid("deal-partner", partner).await?;
    app.fill_testid("deal-title", title).await?;
    for purpose in purposes {
        app.set_checked(&format!("deal-purpose-{purpose}"), true)
            .await?;
    }
    app.fill_testid("deal-start", term.0).await?;
    app.fill_testid("deal-end", term.1).await?;
    app.click_testid("deal-save").await?;
    let table = testid("deals-table");
    let mut found = None;
    app.wait_until("the new deal's row in deals-table", async || {
        found = app.id_with_text(&table, "deal-row-", title).await?;
        Ok(found.is_some())
    })
    .await?;
    Ok(found.expect("wait_until returned when the row was found"))
}

/// On the open deal's detail view: draft to negotiating, then signed through the
/// confirmation that signing asks for (it is irreversible).
#[allow(dead_code)]
pub async fn sign_open_deal(app: &App) -> Result {
    app.click_testid("transition-negotiating").await?;
    app.wait_for_text("deal-detail-status", "negotiating")
        .await?;
    app.click_testid("transition-signed").await?;
    app.click_testid("confirm-ok").await?;
    app.wait_for_text("deal-detail-status", "signed").await
}
