//! Classification: one record's fate, decided by the parser threads. A line is parsed
//! completely (`scan`), then its fields are checked and the first reason that applies
//! excludes it, in the order of `Exclusion`: rejected (blank lines aside: skipped),
//! after the cut-off, outside the window, unknown author, then the author's verdict
//! (account status, age, consent, the opt-out gate). Duplicate ids are the writer's to
//! decide, in source order: this only hashes the id.
//!
//! For an eligible line the records index entry is rendered here, in parallel, so that
//! the single writer only copies bytes.

use super::authors::Authors;
use super::idset;
use super::reader::Chunk;
use super::scan::{self, Value};
use crate::consent::{Exclusion, Verdict};
use crate::model::file_format::FileFormat;

/// How much of a chunk is checked and parsed at a time: whole lines from this many
/// bytes on, well inside a core's cache (2 MiB of L2 here; a chunk is 4 MiB).
const SCAN_BLOCK: usize = 256 << 10;

/// What a worker found in one chunk, line by line.
#[derive(Debug)]
pub(super) enum Outcome {
    Rejected(String),
    Record {
        /// Byte range of the line in the chunk, up to its '\n' (exclusive).
        start: u32,
        end: u32,
        /// Byte range of the line's records index entry in `Parsed::entries`, for an
        /// eligible line.
        entry: (u32, u32),
        id_hash: u64,
        /// Registry index of the author when the line is eligible.
        user: u32,
        verdict: Option<Exclusion>,
        /// Excluded as `no_consent` by the opt-out gate.
        held_back: bool,
    },
}

pub(super) struct Parsed {
    pub seq: u64,
    /// The bytes of the file as given read when the chunk was cut, for progress.
    pub read: u64,
    pub data: Vec<u8>,
    pub outcomes: Vec<Outcome>,
    pub entries: Vec<u8>,
    pub oversized: Option<u64>,
}

/// Of an accepted line: its index entry's range in `entries` (empty unless included),
/// its id's hash, its author's position (0 when unknown) and its exclusion; the last
/// says whether the opt-out gate held it back.
type Classified = ((u32, u32), u64, u32, Option<Exclusion>, bool);

/// What decides a record's fate, shared by the parser threads.
pub(super) struct Classifier<'a> {
    pub format: FileFormat,
    /// The id, author and created-at fields' names (JSONL) ...
    pub names: [&'a str; 3],
    /// ... and columns (CSV).
    pub columns: [usize; 3],
    pub as_of_us: i64,
    /// Inclusive bounds of the deal's content window.
    pub window: Option<(i64, i64)>,
    /// Every registry user's verdict as of `T`.
    pub users: &'a Authors,
    /// Under a gated policy, records created before this instant are included only on
    /// an explicit allow.
    pub gate_from_us: Option<i64>,
}

