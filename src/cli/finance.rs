//! `consentry fee ...`, `invoice ...` and `payment ...`: a deal's fee schedule, the
//! invoices that bill it, and what the partner paid. Amounts are entered in major units
//! (`60000000.00`) and printed in both; JSON has integer minor units.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use consentry::deal::DealId;
use consentry::finance::{self, FeeInput, FeeTerms, FxRateInput, Invoice, InvoiceId, PaymentInput};
use consentry::model::finance::day;
use consentry::model::money::{Currency, Money};
use consentry::{Error, Result, Store};

use super::output::{lines, table, warn, Output};

/// `1500000.00 USD` for minor units of a currency code (the code alone if unknown).
fn major(minor: i64, code: &str) -> String {
    match Currency::parse("currency", code) {
        Ok(c) => format!("{} {code}", Money::new(minor, c).major()),
        Err(_) => format!("{minor} (minor units) {code}"),
    }
}

fn date_arg(field: &str, text: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    text.map(|t| day(field, &t).map_err(|e| Error::Invalid(vec![e])))
        .transpose()
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub(super) enum FeeCommand {
    /// Set a deal's fee schedule (draft or negotiating deals; frozen once signed).
    Set(FeeSetArgs),
    /// Show a deal's fee schedule.
    Show {
        #[arg(long, value_name = "ID")]
        deal: i64,
    },
}

#[derive(Args)]
pub(super) struct FeeSetArgs {
    #[arg(long, value_name = "ID")]
    deal: i64,
    /// ISO 4217 code, e.g. USD, EUR, JPY.
    #[arg(long, value_name = "CODE")]
    currency: String,
    /// The first contract year's fee, in major units (e.g. 60000000.00).
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    annual_fee: String,
    /// Percent per contract year, 0 to 100 (default 0).
    #[arg(long, value_name = "PCT", allow_hyphen_values = true)]
    escalator_pct: Option<String>,
    /// annual, quarterly or monthly, billed in advance (default annual).
    #[arg(long)]
    billing: Option<String>,
    /// Days after issue an invoice is due (default 30).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    terms_days: Option<i64>,
    /// ratable (ongoing access) or point-in-time (one-off deliveries); default ratable.
    #[arg(long)]
    recognition: Option<String>,
    /// A fee per delivery, major units.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    per_delivery: Option<String>,
    /// A fee per 1,000 delivered records, major units.
    #[arg(
        long = "per-1k-records",
        value_name = "AMOUNT",
        allow_hyphen_values = true
    )]
    per_1k_records: Option<String>,
    /// A minimum annual guarantee, major units.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    minimum: Option<String>,
}

impl From<FeeSetArgs> for (DealId, FeeInput) {
    fn from(a: FeeSetArgs) -> Self {
        (
            DealId(a.deal),
            FeeInput {
                currency: a.currency,
                annual_fee: a.annual_fee,
                escalator_pct: a.escalator_pct,
                billing: a.billing,
                terms_days: a.terms_days,
                recognition: a.recognition,
                per_delivery: a.per_delivery,
                per_1k_records: a.per_1k_records,
                minimum: a.minimum,
            },
        )
    }
}

fn fee_text(f: &FeeTerms) -> String {
    lines(&[
        ("deal", f.deal_id.to_string()),
        ("currency", f.currency.clone()),
        ("annual fee", major(f.annual_fee_minor, &f.currency)),
        ("escalator", format!("{}% a contract year", f.escalator_pct)),
        ("billing", format!("{}, in advance", f.billing)),
        ("payment terms", format!("{} days", f.terms_days)),
        ("recognition", f.recognition.clone()),
        ("per delivery", major(f.per_delivery_minor, &f.currency)),
        (
            "per 1k records",
            format!("{} minor units of {}", f.per_1k_records_minor, f.currency),
        ),
        ("minimum a year", major(f.minimum_minor, &f.currency)),
        ("set", f.updated_at.clone()),
    ])
}

