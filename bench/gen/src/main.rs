//! Synthetic, deterministic input for the Consentry snapshot benchmark.
//!
//! Writes three files into `--out`:
//! - `posts.jsonl`: Pushshift-shaped Reddit submissions (`author`, `created_utc`, `id`,
//!   `over_18`, `score`, `selftext`, `subreddit`, `title`, keys in Pushshift's alphabetical
//!   order), about 400 bytes a line, roughly sorted by time over 2022-01-01..2026-02-15,
//!   with a little realistic mess: re-scraped duplicate ids, malformed lines, authors that
//!   are not in the registry (`[deleted]`, `AutoModerator`, vanished accounts);
//! - `users.csv`: the user registry (`user_id,country,birth_date,status`);
//! - `ledger.csv`: consent events (`user_id,purpose,decision,effective_at,source`), sorted
//!   by instant, including allow/deny ties at the same instant and events after the
//!   benchmark's cut-off 2026-01-01T00:00:00Z.
//!
//! The same `--seed`, `--users` and `--posts` give byte-identical files. Users and the
//! ledger depend on `--seed` and `--users` only. No dependencies: a xoshiro256** PRNG.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The benchmark's cut-off instant T: 2026-01-01T00:00:00Z.
const CUTOFF: i64 = 1_767_225_600;
/// Posts are spread over [POSTS_FROM, POSTS_TO): 2022-01-01 .. 2026-02-15.
const POSTS_FROM: i64 = 1_640_995_200;
const POSTS_TO: i64 = 1_771_113_600;
/// Consent events before the cut-off: 2019-01-01 .. T; after it: T .. 2026-07-01.
const LEDGER_FROM: i64 = 1_546_300_800;
const LEDGER_LATE_TO: i64 = 1_782_864_000;

const USAGE: &str = "usage: consentry-bench-gen [--posts N] [--users N] [--seed N] --out DIR
  --posts N   number of post lines (default 2000000)
  --users N   number of registry users (default 500000)
  --seed N    PRNG seed (default 42)
  --out DIR   folder to write posts.jsonl, users.csv, ledger.csv into (created)";

// ---------------------------------------------------------------------------------------
// PRNG

struct Rng([u64; 4]);

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream per (seed, stream) pair.
    fn new(seed: u64, stream: u64) -> Rng {
        let mut s = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng([
            splitmix(&mut s),
            splitmix(&mut s),
            splitmix(&mut s),
            splitmix(&mut s),
        ])
    }

    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks from (item, weight) pairs.
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        &items[items.len() - 1].0
    }
}