impl Classifier<'_> {
    /// Classifies every line of a chunk.
    pub fn parse_chunk(&self, chunk: Chunk) -> Parsed {
        let (seq, data, read) = match chunk {
            Chunk::Oversized { seq, bytes, read } => {
                return Parsed {
                    seq,
                    read,
                    data: Vec::new(),
                    outcomes: Vec::new(),
                    entries: Vec::new(),
                    oversized: Some(bytes),
                };
            }
            Chunk::Lines { seq, data, read } => (seq, data, read),
        };
        // First every line is scanned, then its author looked up, then it is classified.
        // The chunk is scanned a block of whole lines at a time: a block that is clean
        // text throughout spares each of its lines their own checks, and is still in the
        // core's cache when its lines are parsed (over the whole 4 MiB chunk, the checks
        // and the parse each read it from memory again).
        let mut scanned = Vec::with_capacity(data.len() / 256 + 1);
        let mut pos = 0usize;
        while pos < data.len() {
            let block_end = match data.get(pos + SCAN_BLOCK..) {
                Some(rest) => {
                    memchr::memchr(b'\n', rest).map_or(data.len(), |k| pos + SCAN_BLOCK + k + 1)
                }
                None => data.len(),
            };
            let (block_start, clean) = (pos, scan::clean(&data[pos..block_end]));
            while pos < block_end {
                let end =
                    memchr::memchr(b'\n', &data[pos..block_end]).map_or(block_end, |k| pos + k);
                let line = &data[pos..end];
                let content = line.strip_suffix(b"\r").unwrap_or(line);
                let start = pos;
                pos = end + 1;
                if content.iter().all(u8::is_ascii_whitespace) {
                    scanned.push(None);
                    continue;
                }
                let text = clean.map(|text| &text[start - block_start..][..content.len()]);
                let mapped = match (self.format, text) {
                    (FileFormat::Jsonl, Some(text)) => scan::json_text(text, false, &self.names),
                    (FileFormat::Jsonl, None) => scan::json(content, &self.names),
                    (FileFormat::Csv, Some(text)) => scan::csv_text(text, &self.columns),
                    (FileFormat::Csv, None) => scan::csv(content, &self.columns),
                };
                scanned.push(Some((start, end, mapped)));
            }
        }
        // The authors are looked up for the whole chunk at once (`Authors::get_all`).
        let authors: Vec<Option<&str>> = scanned
            .iter()
            .map(|line| match line {
                Some((_, _, Ok([_, Some(Value::Str(user)), _]))) => Some(user.as_ref()),
                _ => None,
            })
            .collect();
        let authors = self.users.get_all(&authors);
        let mut entries = Vec::new();
        let outcomes = scanned
            .into_iter()
            .zip(authors)
            .map(|(line, author)| {
                let Some((start, end, mapped)) = line else {
                    return Outcome::Rejected(String::new());
                };
                match mapped.and_then(|m| self.classify(m, author, &mut entries)) {
                    Ok((entry, id_hash, user, verdict, held_back)) => Outcome::Record {
                        start: start as u32,
                        end: end as u32,
                        entry,
                        id_hash,
                        user,
                        verdict,
                        held_back,
                    },
                    Err(message) => Outcome::Rejected(message),
                }
            })
            .collect();
        Parsed {
            seq,
            read,
            data,
            outcomes,
            entries,
            oversized: None,
        }
    }

    /// One parsed record's fate, or why it is rejected; `author` is the registry's
    /// answer for its author field when that is a string.
    fn classify(
        &self,
        mapped: scan::Mapped<'_>,
        author: Option<(u32, Verdict)>,
        entries: &mut Vec<u8>,
    ) -> std::result::Result<Classified, String> {
        let names = &self.names;
        let [id, user, time] = mapped;
        let id = match id {
            Some(Value::Str(s)) if !s.is_empty() => s,
            Some(Value::Str(_)) => return Err(format!("{}: is empty", names[0])),
            Some(Value::Num(n)) => {
                return Err(format!(
                    "{}: must be a string, not the number {n}",
                    names[0]
                ))
            }
            Some(Value::Other(kind)) => {
                return Err(format!("{}: must be a string, not {kind}", names[0]))
            }
            None => return Err(format!("{}: is missing", names[0])),
        };
        let user = match user {
            Some(Value::Str(s)) if !s.is_empty() => s,
            Some(Value::Str(_)) => return Err(format!("{}: is empty", names[1])),
            Some(Value::Num(_)) => {
                return Err(format!("{}: must be a string, not a number", names[1]))
            }
            Some(Value::Other(kind)) => {
                return Err(format!("{}: must be a string, not {kind}", names[1]))
            }
            None => return Err(format!("{}: is missing", names[1])),
        };
        let created = match time {
            Some(v) => scan::instant_micros(&v).map_err(|m| format!("{}: {m}", names[2]))?,
            None => return Err(format!("{}: is missing", names[2])),
        };
        let id_hash = idset::hash(id.as_bytes());
        let none = (0, 0);
        if created > self.as_of_us {
            return Ok((none, id_hash, 0, Some(Exclusion::AfterCutoff), false));
        }
        if let Some((from, to)) = self.window {
            if created < from || created > to {
                return Ok((none, id_hash, 0, Some(Exclusion::OutsideWindow), false));
            }
        }
        let Some((u, verdict)) = author else {
            return Ok((none, id_hash, 0, Some(Exclusion::UnknownUser), false));
        };
        if let Some((reason, held_back)) = verdict.for_record(created, self.gate_from_us) {
            return Ok((none, id_hash, u, Some(reason), held_back));
        }
        // Rendered here, in parallel, so that the single writer only copies bytes. The
        // author is the registry's user id: it was just found under that key.
        let start = entries.len() as u32;
        records_index_entry(entries, &user, &id);
        Ok(((start, entries.len() as u32), id_hash, u, None, false))
    }
}

