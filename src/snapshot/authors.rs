//! The registry as a build reads it: every registered user's id and verdict as of `T`,
//! looked up once per record by author.
//!
//! Each slot of the hash table (32 bytes, aligned so that it never straddles a cache
//! line, at most half full) holds a hash tag, the user's position, the verdict and the
//! id itself when it is at most [`INLINE`] bytes long, as platform user names are
//! (Reddit's are at most 20). A lookup then touches one cache line, on a table too big
//! for the caches; a longer id is compared in the arena, where every id also lives end
//! to end (for `id`). 500,000 users cost about 40 MB. The tag is only a shortcut: a
//! match is always confirmed by comparing the whole id, so two ids with the same hash
//! can never be confused (an unregistered author must never get a registered user's
//! verdict).

use super::idset::GROUP;
use crate::consent::Verdict;

pub struct Authors {
    arena: Vec<u8>,
    /// End of id `i` in `arena`; it starts where id `i - 1` ends.
    ends: Vec<u32>,
    verdicts: Vec<Verdict>,
    slots: Vec<Slot>,
}

/// The longest id a slot holds itself.
const INLINE: usize = 22;

/// One user in the hash table; `position == 0` marks an empty slot.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    tag: u32,
    /// The user's position + 1.
    position: u32,
    verdict: Verdict,
    /// The id's length when the slot holds it (at most `INLINE`); `LONG` when the id
    /// is only in the arena.
    len: u8,
    id: [u8; INLINE],
}

impl Slot {
    const EMPTY: Slot = Slot {
        tag: 0,
        position: 0,
        verdict: Verdict::Included,
        len: 0,
        id: [0; INLINE],
    };
    const LONG: u8 = u8::MAX;
}

const _: () = assert!(std::mem::size_of::<Slot>() == 32);

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
            let id = &self.arena[start..end];
            let h = hash(id);
            let mut i = home(h, n);
            while slots[i].position != 0 {
                i = if i + 1 == n { 0 } else { i + 1 };
            }
            let mut slot = Slot {
                tag: (h >> 32) as u32,
                position: position as u32 + 1,
                verdict: self.verdicts[position],
                len: Slot::LONG,
                id: [0; INLINE],
            };
            if id.len() <= INLINE {
                slot.len = id.len() as u8;
                slot.id[..id.len()].copy_from_slice(id);
            }
            slots[i] = slot;
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

    /// Whether the occupied `slot` is the user `id`, compared whole.
    #[inline]
    fn holds(&self, slot: &Slot, id: &[u8]) -> bool {
        if slot.len == Slot::LONG {
            id.len() > INLINE && self.id_bytes(slot.position as usize - 1) == id
        } else {
            slot.id[..slot.len as usize] == *id
        }
    }

    /// The position and verdict of each registered user, `None` for anyone else or a
    /// missing id. Sixteen at a time, each id hashed once and each group's slots read
    /// together first: see `IdSet::insert_all`.
    pub fn get_all(&self, ids: &[Option<&str>]) -> Vec<Option<(u32, Verdict)>> {
        let mut found = Vec::with_capacity(ids.len());
        for group in ids.chunks(GROUP) {
            let mut hashes = [0u64; GROUP];
            let mut seen = 0u32;
            for (id, h) in group.iter().zip(&mut hashes) {
                if let Some(id) = id {
                    *h = hash(id.as_bytes());
                    seen ^= self.slots[home(*h, self.slots.len())].tag;
                }
            }
            std::hint::black_box(seen);
            found.extend(
                group
                    .iter()
                    .zip(hashes)
                    .map(|(id, h)| id.and_then(|id| self.find(id, h))),
            );
        }
        found
    }

    /// The position and verdict of a registered user; None for anyone else. A build
    /// looks its authors up a chunk at a time (`get_all`); this is the tests' one.
    #[cfg(test)]
    pub fn get(&self, id: &str) -> Option<(u32, Verdict)> {
        self.find(id, hash(id.as_bytes()))
    }

    /// The position and verdict of the user `id`, whose hash is `h`.
    fn find(&self, id: &str, h: u64) -> Option<(u32, Verdict)> {
        let n = self.slots.len();
        let tag = (h >> 32) as u32;
        let mut i = home(h, n);
        loop {
            let slot = &self.slots[i];
            if slot.position == 0 {
                return None;
            }
            if slot.tag == tag && self.holds(slot, id.as_bytes()) {
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
        // In groups, as a build looks a chunk's authors up: the same answers.
        let ids: Vec<String> = (9_990..10_030).map(|i| format!("user{i:05}")).collect();
        let asked: Vec<Option<&str>> = ids
            .iter()
            .map(|id| Some(id.as_str()))
            .chain([None, Some("nobody")])
            .collect();
        let expected: Vec<_> = asked.iter().map(|id| id.and_then(|id| a.get(id))).collect();
        assert_eq!(a.get_all(&asked), expected);
        assert_eq!(expected.iter().flatten().count(), 10);
        for absent in ["", "user", "user10000", "User00001", "user00001 "] {
            assert_eq!(a.get(absent), None, "{absent:?}");
        }
        assert_eq!(Authors::builder().finish().get("x"), None);
    }

    /// Ids around the length a slot holds itself: each is found whole, and an id that
    /// only shares a prefix, or is one byte longer or shorter, is nobody.
    #[test]
    fn ids_held_in_the_slot_and_in_the_arena_are_compared_whole() {
        let ids: Vec<String> = (1..=INLINE + 3)
            .map(|n| "x".repeat(n - 1) + "y")
            .chain(["Ω".repeat(INLINE), "a".repeat(300)])
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        let mut b = Authors::builder();
        for id in &sorted {
            b.push(id, Verdict::Included);
        }
        let a = b.finish();
        for (position, id) in sorted.iter().enumerate() {
            assert_eq!(
                a.get(id),
                Some((position as u32, Verdict::Included)),
                "{id}"
            );
            assert_eq!(a.id(position), id);
            let mut shorter = id.clone();
            shorter.pop();
            for other in [format!("{id}y"), shorter, id.replace('y', "z")] {
                if !sorted.contains(&other) {
                    assert_eq!(a.get(&other), None, "{other}");
                }
            }
        }
        assert_eq!(a.get(&"a".repeat(299)), None);
        assert_eq!(a.get(&("a".repeat(299) + "b")), None);
    }
}
