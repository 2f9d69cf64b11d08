//! The demo's posts file: JSONL with Pushshift's field names (`id`, `author`,
//! `created_utc`, `subreddit`, `title`, `selftext`, `score`, `num_comments`,
//! `over_18`), one post a line in time order over the past three years.
//!
//! Like a real dump it is not clean: about 2% of the posts are by `[deleted]` (not in
//! the registry: `unknown_user`), one post in 20,011 is written twice (scraped
//! twice: `duplicate_id`) and one in 49,999 is cut short (`rejected`).
//! A few authors write much more than most (an author is drawn below a uniformly drawn
//! bound, so low-numbered users are prolific).

use std::io::{self, Write};

use rand::Rng;

use super::people::{stream, user_id, POSTS_STREAM};

/// Subreddits and what their posts are about. No quote or backslash anywhere, so the
/// text goes into JSON strings as it is.
const SUBREDDITS: &[(&str, &[&str])] = &[
    (
        "AskScience",
        &["black holes", "protein folding", "plate tectonics", "tides"],
    ),
    (
        "programming",
        &["borrow checkers", "code review", "monorepos", "SQLite"],
    ),
    (
        "gardening",
        &["tomato blight", "composting", "raised beds", "dahlias"],
    ),
    (
        "Cooking",
        &[
            "sourdough starters",
            "cast iron pans",
            "knife skills",
            "ramen broth",
        ],
    ),
    (
        "personalfinance",
        &[
            "index funds",
            "emergency funds",
            "student loans",
            "budgeting",
        ],
    ),
    (
        "travel",
        &[
            "night trains",
            "carry-on packing",
            "Lisbon",
            "travel insurance",
        ],
    ),
    (
        "photography",
        &[
            "prime lenses",
            "film cameras",
            "golden hour",
            "street photography",
        ],
    ),
    (
        "AskHistorians",
        &[
            "medieval guilds",
            "the printing press",
            "Roman roads",
            "the Hanseatic League",
        ],
    ),
    (
        "MachineLearning",
        &[
            "fine-tuning",
            "retrieval augmentation",
            "eval benchmarks",
            "tokenizers",
        ],
    ),
    (
        "boardgames",
        &["deck builders", "co-op games", "Go openings", "game nights"],
    ),
    (
        "running",
        &[
            "marathon training",
            "trail shoes",
            "shin splints",
            "tempo runs",
        ],
    ),
    (
        "books",
        &[
            "translated fiction",
            "library holds",
            "audiobooks",
            "long series",
        ],
    ),
    (
        "homelab",
        &[
            "rack noise",
            "ZFS pools",
            "home routers",
            "backup strategies",
        ],
    ),
    (
        "DIY",
        &[
            "drywall repair",
            "deck stain",
            "tile grout",
            "workbench plans",
        ],
    ),
    (
        "cycling",
        &[
            "gravel bikes",
            "tubeless tyres",
            "bike commuting",
            "chain wax",
        ],
    ),
];

const TITLES: &[&str] = &[
    "How does {} actually work?",
    "What is the best way to get started with {}?",
    "TIL something surprising about {}",
    "Beginner question about {}",
    "I spent a year on {}. Here is what I learned",
    "Is {} still worth it?",
    "Unpopular opinion: {} is overrated",
    "Can someone explain {} like I am five?",
    "My first attempt at {} (feedback welcome)",
    "Weekly discussion thread: {}",
    "What nobody tells you about {}",
    "Looking for recommendations on {}",
];

const SENTENCES: &[&str] = &[
    "I have been reading about this for weeks and still have questions.",
    "Any pointers would be appreciated.",
    "Edit: thanks everyone, this blew up overnight.",
    "Long time lurker, first post.",
    "Sources welcome, I want to read more.",
    "Not sure if this is the right place to ask.",
    "Photos in the comments.",
    "Update below.",
];

/// Every 20,011th post (from the 7,919th) is written twice.
const DUPLICATE_EVERY: u64 = 20_011;
/// Every 49,999th line (from the 24,999th) is cut short.
const MALFORMED_EVERY: u64 = 49_999;

/// What the file holds.
pub(super) struct Written {
    /// Lines written: posts, repeated lines and cut lines.
    pub lines: u64,
}