/// One line of `records.jsonl`: `["author","record id"]\n`.
fn records_index_entry(out: &mut Vec<u8>, user: &str, id: &str) {
    out.push(b'[');
    serde_json::to_writer(&mut *out, user).expect("writing to memory");
    out.push(b',');
    serde_json::to_writer(&mut *out, id).expect("writing to memory");
    out.extend_from_slice(b"]\n");
}

#[cfg(test)]
mod tests {
    //! One hand-written line per case, with the outcome written out by hand: the
    //! expectations never come from the code under test.

    use super::*;
    use crate::consent::Verdict;

    /// 2025-01-01T00:00:00Z.
    const AS_OF: i64 = 1_735_689_600_000_000;
    /// 2024-06-01T00:00:00Z.
    const GATE: i64 = 1_717_200_000_000_000;

    /// The registry, in user-id order: positions 0 to 6.
    fn registry() -> Authors {
        let mut users = Authors::builder();
        users.push("alice", Verdict::Included);
        users.push("bob", Verdict::Excluded(Exclusion::AccountStatus));
        users.push("carol", Verdict::Excluded(Exclusion::AgeUnknown));
        users.push("dave", Verdict::Excluded(Exclusion::Minor));
        users.push("erin", Verdict::Excluded(Exclusion::NoConsent));
        users.push("frank", Verdict::HeldBack);
        users.push("gina", Verdict::IncludedByDefault);
        users.finish()
    }

