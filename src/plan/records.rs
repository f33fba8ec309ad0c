//! The record digests of a source's stored entries: what a cycle of a format that digests
//! its records reads instead of every entry's head.
//!
//! A record digest covers the record's whole text, its id included, so a digest found here
//! names one stored entry, unchanged, without its id being read or compared. After a small
//! change to a list of 10⁶ entries the cycle then reads the heads of only the entries whose
//! digest no record of the new document had (changed or removed ones) and of the records it
//! parsed ([`crate::plan::SourceState::touched_of`]), instead of building a table of 10⁶ ids.

use std::cell::Cell;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

use crate::domain::digest::StoredDigest;
use crate::domain::IdList;

#[derive(Default)]
pub struct StoredRecords {
    /// The id of every stored entry, in the order read: the table's, which is the order the
    /// entries were first stored in, by id.
    ids: IdList,
    /// The digest of each of `ids`, by the same position; [`NONE`] for an entry without a
    /// digest this build writes (stored by a delta, or by another build).
    digests: Vec<u128>,
    /// Whether a record of the new document had the digest, by the same position.
    seen: Vec<Cell<bool>>,
    /// How many of `seen` are set.
    found: Cell<usize>,
    /// Positions in `ids` by digest.
    index: HashTable<u32>,
    /// The position the next record is looked for first. OpenSanctions sorts its exports by
    /// id, and a first load stores the entries in that order: most records are then found by
    /// comparing one digest, in the order of memory; only a changed, added or moved record is
    /// looked up in `index`, at random (10⁶ lookups at random were 7 % of the CPU of a cycle
    /// after a small change).
    next: Cell<usize>,
}

/// The digest of an entry without one. No record has it (the chance is 2⁻¹²⁸), and it is
/// never compared in order: see [`StoredRecords::knows`].
const NONE: u128 = 0;

impl StoredRecords {
    pub fn with_capacity(rows: usize) -> StoredRecords {
        StoredRecords {
            ids: IdList::with_capacity(rows),
            digests: Vec::with_capacity(rows),
            seen: Vec::with_capacity(rows),
            index: HashTable::with_capacity(rows),
            found: Cell::new(0),
            next: Cell::new(0),
        }
    }

    /// Adds the stored entry `id` with its record digest, if it has one.
    pub fn push(&mut self, id: &str, digest: Option<&StoredDigest>) {
        let row = u32::try_from(self.ids.len()).expect("fewer than 2³² entries a source");
        self.ids.push(id);
        self.seen.push(Cell::new(false));
        let Some(bytes) = digest.and_then(StoredDigest::bytes) else {
            self.digests.push(NONE);
            return;
        };
        let digest = u128::from_be_bytes(*bytes);
        let digests = &self.digests;
        let entry = self.index.entry(
            hash(digest),
            |&r| digests[r as usize] == digest,
            |&r| hash(digests[r as usize]),
        );
        match entry {
            Entry::Vacant(slot) => {
                slot.insert(row);
                self.digests.push(digest);
            }
            // Two entries of one record text cannot both be stored (the id is in the text);
            // should it happen, the later one is never taken as unchanged.
            Entry::Occupied(_) => self.digests.push(NONE),
        }
    }

    /// Whether a stored entry has this record digest, noting that a record had it.
    pub fn knows(&self, digest: &StoredDigest) -> bool {
        let Some(bytes) = digest.bytes() else {
            return false;
        };
        let digest = u128::from_be_bytes(*bytes);
        let next = self.next.get();
        let row = if digest != NONE && self.digests.get(next) == Some(&digest) {
            Some(next)
        } else {
            let digests = &self.digests;
            self.index
                .find(hash(digest), |&r| digests[r as usize] == digest)
                .map(|&r| r as usize)
        };
        match row {
            Some(row) => {
                if !self.seen[row].replace(true) {
                    self.found.set(self.found.get() + 1);
                }
                self.next.set(row + 1);
                true
            }
            None => {
                // a changed record, most likely in the place of the stored one
                self.next.set(next + 1);
                false
            }
        }
    }

    /// The number of stored entries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids of the stored entries no record was found unchanged by, so far.
    pub fn unseen(&self) -> impl Iterator<Item = &str> + '_ {
        self.ids
            .iter()
            .zip(&self.seen)
            .filter(|(_, seen)| !seen.get())
            .map(|(id, _)| id)
    }

    /// How many stored entries no record was found unchanged by, so far.
    pub fn unseen_len(&self) -> usize {
        self.len() - self.found.get()
    }
}

/// A digest is uniformly distributed: its low half is its hash.
fn hash(digest: u128) -> u64 {
    digest as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> StoredDigest {
        StoredDigest::hex(&[n; 16])
    }

    #[test]
    fn a_known_digest_is_found_and_the_rows_left_are_those_no_record_had() {
        let mut records = StoredRecords::with_capacity(4);
        records.push("a", Some(&digest(1)));
        records.push("b", Some(&digest(2)));
        records.push("c", Some(&StoredDigest::new("written by another build")));
        records.push("d", None);
        // the same digest again cannot be stored; if it were, the later one is never found
        records.push("e", Some(&digest(1)));
        assert_eq!(records.len(), 5);
        assert!(records.knows(&digest(2)));
        assert!(!records.knows(&digest(3)));
        assert!(!records.knows(&StoredDigest::new("written by another build")));
        let unseen: Vec<&str> = records.unseen().collect();
        assert_eq!(unseen, ["a", "c", "d", "e"]);
        assert_eq!(records.unseen_len(), 4);
    }

    #[test]
    fn records_are_found_in_the_stored_order_or_out_of_it() {
        let mut records = StoredRecords::with_capacity(6);
        for n in 1..=6 {
            records.push(&n.to_string(), Some(&digest(n)));
        }
        // 2 changed in place, 4 and 5 swapped, a new record before 6
        for (n, known) in [(1, true), (20, false), (3, true), (5, true), (4, true)] {
            assert_eq!(records.knows(&digest(n)), known, "record {n}");
        }
        assert!(!records.knows(&digest(30)));
        assert!(records.knows(&digest(6)));
        assert_eq!(records.unseen().collect::<Vec<_>>(), ["2"]);
    }
}
