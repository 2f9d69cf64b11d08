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
