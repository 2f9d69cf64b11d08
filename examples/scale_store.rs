//! Fills a store for the scale benchmark (`bench/scale.sh`, issue 10 point 7): PARTNERS
//! partners (default 500), DEALS deals (default 10,000) with 30-month terms billed
//! quarterly (10 invoices each, all issued: 100,000 invoices), a payment on each deal's
//! first invoice, a third of the deals active, and, when given, a registry and a ledger
//! file imported (bench/gen's `users.csv` and `ledger.csv`: about 1,000,000 events for
//! 1,080,000 users). Every change goes through the library's operations, so the store is
//! what the app would have made and `audit verify` passes on it.
//!
//!     cargo run --profile dist --example scale_store -- STORE DEALS PARTNERS [USERS_CSV LEDGER_CSV]
//!
//! Run it on a tmpfs (bench/scale.sh uses /dev/shm) and copy the store: every commit
//! fsyncs, and some 60,000 of them on a disk take many minutes for nothing the
//! benchmark measures.

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use consentry::deal::{self, DealInput, DealStatus};
use consentry::finance::{self, FeeInput, PaymentInput};
use consentry::imports::{self, ImportOptions};
use consentry::partner::{self, PartnerInput};
use consentry::purpose::Purpose;
use consentry::Store;

/// Words for titles and names, so that a filter matches a share of the rows.
const WORDS: [&str; 12] = [
    "News", "Forum", "Video", "Images", "Audio", "Books", "Code", "Science", "Sports", "Travel",
    "Health", "Finance",
];

fn main() -> consentry::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: scale_store STORE DEALS PARTNERS [USERS_CSV LEDGER_CSV]";
    let path = args.next().expect(usage);
    let deals: u32 = args
        .next()
        .expect(usage)
        .parse()
        .expect("DEALS is a number");
    let partners: u32 = args
        .next()
        .expect(usage)
        .parse()
        .expect("PARTNERS is a number");
    let registry = args.next();
    let ledger = args.next();
    let store = Store::open(Path::new(&path))?.with_actor("bench");
    let started = Instant::now();

    let mut partner_ids = Vec::with_capacity(partners as usize);
    for n in 0..partners {
        let p = partner::create(
            &store,
            PartnerInput {
                name: format!("{} Partner {n:04}", WORDS[n as usize % WORDS.len()]),
                kind: "ai-lab".into(),
                ..Default::default()
            },
        )?;
        partner_ids.push(p.id);
    }
    eprintln!(
        "scale_store: {partners} partners ({:.1?})",
        started.elapsed()
    );

    let first = NaiveDate::from_ymd_opt(2023, 1, 1).expect("a date");
    let currencies = [
        ("USD", "120000.00"),
        ("EUR", "85000.50"),
        ("JPY", "9500000"),
    ];
    for n in 0..deals {
        let start = first + chrono::Days::new(u64::from(n % 1095));
        let end = start
            .checked_add_months(chrono::Months::new(30))
            .and_then(|d| d.pred_opt())
            .expect("a date");
        let d = deal::create(
            &store,
            DealInput {
                partner_id: partner_ids[n as usize % partner_ids.len()],
                title: format!("{} licence {n:05}", WORDS[(n as usize / 7) % WORDS.len()]),
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
                billing: Some("quarterly".into()),
                ..Default::default()
            },
        )?;
        for to in [DealStatus::Negotiating, DealStatus::Signed] {
            deal::transition(&store, d.id, to)?;
        }
        let invoices = finance::generate(&store, d.id, Some(end))?;
        if let Some(invoice) = invoices.first() {
            let issued: NaiveDate = invoice.record.issue_date.parse().expect("a date");
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
                    date: (issued + chrono::Days::new(10)).to_string(),
                    reference: None,
                },
            )?;
        }
        if n % 3 == 1 {
            deal::transition(&store, d.id, DealStatus::Active)?;
        }
        if n % 1000 == 999 {
            eprintln!("scale_store: {} deals ({:.1?})", n + 1, started.elapsed());
        }
    }

    let options = ImportOptions::default();
    if let Some(registry) = registry {
        let report = imports::import_registry(&store, Path::new(&registry), &options)?;
        eprintln!(
            "scale_store: registry, {} users ({:.1?})",
            report.added,
            started.elapsed()
        );
    }
    if let Some(ledger) = ledger {
        let report = imports::import_ledger(&store, Path::new(&ledger), &options)?;
        eprintln!(
            "scale_store: ledger, {} events ({:.1?})",
            report.added,
            started.elapsed()
        );
    }
    Ok(())
}