    fn classifier(users: &Authors) -> Classifier<'_> {
        Classifier {
            format: FileFormat::Jsonl,
            names: ["id", "author", "created_utc"],
            columns: [0, 1, 2],
            as_of_us: AS_OF,
            window: None,
            users,
            gate_from_us: Some(GATE),
        }
    }

    /// A line's fate, as the writer will see it.
    #[derive(Debug, PartialEq)]
    enum Fate {
        Blank,
        Rejected(String),
        /// Eligible: the author's position and the records index entry.
        Included(u32, String),
        /// The reason, and whether the opt-out gate held it back.
        Excluded(Exclusion, bool),
    }

    fn fates(c: &Classifier<'_>, text: &str) -> Vec<Fate> {
        fates_of(c, text.as_bytes())
    }

    fn fates_of(c: &Classifier<'_>, data: &[u8]) -> Vec<Fate> {
        let parsed = c.parse_chunk(Chunk::Lines {
            seq: 0,
            read: 0,
            data: data.to_vec(),
        });
        parsed
            .outcomes
            .into_iter()
            .map(|o| match o {
                Outcome::Rejected(m) if m.is_empty() => Fate::Blank,
                Outcome::Rejected(m) => Fate::Rejected(m),
                Outcome::Record {
                    entry,
                    user,
                    verdict: None,
                    ..
                } => Fate::Included(
                    user,
                    String::from_utf8(parsed.entries[entry.0 as usize..entry.1 as usize].to_vec())
                        .unwrap(),
                ),
                Outcome::Record {
                    verdict: Some(reason),
                    held_back,
                    ..
                } => Fate::Excluded(reason, held_back),
            })
            .collect()
    }

    fn fate(c: &Classifier<'_>, line: &str) -> Fate {
        let mut all = fates(c, line);
        assert_eq!(all.len(), 1, "{line}");
        all.remove(0)
    }

    fn excluded(reason: Exclusion) -> Fate {
        Fate::Excluded(reason, false)
    }

    fn rejected(message: &str) -> Fate {
        Fate::Rejected(message.to_string())
    }

    /// A chunk is scanned `SCAN_BLOCK` bytes of whole lines at a time: over several
    /// blocks, with dirty lines (a control character, invalid UTF-8, CRLF) in some of
    /// them, blank lines, and a last line without its line feed, each line's fate is the
    /// one it has alone.
    #[test]
    fn a_chunk_of_many_blocks_reads_each_line_as_alone() {
        let users = registry();
        let c = classifier(&users);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut n = 0;
        while lines.iter().map(|l| l.len() + 1).sum::<usize>() < 3 * SCAN_BLOCK + 1000 {
            let author = ["alice", "bob", "zed", "gina"][n % 4];
            let body = "x".repeat(n % 300);
            lines.push(
                format!(
                    r#"{{"id":"p{n}","author":"{author}","created_utc":1700000000,"t":"{body}"}}"#
                )
                .into_bytes(),
            );
            n += 1;
            match n {
                700 => lines.push(
                    b"{\"id\":\"c\",\"author\":\"alice\",\"created_utc\":1,\"t\":\"a\x01\"}"
                        .to_vec(),
                ),
                1500 => lines
                    .push(b"{\"id\":\"u\",\"author\":\"alice\xff\",\"created_utc\":1}".to_vec()),
                1600 => {
                    lines.push(b"{\"id\":\"r\",\"author\":\"alice\",\"created_utc\":1}\r".to_vec())
                }
                2300 => lines.push(b"   ".to_vec()),
                _ => {}
            }
        }
        let chunk = lines.join(&b'\n');
        assert!(chunk.len() > 3 * SCAN_BLOCK, "several blocks");
        let alone: Vec<Fate> = lines.iter().flat_map(|l| fates_of(&c, l)).collect();
        assert_eq!(fates_of(&c, &chunk), alone);
        assert!(alone.contains(&Fate::Rejected(
            "control character in a string at byte 49".into()
        )));
        assert!(alone.contains(&Fate::Rejected("invalid UTF-8 at byte 25".into())));
        assert!(alone.contains(&Fate::Blank));
    }

    #[test]
    fn an_eligible_record_is_included_with_its_index_entry() {
        let users = registry();
        let c = classifier(&users);
        assert_eq!(
            fate(
                &c,
                r#"{"id":"p1","author":"alice","created_utc":1700000000}"#
            ),
            Fate::Included(0, "[\"alice\",\"p1\"]\n".into())
        );
        // The entry is JSON: quotes and backslashes escaped.
        assert_eq!(
            fate(
                &c,
                r#"{"id":"p\"1\\","author":"alice","created_utc":"2024-03-01T10:00:00Z"}"#
            ),
            Fate::Included(0, "[\"alice\",\"p\\\"1\\\\\"]\n".into())
        );
    }

    #[test]
    fn after_cutoff_is_strictly_after_t_and_comes_before_the_author() {
        let users = registry();
        let c = classifier(&users);
        let at = |t: &str, author: &str| {
            fate(
                &c,
                &format!(r#"{{"id":"p","author":"{author}","created_utc":"{t}"}}"#),
            )
        };
        assert_eq!(
            at("2025-01-01T00:00:00Z", "alice"),
            Fate::Included(0, "[\"alice\",\"p\"]\n".into())
        );
        assert_eq!(
            at("2025-01-01T00:00:00.000001Z", "alice"),
            excluded(Exclusion::AfterCutoff)
        );
        // Unknown, under age and after the cut-off: the cut-off is the first reason.
        assert_eq!(
            at("2030-05-05T00:00:00Z", "zed"),
            excluded(Exclusion::AfterCutoff)
        );
        assert_eq!(
            at("2030-05-05T00:00:00Z", "dave"),
            excluded(Exclusion::AfterCutoff)
        );
    }

    #[test]
    fn outside_window_has_inclusive_bounds_and_comes_before_the_author() {
        let users = registry();
        let c = Classifier {
            // 2024-01-01T00:00:00Z ..= 2024-12-31T23:59:59.999999Z
            window: Some((1_704_067_200_000_000, 1_735_689_599_999_999)),
            ..classifier(&users)
        };
        let at = |t: &str, author: &str| {
            fate(
                &c,
                &format!(r#"{{"id":"p","author":"{author}","created_utc":"{t}"}}"#),
            )
        };
        let included = Fate::Included(0, "[\"alice\",\"p\"]\n".into());
        assert_eq!(at("2024-01-01T00:00:00Z", "alice"), included);
        assert_eq!(at("2024-12-31T23:59:59.999999Z", "alice"), included);
        assert_eq!(
            at("2023-12-31T23:59:59.999999Z", "alice"),
            excluded(Exclusion::OutsideWindow)
        );
        assert_eq!(
            at("2025-01-01T00:00:00Z", "alice"),
            excluded(Exclusion::OutsideWindow)
        );
        assert_eq!(
            at("2023-06-01T00:00:00Z", "zed"),
            excluded(Exclusion::OutsideWindow)
        );
        assert_eq!(
            at("2023-06-01T00:00:00Z", "bob"),
            excluded(Exclusion::OutsideWindow)
        );
    }

    #[test]
    fn an_author_missing_from_the_registry_is_unknown() {
        let users = registry();
        let c = classifier(&users);
        let line = |author: &str| format!(r#"{{"id":"p","author":"{author}","created_utc":1}}"#);
        assert_eq!(fate(&c, &line("zed")), excluded(Exclusion::UnknownUser));
        // Ids are compared exactly: no case folding, no trimming.
        assert_eq!(fate(&c, &line("Alice")), excluded(Exclusion::UnknownUser));
        assert_eq!(fate(&c, &line("alice ")), excluded(Exclusion::UnknownUser));
        assert_eq!(fate(&c, &line("alic")), excluded(Exclusion::UnknownUser));
    }

    #[test]
    fn the_authors_verdict_decides_the_rest() {
        let users = registry();
        let c = classifier(&users);
        let line =
            |author: &str| format!(r#"{{"id":"p","author":"{author}","created_utc":1700000000}}"#);
        assert_eq!(fate(&c, &line("bob")), excluded(Exclusion::AccountStatus));
        assert_eq!(fate(&c, &line("carol")), excluded(Exclusion::AgeUnknown));
        assert_eq!(fate(&c, &line("dave")), excluded(Exclusion::Minor));
        assert_eq!(fate(&c, &line("erin")), excluded(Exclusion::NoConsent));
        // Held back by the gate: no consent, and counted as held back.
        assert_eq!(
            fate(&c, &line("frank")),
            Fate::Excluded(Exclusion::NoConsent, true)
        );
    }

    #[test]
    fn the_opt_out_gate_holds_back_records_created_before_it() {
        let users = registry();
        let c = classifier(&users);
        let at = |t: &str| {
            fate(
                &c,
                &format!(r#"{{"id":"p","author":"gina","created_utc":"{t}"}}"#),
            )
        };
        assert_eq!(
            at("2024-05-31T23:59:59Z"),
            Fate::Excluded(Exclusion::NoConsent, true)
        );
        assert_eq!(
            at("2024-06-01T00:00:00Z"),
            Fate::Included(6, "[\"gina\",\"p\"]\n".into())
        );
        // Without a gate the default includes whenever the record was created.
        let ungated = Classifier {
            gate_from_us: None,
            ..classifier(&users)
        };
        assert_eq!(
            fate(&ungated, r#"{"id":"p","author":"gina","created_utc":0}"#),
            Fate::Included(6, "[\"gina\",\"p\"]\n".into())
        );
    }

    #[test]
    fn duplicates_are_left_to_the_writer_with_the_same_id_hash() {
        let users = registry();
        let c = classifier(&users);
        let parsed = c.parse_chunk(Chunk::Lines {
            seq: 0,
            read: 0,
            data: concat!(
                r#"{"id":"p1","author":"alice","created_utc":1}"#,
                "\n",
                r#"{"id":"p1","author":"zed","created_utc":1}"#,
                "\n",
                r#"{"id":"p2","author":"alice","created_utc":1}"#,
                "\n"
            )
            .as_bytes()
            .to_vec(),
        });
        let hashes: Vec<u64> = parsed
            .outcomes
            .iter()
            .map(|o| match o {
                Outcome::Record { id_hash, .. } => *id_hash,
                Outcome::Rejected(m) => panic!("rejected: {m}"),
            })
            .collect();
        assert_eq!(hashes[0], hashes[1]);
        assert_ne!(hashes[0], hashes[2]);
    }

    #[test]
    fn each_unusable_field_is_rejected_naming_it() {
        let users = registry();
        let c = classifier(&users);
        let cases = [
            (r#"{"author":"alice","created_utc":1}"#, "id: is missing"),
            (
                r#"{"id":"","author":"alice","created_utc":1}"#,
                "id: is empty",
            ),
            (
                r#"{"id":7,"author":"alice","created_utc":1}"#,
                "id: must be a string, not the number 7",
            ),
            (
                r#"{"id":null,"author":"alice","created_utc":1}"#,
                "id: must be a string, not null",
            ),
            (
                r#"{"id":["p"],"author":"alice","created_utc":1}"#,
                "id: must be a string, not an array",
            ),
            (r#"{"id":"p","created_utc":1}"#, "author: is missing"),
            (
                r#"{"id":"p","author":"","created_utc":1}"#,
                "author: is empty",
            ),
            (
                r#"{"id":"p","author":42,"created_utc":1}"#,
                "author: must be a string, not a number",
            ),
            (
                r#"{"id":"p","author":true,"created_utc":1}"#,
                "author: must be a string, not a boolean",
            ),
            (r#"{"id":"p","author":"alice"}"#, "created_utc: is missing"),
            (
                r#"{"id":"p","author":"alice","created_utc":"yesterday"}"#,
                "created_utc: 'yesterday' is neither epoch seconds nor an RFC 3339 instant",
            ),
            (
                r#"{"id":"p","author":"alice","created_utc":{}}"#,
                "created_utc: is an object, not a time",
            ),
            // Rejected before any other reason: unknown author, after the cut-off.
            (
                r#"{"author":"zed","created_utc":9999999999}"#,
                "id: is missing",
            ),
        ];
        for (line, message) in cases {
            assert_eq!(fate(&c, line), rejected(message), "{line}");
        }
    }

    #[test]
    fn a_line_that_is_not_a_json_object_is_rejected_even_with_readable_fields() {
        let users = registry();
        let c = classifier(&users);
        for line in [
            "not json",
            r#"["p","alice",1]"#,
            r#"{"id":"p","author":"alice","created_utc":1"#,
            r#"{"id":"p","author":"alice","created_utc":1} trailing"#,
            r#"{"id":"p","id":"q","author":"alice","created_utc":1}"#,
        ] {
            match fate(&c, line) {
                Fate::Rejected(m) => assert!(!m.is_empty(), "{line}"),
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn blank_lines_are_skipped_not_rejected() {
        let users = registry();
        let c = classifier(&users);
        assert_eq!(
            fates(&c, "\n  \t\r\n\r\n"),
            [Fate::Blank, Fate::Blank, Fate::Blank]
        );
    }

    #[test]
    fn csv_lines_are_classified_by_column() {
        let users = registry();
        let c = Classifier {
            format: FileFormat::Csv,
            columns: [2, 0, 1],
            ..classifier(&users)
        };
        assert_eq!(
            fates(
                &c,
                "alice,1700000000,p1\n,1,p2\nbob,1,p3\nalice,2030-01-01T00:00:00Z,p4\n"
            ),
            [
                Fate::Included(0, "[\"alice\",\"p1\"]\n".into()),
                rejected("author: is empty"),
                excluded(Exclusion::AccountStatus),
                excluded(Exclusion::AfterCutoff),
            ]
        );
    }

    #[test]
    fn records_keep_their_byte_ranges_and_oversized_chunks_pass_through() {
        let users = registry();
        let c = classifier(&users);
        let first = r#"{"id":"a","author":"alice","created_utc":1}"#;
        let last = r#"{"id":"b","author":"alice","created_utc":1}"#;
        let data = format!("{first}\r\n{last}");
        let parsed = c.parse_chunk(Chunk::Lines {
            seq: 3,
            read: 0,
            data: data.clone().into_bytes(),
        });
        assert_eq!(parsed.seq, 3);
        assert_eq!(parsed.data, data.as_bytes());
        let ranges: Vec<(u32, u32)> = parsed
            .outcomes
            .iter()
            .map(|o| match o {
                Outcome::Record { start, end, .. } => (*start, *end),
                Outcome::Rejected(m) => panic!("rejected: {m}"),
            })
            .collect();
        // The first line's range keeps its '\r'; the last line has no line end.
        let n = first.len() as u32;
        assert_eq!(ranges, [(0, n + 1), (n + 2, n + 2 + last.len() as u32)]);
        assert_eq!(parsed.oversized, None);

        let parsed = c.parse_chunk(Chunk::Oversized {
            seq: 4,
            bytes: 20 << 20,
            read: 0,
        });
        assert_eq!((parsed.seq, parsed.oversized), (4, Some(20 << 20)));
        assert!(parsed.outcomes.is_empty() && parsed.data.is_empty());
    }
}