// ---------------------------------------------------------------------------------------
// Dates

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_date(out: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// RFC 3339 text of an instant in microseconds, written with the given UTC offset in
/// minutes (0: `Z`) and with the fraction only when `frac` is set.
fn push_instant(out: &mut String, micros: i64, offset_min: i64, frac: bool) {
    let local = micros.div_euclid(1_000_000) + offset_min * 60;
    let us = micros.rem_euclid(1_000_000);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    push_date(out, days);
    let _ = write!(
        out,
        "T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac {
        let _ = write!(out, ".{us:06}");
    }
    if offset_min == 0 {
        out.push('Z');
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        let a = offset_min.abs();
        let _ = write!(out, "{sign}{:02}:{:02}", a / 60, a % 60);
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary

const ADJ: &[&str] = &[
    "Quiet", "Brave", "Lazy", "Happy", "Angry", "Clever", "Silent", "Rusty", "Golden", "Cosmic",
    "Frozen", "Wild", "Sleepy", "Grumpy", "Shiny", "Hidden", "Lucky", "Nimble", "Proud", "Salty",
    "Spicy", "Tiny", "Giant", "Ancient", "Electric", "Velvet", "Crimson", "Azure", "Misty",
    "Stormy", "Hollow", "Sunny", "Witty", "Bold", "Gentle", "Humble", "Jolly", "Mellow", "Noble",
    "Quirky",
];
const NOUN: &[&str] = &[
    "Otter", "Falcon", "Badger", "Panda", "Walrus", "Lynx", "Raven", "Gecko", "Moose", "Ferret",
    "Heron", "Koala", "Lemur", "Marmot", "Narwhal", "Ocelot", "Penguin", "Quokka", "Tapir",
    "Urchin", "Viper", "Wombat", "Yak", "Zebra", "Pixel", "Widget", "Nomad", "Pilot", "Wizard",
    "Gambit", "Comet", "Cactus", "Pretzel", "Waffle", "Noodle", "Turnip", "Biscuit", "Pickle",
    "Muffin", "Taco",
];

/// Plain words (no character that JSON escapes).
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "it",
    "you",
    "that",
    "he",
    "was",
    "for",
    "on",
    "are",
    "with",
    "as",
    "I",
    "his",
    "they",
    "be",
    "at",
    "one",
    "have",
    "this",
    "from",
    "or",
    "had",
    "by",
    "not",
    "word",
    "but",
    "what",
    "some",
    "we",
    "can",
    "out",
    "other",
    "were",
    "all",
    "there",
    "when",
    "up",
    "use",
    "your",
    "how",
    "said",
    "an",
    "each",
    "she",
    "which",
    "do",
    "their",
    "time",
    "if",
    "will",
    "way",
    "about",
    "many",
    "then",
    "them",
    "write",
    "would",
    "like",
    "so",
    "these",
    "her",
    "long",
    "make",
    "thing",
    "see",
    "him",
    "two",
    "has",
    "look",
    "more",
    "day",
    "could",
    "go",
    "come",
    "did",
    "number",
    "sound",
    "no",
    "most",
    "people",
    "my",
    "over",
    "know",
    "water",
    "than",
    "call",
    "first",
    "who",
    "may",
    "down",
    "side",
    "been",
    "now",
    "find",
    "any",
    "new",
    "work",
    "part",
    "take",
    "get",
    "place",
    "made",
    "live",
    "where",
    "after",
    "back",
    "little",
    "only",
    "round",
    "man",
    "year",
    "came",
    "show",
    "every",
    "good",
    "me",
    "give",
    "our",
    "under",
    "name",
    "very",
    "through",
    "just",
    "form",
    "sentence",
    "great",
    "think",
    "say",
    "help",
    "low",
    "line",
    "differ",
    "turn",
    "cause",
    "much",
    "mean",
    "before",
    "move",
    "right",
    "boy",
    "old",
    "too",
    "same",
    "tell",
    "does",
    "set",
    "three",
    "want",
    "air",
    "well",
    "also",
    "play",
    "small",
    "end",
    "put",
    "home",
    "read",
    "hand",
    "port",
    "large",
    "spell",
    "add",
    "even",
    "land",
    "here",
    "must",
    "big",
    "high",
    "such",
    "follow",
    "act",
    "why",
    "ask",
    "men",
    "change",
    "went",
    "light",
    "kind",
    "off",
    "need",
    "house",
    "picture",
    "try",
    "us",
    "again",
    "animal",
    "point",
    "mother",
    "world",
    "near",
    "build",
    "self",
    "earth",
    "father",
    "keyboard",
    "laptop",
    "server",
    "database",
    "budget",
    "landlord",
    "recipe",
    "garden",
    "bicycle",
    "guitar",
    "update",
    "patch",
    "league",
    "season",
    "trade",
    "rent",
    "mortgage",
    "vacation",
    "airport",
    "coffee",
    "dinner",
    "doctor",
    "insurance",
    "warranty",
    "router",
    "compiler",
    "deadline",
    "interview",
    "resume",
    "salary",
    "apartment",
    "neighbor",
    "café",
    "naïve",
    "über",
    "jalapeño",
    "Zürich",
    "São",
    "Paulo",
    "日本",
    "ß",
    "ümlaut",
    "🙂",
    "🔥",
    "😂",
    "—",
    "…",
];
/// Fragments written into JSON strings as they are: escapes.
const ESCAPED: &[&str] = &[
    "\\\"quoted\\\"",
    "caf\\u00e9",
    "\\ud83d\\ude00",
    "back\\\\slash",
    "http:\\/\\/example.com\\/a",
    "tab\\there",
    "&amp;",
    "\\u2014",
];
const SUBREDDITS: &[(&str, u32)] = &[
    ("AskReddit", 120),
    ("worldnews", 40),
    ("news", 30),
    ("gaming", 40),
    ("pics", 30),
    ("funny", 30),
    ("todayilearned", 25),
    ("explainlikeimfive", 20),
    ("personalfinance", 20),
    ("relationship_advice", 25),
    ("AmItheAsshole", 25),
    ("NoStupidQuestions", 20),
    ("programming", 15),
    ("rust", 6),
    ("Python", 10),
    ("learnprogramming", 12),
    ("science", 15),
    ("movies", 15),
    ("books", 10),
    ("Cooking", 10),
    ("fitness", 10),
    ("buildapc", 15),
    ("techsupport", 15),
    ("soccer", 15),
    ("nba", 15),
    ("europe", 10),
    ("de", 6),
    ("france", 6),
    ("unitedkingdom", 8),
    ("india", 8),
    ("Brazil", 5),
    ("japan", 5),
    ("legaladvice", 12),
    ("DIY", 8),
    ("gardening", 6),
    ("MachineLearning", 6),
    ("datasets", 2),
];

/// Registry countries in per-mille; the opt-in ones (EEA + GB + CH) add up to 300.
const COUNTRIES: &[(&str, u32)] = &[
    ("GB", 80),
    ("DE", 60),
    ("FR", 40),
    ("NL", 20),
    ("ES", 20),
    ("IT", 20),
    ("PL", 15),
    ("SE", 10),
    ("IE", 8),
    ("BE", 6),
    ("AT", 5),
    ("DK", 4),
    ("FI", 4),
    ("NO", 4),
    ("PT", 3),
    ("CH", 1),
    ("US", 370),
    ("CA", 60),
    ("IN", 50),
    ("AU", 40),
    ("BR", 40),
    ("MX", 20),
    ("PH", 20),
    ("JP", 10),
    ("NG", 10),
    ("ZA", 10),
    ("AR", 10),
    ("NZ", 10),
    ("SG", 10),
    ("TR", 10),
    ("KR", 10),
    ("UA", 10),
    ("IL", 5),
    ("AE", 5),
];
const OPT_IN: &[&str] = &[
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU",
    "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

const PURPOSES: &[(&str, u32)] = &[
    ("partner-sharing", 20),
    ("ai-training", 25),
    ("genai-training", 25),
    ("ai-inference", 10),
    ("search", 10),
    ("data-mining", 10),
];
const SOURCES: &[&str] = &[
    "settings-page",
    "signup",
    "privacy-center",
    "support-ticket",
    "gdpr-request",
    "mobile-app",
    "api",
];

// ---------------------------------------------------------------------------------------
// Registry and ledger

#[derive(Default)]
struct UserStats {
    users: u64,
    opt_in: u64,
    deleted: u64,
    suspended: u64,
    no_birth_date: u64,
    minors: u64,
    edge_birth_dates: u64,
    lowercase_country: u64,
}

fn user_name(rng: &mut Rng, idx: usize) -> String {
    let adj = rng.pick(ADJ);
    let noun = rng.pick(NOUN);
    match rng.below(4) {
        0 => format!("{adj}{noun}{idx}"),
        1 => format!("{}_{}_{idx}", adj.to_lowercase(), noun.to_lowercase()),
        2 => format!("{}{idx}", noun.to_lowercase()),
        _ => format!("{adj}-{noun}-{idx}"),
    }
}

fn write_users(path: &Path, seed: u64, n: usize) -> std::io::Result<(Vec<String>, UserStats)> {
    let mut rng = Rng::new(seed, 1);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(b"user_id,country,birth_date,status\n")?;
    let mut names = Vec::with_capacity(n);
    let mut st = UserStats::default();
    let cutoff_day = CUTOFF / 86_400;
    // The day someone must be born on or before to be 18 at T (2008-01-01).
    let adult_by = days_from_civil(2008, 1, 1);
    let mut line = String::new();
    for idx in 0..n {
        let name = user_name(&mut rng, idx);
        let mut country = (*rng.weighted(COUNTRIES)).to_string();
        if OPT_IN.contains(&country.as_str()) {
            st.opt_in += 1;
        }
        if rng.chance(0.01) {
            country = country.to_lowercase();
            st.lowercase_country += 1;
        }
        // Ages around the 18th birthday at T, and 29 February births.
        let edge = [
            (2008, 1, 1),
            (2008, 1, 2),
            (2007, 12, 31),
            (2008, 2, 29),
            (2004, 2, 29),
            (2007, 3, 1),
        ];
        let r = rng.unit();
        let birth = if idx % 500 < edge.len() && idx >= 500 {
            st.edge_birth_dates += 1;
            let (y, m, d) = edge[idx % 500];
            Some(days_from_civil(y, m, d))
        } else if r < 0.04 {
            None
        } else if r < 0.11 {
            // 13 to 17 at T.
            Some(rng.range(adult_by + 1, days_from_civil(2013, 1, 1)))
        } else {
            // Adults, most of them 18 to 45.
            let years = (rng.unit() + rng.unit() + rng.unit()) * 18.0;
            let day = adult_by - (years * 365.25) as i64;
            Some(day.max(days_from_civil(1935, 1, 1)))
        };
        match birth {
            None => st.no_birth_date += 1,
            Some(b) if b > adult_by => st.minors += 1,
            Some(_) => {}
        }
        debug_assert!(cutoff_day > adult_by);
        let r = rng.unit();
        let status = if r < 0.03 {
            st.deleted += 1;
            "deleted"
        } else if r < 0.04 {
            st.suspended += 1;
            "suspended"
        } else {
            "active"
        };
        line.clear();
        line.push_str(&name);
        line.push(',');
        line.push_str(&country);
        line.push(',');
        if let Some(b) = birth {
            push_date(&mut line, b);
        }
        line.push(',');
        line.push_str(status);
        line.push('\n');
        out.write_all(line.as_bytes())?;
        names.push(name);
    }
    st.users = n as u64;
    out.flush()?;
    Ok((names, st))
}

struct Event {
    micros: i64,
    /// Index into the registry, or a user that is not in it (`ghost_<n>`).
    user: Result<u32, u32>,
    purpose: u8,
    deny: bool,
    offset_min: i16,
    frac: bool,
    source: u8,
}

#[derive(Default)]
struct LedgerStats {
    events: u64,
    users_with_events: u64,
    allow: u64,
    deny: u64,
    after_cutoff: u64,
    at_cutoff: u64,
    ties: u64,
    unknown_users: u64,
    with_offset: u64,
    with_fraction: u64,
}

fn write_ledger(path: &Path, seed: u64, names: &[String]) -> std::io::Result<LedgerStats> {
    let mut rng = Rng::new(seed, 2);
    let mut st = LedgerStats::default();
    let mut events: Vec<Event> = Vec::new();
    let time = |rng: &mut Rng, st: &mut LedgerStats| -> i64 {
        let r = rng.unit();
        let secs = if r < 0.001 {
            st.at_cutoff += 1;
            CUTOFF
        } else if r < 0.002 {
            CUTOFF + 1
        } else if r < 0.08 {
            rng.range(CUTOFF, LEDGER_LATE_TO)
        } else {
            rng.range(LEDGER_FROM, CUTOFF)
        };
        secs * 1_000_000
    };
    let event = |rng: &mut Rng, micros: i64, user: Result<u32, u32>, purpose: u8, deny: bool| {
        let r = rng.unit();
        let (frac, micros) = if r < 0.02 {
            (true, micros + rng.range(1, 1_000_000))
        } else {
            (false, micros)
        };
        let offset_min = if rng.chance(0.03) {
            *rng.pick(&[-480i16, -300, -240, 60, 120, 330, 540, 600])
        } else {
            0
        };
        Event {
            micros,
            user,
            purpose,
            deny,
            offset_min,
            frac,
            source: rng.below(SOURCES.len() as u64) as u8,
        }
    };
    let purpose_idx = |rng: &mut Rng| -> u8 {
        let p = rng.weighted(PURPOSES);
        PURPOSES.iter().position(|(q, _)| q == p).unwrap() as u8
    };
    for u in 0..names.len() as u32 {
        if !rng.chance(0.45) {
            continue;
        }
        st.users_with_events += 1;
        let mut n = 1;
        while n < 6 && rng.chance(0.5) {
            n += 1;
        }
        for _ in 0..n {
            let at = time(&mut rng, &mut st);
            let p = purpose_idx(&mut rng);
            let deny = rng.chance(0.45);
            events.push(event(&mut rng, at, Ok(u), p, deny));
        }
        if rng.chance(0.04) {
            // Two events for one purpose at the same instant: deny must win.
            st.ties += 1;
            let at = time(&mut rng, &mut st);
            let p = purpose_idx(&mut rng);
            let first_deny = rng.chance(0.5);
            let mut a = event(&mut rng, at, Ok(u), p, first_deny);
            a.frac = false;
            a.offset_min = 0;
            let mut b = event(&mut rng, at, Ok(u), p, !first_deny);
            b.frac = false;
            b.offset_min = if rng.chance(0.5) { 60 } else { 0 };
            events.push(a);
            events.push(b);
        }
    }
    // Events of users the registry does not know.
    for _ in 0..(names.len() / 200).max(1) {
        let at = time(&mut rng, &mut st);
        let p = purpose_idx(&mut rng);
        let deny = rng.chance(0.5);
        let g = rng.below(100_000) as u32;
        events.push(event(&mut rng, at, Err(g), p, deny));
        st.unknown_users += 1;
    }
    // A ledger export is in time order; equal instants keep their (random) order.
    events.sort_by_key(|e| e.micros);

    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(b"user_id,purpose,decision,effective_at,source\n")?;
    let mut line = String::new();
    for e in &events {
        line.clear();
        match e.user {
            Ok(u) => line.push_str(&names[u as usize]),
            Err(g) => {
                let _ = write!(line, "ghost_{g}");
            }
        }
        line.push(',');
        line.push_str(PURPOSES[e.purpose as usize].0);
        line.push(',');
        line.push_str(if e.deny { "deny" } else { "allow" });
        line.push(',');
        push_instant(&mut line, e.micros, i64::from(e.offset_min), e.frac);
        line.push(',');
        line.push_str(SOURCES[e.source as usize]);
        line.push('\n');
        out.write_all(line.as_bytes())?;
        st.events += 1;
        if e.deny {
            st.deny += 1;
        } else {
            st.allow += 1;
        }
        if e.micros > CUTOFF * 1_000_000 {
            st.after_cutoff += 1;
        }
        if e.offset_min != 0 {
            st.with_offset += 1;
        }
        if e.frac {
            st.with_fraction += 1;
        }
    }
    out.flush()?;
    Ok(st)
}

// ---------------------------------------------------------------------------------------
// Posts

#[derive(Clone, Copy)]
enum Author {
    User(u32),
    Deleted,
    AutoModerator,
    Ghost(u32),
}

#[derive(Default)]
struct PostStats {
    lines: u64,
    bytes: u64,
    duplicate_lines: u64,
    duplicate_other_author: u64,
    malformed: u64,
    truncated: u64,
    repaired_after_malformed: u64,
    deleted_author: u64,
    automoderator: u64,
    ghost_author: u64,
    after_cutoff: u64,
    at_cutoff: u64,
}

fn push_base36(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 16];
    let mut k = digits.len();
    loop {
        k -= 1;
        digits[k] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[k..]);
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    let _ = write!(out, "{n}");
}

/// Words (already valid JSON string content) separated by spaces, with the odd escape.
fn push_text(rng: &mut Rng, out: &mut Vec<u8>, words: u64, paragraphs: bool) {
    for w in 0..words {
        if w > 0 {
            if paragraphs && rng.chance(0.02) {
                out.extend_from_slice(b"\\n\\n");
            } else {
                out.push(b' ');
            }
        }
        if rng.chance(0.004) {
            out.extend_from_slice(rng.pick(ESCAPED).as_bytes());
        } else {
            let word = rng.pick(WORDS);
            if w == 0 {
                let mut c = word.chars();
                if let Some(f) = c.next() {
                    let mut s = f.to_uppercase().to_string();
                    s.push_str(c.as_str());
                    out.extend_from_slice(s.as_bytes());
                    continue;
                }
            }
            out.extend_from_slice(word.as_bytes());
        }
    }
}

#[derive(Clone, Copy)]
struct Post {
    id: u64,
    author: Author,
    created: i64,
}

fn author_name<'a>(names: &'a [String], a: Author, scratch: &'a mut String) -> &'a str {
    match a {
        Author::User(u) => &names[u as usize],
        Author::Deleted => "[deleted]",
        Author::AutoModerator => "AutoModerator",
        Author::Ghost(g) => {
            scratch.clear();
            let _ = write!(scratch, "throwaway_{g}");
            scratch
        }
    }
}

/// How a malformed line is broken.
#[derive(Clone, Copy, PartialEq)]
enum Break {
    None,
    Truncate,
    NumericId,
    NullCreated,
    NoAuthor,
}

fn push_post(
    rng: &mut Rng,
    out: &mut Vec<u8>,
    names: &[String],
    p: &Post,
    brk: Break,
    scratch: &mut String,
) {
    out.clear();
    if brk != Break::NoAuthor {
        out.extend_from_slice(b"{\"author\":\"");
        out.extend_from_slice(author_name(names, p.author, scratch).as_bytes());
        out.extend_from_slice(b"\",");
    } else {
        out.push(b'{');
    }
    out.extend_from_slice(b"\"created_utc\":");
    if brk == Break::NullCreated {
        out.extend_from_slice(b"null");
    } else {
        push_int(out, p.created);
    }
    out.extend_from_slice(b",\"id\":");
    if brk == Break::NumericId {
        push_int(out, p.id as i64);
    } else {
        out.extend_from_slice(b"\"t3_");
        push_base36(out, p.id);
        out.push(b'"');
    }
    out.extend_from_slice(b",\"over_18\":");
    out.extend_from_slice(if rng.chance(0.03) { b"true" } else { b"false" });
    out.extend_from_slice(b",\"score\":");
    let score = if rng.chance(0.05) {
        -(rng.below(20) as i64)
    } else {
        (rng.unit() * 10.0).exp() as i64 - 1
    };
    push_int(out, score);
    out.extend_from_slice(b",\"selftext\":\"");
    let r = rng.unit();
    if r < 0.35 {
        // A link post.
    } else if r < 0.43 {
        out.extend_from_slice(b"[removed]");
    } else if r < 0.47 {
        out.extend_from_slice(b"[deleted]");
    } else {
        let words = 3 + (-(1.0 - rng.unit()).ln() * 68.0) as u64;
        push_text(rng, out, words.min(4000), true);
    }
    out.extend_from_slice(b"\",\"subreddit\":\"");
    out.extend_from_slice(rng.weighted(SUBREDDITS).as_bytes());
    out.extend_from_slice(b"\",\"title\":\"");
    let words = 3 + rng.below(13);
    push_text(rng, out, words, false);
    if rng.chance(0.3) {
        out.push(b'?');
    }
    out.extend_from_slice(b"\"}");
    if brk == Break::Truncate {
        // Cut somewhere inside, on a character boundary: the object is never closed.
        let mut cut = 10 + rng.below(out.len() as u64 - 12) as usize;
        while out[cut] & 0xC0 == 0x80 {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out.push(b'\n');
}

fn write_posts(path: &Path, seed: u64, n: u64, names: &[String]) -> std::io::Result<PostStats> {
    let mut rng = Rng::new(seed, 3);
    let mut st = PostStats::default();
    let mut out = BufWriter::with_capacity(8 << 20, File::create(path)?);
    let users = names.len() as u64;
    // A bijection of 0..users that scatters the busiest authors over the registry.
    let mut stride = 7_919u64 % users.max(1);
    while users > 1 && gcd(stride, users) != 1 {
        stride += 1;
    }
    let mut next_id: u64 = 36u64.pow(6) * 17; // "t3_h0000" ...
    let mut ring: Vec<Post> = Vec::with_capacity(4096);
    let mut ring_at = 0usize;
    let mut repairs: Vec<Post> = Vec::new();
    let mut line = Vec::with_capacity(64 << 10);
    let mut scratch = String::new();
    let span = POSTS_TO - POSTS_FROM;
    let pick_author = |rng: &mut Rng| -> Author {
        let r = rng.unit();
        if r < 0.025 || users == 0 {
            Author::Deleted
        } else if r < 0.03 {
            Author::AutoModerator
        } else if r < 0.035 {
            Author::Ghost(rng.below(50_000) as u32)
        } else {
            let k = ((rng.unit().powf(1.8)) * users as f64) as u64;
            Author::User(((k.min(users - 1) * stride + 12_345) % users) as u32)
        }
    };
    for i in 0..n {
        let mut created = POSTS_FROM
            + (i128::from(span) * i128::from(i) / i128::from(n)) as i64
            + rng.range(-1800, 1800);
        if (created - CUTOFF).abs() < 1800 && rng.chance(0.3) {
            created = CUTOFF + rng.below(2) as i64;
        }
        let r = rng.unit();
        let mut brk = Break::None;
        let post = if r < 0.0005 && !ring.is_empty() {
            // A re-scrape of a recent post: same id, new score and text; sometimes the
            // author field differs (it was re-attributed or the account renamed).
            let old = &ring[rng.below(ring.len() as u64) as usize];
            st.duplicate_lines += 1;
            let author = if rng.chance(0.3) {
                st.duplicate_other_author += 1;
                pick_author(&mut rng)
            } else {
                old.author
            };
            Post {
                id: old.id,
                author,
                created: old.created,
            }
        } else if r < 0.0007 {
            st.malformed += 1;
            brk = *rng.weighted(&[
                (Break::Truncate, 70),
                (Break::NumericId, 10),
                (Break::NullCreated, 10),
                (Break::NoAuthor, 10),
            ]);
            if brk == Break::Truncate {
                st.truncated += 1;
            }
            let p = Post {
                id: next_id,
                author: pick_author(&mut rng),
                created,
            };
            next_id += 1 + rng.below(3);
            if rng.chance(0.5) {
                repairs.push(p);
            }
            p
        } else if !repairs.is_empty() && rng.chance(0.002) {
            // The well-formed copy of a line that was malformed earlier: its id counts
            // as first seen here.
            st.repaired_after_malformed += 1;
            repairs.remove(0)
        } else {
            let p = Post {
                id: next_id,
                author: pick_author(&mut rng),
                created,
            };
            next_id += 1 + rng.below(3);
            if ring.len() < 4096 {
                ring.push(p);
            } else {
                ring[ring_at] = p;
                ring_at = (ring_at + 1) % 4096;
            }
            p
        };
        if brk == Break::None {
            match post.author {
                Author::Deleted => st.deleted_author += 1,
                Author::AutoModerator => st.automoderator += 1,
                Author::Ghost(_) => st.ghost_author += 1,
                Author::User(_) => {}
            }
            if post.created > CUTOFF {
                st.after_cutoff += 1;
            }
            if post.created == CUTOFF {
                st.at_cutoff += 1;
            }
        }
        push_post(&mut rng, &mut line, names, &post, brk, &mut scratch);
        out.write_all(&line)?;
        st.lines += 1;
        st.bytes += line.len() as u64;
    }
    out.flush()?;
    Ok(st)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

// ---------------------------------------------------------------------------------------

struct Args {
    posts: u64,
    users: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut posts = 2_000_000u64;
    let mut users = 500_000usize;
    let mut seed = 42u64;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        let num = |v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{v}: {e}"))
        };
        match a.as_str() {
            "--posts" => posts = num(value("--posts")?)?,
            "--users" => users = num(value("--users")?)? as usize,
            "--seed" => seed = num(value("--seed")?)?,
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if users == 0 {
        return Err("--users must be at least 1".into());
    }
    let out = out.ok_or("--out DIR is required")?;
    Ok(Args {
        posts,
        users,
        seed,
        out,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: &Args) -> std::io::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&a.out)?;
    let (names, us) = write_users(&a.out.join("users.csv"), a.seed, a.users)?;
    let ls = write_ledger(&a.out.join("ledger.csv"), a.seed, &names)?;
    let ps = write_posts(&a.out.join("posts.jsonl"), a.seed, a.posts, &names)?;
    let pct = |x: u64, of: u64| 100.0 * x as f64 / of.max(1) as f64;
    println!(
        "wrote {} (seed {}) in {:.1} s",
        a.out.display(),
        a.seed,
        started.elapsed().as_secs_f64()
    );
    println!(
        "  users.csv    {} users: {:.1}% in opt-in countries, {} deleted, {} suspended, \
         {} without birth date, {} minors at T, {} on age edges (18th birthday at T, \
         29 February), {} lower-case country codes",
        us.users,
        pct(us.opt_in, us.users),
        us.deleted,
        us.suspended,
        us.no_birth_date,
        us.minors,
        us.edge_birth_dates,
        us.lowercase_country
    );
    println!(
        "  ledger.csv   {} events for {} users ({} allow, {} deny): {} after T, {} at exactly T, \
         {} allow/deny ties, {} of unknown users, {} with a UTC offset, {} with a fraction",
        ls.events,
        ls.users_with_events,
        ls.allow,
        ls.deny,
        ls.after_cutoff,
        ls.at_cutoff,
        ls.ties,
        ls.unknown_users,
        ls.with_offset,
        ls.with_fraction
    );
    println!(
        "  posts.jsonl  {} lines, {} bytes ({:.1} MB, {:.0} bytes/line): {} duplicate-id lines \
         ({} with another author), {} malformed ({} truncated), {} well-formed re-sends of \
         malformed lines, {} by [deleted], {} by AutoModerator, {} by unregistered accounts, \
         {} created after T, {} at exactly T",
        ps.lines,
        ps.bytes,
        ps.bytes as f64 / 1e6,
        ps.bytes as f64 / ps.lines.max(1) as f64,
        ps.duplicate_lines,
        ps.duplicate_other_author,
        ps.malformed,
        ps.truncated,
        ps.repaired_after_malformed,
        ps.deleted_author,
        ps.automoderator,
        ps.ghost_author,
        ps.after_cutoff,
        ps.at_cutoff
    );
    Ok(())
}
