//! Fingerprints of stored content: a SHA-256 that proves, and a small sketch that
//! locates.
//!
//! An import records the fingerprint of what it left in the store (the events it added,
//! or the whole registry) in its audit entry; `audit verify` computes it again from the
//! rows as they are now. Equal SHA-256 digests prove the content unchanged. When they
//! differ, the sketch says which rows differ, so that the report can name them:
//!
//! - every row has a key (user id, event id) and a 32-bit tag of its key and content;
//! - the key picks [`CELLS_PER_ROW`] distinct cells out of [`CELLS`], and the tag is
//!   XORed into each of them;
//! - XORing the recorded sketch with the current one leaves zero in every cell that no
//!   changed row touches. A row inserted or edited since leaves the same non-zero
//!   value in each of its cells (its tag, or its old tag XOR its new one), so a current
//!   row whose cells all hold one and the same non-zero value is one that changed.
//!
//! The sketch is not a proof: it uses a fast non-cryptographic hash, and 1 KiB cannot
//! tell every change apart (a deleted row has no current key to name it; two
//! changed rows sharing a cell hide each other). The SHA-256 decides whether there is
//! a difference; the sketch only helps to say where.

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::{xxh3_64_with_seed, Xxh3};

/// How many cells a sketch has: 256 cells of 32 bits are 2 KiB of hex in an entry.
pub const CELLS: usize = 256;
/// In how many distinct cells each row is counted.
pub const CELLS_PER_ROW: usize = 3;
const CELL_SEED: u64 = 0x636f_6e73_656e_7472;

/// One stored value, as a digest encodes it. Values are taken whatever their SQLite
/// type, so that a value of the wrong type is a difference rather than a read error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A float, encoded by its bits (so `-0.0` and `0.0` differ).
    Real(f64),
    /// Text, as its UTF-8 bytes.
    Text(&'a [u8]),
    /// A blob, as its bytes; never equal to text with the same bytes.
    Blob(&'a [u8]),
}

/// Appends an unambiguous encoding of a row to `out`: per value a type tag, then the
/// integer or float as 8 bytes, or the text or blob as its length (8 bytes) and bytes.
pub fn encode_row(cells: &[Cell<'_>], out: &mut Vec<u8>) {
    for cell in cells {
        match *cell {
            Cell::Null => out.push(b'N'),
            Cell::Integer(i) => {
                out.push(b'I');
                out.extend_from_slice(&i.to_le_bytes());
            }
            Cell::Real(r) => {
                out.push(b'R');
                out.extend_from_slice(&r.to_bits().to_le_bytes());
            }
            Cell::Text(bytes) | Cell::Blob(bytes) => {
                out.push(if matches!(cell, Cell::Text(_)) {
                    b'T'
                } else {
                    b'B'
                });
                out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                out.extend_from_slice(bytes);
            }
        }
    }
}

/// The sketch key of a row known by its id (a consent event, a registry change).
pub fn row_key(id: i64) -> [u8; 8] {
    id.to_le_bytes()
}

/// A finished fingerprint: the SHA-256 (hex) and the sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hex SHA-256 of the rows' contents, each prefixed with its length, in the order added.
    pub sha256: String,
    /// The rows' tags XORed into cells, to locate rows that differ.
    pub sketch: Sketch,
    /// How many rows were added.
    pub rows: u64,
}

/// Accumulates rows, in a fixed order, into a [`Fingerprint`].
pub struct ContentDigest {
    sha: Sha256,
    sketch: Sketch,
    rows: u64,
}

impl Default for ContentDigest {
    fn default() -> Self {
        ContentDigest {
            sha: Sha256::new(),
            sketch: Sketch::default(),
            rows: 0,
        }
    }
}

impl ContentDigest {
    /// Adds one row. The SHA-256 covers the contents, each prefixed with its length, in
    /// the order they are added; the sketch covers keys and contents in any order.
    pub fn add(&mut self, key: &[u8], content: &[u8]) {
        self.sha.update((content.len() as u64).to_le_bytes());
        self.sha.update(content);
        self.sketch.add(key, content);
        self.rows += 1;
    }

    /// The fingerprint of every row added so far.
    pub fn finish(self) -> Fingerprint {
        Fingerprint {
            sha256: hex::encode(self.sha.finalize()),
            sketch: self.sketch,
            rows: self.rows,
        }
    }
}

/// [`CELLS`] XOR-accumulated row tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch([u32; CELLS]);

impl Default for Sketch {
    fn default() -> Self {
        Sketch([0; CELLS])
    }
}

impl Sketch {
    fn add(&mut self, key: &[u8], content: &[u8]) {
        let tag = row_tag(key, content);
        for cell in cells_of(key) {
            self.0[cell] ^= tag;
        }
    }

    /// 8 hex digits per cell, in cell order.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|c| format!("{c:08x}")).collect()
    }

    /// `None` unless `text` is exactly what [`Sketch::to_hex`] writes.
    pub fn from_hex(text: &str) -> Option<Sketch> {
        if text.len() != CELLS * 8 || !text.is_ascii() {
            return None;
        }
        let mut cells = [0u32; CELLS];
        for (i, cell) in cells.iter_mut().enumerate() {
            *cell = u32::from_str_radix(&text[i * 8..i * 8 + 8], 16).ok()?;
        }
        Some(Sketch(cells))
    }
}

