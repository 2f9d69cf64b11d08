//! Finance as finance staff meet it: a deal's fee schedule set on its page, the deal
//! signed and its due invoices issued, then a payment recorded on the Finance screen.
//! The invoice must read paid, and the receivables card and the revenue chart's
//! collected bar must move by exactly the amount paid (read from their `data-minor`).
//! Then the paid invoice is credited, the note dated back to the invoice's issue day.

mod common;

use chrono::{Datelike, Utc};
use common::{add_deal, add_first_partner, sign_open_deal};
use consentry_e2e::{ensure, testid, App, Result};

#[tokio::test]
async fn records_a_payment_and_sees_the_invoice_paid_and_the_figures_move() {
    App::run(
        "records_a_payment_and_sees_the_invoice_paid_and_the_figures_move",
        payment,
    )
    .await;
}

/// The quarterly installment of 1,200,000.00 a year, in cents.
const QUARTER_MINOR: i64 = 30_000_000;

async fn minor(app: &App, id: &str) -> Result<i64> {
    Ok(app.attribute_of(id, "data-minor").await?.parse()?)
}

async fn payment(app: &App) -> Result {
    let partner = add_first_partner(app, "Example Search Co").await?;
    // A term that started on January 1 of this year: its first quarter is billed today.
    let year = Utc::now().year();
    let month = format!("{year}-{:02}", Utc::now().month());

    let deal = add_deal(
        app,
        &partner,
        "Search index licence",
        &["search"],
        (&format!("{year}-01-01"), &format!("{}-12-31", year + 1)),
    )
    .await?;
    app.click_testid(&format!("deal-row-{deal}")).await?;
    app.wait_for(&testid("deal-detail")).await?;

    // The fee schedule, while the deal is a draft.
    app.click_testid("fees-edit").await?;
    app.wait_for(&testid("fee-dialog")).await?;
    app.fill_testid("fee-annual", "1200000.00").await?;
    app.select_testid("fee-billing", "quarterly").await?;
    app.screenshot("finance-01-fee-form").await?;
    app.click_testid("fee-save").await?;
    app.wait_until("the fee schedule on the deal", async || {
        Ok(app
            .text_of("fees-annual")
            .await
            .is_ok_and(|t| t.contains("1,200,000.00")))
    })
    .await?;

    sign_open_deal(app).await?;
    app.wait_for(&testid("fees-frozen")).await?;
    app.click_testid("invoices-generate").await?;
    app.wait_for(&testid("invoices-issued")).await?;
    let issued = app.text_of("invoices-issued").await?;
    ensure!(
        issued.contains("issued") && !issued.contains("Nothing"),
        "issuing the due invoices says {issued:?}"
    );
    app.screenshot("finance-02-deal-invoices").await?;

    // The Finance screen before the payment.
    app.click_testid("nav-finance").await?;
    app.wait_for(&testid("finance-cards")).await?;
    let receivable = minor(app, "receivable-USD").await?;
    ensure!(
        receivable >= QUARTER_MINOR && receivable % QUARTER_MINOR == 0,
        "receivables read {receivable} minor units: not whole quarters of 300,000.00"
    );
    app.click_testid("measure-collected").await?;
    let collected_month = format!("revenue-total-{month}");
    let collected = minor(app, &collected_month).await?;
    ensure!(
        collected == 0,
        "nothing was paid yet, but {month} shows {collected} collected"
    );

    // The oldest invoice is the last row (newest first); pay its whole balance.
    let table = testid("invoices-table");
    let rows = app.ids_with_prefix(&table, "invoice-row-").await?;
    let first = rows.last().ok_or("the invoices table has no rows")?.clone();
    app.click_testid(&format!("invoice-pay-{first}")).await?;
    app.wait_for(&testid("payment-dialog")).await?;
    let amount = app
        .client()
        .find(fantoccini::Locator::Css(&testid("payment-amount")))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        amount == "300000.00",
        "the payment starts at {amount:?}, not the open balance 300000.00"
    );
    app.fill_testid("payment-reference", "WIRE-0042").await?;
    app.screenshot("finance-03-payment").await?;
    app.click_testid("payment-save").await?;

    app.wait_for_text(&format!("invoice-status-{first}"), "paid")
        .await?;
    app.wait_until("receivables down by the payment", async || {
        // Paid in full with nothing else open, the card reads a dash instead.
        let now = if app.find_all(&testid("receivable-none")).await?.is_empty() {
            minor(app, "receivable-USD").await?
        } else {
            0
        };
        if now == receivable - QUARTER_MINOR {
            Ok(true)
        } else {
            Err(format!(
                "receivables read {now}, expected {}",
                receivable - QUARTER_MINOR
            )
            .into())
        }
    })
    .await?;
    app.wait_until("the collected bar up by the payment", async || {
        let now = minor(app, &collected_month).await?;
        if now == QUARTER_MINOR {
            Ok(true)
        } else {
            Err(format!("{month} collected reads {now}").into())
        }
    })
    .await?;
    app.screenshot("finance-04-paid").await?;

    // The paid invoice is corrected with a credit note dated back to its issue day: the
    // note's number is of that year's series, and the invoice shows what was credited.
    app.click_testid(&format!("invoice-row-{first}")).await?;
    app.wait_for(&testid("invoice-dialog")).await?;
    app.click_testid("invoice-credit").await?;
    app.fill_testid("credit-amount", "1000.00").await?;
    app.fill_testid("credit-date", &format!("{year}-01-01"))
        .await?;
    app.fill_testid("correction-reason", "SLA credit").await?;
    app.screenshot("finance-05-credit-note").await?;
    app.click_testid("correction-save").await?;
    app.wait_for_text_containing(
        "invoice-dialog-done",
        &format!("Credit note CN-{year}-0001 issued for"),
    )
    .await?;
    let done = app.text_of("invoice-dialog-done").await?;
    ensure!(done.contains("1,000.00"), "the credit note reads {done:?}");
    app.wait_for_text_containing(
        "invoice-credits",
        &format!("CN-{year}-0001 · Jan 1, {year}"),
    )
    .await?;
    app.screenshot("finance-06-credited").await?;
    if let Some(banner) = app.error_banner().await {
        return Err(format!("an error is shown: {banner}").into());
    }
    Ok(())
}
