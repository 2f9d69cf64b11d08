//! The demo's fictional users: the registry (country, birth date, status), their
//! consent decisions over the past two years, and what changes after the deliveries.
//!
//! Everything is drawn from a ChaCha8 stream of the seed (`rand_chacha`, value-stable
//! across platforms and releases of the crate), one stream per file, so that changing
//! the number of posts leaves the registry and the ledger as they were. Dates are
//! placed relative to `today`, the only input besides the seed and the sizes.

use std::io::{self, Write};

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::consent::{AccountStatus, Decision};
use crate::purpose::Purpose;

/// The generator of one stream of the seed.
pub(super) fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Stream numbers: one per thing drawn.
pub(super) const USERS_STREAM: u64 = 1;
pub(super) const LEDGER_STREAM: u64 = 2;
pub(super) const POSTS_STREAM: u64 = 3;
pub(super) const FINANCE_STREAM: u64 = 4;
pub(super) const CHANGES_STREAM: u64 = 5;

/// Where users live, per mille: about a third in the default opt-in countries (EEA,
/// GB, CH), the rest in opt-out countries.
pub(super) const COUNTRIES: &[(&str, u32)] = &[
    ("US", 380),
    ("CA", 45),
    ("GB", 70),
    ("DE", 60),
    ("FR", 40),
    ("NL", 20),
    ("SE", 15),
    ("ES", 25),
    ("IT", 25),
    ("PL", 20),
    ("IE", 10),
    ("AT", 8),
    ("BE", 10),
    ("DK", 7),
    ("FI", 7),
    ("NO", 7),
    ("CH", 8),
    ("PT", 8),
    ("IN", 70),
    ("BR", 45),
    ("MX", 20),
    ("AU", 35),
    ("JP", 20),
    ("PH", 15),
    ("NZ", 10),
    ("ZA", 10),
    ("SG", 10),
];

const ADJECTIVES: &[&str] = &[
    "quiet", "brave", "lucky", "sleepy", "curious", "rusty", "sunny", "salty", "clever", "lazy",
    "cosmic", "gentle", "wild", "tiny", "grumpy", "happy", "misty", "noisy", "proud", "silver",
];

const NOUNS: &[&str] = &[
    "otter", "falcon", "badger", "teapot", "walrus", "pixel", "comet", "maple", "heron", "lynx",
    "pancake", "cactus", "turnip", "raven", "beetle", "koala", "narwhal", "pebble", "quokka",
    "yak",
];

/// The user id of the `index`-th user: `quiet_otter_42`; unique by its number.
pub(super) fn user_id(index: usize) -> String {
    let a = ADJECTIVES[index % ADJECTIVES.len()];
    let n = NOUNS[(index / ADJECTIVES.len()) % NOUNS.len()];
    format!("{a}_{n}_{index}")
}

/// The index of a user id made by [`user_id`].
pub(super) fn user_index(id: &str) -> Option<usize> {
    let index: usize = id.rsplit('_').next()?.parse().ok()?;
    (user_id(index) == id).then_some(index)
}

/// One registry user, compactly: the id is [`user_id`] of its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Person {
    /// Index into [`COUNTRIES`].
    pub country: u8,
    /// `None`: the registry does not know it (the user's records are `age_unknown`).
    pub birth_date: Option<NaiveDate>,
    /// As the first registry import has it.
    pub status: AccountStatus,
}

impl Person {
    pub fn country(&self) -> &'static str {
        COUNTRIES[usize::from(self.country)].0
    }
}