/// A 32-bit tag of a row, never zero (a zero tag would leave no trace in its cells).
fn row_tag(key: &[u8], content: &[u8]) -> u32 {
    let mut h = Xxh3::new();
    h.update(&(key.len() as u64).to_le_bytes());
    h.update(key);
    h.update(content);
    (h.digest() as u32) | 1
}

/// The distinct cells of a key, from a pseudo-random sequence seeded by its hash.
fn cells_of(key: &[u8]) -> [usize; CELLS_PER_ROW] {
    let mut state = xxh3_64_with_seed(key, CELL_SEED);
    let mut cells = [0usize; CELLS_PER_ROW];
    let mut n = 0;
    while n < CELLS_PER_ROW {
        state = splitmix64(state);
        let cell = (state >> 56) as usize % CELLS;
        if !cells[..n].contains(&cell) {
            cells[n] = cell;
            n += 1;
        }
    }
    cells
}

fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Finds, among the current rows, those that differ from what a recorded sketch saw.
pub struct Locator {
    diff: [u32; CELLS],
    explained: [u32; CELLS],
}

impl Locator {
    /// A locator of the rows whose tags make `recorded` and `current` differ.
    pub fn new(recorded: &Sketch, current: &Sketch) -> Locator {
        let mut diff = [0u32; CELLS];
        for (d, (r, c)) in diff.iter_mut().zip(recorded.0.iter().zip(&current.0)) {
            *d = r ^ c;
        }
        Locator {
            diff,
            explained: [0; CELLS],
        }
    }

    /// True when this current row is one that was inserted or edited: each of its
    /// cells differs, all by the same value.
    pub fn differs(&mut self, key: &[u8]) -> bool {
        let cells = cells_of(key);
        let d = self.diff[cells[0]];
        if d == 0 || cells.iter().any(|&c| self.diff[c] != d) {
            return false;
        }
        for c in cells {
            self.explained[c] ^= d;
        }
        true
    }

    /// True when some difference is left that no row named by [`Locator::differs`]
    /// explains: rows were deleted, or changed rows share cells.
    pub fn unexplained(&self) -> bool {
        self.diff != self.explained
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(rows: &[(&str, &str)]) -> Fingerprint {
        let mut d = ContentDigest::default();
        for (k, c) in rows {
            d.add(k.as_bytes(), c.as_bytes());
        }
        d.finish()
    }

    fn named(recorded: &Fingerprint, now: &[(&str, &str)]) -> (Vec<String>, bool) {
        let current = digest(now);
        let mut locator = Locator::new(&recorded.sketch, &current.sketch);
        let names = now
            .iter()
            .filter(|(k, _)| locator.differs(k.as_bytes()))
            .map(|(k, _)| k.to_string())
            .collect();
        (names, locator.unexplained())
    }

    #[test]
    fn the_encoding_tells_apart_what_concatenation_would_not() {
        let enc = |cells: &[Cell<'_>]| {
            let mut out = Vec::new();
            encode_row(cells, &mut out);
            out
        };
        assert_ne!(
            enc(&[Cell::Text(b"ab"), Cell::Text(b"c")]),
            enc(&[Cell::Text(b"a"), Cell::Text(b"bc")])
        );
        assert_ne!(enc(&[Cell::Null]), enc(&[Cell::Text(b"")]));
        assert_ne!(enc(&[Cell::Integer(1)]), enc(&[Cell::Text(b"1")]));
        assert_ne!(enc(&[Cell::Text(b"x")]), enc(&[Cell::Blob(b"x")]));
    }

    #[test]
    fn the_sha256_depends_on_order_and_boundaries() {
        assert_ne!(
            digest(&[("1", "ab"), ("2", "c")]).sha256,
            digest(&[("1", "a"), ("2", "bc")]).sha256
        );
        assert_ne!(
            digest(&[("1", "a"), ("2", "b")]).sha256,
            digest(&[("2", "b"), ("1", "a")]).sha256
        );
    }

    #[test]
    fn a_sketch_survives_its_hex_and_refuses_other_text() {
        let f = digest(&[("u1", "x"), ("u2", "y")]);
        assert_eq!(Sketch::from_hex(&f.sketch.to_hex()), Some(f.sketch.clone()));
        assert_eq!(Sketch::from_hex("zz"), None);
        assert_eq!(Sketch::from_hex(&"g".repeat(CELLS * 8)), None);
        assert_eq!(Sketch::from_hex(&"é".repeat(CELLS * 4)), None);
    }

    fn as_refs(rows: &[(String, String)]) -> Vec<(&str, &str)> {
        rows.iter().map(|(k, c)| (k.as_str(), c.as_str())).collect()
    }

    #[test]
    fn the_locator_names_an_edited_and_an_inserted_row() {
        let rows: Vec<(String, String)> = (0..2000)
            .map(|i| (format!("u{i}"), format!("row {i}")))
            .collect();
        let recorded = digest(&as_refs(&rows));
        let mut now = rows.clone();
        now[700].1 = "edited".into();
        now.push(("forged".into(), "row".into()));
        let (names, unexplained) = named(&recorded, &as_refs(&now));
        assert_eq!(names, ["u700", "forged"]);
        assert!(!unexplained);

        let mut deleted = rows.clone();
        deleted.remove(5);
        let (names, unexplained) = named(&recorded, &as_refs(&deleted));
        assert!(names.is_empty(), "{names:?}");
        assert!(
            unexplained,
            "a deleted row leaves a difference no row explains"
        );

        let (names, unexplained) = named(&recorded, &as_refs(&rows));
        assert!(names.is_empty() && !unexplained);
    }
}
