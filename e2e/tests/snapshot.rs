//! The consent workflow as a user meets it: import the registry and the ledger on the
//! Consent screen, sign a deal, build a snapshot through the wizard from a small fixture
//! (e2e/fixtures, outcomes in its README), and read the counts by reason.

mod common;

use std::path::Path;

use common::{add_deal, add_first_partner, sign_open_deal};
use consentry_e2e::{ensure, testid, App, Result};

#[tokio::test]
async fn builds_a_snapshot_through_the_wizard_and_sees_the_counts() {
    App::run(
        "builds_a_snapshot_through_the_wizard_and_sees_the_counts",
        snapshot_wizard,
    )
    .await;
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .canonicalize()
        .expect("fixture exists")
        .display()
        .to_string()
}

async fn import(app: &App, kind: &str, file: &str) -> Result {
    app.fill_testid(&format!("import-{kind}-path"), &fixture(file))
        .await?;
    app.click_testid(&format!("import-{kind}-submit")).await?;
    // Each import card keeps its own last outcome: look for the one naming this file.
    let results = testid("import-result");
    app.wait_until(&format!("the {kind} import result"), async || {
        for element in app.find_all(&results).await? {
            if element.text().await?.contains(file) {
                return Ok(true);
            }
        }
        Ok(false)
    })
    .await
}

async fn snapshot_wizard(app: &App) -> Result {
    let partner = add_first_partner(app, "Example Search Co").await?;

    // A deal permitting generative training and inference, signed.
    let deal = add_deal(
        app,
        &partner,
        "Posts for model training 2026",
        &["genai-training", "ai-inference"],
        ("2026-01-01", "2027-12-31"),
    )
    .await?;

    // Consent data first: the registry and the ledger.
    app.click_testid("nav-consent").await?;
    app.wait_for(&testid("consent-overview")).await?;
    import(app, "registry", "users.csv").await?;
    import(app, "ledger", "ledger.csv").await?;
    app.wait_until("the overview counts the opt-out", async || {
        Ok(app.text_of("optout-genai-training").await.ok().as_deref() == Some("1"))
    })
    .await?;
    app.screenshot("10-consent").await?;

    // Sign the deal, then open the wizard from its detail view.
    app.click_testid("nav-deals").await?;
    app.click_testid(&format!("deal-row-{deal}")).await?;
    app.wait_for(&testid("deal-detail")).await?;
    sign_open_deal(app).await?;
    app.click_testid("snapshot-new").await?;
    app.wait_for(&testid("snapshot-wizard")).await?;
    app.fill_testid("wizard-source", &fixture("posts.jsonl"))
        .await?;
    app.click_testid("wizard-preview").await?;
    let preview = app.wait_for(&testid("wizard-preview-table")).await?;
    // textContent: WebKitWebDriver's visible-text rules skip the monospace cells.
    let preview = app
        .client()
        .execute(
            "return arguments[0].textContent",
            vec![serde_json::to_value(&preview)?],
        )
        .await?;
    let preview = preview.as_str().unwrap_or_default().to_string();
    ensure!(
        preview.contains("t3_p1") && preview.contains("alice"),
        "the preview does not show the first record: {preview:?}"
    );
    app.fill_testid("wizard-as-of", "2026-06-01T00:00:00Z")
        .await?;
    app.screenshot("11-snapshot-wizard").await?;
    app.click_testid("wizard-build").await?;

    app.wait_for(&testid("snapshot-result")).await?;
    let expected = [
        ("count-records_in", "9"),
        ("count-included", "2"),
        ("count-no_consent", "1"),
        ("count-minor", "1"),
        ("count-age_unknown", "1"),
        ("count-account_status", "1"),
        ("count-unknown_user", "1"),
        ("count-after_cutoff", "1"),
        ("count-duplicate_id", "1"),
        ("count-rejected", "0"),
    ];
    for (id, value) in expected {
        let text = app.text_of(id).await?;
        ensure!(
            text.trim() == value,
            "{id} reads {text:?}, expected {value}"
        );
    }
    app.screenshot("12-snapshot-result").await?;

    app.click_testid("snapshot-verify").await?;
    app.wait_until("the verify report", async || {
        Ok(app
            .text_of("snapshot-verify-result")
            .await
            .map(|t| t.to_lowercase().contains("intact"))
            .unwrap_or(false))
    })
    .await?;

    // No default consent before users could say no: the platform's opt-out setting
    // reached users on 2026-05-01, with 30 days of notice.
    app.click_testid("nav-consent").await?;
    app.wait_for(&testid("consent-policy")).await?;
    app.fill_testid("policy-optout-from", "2026-05-01").await?;
    app.click_testid("policy-save").await?;
    app.click_testid("confirm-ok").await?;
    app.wait_for_text("policy-version", "version 2").await?;
    app.wait_for(&testid("consent-gate")).await?;
    let applies = app.text_of("gate-applies-from").await?;
    ensure!(
        applies.contains("2026-05-31"),
        "the gate card reads {applies:?}"
    );
    app.screenshot("13-consent-gate").await?;

    // The same build under the gated policy: alice's post of 2025 rests on the opt-out
    // default alone, and was created before users could opt out: held back.
    app.click_testid("nav-deals").await?;
    app.click_testid(&format!("deal-row-{deal}")).await?;
    app.click_testid("snapshot-new").await?;
    app.wait_for(&testid("snapshot-wizard")).await?;
    app.fill_testid("wizard-source", &fixture("posts.jsonl"))
        .await?;
    app.fill_testid("wizard-as-of", "2026-06-01T00:00:00Z")
        .await?;
    app.click_testid("wizard-build").await?;
    app.wait_for(&testid("snapshot-result")).await?;
    app.wait_for_text("count-included", "1").await?;
    let no_consent = app.text_of("count-no_consent").await?;
    ensure!(
        no_consent.trim() == "2",
        "count-no_consent reads {no_consent:?}"
    );
    app.screenshot("14-snapshot-held-back").await?;
    Ok(())
}