/// `count` users: 2% without a birth date, 3.5% minors (13 to 17), adults 18 to 74
/// (younger ones more often), 2% deleted and 1.5% suspended accounts.
pub(super) fn people(count: u64, seed: u64, today: NaiveDate) -> Vec<Person> {
    let mut rng = stream(seed, USERS_STREAM);
    let total: u32 = COUNTRIES.iter().map(|c| c.1).sum();
    (0..count)
        .map(|_| {
            let mut pick = rng.gen_range(0..total);
            let country = COUNTRIES
                .iter()
                .position(|(_, weight)| {
                    if pick < *weight {
                        true
                    } else {
                        pick -= weight;
                        false
                    }
                })
                .expect("the weights sum to the total") as u8;
            let birth_date = match rng.gen_range(0..1000) {
                0..=19 => None,
                20..=54 => {
                    let age = rng.gen_range(13..18);
                    Some(born(&mut rng, today, age))
                }
                _ => {
                    let age = 18 + rng.gen_range(0..57).min(rng.gen_range(0..57));
                    Some(born(&mut rng, today, age))
                }
            };
            let status = match rng.gen_range(0..1000) {
                0..=19 => AccountStatus::Deleted,
                20..=34 => AccountStatus::Suspended,
                _ => AccountStatus::Active,
            };
            Person {
                country,
                birth_date,
                status,
            }
        })
        .collect()
}

/// A birth date of someone `age` years old today (any day of that year of their life).
fn born(rng: &mut ChaCha8Rng, today: NaiveDate, age: u32) -> NaiveDate {
    let birthday = today
        .with_year(today.year() - age as i32)
        // 29 February in a common year: the day before.
        .or_else(|| (today - Duration::days(1)).with_year(today.year() - age as i32))
        .expect("a day in a nearby year");
    birthday - Duration::days(rng.gen_range(0..365))
}

/// Writes `registry.csv`: `user_id,country,birth_date,status`, one row per user.
pub(super) fn write_registry(
    people: &[Person],
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    writeln!(out, "user_id,country,birth_date,status")?;
    for (i, p) in people.iter().enumerate() {
        write_user(out, i, p, p.status)?;
        progress(i as u64 + 1);
    }
    Ok(())
}

fn write_user(
    out: &mut impl Write,
    index: usize,
    p: &Person,
    status: AccountStatus,
) -> io::Result<()> {
    let birth = p.birth_date.map(|d| d.to_string()).unwrap_or_default();
    writeln!(
        out,
        "{},{},{birth},{}",
        user_id(index),
        p.country(),
        status.token()
    )
}

/// Where users say so in the product: the `source` of their events.
const SOURCES: &[&str] = &[
    "settings-page",
    "mobile-app",
    "privacy-center",
    "consent-banner",
    "support-ticket",
];

/// One consent event, compactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    at: i64,
    user: u32,
    purpose: Purpose,
    decision: Decision,
    source: u8,
}

