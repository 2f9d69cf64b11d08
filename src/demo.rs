//! The demo workspace (`consentry demo seed`): fills an empty store with fictional
//! partners and deals shaped like the real ones, and everything around them, through
//! the real operations, so that the audit log is complete and `audit verify` passes.
//!
//! What it makes, with dates relative to today (UTC) so that the demo always looks
//! current:
//! - a registry of users (default 100,000) across opt-in and opt-out countries, with
//!   minors, unknown ages and closed accounts, and a ledger of their consent decisions
//!   over the past two years; the policy gets an opt-out date 25 months back (records
//!   older than it need an explicit allow);
//! - a posts file (default 300,000 posts, Pushshift fields) over the past three years;
//! - a $60M-a-year generative-training and search licence billed quarterly, started
//!   14 months ago for three years, with a sealed snapshot and a delivery;
//! - usage-priced API access (monthly platform fee plus a fee per 1,000 delivered
//!   records, a minimum guarantee), started 8 months ago, with two snapshots and two
//!   deliveries;
//! - a research-only deal in negotiation, starting in two months;
//! - a deal whose two-year term ended four to five months ago, and its active renewal;
//! - invoices through today, paid but for the most recent ones (one partly paid, one
//!   of the expired deal long overdue), so that the aging has several buckets; an FX
//!   table (USD to EUR and GBP, monthly);
//! - after the deliveries, opt-outs and account closures of some delivered authors,
//!   effective after the snapshots' cut-offs: users waiting for a withdrawal notice.
//!
//! The generated files go in `<store's folder>/consentry-demo/` (or the folder asked
//! for), with the snapshots and packages under it. Refused, writing nothing: a store
//! with partners, deals or imported users or events, a folder that is not new or
//! empty, sizes out of range. A failure after the checks (a full disk) leaves what
//! was done so far: seed a new store.
//!
//! The data is drawn from the seed (default 1): the same seed on the same day gives
//! the same files, byte for byte (`people`, `posts`).

mod people;
mod posts;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub use crate::model::demo::*;

use crate::deal::{self, DealFilter, DealId, DealInput, DealStatus, RenewInput};
use crate::delivery::{self, DeliveryRequest};
use crate::error::{Error, Result};
use crate::finance::{self, FeeInput, PaymentInput};
use crate::imports::{self, ImportOptions};
use crate::keys::Secrets;
use crate::model::money::{Currency, Money};
use crate::partner::{self, PartnerInput};
use crate::policy::{self, PolicyInput};
use crate::purpose::Purpose;
use crate::snapshot::folders::{absolute, check_out};
use crate::snapshot::{self, BuildRequest, Snapshot, RECORDS_INDEX};
use crate::store::Store;

