//! Fills a store with the finance benchmark's books (`bench/finance.sh`): DEALS deals
//! (default 1,000) with 5-year terms in USD, EUR and JPY, billed monthly with a 3%
//! escalator, their invoices through the end of 2028, and a payment for three
//! invoices in four (10 days after issue). Every change goes through the library's
//! operations, so the store is what the app would have made.
//!
//!     cargo run --release --example finance_books -- STORE [DEALS]

use chrono::NaiveDate;
use consentry::deal::{self, DealInput, DealStatus};
use consentry::finance::{self, FeeInput, PaymentInput};
use consentry::partner::{self, PartnerInput};
use consentry::purpose::Purpose;
use consentry::Store;

fn main() -> consentry::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: finance_books STORE [DEALS]");
    let deals: u32 = args
        .next()
        .map_or(1000, |n| n.parse().expect("DEALS is a number"));
    let store = Store::open(std::path::Path::new(&path))?.with_actor("bench");
    let through = NaiveDate::from_ymd_opt(2028, 12, 31).expect("a date");
    let currencies = [
        ("USD", "1200000.00"),
        ("EUR", "850000.50"),
        ("JPY", "95000000"),
    ];
    for n in 0..deals {
        let p = partner::create(
            &store,
            PartnerInput {
                name: format!("Partner {n:04}"),
                kind: "ai-lab".into(),
                ..Default::default()
            },
        )?;
        let start = NaiveDate::from_ymd_opt(2024, 1 + n % 12, 1 + n % 28).expect("a date");
        let end = start
            .checked_add_months(chrono::Months::new(60))
            .and_then(|d| d.pred_opt())
            .expect("a date");
        let d = deal::create(
            &store,
            DealInput {
                partner_id: p.id,
                title: format!("Licence {n:04}"),
                purposes: vec![Purpose::GenaiTraining],
                start_date: start.to_string(),
                end_date: end.to_string(),
                territory: "WORLD".into(),
                ..Default::default()
            },
        )?;
        let (currency, fee) = currencies[n as usize % currencies.len()];
        finance::set_fees(
            &store,
            d.id,
            FeeInput {
                currency: currency.into(),
                annual_fee: fee.into(),
                escalator_pct: Some("3".into()),
                billing: Some("monthly".into()),
                ..Default::default()
            },
        )?;
        for to in [DealStatus::Negotiating, DealStatus::Signed] {
            deal::transition(&store, d.id, to)?;
        }
        for (i, invoice) in finance::generate(&store, d.id, Some(through))?
            .iter()
            .enumerate()
        {
            if i % 4 == 3 {
                continue;
            }
            let issued: NaiveDate = invoice.record.issue_date.parse().expect("a date");
            let paid = issued + chrono::Days::new(10);
            let amount = consentry::model::money::Money::new(
                invoice.record.amount_minor,
                consentry::model::money::Currency::parse("currency", &invoice.record.currency)
                    .expect("a currency"),
            );
            finance::add_payment(
                &store,
                PaymentInput {
                    invoice_id: invoice.record.id,
                    amount: amount.major(),
                    date: paid.to_string(),
                    reference: None,
                },
            )?;
        }
        if n % 100 == 99 {
            eprintln!("finance_books: {} deals", n + 1);
        }
    }
    for (date, from, to, rate) in [
        ("2024-01-01", "EUR", "USD", "1.09"),
        ("2024-01-01", "JPY", "USD", "0.0068"),
    ] {
        finance::set_fx(
            &store,
            &finance::FxRateInput {
                date: date.into(),
                from: from.into(),
                to: to.into(),
                rate: rate.into(),
            },
        )?;
    }
    Ok(())
}