/// The instant `secs` seconds after the epoch, RFC 3339 UTC.
pub(super) fn rfc3339(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .expect("demo instants are in range")
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes `ledger.csv`: each user's decisions at instants in `from..to` (epoch
/// seconds), in time order. Users in opt-in countries (`opt_in[country]`) mostly
/// allow, in part or in whole, or say nothing (excluded by default); elsewhere a
/// minority denies some purposes, a few change their mind back, and a few allow and
/// deny at the same instant (deny wins). Everywhere, 8% flip one setting two to four
/// times. Returns the events written.
pub(super) fn write_ledger(
    people: &[Person],
    opt_in: &[bool],
    seed: u64,
    (from, to): (i64, i64),
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<u64> {
    use Decision::{Allow, Deny};
    use Purpose::*;
    let mut rng = stream(seed, LEDGER_STREAM);
    let mut events = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let user = i as u32;
        let t1 = rng.gen_range(from..to);
        let t2 = rng.gen_range(t1..to);
        let source = rng.gen_range(0..SOURCES.len()) as u8;
        let mut push = |at: i64, purpose: Purpose, decision: Decision| {
            events.push(Event {
                at,
                user,
                purpose,
                decision,
                source,
            })
        };
        let r = rng.gen_range(0..1000);
        if opt_in[usize::from(p.country)] {
            match r {
                0..=299 => {
                    push(t1, PartnerSharing, Allow);
                    if rng.gen_range(0..100) < 12 {
                        push(t2, GenaiTraining, Deny);
                    }
                }
                300..=369 => push(t1, Search, Allow),
                370..=419 => {
                    push(t1, AiInference, Allow);
                    push(t1, Search, Allow);
                }
                420..=459 => push(t1, AiTraining, Allow),
                460..=499 => push(t1, PartnerSharing, Deny),
                _ => {}
            }
        } else {
            match r {
                0..=69 => {
                    push(t1, PartnerSharing, Deny);
                    if rng.gen_range(0..100) < 25 {
                        push(t2, PartnerSharing, Allow);
                    }
                }
                70..=109 => push(t1, AiTraining, Deny),
                110..=139 => push(t1, GenaiTraining, Deny),
                140..=159 => push(t1, Search, Deny),
                160..=189 => push(t1, PartnerSharing, Allow),
                190..=194 => {
                    // Two devices at the same instant: deny wins.
                    push(t1, AiTraining, Allow);
                    push(t1, AiTraining, Deny);
                }
                _ => {}
            }
        }
        if rng.gen_range(0..100) < 8 {
            // Someone who revisits one setting now and then, wherever they live.
            let purpose = Purpose::ALL[rng.gen_range(0..Purpose::ALL.len())];
            let mut decision = if rng.gen_range(0..2) == 0 {
                Allow
            } else {
                Deny
            };
            let mut at = rng.gen_range(from..to);
            for _ in 0..rng.gen_range(2..=4) {
                push(at, purpose, decision);
                at = rng.gen_range(at..to);
                decision = if decision == Allow { Deny } else { Allow };
            }
        }
        if i % 4096 == 0 {
            progress(i as u64);
        }
    }
    progress(people.len() as u64);
    events.sort_unstable();
    writeln!(out, "user_id,purpose,decision,effective_at,source")?;
    for e in &events {
        write_event(out, &user_id(e.user as usize), e)?;
    }
    Ok(events.len() as u64)
}

fn write_event(out: &mut impl Write, user: &str, e: &Event) -> io::Result<()> {
    writeln!(
        out,
        "{user},{},{},{},{}",
        e.purpose.token(),
        e.decision.token(),
        rfc3339(e.at),
        SOURCES[usize::from(e.source)]
    )
}

/// What changes after the deliveries, among the users whose records were delivered.
pub(super) struct Changes {
    /// Rows written to the ledger file (opt-outs).
    pub opt_outs: u64,
    /// Rows written to the registry file (deleted or suspended accounts).
    pub accounts: u64,
}

/// Writes the opt-outs (`ledger`) and account closures (`registry`) that follow the
/// deliveries: about 2% of the delivered authors (at least one) withdraw consent at an
/// instant in `from..to` (after every delivered snapshot's cut-off, before today), and
/// about 0.4% (at least one, when there are two or more authors) delete or lose their
/// account. `delivered` is the authors' ids, sorted and distinct.
pub(super) fn write_changes(
    people: &[Person],
    delivered: &[String],
    seed: u64,
    (from, to): (i64, i64),
    ledger: &mut impl Write,
    registry: &mut impl Write,
) -> io::Result<Changes> {
    use Decision::Deny;
    use Purpose::*;
    let mut rng = stream(seed, CHANGES_STREAM);
    let mut authors: Vec<(usize, &str)> = delivered
        .iter()
        .filter_map(|id| Some((user_index(id)?, id.as_str())))
        .filter(|(i, _)| *i < people.len())
        .collect();
    authors.shuffle(&mut rng);
    let opting_out = (authors.len() / 50).max(1).min(authors.len());
    let closing = (authors.len() / 250).max(1).min(authors.len() - opting_out);
    let mut events = Vec::with_capacity(opting_out);
    for &(index, _) in &authors[..opting_out] {
        let purpose = match rng.gen_range(0..4) {
            0 | 1 => PartnerSharing,
            2 => AiTraining,
            _ => GenaiTraining,
        };
        events.push(Event {
            at: rng.gen_range(from..to),
            user: index as u32,
            purpose,
            decision: Deny,
            source: rng.gen_range(0..SOURCES.len()) as u8,
        });
    }
    events.sort_unstable();
    writeln!(ledger, "user_id,purpose,decision,effective_at,source")?;
    for e in &events {
        write_event(ledger, &user_id(e.user as usize), e)?;
    }
    let mut closed: Vec<(usize, AccountStatus)> = authors[opting_out..opting_out + closing]
        .iter()
        .map(|&(index, _)| {
            let status = if rng.gen_range(0..4) == 0 {
                AccountStatus::Suspended
            } else {
                AccountStatus::Deleted
            };
            (index, status)
        })
        .collect();
    closed.sort_unstable_by_key(|c| c.0);
    writeln!(registry, "user_id,country,birth_date,status")?;
    for &(index, status) in &closed {
        write_user(registry, index, &people[index], status)?;
    }
    Ok(Changes {
        opt_outs: events.len() as u64,
        accounts: closed.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    #[test]
    fn user_ids_are_unique_and_read_back() {
        let ids: std::collections::HashSet<String> = (0..5000).map(user_id).collect();
        assert_eq!(ids.len(), 5000);
        assert_eq!(user_index(&user_id(4321)), Some(4321));
        assert_eq!(user_index("quiet_otter_7"), None);
        assert_eq!(user_index("[deleted]"), None);
    }

    #[test]
    fn the_weights_make_a_thousand_and_a_third_is_opt_in_by_default() {
        assert_eq!(COUNTRIES.iter().map(|c| c.1).sum::<u32>(), 1000);
        let opt_in: u32 = COUNTRIES
            .iter()
            .filter(|(c, _)| crate::consent::DEFAULT_OPT_IN.contains(c))
            .map(|c| c.1)
            .sum();
        assert_eq!(opt_in, 340);
    }

    #[test]
    fn the_same_seed_and_day_give_the_same_files() {
        let files = |seed| {
            let people = people(3000, seed, today());
            let opt_in: Vec<bool> = COUNTRIES
                .iter()
                .map(|(c, _)| crate::consent::DEFAULT_OPT_IN.contains(c))
                .collect();
            let (mut registry, mut ledger) = (Vec::new(), Vec::new());
            write_registry(&people, &mut registry, &mut |_| {}).unwrap();
            write_ledger(
                &people,
                &opt_in,
                seed,
                (1_700_000_000, 1_770_000_000),
                &mut ledger,
                &mut |_| {},
            )
            .unwrap();
            (registry, ledger)
        };
        assert_eq!(files(7), files(7));
        assert_ne!(files(7), files(8));
    }

    #[test]
    fn the_registry_has_minors_unknown_ages_and_closed_accounts() {
        let people = people(20_000, 1, today());
        let count = |f: &dyn Fn(&Person) -> bool| people.iter().filter(|p| f(p)).count();
        let minor = |p: &Person| {
            p.birth_date
                .is_some_and(|b| crate::consent::age_in_full_years(b, today()) < 18)
        };
        for (what, n) in [
            ("unknown ages", count(&|p| p.birth_date.is_none())),
            ("minors", count(&minor)),
            ("deleted", count(&|p| p.status == AccountStatus::Deleted)),
            (
                "suspended",
                count(&|p| p.status == AccountStatus::Suspended),
            ),
        ] {
            assert!((150..1500).contains(&n), "{what}: {n}");
        }
        assert!(people
            .iter()
            .filter_map(|p| p.birth_date)
            .all(|b| b <= today()));
    }

    #[test]
    fn changes_come_from_the_delivered_authors_after_the_cut_off() {
        let people = people(1000, 1, today());
        let delivered: Vec<String> = (0..500).map(user_id).collect();
        let (mut ledger, mut registry) = (Vec::new(), Vec::new());
        let changes = write_changes(
            &people,
            &delivered,
            1,
            (1_770_000_000, 1_770_500_000),
            &mut ledger,
            &mut registry,
        )
        .unwrap();
        assert_eq!((changes.opt_outs, changes.accounts), (10, 2));
        let ledger = String::from_utf8(ledger).unwrap();
        for line in ledger.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            assert!(delivered.iter().any(|d| d == fields[0]), "{line}");
            assert_eq!(fields[2], "deny");
            assert!(fields[3] >= rfc3339(1_770_000_000).as_str(), "{line}");
        }
        assert_eq!(String::from_utf8(registry).unwrap().lines().count(), 3);
    }
}