/// Fills an empty store with the demo (see the module docs). `secrets` is where the
/// signing key goes if the first delivery makes it; `progress` hears of each step and
/// of the counts within it.
pub fn seed(
    store: &Store,
    secrets: Secrets,
    options: &DemoOptions,
    progress: &mut dyn FnMut(&DemoProgress),
) -> Result<DemoReport> {
    let started = Instant::now();
    let sizes = options.sizes()?;
    let dir = folder(store, options.dir.as_deref())?;
    refuse_unless_empty(store)?;
    check_out(&dir).map_err(|e| Error::invalid("dir", e.message))?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", shown(&dir)), e))?;
    let today = Utc::now().date_naive();
    let mut seeder = Seeder {
        store,
        secrets,
        sizes,
        dir,
        today,
        progress,
        files: Vec::new(),
        events: 0,
        posts: 0,
    };
    let mut report = seeder.run()?;
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The folder asked for, else `consentry-demo` beside the store file.
fn folder(store: &Store, asked: Option<&str>) -> Result<PathBuf> {
    if let Some(dir) = asked {
        return Ok(absolute(Path::new(dir.trim())));
    }
    let location = Path::new(store.location());
    if store.location() == ":memory:" {
        return Err(Error::invalid(
            "dir",
            "a store in memory has no folder beside it: give the folder for the demo's files",
        ));
    }
    let beside = location
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(absolute(&beside.join(DEFAULT_DIR_NAME)))
}

/// The demo fills an empty store only: mixed with real partners or a real registry it
/// would mislead.
fn refuse_unless_empty(store: &Store) -> Result<()> {
    let partners = partner::list(store)?.len();
    let deals = deal::list(store, &DealFilter::default())?.len();
    let holds = if partners + deals > 0 {
        Some(format!("{partners} partners, {deals} deals"))
    } else {
        let o = crate::overview::overview(store)?;
        (o.users + o.events > 0).then(|| format!("{} users, {} consent events", o.users, o.events))
    };
    match holds {
        None => Ok(()),
        Some(holds) => Err(Error::Conflict {
            field: None,
            message: format!(
                "the store {} is not empty ({holds}): the demo fills an empty store only; \
                 give it a new store",
                crate::text::printable(store.location())
            ),
        }),
    }
}

fn shown(path: &Path) -> String {
    crate::text::printable(&path.display().to_string()).into_owned()
}

/// The first day of the month `months` months before `day`'s (negative: after).
fn month_start(day: NaiveDate, months: i32) -> NaiveDate {
    let first = day.with_day(1).expect("every month has a first day");
    if months >= 0 {
        first - Months::new(months as u32)
    } else {
        first + Months::new(months.unsigned_abs())
    }
}

/// The last day of a term of `months` months from `start`.
fn term_end(start: NaiveDate, months: u32) -> NaiveDate {
    start + Months::new(months) - Days::new(1)
}

/// Midnight UTC of `day`, in epoch seconds.
fn secs(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp()
}

/// Midnight UTC of `day`, RFC 3339.
fn midnight(day: NaiveDate) -> String {
    format!("{day}T00:00:00Z")
}

fn emit(
    progress: &mut dyn FnMut(&DemoProgress),
    step: DemoStep,
    label: &str,
    done: u64,
    total: u64,
) {
    progress(&DemoProgress {
        step,
        step_number: step.number(),
        steps: DemoStep::ALL.len() as u32,
        label: label.to_string(),
        done,
        total,
    });
}

/// Progress of a count up to `total`: about fifty reports, and the last.
struct Ticker {
    step: DemoStep,
    label: String,
    total: u64,
    every: u64,
    next: u64,
}

impl Ticker {
    fn new(step: DemoStep, label: String, total: u64) -> Ticker {
        Ticker {
            step,
            label,
            total,
            every: (total / 50).max(1),
            next: 0,
        }
    }

    fn tick(&mut self, done: u64, progress: &mut dyn FnMut(&DemoProgress)) {
        if done >= self.next || done == self.total {
            self.next = done - done % self.every + self.every;
            emit(progress, self.step, &self.label, done, self.total);
        }
    }
}

/// The steps' state while seeding.
struct Seeder<'a> {
    store: &'a Store,
    secrets: Secrets,
    sizes: DemoSizes,
    dir: PathBuf,
    today: NaiveDate,
    progress: &'a mut dyn FnMut(&DemoProgress),
    files: Vec<DemoFile>,
    events: u64,
    posts: u64,
}

/// One deal the demo makes: its partner, terms and fees.
struct Script {
    shape: DemoShape,
    partner: PartnerInput,
    title: &'static str,
    purposes: Vec<Purpose>,
    start: NaiveDate,
    end: NaiveDate,
    territory: &'static str,
    retention_days: Option<i64>,
    withdrawal_days: Option<i64>,
    attribution_required: bool,
    notes: &'static str,
    fees: FeeInput,
}

fn partner_input(
    name: &str,
    kind: &str,
    country: &str,
    contact: &str,
    notes: &str,
) -> PartnerInput {
    PartnerInput {
        name: name.into(),
        kind: kind.into(),
        country: Some(country.into()),
        contact: Some(contact.into()),
        notes: Some(notes.into()),
    }
}