impl FeeCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            FeeCommand::Set(_) => true,
            FeeCommand::Show { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        let terms = match self {
            FeeCommand::Set(args) => {
                let (deal, input) = args.into();
                finance::set_fees(store, deal, input)?
            }
            FeeCommand::Show { deal } => {
                finance::fees(store, DealId(deal))?.ok_or_else(|| Error::NotFound {
                    entity: "fee schedule of deal",
                    id: deal.to_string(),
                })?
            }
        };
        out.value(&terms, || fee_text(&terms));
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Subcommand)]
pub(super) enum InvoiceCommand {
    /// Issue what a signed or active deal's schedule bills up to a day (default today);
    /// run twice, it creates nothing new.
    Generate {
        #[arg(long, value_name = "ID")]
        deal: i64,
        /// Issue invoices dated up to this day, YYYY-MM-DD (default today).
        #[arg(long, value_name = "DATE")]
        through: Option<String>,
    },
    /// List invoices with what was paid and credited, and their status.
    List {
        #[arg(long, value_name = "ID")]
        deal: Option<i64>,
        /// issued, partially_paid, paid, overdue or void.
        #[arg(long)]
        status: Option<String>,
        /// Status as of this day (default today).
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
    },
    /// Cancel an invoice that has no payment.
    Void {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// An invoice's credit notes, by date.
    Credits { id: i64 },
    /// Issue a credit note against an invoice (e.g. a paid one, or what a terminated
    /// deal billed beyond its end).
    Credit {
        id: i64,
        /// Major units.
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        reason: String,
        /// The note's date, YYYY-MM-DD (default today; not before the invoice's issue
        /// date, not in the future).
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
}

fn invoice_rows(list: &[Invoice]) -> String {
    table(
        &[
            "ID", "NUMBER", "DEAL", "ISSUED", "DUE", "PERIOD", "AMOUNT", "PAID", "BALANCE",
            "STATUS",
        ],
        list.iter().map(|i| {
            let r = &i.record;
            vec![
                r.id.to_string(),
                r.number.clone(),
                r.deal_id.to_string(),
                r.issue_date.clone(),
                r.due_date.clone(),
                format!("{}..{}", r.period_start, r.period_end),
                major(r.amount_minor, &r.currency),
                major(i.paid_minor, &r.currency),
                major(i.balance_minor, &r.currency),
                if i.owed_back_minor > 0 {
                    format!(
                        "{} (owed back {})",
                        i.status,
                        major(i.owed_back_minor, &r.currency)
                    )
                } else {
                    i.status.clone()
                },
            ]
        }),
    )
}

impl InvoiceCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            InvoiceCommand::Generate { .. }
            | InvoiceCommand::Void { .. }
            | InvoiceCommand::Credit { .. } => true,
            InvoiceCommand::List { .. } | InvoiceCommand::Credits { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            InvoiceCommand::Generate { deal, through } => {
                let made = finance::generate(store, DealId(deal), date_arg("through", through)?)?;
                out.value(&made, || {
                    if made.is_empty() {
                        "nothing new to issue\n".to_string()
                    } else {
                        invoice_rows(&made)
                    }
                });
            }
            InvoiceCommand::List { deal, status, at } => {
                let list = finance::list(
                    store,
                    deal.map(DealId),
                    status.as_deref(),
                    date_arg("at", at)?,
                )?;
                out.value(&list, || invoice_rows(&list));
            }
            InvoiceCommand::Void { id, reason } => {
                let i = match finance::void(store, InvoiceId(id), &reason) {
                    // The refusal of a paid invoice says "a credit note"; here is how.
                    Err(e @ Error::Conflict { .. }) if e.to_string().contains("credit note") => {
                        out.refusal(&e);
                        warn(&format!(
                            "hint: consentry invoice credit {id} --amount A --reason R"
                        ));
                        return Ok(ExitCode::FAILURE);
                    }
                    i => i?,
                };
                out.value(&i, || format!("{} is void\n", i.record.number));
            }
            InvoiceCommand::Credits { id } => {
                let list = finance::credits(store, InvoiceId(id))?;
                out.value(&list, || {
                    table(
                        &["NUMBER", "DATE", "AMOUNT (minor)", "REASON"],
                        list.iter().map(|c| {
                            vec![
                                c.number.clone(),
                                c.issued_on.clone(),
                                c.amount_minor.to_string(),
                                c.reason.clone(),
                            ]
                        }),
                    )
                });
            }
            InvoiceCommand::Credit {
                id,
                amount,
                reason,
                date,
            } => {
                let on = date_arg("date", date)?;
                let note = finance::credit(store, InvoiceId(id), &amount, &reason, on)?;
                out.value(&note, || format!("credit note {} issued\n", note.number));
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Subcommand)]
pub(super) enum PaymentCommand {
    /// Record a payment against an invoice (partial payments allowed).
    Add(PaymentAddArgs),
    /// An invoice's payments.
    List {
        #[arg(long, value_name = "ID")]
        invoice: i64,
    },
}

#[derive(Args)]
pub(super) struct PaymentAddArgs {
    #[arg(long, value_name = "ID")]
    invoice: i64,
    /// Major units.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    amount: String,
    /// The day it was received, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    date: String,
    #[arg(long)]
    reference: Option<String>,
}

impl From<PaymentAddArgs> for PaymentInput {
    fn from(a: PaymentAddArgs) -> Self {
        PaymentInput {
            invoice_id: InvoiceId(a.invoice),
            amount: a.amount,
            date: a.date,
            reference: a.reference,
        }
    }
}

impl PaymentCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            PaymentCommand::Add(_) => true,
            PaymentCommand::List { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            PaymentCommand::Add(args) => {
                let p = finance::add_payment(store, args.into())?;
                let invoice = finance::get(store, p.invoice_id)?;
                out.value(&p, || {
                    format!(
                        "payment {} of {} recorded on {}: {} is {}, balance {}\n",
                        p.id,
                        major(p.amount_minor, &invoice.record.currency),
                        invoice.record.number,
                        invoice.record.number,
                        invoice.status,
                        major(invoice.balance_minor, &invoice.record.currency)
                    )
                });
            }
            PaymentCommand::List { invoice } => {
                let list = finance::payments(store, InvoiceId(invoice))?;
                out.value(&list, || {
                    table(
                        &["ID", "DATE", "AMOUNT (minor)", "REFERENCE"],
                        list.iter().map(|p| {
                            vec![
                                p.id.to_string(),
                                p.paid_on.clone(),
                                p.amount_minor.to_string(),
                                p.reference.clone(),
                            ]
                        }),
                    )
                });
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Subcommand)]
pub(super) enum FxCommand {
    /// Set the rate of a pair on a day: 1 FROM = RATE TO.
    Set {
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long, value_name = "CODE")]
        from: String,
        #[arg(long, value_name = "CODE")]
        to: String,
        #[arg(long, allow_hyphen_values = true)]
        rate: String,
    },
    /// Import a CSV of rates with the header date,from,to,rate (all or nothing).
    Import { file: std::path::PathBuf },
    /// The FX-rate table.
    List,
}

