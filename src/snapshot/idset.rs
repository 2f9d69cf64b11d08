//! The set of record ids already seen in a build, for `duplicate_id`.
//!
//! Ids are kept as 64-bit xxh3 hashes in open-addressing tables that grow by half when
//! 90% full, so they cost between 8.9 and 13.4 bytes per record whatever the ids look
//! like (a `HashSet<u64>` costs up to 19). The hashes are spread over 256 tables by their
//! top byte, so that growing one table briefly holds its old and new slots for 1/256 of
//! the records only: the peak stays under 16 bytes per record too. Two different ids with
//! the same hash (about one chance in 10^7 for 2 million records) would count the second
//! as a duplicate: an exclusion, never an inclusion, so the error fails closed.

/// How many lookups `insert_all` and `Authors::get_all` start together.
pub(super) const GROUP: usize = 16;

/// The record ids seen so far in a build, as 64-bit hashes.
pub struct IdSet {
    tables: Vec<Table>,
}

struct Table {
    slots: Vec<u64>,
    len: usize,
}

/// Hashes an id. 0 marks an empty slot, so the hash 0 is moved to 1.
pub fn hash(id: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id).max(1)
}

impl IdSet {
    /// An empty set.
    pub fn new() -> IdSet {
        IdSet {
            tables: (0..256)
                .map(|_| Table {
                    slots: vec![0; 64],
                    len: 0,
                })
                .collect(),
        }
    }

    /// Adds a hash; false when it was already there.
    pub fn insert(&mut self, h: u64) -> bool {
        let table = &mut self.tables[(h >> 56) as usize];
        if (table.len + 1) * 10 > table.slots.len() * 9 {
            table.grow();
        }
        if place(&mut table.slots, h) {
            table.len += 1;
            true
        } else {
            false
        }
    }

    /// [`IdSet::insert`] of each hash in order, into `first` (true where the hash was
    /// new). Sixteen at a time, each group's slots read together first: those reads are
    /// independent, so the processor overlaps their cache misses (on tables too big for
    /// the caches, a miss per insert was most of a build's duplicate check).
    pub fn insert_all(&mut self, hashes: &[u64], first: &mut Vec<bool>) {
        for group in hashes.chunks(GROUP) {
            let mut seen = 0u64;
            for &h in group {
                let slots = &self.tables[(h >> 56) as usize].slots;
                seen ^= slots[start(slots.len(), h)];
            }
            std::hint::black_box(seen);
            first.extend(group.iter().map(|&h| self.insert(h)));
        }
    }

    /// How many ids the set holds.
    pub fn len(&self) -> usize {
        self.tables.iter().map(|t| t.len).sum()
    }

    /// Whether no id was added yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the tables.
    pub fn bytes(&self) -> usize {
        self.tables.iter().map(|t| t.slots.len() * 8).sum()
    }
}

impl Table {
    fn grow(&mut self) {
        let mut bigger = vec![0u64; self.slots.len() + self.slots.len() / 2];
        for &h in self.slots.iter().filter(|&&h| h != 0) {
            place(&mut bigger, h);
        }
        self.slots = bigger;
    }
}

impl Default for IdSet {
    fn default() -> Self {
        IdSet::new()
    }
}

/// Linear probing from the slot that the hash's bits below the top byte pick (the top
/// byte chose the table; multiply-shift maps the rest onto any table size without a
/// division).
fn place(slots: &mut [u64], h: u64) -> bool {
    let n = slots.len();
    let mut i = start(n, h);
    loop {
        match slots[i] {
            0 => {
                slots[i] = h;
                return true;
            }
            x if x == h => return false,
            _ => i = if i + 1 == n { 0 } else { i + 1 },
        }
    }
}

/// Where the probe for `h` starts in a table of `n` slots.
#[inline]
fn start(n: usize, h: u64) -> usize {
    ((h.rotate_left(8) as u128 * n as u128) >> 64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeats_and_stays_within_its_memory_bound() {
        let mut set = IdSet::new();
        for i in 0..200_000u32 {
            assert!(set.insert(hash(format!("t3_{i}").as_bytes())));
        }
        for i in (0..200_000u32).step_by(7) {
            assert!(!set.insert(hash(format!("t3_{i}").as_bytes())));
        }
        assert_eq!(set.len(), 200_000);
        // In groups, as a build checks a chunk: the same answers as one at a time.
        let hashes: Vec<u64> = (199_990..200_030u32)
            .chain(199_995..200_005)
            .map(|i| hash(format!("t3_{i}").as_bytes()))
            .collect();
        let mut first = Vec::new();
        set.insert_all(&hashes, &mut first);
        let expected: Vec<bool> = (199_990..200_030u32)
            .map(|i| i >= 200_000)
            .chain(std::iter::repeat_n(false, 10))
            .collect();
        assert_eq!(first, expected);
        assert_eq!(set.len(), 200_030);
        let per_record = set.bytes() as f64 / set.len() as f64;
        // 13.4 at most once the tables fill, plus the 256 tables' first slots.
        assert!(per_record <= 14.0, "{per_record} bytes per record");
    }
}