fn fees(currency: &str, annual: &str, escalator: &str, billing: &str, terms: i64) -> FeeInput {
    FeeInput {
        currency: currency.into(),
        annual_fee: annual.into(),
        escalator_pct: Some(escalator.into()),
        billing: Some(billing.into()),
        terms_days: Some(terms),
        recognition: Some("ratable".into()),
        ..Default::default()
    }
}

const FICTIONAL: &str = "Fictional: made by `consentry demo seed`.";

/// How a deal's invoices are settled: all paid a few weeks after issue but for the
/// `open` most recent ones; with `partial`, the oldest of those is two-thirds paid.
struct Settle {
    open: usize,
    partial: bool,
}

impl Seeder<'_> {
    fn step(&mut self, step: DemoStep, label: &str, done: u64, total: u64) {
        emit(self.progress, step, label, done, total);
    }

    fn run(&mut self) -> Result<DemoReport> {
        let today = self.today;
        let opt_out_from = month_start(today, 25);
        // Cut-offs of the snapshots: the API deal's first, the licence's, the API
        // deal's second.
        let cutoffs = [38, 21, 7].map(|days| today - Days::new(days));

        // 1-3: the files.
        let people = self.registry()?;
        self.ledger(&people, (secs(opt_out_from), secs(cutoffs[0])))?;
        let posts = self.posts(&people)?;

        // 4: consent.
        self.consent(opt_out_from)?;

        // 5: partners and deals. Payment dates are drawn from one stream throughout.
        let mut rng = people::stream(self.sizes.seed, people::FINANCE_STREAM);
        let made = self.deals(&mut rng)?;
        let id = |shape| {
            made.iter()
                .find(|d| d.shape == shape)
                .expect("every shape is made")
                .deal_id
        };
        let (licence, api) = (id(DemoShape::TrainingAndSearch), id(DemoShape::ApiAccess));

        // 6: snapshots.
        let plan = [(api, cutoffs[0]), (licence, cutoffs[1]), (api, cutoffs[2])];
        let mut snapshots = Vec::new();
        for (n, (deal, cutoff)) in plan.iter().enumerate() {
            snapshots.push(self.snapshot(&posts, *deal, *cutoff, n + 1, plan.len())?);
        }

        // 7: deliveries.
        let mut deliveries = Vec::new();
        for (n, s) in snapshots.iter().enumerate() {
            self.step(
                DemoStep::Deliveries,
                &format!(
                    "Signing and packaging delivery {} of {}",
                    n + 1,
                    snapshots.len()
                ),
                n as u64,
                snapshots.len() as u64,
            );
            let out = self
                .dir
                .join("deliveries")
                .join(format!("deal-{}-snapshot-{}", s.deal_id, s.snapshot_id));
            deliveries.push(delivery::create(
                self.store,
                self.secrets,
                DeliveryRequest {
                    deal_id: s.deal_id,
                    snapshot_id: s.snapshot_id,
                    out: out.display().to_string(),
                    platform: None,
                },
            )?);
        }
        self.step(
            DemoStep::Deliveries,
            "Deliveries signed",
            deliveries.len() as u64,
            deliveries.len() as u64,
        );

        // 8: invoices, payments, FX rates (the expired deal was billed before it expired).
        let billed = [
            (
                licence,
                Settle {
                    open: 1,
                    partial: true,
                },
            ),
            // Two delivery invoices and the last three months' fees.
            (
                api,
                Settle {
                    open: 5,
                    partial: false,
                },
            ),
            (
                id(DemoShape::Renewal),
                Settle {
                    open: 1,
                    partial: false,
                },
            ),
        ];
        for (n, (deal, settle)) in billed.iter().enumerate() {
            self.step(
                DemoStep::Finance,
                "Issuing invoices through today and recording payments",
                n as u64,
                billed.len() as u64,
            );
            self.bill(*deal, settle, &mut rng)?;
        }
        self.fx_rates(&mut rng)?;
        self.step(DemoStep::Finance, "Invoices and payments recorded", 3, 3);

        // 9: after the deliveries.
        let changes_from = secs(cutoffs[2]) + 3600;
        self.after_deliveries(&people, &snapshots, (changes_from, secs(today)))?;

        self.report(made, snapshots, deliveries)
    }

    fn create(&mut self, name: &str) -> Result<(PathBuf, BufWriter<File>)> {
        let path = self.dir.join(name);
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot create {}", shown(&path)), e))?;
        Ok((path, BufWriter::with_capacity(1 << 20, file)))
    }

    fn finish(&mut self, name: &str, path: &Path, out: BufWriter<File>, rows: u64) -> Result<()> {
        let io = |e| Error::io(format!("cannot write {}", shown(path)), e);
        // Not fsynced: these are inputs, made again from the seed; what the store
        // keeps of them (imports, sealed snapshots) is durable as always.
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        let bytes = file.metadata().map_err(io)?.len();
        self.files.push(DemoFile {
            name: name.to_string(),
            bytes,
            rows,
        });
        Ok(())
    }

    fn registry(&mut self) -> Result<Vec<people::Person>> {
        let people = people::people(self.sizes.users, self.sizes.seed, self.today);
        let (path, mut out) = self.create(REGISTRY)?;
        let label = format!("Writing {} users to {REGISTRY}", people.len());
        let mut ticker = Ticker::new(DemoStep::Registry, label, people.len() as u64);
        let progress = &mut *self.progress;
        people::write_registry(&people, &mut out, &mut |n| ticker.tick(n, progress))
            .map_err(|e| Error::io(format!("cannot write {}", shown(&path)), e))?;
        self.finish(REGISTRY, &path, out, people.len() as u64)?;
        Ok(people)
    }

    fn ledger(&mut self, people: &[people::Person], range: (i64, i64)) -> Result<()> {
        let policy = policy::policy(self.store)?;
        let opt_in: Vec<bool> = people::COUNTRIES
            .iter()
            .map(|(c, _)| policy.opt_in_countries.iter().any(|o| o == c))
            .collect();
        let (path, mut out) = self.create(LEDGER)?;
        let label = format!(
            "Writing the consent decisions of {} users to {LEDGER}",
            people.len()
        );
        let mut ticker = Ticker::new(DemoStep::Ledger, label, people.len() as u64);
        let progress = &mut *self.progress;
        let rows = people::write_ledger(
            people,
            &opt_in,
            self.sizes.seed,
            range,
            &mut out,
            &mut |n| ticker.tick(n, progress),
        )
        .map_err(|e| Error::io(format!("cannot write {}", shown(&path)), e))?;
        self.finish(LEDGER, &path, out, rows)
    }

    fn posts(&mut self, people: &[people::Person]) -> Result<PathBuf> {
        let (path, mut out) = self.create(POSTS)?;
        let count = self.sizes.posts;
        let mut ticker = Ticker::new(
            DemoStep::Posts,
            format!("Writing {count} posts to {POSTS}"),
            count,
        );
        let progress = &mut *self.progress;
        let from = secs(self.today - Days::new(3 * 365));
        let written = posts::write_posts(
            count,
            people.len() as u64,
            self.sizes.seed,
            (from, secs(self.today)),
            &mut out,
            &mut |n| ticker.tick(n, progress),
        )
        .map_err(|e| Error::io(format!("cannot write {}", shown(&path)), e))?;
        self.posts = written.lines;
        self.finish(POSTS, &path, out, written.lines)?;
        Ok(path)
    }

    fn consent(&mut self, opt_out_from: NaiveDate) -> Result<()> {
        let label = "Importing the registry and the ledger";
        self.step(DemoStep::Consent, label, 0, 3);
        imports::import_registry(
            self.store,
            &self.dir.join(REGISTRY),
            &ImportOptions::default(),
        )?;
        self.step(DemoStep::Consent, label, 1, 3);
        // Sharing began before users could opt out (the X case): records older than
        // the opt-out setting need an explicit allow.
        policy::set_policy(
            self.store,
            &PolicyInput {
                opt_out_available_from: Some(opt_out_from.to_string()),
                notice_days: Some(30),
                ..Default::default()
            },
        )?;
        self.step(DemoStep::Consent, label, 2, 3);
        let r = imports::import_ledger(
            self.store,
            &self.dir.join(LEDGER),
            &ImportOptions::default(),
        )?;
        self.events += r.added;
        self.step(
            DemoStep::Consent,
            "Registry, policy and ledger in the store",
            3,
            3,
        );
        Ok(())
    }

    /// The five deals, each through its lifecycle; the expired one is billed and paid
    /// before it expires (an expired deal takes no new invoices), then renewed.
    fn deals(&mut self, rng: &mut ChaCha8Rng) -> Result<Vec<DemoDeal>> {
        let today = self.today;
        let scripts = scripts(today);
        let total = scripts.len() as u64 + 1;
        let mut made = Vec::new();
        for (n, s) in scripts.into_iter().enumerate() {
            self.step(
                DemoStep::Deals,
                &format!("Deal: {}", s.title),
                n as u64,
                total,
            );
            let p = partner::create(self.store, s.partner.clone())?;
            let d = deal::create(
                self.store,
                DealInput {
                    partner_id: p.id,
                    title: s.title.into(),
                    purposes: s.purposes.clone(),
                    start_date: s.start.to_string(),
                    end_date: s.end.to_string(),
                    territory: s.territory.into(),
                    exclusive: false,
                    retention_days: s.retention_days,
                    withdrawal_days: s.withdrawal_days,
                    attribution_required: s.attribution_required,
                    sublicensing_allowed: false,
                    notes: Some(format!("{} {FICTIONAL}", s.notes)),
                },
            )?;
            finance::set_fees(self.store, d.id, s.fees.clone())?;
            let moves: &[DealStatus] = match s.shape {
                DemoShape::Research => &[DealStatus::Negotiating],
                _ => &[
                    DealStatus::Negotiating,
                    DealStatus::Signed,
                    DealStatus::Active,
                ],
            };
            for to in moves {
                deal::transition(self.store, d.id, *to)?;
            }
            made.push(DemoDeal {
                deal_id: d.id,
                shape: s.shape,
                title: d.title.clone(),
                partner_name: p.name.clone(),
                status: *moves.last().expect("a move"),
                snapshots: Vec::new(),
                deliveries: Vec::new(),
                invoices: 0,
                pending_withdrawals: 0,
            });
            if s.shape == DemoShape::Expired {
                // Its final invoice is still unpaid, long past due.
                self.bill(
                    d.id,
                    &Settle {
                        open: 1,
                        partial: false,
                    },
                    rng,
                )?;
                deal::transition(self.store, d.id, DealStatus::Expired)?;
                made.last_mut().expect("pushed").status = DealStatus::Expired;
                let renewal = self.renew(d.id)?;
                made.push(DemoDeal {
                    deal_id: renewal.id,
                    shape: DemoShape::Renewal,
                    title: renewal.title,
                    partner_name: renewal.partner_name,
                    status: DealStatus::Active,
                    snapshots: Vec::new(),
                    deliveries: Vec::new(),
                    invoices: 0,
                    pending_withdrawals: 0,
                });
            }
        }
        self.step(DemoStep::Deals, "Partners and deals made", total, total);
        Ok(made)
    }

    /// Renews the expired deal for the next term, at a new price agreed in
    /// negotiation, and makes it active.
    fn renew(&mut self, expired: DealId) -> Result<deal::Deal> {
        let renewal = deal::renew(self.store, expired, RenewInput::default())?;
        finance::set_fees(
            self.store,
            renewal.id,
            fees("USD", "6000000.00", "4", "quarterly", 45),
        )?;
        for to in [
            DealStatus::Negotiating,
            DealStatus::Signed,
            DealStatus::Active,
        ] {
            deal::transition(self.store, renewal.id, to)?;
        }
        deal::get(self.store, renewal.id)
    }

    fn snapshot(
        &mut self,
        source: &Path,
        deal: DealId,
        cutoff: NaiveDate,
        n: usize,
        of: usize,
    ) -> Result<Snapshot> {
        let mut request = BuildRequest::new(deal, &source.display().to_string(), &midnight(cutoff));
        request.out = Some(
            self.dir
                .join("snapshots")
                .join(format!("deal-{deal}-as-of-{cutoff}"))
                .display()
                .to_string(),
        );
        let label = format!("Building snapshot {n} of {of} (deal {deal}, as of {cutoff})");
        self.step(DemoStep::Snapshots, &label, 0, 0);
        let progress = &mut *self.progress;
        snapshot::build(
            self.store,
            &request,
            &mut |p| {
                emit(
                    progress,
                    DemoStep::Snapshots,
                    &label,
                    p.bytes_read,
                    p.bytes_total,
                )
            },
            &AtomicBool::new(false),
        )
    }

    /// Issues a deal's invoices through today and pays them as `settle` says, each a
    /// few weeks after issue (never after today).
    fn bill(&mut self, deal: DealId, settle: &Settle, rng: &mut ChaCha8Rng) -> Result<()> {
        finance::generate(self.store, deal, Some(self.today))?;
        let invoices = finance::list(self.store, Some(deal), None, Some(self.today))?;
        let paid_through = invoices.len().saturating_sub(settle.open);
        for (i, invoice) in invoices.iter().enumerate() {
            let record = &invoice.record;
            let issued: NaiveDate = finance::date("issue_date", &record.issue_date)?;
            let on = (issued + Days::new(rng.gen_range(12..=40))).min(self.today);
            let currency = Currency::parse("currency", &record.currency)
                .map_err(|e| Error::Invalid(vec![e]))?;
            let amount = if i < paid_through {
                invoice.balance_minor
            } else if i == paid_through && settle.partial {
                // Two-thirds, in whole units.
                let per = currency.minor_per_major();
                invoice.balance_minor * 2 / 3 / per * per
            } else {
                0
            };
            if amount <= 0 {
                continue;
            }
            finance::add_payment(
                self.store,
                PaymentInput {
                    invoice_id: record.id,
                    amount: Money::new(amount, currency).major(),
                    date: on.to_string(),
                    reference: Some(format!("WIRE-{}", record.number)),
                },
            )?;
        }
        Ok(())
    }

    /// Monthly USD to EUR and GBP rates over the demo's three years, from one file.
    fn fx_rates(&mut self, rng: &mut ChaCha8Rng) -> Result<()> {
        let (path, mut out) = self.create(FX_RATES)?;
        let mut rows = 0;
        let mut text = String::from("date,from,to,rate\n");
        for months in (0..=36).rev() {
            let day = month_start(self.today, months);
            let eur = 9000 + rng.gen_range(0..500);
            let gbp = 7700 + rng.gen_range(0..400);
            text.push_str(&format!("{day},USD,EUR,0.{eur}\n{day},USD,GBP,0.{gbp}\n"));
            rows += 2;
        }
        out.write_all(text.as_bytes())
            .map_err(|e| Error::io(format!("cannot write {}", shown(&path)), e))?;
        self.finish(FX_RATES, &path, out, rows)?;
        finance::import_fx(self.store, &path)?;
        Ok(())
    }

    /// Opt-outs and account closures of delivered authors after the cut-offs, imported
    /// as the platform would: a ledger file and a registry file.
    fn after_deliveries(
        &mut self,
        people: &[people::Person],
        snapshots: &[Snapshot],
        range: (i64, i64),
    ) -> Result<()> {
        let label = "Opt-outs and closed accounts after the deliveries";
        self.step(DemoStep::Withdrawals, label, 0, 3);
        let mut delivered = BTreeSet::new();
        for s in snapshots {
            let path = Path::new(&s.out_dir).join(RECORDS_INDEX);
            let io = |e| Error::io(format!("cannot read {}", shown(&path)), e);
            let file = File::open(&path).map_err(io)?;
            for line in BufReader::new(file).lines() {
                let line = line.map_err(io)?;
                if let Ok((author, _)) = serde_json::from_str::<(String, String)>(&line) {
                    delivered.insert(author);
                }
            }
        }
        let delivered: Vec<String> = delivered.into_iter().collect();
        let (ledger_path, mut ledger) = self.create(LEDGER_AFTER)?;
        let (registry_path, mut registry) = self.create(REGISTRY_AFTER)?;
        let changes = people::write_changes(
            people,
            &delivered,
            self.sizes.seed,
            range,
            &mut ledger,
            &mut registry,
        )
        .map_err(|e| Error::io(format!("cannot write {}", shown(&self.dir)), e))?;
        self.finish(LEDGER_AFTER, &ledger_path, ledger, changes.opt_outs)?;
        self.finish(REGISTRY_AFTER, &registry_path, registry, changes.accounts)?;
        self.step(DemoStep::Withdrawals, label, 1, 3);
        let r = imports::import_ledger(self.store, &ledger_path, &ImportOptions::default())?;
        self.events += r.added;
        self.step(DemoStep::Withdrawals, label, 2, 3);
        imports::import_registry(self.store, &registry_path, &ImportOptions::default())?;
        self.step(DemoStep::Withdrawals, label, 3, 3);
        Ok(())
    }

    fn report(
        &mut self,
        mut deals: Vec<DemoDeal>,
        snapshots: Vec<Snapshot>,
        deliveries: Vec<delivery::Delivery>,
    ) -> Result<DemoReport> {
        let invoices = finance::list(self.store, None, None, Some(self.today))?;
        let mut payments = 0;
        for i in &invoices {
            payments += finance::payments(self.store, i.record.id)?.len() as u64;
        }
        for d in &mut deals {
            d.snapshots = snapshots
                .iter()
                .filter(|s| s.deal_id == d.deal_id)
                .map(|s| s.snapshot_id)
                .collect();
            d.deliveries = deliveries
                .iter()
                .filter(|x| x.deal_id == d.deal_id)
                .map(|x| x.delivery_id)
                .collect();
            d.invoices = invoices
                .iter()
                .filter(|i| i.record.deal_id == d.deal_id)
                .count() as u64;
            if !d.deliveries.is_empty() {
                d.pending_withdrawals =
                    crate::withdrawal::pending(self.store, d.deal_id, None)?.len() as u64;
            }
        }
        let mut partners: Vec<_> = partner::list(self.store)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        partners.sort();
        Ok(DemoReport {
            dir: self.dir.display().to_string(),
            seed: self.sizes.seed,
            today: self.today.to_string(),
            users: self.sizes.users,
            events: self.events,
            posts: self.posts,
            files: std::mem::take(&mut self.files),
            partners,
            deals,
            invoices: invoices.len() as u64,
            payments,
            overdue: invoices.iter().filter(|i| i.status == "overdue").count() as u64,
            duration_ms: 0,
        })
    }
}