/// Writes `count` posts created at instants in `from..to` (epoch seconds, in time
/// order), by the registry's `users` and by `[deleted]`.
pub(super) fn write_posts(
    count: u64,
    users: u64,
    seed: u64,
    (from, to): (i64, i64),
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<Written> {
    let mut rng = stream(seed, POSTS_STREAM);
    let span = (to - from).max(1) as u64;
    let step = (span / count.max(1)).max(1);
    let mut line = Vec::with_capacity(512);
    let mut lines = 0;
    for i in 0..count {
        // In time order, a little jitter within each post's slot.
        let created = from
            + ((u128::from(span) * u128::from(i) / u128::from(count)) as i64)
            + rng.gen_range(0..step) as i64;
        let created = created.min(to - 1);
        let author = if rng.gen_range(0..100) < 2 {
            "[deleted]".to_string()
        } else {
            let bound = rng.gen_range(1..=users);
            user_id(rng.gen_range(0..bound) as usize)
        };
        let (subreddit, topics) = SUBREDDITS[rng.gen_range(0..SUBREDDITS.len())];
        let topic = topics[rng.gen_range(0..topics.len())];
        let title = TITLES[rng.gen_range(0..TITLES.len())].replace("{}", topic);
        let selftext = if rng.gen_range(0..100) < 35 {
            let a = SENTENCES[rng.gen_range(0..SENTENCES.len())];
            let b = SENTENCES[rng.gen_range(0..SENTENCES.len())];
            format!("{a} {b}")
        } else {
            String::new()
        };
        // Most posts score little, a few a lot.
        let high = rng.gen_range(1..=20_000);
        let high = rng.gen_range(0..=high);
        let mut score: i64 = rng.gen_range(0..=high);
        if rng.gen_range(0..100) < 5 {
            score = -rng.gen_range(1..=40);
        }
        let comments = rng.gen_range(0..=score.max(0) / 4 + 3);
        let over_18 = rng.gen_range(0..100) < 2;
        line.clear();
        write!(
            line,
            "{{\"id\":\"{}\",\"author\":\"{author}\",\"created_utc\":{created},\
             \"subreddit\":\"{subreddit}\",\"title\":\"{title}\",\"selftext\":\"{selftext}\",\
             \"score\":{score},\"num_comments\":{comments},\"over_18\":{over_18}}}",
            post_id(i)
        )?;
        if i % MALFORMED_EVERY == MALFORMED_EVERY / 2 {
            // A line cut short, as a crashed scraper leaves it.
            line.truncate(line.len() / 2);
        }
        line.push(b'\n');
        out.write_all(&line)?;
        lines += 1;
        if i % DUPLICATE_EVERY == 7_919 {
            // The same post scraped twice.
            out.write_all(&line)?;
            lines += 1;
        }
        if i % 4096 == 0 {
            progress(i);
        }
    }
    progress(count);
    Ok(Written { lines })
}

/// The `index`-th post's id: base 36, like Reddit's, from `100000` up.
fn post_id(index: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = 36u64.pow(5) + index;
    let mut id = Vec::new();
    while n > 0 {
        id.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    id.reverse();
    String::from_utf8(id).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_json_in_time_order_with_a_few_bad_lines() {
        let mut out = Vec::new();
        let written = write_posts(
            60_000,
            1000,
            1,
            (1_700_000_000, 1_790_000_000),
            &mut out,
            &mut |_| {},
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() as u64, written.lines);
        let (mut bad, mut last, mut ids, mut deleted) = (0, 0, std::collections::HashSet::new(), 0);
        let mut repeated = 0;
        for line in &lines {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                bad += 1;
                continue;
            };
            let t = v["created_utc"].as_i64().unwrap();
            assert!(t >= last - 86_400 * 30 && t < 1_790_000_000, "{line}");
            last = last.max(t);
            if !ids.insert(v["id"].as_str().unwrap().to_string()) {
                repeated += 1;
            }
            if v["author"] == "[deleted]" {
                deleted += 1;
            }
        }
        assert_eq!((bad, repeated), (1, 3));
        assert!((900..1500).contains(&deleted), "{deleted}");
    }

    #[test]
    fn post_ids_are_six_base36_digits() {
        assert_eq!(post_id(0), "100000");
        assert_eq!(post_id(35), "10000z");
    }

    #[test]
    fn no_text_needs_escaping_in_json() {
        let texts = SUBREDDITS
            .iter()
            .flat_map(|(s, topics)| std::iter::once(*s).chain(topics.iter().copied()))
            .chain(TITLES.iter().copied())
            .chain(SENTENCES.iter().copied());
        for t in texts {
            assert!(!t.contains(['"', '\\']) && t.is_ascii(), "{t}");
        }
    }
}
