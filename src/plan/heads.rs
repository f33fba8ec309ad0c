//! The current entries of a source by id, as a cycle reads them before it diffs: held in a
//! few large buffers rather than a map of strings.
//!
//! A source of 10⁶ entries has its heads read, looked up once for each record of the new
//! document and dropped on every cycle, however little changed. As a `HashMap<String, _>`
//! that was 10⁶ allocations and frees, a table of 2²¹ buckets of 72 bytes, and a cache miss
//! per lookup on the bucket and another on the key's string. Here the ids are one [`IdList`],
//! the heads one vector, and the table holds only each head's position (4 bytes a bucket).

use std::fmt;

use ahash::RandomState;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

use super::StoredHead;
use crate::domain::IdList;

#[derive(Clone, Default)]
pub struct Heads {
    /// Every id inserted, in order (a removed one stays, its head gone).
    ids: IdList,
    /// The head of each of `ids`, by the same position; `None` once removed.
    heads: Vec<Option<StoredHead>>,
    /// Positions in `ids` of the heads there are, by a hash of their id.
    index: HashTable<u32>,
    hasher: RandomState,
    len: usize,
}

impl Heads {
    pub fn with_capacity(heads: usize) -> Heads {
        Heads {
            ids: IdList::with_capacity(heads),
            heads: Vec::with_capacity(heads),
            index: HashTable::with_capacity(heads),
            ..Heads::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn find(&self, id: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        let row = self.index.find(hash, |&row| id_at(&self.ids, row) == id)?;
        Some(*row as usize)
    }

    pub fn get(&self, id: &str) -> Option<&StoredHead> {
        self.heads[self.find(id)?].as_ref()
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut StoredHead> {
        let row = self.find(id)?;
        self.heads[row].as_mut()
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    /// Sets the head of `id`, returning the one it replaces.
    pub fn insert(&mut self, id: &str, head: StoredHead) -> Option<StoredHead> {
        let Heads {
            ids,
            heads,
            index,
            hasher,
            len,
        } = self;
        let same = |&row: &u32| id_at(ids, row) == id;
        let rehash = |&row: &u32| hasher.hash_one(id_at(ids, row));
        match index.entry(hasher.hash_one(id), same, rehash) {
            Entry::Occupied(found) => heads[*found.get() as usize].replace(head),
            Entry::Vacant(slot) => {
                let row = u32::try_from(heads.len()).expect("fewer than 2³² entries a source");
                slot.insert(row);
                ids.push(id);
                heads.push(Some(head));
                *len += 1;
                None
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<StoredHead> {
        let hash = self.hasher.hash_one(id);
        let ids = &self.ids;
        let found = self.index.find_entry(hash, |&row| id_at(ids, row) == id);
        let (row, _) = found.ok()?.remove();
        self.len -= 1;
        self.heads[row as usize].take()
    }

    /// Every head with its id, in the order they were inserted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &StoredHead)> + '_ {
        self.ids
            .iter()
            .zip(&self.heads)
            .filter_map(|(id, head)| Some((id, head.as_ref()?)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(id, _)| id)
    }
}

/// The id at a position the table holds, which `ids` always has.
fn id_at(ids: &IdList, row: u32) -> &str {
    ids.get(row as usize)
        .expect("the table holds positions of ids")
}

impl std::ops::Index<&str> for Heads {
    type Output = StoredHead;

    fn index(&self, id: &str) -> &StoredHead {
        self.get(id)
            .unwrap_or_else(|| panic!("no stored head for {id:?}"))
    }
}

impl<S: AsRef<str>> FromIterator<(S, StoredHead)> for Heads {
    fn from_iter<I: IntoIterator<Item = (S, StoredHead)>>(iter: I) -> Heads {
        let mut heads = Heads::default();
        for (id, head) in iter {
            heads.insert(id.as_ref(), head);
        }
        heads
    }
}

impl fmt::Debug for Heads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::digest::StoredDigest;

    fn head(version: u32) -> StoredHead {
        StoredHead {
            hash: StoredDigest::new(&format!("h{version}")),
            episode: 1,
            version,
            record: None,
        }
    }

    #[test]
    fn heads_are_found_replaced_and_removed_by_id() {
        let mut heads: Heads = (0..1000).map(|i| (format!("id-{i}"), head(i))).collect();
        assert_eq!(heads.len(), 1000);
        assert_eq!(heads["id-617"].version, 617);
        assert!(heads.get("id-1000").is_none() && !heads.contains_key("id-06"));

        assert_eq!(heads.insert("id-5", head(7)).map(|h| h.version), Some(5));
        assert_eq!(heads.len(), 1000);
        heads.get_mut("id-5").unwrap().episode = 2;
        assert_eq!((heads["id-5"].version, heads["id-5"].episode), (7, 2));

        assert_eq!(heads.remove("id-9").map(|h| h.version), Some(9));
        assert!(heads.remove("id-9").is_none());
        assert!(!heads.contains_key("id-9") && heads.len() == 999);
        assert_eq!(heads.iter().count(), 999);
        assert!(heads.keys().all(|id| id != "id-9"));

        // back again after its removal: found, and listed once
        heads.insert("id-9", head(90));
        assert_eq!(heads["id-9"].version, 90);
        assert_eq!(heads.keys().filter(|id| *id == "id-9").count(), 1);
        assert_eq!(heads.len(), 1000);
    }
}