const REGISTRY: &str = "registry.csv";
const LEDGER: &str = "ledger.csv";
const POSTS: &str = "posts.jsonl";
const FX_RATES: &str = "fx-rates.csv";
const LEDGER_AFTER: &str = "ledger-after-delivery.csv";
const REGISTRY_AFTER: &str = "registry-after-delivery.csv";

/// The demo's deals, in the order they are made; the renewal follows the expired one.
fn scripts(today: NaiveDate) -> Vec<Script> {
    use Purpose::*;
    let licence_start = month_start(today, 14);
    let api_start = month_start(today, 8);
    let research_start = month_start(today, -2);
    let expired_start = month_start(today, 28);
    vec![
        Script {
            shape: DemoShape::TrainingAndSearch,
            partner: partner_input(
                "Lumen Search",
                "search-engine",
                "US",
                "data-partnerships@lumen-search.example",
                FICTIONAL,
            ),
            title: "Generative AI training and search licence",
            purposes: vec![GenaiTraining, Search],
            start: licence_start,
            end: term_end(licence_start, 36),
            territory: "WORLD",
            retention_days: None,
            withdrawal_days: Some(30),
            attribution_required: true,
            notes: "Shaped like a Reddit-Google licence: about $60M a year for training \
                    generative models on public posts and showing them in search, billed \
                    quarterly in advance.",
            fees: fees("USD", "60000000.00", "3", "quarterly", 30),
        },
        Script {
            shape: DemoShape::ApiAccess,
            partner: partner_input(
                "Quillmind Labs",
                "ai-lab",
                "US",
                "api-billing@quillmind.example",
                FICTIONAL,
            ),
            title: "Q&A archive API access",
            purposes: vec![AiTraining, AiInference],
            start: api_start,
            end: term_end(api_start, 24),
            territory: "WORLD",
            retention_days: Some(365),
            withdrawal_days: Some(14),
            attribution_required: true,
            notes: "Usage-priced API access, shaped like Stack Overflow's: a monthly \
                    platform fee plus a fee per 1,000 records delivered, with a minimum \
                    annual guarantee.",
            fees: FeeInput {
                per_1k_records: Some("40.00".into()),
                minimum: Some("250000.00".into()),
                ..fees("USD", "120000.00", "0", "monthly", 30)
            },
        },
        Script {
            shape: DemoShape::Research,
            partner: partner_input(
                "Baltic Institute for Language Research",
                "research",
                "EE",
                "corpus-team@bilr.example",
                FICTIONAL,
            ),
            title: "Dialect corpus for linguistic research",
            purposes: vec![DataMining],
            start: research_start,
            end: term_end(research_start, 12),
            territory: "EE,FI,LT,LV",
            retention_days: Some(730),
            withdrawal_days: Some(30),
            attribution_required: true,
            notes: "Research only: text and data mining, no model training. In \
                    negotiation.",
            fees: fees("EUR", "40000.00", "0", "annual", 30),
        },
        Script {
            shape: DemoShape::Expired,
            partner: partner_input(
                "Parallax AI",
                "ai-lab",
                "GB",
                "licensing@parallax-ai.example",
                FICTIONAL,
            ),
            title: "Grounding licence for answers and search",
            purposes: vec![AiInference, Search],
            start: expired_start,
            end: term_end(expired_start, 24),
            territory: "WORLD",
            retention_days: Some(90),
            withdrawal_days: Some(30),
            attribution_required: true,
            notes: "Two-year licence to ground answers in posts (retrieval at inference \
                    time) and index them. Expired; renewed at a new price.",
            fees: fees("USD", "4800000.00", "0", "quarterly", 45),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_placed_around_today() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(month_start(today, 14).to_string(), "2025-01-01");
        assert_eq!(month_start(today, -2).to_string(), "2026-05-01");
        let s = scripts(today);
        assert_eq!(s[0].end.to_string(), "2027-12-31");
        // The expired deal ended the day before the first of the month four months
        // before today's; its renewal starts that first.
        assert_eq!(s[3].end.to_string(), "2025-10-31");
        assert!(s.iter().all(|s| s.partner.validate().is_ok()));
        assert!(s.iter().all(|s| s.fees.validate().is_ok()));
    }
}
