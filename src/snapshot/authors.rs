//! The registry as a build reads it: every registered user's id and verdict as of `T`,
//! looked up once per record by author.
//!
//! Ids live end to end in one arena; each slot of the hash table (16 bytes, at most half
//! full) holds a hash tag, the user's position, where the id sits in the arena and the
//! verdict. A lookup touches one slot and the arena once (two cache misses at most, on
//! a table too big for the caches), and 500,000 users cost about 25 MB instead of a heap
//! allocation each. The tag is only a shortcut: a match is always confirmed by comparing
//! the whole id, so two ids with the same hash can never be confused (an unregistered
//! author must never get a registered user's verdict).

use crate::consent::Verdict;

pub struct Authors {
    arena: Vec<u8>,
    /// End of id `i` in `arena`; it starts where id `i - 1` ends.
    ends: Vec<u32>,
    verdicts: Vec<Verdict>,
    slots: Vec<Slot>,
}

/// One user in the hash table; `position == 0` marks an empty slot.
#[derive(Clone, Copy)]
struct Slot {
    tag: u32,
    /// The user's position + 1.
    position: u32,
    start: u32,
    len: u32,
    verdict: Verdict,
}

impl Slot {
    const EMPTY: Slot = Slot {
        tag: 0,
        position: 0,
        start: 0,
        len: 0,
        verdict: Verdict::Included,
    };
}

fn hash(id: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id)
}

/// Multiply-shift: a 64-bit hash onto `0..n` without a division.
fn home(h: u64, n: usize) -> usize {
    ((h as u128 * n as u128) >> 64) as usize
}

impl Authors {
    /// Users must be pushed in user-id order; their position is their push order.
    pub fn builder() -> Authors {
        Authors {
            arena: Vec::new(),
            ends: Vec::new(),
            verdicts: Vec::new(),
            slots: Vec::new(),
        }
    }

    pub fn push(&mut self, id: &str, verdict: Verdict) {
        self.arena.extend_from_slice(id.as_bytes());
        self.ends
            .push(u32::try_from(self.arena.len()).expect("user ids fit in 4 GiB"));
        self.verdicts.push(verdict);
    }

    /// Builds the hash table once every user is pushed.
    pub fn finish(mut self) -> Authors {
        let n = (self.ends.len() * 2).max(16);
        let mut slots = vec![Slot::EMPTY; n];
        for position in 0..self.ends.len() {
            let (start, end) = self.bounds(position);
            let h = hash(&self.arena[start..end]);
            let mut i = home(h, n);
            while slots[i].position != 0 {
                i = if i + 1 == n { 0 } else { i + 1 };
            }
            slots[i] = Slot {
                tag: (h >> 32) as u32,
                position: position as u32 + 1,
                start: start as u32,
                len: (end - start) as u32,
                verdict: self.verdicts[position],
            };
        }
        self.slots = slots;
        self
    }

    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The id at `position`.
    pub fn id(&self, position: usize) -> &str {
        std::str::from_utf8(self.id_bytes(position)).expect("pushed as str")
    }

    fn id_bytes(&self, position: usize) -> &[u8] {
        let (start, end) = self.bounds(position);
        &self.arena[start..end]
    }

    fn bounds(&self, position: usize) -> (usize, usize) {
        let start = if position == 0 {
            0
        } else {
            self.ends[position - 1] as usize
        };
        (start, self.ends[position] as usize)
    }

    /// The position and verdict of a registered user; None for anyone else.
    pub fn get(&self, id: &str) -> Option<(u32, Verdict)> {
        let n = self.slots.len();
        let h = hash(id.as_bytes());
        let tag = (h >> 32) as u32;
        let mut i = home(h, n);
        loop {
            let slot = &self.slots[i];
            if slot.position == 0 {
                return None;
            }
            if slot.tag == tag
                && slot.len as usize == id.len()
                && &self.arena[slot.start as usize..(slot.start + slot.len) as usize]
                    == id.as_bytes()
            {
                return Some((slot.position - 1, slot.verdict));
            }
            i = if i + 1 == n { 0 } else { i + 1 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_registered_user_and_nobody_else() {
        let mut b = Authors::builder();
        for i in 0..10_000 {
            let verdict = if i % 3 == 0 {
                Verdict::Excluded(crate::consent::Exclusion::Minor)
            } else {
                Verdict::Included
            };
            b.push(&format!("user{i:05}"), verdict);
        }
        let a = b.finish();
        assert_eq!(a.len(), 10_000);
        for i in 0..10_000 {
            let (position, verdict) = a.get(&format!("user{i:05}")).unwrap();
            assert_eq!(position, i);
            assert_eq!(verdict != Verdict::Included, i % 3 == 0);
            assert_eq!(a.id(i as usize), format!("user{i:05}"));
        }
        for absent in ["", "user", "user10000", "User00001", "user00001 "] {
            assert_eq!(a.get(absent), None, "{absent:?}");
        }
        assert_eq!(Authors::builder().finish().get("x"), None);
    }
}