impl FxCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            FxCommand::Set { .. } | FxCommand::Import { .. } => true,
            FxCommand::List => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        let rates = match self {
            FxCommand::Set {
                date,
                from,
                to,
                rate,
            } => vec![finance::set_fx(
                store,
                &FxRateInput {
                    date,
                    from,
                    to,
                    rate,
                },
            )?],
            FxCommand::Import { file } => finance::import_fx(store, &file)?,
            FxCommand::List => finance::fx_rates(store)?,
        };
        out.value(&rates, || {
            table(
                &["DATE", "FROM", "TO", "RATE"],
                rates.iter().map(|r| {
                    vec![
                        r.rate.on_date.clone(),
                        r.rate.from_currency.clone(),
                        r.rate.to_currency.clone(),
                        r.rate.rate.clone(),
                    ]
                }),
            )
        });
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Subcommand)]
pub(super) enum ReportCommand {
    /// Revenue recognized, billed and collected per period and deal.
    Revenue {
        /// First day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day (inclusive), YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        to: String,
        /// month, quarter or year (default month).
        #[arg(long, default_value = "month")]
        group: String,
        #[arg(long, value_name = "ID")]
        deal: Option<i64>,
        /// Also convert to this currency through the FX-rate table.
        #[arg(long, value_name = "CODE")]
        base: Option<String>,
        /// Print CSV (formula cells neutralized) instead of a table.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Deferred revenue and receivables per deal at a day.
    Deferred(AtArgs),
    /// Open invoices at a day by days past due: current, 1-30, 31-60, 61-90, over 90.
    Aging(AtArgs),
}

/// What the reports at one day take.
#[derive(Args)]
pub(super) struct AtArgs {
    /// The day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    at: String,
    #[arg(long, value_name = "ID")]
    deal: Option<i64>,
    /// Also convert to this currency through the FX-rate table.
    #[arg(long, value_name = "CODE")]
    base: Option<String>,
    /// Print CSV (formula cells neutralized) instead of a table.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

impl AtArgs {
    fn query(&self) -> Result<(chrono::NaiveDate, Option<DealId>, Option<&str>)> {
        Ok((
            finance::date("at", &self.at)?,
            self.deal.map(DealId),
            self.base.as_deref(),
        ))
    }
}

/// Writes a report as CSV on stdout.
fn print_csv(write: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
    let mut bytes = Vec::new();
    write(&mut bytes)?;
    use std::io::Write;
    let _ = std::io::stdout().write_all(&bytes);
    Ok(())
}

impl ReportCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            ReportCommand::Revenue { .. }
            | ReportCommand::Deferred(_)
            | ReportCommand::Aging(_) => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            ReportCommand::Revenue {
                from,
                to,
                group,
                deal,
                base,
                csv,
            } => {
                let group: finance::Grouping =
                    group.parse().map_err(|e| Error::Invalid(vec![e]))?;
                let report = finance::revenue(
                    store,
                    finance::date("from", &from)?,
                    finance::date("to", &to)?,
                    group,
                    deal.map(DealId),
                    base.as_deref(),
                )?;
                if csv {
                    print_csv(|w| finance::revenue_csv(&report, w))?;
                } else {
                    let json = |w: &mut dyn std::io::Write| {
                        finance::revenue_json(&report, w).map_err(std::io::Error::other)
                    };
                    out.written(json, || {
                        let mut text = table(
                            &[
                                "PERIOD",
                                "DEAL",
                                "PARTNER",
                                "RECOGNIZED",
                                "BILLED",
                                "COLLECTED",
                            ],
                            report.rows.iter().map(|r| {
                                vec![
                                    r.period.clone(),
                                    r.deal_id.to_string(),
                                    r.partner_name.clone(),
                                    major(r.recognized_minor, &r.currency),
                                    major(r.billed_minor, &r.currency),
                                    major(r.collected_minor, &r.currency),
                                ]
                            }),
                        );
                        for (currency, minor) in &report.totals {
                            text.push_str(&format!(
                                "recognized in total: {}\n",
                                major(*minor, currency)
                            ));
                        }
                        if let Some(b) = &report.in_base {
                            text.push_str(&format!(
                                "in {}: recognized {}, billed {}, collected {}\n",
                                b.currency,
                                major(b.sums.recognized_minor, &b.currency),
                                major(b.sums.billed_minor, &b.currency),
                                major(b.sums.collected_minor, &b.currency)
                            ));
                        }
                        text
                    });
                }
                // The process ends here: freeing the report's tens of thousands of rows one
                // by one would only delay its exit.
                std::mem::forget(report);
            }
            ReportCommand::Deferred(args) => {
                let (at, deal, base) = args.query()?;
                let report = finance::deferred(store, at, deal, base)?;
                if args.csv {
                    print_csv(|w| finance::deferred_csv(&report, w))?;
                } else {
                    out.value(&report, || {
                        table(
                            &[
                                "DEAL",
                                "PARTNER",
                                "BILLED",
                                "RECOGNIZED",
                                "DEFERRED",
                                "RECEIVABLE",
                                "OWED BACK",
                            ],
                            report.rows.iter().map(|r| {
                                vec![
                                    r.deal_id.to_string(),
                                    r.partner_name.clone(),
                                    major(r.billed_minor, &r.currency),
                                    major(r.recognized_minor, &r.currency),
                                    major(r.deferred_minor, &r.currency),
                                    major(r.receivable_minor, &r.currency),
                                    major(r.owed_back_minor, &r.currency),
                                ]
                            }),
                        )
                    });
                }
            }
            ReportCommand::Aging(args) => {
                let (at, deal, base) = args.query()?;
                let report = finance::aging(store, at, deal, base)?;
                if args.csv {
                    print_csv(|w| finance::aging_csv(&report, w))?;
                } else {
                    out.value(&report, || {
                        table(
                            &[
                                "CURRENCY", "CURRENT", "1-30", "31-60", "61-90", "OVER 90", "TOTAL",
                            ],
                            report.totals.iter().map(|(c, t)| {
                                vec![
                                    c.clone(),
                                    major(t.current, c),
                                    major(t.days_1_30, c),
                                    major(t.days_31_60, c),
                                    major(t.days_61_90, c),
                                    major(t.over_90, c),
                                    major(t.total, c),
                                ]
                            }),
                        )
                    });
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
